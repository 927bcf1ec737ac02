"""Reading instrument files: decode, turn msgspec errors into located problems, validate."""

from __future__ import annotations

import hashlib
import re
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from climate.instruments.model import Instrument, LoadedInstrument, Problem
from climate.instruments.nesting import MAX_DEPTH, deep_line, deep_path
from climate.instruments.positions import find_line, value_lines
from climate.instruments.validation import validate

__all__ = [
    "SHIPPED_DIRECTORY",
    "InstrumentError",
    "check_files",
    "instrument_files",
    "load_directory",
    "load_instrument",
    "parse_instrument",
]

# surveys/ sits beside the climate package in the project (and in an editable install).
SHIPPED_DIRECTORY = Path(__file__).resolve().parents[2] / "surveys"

_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]*)`")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]*)`")
_AT = re.compile(r"(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_DECODE_LINE = re.compile(r"\(at line (?P<line>\d+), column \d+\)")
_FIELD_TYPES: dict[str, Any] = typing.get_type_hints(Instrument)
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


class InstrumentError(Exception):
    """An instrument file (or set of files) has problems; see `.problems`."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _join(prefix: str, rest: str) -> str:
    if not rest:
        return prefix
    if not prefix:
        return rest.lstrip(".")
    return prefix + rest if rest.startswith("[") else f"{prefix}.{rest.lstrip('.')}"


def _from_validation(prefix: str, error: msgspec.ValidationError) -> tuple[str, str]:
    """Turn `Object contains unknown field `x` - at `$.items[3]`` into (`items[3].x`, message)."""
    match = _AT.match(str(error))
    if match is None:  # pragma: no cover - the pattern matches any text
        return prefix, str(error)
    message, at = match.group("message"), match.group("path") or ""
    path = _join(prefix, at)
    if unknown := _UNKNOWN.fullmatch(message):
        return _join(path, unknown.group("name")), "unknown field"
    if missing := _MISSING.fullmatch(message):
        return _join(path, missing.group("name")), "required field is missing"
    message = message.replace("`", "")
    return path, message[:1].lower() + message[1:]


def _convert(value: object, kind: Any, prefix: str) -> list[tuple[str, str]]:
    try:
        msgspec.convert(value, kind)
    except msgspec.ValidationError as error:
        return [_from_validation(prefix, error)]
    return []


def _structure(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """Check field by field and element by element, so one bad item does not hide the next."""
    found: list[tuple[str, str]] = []
    for name in raw:
        if name not in _FIELD_TYPES:
            found.append((name, "unknown field"))
    for field in msgspec.structs.fields(Instrument):
        if field.name not in raw:
            if field.required:
                found.append((field.name, "required field is missing"))
            continue
        value, kind = raw[field.name], field.type
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if origin is list and isinstance(value, list):
            for index, element in enumerate(value):
                found += _convert(element, args[0], f"{field.name}[{index}]")
        elif origin is dict and isinstance(value, dict):
            for key, element in value.items():
                found += _convert(element, args[1], f"{field.name}.{key}")
        else:
            found += _convert(value, kind, field.name)
    return found


def _decode(data: bytes) -> tuple[Instrument | None, list[tuple[str, str]], int | None]:
    try:
        raw = msgspec.toml.decode(data)
    except msgspec.DecodeError as error:
        text = str(error)
        place = _DECODE_LINE.search(text)
        if place:
            line = int(place.group("line"))
        elif "(at end of document)" in text:
            line = max(1, len(data.splitlines()))
        else:  # pragma: no cover - tomllib reports a place for every error
            line = 1
        text = _DECODE_LINE.sub("", text).replace("(at end of document)", "").strip()
        return None, [("", f"not valid TOML: {text}")], line
    if not isinstance(raw, dict):
        return None, [("", "not a TOML table")], None
    deep = deep_path(raw)
    if deep is not None:
        return None, [(deep, _TOO_DEEP)], None
    found = _structure(raw)
    if found:
        return None, found, None
    try:
        return msgspec.convert(raw, Instrument), [], None
    except msgspec.ValidationError as error:  # pragma: no cover - _structure finds these first
        return None, [_from_validation("", error)], None


def _located(file: str, text: str, found: list[tuple[str, str]]) -> list[Problem]:
    lines = value_lines(text)
    return [Problem(file, path, message, find_line(lines, path)) for path, message in found]


def _problems(data: bytes, file: str) -> tuple[Instrument | None, list[Problem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(file, "", f"not UTF-8 text: {error.reason} at byte {error.start}")]
    deep = deep_line(text)
    if deep is not None:
        return None, [Problem(file, "", _TOO_DEEP, deep)]
    try:
        instrument, found, line = _decode(data)
    except RecursionError:  # pragma: no cover - deep_line finds such files first
        return None, [Problem(file, "", _TOO_DEEP)]
    if line is not None:
        return None, [Problem(file, path, message, line) for path, message in found]
    if instrument is None and found[0][1] == _TOO_DEEP:
        # Locating a path this deep would take the scanner far longer than it is worth.
        return None, [Problem(file, path, message) for path, message in found]
    if instrument is None:
        return None, _located(file, text, found)
    return instrument, _located(file, text, validate(instrument))


def parse_instrument(data: bytes, *, file: str = "<string>") -> Instrument:
    """Decode and validate instrument TOML, raising InstrumentError with every problem found."""
    instrument, problems = _problems(data, file)
    if problems or instrument is None:
        raise InstrumentError(problems)
    return instrument


def load_instrument(path: Path) -> LoadedInstrument:
    """Read, decode and validate one instrument file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InstrumentError([Problem(str(path), "", f"cannot read: {error.strerror}")]) from error
    instrument = parse_instrument(data, file=str(path))
    return LoadedInstrument(str(path), instrument, hashlib.sha256(data).hexdigest())


def instrument_files(directory: Path) -> list[Path]:
    """List the instrument files of a directory in a stable order."""
    return sorted(path for path in directory.glob("*.toml") if path.is_file())


def _load_all(paths: Sequence[Path]) -> tuple[dict[str, LoadedInstrument], list[Problem]]:
    loaded: dict[str, LoadedInstrument] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            one = load_instrument(path)
        except InstrumentError as error:
            problems += error.problems
            continue
        other = loaded.get(one.instrument.id)
        if other is not None:
            line = find_line(value_lines(path.read_text("utf-8")), "id")
            problems.append(
                Problem(
                    one.path,
                    "id",
                    f"instrument id {one.instrument.id!r} is also used by {other.path}",
                    line,
                )
            )
            continue
        loaded[one.instrument.id] = one
    return loaded, problems


def load_directory(path: Path) -> dict[str, LoadedInstrument]:
    """Load every `*.toml` instrument of a directory, keyed by instrument id."""
    if not path.is_dir():
        raise InstrumentError([Problem(str(path), "", "not a directory")])
    loaded, problems = _load_all(instrument_files(path))
    if problems:
        raise InstrumentError(problems)
    return loaded


def check_files(paths: Sequence[Path]) -> list[Problem]:
    """Validate instrument files (directories stand for their `*.toml`) and list all problems."""
    files: list[Path] = []
    for path in paths:
        candidates = instrument_files(path) if path.is_dir() else [path]
        files += [
            file for file in candidates if file.resolve() not in {seen.resolve() for seen in files}
        ]
    return _load_all(files)[1]
