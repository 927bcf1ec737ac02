"""The staffing plan: need read from the protected release, and the one ``plan_for()``.

The district dashboard and ``climate staffing plan`` both call ``plan_for``, so the page and
the files show the same plan: one need rule (``need``), one policy, one district baseline.
"""

from climate.staffing.need import district_baseline, estimate, school_need
from climate.staffing.plan import YearPlan, district_policy, plan_for

__all__ = [
    "YearPlan",
    "district_baseline",
    "district_policy",
    "estimate",
    "plan_for",
    "school_need",
]
