"""Reading staff form posts: text fields with limits, lists and checkboxes."""

from __future__ import annotations

from typing import Any

from litestar import Request

MAX_FIELD = 500


async def read_form(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    """Every field of a url-encoded or multipart form as lists of strings (files left out)."""
    form = await request.form()
    result: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            result.setdefault(key, []).append(value[:MAX_FIELD])
    return result


def text(form: dict[str, list[str]], name: str) -> str:
    """One text field, stripped ("" when absent)."""
    values = form.get(name) or [""]
    return values[0].strip()


def values(form: dict[str, list[str]], name: str) -> list[str]:
    """Every value of a repeated field (checkboxes, multi-selects)."""
    return [v.strip() for v in form.get(name, []) if v.strip()]
