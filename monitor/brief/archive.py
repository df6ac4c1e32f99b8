"""Briefings archived with their inputs, so a past briefing can be rendered again exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from monitor.brief.model import Briefing
from monitor.store.db import Database
from monitor.store.models import BriefingRecord
from monitor.store.types import utcnow


@dataclass(frozen=True)
class ArchivedBriefing:
    id: int
    day: date
    lang: str
    countries: str
    created_at: datetime
    sent_at: datetime | None
    briefing: Briefing


def _key(countries: list[str] | None) -> str:
    return ",".join(sorted(countries or []))


def archive(db: Database, briefing: Briefing, countries: list[str] | None = None) -> int:
    with db.session() as session:
        record = BriefingRecord(
            day=date.fromisoformat(briefing.date),
            lang=briefing.lang,
            countries=_key(countries),
            marking=briefing.marking,
            content=briefing.as_dict(),
            created_at=utcnow(),
            sent_to=[],
        )
        session.add(record)
        session.flush()
        return record.id


def find(
    db: Database,
    day: date,
    lang: str,
    countries: list[str] | None = None,
    marking: str | None = None,
) -> ArchivedBriefing | None:
    """The latest archived briefing for this day, language, country selection and
    (when given) handling marking."""
    with db.session() as session:
        query = select(BriefingRecord).where(
            BriefingRecord.day == day,
            BriefingRecord.lang == lang,
            BriefingRecord.countries == _key(countries),
        )
        if marking is not None:
            query = query.where(BriefingRecord.marking == marking)
        record = session.scalars(query.order_by(BriefingRecord.id.desc())).first()
        return _wrap(record) if record else None


def get(db: Database, briefing_id: int) -> ArchivedBriefing | None:
    with db.session() as session:
        record = session.get(BriefingRecord, briefing_id)
        return _wrap(record) if record else None


def listing(db: Database, limit: int = 30) -> list[ArchivedBriefing]:
    with db.session() as session:
        records = session.scalars(
            select(BriefingRecord).order_by(BriefingRecord.id.desc()).limit(limit)
        ).all()
        return [_wrap(r) for r in records]


def mark_sent(db: Database, briefing_id: int, recipients: list[str]) -> None:
    with db.session() as session:
        record = session.get(BriefingRecord, briefing_id)
        if record is not None:
            record.sent_at = utcnow()
            record.sent_to = list(recipients)


def _wrap(record: BriefingRecord) -> ArchivedBriefing:
    return ArchivedBriefing(
        id=record.id,
        day=record.day,
        lang=record.lang,
        countries=record.countries,
        created_at=record.created_at,
        sent_at=record.sent_at,
        briefing=Briefing.from_dict(record.content),
    )
