from pathlib import Path

import pytest

from climate.rosters.parsing import (
    EnrollmentRow,
    RosterError,
    SchoolRow,
    StaffingRow,
    parse_rosters,
    read_rosters,
    school_years,
)

SCHOOLS = (
    "school_id,name,level,grade_low,grade_high,nces_id\n"
    "E1,Adams Elementary,elementary,K,5,010000500870\n"
    "H1,Lincoln High,high,9,12,\n"
)
ENROLLMENT = (
    "school_id,year,grade,students\n"
    "E1,2024,K,40\n"
    "E1,2024,5,35\n"
    "H1,2024,9,300\n"
    "H1,2024,12,250\n"
    "H1,2023,9,280\n"
)
STAFFING = (
    "school_id,year,role,fte\n"
    "E1,2024,counselor,0.5\n"
    "H1,2024,counselor,2\n"
    "H1,2024,psychologist,0.4\n"
    "H1,2023,social_worker,1.0\n"
)


def problems(
    schools: str | bytes = SCHOOLS,
    enrollment: str | bytes = ENROLLMENT,
    staffing: str | bytes = STAFFING,
) -> list[str]:
    data = [x.encode() if isinstance(x, str) else x for x in (schools, enrollment, staffing)]
    with pytest.raises(RosterError) as info:
        parse_rosters(*data)
    return [str(p) for p in info.value.problems]


def test_valid_rosters_parse_into_typed_rows() -> None:
    rosters = parse_rosters(SCHOOLS.encode(), ENROLLMENT.encode(), STAFFING.encode())
    assert rosters.schools == (
        SchoolRow("E1", "Adams Elementary", "elementary", 0, 5, "010000500870"),
        SchoolRow("H1", "Lincoln High", "high", 9, 12, None),
    )
    assert rosters.enrollment[0] == EnrollmentRow("E1", 2024, 0, 40)
    assert len(rosters.enrollment) == 5
    assert rosters.staffing[1] == StaffingRow("H1", 2024, "counselor", 2.0)


def test_optional_column_may_be_left_out_and_bom_and_crlf_are_fine() -> None:
    schools = "\ufeffschool_id,name,level,grade_low,grade_high\r\nE1,Adams,elementary,PK,5\r\n"
    rosters = parse_rosters(
        schools.encode(),
        b"school_id,year,grade,students\r\nE1,2024,PK,12\r\n\r\n",
        b"school_id , year,role,fte\nE1,2024,social_worker, 0.2 \n",
    )
    assert rosters.schools[0].grade_low == -1
    assert rosters.schools[0].nces_id is None
    assert rosters.enrollment == (EnrollmentRow("E1", 2024, -1, 12),)
    assert rosters.staffing == (StaffingRow("E1", 2024, "social_worker", 0.2),)


def test_read_rosters_names_the_files_in_errors(tmp_path: Path) -> None:
    paths = [tmp_path / n for n in ("schools.csv", "enrollment.csv", "staffing.csv")]
    for path, text in zip(paths, (SCHOOLS, ENROLLMENT, STAFFING), strict=True):
        path.write_text(text, encoding="utf-8")
    assert len(read_rosters(*paths).schools) == 2
    paths[2].write_text("school_id,year,role,fte\nE1,2024,nurse,1\n", encoding="utf-8")
    with pytest.raises(RosterError) as info:
        read_rosters(*paths)
    assert str(info.value).startswith(f"{paths[2]}:2: role: unknown role 'nurse'")


