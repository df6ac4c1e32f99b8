"""Assembling a day's briefing from the store: the only module of the briefing that queries.

What goes in (for day D, covering the ``period_days`` days that end on D):

- a bottom line of at most three sentences, generated from the levels and alerts;
- the country table, highest level first, with change since yesterday and over 7 days,
  the active risk factors and a 30-day trend;
- new and escalated alerts;
- a section for each country whose level changed, that has new alerts, or that is on
  the watchlist: a summary, its developments (stories of the period with their risk
  factors, indicators and sources), the structural picture, upcoming triggers from the
  calendar in feeds.yaml, and recommended actions under the Brussels commitments;
- feed health, and the method and its caveats.

Every sentence about a country cites the stories behind it; a claim that rests on a
single independent source says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from monitor.assess.levels import LEVELS, PRESENT
from monitor.assess.stories import relevant_story_items, source_key
from monitor.brief.i18n import Localizer
from monitor.brief.model import (
    Action,
    AlertLine,
    Briefing,
    CountryRow,
    CountrySection,
    FactorRef,
    FeedHealthRow,
    LevelDefinition,
    Sentence,
    Source,
    StoryRef,
    TriggerEvent,
)
from monitor.collect.health import HealthStatus
from monitor.collect.status import feed_statuses
from monitor.config.schema import MonitorConfig
from monitor.countries import country_name
from monitor.errors import MonitorError
from monitor.store.db import Database
from monitor.store.models import (
    Alert,
    AlertEvent,
    AlertStory,
    AssessedDay,
    Classification,
    CountryDay,
    Feed,
    Item,
    Story,
)
from monitor.taxonomy import load_taxonomy
from monitor.weburl import web_url

TREND_DAYS = 30
STRUCTURAL = ("RF1", "RF2", "RF3", "RF4", "RF5", "RF6", "RF9")


def N_(message: str) -> str:
    return message


LEVEL_LABELS = {
    "none": N_("No signal"),
    "monitoring": N_("Monitoring"),
    "serious_concern": N_("Serious concern"),
    "imminent_risk": N_("Imminent risk"),
    "ongoing_crisis": N_("Ongoing crisis"),
}
LEVEL_MEANINGS = {
    "monitoring": N_(
        "At least one risk factor was reported, with corroboration, in the last 30 days."
    ),
    "serious_concern": N_(
        "A factor specific to atrocity crimes (RF9-RF14) was reported in the last 30 days, "
        "or three or more risk factors were, or reporting in the last 7 days surged to at "
        "least twice the country's usual level."
    ),
    "imminent_risk": N_(
        "A trigger (RF8) came on top of three or more common risk factors, or signs of intent "
        "or of a plan (RF10, RF12) were reported in the last 7 days, or specific factors came "
        "with a surge in reporting."
    ),
    "ongoing_crisis": N_(
        "Violence of the kinds covered by RF10, RF11 or RF13 was reported on at least three of "
        "the last seven days, in at least four stories."
    ),
}
# Values the templates translate with _(value): severities, statuses, trigger kinds,
# feed health states and the default title.
TRANSLATED_VALUES = (
    N_("low"),
    N_("medium"),
    N_("high"),
    N_("critical"),
    N_("new"),
    N_("acknowledged"),
    N_("escalated"),
    N_("dismissed"),
    N_("closed"),
    N_("election"),
    N_("census"),
    N_("commemoration"),
    N_("verdict"),
    N_("religious"),
    N_("other"),
    N_("failing"),
    N_("unhealthy"),
    N_("silent"),
    N_("disabled"),
    N_("ok"),
    N_("Atrocity-risk daily briefing"),
)
CAVEATS = [
    N_(
        "This briefing monitors risk factors and indicators of the UN Framework of Analysis for Atrocity "
        "Crimes in open sources. It is not a legal determination: no level means that genocide, crimes "
        "against humanity or war crimes are being committed."
    ),
    N_(
        "Levels are computed automatically from news, UN and NGO feeds, and from a classifier that makes "
        "mistakes; read the cited sources before acting on a claim."
    ),
    N_(
        "Silence is not safety: news blackouts, internet shutdowns and the expulsion of journalists or "
        "observers (indicators 7.6 and 7.7) hide events. A quiet country with a broken or silent feed, or "
        "with few sources in its languages, may be under-reported."
    ),
    N_(
        "Coverage follows the watched feeds and the languages the monitor reads (English, French, Spanish, "
        "Portuguese and Arabic); other languages are identified but not classified as reliably."
    ),
    N_("A claim marked as single-source rests on one publisher only."),
]


@dataclass
class _StoryInfo:
    story: Story
    factors: set[str]
    indicators: set[str]
    sources: list[Source]
    days: set[date]
    max_probability: float


class Assembler:
    def __init__(
        self, db: Database, config: MonitorConfig, lang: str, marking: str | None = None
    ) -> None:
        self.db = db
        self.config = config
        self.settings = config.briefing
        self.loc = Localizer(lang)
        self.lang = lang
        self.marking = marking or self.settings.marking
        self.taxonomy = load_taxonomy()
        self._stories: list[StoryRef] = []
        self._numbers: dict[int, int] = {}

    # -- helpers -----------------------------------------------------------------------

    def _(self, message: str, **values: object) -> str:
        text = self.loc.gettext(message)
        return text.format(**values) if values else text

    def _name(self, iso3: str) -> str:
        return country_name(iso3, self.lang)

    def _factor(self, factor: str) -> str:
        return self.taxonomy.factor(factor).name.get(self.lang)

    def _factor_list(self, factors: list[str]) -> str:
        return "; ".join(f"{f} {self._factor(f)}" for f in factors)

    def _level_label(self, name: str) -> str:
        return self.loc.gettext(LEVEL_LABELS[name])

    def _cite(self, info: _StoryInfo) -> int:
        story = info.story
        if story.id not in self._numbers:
            number = len(self._stories) + 1
            self._numbers[story.id] = number
            self._stories.append(
                StoryRef(
                    number=number,
                    story_id=story.id,
                    title=story.title,
                    day=max(info.days).isoformat(),
                    country=story.country,
                    factors=sorted(info.factors, key=_rf),
                    indicators=sorted(info.indicators, key=_indicator_key),
                    sources=info.sources,
                    independent_sources=len({s.domain for s in info.sources}),
                )
            )
        return self._numbers[story.id]

    def _sentence(self, text: str, infos: list[_StoryInfo]) -> Sentence:
        numbers = sorted({self._cite(i) for i in infos})
        domains = {s.domain for i in infos for s in i.sources}
        return Sentence(
            text=text, citations=numbers, single_source=bool(infos) and len(domains) < 2
        )

    # -- queries -----------------------------------------------------------------------

    def _country_days(self, first: date, last: date) -> dict[str, dict[date, CountryDay]]:
        rows: dict[str, dict[date, CountryDay]] = defaultdict(dict)
        with self.db.session() as session:
            for row in session.scalars(
                select(CountryDay).where(CountryDay.day >= first, CountryDay.day <= last)
            ):
                rows[row.country][row.day] = row
        return rows

    def _stories_for(self, first: date, last: date) -> dict[str, list[_StoryInfo]]:
        """Relevant stories with items in the window, per country, with their evidence."""
        with self.db.session() as session:
            rows = session.execute(
                relevant_story_items(
                    first,
                    last,
                    Story,
                    Item.day,
                    Item.title,
                    Item.url,
                    Feed.id,
                    Feed.title,
                    Feed.url,
                    Classification.labels,
                    Classification.explanations,
                    Classification.probabilities,
                ).order_by(Item.published_at, Item.id)
            ).all()
        infos: dict[int, _StoryInfo] = {}
        for (
            story,
            day,
            _title,
            url,
            feed_id,
            feed_title,
            feed_url,
            labels,
            explanations,
            probabilities,
        ) in rows:
            info = infos.get(story.id)
            if info is None:
                info = infos[story.id] = _StoryInfo(story, set(), set(), [], set(), 0.0)
            info.factors.update(labels or ())
            for explanation in (explanations or {}).values():
                info.indicators.update(explanation.get("indicators", {}))
            info.days.add(day)
            info.max_probability = max(
                [info.max_probability, *[float(probabilities.get(f, 0)) for f in labels or ()]]
            )
            domain = source_key(url, feed_url)
            if not any(
                s.domain == domain and s.name == (feed_title or feed_id) for s in info.sources
            ):
                info.sources.append(
                    Source(
                        name=feed_title or feed_id,
                        url=web_url(url),
                        domain=domain,
                    )
                )
        by_country: dict[str, list[_StoryInfo]] = defaultdict(list)
        for info in infos.values():
            by_country[info.story.country].append(info)  # type: ignore[index]
        for stories in by_country.values():
            stories.sort(
                key=lambda i: (
                    -len({s.domain for s in i.sources}),
                    -_specificity(i.factors),
                    -i.max_probability,
                    i.story.id,
                )
            )
        return by_country

    # -- assembly ----------------------------------------------------------------------

    def assemble(self, day: date, countries: list[str] | None = None) -> Briefing:
        """The briefing for ``day``; with ``countries``, about those countries only (every
        part, the bottom line and the numbered sources included)."""
        period_start = day - timedelta(days=self.settings.period_days - 1)
        history = self._country_days(day - timedelta(days=TREND_DAYS), day)
        with self.db.session() as session:
            assessed = session.get(AssessedDay, day) is not None
        if not assessed and not any(day in days for days in history.values()):
            raise MonitorError(
                f"No assessment for {day.isoformat()}: run `monitor assess --date {day.isoformat()}` "
                "(or `monitor process`) first."
            )
        recent = self._stories_for(day - timedelta(days=6), day)
        period = {
            c: [i for i in infos if any(d >= period_start for d in i.days)]
            for c, infos in recent.items()
        }
        watch = {w.country for w in self.config.alerts.watchlist}
        rows = self._country_rows(day, history, watch)
        alerts = self._alerts(period_start, day)
        if countries:
            keep = set(countries)
            rows = [r for r in rows if r.iso3 in keep]
            alerts = [pair for pair in alerts if pair[0].country in keep]
        alert_countries = {a.country for a, _ in alerts if a.country}
        sections = []
        for row in rows:
            if row.change_1d != 0 or row.iso3 in alert_countries or row.iso3 in watch:
                sections.append(
                    self._section(
                        row,
                        day,
                        history.get(row.iso3, {}),
                        recent.get(row.iso3, []),
                        period.get(row.iso3, []),
                    )
                )
        alert_lines = [self._alert_line(a, recent) for a in alerts]
        bottom = self._bottom_line(rows, alert_lines, recent)
        return Briefing(
            date=day.isoformat(),
            period_start=period_start.isoformat(),
            period_end=day.isoformat(),
            generated_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            lang=self.lang,
            marking=self.marking,
            title=self.loc.gettext(self.settings.title),
            exercise=self.settings.exercise,
            bottom_line=bottom,
            countries=rows,
            alerts=alert_lines,
            sections=sections,
            stories=self._stories,
            feed_health=self._feed_health(),
            levels=self._levels(),
            caveats=[self.loc.gettext(c) for c in CAVEATS],
            totals={
                "countries": len(rows),
                "alerts": len(alert_lines),
                "stories_in_period": sum(len(v) for v in period.values()),
                "sections": len(sections),
            },
        )

    def _country_rows(
        self, day: date, history: dict[str, dict[date, CountryDay]], watch: set[str]
    ) -> list[CountryRow]:
        rows = []
        for iso3 in sorted(watch - set(history)):
            # A watched country with no signal at all still belongs in the briefing.
            rows.append(
                CountryRow(
                    iso3=iso3,
                    name=self._name(iso3),
                    level=0,
                    level_name=LEVELS[0],
                    level_label=self._level_label(LEVELS[0]),
                    change_1d=0,
                    change_7d=0,
                    factors=[],
                    trend=[0.0] * TREND_DAYS,
                    trend_levels=[0] * TREND_DAYS,
                    stories_7d=0,
                    watchlist=True,
                )
            )
        for iso3, days in history.items():
            today = days.get(day)
            if today is None or (today.level == 0 and iso3 not in watch):
                continue
            yesterday = days.get(day - timedelta(days=1))
            week = days.get(day - timedelta(days=7))
            trend, levels = [], []
            for k in range(TREND_DAYS - 1, -1, -1):
                row = days.get(day - timedelta(days=k))
                trend.append(round(sum((row.factors_7d or {}).values()) / 7, 3) if row else 0.0)
                levels.append(row.level if row else 0)
            factors = sorted(today.factors_7d.items(), key=lambda kv: -kv[1])
            rows.append(
                CountryRow(
                    iso3=iso3,
                    name=self._name(iso3),
                    level=today.level,
                    level_name=today.level_name,
                    level_label=self._level_label(today.level_name),
                    change_1d=today.level - (yesterday.level if yesterday else 0),
                    change_7d=today.level - (week.level if week else 0),
                    factors=[
                        FactorRef(f, self._factor(f), round(w, 2))
                        for f, w in factors
                        if w >= PRESENT
                    ][:6],
                    trend=trend,
                    trend_levels=levels,
                    stories_7d=today.stories_7d,
                    watchlist=iso3 in watch,
                )
            )
        rows.sort(key=lambda r: (-r.level, -r.change_1d, -r.stories_7d, r.name))
        return rows

    def _alerts(self, first: date, last: date) -> list[tuple[Alert, bool]]:
        with self.db.session() as session:
            new = list(
                session.scalars(select(Alert).where(Alert.date >= first, Alert.date <= last))
            )
            # Worsened by the engine on an assessed day in the period, or escalated by an
            # analyst during the period (that day's own clock, not the alert's dates).
            worsened_ids = {
                e.alert_id
                for e in session.scalars(
                    select(AlertEvent).where(AlertEvent.action.in_(["worsened", "escalate"]))
                )
                if (
                    (e.action == "escalate" and first <= e.at.date() <= last)
                    or (
                        e.action == "worsened"
                        and e.after
                        and first.isoformat()
                        <= str(e.after.get("last_date", ""))
                        <= last.isoformat()
                    )
                )
            }
            escalated = list(
                session.scalars(
                    select(Alert).where(Alert.id.in_(worsened_ids - {a.id for a in new}))
                )
            )
            links: dict[int, list[int]] = defaultdict(list)
            ids = [a.id for a in new + escalated]
            for alert_id, story_id in session.execute(
                select(AlertStory.alert_id, AlertStory.story_id).where(AlertStory.alert_id.in_(ids))
            ):
                links[alert_id].append(story_id)
        self._alert_links = links
        rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        chosen = [(a, False) for a in new if a.status != "dismissed"] + [
            (a, True) for a in escalated if a.status != "dismissed"
        ]
        chosen.sort(key=lambda pair: (rank[pair[0].severity], pair[0].country or "", pair[0].id))
        return chosen  # type: ignore[return-value]

    def _alert_line(
        self, pair: tuple[Alert, bool], recent: dict[str, list[_StoryInfo]]
    ) -> AlertLine:
        alert, escalated = pair
        linked = set(self._alert_links.get(alert.id, []))
        infos = [i for i in recent.get(alert.country or "", []) if i.story.id in linked][:3]
        return AlertLine(
            id=alert.id,
            country=alert.country,
            country_name=self._name(alert.country) if alert.country else None,
            rule=alert.rule,
            severity=alert.severity,
            status=alert.status,
            date=alert.date.isoformat(),
            title=self._alert_title(alert),
            reason=alert.reason if self.lang == "en" else self._alert_title(alert),
            citations=sorted({self._cite(i) for i in infos}),
            escalated=escalated,
            single_source=bool(infos) and len({s.domain for i in infos for s in i.sources}) < 2,
        )

    def _alert_title(self, alert: Alert) -> str:
        name = self._name(alert.country) if alert.country else ""
        factors = ", ".join(alert.factors)
        if alert.rule == "spike":
            return self._("{country}: surge in reports of {factors}", country=name, factors=factors)
        if alert.rule == "first_signal":
            return self._("{country}: first signal of {factors}", country=name, factors=factors)
        if alert.rule == "level":
            level = LEVELS[int(alert.details.get("level", 0) or 0)]
            return self._(
                "{country}: level raised to {level}",
                country=name,
                level=self._level_label(level).lower(),
            )
        if alert.rule == "watchlist":
            return self._("Watchlist: {country} reached the level set for it", country=name)
        if alert.rule == "rule":
            return self._(
                "{country}: analyst rule {rule} matched",
                country=name,
                rule=alert.details.get("rule", ""),
            )
        if alert.rule == "feed_health":
            return self._("Feed {feed} needs attention", feed=alert.feed_id or "")
        return alert.title

    def _section(
        self,
        row: CountryRow,
        day: date,
        days: dict[date, CountryDay],
        recent: list[_StoryInfo],
        period: list[_StoryInfo],
    ) -> CountrySection:
        today = days.get(day) or CountryDay(
            country=row.iso3,
            day=day,
            level=0,
            level_name=LEVELS[0],
            stories_7d=0,
            stories_30d=0,
            baseline_ratio=None,
            factors_7d={},
            factors_30d={},
            explanation={},
        )
        backing = [i for i in recent if i.factors & set(today.factors_7d)][:4]
        if row.change_1d > 0:
            previous = LEVELS[max(0, row.level - row.change_1d)]
            first = self._(
                "{country} rose to {level} on {date}, from {previous} the day before.",
                country=row.name,
                level=row.level_label.lower(),
                date=self.loc.day(day),
                previous=self._level_label(previous).lower(),
            )
        elif row.change_1d < 0:
            previous = LEVELS[min(4, row.level - row.change_1d)]
            first = self._(
                "{country} eased to {level} on {date}, from {previous} the day before.",
                country=row.name,
                level=row.level_label.lower(),
                date=self.loc.day(day),
                previous=self._level_label(previous).lower(),
            )
        elif row.level == 0:
            first = self._(
                "{country}: no corroborated risk signal on {date}.",
                country=row.name,
                date=self.loc.day(day),
            )
        else:
            first = self._(
                "{country} remains at {level} on {date}.",
                country=row.name,
                level=row.level_label.lower(),
                date=self.loc.day(day),
            )
        summary = [self._sentence(first, backing)]
        if row.factors:
            summary.append(
                self._sentence(
                    self._(
                        "Risk factors reported in the last 7 days: {factors}.",
                        factors=self._factor_list([f.id for f in row.factors]),
                    ),
                    backing,
                )
            )
        ratio = today.baseline_ratio or 0
        if ratio >= 2:
            summary.append(
                self._sentence(
                    self._(
                        "Reporting in the last 7 days is {ratio} times the country's usual level.",
                        ratio=self.loc.number(ratio),
                    ),
                    backing,
                )
            )
        developments = []
        for info in period[: self.settings.max_developments]:
            factors = sorted(info.factors, key=_rf)
            indicators = sorted(info.indicators, key=_indicator_key)
            text = self._(
                "{date}: {title} ({factors}).",
                date=self.loc.day(max(info.days), "medium"),
                title=info.story.title,
                factors=self._factor_list(factors),
            )
            if indicators:
                text += " " + self._(
                    "Indicators: {indicators}.", indicators=", ".join(indicators[:6])
                )
            sources = len({s.domain for s in info.sources})
            text += " " + self.loc.ngettext(
                "{n} independent source.", "{n} independent sources.", sources
            ).format(n=sources)
            developments.append(self._sentence(text, [info]))
        structural = []
        present = [f for f in STRUCTURAL if (today.factors_30d or {}).get(f, 0) >= PRESENT]
        if present:
            backing30 = [i for i in recent if i.factors & set(present)][:3]
            structural.append(
                self._sentence(
                    self._(
                        "Structural risk factors reported in the last 30 days: {factors}.",
                        factors=self._factor_list(present),
                    ),
                    backing30,
                )
            )
        else:
            structural.append(
                Sentence(
                    self._(
                        "No structural risk factor was reported with corroboration in the last 30 days."
                    )
                )
            )
        triggers = [
            TriggerEvent(date=e.date.isoformat(), event=e.event, kind=e.kind)
            for e in sorted(self.settings.calendar, key=lambda e: e.date)
            if e.country == row.iso3 and day <= e.date <= day + timedelta(days=90)
        ]
        return CountrySection(
            iso3=row.iso3,
            name=row.name,
            level_label=row.level_label,
            level=row.level,
            change_1d=row.change_1d,
            watchlist=row.watchlist,
            summary=summary,
            developments=developments,
            structural=structural,
            triggers=triggers,
            actions=self._actions(row, today),
        )

    def _actions(self, row: CountryRow, today: CountryDay) -> list[Action]:
        present = {f for f, w in (today.factors_30d or {}).items() if w >= PRESENT}
        picks: list[tuple[str, int]] = [("C4", 0)]
        if present & {"RF9", "RF7"}:
            picks.append(("C3", 0))
        if present & {"RF10", "RF11", "RF12", "RF13"}:
            picks.append(("C1", 2))
        if row.level >= 3:
            picks.append(("C2", 2))
        if row.level >= 4 or (row.level >= 3 and present & {"RF10", "RF12"}):
            picks.append(("C5", 0))
        actions = []
        for commitment_id, index in picks:
            commitment = self.taxonomy.commitment(commitment_id)
            texts = commitment.actions.get(self.lang)
            actions.append(
                Action(
                    commitment=commitment_id,
                    commitment_title=commitment.short.get(self.lang),
                    text=texts[min(index, len(texts) - 1)],
                )
            )
        return actions

    def _bottom_line(
        self, rows: list[CountryRow], alerts: list[AlertLine], recent: dict[str, list[_StoryInfo]]
    ) -> list[Sentence]:
        sentences = []
        high = [r for r in rows if r.level >= 3]
        if high:
            infos = [recent[r.iso3][0] for r in high if recent.get(r.iso3)][:4]
            names = ", ".join(f"{r.name} ({r.level_label.lower()})" for r in high[:5])
            sentences.append(
                self._sentence(
                    self.loc.ngettext(
                        "{n} country is at imminent risk or in an ongoing crisis: {names}.",
                        "{n} countries are at imminent risk or in an ongoing crisis: {names}.",
                        len(high),
                    ).format(n=len(high), names=names),
                    infos,
                )
            )
        risers = sorted(
            [r for r in rows if r.change_1d > 0], key=lambda r: (-r.change_1d, -r.level)
        )
        if risers:
            top = risers[0]
            infos = recent.get(top.iso3, [])[:3]
            factors = self._factor_list([f.id for f in top.factors[:2]])
            if factors:
                text = self._(
                    "{country} rose to {level} since yesterday, driven by reports of {factors}.",
                    country=top.name,
                    level=top.level_label.lower(),
                    factors=factors,
                )
            else:
                text = self._(
                    "{country} rose to {level} since yesterday.",
                    country=top.name,
                    level=top.level_label.lower(),
                )
            sentences.append(self._sentence(text, infos))
        fallers = sorted(
            [r for r in rows if r.change_1d < 0], key=lambda r: (r.change_1d, -r.level)
        )
        faller = None
        if fallers:
            top = fallers[0]
            faller = self._sentence(
                self._(
                    "{country} fell to {level} since yesterday.",
                    country=top.name,
                    level=top.level_label.lower(),
                ),
                recent.get(top.iso3, [])[:3],
            )
            sentences.append(faller)
        new = sum(1 for a in alerts if not a.escalated)
        escalated = sum(1 for a in alerts if a.escalated)
        counts = []
        if new:
            counts.append(self.loc.ngettext("{n} new alert", "{n} new alerts", new).format(n=new))
        if escalated:
            counts.append(
                self.loc.ngettext("{n} escalated alert", "{n} escalated alerts", escalated).format(
                    n=escalated
                )
            )
        if counts:
            joined = (" " + self._("and") + " ").join(counts)
            sentences.append(Sentence(self._("In the period: {alerts}.", alerts=joined)))
        if len(sentences) > 3 and faller is not None:
            sentences.remove(faller)  # a rise or an alert matters more than a fall
        if not sentences:
            sentences.append(
                Sentence(self._("No country changed level and no alert was raised in the period."))
            )
        return sentences[:3]

    def _feed_health(self) -> list[FeedHealthRow]:
        rows = []
        statuses = feed_statuses(self.db, self.config.collector)
        if not any(status.enabled for status in statuses):
            # Silence from switched-off feeds must not read as "all healthy".
            return [
                FeedHealthRow(
                    id="",
                    title=self._("All feeds"),
                    status="disabled",
                    reason=self._(
                        "no feed is enabled in feeds.yaml: nothing new is being collected"
                    ),
                )
            ]
        for status in statuses:
            if status.health.status in (
                HealthStatus.failing,
                HealthStatus.unhealthy,
                HealthStatus.silent,
            ):
                rows.append(
                    FeedHealthRow(
                        id=status.id,
                        title=status.title or status.id,
                        status=status.health.status.value,
                        reason=status.health.reason,
                    )
                )
        return rows

    def _levels(self) -> list[LevelDefinition]:
        return [
            LevelDefinition(
                name=name,
                label=self._level_label(name),
                meaning=self.loc.gettext(LEVEL_MEANINGS[name]),
            )
            for name in LEVELS[1:]
        ]


def _rf(factor: str) -> int:
    return int(factor[2:])


def _indicator_key(indicator: str) -> tuple[int, int]:
    factor, _, number = indicator.partition(".")
    return int(factor[2:]), int(number or 0)


def _specificity(factors: set[str]) -> int:
    return sum(1 for f in factors if _rf(f) >= 9)


def assemble_briefing(
    db: Database,
    config: MonitorConfig,
    day: date,
    lang: str,
    marking: str | None = None,
    countries: list[str] | None = None,
) -> Briefing:
    return Assembler(db, config, lang, marking).assemble(day, countries)
