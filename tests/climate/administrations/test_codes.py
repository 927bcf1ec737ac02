"""Class codes and tickets: issued and shown with their record, only where the caller may see."""

from __future__ import annotations

import pytest

from climate import administrations as admins
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings
from climate.students import codes
from tests.climate.administrations.conftest import District_, log, on

ADMIN = Principal("account", 1, "admin@district.example", "district_admin")
COUNSELOR = Principal("account", 3, "counselor@district.example", "school_staff", frozenset({"S1"}))


def test_issued_codes_are_recorded_per_school(settings: Settings, district: District_) -> None:
    made = on(settings, lambda e: admins.issue_codes(e, ADMIN, district.mine, "S2", "class", 4))
    assert made == 4
    (event,) = log(settings)
    assert (event.action, event.school_id, event.detail) == (
        audit.CODES_CREATED,
        "S2",
        {"kind": "class", "count": 4},
    )


@pytest.mark.parametrize(
    ("known", "school", "kind", "count"),
    [
        (False, "S1", "class", 1),  # no such administration
        (True, "S9", "class", 1),  # a school that does not take part
        (True, "S1", "seat", 1),
        (True, "S1", "ticket", 1),  # a class-code administration hands out no tickets
        (True, "S1", "class", 0),
        (True, "S1", "class", admins.MAX_TICKETS + 1),
    ],
)
def test_refused_codes_are_neither_issued_nor_recorded(
    settings: Settings,
    district: District_,
    known: bool,
    school: str,
    kind: str,
    count: int,
) -> None:
    administration = district.mine if known else 999
    before = on(settings, lambda e: admins.code_sheet(e, ADMIN, district.mine, None))
    assert before is not None
    with pytest.raises(admins.AdministrationError):
        on(settings, lambda e: admins.issue_codes(e, ADMIN, administration, school, kind, count))
    after = on(settings, lambda e: admins.code_sheet(e, ADMIN, district.mine, None))
    assert after is not None
    assert after.codes == before.codes
    assert [e.action for e in log(settings)] == [audit.CODES_VIEWED] * 2


def test_a_counselor_sees_and_is_recorded_seeing_only_their_codes(
    settings: Settings,
    district: District_,
) -> None:
    sheet = on(settings, lambda e: admins.code_sheet(e, COUNSELOR, district.mine, None))
    assert sheet is not None
    assert {c.school_id for c in sheet.codes} == {"S1"}
    assert [shown for _, shown in sheet.printed] == [codes.display(c.code) for c in sheet.codes]
    assert on(settings, lambda e: admins.code_sheet(e, COUNSELOR, district.mine, "S2")) is None
    assert on(settings, lambda e: admins.code_sheet(e, COUNSELOR, district.other, None)) is None
    (event,) = log(settings)
    assert (event.actor, event.action, event.detail) == (
        COUNSELOR.label,
        audit.CODES_VIEWED,
        {"codes": 1},
    )


def test_codes_for_every_school_match_the_access_mode(
    settings: Settings,
    district: District_,
) -> None:
    issued = on(settings, lambda e: admins.issue_for_schools(e, "cli", district.mine, "class", 2))
    assert [(i.school_id, i.school_name) for i in issued] == [
        ("S1", "North High"),
        ("S1", "North High"),
        ("S2", "South High"),
        ("S2", "South High"),
    ]
    assert len({i.code for i in issued}) == 4
    with pytest.raises(admins.AdministrationError, match="uses class-code, not tickets"):
        on(settings, lambda e: admins.issue_for_schools(e, "cli", district.mine, "ticket", 1))
    with pytest.raises(admins.AdministrationError, match="S9 does not take part"):
        on(settings, lambda e: admins.issue_for_schools(e, "cli", district.other, "class", 1, "S9"))
    one = on(
        settings, lambda e: admins.issue_for_schools(e, "cli", district.other, "class", 1, "S2")
    )
    assert [i.school_id for i in one] == ["S2"]
    recorded = [(e.school_id, e.detail["count"]) for e in log(settings)]
    assert recorded == [("S1", 2), ("S2", 2), ("S2", 1)]
