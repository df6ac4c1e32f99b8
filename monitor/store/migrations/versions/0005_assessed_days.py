"""assessed days

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 00:00:00
"""

from alembic import op
import sqlalchemy as sa

from monitor.store.types import UTCDateTime


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessed_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('countries', sa.Integer(), nullable=False),
    sa.Column('computed_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    # Days assessed before this table existed are those with country levels.
    op.execute(
        "INSERT INTO assessed_days (day, countries, computed_at) "
        "SELECT day, count(*), max(computed_at) FROM country_days GROUP BY day"
    )


def downgrade() -> None:
    op.drop_table('assessed_days')
