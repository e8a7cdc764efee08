"""Who may do what: roles supervisor / liaison / viewer, and who is acting.

Roles (``people`` table, managed with ``lctasks people``):

============ ===========================================================
supervisor   督查室: everything (assign, accept, close/销号, return, reopen,
             extend, apply reviews, import, people, restore)
liaison      a unit's liaison: progress, check (checklist items), note, and
             status → in_progress / blocked / done — only on tasks whose lead
             unit or a co-unit is their unit
viewer       read only
============ ===========================================================

**Single-user mode.** While the ``people`` table is empty (a laptop, a fresh
database) everyone who can open the database is trusted with everything. The
first person added must be a supervisor, so a configured database always has
someone who can manage it.

**Identity.** On SQLite the local user is trusted: ``--as`` / ``LCTASKS_USER``
/ the OS user names the actor, and anyone who can write the file could claim
any name (file permissions are the only protection). On PostgreSQL the actor
is the database login (``current_user``), never ``--as``: a ``--as`` naming
somebody else is refused (:func:`identify`), and the database itself enforces
the same rules for plain SQL (grants, row-level security and an events trigger,
migration 0002).

Services call :func:`require` inside their write transaction, before changing
anything; it raises :class:`PermissionDeniedError` (exit code 6). For the
``status`` action pass the target status as ``to=`` so the liaison rule can be
checked exactly; the database (PostgreSQL) refuses other targets in any case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from lctasks.domain import Actor, PermissionDeniedError, Role, Source, Status
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lctasks.db.engine import Database

# Actions a liaison may take on their own unit's tasks.
LIAISON_ACTIONS = frozenset({"progress", "check", "note", "status"})
# Statuses a liaison may set with the ``status`` action.
LIAISON_STATUSES = frozenset({Status.IN_PROGRESS, Status.BLOCKED, Status.DONE})
# Actions that change nothing (allowed to every listed person).
READ_ACTIONS = frozenset({"read", "list", "show", "log", "report", "export", "backup"})

MESSAGES.add(
    {
        "access.unknown": (
            "“{name}”不在人员名单中，不能{action}",
            "'{name}' is not in the list of people and may not {action}",
        ),
        "access.unknown.hint": (
            "请督查室登记：lctasks people add {name} --role liaison --unit 单位",
            "ask the supervision office to add you: "
            "lctasks people add {name} --role liaison --unit UNIT",
        ),
        "access.viewer": (
            "{name} 是只读用户（viewer），不能{action}",
            "{name} is a viewer (read only) and may not {action}",
        ),
        "access.viewer.hint": (
            "需要修改时，请督查室调整角色：lctasks people set {name} --role liaison --unit 单位",
            "ask the supervision office to change the role: "
            "lctasks people set {name} --role liaison --unit UNIT",
        ),
        "access.supervisor_only": (
            "“{action}”只能由督查室（supervisor）操作，{name} 是{role}",
            "only the supervision office (supervisor) may {action}; {name} is a {role}",
        ),
        "access.supervisor_only.hint": (
            "请督查室人员操作，或请其调整你的角色",
            "ask someone in the supervision office to do it",
        ),
        "access.not_my_unit": (
            "任务 {task} 的牵头或配合单位中没有 {unit}，{name} 不能{action}",
            "task {task} is not led or co-owned by {unit}; {name} may not {action}",
        ),
        "access.not_my_unit.hint": (
            "联络员只能处理本单位牵头或配合的任务；分工有误请联系督查室",
            "a liaison works only on tasks their unit leads or co-owns; "
            "ask the supervision office if the assignment is wrong",
        ),
        "access.no_unit": (
            "联络员 {name} 没有登记所属单位，不能{action}",
            "liaison {name} has no unit on record and may not {action}",
        ),
        "access.no_unit.hint": (
            "请督查室登记单位：lctasks people set {name} --unit 单位",
            "ask the supervision office: lctasks people set {name} --unit UNIT",
        ),
        "access.liaison_status": (
            "联络员只能把状态设为 推进中、受阻 或 已完成（待销号），不能设为“{status}”",
            "a liaison may set the status to in progress, blocked or done only, not {status}",
        ),
        "access.liaison_status.hint": (
            "暂缓、退回、销号等请督查室操作",
            "suspending, returning and closing are for the supervision office",
        ),
        "identity.pg_as": (
            "在 PostgreSQL 上，操作人就是数据库登录名“{login}”，不能用 --as {name} 代替他人操作",
            "on PostgreSQL the acting person is the database login '{login}'; "
            "--as {name} cannot act for somebody else",
        ),
        "identity.pg_as.hint": (
            "以 {name} 的身份连接数据库（连接 URL 中的用户名），或去掉 --as",
            "connect as {name} (the user in the database URL), or drop --as",
        ),
        "role.supervisor": ("督查室（supervisor）", "supervisor"),
        "role.liaison": ("单位联络员（liaison）", "liaison"),
        "role.viewer": ("只读用户（viewer）", "viewer"),
        "access.action.assign": ("分配责任单位", "assign owners"),
        "access.action.accept": ("采纳建议的责任单位", "accept suggested owners"),
        "access.action.status": ("修改状态", "change the status"),
        "access.action.progress": ("报送进展", "report progress"),
        "access.action.check": ("勾选清单项", "tick checklist items"),
        "access.action.close": ("销号", "close (销号)"),
        "access.action.return": ("退回", "return"),
        "access.action.reopen": ("重新打开", "reopen"),
        "access.action.extend": ("延期", "extend the deadline"),
        "access.action.note": ("添加备注", "add a note"),
        "access.action.apply": ("应用审定的快照", "apply a reviewed snapshot"),
        "access.action.import": ("导入规划", "import a plan"),
        "access.action.people": ("管理人员和角色", "manage people and roles"),
        "access.action.restore": ("从备份恢复", "restore from a backup"),
    }
)

_CACHE_KEY = "lctasks.access"


class TaskLike(Protocol):
    """What ``require`` needs of a task: a ``TaskRow`` or any row-like object.

    Pass what the caller already holds (the workflow's own task record): loading
    a ``TaskRow`` with ``session.get`` costs three queries per task (its
    co-units and checklist load with it) — 44 s for a 5,000-ID batch on
    PostgreSQL, against milliseconds for the check itself.
    """

    @property
    def id(self) -> int: ...

    @property
    def key(self) -> str: ...

    @property
    def lead_unit_id(self) -> int | None: ...


@dataclass(frozen=True)
class _Who:
    role: Role
    unit_id: int | None


def action_label(action: str) -> str:
    key = f"access.action.{action}"
    return t(key) if key in MESSAGES else action


def _people(session: Session) -> dict[str, _Who]:
    """Everyone on record, read once per transaction (a 5,000-ID batch asks often)."""
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, dict):
        return cached
    from sqlalchemy import select

    from lctasks.db.models import PersonRow

    people: dict[str, _Who] = {}
    for name, role, unit_id in session.execute(
        select(PersonRow.name, PersonRow.role, PersonRow.unit_id)
    ):
        people[name] = _Who(Role(role), unit_id)
    session.info[_CACHE_KEY] = people
    return people


def forget(session: Session) -> None:
    """Drop the per-transaction cache (after the people table changed)."""
    session.info.pop(_CACHE_KEY, None)


def trusted(session: Session) -> bool:
    """True while no people are configured: single-user mode, everyone trusted."""
    return not _people(session)


def require(
    session: Session,
    actor: Actor,
    action: str,
    task: TaskLike | None = None,
    *,
    to: Status | str | None = None,
) -> None:
    """Raise PermissionDeniedError when ``actor`` may not do ``action`` on ``task``.

    ``to`` is the target status for ``action="status"``.
    """
    people = _people(session)
    if not people:
        return  # single-user mode: everyone trusted
    who = people.get(actor.name)
    label = action_label(action)
    if who is None:
        raise PermissionDeniedError(
            t("access.unknown", name=actor.name, action=label),
            hint=t("access.unknown.hint", name=actor.name),
        )
    if who.role is Role.SUPERVISOR or action in READ_ACTIONS:
        return
    if who.role is Role.VIEWER:
        raise PermissionDeniedError(
            t("access.viewer", name=actor.name, action=label),
            hint=t("access.viewer.hint", name=actor.name),
        )
    # liaison
    if action not in LIAISON_ACTIONS or task is None:
        raise PermissionDeniedError(
            t(
                "access.supervisor_only",
                action=label,
                name=actor.name,
                role=t(f"role.{who.role.value}"),
            ),
            hint=t("access.supervisor_only.hint"),
        )
    if action == "status" and to is not None:
        target = Status(str(to))
        if target not in LIAISON_STATUSES:
            raise PermissionDeniedError(
                t("access.liaison_status", status=t(f"status.{target.value}")),
                hint=t("access.liaison_status.hint"),
                ids=(task.key,),
            )
    if who.unit_id is None:
        raise PermissionDeniedError(
            t("access.no_unit", name=actor.name, action=label),
            hint=t("access.no_unit.hint", name=actor.name),
        )
    if not _task_is_units(session, task, who.unit_id):
        raise PermissionDeniedError(
            t(
                "access.not_my_unit",
                task=task.key,
                unit=_unit_short(session, who.unit_id),
                name=actor.name,
                action=label,
            ),
            hint=t("access.not_my_unit.hint"),
            ids=(task.key,),
        )


def _task_is_units(session: Session, task: TaskLike, unit_id: int) -> bool:
    if task.lead_unit_id == unit_id:
        return True
    from sqlalchemy import select

    from lctasks.db.models import CoUnitRow

    found = session.execute(
        select(CoUnitRow.unit_id).where(CoUnitRow.task_id == task.id, CoUnitRow.unit_id == unit_id)
    ).first()
    return found is not None


def _unit_short(session: Session, unit_id: int) -> str:
    from lctasks.db.models import UnitRow

    row = session.get(UnitRow, unit_id)
    return row.short if row else str(unit_id)


# ---------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------


def current_login(db: Database) -> str:
    """The PostgreSQL login of this connection (``current_user``)."""
    from sqlalchemy import text

    with db.read() as s:
        return str(s.execute(text("SELECT current_user")).scalar_one())


def identify(
    db: Database, claimed: str, *, explicit: bool = False, source: Source = Source.CLI
) -> Actor:
    """Who is acting on ``db``.

    SQLite: ``claimed`` (``--as`` / ``LCTASKS_USER`` / the OS user) is trusted.
    PostgreSQL: the login, always. ``explicit`` says ``claimed`` came from
    ``--as`` on the command line: naming somebody else there is refused.
    (``LCTASKS_USER`` is ambient configuration for SQLite and is ignored.)
    """
    if db.is_sqlite:
        return Actor(claimed, source)
    login = current_login(db)
    if explicit and claimed != login:
        raise PermissionDeniedError(
            t("identity.pg_as", login=login, name=claimed),
            hint=t("identity.pg_as.hint", name=claimed),
        )
    return Actor(login, source)
