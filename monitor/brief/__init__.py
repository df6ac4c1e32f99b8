"""Brief stage: daily briefings for national competent authorities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from monitor.brief import archive
from monitor.brief.assemble import assemble_briefing
from monitor.brief.model import Briefing
from monitor.brief.render import render
from monitor.config.io import write_atomically
from monitor.config.schema import MonitorConfig
from monitor.errors import MonitorError
from monitor.store.db import Database
from monitor.store.models import AssessedDay


@dataclass(frozen=True)
class Produced:
    archive_id: int
    briefing: Briefing
    reused: bool


def latest_assessed_day(db: Database, not_after: date) -> date:
    with db.session() as session:
        day = session.scalar(select(func.max(AssessedDay.day)).where(AssessedDay.day <= not_after))
    if day is None:
        raise MonitorError("No assessment yet: run `monitor process` (or `monitor assess`) first.")
    return day


def produce(
    db: Database,
    config: MonitorConfig,
    day: date,
    lang: str,
    countries: list[str] | None = None,
    marking: str | None = None,
    rebuild: bool = False,
) -> Produced:
    """The briefing for a day: from the archive if it was made before, else assembled and archived."""
    if not rebuild:
        # A one-off --marking must not stick to later briefings of the same day.
        found = archive.find(db, day, lang, countries, marking or config.briefing.marking)
        if found is not None:
            return Produced(found.id, found.briefing, True)
    briefing = assemble_briefing(db, config, day, lang, marking, countries)
    return Produced(archive.archive(db, briefing, countries), briefing, False)


def write(briefing: Briefing, fmt: str, path: Path) -> Path:
    write_atomically(path, render(briefing, fmt))
    return path


def default_path(folder: Path, briefing: Briefing, fmt: str) -> Path:
    return folder / f"briefing-{briefing.date}-{briefing.lang}.{fmt}"
