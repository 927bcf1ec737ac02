"""Line numbers of values in TOML source, which tomllib and msgspec do not report."""

from __future__ import annotations

import re

__all__ = ["Key", "find_line", "split_path", "value_lines"]

Key = str | int

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = set(",]}#\n")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class _Stop(Exception):
    """Raised inside the scanner when the text ends or is malformed; what was found is kept."""


class _Scanner:
    """Walks TOML text once and records the line where each value (by key path) starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[tuple[Key, ...], int] = {}
        self.table: tuple[Key, ...] = ()
        # Array-of-tables path -> index of its last element, so that `[[a.b]]` after `[[a]]`
        # lands under the last element of `a`.
        self.last_index: dict[tuple[Key, ...], int] = {}

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.pos >= len(self.text):
                raise _Stop
            if self.text[self.pos] == "\n":
                self.line += 1
            self.pos += 1

    def skip_blank(self, newlines: bool) -> None:
        while self.pos < len(self.text):
            char = self.peek()
            if char == "#":
                while self.pos < len(self.text) and self.peek() != "\n":
                    self.advance()
            elif char in " \t\r" or (newlines and char == "\n"):
                self.advance()
            else:
                return

    def record(self, path: tuple[Key, ...], line: int) -> None:
        for end in range(1, len(path)):
            self.lines.setdefault(path[:end], line)
        self.lines[path] = line

    def run(self) -> dict[tuple[Key, ...], int]:
        try:
            while True:
                self.skip_blank(newlines=True)
                if self.pos >= len(self.text):
                    break
                if self.peek() == "[":
                    self.header()
                else:
                    self.key_value(self.table)
        except _Stop:
            pass
        return self.lines

    def resolve(self, keys: list[str]) -> tuple[Key, ...]:
        out: list[Key] = []
        for key in keys:
            out.append(key)
            index = self.last_index.get(tuple(out))
            if index is not None:
                out.append(index)
        return tuple(out)

    def header(self) -> None:
        line = self.line
        is_array = self.peek(1) == "["
        self.advance(2 if is_array else 1)
        keys = self.keys()
        self.advance(2 if is_array else 1)
        if is_array:
            base = (*self.resolve(keys[:-1]), keys[-1])
            index = self.last_index.get(base, -1) + 1
            self.last_index[base] = index
            self.table = (*base, index)
        else:
            self.table = self.resolve(keys)
        self.record(self.table, line)

    def keys(self) -> list[str]:
        keys: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            char = self.peek()
            if char in "\"'":
                keys.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if match is None:
                    raise _Stop
                keys.append(match.group())
                self.advance(match.end() - self.pos)
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return keys
            self.advance()

    def key_value(self, table: tuple[Key, ...]) -> None:
        line = self.line
        keys = self.keys()
        if self.peek() != "=":
            raise _Stop
        self.advance()
        self.skip_blank(newlines=False)
        path = (*table, *keys)
        self.record(path, line)
        self.value(path)

    def value(self, path: tuple[Key, ...]) -> None:
        char = self.peek()
        if char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        elif char in "\"'":
            self.string()
        else:
            while self.pos < len(self.text) and self.peek() not in _SCALAR_END:
                self.advance()

    def array(self, path: tuple[Key, ...]) -> None:
        self.advance()
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.advance()
                return
            self.record((*path, index), self.line)
            self.value((*path, index))
            index += 1
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()

    def inline_table(self, path: tuple[Key, ...]) -> None:
        self.advance()
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "}":
                self.advance()
                return
            self.key_value(path)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()

    def string(self) -> str:
        quote = self.peek()
        if self.peek(1) == quote and self.peek(2) == quote:
            self.advance(3)
            start = self.pos
            while not (self.peek() == quote and self.peek(1) == quote and self.peek(2) == quote):
                if quote == '"' and self.peek() == "\\":
                    self.advance()
                self.advance()
            # A closing run of up to five quotes keeps the extra ones inside the string.
            while self.peek(3) == quote:
                self.advance()
            end = self.pos
            self.advance(3)
            return self.text[start:end]
        self.advance()
        start = self.pos
        while self.peek() != quote:
            if self.peek() in ("\n", ""):
                raise _Stop
            if quote == '"' and self.peek() == "\\":
                self.advance()
            self.advance()
        end = self.pos
        self.advance()
        return self.text[start:end]


def value_lines(text: str) -> dict[tuple[Key, ...], int]:
    """Map each key path in TOML text, like ``("items", 3, "text")``, to its 1-based line."""
    return _Scanner(text).run()


def split_path(path: str) -> tuple[Key, ...]:
    """Turn a field path like ``items[3].response_set`` into ``("items", 3, "response_set")``."""
    return tuple(int(index) if index else name for name, index in _PATH_PART.findall(path))


def find_line(lines: dict[tuple[Key, ...], int], path: str) -> int | None:
    """Return the line of a field path, or of its nearest ancestor that appears in the source."""
    keys = split_path(path)
    for end in range(len(keys), 0, -1):
        line = lines.get(keys[:end])
        if line is not None:
            return line
    return None
