"""events.mac: the keyed hash (HMAC) of each event, for a chain keyed outside the DB

Revision ID: 0004
Revises: 0008
Create Date: 2026-12-01 03:10:00

``mac`` is ``<key id>:<HMAC-SHA256(key, hash)>`` or "" for an event written
without a key (every event before this revision). The key itself never enters
the database (``lctasks.services.keys``). On PostgreSQL the column inherits the
table's grants: INSERT for writers, no UPDATE/DELETE for anyone but the owner.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mac", sa.String(length=80), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("mac")
