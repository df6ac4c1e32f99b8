"""Alert rules, and raising alerts without repeating them.

Rules (each yields conditions for one assessment day):

- ``spike``: a country's daily signal for a risk factor above its reweighted-EARS
  threshold, corroborated by enough stories and independent sources;
- ``first_signal``: the first corroborated signal of a specific factor (RF10-RF14) in a
  country within the look-back period;
- ``level``: a country's level rising to serious concern or above;
- ``watchlist``: a watchlist country reaching the level chosen for it in feeds.yaml;
- ``rule``: an analyst's keyword query matching stories of the day;
- ``feed_health``: a watched feed turning unhealthy (evaluated for the current day only).

A condition has a key (rule plus country, factor, feed or query). While an alert with
that key is open (new, acknowledged, escalated), the condition updates it instead of
raising another: if it got worse (higher severity or level), the alert is updated,
its version bumped and the change written to the audit log. After an alert is closed
or dismissed, the same condition is not raised again for ``cooldown_days`` unless it
is worse than before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from monitor.alerts.query import parse_query
from monitor.assess.baseline import spike_test
from monitor.assess.levels import LEVEL_LABELS, LEVELS, DayFactor
from monitor.config.schema import SEVERITIES, MonitorConfig
from monitor.countries import country_name
from monitor.store.db import Database
from monitor.store.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertEvent,
    AlertStory,
    Classification,
    CountryDay,
    Enrichment,
    Item,
    StoryItem,
)
from monitor.store.types import utcnow
from monitor.taxonomy import load_taxonomy

OPEN = OPEN_ALERT_STATUSES
SYSTEM = "system"
FIRST_SIGNAL_FACTORS = ("RF10", "RF11", "RF12", "RF13", "RF14")
LEVEL_SEVERITY = {2: "medium", 3: "high", 4: "critical"}


@dataclass
class Condition:
    rule: str
    key: str
    day: date
    severity: str
    title: str
    reason: str
    country: str | None = None
    feed_id: str | None = None
    factors: list[str] = field(default_factory=list)
    story_ids: list[int] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)
    level: int = 0


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def factor_name(factor: str) -> str:
    return load_taxonomy().factor(factor).name.en


class AlertEngine:
    def __init__(self, db: Database, config: MonitorConfig) -> None:
        self.db = db
        self.config = config
        self.settings = config.assessment

    # -- rules -------------------------------------------------------------------------

    def conditions(
        self, day: date, series: Mapping[str, Mapping[date, Mapping[str, DayFactor]]]
    ) -> list[Condition]:
        found: list[Condition] = []
        found += self._spikes(day, series)
        found += self._first_signals(day, series)
        found += self._levels(day)
        found += self._query_rules(day)
        if day == utcnow().date() and self.config.alerts.feed_health:
            found += self._feed_health(day)
        return found

    def _story_ids(self, country: str, day: date, factors: list[str]) -> list[int]:
        from monitor.store.models import SignalDay

        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(SignalDay.story_ids).where(
                    SignalDay.country == country,
                    SignalDay.day == day,
                    SignalDay.factor.in_(factors),
                )
            ).scalars()
            return sorted({sid for ids in rows for sid in ids})

    def _spikes(
        self, day: date, series: Mapping[str, Mapping[date, Mapping[str, DayFactor]]]
    ) -> list[Condition]:
        result = []
        n = self.settings.baseline_days
        specific = set(load_taxonomy().specific_factor_ids)
        for country, days in series.items():
            today = days.get(day, {})
            for factor, value in today.items():
                if (
                    value.stories < self.settings.min_stories
                    or value.sources < self.settings.min_sources
                ):
                    continue
                baseline = [
                    days.get(day - timedelta(days=k), {}).get(factor, DayFactor(0, 0, 0)).weighted
                    for k in range(n, 0, -1)
                ]
                test = spike_test(value.weighted, baseline, self.settings.spike_alpha)
                if not test.spike:
                    continue
                severity = "high" if factor in specific else "medium"
                if test.ratio >= 3 and severity == "medium":
                    severity = "high"
                name = country_name(country)
                result.append(
                    Condition(
                        rule="spike",
                        key=f"spike:{country}:{factor}",
                        day=day,
                        severity=severity,
                        country=country,
                        factors=[factor],
                        title=f"{name}: surge in {factor} ({factor_name(factor)})",
                        reason=(
                            f"{_count(value.stories, 'story', 'stories')} from {_count(value.sources, 'independent source', 'independent sources')} on {day:%d %b %Y} "
                            f"signal {factor} ({factor_name(factor)}); the day's weighted signal {value.weighted:.2f} "
                            f"exceeds the country's {n}-day baseline threshold {test.threshold:.2f} "
                            f"(mean {test.mean:.2f}, sd {test.sd:.2f})."
                        ),
                        story_ids=self._story_ids(country, day, [factor]),
                        details={
                            "value": value.weighted,
                            "threshold": round(test.threshold, 3),
                            "mean": round(test.mean, 3),
                            "sd": round(test.sd, 3),
                            "baseline_days": n,
                            "stories": value.stories,
                            "sources": value.sources,
                        },
                    )
                )
        return result

    def _first_signals(
        self, day: date, series: Mapping[str, Mapping[date, Mapping[str, DayFactor]]]
    ) -> list[Condition]:
        result = []
        lookback = self.settings.first_signal_lookback_days
        for country, days in series.items():
            for factor, value in days.get(day, {}).items():
                if (
                    factor not in FIRST_SIGNAL_FACTORS
                    or value.sources < self.settings.first_signal_min_sources
                ):
                    continue
                seen_before = any(
                    factor in days.get(day - timedelta(days=k), {}) for k in range(1, lookback + 1)
                )
                if seen_before:
                    continue
                name = country_name(country)
                result.append(
                    Condition(
                        rule="first_signal",
                        key=f"first_signal:{country}:{factor}",
                        day=day,
                        severity="high" if factor in ("RF10", "RF12") else "medium",
                        country=country,
                        factors=[factor],
                        title=f"{name}: first signal of {factor} ({factor_name(factor)})",
                        reason=(
                            f"{factor} ({factor_name(factor)}) is reported for {name} for the first time in "
                            f"{lookback} days: {_count(value.stories, 'story', 'stories')} from {_count(value.sources, 'independent source', 'independent sources')}."
                        ),
                        story_ids=self._story_ids(country, day, [factor]),
                        details={
                            "lookback_days": lookback,
                            "stories": value.stories,
                            "sources": value.sources,
                        },
                    )
                )
        return result

    def _levels(self, day: date) -> list[Condition]:
        with self.db.session() as session:
            rows = session.scalars(
                select(CountryDay).where(CountryDay.day.in_([day, day - timedelta(days=1)]))
            ).all()
        today = {r.country: r for r in rows if r.day == day}
        yesterday = {r.country: r.level for r in rows if r.day != day}
        watch = {w.country: LEVELS.index(w.level) for w in self.config.alerts.watchlist}
        result = []
        for country, row in today.items():
            before = yesterday.get(country, 0)
            name = country_name(country)
            reasons = "; ".join(row.explanation.get("reasons", []))
            top = sorted(row.factors_7d, key=lambda f: -row.factors_7d[f])[:4]
            if row.level > before and row.level >= 2:
                result.append(
                    Condition(
                        rule="level",
                        key=f"level:{country}",
                        day=day,
                        severity=LEVEL_SEVERITY[row.level],
                        country=country,
                        level=row.level,
                        factors=sorted(row.factors_7d, key=lambda f: int(f[2:])),
                        title=f"{name}: level raised to {LEVEL_LABELS[row.level_name].lower()}",
                        reason=f"{name} moved from {LEVEL_LABELS[LEVELS[before]].lower()} to {LEVEL_LABELS[row.level_name].lower()} on {day:%d %b %Y}: {reasons}.",
                        story_ids=self._story_ids(country, day, top) if top else [],
                        details={
                            "from": LEVELS[before],
                            "to": row.level_name,
                            "baseline_ratio": row.baseline_ratio,
                        },
                    )
                )
            threshold = watch.get(country)
            if threshold is not None and row.level >= threshold > before:
                result.append(
                    Condition(
                        rule="watchlist",
                        key=f"watchlist:{country}",
                        day=day,
                        severity=LEVEL_SEVERITY.get(row.level, "medium"),
                        country=country,
                        level=row.level,
                        factors=sorted(row.factors_7d, key=lambda f: int(f[2:])),
                        title=f"Watchlist: {name} reached {LEVEL_LABELS[row.level_name].lower()}",
                        reason=f"{name} is on the watchlist at {LEVEL_LABELS[LEVELS[threshold]].lower()} and reached {LEVEL_LABELS[row.level_name].lower()} on {day:%d %b %Y}: {reasons}.",
                        story_ids=self._story_ids(country, day, top) if top else [],
                        details={"watch_level": LEVELS[threshold], "level": row.level_name},
                    )
                )
        return result

    def _query_rules(self, day: date) -> list[Condition]:
        if not self.config.alerts.rules:
            return []
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(
                    Item.id,
                    Item.title,
                    Item.summary_text,
                    Enrichment.primary_country,
                    Classification.labels,
                    Classification.relevant,
                    StoryItem.story_id,
                )
                .join(Enrichment, Enrichment.item_id == Item.id)
                .outerjoin(Classification, Classification.item_id == Item.id)
                .outerjoin(StoryItem, StoryItem.item_id == Item.id)
                .where(Item.day == day)
            ).all()
        result = []
        for rule in self.config.alerts.rules:
            query = parse_query(rule.query)
            hits: dict[str, set[int]] = {}
            for item_id, title, text, country, labels, relevant, story_id in rows:
                if country is None or (rule.countries and country not in rule.countries):
                    continue
                if rule.relevant_only and not relevant:
                    continue
                if rule.factors and not set(rule.factors) & set(labels or ()):
                    continue
                if query.matches(f"{title} {text}"):
                    hits.setdefault(country, set()).add(
                        story_id if story_id is not None else -item_id
                    )
            for country, stories in hits.items():
                if len(stories) < rule.min_stories:
                    continue
                name = country_name(country)
                result.append(
                    Condition(
                        rule="rule",
                        key=f"rule:{rule.id}:{country}",
                        day=day,
                        severity=rule.severity,
                        country=country,
                        factors=list(rule.factors),
                        title=f"{name}: rule {rule.id} matched",
                        reason=f"{_count(len(stories), 'item', 'items')} about {name} on {day:%d %b %Y} match the analyst rule {rule.id!r} ({rule.query}).",
                        story_ids=sorted(s for s in stories if s > 0),
                        details={"rule": rule.id, "query": rule.query, "matches": len(stories)},
                    )
                )
        return result

    def _feed_health(self, day: date) -> list[Condition]:
        from monitor.collect.status import feed_statuses

        result = []
        for status in feed_statuses(self.db, self.config.collector):
            if status.health.unhealthy:
                result.append(
                    Condition(
                        rule="feed_health",
                        key=f"feed_health:{status.id}",
                        day=day,
                        severity="low",
                        feed_id=status.id,
                        title=f"Feed {status.id} is {status.health.status.value}",
                        reason=f"The watched feed {status.title or status.id} ({status.url}) is {status.health.status.value}: {status.health.reason}. Its region may be under-reported until it is fixed.",
                        details={"health": status.health.status.value, "url": status.url},
                    )
                )
        return result

    # -- raising -----------------------------------------------------------------------

    def run_day(
        self, day: date, series: Mapping[str, Mapping[date, Mapping[str, DayFactor]]]
    ) -> tuple[int, int]:
        raised = updated = 0
        for condition in self.conditions(day, series):
            outcome = self.apply(condition)
            raised += outcome == "raised"
            updated += outcome == "updated"
        return raised, updated

    def apply(self, condition: Condition) -> str:
        """Raise, update or suppress; safe with other assessors running at once.

        Two assessors may both find no open alert and both insert one; the database
        allows one open alert per condition, so the loser retries and updates it.
        """
        for _attempt in range(2):
            try:
                return self._apply_once(condition)
            except IntegrityError:
                continue
        return self._apply_once(condition)

    def _apply_once(self, condition: Condition) -> str:
        now = utcnow()
        with self.db.session() as session:
            existing = session.scalars(
                select(Alert)
                .where(Alert.rule == condition.rule, Alert.key == condition.key)
                .order_by(Alert.id.desc())
            ).first()
            if existing is not None and existing.status in OPEN:
                return self._update(session, existing, condition, now)
            if existing is not None and condition.day <= existing.last_date + timedelta(
                days=self.config.alerts.cooldown_days
            ):
                worse = severity_rank(condition.severity) > severity_rank(existing.severity)
                if not worse:
                    return "suppressed"
            alert = Alert(
                rule=condition.rule,
                key=condition.key,
                country=condition.country,
                feed_id=condition.feed_id,
                factors=condition.factors,
                severity=condition.severity,
                status="new",
                date=condition.day,
                last_date=condition.day,
                title=condition.title,
                reason=condition.reason,
                details={**condition.details, "level": condition.level},
                version=1,
                created_at=now,
                updated_at=now,
            )
            session.add(alert)
            session.flush()
            self._link(session, alert.id, condition.story_ids)
            record_event(session, alert, SYSTEM, "raised", now, None, condition.reason)
            return "raised"

    def _update(self, session, alert: Alert, condition: Condition, now) -> str:  # type: ignore[no-untyped-def]
        if condition.day < alert.date:
            return "unchanged"
        worse = severity_rank(condition.severity) > severity_rank(
            alert.severity
        ) or condition.level > int(alert.details.get("level", 0))
        self._link(session, alert.id, condition.story_ids)
        if condition.day > alert.last_date:
            alert.last_date = condition.day
        if not worse:
            return "unchanged"
        before = snapshot(alert)
        alert.severity = max(alert.severity, condition.severity, key=severity_rank)
        alert.title = condition.title
        alert.reason = condition.reason
        alert.factors = sorted(
            set(alert.factors) | set(condition.factors), key=lambda f: int(f[2:])
        )
        alert.details = {
            **condition.details,
            "level": max(condition.level, int(alert.details.get("level", 0))),
            "previous": before,
        }
        alert.version += 1
        alert.updated_at = now
        record_event(session, alert, SYSTEM, "worsened", now, before, condition.reason)
        return "updated"

    @staticmethod
    def _link(session, alert_id: int, story_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
        if not story_ids:
            return
        known = set(
            session.scalars(select(AlertStory.story_id).where(AlertStory.alert_id == alert_id))
        )
        new = [sid for sid in story_ids if sid not in known]
        if new:
            session.execute(
                insert(AlertStory), [{"alert_id": alert_id, "story_id": sid} for sid in new]
            )


def record_event(  # type: ignore[no-untyped-def]
    session,
    alert: Alert,
    actor: str,
    action: str,
    at: datetime,
    before: dict[str, object] | None,
    note: str | None,
    after: bool = True,
) -> None:
    """One line of the audit log: who did what to the alert, when, before and after."""
    session.add(
        AlertEvent(
            alert_id=alert.id,
            at=at,
            actor=actor,
            action=action,
            before=before,
            after=snapshot(alert) if after else None,
            note=note,
        )
    )


def snapshot(alert: Alert) -> dict[str, object]:
    return {
        "status": alert.status,
        "severity": alert.severity,
        "assignee": alert.assignee,
        "title": alert.title,
        "factors": list(alert.factors),
        "version": alert.version,
        "last_date": alert.last_date.isoformat(),
    }


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
