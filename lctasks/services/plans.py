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
from lctasks.domain import InvalidInputError, NotFoundError
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.keys import did_you_mean, near_keys, normalize_key  # noqa: F401  (near_keys: API)

MESSAGES.add(
    {
        "plans.none": ("数据库中还没有规划", "no plan in the database yet"),
        "plans.none_hint": (
            "先导入规划：lctasks import（默认导入随附的聊城市“十四五”规划）",
            "import one first: lctasks import (the bundled plan by default)",
        ),
        "plans.unknown": (
            "没有代码为 {code} 的规划（已有：{codes}）",
            "no plan with code {code} (loaded: {codes})",
        ),
        "plans.several": (
            "数据库中有多个规划：{codes}，请指明是哪一个",
            "several plans are loaded: {codes}; say which one",
        ),
        "plans.choose_hint": (
            "加上 --plan CODE（或设置 LCTASKS_PLAN），CODE 为其中之一：{codes}",
            "add --plan CODE (or set LCTASKS_PLAN), CODE one of: {codes}",
        ),
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
    """The plan named by ``code``, or the only plan in the database.

    - no plan at all → NotFoundError (hint: ``lctasks import``);
    - ``code`` unknown → NotFoundError listing the plans there are;
    - several plans and no code → InvalidInputError listing the codes
      (hint: ``--plan CODE``).
    """
    plans = list(session.scalars(select(PlanRow).order_by(PlanRow.code)))
    if not plans:
        raise NotFoundError(t("plans.none"), hint=t("plans.none_hint"))
    codes = [p.code for p in plans]
    if code:
        wanted = code.strip()
        for p in plans:
            if p.code == wanted:
                return p
        folded = [p for p in plans if p.code.casefold() == wanted.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise NotFoundError(
            t("plans.unknown", code=wanted, codes="、".join(codes)),
            hint=t("plans.choose_hint", codes=" ".join(codes)),
            ids=(wanted,),
        )
    if len(plans) == 1:
        return plans[0]
    raise InvalidInputError(
        t("plans.several", codes="、".join(codes)),
        hint=t("plans.choose_hint", codes=" ".join(codes)),
    )


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
