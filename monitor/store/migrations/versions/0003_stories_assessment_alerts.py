"""stories assessment alerts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:04:54.637780
"""

from alembic import op
import sqlalchemy as sa

from monitor.store.types import UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('feed_id', sa.String(length=100), nullable=True),
    sa.Column('factors', sa.JSON(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('assignee', sa.String(length=100), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_country_date', ['country', 'date'], unique=False)
        batch_op.create_index('ix_alerts_key', ['rule', 'key'], unique=False)

    op.create_table('country_days',
    sa.Column('country', sa.String(length=3), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('level_name', sa.String(length=30), nullable=False),
    sa.Column('stories_7d', sa.Integer(), nullable=False),
    sa.Column('stories_30d', sa.Integer(), nullable=False),
    sa.Column('baseline_ratio', sa.Float(), nullable=True),
    sa.Column('factors_7d', sa.JSON(), nullable=False),
    sa.Column('factors_30d', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('computed_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('country', 'day')
    )
    with op.batch_alter_table('country_days', schema=None) as batch_op:
        batch_op.create_index('ix_country_days_day', ['day'], unique=False)

    op.create_table('signal_days',
    sa.Column('country', sa.String(length=3), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('factor', sa.String(length=6), nullable=False),
    sa.Column('stories', sa.Integer(), nullable=False),
    sa.Column('sources', sa.Integer(), nullable=False),
    sa.Column('weighted', sa.Float(), nullable=False),
    sa.Column('story_ids', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('country', 'day', 'factor')
    )
    op.create_table('stories',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('source_count', sa.Integer(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('factors', sa.JSON(), nullable=False),
    sa.Column('signature', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index('ix_stories_country_day', ['country', 'last_day'], unique=False)

    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.create_index('ix_alert_events_alert', ['alert_id'], unique=False)

    op.create_table('alert_stories',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('alert_id', 'story_id')
    )
    op.create_table('story_items',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id')
    )
    with op.batch_alter_table('story_items', schema=None) as batch_op:
        batch_op.create_index('ix_story_items_story', ['story_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('story_items', schema=None) as batch_op:
        batch_op.drop_index('ix_story_items_story')

    op.drop_table('story_items')
    op.drop_table('alert_stories')
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_events_alert')

    op.drop_table('alert_events')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('ix_stories_country_day')

    op.drop_table('stories')
    op.drop_table('signal_days')
    with op.batch_alter_table('country_days', schema=None) as batch_op:
        batch_op.drop_index('ix_country_days_day')

    op.drop_table('country_days')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_key')
        batch_op.drop_index('ix_alerts_country_date')

    op.drop_table('alerts')
