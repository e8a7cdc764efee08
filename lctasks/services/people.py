"""People, their roles and units: ``lctasks people add / set / list / remove``.

Every change is an event (``person_add``, ``person_set``, ``person_remove``).
Only a supervisor may change people — or anyone while nobody is on record
(single-user mode, see :mod:`lctasks.services.access`); the first person added
must be a supervisor, and the last supervisor cannot be removed or demoted
while others remain, so a configured database is never left unmanageable.

On PostgreSQL a person is a database login. ``add(..., login=True)`` creates
the login role (or takes over an existing one) and grants it the group role
``lctasks_<role>`` (migration 0002 created the groups, their grants and the
row-level security policies); ``set`` moves the login between groups and
``remove`` revokes them. Supervisors' logins get CREATEROLE so that they can do
this themselves. Role DDL is transactional in PostgreSQL: it commits together
with the ``people`` row and its event, or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import AbstractContextManager

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from lctasks.db.models import PersonRow, UnitRow
from lctasks.domain import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    Person,
    Role,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.services import access
from lctasks.services.audit import EventLog
from lctasks.services.base import ServiceContext

MESSAGES.add(
    {
        "people.bad_name": (
            "人员名称“{name}”不可用：{why}",
            "the person name '{name}' cannot be used: {why}",
        ),
        "people.bad_name.hint": (
            "用 1–63 字节的名称，只含文字、数字和 _ . @ -（PostgreSQL 上即数据库登录名），"
            "例如 zhangsan 或 张三",
            "use 1-63 bytes of letters, digits and _ . @ - (on PostgreSQL it is the login), "
            "e.g. zhangsan or 张三",
        ),
        "people.why.empty": ("为空", "empty"),
        "people.why.long": ("超过 63 字节", "longer than 63 bytes"),
        "people.why.chars": (
            "只能包含文字、数字和 _ . @ -",
            "may hold only letters, digits and _ . @ -",
        ),
        "people.why.reserved": ("是保留名称", "is a reserved name"),
        "people.bad_role": (
            "未知角色“{role}”（可用：supervisor、liaison、viewer）",
            "unknown role '{role}' (one of: supervisor, liaison, viewer)",
        ),
        "people.exists": ("人员“{name}”已登记（{role}）", "'{name}' is already on record ({role})"),
        "people.exists.hint": (
            "修改角色或单位用 lctasks people set {name} --role … --unit …",
            "change the role or unit with: lctasks people set {name} --role … --unit …",
        ),
        "people.unknown": ("没有登记人员“{name}”", "nobody called '{name}' is on record"),
        "people.unknown.hint": (
            "用 lctasks people list 查看已登记人员",
            "see who is on record with: lctasks people list",
        ),
        "people.liaison_unit": (
            "联络员必须指定所属单位（--unit）",
            "a liaison needs a unit (--unit)",
        ),
        "people.liaison_unit.hint": (
            "例如：lctasks people add {name} --role liaison --unit 市科技局",
            "e.g. lctasks people add {name} --role liaison --unit 市科技局",
        ),
        "people.first_supervisor": (
            "第一个登记的人员必须是督查室（supervisor），否则无人能管理人员名单",
            "the first person on record must be a supervisor, or nobody could manage people",
        ),
        "people.first_supervisor.hint": (
            "先登记自己：lctasks people add {me} --role supervisor",
            "add yourself first: lctasks people add {me} --role supervisor",
        ),
        "people.last_supervisor": (
            "{name} 是最后一名督查室人员，不能删除或改为其他角色",
            "{name} is the last supervisor and cannot be removed or given another role",
        ),
        "people.last_supervisor.hint": (
            "先登记另一名督查室人员，或先删除其他所有人员",
            "add another supervisor first (or remove everyone else first)",
        ),
        "people.login_sqlite": (
            "数据库登录名只存在于 PostgreSQL；SQLite 上信任本机用户",
            "database logins exist only on PostgreSQL; SQLite trusts the local user",
        ),
        "people.login_sqlite.hint": (
            "去掉 --login；在 SQLite 上用 --as 或 LCTASKS_USER 指明操作人",
            "drop --login; on SQLite name the actor with --as or LCTASKS_USER",
        ),
        "people.nothing": ("没有要修改的内容", "nothing to change"),
        "people.nothing.hint": (
            "给出 --role、--unit、--no-unit 或 --display-name",
            "give --role, --unit, --no-unit or --display-name",
        ),
    }
)

MAX_NAME_BYTES = 63  # PostgreSQL NAMEDATALEN - 1: a person's name is a login there
_RESERVED = {"public", "none", "current_user", "session_user", "current_role", "postgres"}
_NAME_RE = re.compile(r"^[\w.@-]+\Z")  # letters of any script, digits, _ . @ -
GROUP_ROLES = {r: f"lctasks_{r.value}" for r in Role}


def check_name(name: str) -> str:
    """A person's name, validated for both back ends (it is a login on PostgreSQL)."""
    value = unicodedata.normalize("NFC", (name or "").strip())
    why = ""
    if not value:
        why = "people.why.empty"
    elif len(value.encode("utf-8")) > MAX_NAME_BYTES:
        why = "people.why.long"
    elif not _NAME_RE.match(value):
        why = "people.why.chars"
    elif value.lower() in _RESERVED or value.lower().startswith(("pg_", "lctasks_")):
        why = "people.why.reserved"
    if why:
        raise InvalidInputError(
            t("people.bad_name", name=name, why=t(why)), hint=t("people.bad_name.hint")
        )
    return value


