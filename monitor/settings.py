"""Runtime settings resolved from command-line options and the environment.

Precedence is option, then environment variable, then default:

- ``--config`` / ``MONITOR_CONFIG`` / ``./feeds.yaml``
- ``--database`` / ``MONITOR_DATABASE_URL`` / SQLite file in the data directory
- data directory: ``MONITOR_HOME`` / the platform's user data directory
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "focalpoint-monitor"
DB_FILENAME = "monitor.db"


@dataclass(frozen=True)
class Settings:
    home: Path
    config_path: Path
    database_url: str

    @property
    def outputs_dir(self) -> Path:
        return self.home / "outputs"


def resolve_settings(
    config: str | os.PathLike[str] | None = None,
    database: str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    env = dict(os.environ) if env is None else env
    home_value = env.get("MONITOR_HOME")
    home = (
        Path(home_value).expanduser() if home_value else Path(platformdirs.user_data_dir(APP_NAME))
    )
    config_value = config or env.get("MONITOR_CONFIG") or "feeds.yaml"
    database_url = database or env.get("MONITOR_DATABASE_URL") or sqlite_url(home / DB_FILENAME)
    return Settings(
        home=home.resolve(),
        config_path=Path(config_value).expanduser().resolve(),
        database_url=normalise_database_url(database_url),
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.expanduser().resolve()}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
