"""Engines, sessions and the migration gate.

SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL goes through psycopg 3.
Every command except ``monitor init`` calls :meth:`Database.require_current`, so a
database left behind by an older version is never written to before it is migrated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, insert, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import MonitorError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseNotReady(MonitorError):
    """The database is missing, empty or needs migrating."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def dialect_insert(bind: Session | Connection):  # type: ignore[no-untyped-def]
    """``insert`` with ``on_conflict_do_nothing``/``do_update`` for this backend."""
    name = bind.dialect.name if isinstance(bind, Connection) else bind.get_bind().dialect.name
    if name == "postgresql":
        return pg_insert
    if name == "sqlite":
        return sqlite_insert
    raise MonitorError(f"unsupported database backend {name!r}: use SQLite or PostgreSQL")


def replace_item_results(
    conn: Connection,
    results: Table,
    rows: list[dict[str, object]],
    details: Table,
    detail_rows: list[dict[str, object]],
) -> None:
    """Store a stage's per-item results: upsert ``rows`` (one per item, keyed by
    ``item_id``) and replace the items' ``details`` rows. Rerunning writes the same."""
    if not rows:
        return
    ids = [r["item_id"] for r in rows]
    conn.execute(delete(details).where(details.c.item_id.in_(ids)))
    upsert = dialect_insert(conn)(results)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=["item_id"],
            set_={c: upsert.excluded[c] for c in rows[0] if c != "item_id"},
        ),
        rows,
    )
    if detail_rows:
        conn.execute(insert(details), detail_rows)


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


class Database:
    """One database: its engine, a session factory and its migration state."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def head_revision(self) -> str:
        script = ScriptDirectory.from_config(alembic_config())
        head = script.get_current_head()
        assert head is not None
        return head

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self) -> tuple[str | None, str]:
        """Create or migrate the schema; returns (revision before, revision after)."""
        before = self.current_revision()
        command.upgrade(alembic_config(self.engine), "head")
        return before, self.current_revision() or ""

    def require_current(self) -> None:
        current = self.current_revision()
        if current is None:
            has_tables = bool(inspect(self.engine).get_table_names())
            what = "has no monitor schema" if has_tables else "is not initialised"
            raise DatabaseNotReady(
                f"The database {self.display_url()} {what}. Run `monitor init` to create it."
            )
        head = self.head_revision()
        if current != head:
            raise DatabaseNotReady(
                f"The database {self.display_url()} is at schema revision {current}, "
                f"this version needs {head}. Run `monitor init` to upgrade it "
                "(back it up first: see docs/operator-guide.md)."
            )

    def dispose(self) -> None:
        self.engine.dispose()
