"""The district's help file: what a good file means, and how each fault is named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from climate.app import create_app
from climate.help.config import HelpConfig, HelpConfigError, load, next_school_day, parse
from climate.settings import Settings, SettingsError
from tests.climate.help_district import (
    ESCALATE_DISTRICT,
    ESCALATE_NORTH,
    LEAD,
    NORTH_READER,
    NOTIFY_DISTRICT,
    NOTIFY_NORTH,
    SOUTH_READER,
    help_file,
)

UTC = dt.UTC
# 2026-12-07 is a Monday; 12-11 a Friday, 12-12 and 12-13 the weekend.
MONDAY = dt.date(2026, 12, 7)
TUESDAY = dt.date(2026, 12, 8)
NEXT_MONDAY = dt.date(2026, 12, 14)

GOOD = """
timezone = "America/Chicago"
reading_time = "15:00"
retention_days = 30
staff_url = "https://climate.example/staff/help"

[district]
readers = ["Lead@District.Example"]
notify = ["duty@district.example"]
escalate = ["director@district.example"]

[schools.N1]
readers = ["north@district.example"]
notify = ["north.duty@district.example"]
reading_time = "14:00"
"""


def at(day: dt.date, hour: int, minute: int = 0, zone: dt.tzinfo = UTC) -> dt.datetime:
    """An aware moment on ``day``."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def _fault(text: str) -> str:
    with pytest.raises(HelpConfigError) as caught:
        parse(text, "help.toml")
    message = str(caught.value)
    assert message.startswith("help.toml: "), message
    return message


def test_a_good_file_says_who_reads_who_is_told_and_when() -> None:
    config = parse(GOOD, "help.toml")
    assert str(config.timezone) == "America/Chicago"
    assert config.retention_days == 30
    assert config.staff_url == "https://climate.example/staff/help"
    # A school's readers are its own and the district's, in lower case.
    assert config.readers("N1") == {"north@district.example", "lead@district.example"}
    assert config.readers("S9") == {"lead@district.example"}
    assert config.takes_requests("S9")
    # Told through its own list when it has one, escalated through the district's otherwise.
    assert config.notify("N1") == ("north.duty@district.example",)
    assert config.notify("S9") == ("duty@district.example",)
    assert config.escalate("N1") == ("director@district.example",)
    assert config.reading("N1") == dt.time(14, 0)
    assert config.reading("S9") == dt.time(15, 0)


def test_the_shared_help_file_loads(tmp_path: Path) -> None:
    config = load(help_file(tmp_path))
    assert config.readers("N1") == {NORTH_READER, LEAD}
    assert config.readers("S1") == {SOUTH_READER, LEAD}
    assert config.notify("N1") == (NOTIFY_NORTH,)
    assert config.escalate("N1") == (ESCALATE_NORTH,)
    assert config.notify("E1") == (NOTIFY_DISTRICT,)
    assert config.escalate("S1") == (ESCALATE_DISTRICT,)


def test_a_school_reads_only_when_someone_is_named() -> None:
    config = parse('[district]\n[schools.N1]\nreaders = ["n@d.example"]\n', "h")
    assert config.takes_requests("N1")
    assert not config.takes_requests("S1")
    assert config.readers("S1") == frozenset()


def test_bad_toml_names_the_line() -> None:
    message = _fault('[district]\nreaders = ["a@b.example"]\nreading_time = 15:00 x\n')
    assert "not valid TOML" in message
    assert "line 3" in message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[district]\nreaders = ["a@b.example"]\nreader = []\n', "`$.district`"),
        # At the top the field is its own path.
        ('colour = "red"\n[district]\nreaders = ["a@b.example"]\n', "`colour`"),
        ('[district]\nreaders = ["a@b.example"]\n[schools.N1]\nwho = 1\n', "`$.schools.N1`"),
        (
            '[district]\nreaders = ["a@b.example"]\n[schools.N1]\nreaders = [1]\n',
            "`$.schools.N1.readers[0]`",
        ),
    ],
    ids=["district", "top", "school", "school-type"],
)
def test_an_unknown_or_mistyped_field_is_named(text: str, where: str) -> None:
    message = _fault(text)
    assert where in message
    if "readers = [1]" not in text:
        assert "unknown field" in message


