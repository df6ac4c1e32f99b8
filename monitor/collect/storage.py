"""The collector's reads and writes. Each feed's result is one transaction.

Items are inserted with ``ON CONFLICT DO NOTHING`` on (feed, key), so two collectors
racing on the same feed, or a pass restarted after a crash, can never store an entry
twice; an entry whose content hash changed is updated in place and its revision bumped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from monitor.collect.model import FeedState, NormalizedEntry
from monitor.store.db import dialect_insert
from monitor.store.models import Feed, FetchLog, Item

_CHUNK = 400


def feed_state(row: Feed) -> FeedState:
    return FeedState(
        id=row.id,
        url=row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
        consecutive_failures=row.consecutive_failures,
        failing_since=row.failing_since,
        next_attempt_at=row.next_attempt_at,
        poll_interval=row.poll_interval,
        language=row.language,
    )


def load_active_feeds(session: Session, only: Sequence[str] | None = None) -> list[Feed]:
    query = select(Feed).where(Feed.in_config.is_(True)).order_by(Feed.id)
    if only:
        query = query.where(Feed.id.in_(list(only)))
    else:
        query = query.where(Feed.enabled.is_(True), Feed.disabled_reason.is_(None))
    return list(session.scalars(query))


def store_entries(
    session: Session, feed_id: str, entries: Sequence[NormalizedEntry], now: datetime
) -> tuple[int, int]:
    """Insert new entries and update changed ones; returns (new, updated)."""
    if not entries:
        return 0, 0
    existing: dict[str, str] = {}
    keys = [e.key for e in entries]
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = session.execute(
            select(Item.key, Item.content_hash).where(Item.feed_id == feed_id, Item.key.in_(chunk))
        )
        existing.update((key, digest) for key, digest in rows)
    fresh = [e for e in entries if e.key not in existing]
    changed = [e for e in entries if e.key in existing and existing[e.key] != e.content_hash]
    inserted = 0
    if fresh:
        insert = dialect_insert(session)
        statement = (
            insert(Item)
            .on_conflict_do_nothing(index_elements=["feed_id", "key"])
            .returning(Item.id)
        )
        rows = [_row(feed_id, e, now) for e in fresh]
        for start in range(0, len(rows), _CHUNK):
            result = session.execute(statement, rows[start : start + _CHUNK])
            inserted += len(result.all())
    for entry in changed:
        session.execute(
            update(Item)
            .where(Item.feed_id == feed_id, Item.key == entry.key)
            .values(
                guid=entry.guid,
                url=entry.url,
                title=entry.title,
                summary_text=entry.summary_text,
                summary_html=entry.summary_html,
                author=entry.author,
                published_at=entry.published_at,
                day=item_day(entry.published_at, now),
                lang_hint=entry.lang_hint,
                content_hash=entry.content_hash,
                updated_at=now,
                revision=Item.revision + 1,
            )
        )
    return inserted, len(changed)


def item_day(published: datetime | None, fetched: datetime):  # type: ignore[no-untyped-def]
    """The day an item belongs to: published date in UTC, fetch date if none or future."""
    if published is None or published > fetched + timedelta(hours=1):
        return fetched.date()
    return published.date()


def _row(feed_id: str, entry: NormalizedEntry, now: datetime) -> dict[str, object]:
    return {
        "feed_id": feed_id,
        "key": entry.key,
        "guid": entry.guid,
        "url": entry.url,
        "title": entry.title,
        "summary_text": entry.summary_text,
        "summary_html": entry.summary_html,
        "author": entry.author,
        "published_at": entry.published_at,
        "fetched_at": now,
        "updated_at": None,
        "day": item_day(entry.published_at, now),
        "lang_hint": entry.lang_hint,
        "content_hash": entry.content_hash,
        "revision": 1,
    }


def log_fetch(session: Session, **values: object) -> None:
    session.add(FetchLog(**values))


def prune_fetch_log(session: Session, before: datetime) -> int:
    result = session.execute(delete(FetchLog).where(FetchLog.started_at < before))
    return result.rowcount or 0


def count_items(engine: Engine, feed_ids: Iterable[str] | None = None) -> int:
    query = select(func.count()).select_from(Item)
    if feed_ids is not None:
        query = query.where(Item.feed_id.in_(list(feed_ids)))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
