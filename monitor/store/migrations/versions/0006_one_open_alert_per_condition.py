"""one open alert per condition

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 02:00:00

Two assessors running at once could both raise the same alert. Before the unique index
is created, any such duplicates still open are closed in favour of the newest one,
with a line in each alert's audit log saying so.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from monitor.store.types import JSONType, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = ("new", "acknowledged", "escalated")
WHERE = "status IN ('new', 'acknowledged', 'escalated')"


def upgrade() -> None:
    conn = op.get_bind()
    alerts = sa.table(
        "alerts",
        sa.column("id", sa.Integer),
        sa.column("rule", sa.String),
        sa.column("key", sa.String),
        sa.column("status", sa.String),
        sa.column("closed_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    events = sa.table(
        "alert_events",
        sa.column("alert_id", sa.Integer),
        sa.column("at", UTCDateTime()),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("before", JSONType),
        sa.column("after", JSONType),
        sa.column("note", sa.Text),
    )
    rows = conn.execute(
        sa.select(alerts.c.id, alerts.c.rule, alerts.c.key, alerts.c.status)
        .where(alerts.c.status.in_(OPEN))
        .order_by(alerts.c.rule, alerts.c.key, alerts.c.id.desc())
    ).all()
    now = datetime.now(UTC)
    kept: dict[tuple[str, str], int] = {}
    for alert_id, rule, key, status in rows:
        newest = kept.setdefault((rule, key), alert_id)
        if newest == alert_id:
            continue
        conn.execute(
            alerts.update()
            .where(alerts.c.id == alert_id)
            .values(status="closed", closed_at=now, updated_at=now)
        )
        conn.execute(
            events.insert().values(
                alert_id=alert_id,
                at=now,
                actor="system",
                action="close",
                before={"status": status},
                after={"status": "closed"},
                note=f"Duplicate of alert {newest}, raised by two assessments at once; "
                "closed by the upgrade to one open alert per condition.",
            )
        )
    op.create_index(
        "uq_alerts_open_key",
        "alerts",
        ["rule", "key"],
        unique=True,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_alerts_open_key", table_name="alerts")