def test_a_bad_address_is_named_with_its_place() -> None:
    message = _fault('[district]\nreaders = ["a@b.example", "not an address"]\n')
    assert "'not an address'" in message
    assert "`$.district.readers[1]`" in message
    text = '[district]\nreaders = ["a@b.example"]\n[schools.S1]\nescalate = ["x@"]\n'
    assert "`$.schools.S1.escalate[0]`" in _fault(text)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('reading_time = "3pm"\n[district]\nreaders = ["a@b.example"]\n', "`$.reading_time`"),
        ('reading_time = "24:00"\n[district]\nreaders = ["a@b.example"]\n', "`$.reading_time`"),
        (
            '[district]\nreaders = ["a@b.example"]\n[schools.N1]\nreading_time = "9:5"\n',
            "`$.schools.N1.reading_time`",
        ),
    ],
    ids=["words", "24h", "school"],
)
def test_a_bad_time_is_named(text: str, where: str) -> None:
    message = _fault(text)
    assert "is not a time" in message
    assert where in message


def test_an_unknown_time_zone_is_named() -> None:
    message = _fault('timezone = "Mars/Olympus"\n[district]\nreaders = ["a@b.example"]\n')
    assert "'Mars/Olympus'" in message
    assert "`$.timezone`" in message


def test_a_file_where_no_one_reads_is_refused() -> None:
    message = _fault('[district]\nnotify = ["a@b.example"]\n[schools.N1]\nnotify = []\n')
    assert "no one reads" in message
    assert "`$.district.readers`" in message


@pytest.mark.parametrize("days", [0, -5])
def test_retention_below_a_day_is_refused(days: int) -> None:
    message = _fault(f'retention_days = {days}\n[district]\nreaders = ["a@b.example"]\n')
    assert "`$.retention_days`" in message


@pytest.mark.parametrize("url", ["ftp://x.example/help", "climate.example/staff", "javascript:x"])
def test_a_staff_url_that_is_not_http_is_refused(url: str) -> None:
    message = _fault(f'staff_url = "{url}"\n[district]\nreaders = ["a@b.example"]\n')
    assert "`$.staff_url`" in message


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "help.toml"
    path.write_bytes(b"\xff\xfe[district]")
    with pytest.raises(HelpConfigError, match=r"help\.toml: cannot be read"):
        load(path)


def test_load_names_the_file_path(tmp_path: Path) -> None:
    path = tmp_path / "district-help.toml"
    path.write_text('[district]\nreaders = ["nope"]\n', encoding="utf-8")
    with pytest.raises(HelpConfigError) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "`$.district.readers[0]`" in str(caught.value)


def test_the_service_does_not_start_with_a_bad_help_file(tmp_path: Path) -> None:
    path = tmp_path / "district-help.toml"
    path.write_text('retention_days = 0\n[district]\nreaders = ["a@b.example"]\n', "utf-8")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}",
        secret_key="test-secret-key-that-is-long-enough-000",
        help_requests=path,
    )
    with pytest.raises(SettingsError) as caught:
        create_app(settings)
    message = str(caught.value)
    assert "CLIMATE_HELP_REQUESTS" in message
    assert str(path) in message
    assert "retention_days" in message


def test_a_missing_help_file_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CLIMATE_HELP_REQUESTS"):
        Settings.from_env(
            {"CLIMATE_MODE": "demo", "CLIMATE_HELP_REQUESTS": str(tmp_path / "none.toml")}
        )


# --- reading time: due_on and overdue -----------------------------------------------------


