"""Sign-in throttling by address and by account (growing waits instead of a lockout), an optional
TOTP second factor for staff, and the record of which staff member read which conversation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("next_allowed_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger, nullable=True))
    op.create_table(
        "staff_reads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("staff_username", sa.String(64), nullable=False, index=True),
        sa.Column("handoff_id", sa.Integer, nullable=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("what", sa.String(32), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("staff_reads")
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
    op.drop_table("sign_in_throttles")
