"""PostgreSQL: liaisons record actuals of their own unit (no-op on SQLite)

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-01 04:00:00

Migration 0007 made ``actuals`` readable by every lctasks role and insertable by
supervisors; this one lets a liaison's login insert, with plain SQL as through
lctasks, only

* an actual signed with their own login (``actor = current_user``),
* of a task of their unit (lead or co-unit) — or of their unit's share of a
  target (``target_shares`` row for their unit), e.g. a county's share of a
  binding indicator led by a city department;

and the matching ``actual`` event (a second permissive policy beside 0003's: the
same rules). Functions follow 0003: invoker's rights, a fixed search path,
schema-qualified names. Updates and deletes of actuals stay revoked for everyone
but the owner: a correction is a newer record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None

LIAISON = "lctasks_liaison"


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar())


def _roles_exist() -> bool:
    return bool(
        op.get_bind()
        .execute(
            sa.text("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = :r"), {"r": LIAISON}
        )
        .scalar()
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not _roles_exist():
        return
    s = _schema()
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_my_share(task integer) RETURNS boolean
        LANGUAGE sql STABLE SECURITY INVOKER {path} AS $$
            SELECT {s}.lctasks_my_unit() IS NOT NULL AND EXISTS (
                SELECT 1 FROM {s}.target_shares sh
                WHERE sh.task_id OPERATOR(pg_catalog.=) task
                  AND sh.unit_id OPERATOR(pg_catalog.=) {s}.lctasks_my_unit())
        $$
        """
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_may_report_key(plan text, task text)
        RETURNS boolean
        LANGUAGE sql STABLE SECURITY INVOKER {path} AS $$
            SELECT EXISTS (
                SELECT 1 FROM {s}.tasks t
                JOIN {s}.plans p ON p.id OPERATOR(pg_catalog.=) t.plan_id
                WHERE p.code::text OPERATOR(pg_catalog.=) plan
                  AND t.key::text OPERATOR(pg_catalog.=) task
                  AND ({s}.lctasks_may_edit(t.id) OR {s}.lctasks_my_share(t.id))
            )
        $$
        """
    )
    op.execute(
        f"CREATE POLICY lctasks_liaison ON {s}.actuals FOR INSERT TO {LIAISON} "
        f"WITH CHECK (actor = current_user AND ("
        f"(unit_id IS NULL AND {s}.lctasks_may_edit(task_id)) OR "
        f"(unit_id IS NOT NULL AND unit_id = {s}.lctasks_my_unit() "
        f"AND {s}.lctasks_my_share(task_id))))"
    )
    op.execute(
        f"CREATE POLICY lctasks_liaison_actual ON {s}.events FOR INSERT TO {LIAISON} "
        f"WITH CHECK (actor = current_user AND action = 'actual' "
        f"AND {s}.lctasks_may_report_key(plan_code, task_key))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not _roles_exist():
        return
    s = _schema()
    op.execute(f"DROP POLICY IF EXISTS lctasks_liaison_actual ON {s}.events")
    op.execute(f"DROP POLICY IF EXISTS lctasks_liaison ON {s}.actuals")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.lctasks_may_report_key(text, text)")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.lctasks_my_share(integer)")
