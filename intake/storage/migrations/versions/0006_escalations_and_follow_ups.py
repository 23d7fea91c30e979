"""Acknowledgement of urgent items, their escalation to the on-call contact, and crisis follow-ups.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("urgent_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("handoffs", sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("handoffs", sa.Column("acknowledged_by", sa.String(64), nullable=True))
    # Items from before: urgent since they were made, acknowledged when someone claimed or closed them.
    op.execute("UPDATE handoffs SET urgent_at = created_at WHERE priority = 'urgent'")
    op.execute("UPDATE handoffs SET acknowledged_at = COALESCE(claimed_at, closed_at), acknowledged_by = claimed_by "
               "WHERE priority = 'urgent' AND (claimed_at IS NOT NULL OR closed_at IS NOT NULL)")
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("after_minutes", sa.Float, nullable=False),
        sa.Column("contact_name", sa.String(100), nullable=False),
        sa.Column("note", sa.String(300), nullable=True),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
    )
    # Open crisis items from before get their follow-up task too (closed ones were dealt with).
    op.execute("INSERT INTO follow_ups (handoff_id, created_at) "
               "SELECT id, created_at FROM handoffs WHERE priority = 'urgent' AND status != 'closed'")


def downgrade() -> None:
    op.drop_table("follow_ups")
    op.drop_table("escalations")
    op.drop_column("handoffs", "acknowledged_by")
    op.drop_column("handoffs", "acknowledged_at")
    op.drop_column("handoffs", "urgent_at")