# One fixture per malformed row kind: (which file, its text, the expected problems).
# (which file, its text, the problems reported)
MALFORMED: dict[str, tuple[str, str | bytes, list[str]]] = {
    "empty file": (
        "schools",
        "",
        ["schools.csv:1: -: file is empty"],
    ),
    "header only": (
        "staffing",
        "school_id,year,role,fte\n",
        ["staffing.csv:2: -: no data rows after the header"],
    ),
    "missing column": (
        "enrollment",
        "school_id,year,students\nE1,2024,40\n",
        ["enrollment.csv:1: grade: missing column"],
    ),
    "extra column": (
        "staffing",
        "school_id,year,role,fte,notes\nE1,2024,counselor,1,x\n",
        ["staffing.csv:1: notes: unknown column; expected school_id, year, role, fte"],
    ),
    "duplicate column": (
        "staffing",
        "school_id,year,role,fte,fte\nE1,2024,counselor,1,1\n",
        ["staffing.csv:1: fte: column appears twice"],
    ),
    "empty column name": (
        "staffing",
        "school_id,year,,role,fte\nE1,2024,,counselor,1\n",
        ["staffing.csv:1: column 3: empty column name"],
    ),
    "wrong number of values": (
        "staffing",
        "school_id,year,role,fte\nE1,2024,counselor\nH1,2024,counselor,1,2\n",
        [
            "staffing.csv:2: -: expected 4 values, got 3",
            "staffing.csv:3: -: expected 4 values, got 5",
        ],
    ),
    "bad integer": (
        "enrollment",
        "school_id,year,grade,students\nE1,2024,1,12.5\nE1,twenty,2,10\n",
        [
            "enrollment.csv:2: students: expected a whole number, got '12.5'",
            "enrollment.csv:3: year: expected a whole number, got 'twenty'",
        ],
    ),
    "negative number": (
        "enrollment",
        "school_id,year,grade,students\nE1,2024,1,-3\n",
        ["enrollment.csv:2: students: must not be negative, got -3"],
    ),
    "negative fte": (
        "staffing",
        "school_id,year,role,fte\nE1,2024,counselor,-0.5\n",
        ["staffing.csv:2: fte: must not be negative, got -0.5"],
    ),
    "bad fte": (
        "staffing",
        "school_id,year,role,fte\nE1,2024,counselor,half\nE1,2024,psychologist,nan\n",
        [
            "staffing.csv:2: fte: expected a number such as 1.5, got 'half'",
            "staffing.csv:3: fte: expected a number such as 1.5, got 'nan'",
        ],
    ),
    "implausible year": (
        "staffing",
        "school_id,year,role,fte\nE1,24,counselor,1\n",
        ["staffing.csv:2: year: expected a school year such as 2024, got 24"],
    ),
    "unknown role": (
        "staffing",
        "school_id,year,role,fte\nE1,2024,nurse,1\n",
        [
            "staffing.csv:2: role: unknown role 'nurse'; "
            "expected counselor, psychologist, social_worker"
        ],
    ),
    "grade outside the school's span": (
        "enrollment",
        "school_id,year,grade,students\nE1,2024,6,30\nH1,2024,K,3\n",
        [
            "enrollment.csv:2: grade: grade 6 is outside E1's grades K-5",
            "enrollment.csv:3: grade: grade K is outside H1's grades 9-12",
        ],
    ),
    "bad grade": (
        "enrollment",
        "school_id,year,grade,students\nE1,2024,13,30\n",
        ["enrollment.csv:2: grade: expected PK, K or a grade 0-12, got '13'"],
    ),
    "enrollment for an unknown school": (
        "enrollment",
        "school_id,year,grade,students\nZ9,2024,1,30\n",
        ["enrollment.csv:2: school_id: unknown school 'Z9'; not in schools.csv"],
    ),
    "staffing for an unknown school": (
        "staffing",
        "school_id,year,role,fte\nZ9,2024,counselor,1\n",
        ["staffing.csv:2: school_id: unknown school 'Z9'; not in schools.csv"],
    ),
    "duplicate school": (
        "schools",
        SCHOOLS + "E1,Adams Annex,elementary,K,2,\n",
        ["schools.csv:4: school_id: 'E1' already on line 2"],
    ),
    "duplicate enrollment key": (
        "enrollment",
        ENROLLMENT + "E1,2024,0,41\n",
        ["enrollment.csv:7: grade: E1 2024 grade 0 already on line 2"],
    ),
    "duplicate staffing key": (
        "staffing",
        STAFFING + "H1,2024,counselor,3\n",
        ["staffing.csv:6: role: H1 2024 counselor already on line 3"],
    ),
    "empty required value": (
        "schools",
        "school_id,name,level,grade_low,grade_high\nE1,,elementary,K,5\nH1,Lincoln,high,9,12\n",
        ["schools.csv:2: name: must not be empty"],
    ),
    "grade span reversed": (
        "schools",
        "school_id,name,level,grade_low,grade_high\nE1,Adams,elementary,5,K\nH1,L,high,9,12\n",
        ["schools.csv:2: grade_high: grade_high K is below grade_low"],
    ),
    "bad nces id": (
        "schools",
        "school_id,name,level,grade_low,grade_high,nces_id\nE1,A,elementary,K,5,12345\n"
        "H1,L,high,9,12,\n",
        ["schools.csv:2: nces_id: expected the 12-digit NCES school id, got '12345'"],
    ),
    "non-UTF-8 bytes": (
        "schools",
        b"school_id,name,level,grade_low,grade_high\nE1,Escuela Jos\xe9 Mart\xed,elementary,K,5\n"
        b"H1,Lincoln,high,9,12\n",
        ["schools.csv:2: column 2: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8"],
    ),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_every_malformed_row_kind_is_located(kind: str) -> None:
    which, text, expected = MALFORMED[kind]
    files: dict[str, str | bytes] = {
        "schools": SCHOOLS,
        "enrollment": ENROLLMENT,
        "staffing": STAFFING,
    }
    files[which] = text
    found = problems(files["schools"], files["enrollment"], files["staffing"])
    assert found == expected


def test_all_problems_are_collected_across_files() -> None:
    found = problems(
        enrollment="school_id,year,grade,students\nE1,2024,1,-1\nZ9,2024,1,5\n",
        staffing="school_id,year,role,fte\nE1,2024,nurse,x\n",
    )
    assert found == [
        "enrollment.csv:2: students: must not be negative, got -1",
        "enrollment.csv:3: school_id: unknown school 'Z9'; not in schools.csv",
        "staffing.csv:2: role: unknown role 'nurse'; "
        "expected counselor, psychologist, social_worker",
        "staffing.csv:2: fte: expected a number such as 1.5, got 'x'",
    ]


def test_broken_schools_header_does_not_flood_unknown_school_errors() -> None:
    found = problems(schools="id,name\nE1,Adams\n")
    assert all(p.startswith("schools.csv:1:") for p in found)
    assert "schools.csv:1: school_id: missing column" in found


def test_error_message_lists_problems_one_per_line() -> None:
    many = "school_id,year,role,fte\n" + "".join(f"E1,2024,nurse{i},1\n" for i in range(60))
    with pytest.raises(RosterError) as info:
        parse_rosters(SCHOOLS.encode(), ENROLLMENT.encode(), many.encode())
    assert len(info.value.problems) == 60
    lines = str(info.value).splitlines()
    assert len(lines) == 51
    assert lines[-1] == "... and 10 more problems"


def test_school_years_sum_enrollment_and_carry_fte() -> None:
    rosters = parse_rosters(SCHOOLS.encode(), ENROLLMENT.encode(), STAFFING.encode())
    years = {s.school_id: s for s in school_years(rosters, 2024)}
    # 40 + 35 and 300 + 250 students from enrollment.csv above
    assert years["E1"].enrollment == 75
    assert years["H1"].enrollment == 550
    assert years["H1"].fte == {"counselor": 2.0, "psychologist": 0.4}
    assert years["E1"].name == "Adams Elementary"
    older = school_years(rosters, 2023)
    assert [(s.school_id, s.enrollment, dict(s.fte)) for s in older] == [
        ("H1", 280, {"social_worker": 1.0})
    ]
    assert school_years(rosters, 2030) == []
