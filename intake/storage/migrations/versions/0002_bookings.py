"""Consultation bookings; one active booking per slot, enforced by a partial unique index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status != 'cancelled'")


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(12), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("full_name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("contact_method", sa.String(8), nullable=False),
        sa.Column("visit_type", sa.String(16), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=False), nullable=False),
        sa.Column("slot_minutes", sa.Integer, nullable=False),
        sa.Column("priority", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by", sa.String(16), nullable=True),
    )
    op.create_index("uq_bookings_active_slot", "bookings", ["slot_start"], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade() -> None:
    op.drop_index("uq_bookings_active_slot", table_name="bookings")
    op.drop_table("bookings")
