"""How deeply an instrument file nests, found before anything recurses into it.

tomllib reads each array and inline table with one more Python call, so a file of a few
thousand ``[`` exhausts the stack; dotted keys (``a.b.c...``) nest tables without that
limit, and then the later checks recurse. An instrument needs four levels; a file that
goes past ``MAX_DEPTH`` is refused with the line, or the field path, where it does.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_DEPTH", "deep_line", "deep_path"]

MAX_DEPTH = 16
_OPEN, _CLOSE = "[{", "]}"
_RESET = "[{,=\n"


def _string_end(text: str, start: int) -> int:
    """Index just past the TOML string that starts at ``start`` (or the text's end)."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        if quote == '"':
            while end != -1 and _escaped(text, end):
                end = text.find(quote * 3, end + 1)
        return len(text) if end == -1 else end + 3
    index = start + 1
    while index < len(text) and text[index] not in (quote, "\n"):
        index += 2 if quote == '"' and text[index] == "\\" else 1
    return index + 1


def _escaped(text: str, index: int) -> bool:
    slashes = 0
    while index > slashes and text[index - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def deep_line(text: str) -> int | None:
    """The first line where arrays and inline tables, or the parts of a dotted key or table
    name, nest deeper than MAX_DEPTH, if any."""
    depth, dots, line, index = 0, 0, 1, 0
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = _string_end(text, index)
            line += text.count("\n", index, end)
            index = end
            continue
        if char == "#":
            end = text.find("\n", index)
            index = len(text) if end == -1 else end
            continue
        # A dot outside a string joins key parts (or sits in a number, which has one).
        dots = dots + 1 if char == "." else 0 if char in _RESET else dots
        if dots > MAX_DEPTH:
            return line
        if char == "\n":
            line += 1
        elif char in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        index += 1
    return None


def deep_path(value: Any) -> str | None:
    """The field path of the first value nested deeper than MAX_DEPTH, if any (no recursion)."""
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return ".".join(part[:40] for part in path).replace(".[", "[")
        if isinstance(node, dict):
            stack += [(child, [*path, str(key)]) for key, child in node.items()]
        elif isinstance(node, list):
            stack += [(child, [*path, f"[{index}]"]) for index, child in enumerate(node)]
    return None
