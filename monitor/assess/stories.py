"""Story clusters: items that report the same story count once.

An item joins a story of the same primary country whose latest item is at most
``cluster_days`` older, when
- its title is the same story title (republished copies), or
- in the same language, its words largely overlap those of a recent member, or
- across languages, it shares a place and a number (a toll, a date) or two places and
  a risk factor with the story: what survives translation.

Each story records its independent sources: distinct publishers, by web domain, so
two feeds of one outlet count once. Assigning items is incremental and idempotent:
items already in a story are never moved, so rerunning the stage changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Select, insert, select, update

from monitor.classify.features import STOPWORDS
from monitor.enrich.text import fold
from monitor.store.db import Database
from monitor.store.models import (
    Classification,
    Enrichment,
    Feed,
    Item,
    ItemCountry,
    Story,
    StoryItem,
)
from monitor.store.types import utcnow

_WORD = re.compile(r"[^\W\d_]{3,}")
_NUMBER = re.compile(r"\b\d{2,}\b")
SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu", "or", "go", "ne"}
MAX_SIGNATURES = 4
TEXT_OVERLAP = 0.5
MIN_SHARED_WORDS = 4


def source_key(url: str | None, feed_url: str) -> str:
    """The publisher behind an item: its registrable web domain."""
    for candidate in (url, feed_url):
        if not candidate:
            continue
        try:
            host = (urlsplit(candidate).hostname or "").lower()
        except ValueError:
            continue
        labels = [part for part in host.split(".") if part]
        if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
            return ".".join(labels[-3:])
        if len(labels) >= 2:
            return ".".join(labels[-2:])
        if host:
            return host
    return "unknown"


def words_of(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(fold(text)) if w not in STOPWORDS)


def numbers_of(text: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(text))


@dataclass
class Member:
    item_id: int
    day: date
    language: str
    title_key: str
    words: frozenset[str]
    numbers: frozenset[str]
    places: frozenset[str]
    factors: frozenset[str]
    source: str


@dataclass
class Cluster:
    id: int | None
    country: str | None
    first_day: date
    last_day: date
    title: str
    titles: set[str] = field(default_factory=set)
    recent: list[dict[str, object]] = field(default_factory=list)
    places: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    factors: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    item_count: int = 0
    new_items: list[int] = field(default_factory=list)
    dirty: bool = False

    def signature(self) -> dict[str, object]:
        return {
            "titles": sorted(self.titles)[-20:],
            "recent": self.recent[-MAX_SIGNATURES:],
            "places": sorted(self.places),
            "numbers": sorted(self.numbers)[-30:],
        }

    @classmethod
    def from_row(cls, story: Story) -> Cluster:
        signature = story.signature or {}
        return cls(
            id=story.id,
            country=story.country,
            first_day=story.first_day,
            last_day=story.last_day,
            title=story.title,
            titles=set(signature.get("titles", [])),
            recent=list(signature.get("recent", [])),
            places=set(signature.get("places", [])),
            numbers=set(signature.get("numbers", [])),
            factors=set(story.factors),
            sources=set(story.sources),
            languages=set(story.languages),
            item_count=story.item_count,
        )

    def matches(self, member: Member) -> bool:
        if member.title_key and member.title_key in self.titles:
            return True
        for recent in self.recent[-MAX_SIGNATURES:]:
            if recent["language"] == member.language:
                words = set(recent["words"])  # type: ignore[arg-type]
                shared = len(words & member.words)
                smaller = min(len(words), len(member.words)) or 1
                if shared >= MIN_SHARED_WORDS and shared / smaller >= TEXT_OVERLAP:
                    return True
        shared_places = self.places & member.places
        if shared_places and member.language not in self.languages:
            if self.numbers & member.numbers:
                return True
            if len(shared_places) >= 2 and self.factors & member.factors:
                return True
        return False

    def add(self, member: Member) -> None:
        self.item_count += 1
        self.last_day = max(self.last_day, member.day)
        self.first_day = min(self.first_day, member.day)
        if member.title_key:
            self.titles.add(member.title_key)
        self.recent.append({"language": member.language, "words": sorted(member.words)[:80]})
        self.recent = self.recent[-MAX_SIGNATURES:]
        self.places |= member.places
        self.numbers |= member.numbers
        self.factors |= member.factors
        self.sources.add(member.source)
        self.languages.add(member.language)
        self.new_items.append(member.item_id)
        self.dirty = True


def title_key(title: str) -> str:
    return " ".join(_WORD.findall(fold(title)))[:200]


@dataclass
class StorySummary:
    items: int = 0
    new_stories: int = 0
    first_day: date | None = None

    def as_dict(self) -> dict[str, int]:
        return {"clustered": self.items, "new_stories": self.new_stories}


def relevant_story_items(first: date, last: date, *columns) -> Select:  # type: ignore[no-untyped-def,type-arg]
    """``columns`` of the relevant items of country stories published from first to last,
    with their story, item, feed and classification joined: what signals and briefings
    read."""
    return (
        select(*columns)
        .select_from(Story)
        .join(StoryItem, StoryItem.story_id == Story.id)
        .join(Item, Item.id == StoryItem.item_id)
        .join(Feed, Feed.id == Item.feed_id)
        .join(Classification, Classification.item_id == Item.id)
        .where(
            Item.day >= first,
            Item.day <= last,
            Classification.relevant.is_(True),
            Story.country.is_not(None),
        )
    )


def cluster_items(db: Database, cluster_days: int = 3) -> StorySummary:
    """Put every relevant item that is in no story yet into one."""
    summary = StorySummary()
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                Item.id,
                Item.day,
                Item.title,
                Item.summary_text,
                Item.url,
                Feed.url,
                Enrichment.language,
                Enrichment.primary_country,
                Classification.labels,
            )
            .join(Feed, Feed.id == Item.feed_id)
            .join(Enrichment, Enrichment.item_id == Item.id)
            .join(Classification, Classification.item_id == Item.id)
            .outerjoin(StoryItem, StoryItem.item_id == Item.id)
            .where(Classification.relevant.is_(True), StoryItem.item_id.is_(None))
            .order_by(Item.day, Item.id)
        ).all()
        if not rows:
            return summary
        places: dict[int, set[str]] = {}
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 900):
            for item_id, evidence in conn.execute(
                select(ItemCountry.item_id, ItemCountry.evidence).where(
                    ItemCountry.item_id.in_(ids[start : start + 900])
                )
            ):
                places.setdefault(item_id, set()).update(
                    e for e in evidence or [] if e != "feed focus country"
                )
    earliest = rows[0][1] - timedelta(days=cluster_days)
    open_clusters: dict[str | None, list[Cluster]] = {}
    with db.session() as session:
        for story in session.scalars(select(Story).where(Story.last_day >= earliest)):
            open_clusters.setdefault(story.country, []).append(Cluster.from_row(story))
    for item_id, day, title, text, url, feed_url, language, country, labels in rows:
        member = Member(
            item_id=item_id,
            day=day,
            language=language,
            title_key=title_key(title),
            words=words_of(f"{title} {text[:400]}"),
            numbers=numbers_of(f"{title} {text[:400]}"),
            places=frozenset(places.get(item_id, ())),
            factors=frozenset(labels or ()),
            source=source_key(url, feed_url),
        )
        candidates = [
            c
            for c in open_clusters.get(country, [])
            if abs((day - c.last_day).days) <= cluster_days
            or c.first_day - timedelta(days=cluster_days) <= day <= c.last_day
        ]
        target = next((c for c in reversed(candidates) if c.matches(member)), None)
        if target is None:
            target = Cluster(
                id=None, country=country, first_day=day, last_day=day, title=title[:500]
            )
            open_clusters.setdefault(country, []).append(target)
            summary.new_stories += 1
        target.add(member)
        summary.items += 1
        summary.first_day = min(summary.first_day or day, day)
    _save(db, [c for clusters in open_clusters.values() for c in clusters if c.dirty])
    return summary


def _save(db: Database, clusters: Iterable[Cluster]) -> None:
    now = utcnow()
    with db.engine.begin() as conn:
        for cluster in clusters:
            values = {
                "country": cluster.country,
                "first_day": cluster.first_day,
                "last_day": cluster.last_day,
                "title": cluster.title,
                "item_count": cluster.item_count,
                "source_count": len(cluster.sources),
                "sources": sorted(cluster.sources),
                "languages": sorted(cluster.languages),
                "factors": sorted(cluster.factors, key=lambda f: int(f[2:])),
                "signature": cluster.signature(),
                "updated_at": now,
            }
            if cluster.id is None:
                cluster.id = conn.execute(
                    insert(Story).values(**values).returning(Story.id)
                ).scalar_one()
            else:
                conn.execute(update(Story).where(Story.id == cluster.id).values(**values))
            conn.execute(
                insert(StoryItem),
                [{"item_id": i, "story_id": cluster.id} for i in cluster.new_items],
            )
            cluster.new_items = []
            cluster.dirty = False