def parse_role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    try:
        return Role((role or "").strip().lower())
    except ValueError:
        raise InvalidInputError(t("people.bad_role", role=role)) from None


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    if "\x00" in value:
        raise InvalidInputError("password contains a NUL byte")
    return "'" + value.replace("'", "''") + "'"


class PeopleService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- plumbing -----------------------------------------------------------

    def _write(self) -> AbstractContextManager[Session]:
        return self.ctx.db.write()

    def _is_pg(self) -> bool:
        return not self.ctx.db.is_sqlite

    def _unit(self, s: Session, text_: str) -> UnitRow:
        wanted = text_.strip()
        row = s.scalars(
            select(UnitRow).where((UnitRow.short == wanted) | (UnitRow.name == wanted))
        ).first()
        if row is not None:
            return row
        from lctasks.units import default_directory

        unit = default_directory().resolve(wanted)  # raises with the nearest names
        row = s.scalars(
            select(UnitRow).where((UnitRow.short == unit.short) | (UnitRow.name == unit.name))
        ).first()
        if row is None:  # units not imported yet: take it from the units file
            row = UnitRow(
                name=unit.name, short=unit.short, kind=unit.kind.value, confirmed=unit.confirmed
            )
            s.add(row)
            s.flush()
        return row

    def _get(self, s: Session, name: str) -> PersonRow:
        row = s.get(PersonRow, name)
        if row is None:
            raise NotFoundError(
                t("people.unknown", name=name), hint=t("people.unknown.hint"), ids=(name,)
            )
        return row

    def _supervisors(self, s: Session) -> int:
        return int(
            s.execute(
                select(func.count()).select_from(PersonRow).where(PersonRow.role == "supervisor")
            ).scalar_one()
        )

    def _logins(self, s: Session) -> set[str]:
        if not self._is_pg():
            return set()
        return {
            str(r[0]) for r in s.execute(text("SELECT rolname FROM pg_roles WHERE rolcanlogin"))
        }

    def _role_exists(self, s: Session, name: str) -> bool:
        return (
            s.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
            is not None
        )

    def _grant(self, s: Session, name: str, role: Role) -> None:
        """Put login ``name`` in exactly the group of ``role`` (PostgreSQL)."""
        who = _ident(name)
        for other, group in GROUP_ROLES.items():
            if other is not role:
                member = s.execute(
                    text("SELECT pg_has_role(:n, :g, 'MEMBER')"), {"n": name, "g": group}
                ).scalar()
                if member:
                    s.execute(text(f"REVOKE {group} FROM {who}"))
        s.execute(text(f"GRANT {GROUP_ROLES[role]} TO {who}"))
        attr = "CREATEROLE" if role is Role.SUPERVISOR else "NOCREATEROLE"
        s.execute(text(f"ALTER ROLE {who} {attr}"))

    def _to_person(self, row: PersonRow, logins: set[str] | None) -> Person:
        return Person(
            name=row.name,
            role=Role(row.role),
            unit=row.unit.short if row.unit else None,
            display_name=row.display_name or "",
            login=(row.name in logins) if logins is not None else None,
        )

    # -- public -------------------------------------------------------------

    def add(
        self,
        name: str,
        role: Role | str,
        unit: str | None = None,
        *,
        display_name: str = "",
        login: bool = False,
        password: str | None = None,
    ) -> Person:
        """Put a person on record (and, on PostgreSQL with ``login``, their login)."""
        name = check_name(name)
        role = parse_role(role)
        if login and not self._is_pg():
            raise InvalidInputError(t("people.login_sqlite"), hint=t("people.login_sqlite.hint"))
        if role is Role.LIAISON and not (unit or "").strip():
            raise InvalidInputError(
                t("people.liaison_unit"), hint=t("people.liaison_unit.hint", name=name)
            )
        with self._write() as s:
            access.require(s, self.ctx.actor, "people")
            if access.trusted(s) and role is not Role.SUPERVISOR:
                raise InvalidInputError(
                    t("people.first_supervisor"),
                    hint=t("people.first_supervisor.hint", me=self.ctx.actor.name),
                )
            existing = s.get(PersonRow, name)
            if existing is not None:
                raise ConflictError(
                    t("people.exists", name=name, role=existing.role),
                    hint=t("people.exists.hint", name=name),
                    ids=(name,),
                )
            unit_row = self._unit(s, unit) if unit and unit.strip() else None
            row = PersonRow(
                name=name,
                role=role.value,
                unit_id=unit_row.id if unit_row else None,
                display_name=display_name.strip(),
            )
            s.add(row)
            changes: dict[str, object] = {
                "person": [None, name],
                "role": [None, role.value],
                "unit": [None, unit_row.short if unit_row else None],
            }
            if login:
                who = _ident(name)
                if self._role_exists(s, name):
                    s.execute(text(f"ALTER ROLE {who} LOGIN"))
                else:
                    s.execute(text(f"CREATE ROLE {who} LOGIN"))
                if password:
                    s.execute(text(f"ALTER ROLE {who} PASSWORD {_literal(password)}"))
                self._grant(s, name, role)
                changes["login"] = [False, True]
            elif self._is_pg() and self._role_exists(s, name):
                self._grant(s, name, role)  # an existing login joins its group
            EventLog(s, self.ctx.actor).append(
                "person_add", changes=changes, reason=display_name.strip()
            )
            s.flush()
            access.forget(s)
            return self._to_person(row, self._logins(s) if self._is_pg() else None)

    def set(
        self,
        name: str,
        *,
        role: Role | str | None = None,
        unit: str | None = None,
        no_unit: bool = False,
        display_name: str | None = None,
    ) -> Person:
        """Change a person's role, unit or display name. Unchanged → no event."""
        name = check_name(name)
        new_role = parse_role(role) if role is not None else None
        if new_role is None and unit is None and not no_unit and display_name is None:
            raise InvalidInputError(t("people.nothing"), hint=t("people.nothing.hint"))
        with self._write() as s:
            access.require(s, self.ctx.actor, "people")
            row = self._get(s, name)
            old_role = Role(row.role)
            old_unit = row.unit.short if row.unit else None
            changes: dict[str, object] = {}
            if new_role is not None and new_role is not old_role:
                if old_role is Role.SUPERVISOR and self._supervisors(s) == 1:
                    raise ConflictError(
                        t("people.last_supervisor", name=name),
                        hint=t("people.last_supervisor.hint"),
                        ids=(name,),
                    )
                row.role = new_role.value
                changes["role"] = [old_role.value, new_role.value]
            if no_unit and row.unit_id is not None:
                row.unit_id = None
                changes["unit"] = [old_unit, None]
            elif unit and unit.strip():
                unit_row = self._unit(s, unit)
                if unit_row.id != row.unit_id:
                    row.unit_id = unit_row.id
                    changes["unit"] = [old_unit, unit_row.short]
            if display_name is not None and display_name.strip() != (row.display_name or ""):
                changes["display_name"] = [row.display_name or "", display_name.strip()]
                row.display_name = display_name.strip()
            if Role(row.role) is Role.LIAISON and row.unit_id is None:
                raise InvalidInputError(
                    t("people.liaison_unit"), hint=t("people.liaison_unit.hint", name=name)
                )
            if changes:
                if "role" in changes and self._is_pg() and self._role_exists(s, name):
                    self._grant(s, name, Role(row.role))
                changes["person"] = [name, name]
                EventLog(s, self.ctx.actor).append("person_set", changes=changes)
            s.flush()
            s.refresh(row)
            access.forget(s)
            return self._to_person(row, self._logins(s) if self._is_pg() else None)

    def list(self) -> list[Person]:
        with self.ctx.db.read() as s:
            rows = list(s.scalars(select(PersonRow).order_by(PersonRow.role, PersonRow.name)))
            logins = self._logins(s) if self._is_pg() else None
            return [self._to_person(r, logins) for r in rows]

    def remove(self, name: str) -> Person:
        """Take a person off the record (their login, if any, leaves the lctasks groups)."""
        name = check_name(name)
        with self._write() as s:
            access.require(s, self.ctx.actor, "people")
            row = self._get(s, name)
            logins = self._logins(s) if self._is_pg() else None
            person = self._to_person(row, logins)
            others = int(s.execute(select(func.count()).select_from(PersonRow)).scalar_one()) - 1
            if person.role is Role.SUPERVISOR and self._supervisors(s) == 1 and others > 0:
                raise ConflictError(
                    t("people.last_supervisor", name=name),
                    hint=t("people.last_supervisor.hint"),
                    ids=(name,),
                )
            s.delete(row)
            if self._is_pg() and self._role_exists(s, name):
                for group in GROUP_ROLES.values():
                    member = s.execute(
                        text("SELECT pg_has_role(:n, :g, 'MEMBER')"), {"n": name, "g": group}
                    ).scalar()
                    if member:
                        s.execute(text(f"REVOKE {group} FROM {_ident(name)}"))
            EventLog(s, self.ctx.actor).append(
                "person_remove",
                changes={
                    "person": [name, None],
                    "role": [person.role.value, None],
                    "unit": [person.unit, None],
                },
            )
            access.forget(s)
            return person
