"""Finding a plan and its tasks inside a caller's session.

Every service that works on tasks (ledger, workflow, snapshot, TUI) starts
here: ``resolve_plan`` picks the plan a command means (``--plan CODE``, or the
only plan loaded), ``load_tasks`` fetches the rows for the IDs a user typed and
names *every* unknown one at once, with the nearest real IDs as a hint, so a
script that closes twenty tasks learns about all its typos in one run.

These helpers take a Session and never commit: the calling service owns the
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from lctasks.db.models import PlanRow, TaskRow
from lctasks.domain import NotFoundError
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.keys import did_you_mean, near_keys, normalize_key  # noqa: F401  (near_keys: API)
from lctasks.services.plan_choice import choose_plan

MESSAGES.add(
    {
        "tasks.unknown": (
            "规划 {plan} 中没有这些任务（{n} 个）：{keys}",
            "no such task in plan {plan} ({n}): {keys}",
        ),
        "tasks.list_hint": (
            "用 lctasks --plan {plan} list 查看全部任务编号",
            "see every task ID with: lctasks --plan {plan} list",
        ),
    }
)


def resolve_plan(session: Session, code: str | None) -> PlanRow:
    """The plan named by ``code``, or the only plan in the database (``choose_plan``)."""
    plans = {p.id: p for p in session.scalars(select(PlanRow).order_by(PlanRow.code))}
    plan_id, _code = choose_plan([(p.id, p.code) for p in plans.values()], code)
    return plans[plan_id]


def load_tasks(session: Session, plan_row: PlanRow, keys: Iterable[str]) -> dict[str, TaskRow]:
    """Rows for ``keys`` (as typed; matched case-insensitively) in ``plan_row``.

    The result maps each key *as given* to its row, in the order given; removed
    tasks (gone from the plan at the last re-import) are returned too — their
    ``removed`` flag is for the caller to judge. Raises NotFoundError naming
    every unknown key, with near keys of the same plan as a hint.
    """
    given = list(dict.fromkeys(k for k in keys))
    if not given:
        return {}
    wanted = {k: normalize_key(k) for k in given}
    found: dict[str, TaskRow] = {}
    unique = sorted(set(wanted.values()))
    # chunk the IN list: PostgreSQL and SQLite both cap bound parameters
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        for row in session.scalars(
            select(TaskRow).where(TaskRow.plan_id == plan_row.id, TaskRow.key.in_(chunk))
        ):
            found[row.key] = row
    missing = [k for k in given if wanted[k] not in found]
    if missing:
        raise NotFoundError(
            t("tasks.unknown", n=len(missing), plan=plan_row.code, keys="、".join(missing)),
            hint=_near_hint(session, plan_row, [wanted[k] for k in missing]),
            ids=tuple(missing),
        )
    return {k: found[wanted[k]] for k in given}


def _near_hint(session: Session, plan_row: PlanRow, missing: list[str]) -> str:
    all_keys = list(
        session.scalars(
            select(TaskRow.key).where(TaskRow.plan_id == plan_row.id, TaskRow.removed.is_(False))
        )
    )
    tail = t("tasks.list_hint", plan=plan_row.code)
    return t("semi").join([*did_you_mean(all_keys, missing[:10]), tail])