def _utc(reading: str = "15:00", zone: str = "UTC") -> HelpConfig:
    return parse(
        f'timezone = "{zone}"\nreading_time = "{reading}"\n[district]\nreaders = ["a@b.example"]\n'
        '[schools.N1]\nreading_time = "09:30"\n',
        "h",
    )


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (at(MONDAY, 8), MONDAY),  # a school day, before the reading time: today
        (at(MONDAY, 14, 59), MONDAY),
        (at(MONDAY, 15), TUESDAY),  # at or after the reading time: the next school day
        (at(MONDAY, 23, 59), TUESDAY),
        (at(dt.date(2026, 12, 11), 16), NEXT_MONDAY),  # Friday after the time: Monday
        (at(dt.date(2026, 12, 12), 9), NEXT_MONDAY),  # Saturday morning: Monday
        (at(dt.date(2026, 12, 13), 20), NEXT_MONDAY),  # Sunday evening: Monday
    ],
)
def test_due_on_follows_school_days_and_the_reading_time(sent: dt.datetime, due: dt.date) -> None:
    assert _utc().due_on("S1", sent) == due


def test_a_school_reads_by_its_own_time() -> None:
    config = _utc()
    assert config.due_on("N1", at(MONDAY, 10)) == TUESDAY
    assert config.due_on("S1", at(MONDAY, 10)) == MONDAY
    assert config.overdue("N1", MONDAY, at(MONDAY, 9, 30))
    assert not config.overdue("S1", MONDAY, at(MONDAY, 9, 30))


def test_due_on_is_the_districts_day_not_utcs() -> None:
    chicago = _utc(zone="America/Chicago")  # UTC-6 in December
    # 20:00 UTC is 14:00 in Chicago: before its reading time, due the same day.
    assert chicago.due_on("S1", at(MONDAY, 20)) == MONDAY
    assert _utc().due_on("S1", at(MONDAY, 20)) == TUESDAY
    # 03:00 UTC on Tuesday is Monday 21:00 in Chicago: due Tuesday, a day later than UTC says.
    assert chicago.due_on("S1", at(TUESDAY, 3)) == TUESDAY
    assert _utc().due_on("S1", at(TUESDAY, 3)) == TUESDAY
    # Saturday 02:00 UTC is still Friday evening in Chicago: due the next Monday.
    assert chicago.due_on("S1", at(dt.date(2026, 12, 12), 2)) == NEXT_MONDAY
    # Friday 20:00 UTC is Friday 14:00 in Chicago: due that Friday.
    friday = dt.date(2026, 12, 11)
    assert chicago.due_on("S1", at(friday, 20)) == friday


def test_overdue_starts_at_the_reading_time_of_the_due_day() -> None:
    config = _utc()
    assert not config.overdue("S1", MONDAY, at(dt.date(2026, 12, 6), 23))  # the day before
    assert not config.overdue("S1", MONDAY, at(MONDAY, 14, 59))
    assert config.overdue("S1", MONDAY, at(MONDAY, 15))
    assert config.overdue("S1", MONDAY, at(TUESDAY, 8))  # any later day
    # A request sent on Friday evening is not overdue over the weekend.
    due = config.due_on("S1", at(dt.date(2026, 12, 11), 18))
    assert not config.overdue("S1", due, at(dt.date(2026, 12, 13), 23))
    assert config.overdue("S1", due, at(NEXT_MONDAY, 15))


def test_overdue_reads_the_districts_clock() -> None:
    chicago = _utc(zone="America/Chicago")
    # 20:59 UTC is 14:59 in Chicago; 21:00 UTC is 15:00 there.
    assert not chicago.overdue("S1", MONDAY, at(MONDAY, 20, 59))
    assert chicago.overdue("S1", MONDAY, at(MONDAY, 21))


def test_next_school_day_skips_the_weekend() -> None:
    assert next_school_day(MONDAY) == TUESDAY
    assert next_school_day(dt.date(2026, 12, 11)) == NEXT_MONDAY
    assert next_school_day(dt.date(2026, 12, 12)) == NEXT_MONDAY
