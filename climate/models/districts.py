"""The district, its schools, and the rosters of enrollment and support staff."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from climate.models.base import Base

ROLES = ("counselor", "psychologist", "social_worker")
LEVELS = ("elementary", "middle", "high", "other")


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
    """Current full-time equivalents of one support role in one school and year."""

    __tablename__ = "staffing"
    __table_args__ = (
        CheckConstraint("fte >= 0", name="fte"),
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
    )
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    fte: Mapped[float] = mapped_column(Float)
