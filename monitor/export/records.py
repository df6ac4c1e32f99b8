"""Alerts as export records: one typed view shared by every export format."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from monitor.countries import country_name
from monitor.store.db import Database
from monitor.store.models import Alert, AlertEvent, AlertStory, Feed, Item, Story, StoryItem
from monitor.weburl import web_url


@dataclass(frozen=True)
class StoryItemRecord:
    title: str
    url: str | None
    feed: str
    source: str
    published: str | None


@dataclass(frozen=True)
class StoryRecord:
    id: int
    title: str
    first_day: str
    last_day: str
    source_count: int
    sources: list[str]
    items: list[StoryItemRecord]


@dataclass(frozen=True)
class HistoryRecord:
    at: str
    actor: str
    action: str
    note: str | None
    before: dict | None  # type: ignore[type-arg]
    after: dict | None  # type: ignore[type-arg]


@dataclass(frozen=True)
class AlertRecord:
    id: int
    rule: str
    country: str | None
    country_name: str | None
    feed_id: str | None
    severity: str
    status: str
    date: str
    last_date: str
    title: str
    reason: str
    risk_factors: list[str]
    assignee: str | None
    version: int
    created_at: str
    updated_at: str
    details: dict  # type: ignore[type-arg]
    stories: list[StoryRecord] = field(default_factory=list)
    history: list[HistoryRecord] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return sorted({s for story in self.stories for s in story.sources})

    @property
    def links(self) -> list[str]:
        return [i.url for story in self.stories for i in story.items if i.url]

    def as_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return asdict(self)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def load_alert_records(
    db: Database,
    since: date | None = None,
    country: str | None = None,
    status: str | None = None,
    ids: list[int] | None = None,
    with_history: bool = True,
) -> list[AlertRecord]:
    with db.session() as session:
        query = select(Alert).order_by(Alert.date, Alert.id)
        if since:
            query = query.where(Alert.last_date >= since)
        if country:
            query = query.where(Alert.country == country.upper())
        if status:
            query = query.where(Alert.status == status)
        if ids:
            query = query.where(Alert.id.in_(ids))
        alerts = list(session.scalars(query))
        alert_ids = [a.id for a in alerts]
        links: dict[int, list[int]] = defaultdict(list)
        for alert_id, story_id in session.execute(
            select(AlertStory.alert_id, AlertStory.story_id).where(
                AlertStory.alert_id.in_(alert_ids)
            )
        ):
            links[alert_id].append(story_id)
        story_ids = sorted({s for ids_ in links.values() for s in ids_})
        stories = {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(story_ids)))}
        items_by_story: dict[int, list[StoryItemRecord]] = defaultdict(list)
        for story_id, title, url, published, feed_id, feed_title, feed_url in session.execute(
            select(
                StoryItem.story_id,
                Item.title,
                Item.url,
                Item.published_at,
                Feed.id,
                Feed.title,
                Feed.url,
            )
            .join(Item, Item.id == StoryItem.item_id)
            .join(Feed, Feed.id == Item.feed_id)
            .where(StoryItem.story_id.in_(story_ids))
            .order_by(Item.published_at, Item.id)
        ):
            from monitor.assess.stories import source_key

            items_by_story[story_id].append(
                StoryItemRecord(
                    title,
                    web_url(url),
                    feed_title or feed_id,
                    source_key(url, feed_url),
                    _iso(published),
                )
            )
        history: dict[int, list[HistoryRecord]] = defaultdict(list)
        if with_history:
            for event in session.scalars(
                select(AlertEvent)
                .where(AlertEvent.alert_id.in_(alert_ids))
                .order_by(AlertEvent.at, AlertEvent.id)
            ):
                history[event.alert_id].append(
                    HistoryRecord(
                        _iso(event.at) or "",
                        event.actor,
                        event.action,
                        event.note,
                        event.before,
                        event.after,
                    )
                )
    records = []
    for alert in alerts:
        story_records = [
            StoryRecord(
                id=s.id,
                title=s.title,
                first_day=s.first_day.isoformat(),
                last_day=s.last_day.isoformat(),
                source_count=s.source_count,
                sources=list(s.sources),
                items=items_by_story.get(s.id, []),
            )
            for sid in sorted(links.get(alert.id, []))
            if (s := stories.get(sid)) is not None
        ]
        records.append(
            AlertRecord(
                id=alert.id,
                rule=alert.rule,
                country=alert.country,
                country_name=country_name(alert.country) if alert.country else None,
                feed_id=alert.feed_id,
                severity=alert.severity,
                status=alert.status,
                date=alert.date.isoformat(),
                last_date=alert.last_date.isoformat(),
                title=alert.title,
                reason=alert.reason,
                risk_factors=list(alert.factors),
                assignee=alert.assignee,
                version=alert.version,
                created_at=_iso(alert.created_at) or "",
                updated_at=_iso(alert.updated_at) or "",
                details=dict(alert.details),
                stories=story_records,
                history=history.get(alert.id, []),
            )
        )
    return records
