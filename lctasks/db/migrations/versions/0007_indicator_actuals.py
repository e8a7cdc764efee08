"""indicator actuals and county/zone shares of targets

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-01 03:00:00

``actuals`` is append-only (a correction is a newer record); on PostgreSQL it is
readable by every lctasks role, insertable by supervisors and by liaisons for the
tasks of their own unit, and never updated or deleted by anyone but the owner.
``target_shares`` is the office's: supervisors write it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None

SUPERVISOR = "lctasks_supervisor"
LIAISON = "lctasks_liaison"
VIEWER = "lctasks_viewer"
ALL = f"{SUPERVISOR}, {LIAISON}, {VIEWER}"


def upgrade() -> None:
    op.create_table(
        "actuals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("assessment", sa.String(length=16), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_actuals_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_actuals_unit_id_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actuals")),
    )
    with op.batch_alter_table("actuals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_actuals_task", ["task_id", "item", "target", "unit_id"], unique=False
        )
    op.create_table(
        "target_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("compare", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_target_shares_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_target_shares_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_shares")),
        sa.UniqueConstraint("task_id", "item", "target", "unit_id", name="uq_target_shares_key"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    _grant_postgres()


def _roles_exist() -> bool:
    bind = op.get_bind()
    return bool(
        bind.execute(
            sa.text("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = :r"),
            {"r": SUPERVISOR},
        ).scalar()
    )


def _grant_postgres() -> None:
    if not _roles_exist():
        return
    op.execute(f"GRANT SELECT ON actuals, target_shares TO {ALL}")
    op.execute(f"GRANT INSERT ON actuals TO {SUPERVISOR}, {LIAISON}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON target_shares TO {SUPERVISOR}")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON actuals FROM {ALL}")
    op.execute("ALTER TABLE actuals ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY lctasks_read ON actuals FOR SELECT TO {ALL} USING (true)")
    op.execute(
        f"CREATE POLICY lctasks_supervisor ON actuals FOR INSERT TO {SUPERVISOR} WITH CHECK (true)"
    )


def downgrade() -> None:
    op.drop_table("target_shares")
    with op.batch_alter_table("actuals", schema=None) as batch_op:
        batch_op.drop_index("ix_actuals_task")
    op.drop_table("actuals")
