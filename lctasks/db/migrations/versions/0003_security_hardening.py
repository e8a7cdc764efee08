"""Security: CHECK constraints, the chain lock row; on PostgreSQL hardened rules

Revision ID: 0003
Revises: 0007
Create Date: 2026-12-01 03:00:00

Both back ends (SQLite through batch mode, which rebuilds the tables):

* CHECK constraints on bounded columns: ``tasks.progress`` 0–100,
  ``tasks.version`` ≥ 1, task dates between 2000-01-01 and 2100-12-31,
  ``progress_reports.percent`` empty or 0–100, ``events.seq`` ≥ 1;
* ``lctasks_chain``: one row (id = 1) that a writer locks (``SELECT … FOR
  UPDATE``) before appending events. Locking a row needs UPDATE privilege, so a
  read-only login cannot hold it (an advisory lock, used before, can be taken
  by anyone who can connect).

PostgreSQL only (migration 0002 made the roles, grants and policies):

* every function behind a policy or trigger is re-created with a fixed
  ``search_path = pg_catalog, <schema>, pg_temp`` and schema-qualified names, so
  a temporary table (``people``, ``pg_roles``, ``pg_class``) cannot stand in for
  the real one; none is SECURITY DEFINER (they run with the caller's rights);
  ``CREATE`` on the schema is revoked from PUBLIC;
* the liaison state machine in the database: a liaison's UPDATE of a task may
  change the status only from an open (not closed) status to in_progress /
  blocked / done, and ``version`` only by +1; checklist ticks and progress
  reports of a closed task are refused;
* row-level security on ``events``: a liaison inserts only their own events
  (actor = login), for tasks of their unit, of the actions a liaison may take
  (progress, check, note, status);
* the event sequence is the database's: a trigger takes the chain lock and
  accepts an event only as the next one (seq = last + 1, prev_hash = last
  hash); the table owner (restore, migrations) and superusers are exempt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0007"
branch_labels = None
depends_on = None

SUPERVISOR = "lctasks_supervisor"
LIAISON = "lctasks_liaison"
VIEWER = "lctasks_viewer"
ALL = f"{SUPERVISOR}, {LIAISON}, {VIEWER}"

FIRST_DAY = "2000-01-01"
LAST_DAY = "2100-12-31"
TASK_CHECKS = {
    "progress_range": "progress >= 0 AND progress <= 100",
    "version_positive": "version >= 1",
    "start_range": f"start >= '{FIRST_DAY}' AND start <= '{LAST_DAY}'",
    "due_range": f"due >= '{FIRST_DAY}' AND due <= '{LAST_DAY}'",
    "original_due_range": (
        f"original_due IS NULL OR (original_due >= '{FIRST_DAY}' AND original_due <= '{LAST_DAY}')"
    ),
}
REPORT_CHECKS = {"percent_range": "percent IS NULL OR (percent >= 0 AND percent <= 100)"}
EVENT_CHECKS = {"seq_positive": "seq >= 1"}
LIAISON_EVENT_ACTIONS = "('progress', 'check', 'note', 'status')"


def _schema() -> str:
    name = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar()
    return '"' + str(name).replace('"', '""') + '"'


def upgrade() -> None:
    op.create_table(
        "lctasks_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_lctasks_chain_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lctasks_chain")),
    )
    op.execute("INSERT INTO lctasks_chain (id) VALUES (1)")
    for table, checks in (
        ("tasks", TASK_CHECKS),
        ("progress_reports", REPORT_CHECKS),
        ("events", EVENT_CHECKS),
    ):
        with op.batch_alter_table(table) as batch:
            for name, condition in checks.items():
                batch.create_check_constraint(name, condition)
    if op.get_bind().dialect.name == "postgresql":
        _postgres(_schema())


def _postgres(s: str) -> None:
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute(f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC")

    # -- the chain lock row: locking it needs UPDATE, which viewers lack ----------
    op.execute(f"REVOKE ALL ON {s}.lctasks_chain FROM PUBLIC, {ALL}")
    op.execute(f"GRANT SELECT ON {s}.lctasks_chain TO {ALL}")
    op.execute(f"GRANT UPDATE (id) ON {s}.lctasks_chain TO {SUPERVISOR}, {LIAISON}")

    # -- who the login is (invoker's rights, fixed search path) -----------------
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_my_unit() RETURNS integer
        LANGUAGE sql STABLE SECURITY INVOKER {path} AS $$
            SELECT p.unit_id FROM {s}.people p
            WHERE p.name OPERATOR(pg_catalog.=) current_user::text
              AND p.role OPERATOR(pg_catalog.=) 'liaison'
        $$
        """
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_may_edit(task integer) RETURNS boolean
        LANGUAGE sql STABLE SECURITY INVOKER {path} AS $$
            SELECT EXISTS (
                SELECT 1 FROM {s}.tasks t
                WHERE t.id OPERATOR(pg_catalog.=) task
                  AND {s}.lctasks_my_unit() IS NOT NULL AND (
                    t.lead_unit_id OPERATOR(pg_catalog.=) {s}.lctasks_my_unit()
                    OR EXISTS (
                        SELECT 1 FROM {s}.task_co_units c
                        WHERE c.task_id OPERATOR(pg_catalog.=) t.id
                          AND c.unit_id OPERATOR(pg_catalog.=) {s}.lctasks_my_unit())
                )
            )
        $$
        """
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_may_work(task integer) RETURNS boolean
        LANGUAGE sql STABLE SECURITY INVOKER {path} AS $$
            SELECT {s}.lctasks_may_edit(task) AND NOT EXISTS (
                SELECT 1 FROM {s}.tasks t
                WHERE t.id OPERATOR(pg_catalog.=) task
                  AND t.status OPERATOR(pg_catalog.=) 'closed'
            )
        $$
        """
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_may_edit_key(plan text, task text)
        RETURNS boolean
        LANGUAGE sql STABLE SECURITY INVOKER {path} AS $$
            SELECT EXISTS (
                SELECT 1 FROM {s}.tasks t JOIN {s}.plans p ON p.id OPERATOR(pg_catalog.=) t.plan_id
                WHERE p.code::text OPERATOR(pg_catalog.=) plan
                  AND t.key::text OPERATOR(pg_catalog.=) task
                  AND {s}.lctasks_may_edit(t.id)
            )
        $$
        """
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_is_admin() RETURNS boolean
        LANGUAGE sql STABLE SECURITY INVOKER {path} AS $$
            SELECT pg_catalog.pg_has_role(
                current_user,
                (SELECT c.relowner FROM pg_catalog.pg_class c
                 WHERE c.oid OPERATOR(pg_catalog.=) '{s}.events'::pg_catalog.regclass),
                'MEMBER')
        $$
        """
    )

    # -- policies: checklist ticks and reports only on open tasks ----------------
    op.execute(f"DROP POLICY lctasks_liaison ON {s}.progress_reports")
    op.execute(
        f"CREATE POLICY lctasks_liaison ON {s}.progress_reports FOR INSERT TO {LIAISON} "
        f"WITH CHECK ({s}.lctasks_may_work(task_id) AND actor = current_user)"
    )
    op.execute(f"DROP POLICY lctasks_liaison ON {s}.checklist_items")
    op.execute(
        f"CREATE POLICY lctasks_liaison ON {s}.checklist_items FOR UPDATE TO {LIAISON} "
        f"USING ({s}.lctasks_may_work(task_id)) WITH CHECK ({s}.lctasks_may_work(task_id))"
    )

    # -- row-level security on the history ---------------------------------------
    op.execute(f"ALTER TABLE {s}.events ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY lctasks_read ON {s}.events FOR SELECT TO {ALL} USING (true)")
    op.execute(
        f"CREATE POLICY lctasks_supervisor ON {s}.events FOR INSERT TO {SUPERVISOR} "
        "WITH CHECK (true)"
    )
    op.execute(
        f"CREATE POLICY lctasks_liaison ON {s}.events FOR INSERT TO {LIAISON} "
        f"WITH CHECK (actor = current_user AND action IN {LIAISON_EVENT_ACTIONS} "
        f"AND {s}.lctasks_may_edit_key(plan_code, task_key))"
    )

    # -- triggers ------------------------------------------------------------------
    op.execute(f"DROP TRIGGER IF EXISTS lctasks_liaison_status ON {s}.tasks")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.lctasks_liaison_status()")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_task_guard() RETURNS trigger
        LANGUAGE plpgsql SECURITY INVOKER {path} AS $$
        BEGIN
            IF {s}.lctasks_is_admin()
               OR pg_catalog.pg_has_role(current_user, '{SUPERVISOR}', 'MEMBER') THEN
                RETURN NEW;
            END IF;
            IF NEW.status IS DISTINCT FROM OLD.status AND (
                   OLD.status OPERATOR(pg_catalog.=) 'closed'
                   OR NEW.status NOT IN ('in_progress', 'blocked', 'done')) THEN
                RAISE EXCEPTION 'lctasks: a liaison may not change the status from % to %',
                    OLD.status, NEW.status
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.version IS DISTINCT FROM OLD.version
               AND NEW.version IS DISTINCT FROM OLD.version OPERATOR(pg_catalog.+) 1 THEN
                RAISE EXCEPTION 'lctasks: a liaison may only bump the version by one (% to %)',
                    OLD.version, NEW.version
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER lctasks_task_guard BEFORE UPDATE ON {s}.tasks "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.lctasks_task_guard()"
    )
    # the same trigger (lctasks_event_actor, migration 0002), a safe body
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {s}.lctasks_event_actor() RETURNS trigger
        LANGUAGE plpgsql SECURITY INVOKER {path} AS $$
        DECLARE
            last_seq integer;
            last_hash text;
        BEGIN
            IF NEW.actor IS DISTINCT FROM current_user::text
               AND NOT {s}.lctasks_is_admin() THEN
                RAISE EXCEPTION 'lctasks: event actor % is not the login %',
                    NEW.actor, current_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            -- the chain lock (the writer normally holds it already)
            PERFORM 1 FROM {s}.lctasks_chain FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'lctasks: the chain lock row is missing'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF {s}.lctasks_is_admin() THEN
                RETURN NEW;
            END IF;
            SELECT e.seq, e.hash INTO last_seq, last_hash
              FROM {s}.events e ORDER BY e.seq DESC LIMIT 1;
            IF NOT FOUND THEN
                last_seq := 0;
                last_hash := pg_catalog.repeat('0', 64);
            END IF;
            IF NEW.seq IS DISTINCT FROM last_seq OPERATOR(pg_catalog.+) 1
               OR NEW.prev_hash IS DISTINCT FROM last_hash THEN
                RAISE EXCEPTION 'lctasks: the next event is number % after hash %',
                    last_seq OPERATOR(pg_catalog.+) 1, last_hash
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        s = _schema()
        op.execute(f"DROP POLICY IF EXISTS lctasks_liaison ON {s}.events")
        op.execute(f"DROP POLICY IF EXISTS lctasks_supervisor ON {s}.events")
        op.execute(f"DROP POLICY IF EXISTS lctasks_read ON {s}.events")
        op.execute(f"ALTER TABLE {s}.events DISABLE ROW LEVEL SECURITY")
        op.execute(f"DROP TRIGGER IF EXISTS lctasks_task_guard ON {s}.tasks")
        op.execute(f"DROP FUNCTION IF EXISTS {s}.lctasks_task_guard()")
        # migration 0002's functions stay (hardened); its status trigger is not restored
    for table, checks in (
        ("events", EVENT_CHECKS),
        ("progress_reports", REPORT_CHECKS),
        ("tasks", TASK_CHECKS),
    ):
        with op.batch_alter_table(table) as batch:
            for name in checks:
                batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    op.drop_table("lctasks_chain")
