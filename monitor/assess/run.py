"""The assess stage: signals, country levels and alerts for a range of days.

Every day is computed from what is stored (stories, classifications, feeds), so
rerunning a day gives the same result, and a backfill over past days gives what daily
runs would have given. Alerts are raised day by day, in order, for the same reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, insert, select

from monitor.assess.levels import DayFactor, assess_level
from monitor.assess.signals import store_signals
from monitor.assess.stories import cluster_items
from monitor.config.schema import MonitorConfig
from monitor.store.db import Database
from monitor.store.models import AssessedDay, CountryDay, SignalDay
from monitor.store.types import utcnow

WINDOW_DAYS = 30
BASELINE_WEEKS = 8
COUNTRY_DAYS = CountryDay.__table__
ASSESSED_DAYS = AssessedDay.__table__


@dataclass
class AssessSummary:
    days: int = 0
    countries: int = 0
    signals: int = 0
    alerts_raised: int = 0
    alerts_updated: int = 0
    clustered: int = 0
    new_stories: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "days_assessed": self.days,
            "country_days": self.countries,
            "signals": self.signals,
            "alerts_raised": self.alerts_raised,
            "alerts_updated": self.alerts_updated,
            "clustered": self.clustered,
            "new_stories": self.new_stories,
        }


def history_start(first: date, config: MonitorConfig) -> date:
    """The first day whose signals the assessment of ``first`` reads."""
    back = max(
        WINDOW_DAYS + BASELINE_WEEKS * 7 + 7,
        config.assessment.baseline_days + 1,
        config.assessment.first_signal_lookback_days + 1,
    )
    return first - timedelta(days=back)


def load_signals(
    db: Database, first: date, last: date
) -> dict[str, dict[date, dict[str, DayFactor]]]:
    series: dict[str, dict[date, dict[str, DayFactor]]] = defaultdict(lambda: defaultdict(dict))
    with db.engine.connect() as conn:
        for country, day, factor, stories, sources, weighted in conn.execute(
            select(
                SignalDay.country,
                SignalDay.day,
                SignalDay.factor,
                SignalDay.stories,
                SignalDay.sources,
                SignalDay.weighted,
            ).where(SignalDay.day >= first, SignalDay.day <= last)
        ):
            series[country][day][factor] = DayFactor(weighted, stories, sources)
    return series


def assess_days(db: Database, config: MonitorConfig, first: date, last: date) -> AssessSummary:
    """Recompute signals and levels for ``first``..``last``, then raise alerts day by day."""
    from monitor.alerts.engine import AlertEngine

    if last < first:
        raise ValueError("the last day is before the first")
    summary = AssessSummary()
    start = history_start(first, config)
    summary.signals = store_signals(db, start, last)
    series = load_signals(db, start, last)
    rows = []
    now = utcnow()
    day = first
    while day <= last:
        summary.days += 1
        for country, days in series.items():
            window = {d: f for d, f in days.items() if 0 <= (day - d).days < WINDOW_DAYS}
            if not window:
                continue
            base_days = [d for d in days if 7 <= (day - d).days < 7 + BASELINE_WEEKS * 7]
            baseline_total = sum(v.weighted for d in base_days for v in days[d].values())
            result = assess_level(day, window, baseline_total / BASELINE_WEEKS)
            rows.append(
                {
                    "country": country,
                    "day": day,
                    "level": result.level,
                    "level_name": result.name,
                    "stories_7d": result.stories_7d,
                    "stories_30d": result.stories_30d,
                    "baseline_ratio": result.baseline_ratio,
                    "factors_7d": result.factors_7d,
                    "factors_30d": result.factors_30d,
                    "explanation": {"reasons": result.reasons, **result.details},
                    "computed_at": now,
                }
            )
        day += timedelta(days=1)
    with db.engine.begin() as conn:
        conn.execute(
            delete(COUNTRY_DAYS).where(COUNTRY_DAYS.c.day >= first, COUNTRY_DAYS.c.day <= last)
        )
        for chunk in range(0, len(rows), 1000):
            conn.execute(insert(COUNTRY_DAYS), rows[chunk : chunk + 1000])
        per_day = Counter(row["day"] for row in rows)
        conn.execute(delete(ASSESSED_DAYS).where(ASSESSED_DAYS.c.day.between(first, last)))
        conn.execute(
            insert(ASSESSED_DAYS),
            [
                {
                    "day": first + timedelta(days=k),
                    "countries": per_day.get(first + timedelta(days=k), 0),
                    "computed_at": now,
                }
                for k in range((last - first).days + 1)
            ],
        )
    summary.countries = len(rows)
    engine = AlertEngine(db, config)
    day = first
    while day <= last:
        raised, updated = engine.run_day(day, series)
        summary.alerts_raised += raised
        summary.alerts_updated += updated
        day += timedelta(days=1)
    return summary


def cluster_and_assess(
    db: Database, config: MonitorConfig, first: date | None = None, last: date | None = None
) -> AssessSummary:
    """Cluster new relevant items, then assess the days they touch (through ``last``)."""
    stories = cluster_items(db, config.assessment.cluster_days)
    today = last or utcnow().date()
    if first is None:
        first = min(stories.first_day or today, today)
    summary = assess_days(db, config, first, today)
    summary.clustered = stories.items
    summary.new_stories = stories.new_stories
    return summary
