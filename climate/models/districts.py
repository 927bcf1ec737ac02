"""The district, its schools, and the rosters of enrollment and support staff."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from climate.models.base import Base

ROLES = ("counselor", "psychologist", "social_worker")
LEVELS = ("elementary", "middle", "high", "other")
# What the CRDC school support file gives per school: the three planned roles, and sworn
# law enforcement officers, shown beside them but never planned.
CRDC_COLUMNS = (*ROLES, "sworn_officers")


class District(Base):
    """The district this installation serves."""

    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class School(Base):
    """A school, keyed by the district's own school id."""

    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint("grade_low <= grade_high", name="grade_span"),
        CheckConstraint(f"level IN {LEVELS!r}", name="level"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    grade_low: Mapped[int] = mapped_column(SmallInteger)
    grade_high: Mapped[int] = mapped_column(SmallInteger)
    nces_id: Mapped[str | None] = mapped_column(String(12), default=None)


class Enrollment(Base):
    """Students enrolled in one grade of one school in one school year."""

    __tablename__ = "enrollment"
    __table_args__ = (CheckConstraint("students >= 0", name="students"),)
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    students: Mapped[int] = mapped_column(Integer)


class Staffing(Base):
    """Current full-time equivalents of one support role in one school and year.

    ``source`` is empty for the district's own roster, or names the public collection a
    value was taken from (such as ``CRDC 2020-21``) where the roster had none.
    """

    __tablename__ = "staffing"
    __table_args__ = (
        CheckConstraint("fte >= 0", name="fte"),
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
    )
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    fte: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(40), default=None)


class CrdcStaffing(Base):
    """One school's support staff as the Civil Rights Data Collection published them.

    Kept apart from ``staffing`` because it holds sworn officers too, which are shown but
    never planned, and because an empty value (a reserved code in the file) means "not
    published", not zero.
    """

    __tablename__ = "crdc_staffing"
    __table_args__ = tuple(
        CheckConstraint(f"{column} >= 0", name=column) for column in CRDC_COLUMNS
    )
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    counselor: Mapped[float | None] = mapped_column(Float, default=None)
    psychologist: Mapped[float | None] = mapped_column(Float, default=None)
    social_worker: Mapped[float | None] = mapped_column(Float, default=None)
    sworn_officers: Mapped[float | None] = mapped_column(Float, default=None)
