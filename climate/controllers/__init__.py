"""Route handlers: HTML pages and the JSON API live in separate modules."""
