"""Reading a CSV file a person made: strictly, with every problem located by file and line.

Python's csv module forgives what the person should hear about: a quote left open takes
the rest of the file into one value, a value over 128 KB raises instead of being located,
and a NUL byte (a UTF-16 file, or a broken export) passes through to a database that
refuses it. Rosters and imported responses both read their files through ``CsvFile``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["CsvFile", "CsvProblem", "shown"]

# How much of a bad value a message quotes: enough to find it, never a whole huge field.
_SHOWN = 40


@dataclass(frozen=True)
class CsvProblem:
    """One problem, located by file, line and column."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


def shown(value: str) -> str:
    """``value`` quoted for a message, shortened when long."""
    if len(value) <= _SHOWN:
        return repr(value)
    return f"{value[:_SHOWN]!r}... ({len(value)} characters)"


class CsvFile:
    """Problem collector and strict record reader for one CSV file."""

    def __init__(self, name: str, data: bytes, problems: list[CsvProblem]) -> None:
        self.name = name
        self.data = data
        self.problems = problems
        self.stopped = False  # reading stopped early at a value that cannot be read

    def problem(self, line: int, column: str, message: str) -> None:
        """Record a problem at ``line`` and ``column`` of this file."""
        self.problems.append(CsvProblem(self.name, line, column, message))

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Each record that is not blank, with the line it starts on (the header first).

        Reading stops at a value the csv module cannot read: what follows would be guessed.
        """
        text = self._decode()
        if text is None:
            return
        if not text.strip():
            self.problem(1, "-", "file is empty")
            return
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        line = 0
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                self._unreadable(line + 1, reader.line_num, str(error))
                return
            start, line = line + 1, reader.line_num
            if any("\n" in value or "\r" in value for value in values):
                self.problem(
                    start,
                    "-",
                    f"a quoted value runs on to line {line}; is a closing quote missing?",
                )
                continue
            if any(value.strip() for value in values):
                yield start, values

    def _unreadable(self, start: int, end: int, message: str) -> None:
        self.stopped = True
        if message == "unexpected end of data":
            self.problem(start, "-", "a quote opened here is never closed")
        elif message.startswith("field larger than field limit"):
            limit = csv.field_size_limit()
            self.problem(end, "-", f"a value is longer than {limit} characters")
        else:
            self.problem(end, "-", f"not readable as CSV: {message}")

    def _decode(self) -> str | None:
        try:
            text = self.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self._locate_bad_bytes()
            return None
        if "\x00" in text:
            number = text.count("\n", 0, text.index("\x00")) + 1
            self.problem(
                number, "-", "contains a NUL byte; save the file as CSV UTF-8 (not UTF-16)"
            )
            return None
        return text

    def _locate_bad_bytes(self) -> None:
        for number, raw in enumerate(self.data.split(b"\n"), start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                prefix = raw[: exc.start].decode("utf-8", "replace")
                byte = raw[exc.start : exc.start + 1].hex()
                self.problem(
                    number,
                    f"column {prefix.count(',') + 1}",
                    f"not UTF-8 text (byte 0x{byte}); save the file as CSV UTF-8",
                )
