"""Babel extractor for instrument files, so survey wording reaches the gettext catalogs.

Babel mapping files name it in an ``[extractors]`` section (``instrument =
climate.instruments.extract:extract_instrument``) and map ``[instrument: surveys/**.toml]``;
``extract()`` also takes that dotted name directly.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from climate.instruments.positions import Key, value_lines

__all__ = ["extract_instrument", "translatable_paths"]

Message = tuple[int, None, str, list[str]]


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def translatable_paths(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Key, ...], str]]:
    """Yield (key path, text) for every string a student or report reader sees, in file order."""
    for path, value in _candidates(data):
        if isinstance(value, str) and value.strip():
            yield path, value


def _candidates(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Key, ...], object]]:
    for key in ("title", "description"):
        yield (key,), data.get(key)
    for name, response_set in _table(data.get("response_sets")).items():
        for index, option in enumerate(_list(_table(response_set).get("options"))):
            yield ("response_sets", name, "options", index, "label"), _table(option).get("label")
    for index, item in enumerate(_list(data.get("items"))):
        yield ("items", index, "text"), _table(item).get("text")
    for kind in ("sections", "scales"):
        for index, entry in enumerate(_list(data.get(kind))):
            yield (kind, index, "title"), _table(entry).get("title")
    for index, demographic in enumerate(_list(data.get("demographics"))):
        yield ("demographics", index, "text"), _table(demographic).get("text")
        for position, option in enumerate(_list(_table(demographic).get("options"))):
            yield (
                ("demographics", index, "options", position, "label"),
                _table(option).get("label"),
            )
        for position, group in enumerate(_list(_table(demographic).get("combined"))):
            yield (
                ("demographics", index, "combined", position, "label"),
                _table(group).get("label"),
            )


def _describe(path: tuple[Key, ...]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def _tagged_comments(lines: list[str], line: int, comment_tags: Collection[str]) -> list[str]:
    """Collect `# TAG ...` comment lines directly above a line (or above its table header)."""
    found: list[str] = []
    index = line - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        text = lines[index].lstrip()[1:].strip()
        if any(text.startswith(tag) for tag in comment_tags):
            found.insert(0, text)
        index -= 1
    return found


def extract_instrument(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Message]:
    """Yield ``(lineno, None, message, comments)`` for each translatable string of a TOML file."""
    text = fileobj.read().decode(str(options.get("encoding", "utf-8")))
    data = tomllib.loads(text)
    lines = value_lines(text)
    source = text.splitlines()
    instrument = data.get("id") if isinstance(data.get("id"), str) else "instrument"
    for path, message in translatable_paths(data):
        line = lines.get(path, 0)
        comments = [f"{instrument}: {_describe(path)}"]
        comments += _tagged_comments(source, line, comment_tags) if line else []
        yield line, None, message, comments
