"""The collector's reads and writes, on SQLAlchemy Core for speed.

A fetch that brings entries is written in one transaction of its own: the entries,
the feed's new state and its fetch-log row commit together or not at all. Fetches
that only change a feed's state (304, unchanged body, failures) are written in small
batches; losing such a batch to a crash only means those feeds are fetched again.

Items are inserted with ``ON CONFLICT DO NOTHING`` on (feed, key), so two collectors
racing on the same feed, or a pass restarted after a crash, never store an entry twice;
an entry whose content hash changed is updated in place and its revision bumped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from monitor.collect.model import FeedReport, FeedState, NormalizedEntry
from monitor.store.db import dialect_insert
from monitor.store.models import Feed, FetchLog, Item

_CHUNK = 400
ITEMS = Item.__table__
FEEDS = Feed.__table__
FETCH_LOG = FetchLog.__table__


@dataclass
class FeedWrite:
    """Everything one fetch changes in the store."""

    feed_id: str
    state: dict[str, Any]
    log: dict[str, Any]
    report: FeedReport
    entries: list[NormalizedEntry] = field(default_factory=list)


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


def item_day(published: datetime | None, fetched: datetime) -> date:
    """The day an item belongs to: published date in UTC, fetch date if none or future."""
    if published is None or published > fetched + timedelta(hours=1):
        return fetched.date()
    return published.date()


def store_entries(
    conn: Connection, feed_id: str, entries: Sequence[NormalizedEntry], now: datetime
) -> tuple[int, int]:
    """Insert new entries and update changed ones; returns (new, updated)."""
    if not entries:
        return 0, 0
    existing: dict[str, str] = {}
    keys = [e.key for e in entries]
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = conn.execute(
            select(ITEMS.c.key, ITEMS.c.content_hash).where(
                ITEMS.c.feed_id == feed_id, ITEMS.c.key.in_(chunk)
            )
        )
        existing.update((key, digest) for key, digest in rows)
    fresh = [_row(feed_id, e, now) for e in entries if e.key not in existing]
    changed = [e for e in entries if e.key in existing and existing[e.key] != e.content_hash]
    inserted = 0
    if fresh:
        statement = (
            dialect_insert(conn)(ITEMS)
            .on_conflict_do_nothing(index_elements=["feed_id", "key"])
            .returning(ITEMS.c.id)
        )
        for start in range(0, len(fresh), _CHUNK):
            inserted += len(conn.execute(statement, fresh[start : start + _CHUNK]).all())
    if changed:
        conn.execute(
            update(ITEMS)
            .where(ITEMS.c.feed_id == bindparam("b_feed"), ITEMS.c.key == bindparam("b_key"))
            .values(
                guid=bindparam("guid"),
                url=bindparam("url"),
                title=bindparam("title"),
                summary_text=bindparam("summary_text"),
                summary_html=bindparam("summary_html"),
                author=bindparam("author"),
                published_at=bindparam("published_at"),
                day=bindparam("day"),
                lang_hint=bindparam("lang_hint"),
                content_hash=bindparam("content_hash"),
                updated_at=bindparam("updated_at"),
                revision=ITEMS.c.revision + 1,
            ),
            [
                {
                    **{
                        k: v
                        for k, v in _row(feed_id, e, now).items()
                        if k not in ("feed_id", "key", "fetched_at", "revision")
                    },
                    "b_feed": feed_id,
                    "b_key": e.key,
                    "updated_at": now,
                }
                for e in changed
            ],
        )
    return inserted, len(changed)


def _row(feed_id: str, entry: NormalizedEntry, now: datetime) -> dict[str, Any]:
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


def apply_write(conn: Connection, write: FeedWrite, now: datetime) -> None:
    """Store one fetch's entries and feed state (the caller owns the transaction)."""
    new, updated = store_entries(conn, write.feed_id, write.entries, now)
    write.report.new_items, write.report.updated_items = new, updated
    state = dict(write.state)
    if new:
        state["last_new_item_at"] = now
    conn.execute(update(FEEDS).where(FEEDS.c.id == write.feed_id).values(**state))
    conn.execute(insert(FETCH_LOG).values(**write.log, new_items=new, updated_items=updated))


def apply_state_batch(conn: Connection, writes: Sequence[FeedWrite]) -> None:
    """Store several entry-less fetches at once, grouped by the columns they change."""
    groups: dict[tuple[str, ...], list[FeedWrite]] = {}
    for write in writes:
        groups.setdefault(tuple(sorted(write.state)), []).append(write)
    for columns, members in groups.items():
        conn.execute(
            update(FEEDS)
            .where(FEEDS.c.id == bindparam("b_id"))
            .values({c: bindparam(c) for c in columns}),
            [{**w.state, "b_id": w.feed_id} for w in members],
        )
    conn.execute(insert(FETCH_LOG), [{**w.log, "new_items": 0, "updated_items": 0} for w in writes])


def prune_fetch_log(conn: Connection, before: datetime) -> int:
    result = conn.execute(delete(FETCH_LOG).where(FETCH_LOG.c.started_at < before))
    return result.rowcount or 0


def count_items(engine: Engine, feed_ids: Iterable[str] | None = None) -> int:
    query = select(func.count()).select_from(ITEMS)
    if feed_ids is not None:
        query = query.where(ITEMS.c.feed_id.in_(list(feed_ids)))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
