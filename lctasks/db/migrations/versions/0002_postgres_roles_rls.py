"""PostgreSQL: lctasks group roles, grants, row-level security (no-op on SQLite)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 01:40:00

The database enforces the same rules as ``lctasks.services.access``, so a
liaison's login cannot bypass lctasks with plain SQL:

* group roles ``lctasks_supervisor``, ``lctasks_liaison``, ``lctasks_viewer``
  (cluster-wide; created when missing, never dropped);
* everyone in them may read every table; supervisors may change everything
  except the history; liaisons may UPDATE only the working columns of tasks
  (status, progress, version, updated_at), INSERT progress reports, tick
  checklist items (``done``) and INSERT events; viewers read only;
* ``events`` is INSERT-only for everyone (UPDATE, DELETE, TRUNCATE revoked; the
  hash chain catches what an owner or superuser might still do), and a trigger
  refuses an event whose actor is not the login (``current_user``) unless the
  login owns the table (restore, migrations) or is a superuser;
* row-level security on tasks, progress_reports, checklist_items and
  task_co_units: a liaison's UPDATE/INSERT reaches only rows of tasks whose lead
  unit or a co-unit is the liaison's unit (``people`` looked up by
  ``current_user``) — another unit's task is refused (tasks) or not touched
  (0 rows: checklist items); a trigger refuses a liaison's status change to anything
  but in_progress / blocked / done.

The table owner (who runs migrations) is not subject to row-level security.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SUPERVISOR = "lctasks_supervisor"
LIAISON = "lctasks_liaison"
VIEWER = "lctasks_viewer"
GROUPS = (SUPERVISOR, LIAISON, VIEWER)
ALL = ", ".join(GROUPS)
RLS_TABLES = ("tasks", "progress_reports", "checklist_items", "task_co_units")
LIAISON_STATUSES = "('in_progress', 'blocked', 'done')"


def _schema() -> str:
    name = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar()
    return '"' + str(name).replace('"', '""') + '"'


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    for group in GROUPS:
        op.execute(
            f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') THEN
                    CREATE ROLE {group} NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """
        )

    # -- grants ---------------------------------------------------------------
    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {ALL}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {ALL}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {SUPERVISOR}")
    op.execute(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {SUPERVISOR}, {LIAISON}"
    )
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {SUPERVISOR}")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC, {ALL}")
    op.execute(f"GRANT UPDATE (status, progress, version, updated_at) ON tasks TO {LIAISON}")
    op.execute(f"GRANT INSERT ON progress_reports TO {LIAISON}")
    op.execute(f"GRANT UPDATE (done) ON checklist_items TO {LIAISON}")
    op.execute(f"GRANT INSERT ON events TO {LIAISON}")
    # tables later migrations create (as the same owner): readable by all,
    # changeable by supervisors
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {ALL}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT INSERT, UPDATE, DELETE ON TABLES TO {SUPERVISOR}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {SUPERVISOR}, {LIAISON}"
    )

    # -- who the login is ---------------------------------------------------
    op.execute(
        """
        CREATE OR REPLACE FUNCTION lctasks_my_unit() RETURNS integer
        LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
            SELECT unit_id FROM people WHERE name = current_user AND role = 'liaison'
        $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION lctasks_may_edit(task integer) RETURNS boolean
        LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
            SELECT EXISTS (
                SELECT 1 FROM tasks t
                WHERE t.id = task AND lctasks_my_unit() IS NOT NULL AND (
                    t.lead_unit_id = lctasks_my_unit()
                    OR EXISTS (SELECT 1 FROM task_co_units c
                               WHERE c.task_id = t.id AND c.unit_id = lctasks_my_unit())
                )
            )
        $$
        """
    )

    # -- row-level security ---------------------------------------------------
    for table in RLS_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY lctasks_read ON {table} FOR SELECT TO {ALL} USING (true)")
        op.execute(
            f"CREATE POLICY lctasks_supervisor ON {table} FOR ALL TO {SUPERVISOR} "
            "USING (true) WITH CHECK (true)"
        )
    # USING (true): a liaison may lock any task (lctasks reads a batch FOR UPDATE,
    # then names the tasks the liaison may not change); the row written must be
    # their unit's, or the UPDATE is refused (lead_unit_id is not theirs to set).
    op.execute(
        f"CREATE POLICY lctasks_liaison ON tasks FOR UPDATE TO {LIAISON} "
        "USING (true) WITH CHECK (lctasks_may_edit(id))"
    )
    op.execute(
        f"CREATE POLICY lctasks_liaison ON progress_reports FOR INSERT TO {LIAISON} "
        "WITH CHECK (lctasks_may_edit(task_id) AND actor = current_user)"
    )
    op.execute(
        f"CREATE POLICY lctasks_liaison ON checklist_items FOR UPDATE TO {LIAISON} "
        "USING (lctasks_may_edit(task_id)) WITH CHECK (lctasks_may_edit(task_id))"
    )

    # -- triggers ---------------------------------------------------------------
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION lctasks_liaison_status() RETURNS trigger
        LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF NEW.status IS DISTINCT FROM OLD.status
               AND NEW.status NOT IN {LIAISON_STATUSES}
               AND lctasks_my_unit() IS NOT NULL
               AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                RAISE EXCEPTION 'lctasks: a liaison may not set status %', NEW.status
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER lctasks_liaison_status BEFORE UPDATE OF status ON tasks "
        "FOR EACH ROW EXECUTE FUNCTION lctasks_liaison_status()"
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION lctasks_event_actor() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.actor IS DISTINCT FROM current_user::text
               AND NOT pg_has_role(current_user,
                                   (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
                                   'MEMBER') THEN
                RAISE EXCEPTION 'lctasks: event actor % is not the login %', NEW.actor, current_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER lctasks_event_actor BEFORE INSERT ON events "
        "FOR EACH ROW EXECUTE FUNCTION lctasks_event_actor()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    op.execute("DROP TRIGGER IF EXISTS lctasks_event_actor ON events")
    op.execute("DROP TRIGGER IF EXISTS lctasks_liaison_status ON tasks")
    op.execute("DROP FUNCTION IF EXISTS lctasks_event_actor()")
    op.execute("DROP FUNCTION IF EXISTS lctasks_liaison_status()")
    for table in RLS_TABLES:
        for policy in ("lctasks_read", "lctasks_supervisor", "lctasks_liaison"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS lctasks_may_edit(integer)")
    op.execute("DROP FUNCTION IF EXISTS lctasks_my_unit()")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {ALL}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {ALL}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {ALL}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM {ALL}")
    op.execute(f"REVOKE USAGE ON SCHEMA {schema} FROM {ALL}")
