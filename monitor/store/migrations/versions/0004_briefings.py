"""briefings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 23:46:15.420629
"""

from alembic import op
import sqlalchemy as sa

from monitor.store.types import UTCDateTime


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('briefings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('countries', sa.String(length=400), nullable=False),
    sa.Column('marking', sa.String(length=100), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.Column('sent_to', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.create_index('ix_briefings_day_lang', ['day', 'lang'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.drop_index('ix_briefings_day_lang')

    op.drop_table('briefings')
