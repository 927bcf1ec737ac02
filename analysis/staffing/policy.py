"""Staffing policy: ratio standards, the intensive-need caseload, MTSS tier shares and costs.

The defaults live in ``default_policy.toml`` next to this module. Every number
carries its source and an ``unconfirmed`` flag, so that a plan can list each
assumption it rests on. A district file repeats any key it wants to change;
keys the default file does not have are errors that name the key (and, from
``load_policy``, the file).

Salaries and benefits ship as 0, a placeholder: no public source gives a
district's pay, so a plan says "set your salary in the policy" instead of a
made-up cost until the district enters its own.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "MEASURES",
    "ROLES",
    "STEPS",
    "PolicyValue",
    "RolePolicy",
    "SourcedValue",
    "StaffingPolicy",
    "default_policy",
    "load_policy",
    "policy_from_mapping",
]

ROLES: tuple[str, ...] = ("counselor", "psychologist", "social_worker")
"""Staff roles a plan covers, in the order plans list them."""

MEASURES: tuple[str, ...] = ("elevated_distress", "low_wellbeing", "low_connectedness")
"""Survey measures that can drive the need adjustment."""

_SOURCED_KEYS = frozenset({"value", "source", "unconfirmed"})

STEPS: tuple[float, ...] = (0.1, 0.2, 0.25, 0.5, 1.0)
"""FTE steps a board may approve positions in: each divides one full post evenly."""


@dataclass(frozen=True)
class SourcedValue:
    """A policy number with the source it comes from.

    Attributes
    ----------
    value : float
        The number itself.
    source : str
        Who says so, in words a methods sheet can print.
    unconfirmed : bool
        True when no primary source confirms the number.
    """

    value: float
    source: str
    unconfirmed: bool = False


@dataclass(frozen=True)
class PolicyValue:
    """One policy number flattened for a methods sheet: dotted key, value, source."""

    key: str
    value: float
    source: str
    unconfirmed: bool


_NOT_SET = SourcedValue(0.0, "not set: the district enters its own figure", unconfirmed=True)


@dataclass(frozen=True)
class RolePolicy:
    """Policy for one role: ratio standard, share of the intensive caseload, cost of one FTE.

    ``salary`` and ``benefits`` are per full-time post per year; 0 means the
    district has not set them (see :attr:`costed`).
    """

    role: str
    ratio: SourcedValue
    intensive_share: SourcedValue
    need_measure: str
    salary: SourcedValue = _NOT_SET
    benefits: SourcedValue = _NOT_SET

    @property
    def costed(self) -> bool:
        """Whether the district has set a salary for this role."""
        return self.salary.value > 0.0

    @property
    def cost_per_fte(self) -> float | None:
        """Salary plus benefits of one FTE, or None until a salary is set."""
        return self.salary.value + self.benefits.value if self.costed else None


@dataclass(frozen=True)
class StaffingPolicy:
    """All numbers a staffing plan depends on.

    Examples
    --------
    >>> policy = default_policy()
    >>> policy.role("counselor").ratio.value
    250.0
    >>> policy.intensive_caseload.unconfirmed
    True
    >>> round(policy.intensive_fraction, 2)
    0.25
    >>> policy.fte_step.value, policy.currency, policy.role("counselor").cost_per_fte
    (0.5, 'USD', None)
    """

    roles: tuple[RolePolicy, ...]
    intensive_caseload: SourcedValue
    tier2_share: SourcedValue
    tier3_share: SourcedValue
    fte_step: SourcedValue = SourcedValue(0.5, "default: half-FTE positions")
    currency: str = "USD"

    def role(self, name: str) -> RolePolicy:
        """Return the policy of role `name`; ValueError if there is none."""
        for role in self.roles:
            if role.role == name:
                return role
        raise ValueError(f"role: unknown role {name!r}; expected one of {', '.join(ROLES)}")

    @property
    def intensive_fraction(self) -> float:
        """Share of students with elevated need who need Tier 3 (intensive) support."""
        return self.tier3_share.value / (self.tier2_share.value + self.tier3_share.value)

    def values(self) -> tuple[PolicyValue, ...]:
        """Every policy number with its dotted key, for a methods sheet."""
        rows: list[PolicyValue] = []
        for role in self.roles:
            for name, item in (
                ("ratio", role.ratio),
                ("intensive_share", role.intensive_share),
                ("salary", role.salary),
                ("benefits", role.benefits),
            ):
                rows.append(_flat(f"roles.{role.role}.{name}", item))
        rows.append(_flat("intensive_caseload", self.intensive_caseload))
        rows.append(_flat("mtss.tier2_share", self.tier2_share))
        rows.append(_flat("mtss.tier3_share", self.tier3_share))
        rows.append(_flat("plan.fte_step", self.fte_step))
        return tuple(rows)


def _flat(key: str, item: SourcedValue) -> PolicyValue:
    return PolicyValue(key=key, value=item.value, source=item.source, unconfirmed=item.unconfirmed)


def _default_mapping() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("default_policy.toml").read_text("utf-8")
    return tomllib.loads(text)


def default_policy() -> StaffingPolicy:
    """Return the policy in ``default_policy.toml``.

    Examples
    --------
    >>> default_policy().role("psychologist").ratio.value
    500.0
    """
    return policy_from_mapping({})


def load_policy(path: str | Path | None = None) -> StaffingPolicy:
    """Load the default policy with a district file's overrides applied.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file shaped like ``default_policy.toml``; any subset of its keys.
        ``None`` gives the defaults.

    Returns
    -------
    StaffingPolicy

    Raises
    ------
    ValueError, TypeError
        If the file is not valid TOML, has a key the default file does not have,
        or a value of the wrong type or range. The message names the file and
        the key, e.g. ``district.toml: plan.fte_step.value: ...``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = pathlib.Path(tmp) / "district.toml"
    ...     _ = f.write_text('[roles.counselor.ratio]\\nvalue = 300\\n')
    ...     policy = load_policy(f)
    >>> policy.role("counselor").ratio
    SourcedValue(value=300.0, source='district policy (district.toml)', unconfirmed=False)
    """
    if path is None:
        return default_policy()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid TOML policy file: {exc}") from exc
    try:
        return policy_from_mapping(data, label=f"district policy ({path.name})")
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    except TypeError as exc:
        raise TypeError(f"{path}: {exc}") from exc


def policy_from_mapping(
    overrides: Mapping[str, Any], *, label: str = "district policy"
) -> StaffingPolicy:
    """Build a policy from the defaults and a mapping of overrides.

    A sourced number given with ``value`` but no ``source`` takes `label` as
    its source and counts as confirmed, because the district has decided it.

    Examples
    --------
    >>> p = policy_from_mapping({"intensive_caseload": {"value": 40}})
    >>> p.intensive_caseload.value, p.intensive_caseload.source
    (40.0, 'district policy')
    >>> policy_from_mapping({"roles": {"nurse": {}}})
    Traceback (most recent call last):
    ...
    ValueError: roles.nurse: unknown policy key
    """
    merged = _default_mapping()
    _merge(merged, overrides, prefix="", label=label)
    return _build(merged)


def _merge(base: dict[str, Any], extra: Mapping[str, Any], *, prefix: str, label: str) -> None:
    if not isinstance(extra, Mapping):
        raise TypeError(f"{prefix.rstrip('.') or 'policy'}: expected a table")
    if "value" in base and "value" in extra and "source" not in extra:
        # A district number without a citation is the district's own decision.
        base["source"] = label
        base["unconfirmed"] = False
    for key, value in extra.items():
        dotted = f"{prefix}{key}"
        if key not in base:
            raise ValueError(f"{dotted}: unknown policy key")
        if isinstance(base[key], dict):
            if not isinstance(value, Mapping):
                raise TypeError(f"{dotted}: expected a table, got {type(value).__name__}")
            _merge(base[key], value, prefix=f"{dotted}.", label=label)
        else:
            base[key] = copy.deepcopy(value)


def _sourced(
    table: Mapping[str, Any], key: str, *, share: bool, zero: bool = False
) -> SourcedValue:
    if not isinstance(table, Mapping):
        raise TypeError(f"{key}: expected a table with value and source")
    value = table.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key}.value: expected a number, got {value!r}")
    value = float(value)
    if share and not 0.0 <= value <= 1.0:
        raise ValueError(f"{key}.value: {value} must be a share between 0 and 1")
    if zero and not (value >= 0.0 and math.isfinite(value)):
        raise ValueError(f"{key}.value: {value} must be 0 (not set) or a positive amount")
    if not share and not zero and not (value > 0.0 and value < float("inf")):
        raise ValueError(f"{key}.value: {value} must be a positive number")
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        raise TypeError(f"{key}.source: expected a non-empty string")
    unconfirmed = table.get("unconfirmed", False)
    if not isinstance(unconfirmed, bool):
        raise TypeError(f"{key}.unconfirmed: expected true or false")
    return SourcedValue(value=value, source=source, unconfirmed=unconfirmed)


def _build(data: Mapping[str, Any]) -> StaffingPolicy:
    roles = []
    for name in ROLES:
        table = data["roles"][name]
        measure = table["need_measure"]
        if measure not in MEASURES:
            raise ValueError(
                f"roles.{name}.need_measure: unknown measure {measure!r}; "
                f"expected one of {', '.join(MEASURES)}"
            )
        roles.append(
            RolePolicy(
                role=name,
                ratio=_sourced(table["ratio"], f"roles.{name}.ratio", share=False),
                intensive_share=_sourced(
                    table["intensive_share"], f"roles.{name}.intensive_share", share=True
                ),
                need_measure=measure,
                salary=_sourced(table["salary"], f"roles.{name}.salary", share=False, zero=True),
                benefits=_sourced(
                    table["benefits"], f"roles.{name}.benefits", share=False, zero=True
                ),
            )
        )
    tier2 = _sourced(data["mtss"]["tier2_share"], "mtss.tier2_share", share=True)
    tier3 = _sourced(data["mtss"]["tier3_share"], "mtss.tier3_share", share=True)
    if tier3.value == 0.0 and tier2.value == 0.0:
        raise ValueError("mtss.tier3_share: tier 2 and tier 3 shares cannot both be 0")
    if tier2.value + tier3.value > 1.0:
        raise ValueError("mtss.tier3_share: tier 2 and tier 3 shares add up to more than 1")
    plan = data["plan"]
    step = _sourced(plan["fte_step"], "plan.fte_step", share=False)
    if not any(math.isclose(step.value, allowed) for allowed in STEPS):
        raise ValueError(
            f"plan.fte_step.value: {step.value:g} is not a step boards approve; "
            f"expected one of {', '.join(f'{s:g}' for s in STEPS)}"
        )
    currency = plan["currency"]
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise ValueError(
            f"plan.currency: expected a three-letter code such as USD, got {currency!r}"
        )
    return StaffingPolicy(
        roles=tuple(roles),
        intensive_caseload=_sourced(data["intensive_caseload"], "intensive_caseload", share=False),
        tier2_share=tier2,
        tier3_share=tier3,
        fte_step=step,
        currency=currency.upper(),
    )
