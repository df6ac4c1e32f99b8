"""The briefing as data: everything a template shows, nothing it has to look up.

Assembled by :mod:`monitor.brief.assemble`, archived as JSON with the briefing so a
past briefing can be rendered again exactly, and rendered by :mod:`monitor.brief.render`
into HTML, PDF, Markdown and plain text. Text the system writes is kept as
:class:`Sentence` objects that carry the stories they rest on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Source:
    name: str
    url: str | None
    domain: str


@dataclass
class StoryRef:
    """A cited story: its number in the briefing's source list and what backs it."""

    number: int
    story_id: int
    title: str
    day: str
    country: str | None
    factors: list[str]
    indicators: list[str]
    sources: list[Source]
    independent_sources: int

    @property
    def single_source(self) -> bool:
        return self.independent_sources < 2


@dataclass
class Sentence:
    text: str
    citations: list[int] = field(default_factory=list)
    single_source: bool = False


@dataclass
class FactorRef:
    id: str
    name: str
    weight: float = 0.0


@dataclass
class CountryRow:
    iso3: str
    name: str
    level: int
    level_name: str
    level_label: str
    change_1d: int
    change_7d: int
    factors: list[FactorRef]
    trend: list[float]
    trend_levels: list[int]
    stories_7d: int
    watchlist: bool = False


@dataclass
class AlertLine:
    id: int
    country: str | None
    country_name: str | None
    rule: str
    severity: str
    status: str
    date: str
    title: str
    reason: str
    citations: list[int]
    escalated: bool
    single_source: bool = False


@dataclass
class TriggerEvent:
    date: str
    event: str
    kind: str


@dataclass
class Action:
    commitment: str
    commitment_title: str
    text: str


@dataclass
class CountrySection:
    iso3: str
    name: str
    level_label: str
    level: int
    change_1d: int
    watchlist: bool
    summary: list[Sentence]
    developments: list[Sentence]
    structural: list[Sentence]
    triggers: list[TriggerEvent]
    actions: list[Action]


@dataclass
class FeedHealthRow:
    id: str
    title: str
    status: str
    reason: str


@dataclass
class LevelDefinition:
    name: str
    label: str
    meaning: str


@dataclass
class Briefing:
    date: str
    period_start: str
    period_end: str
    generated_at: str
    lang: str
    marking: str
    title: str
    exercise: bool
    bottom_line: list[Sentence]
    countries: list[CountryRow]
    alerts: list[AlertLine]
    sections: list[CountrySection]
    stories: list[StoryRef]
    feed_health: list[FeedHealthRow]
    levels: list[LevelDefinition]
    caveats: list[str]
    totals: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Briefing:
        def sentences(rows: list[dict[str, Any]]) -> list[Sentence]:
            return [Sentence(**r) for r in rows]

        return cls(
            date=data["date"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            generated_at=data["generated_at"],
            lang=data["lang"],
            marking=data["marking"],
            title=data["title"],
            exercise=data.get("exercise", False),
            bottom_line=sentences(data["bottom_line"]),
            countries=[
                CountryRow(**{**c, "factors": [FactorRef(**f) for f in c["factors"]]})
                for c in data["countries"]
            ],
            alerts=[AlertLine(**a) for a in data["alerts"]],
            sections=[
                CountrySection(
                    **{
                        **s,
                        "summary": sentences(s["summary"]),
                        "developments": sentences(s["developments"]),
                        "structural": sentences(s["structural"]),
                        "triggers": [TriggerEvent(**t) for t in s["triggers"]],
                        "actions": [Action(**a) for a in s["actions"]],
                    }
                )
                for s in data["sections"]
            ],
            stories=[
                StoryRef(**{**s, "sources": [Source(**x) for x in s["sources"]]})
                for s in data["stories"]
            ],
            feed_health=[FeedHealthRow(**f) for f in data["feed_health"]],
            levels=[LevelDefinition(**lvl) for lvl in data["levels"]],
            caveats=list(data["caveats"]),
            totals=dict(data["totals"]),
        )
