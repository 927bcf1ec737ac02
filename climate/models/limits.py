"""The rate-limit counters every worker and host shares (see ``climate.security.ratelimit``).

One row per limited key: an HMAC digest of the limit's name and the key (an address, a code,
an account), so the table never holds an address, code or email in the clear. The row is
counted up by one upsert per attempt and reset when its window has passed; rows whose
window ended long ago are pruned now and then. On PostgreSQL the table is UNLOGGED (see the
migration): counters lost in a crash only give an attacker one fresh window.
"""

from __future__ import annotations

from sqlalchemy import Double, Index, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from climate.models.base import Base

DIGEST_SIZE = 16


class RateCount(Base):
    """Attempts counted for one key since its window started (seconds since the epoch)."""

    __tablename__ = "rate_limit"
    __table_args__ = (Index(None, "window_start"),)
    key: Mapped[bytes] = mapped_column(LargeBinary(DIGEST_SIZE), primary_key=True)
    window_start: Mapped[float] = mapped_column(Double)
    count: Mapped[int] = mapped_column(Integer)
