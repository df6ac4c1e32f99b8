"""What every command shares: resolved settings, the configuration and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import typer
from rich.console import Console

from monitor.config import MonitorConfig, load_config
from monitor.settings import Settings
from monitor.store.db import Database
from monitor.store.sync import sync_feeds


@dataclass
class AppContext:
    settings: Settings
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))
    _db: Database | None = None

    @cached_property
    def config(self) -> MonitorConfig:
        return load_config(self.settings.config_path)

    def database(self, *, check: bool = True) -> Database:
        if self._db is None:
            self._db = Database(self.settings.database_url)
        if check:
            self._db.require_current()
        return self._db

    def synced_database(self) -> Database:
        """The database with ``feeds`` mirroring the current feeds.yaml."""
        db = self.database()
        config = self.config
        with db.session() as session:
            sync_feeds(session, config)
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def get_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


def actor(analyst: str | None) -> str:
    """Who acts, for the audit log: --analyst, else MONITOR_ANALYST, else the login name."""
    import getpass
    import os

    return analyst or os.environ.get("MONITOR_ANALYST") or getpass.getuser()
