"""Mirror ``feeds.yaml`` into the ``feeds`` table.

The file is the operator's intent; the table adds what the collector learned (current
URL after permanent redirects, validators, health). A feed removed from the file keeps
its row and items (``in_config`` turns false) so nothing collected is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config.schema import MonitorConfig
from monitor.store.db import dialect_insert
from monitor.store.models import Feed
from monitor.store.types import utcnow


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    url_changed: list[str] = field(default_factory=list)


def sync_feeds(session: Session, config: MonitorConfig) -> SyncReport:
    report = SyncReport()
    rows = {row.id: row for row in session.scalars(select(Feed))}
    missing = [cfg for cfg in config.feeds if cfg.id not in rows]
    if missing:
        # ON CONFLICT DO NOTHING: another process may be adding the same feeds right now.
        insert = dialect_insert(session)
        now = utcnow()
        session.execute(
            insert(Feed).on_conflict_do_nothing(index_elements=["id"]),
            [{"id": c.id, "url": c.url, "config_url": c.url, "created_at": now} for c in missing],
        )
        ids = [c.id for c in missing]
        rows.update({row.id: row for row in session.scalars(select(Feed).where(Feed.id.in_(ids)))})
        report.added.extend(ids)
    for cfg in config.feeds:
        row = rows.pop(cfg.id)
        if row.config_url != cfg.url:
            row.url = cfg.url
            row.config_url = cfg.url
            row.etag = row.last_modified = row.body_hash = None
            row.consecutive_failures = 0
            row.failing_since = row.next_attempt_at = None
            row.disabled_reason = None
            report.url_changed.append(cfg.id)
        changed = _apply(row, cfg)
        if changed and cfg.id not in report.added:
            report.updated.append(cfg.id)
    for row in rows.values():
        if row.in_config:
            row.in_config = False
            report.retired.append(row.id)
    session.flush()
    return report


def _apply(row: Feed, cfg) -> bool:  # type: ignore[no-untyped-def]
    values = {
        "title": cfg.title,
        "kind": cfg.kind.value,
        "language": cfg.language,
        "countries": list(cfg.countries),
        "tags": list(cfg.tags),
        "poll_interval": cfg.poll_interval,
        "reliability": cfg.reliability,
        "enabled": cfg.enabled,
        "in_config": True,
    }
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed
