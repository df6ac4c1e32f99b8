"""Analyst triage of alerts: status changes, assignment and notes, all audited.

Statuses: ``new`` -> ``acknowledged`` -> ``escalated``; any open alert can be
``dismissed`` (a reason is required) or ``closed``. Every change writes an audit event
with who, when, what, and the alert before and after.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerts.engine import OPEN, record_event, snapshot
from monitor.errors import MonitorError
from monitor.store.db import Database
from monitor.store.models import Alert
from monitor.store.types import utcnow

TRANSITIONS = {
    "ack": ({"new"}, "acknowledged"),
    "escalate": ({"new", "acknowledged"}, "escalated"),
    "dismiss": (set(OPEN), "dismissed"),
    "close": (set(OPEN), "closed"),
    "reopen": ({"dismissed", "closed"}, "acknowledged"),
}


class TriageError(MonitorError):
    pass


def _get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise TriageError(f"No alert with id {alert_id}.")
    return alert


def _refuse_second_open(session: Session, alert: Alert) -> None:
    other = session.scalars(
        select(Alert.id).where(
            Alert.rule == alert.rule,
            Alert.key == alert.key,
            Alert.status.in_(OPEN),
            Alert.id != alert.id,
        )
    ).first()
    if other is not None:
        raise TriageError(
            f"Alert {alert.id} cannot be reopened: alert {other} is open for the same "
            f"condition; add your note there (monitor alerts note {other})."
        )


def change_status(
    db: Database, alert_id: int, action: str, actor: str, note: str | None = None
) -> Alert:
    allowed, target = TRANSITIONS[action]
    if action == "dismiss" and not (note and note.strip()):
        raise TriageError("Dismissing an alert needs a reason (--reason).")
    with db.session() as session:
        alert = _get(session, alert_id)
        if alert.status not in allowed:
            raise TriageError(
                f"Alert {alert_id} is {alert.status}; {action} applies to {' or '.join(sorted(allowed))} alerts."
            )
        if target in OPEN:
            _refuse_second_open(session, alert)
        before = snapshot(alert)
        now = utcnow()
        alert.status = target
        alert.updated_at = now
        alert.closed_at = now if target in ("dismissed", "closed") else None
        record_event(session, alert, actor, action, now, before, note)
        return alert


def assign(db: Database, alert_id: int, assignee: str | None, actor: str) -> Alert:
    with db.session() as session:
        alert = _get(session, alert_id)
        before = snapshot(alert)
        now = utcnow()
        alert.assignee = assignee or None
        alert.updated_at = now
        record_event(session, alert, actor, "assign", now, before, None)
        return alert


def add_note(db: Database, alert_id: int, note: str, actor: str) -> Alert:
    if not note.strip():
        raise TriageError("A note cannot be empty.")
    with db.session() as session:
        alert = _get(session, alert_id)
        now = utcnow()
        alert.updated_at = now
        record_event(session, alert, actor, "note", now, None, note.strip(), after=False)
        return alert
