"""The store: migrations, the migration gate, UTC handling, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from monitor.store.db import Database, DatabaseNotReady
from monitor.store.models import Base, Feed, Item
from monitor.store.types import utcnow


def test_migrations_create_exactly_the_models(db: Database):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(db: Database):
    head = db.head_revision()
    assert db.upgrade() == (head, head)
    db.require_current()


def test_uninitialised_database_is_refused_with_the_fix(database_url: str):
    database = Database(database_url)
    with pytest.raises(DatabaseNotReady, match="Run `monitor init`"):
        database.require_current()
    database.dispose()


def test_outdated_database_is_refused_with_the_fix(db: Database):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(DatabaseNotReady, match=r"revision 0000.*Run `monitor init` to upgrade"):
        db.require_current()


def test_datetimes_come_back_aware_utc(db: Database):
    created = datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    with db.session() as session:
        session.add(
            Feed(
                id="f", url="https://e.org/rss", config_url="https://e.org/rss", created_at=created
            )
        )
    with db.session() as session:
        feed = session.get(Feed, "f")
        assert feed.created_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
        assert feed.created_at.tzinfo is not None


def test_naive_datetimes_are_rejected(db: Database):
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        session.add(Feed(id="f", url="u", config_url="u", created_at=datetime(2025, 1, 1)))
        session.flush()


def test_items_are_unique_per_feed_and_key(db: Database):
    now = utcnow()
    with db.session() as session:
        session.add(Feed(id="f", url="u", config_url="u", created_at=now))
        session.flush()
        session.add(Item(feed_id="f", key="k", fetched_at=now, day=date.today(), content_hash="h"))
    with pytest.raises(Exception), db.session() as session:  # noqa: B017
        session.add(Item(feed_id="f", key="k", fetched_at=now, day=date.today(), content_hash="h2"))
        session.flush()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db: Database):
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert "apscheduler_jobs" in inspect(sqlite_db.engine).get_table_names()
