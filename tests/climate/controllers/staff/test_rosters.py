"""The roster page: any subset of the three files, templates to download, and each file's
columns and allowed values shown from the definitions the parser reads them by."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from analysis.staffing import ROLES
from climate import db
from climate.app import create_app
from climate.models import Enrollment, School, Staffing
from climate.models.districts import LEVELS
from climate.rosters.parsing import FILES, parse_rosters
from climate.settings import Settings
from tests.climate.security.conftest import BASE, _build, csrf, sign_in

Client = TestClient[Litestar]


@pytest.fixture
def admin(settings: Settings) -> Iterator[Client]:
    """A district admin signed in on a district of two stored high schools, S1 and S2."""
    _build(settings)
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_admin")
        yield client


def _counts(settings: Settings) -> tuple[int, int, int]:
    """Stored schools, enrollment rows and staffing rows."""

    async def run() -> tuple[int, int, int]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                found = [
                    await conn.scalar(select(func.count()).select_from(model))
                    for model in (School, Enrollment, Staffing)
                ]
                return found[0] or 0, found[1] or 0, found[2] or 0
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _upload(client: Client, **files: str) -> tuple[int, str]:
    response = client.post(
        "/staff/rosters",
        data={"_csrf_token": csrf(client)},
        files={name: (f"{name}.csv", text.encode(), "text/csv") for name, text in files.items()},
    )
    return response.status_code, response.text


def test_enrollment_alone_is_imported_for_schools_already_stored(
    admin: Client, settings: Settings
) -> None:
    status, page = _upload(
        admin, enrollment="school_id,year,grade,students\nS1,2027,9,210\nS2,2027,10,190\n"
    )
    assert status == 200, page
    assert "Imported 0 schools, 2 enrollment rows and 0 staffing rows." in page
    assert _counts(settings) == (2, 2, 0)


def test_staffing_alone_naming_an_unknown_school_is_refused_by_file_and_line(
    admin: Client, settings: Settings
) -> None:
    status, page = _upload(
        admin, staffing="school_id,year,role,fte\nS1,2027,counselor,2\nZ9,2027,counselor,1\n"
    )
    assert status == 400
    assert (
        "staffing.csv:3: school_id: unknown school &#39;Z9&#39;; not a stored school, "
        "and schools.csv is not part of this import" in page
    )
    assert _counts(settings) == (2, 0, 0)


def test_a_grade_outside_a_stored_school_is_refused(admin: Client, settings: Settings) -> None:
    # S1 is stored as grades 9-12.
    status, page = _upload(admin, enrollment="school_id,year,grade,students\nS1,2027,5,30\n")
    assert status == 400
    assert "enrollment.csv:2: grade: grade 5 is outside S1&#39;s grades 9-12" in page
    assert _counts(settings) == (2, 0, 0)


def test_a_new_school_with_its_enrollment_in_one_upload(admin: Client, settings: Settings) -> None:
    status, page = _upload(
        admin,
        schools="school_id,name,level,grade_low,grade_high\nS3,East Middle,middle,6,8\n",
        enrollment="school_id,year,grade,students\nS3,2027,6,120\nS1,2027,12,180\n",
    )
    assert status == 200, page
    assert "Imported 1 schools, 2 enrollment rows and 0 staffing rows." in page
    assert _counts(settings) == (3, 2, 0)


def test_an_upload_without_any_file_says_so(admin: Client, settings: Settings) -> None:
    status, page = _upload(admin)
    assert status == 400
    assert "attach at least one of schools.csv, enrollment.csv, staffing.csv" in page
    assert _counts(settings) == (2, 0, 0)


def test_the_page_lists_every_column_and_the_allowed_choices(admin: Client) -> None:
    page = admin.get("/staff/rosters").text
    for file in FILES:
        assert f'href="/staff/rosters/{file.filename}"' in page
        for column in file.columns:
            assert f"<code>{column.name}</code>" in page
    for value in (*LEVELS, *ROLES):
        assert f"<code>{value}</code>" in page
    # No file input is required: any subset may be uploaded.
    inputs = re.findall(r'<input[^>]*type="file"[^>]*>', page)
    assert len(inputs) == 3
    assert not any("required" in tag for tag in inputs)


@pytest.mark.parametrize(
    ("name", "row"),
    [
        ("schools.csv", "S9,West High,high,9,12,123456789012"),
        ("enrollment.csv", "S9,2027,9,100"),
        ("staffing.csv", "S9,2027,psychologist,0.5"),
    ],
)
def test_a_filled_in_template_is_read_by_the_parser(admin: Client, name: str, row: str) -> None:
    response = admin.get(f"/staff/rosters/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="{name}"' in response.headers["content-disposition"]
    filled = (response.text + row + "\n").encode()
    school = parse_rosters(
        b"school_id,name,level,grade_low,grade_high\nS9,W,high,9,12\n", None, None
    )
    files = {"schools.csv": 0, "enrollment.csv": 1, "staffing.csv": 2}
    given: list[bytes | None] = [None, None, None]
    given[files[name]] = filled
    stored = {s.school_id: s for s in school.schools}
    rosters = parse_rosters(*given, stored=stored)
    assert len(rosters.schools) + len(rosters.enrollment) + len(rosters.staffing) == 1


def test_an_unknown_template_is_not_found(admin: Client) -> None:
    assert admin.get("/staff/rosters/pupils.csv").status_code == 404


def test_only_an_admin_downloads_templates(settings: Settings) -> None:
    _build(settings)
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_viewer")
        assert client.get("/staff/rosters/schools.csv").status_code == 403
