"""Small builders shared by tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from monitor.collect import Collector
from monitor.config.schema import CollectorSettings, FeedConfig, MonitorConfig
from monitor.store.db import Database
from monitor.store.models import Feed, FetchLog, Item
from monitor.store.sync import sync_feeds


def configure(db: Database, feeds: dict[str, str], **settings: object) -> MonitorConfig:
    """Mirror a {feed id: url} configuration into the database."""
    config = MonitorConfig(
        feeds=[FeedConfig(id=fid, url=url, poll_interval=3600) for fid, url in feeds.items()],
        collector=CollectorSettings(**settings),  # type: ignore[arg-type]
    )
    with db.session() as session:
        sync_feeds(session, config)
    return config


def collector(db: Database, config: MonitorConfig) -> Collector:
    return Collector(db, config.collector)


def items(db: Database, feed_id: str | None = None) -> list[Item]:
    with db.session() as session:
        query = select(Item).order_by(Item.id)
        if feed_id:
            query = query.where(Item.feed_id == feed_id)
        return list(session.scalars(query))


def item_count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Item)) or 0)


def feed_row(db: Database, feed_id: str) -> Feed:
    with db.session() as session:
        row = session.get(Feed, feed_id)
        assert row is not None
        return row


def fetch_log(db: Database, feed_id: str) -> list[FetchLog]:
    with db.session() as session:
        return list(
            session.scalars(
                select(FetchLog).where(FetchLog.feed_id == feed_id).order_by(FetchLog.id)
            )
        )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
