"""Feed health for every watched feed, read from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from monitor.collect.health import RHYTHM_WINDOW_DAYS, FeedHealth, FeedStats, assess
from monitor.config.schema import CollectorSettings
from monitor.store.db import Database
from monitor.store.models import Feed, Item
from monitor.store.types import utcnow


@dataclass(frozen=True)
class FeedStatus:
    id: str
    title: str | None
    url: str
    kind: str
    enabled: bool
    health: FeedHealth
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_attempt_at: datetime | None
    items: int

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "kind": self.kind,
            "enabled": self.enabled,
            "health": self.health.status.value,
            "reason": self.health.reason,
            "items_per_day": round(self.health.items_per_day, 2),
            "items": self.items,
            "last_success_at": _iso(self.last_success_at),
            "last_error": self.last_error,
            "last_error_at": _iso(self.last_error_at),
            "consecutive_failures": self.consecutive_failures,
            "next_attempt_at": _iso(self.next_attempt_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def feed_statuses(
    db: Database, settings: CollectorSettings, now: datetime | None = None
) -> list[FeedStatus]:
    now = now or utcnow()
    since = now - timedelta(days=RHYTHM_WINDOW_DAYS)
    with db.session() as session:
        feeds = list(
            session.scalars(select(Feed).where(Feed.in_config.is_(True)).order_by(Feed.id))
        )
        recent = {
            feed_id: n
            for feed_id, n in session.execute(
                select(Item.feed_id, func.count())
                .where(Item.fetched_at >= since)
                .group_by(Item.feed_id)
            )
        }
        totals = {
            feed_id: n
            for feed_id, n in session.execute(
                select(Item.feed_id, func.count()).group_by(Item.feed_id)
            )
        }
    result = []
    for feed in feeds:
        age_days = max((now - feed.created_at).total_seconds() / 86400, 1.0)
        stats = FeedStats(
            items_in_window=recent.get(feed.id, 0),
            window_days=min(float(RHYTHM_WINDOW_DAYS), age_days),
            last_new_item_at=feed.last_new_item_at,
        )
        health = assess(
            enabled=feed.enabled,
            disabled_reason=feed.disabled_reason,
            last_success_at=feed.last_success_at,
            failing_since=feed.failing_since,
            consecutive_failures=feed.consecutive_failures,
            last_error=feed.last_error,
            created_at=feed.created_at,
            stats=stats,
            settings=settings,
            now=now,
        )
        result.append(
            FeedStatus(
                id=feed.id,
                title=feed.title or feed.feed_title,
                url=feed.url,
                kind=feed.kind,
                enabled=feed.enabled and feed.disabled_reason is None,
                health=health,
                last_success_at=feed.last_success_at,
                last_error=feed.last_error,
                last_error_at=feed.last_error_at,
                consecutive_failures=feed.consecutive_failures,
                next_attempt_at=feed.next_attempt_at,
                items=totals.get(feed.id, 0),
            )
        )
    return result
