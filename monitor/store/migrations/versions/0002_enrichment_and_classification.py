"""enrichment and classification

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:49:35.487373
"""

from alembic import op
import sqlalchemy as sa

from monitor.store.types import UTCDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('classifications',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=60), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('relevance', sa.Float(), nullable=False),
    sa.Column('relevant', sa.Boolean(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('probabilities', sa.JSON(), nullable=False),
    sa.Column('explanations', sa.JSON(), nullable=False),
    sa.Column('classified_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id')
    )
    op.create_table('enrichments',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('language_confidence', sa.Float(), nullable=False),
    sa.Column('language_method', sa.String(length=40), nullable=False),
    sa.Column('primary_country', sa.String(length=3), nullable=True),
    sa.Column('country_source', sa.String(length=10), nullable=False),
    sa.Column('enriched_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id')
    )
    with op.batch_alter_table('enrichments', schema=None) as batch_op:
        batch_op.create_index('ix_enrichments_country', ['primary_country'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('analyst', sa.String(length=100), nullable=False),
    sa.Column('relevant', sa.Boolean(), nullable=True),
    sa.Column('factors', sa.JSON(), nullable=True),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_item', ['item_id'], unique=False)

    op.create_table('item_countries',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'iso3')
    )
    with op.batch_alter_table('item_countries', schema=None) as batch_op:
        batch_op.create_index('ix_item_countries_iso3', ['iso3'], unique=False)

    op.create_table('item_factors',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('factor', sa.String(length=6), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'factor')
    )
    with op.batch_alter_table('item_factors', schema=None) as batch_op:
        batch_op.create_index('ix_item_factors_factor', ['factor'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('item_factors', schema=None) as batch_op:
        batch_op.drop_index('ix_item_factors_factor')

    op.drop_table('item_factors')
    with op.batch_alter_table('item_countries', schema=None) as batch_op:
        batch_op.drop_index('ix_item_countries_iso3')

    op.drop_table('item_countries')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_item')

    op.drop_table('feedback')
    with op.batch_alter_table('enrichments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrichments_country')

    op.drop_table('enrichments')
    op.drop_table('classifications')
