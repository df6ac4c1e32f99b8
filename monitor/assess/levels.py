"""Country risk levels on a fixed, documented scale (pure functions).

The scale follows the spirit of the UN Framework of Analysis and the Global Centre for
the Responsibility to Protect: risk grows with the number of risk factors present,
with factors specific to atrocity crimes (RF9 to RF14), with triggers (RF8) on top of
common factors, and with activity above the country's own baseline. It describes
risk; no level is a legal finding.

====================  =====================================================================
level                 when (windows end on the assessed day; "present" = weighted signal
                      of at least 1.0 over the window, i.e. corroborated)
====================  =====================================================================
0 none                no risk factor present in the last 30 days
1 monitoring          at least one risk factor present in the last 30 days
2 serious concern     a specific factor (RF9-RF14) present in 30 days, or three or more
                      factors present in 30 days, or a surge: activity in the last 7 days
                      at least twice the baseline (and at least 3.0) with a factor present
3 imminent risk       a trigger (RF8) in the last 7 days on top of three or more common
                      factors (RF1-RF7) in 30 days; or signs of intent or a plan (RF10,
                      RF12) in the last 7 days; or a specific factor in the last 7 days
                      with a surge
4 ongoing crisis      violence of the kinds RF10, RF11 or RF13 reported on at least 3 of
                      the last 7 days, in at least 4 stories
====================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

LEVELS = ("none", "monitoring", "serious_concern", "imminent_risk", "ongoing_crisis")
LEVEL_LABELS = {
    "none": "No signal",
    "monitoring": "Monitoring",
    "serious_concern": "Serious concern",
    "imminent_risk": "Imminent risk",
    "ongoing_crisis": "Ongoing crisis",
}
PRESENT = 1.0
SPECIFIC = ("RF9", "RF10", "RF11", "RF12", "RF13", "RF14")
COMMON = ("RF1", "RF2", "RF3", "RF4", "RF5", "RF6", "RF7")
TRIGGER = "RF8"
INTENT = ("RF10", "RF12")
VIOLENCE = ("RF10", "RF11", "RF13")
SURGE = 2.0
SURGE_MIN_ACTIVITY = 3.0
BASELINE_FLOOR = 1.0


@dataclass(frozen=True)
class DayFactor:
    weighted: float
    stories: int
    sources: int


@dataclass(frozen=True)
class LevelResult:
    level: int
    name: str
    reasons: list[str]
    factors_7d: dict[str, float]
    factors_30d: dict[str, float]
    stories_7d: int
    stories_30d: int
    baseline_ratio: float | None
    details: dict[str, object] = field(default_factory=dict)


def assess_level(
    day: date,
    window: Mapping[date, Mapping[str, DayFactor]],
    baseline_weekly: float,
) -> LevelResult:
    """The level of one country on ``day`` from its last 30 days of signals."""
    last7 = [d for d in window if 0 <= (day - d).days < 7]
    last30 = [d for d in window if 0 <= (day - d).days < 30]
    f7 = _sum(window, last7)
    f30 = _sum(window, last30)
    present7 = {f for f, w in f7.items() if w >= PRESENT}
    present30 = {f for f, w in f30.items() if w >= PRESENT}
    stories7 = sum(v.stories for d in last7 for v in window[d].values())
    stories30 = sum(v.stories for d in last30 for v in window[d].values())
    activity7 = sum(f7.values())
    ratio = round(activity7 / max(baseline_weekly, BASELINE_FLOOR), 2)
    surge = ratio >= SURGE and activity7 >= SURGE_MIN_ACTIVITY
    violent_days = sum(
        1
        for d in last7
        if any(window[d].get(f, DayFactor(0, 0, 0)).weighted >= 0.5 for f in VIOLENCE)
    )
    violent_stories = sum(window[d][f].stories for d in last7 for f in VIOLENCE if f in window[d])
    common30 = present30 & set(COMMON)
    specific30 = present30 & set(SPECIFIC)
    specific7 = present7 & set(SPECIFIC)
    reasons: list[str] = []
    level = 0
    if present30:
        level = 1
        reasons.append(f"risk factors present in the last 30 days: {', '.join(_order(present30))}")
    concern = []
    if specific30:
        concern.append(
            f"factors specific to atrocity crimes present: {', '.join(_order(specific30))}"
        )
    if len(present30) >= 3:
        concern.append(f"{len(present30)} risk factors present in 30 days")
    if surge and present7:
        concern.append(f"activity in the last 7 days is {ratio:g} times the baseline")
    if concern:
        level = 2
        reasons += concern
    imminent = []
    if TRIGGER in present7 and len(common30) >= 3:
        imminent.append(
            f"a trigger (RF8) in the last 7 days on top of {len(common30)} common risk factors"
        )
    intent = present7 & set(INTENT)
    if intent:
        imminent.append(
            f"signs of intent or a plan ({', '.join(_order(intent))}) in the last 7 days"
        )
    if specific7 and surge:
        imminent.append(
            f"specific factors ({', '.join(_order(specific7))}) with activity {ratio:g} times the baseline"
        )
    if imminent:
        level = 3
        reasons += imminent
    if violent_days >= 3 and violent_stories >= 4:
        level = 4
        reasons.append(
            f"violence of the kinds RF10, RF11 or RF13 reported on {violent_days} of the last 7 days in {violent_stories} stories"
        )
    return LevelResult(
        level=level,
        name=LEVELS[level],
        reasons=reasons,
        factors_7d={f: round(w, 3) for f, w in f7.items()},
        factors_30d={f: round(w, 3) for f, w in f30.items()},
        stories_7d=stories7,
        stories_30d=stories30,
        baseline_ratio=ratio,
        details={
            "baseline_weekly": round(baseline_weekly, 3),
            "activity_7d": round(activity7, 3),
            "violent_days_7d": violent_days,
        },
    )


def _sum(window: Mapping[date, Mapping[str, DayFactor]], days: Sequence[date]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for d in days:
        for factor, value in window[d].items():
            totals[factor] = totals.get(factor, 0.0) + value.weighted
    return totals


def _order(factors: set[str]) -> list[str]:
    return sorted(factors, key=lambda f: int(f[2:]))
