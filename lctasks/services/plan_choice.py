"""Which plan a command means: the one rule and its one set of messages.

``--plan CODE`` (exact, else the one code equal ignoring case), or the only plan
loaded. Over ``(id, code)`` pairs, so every path uses it: the ledger's SQLAlchemy
sessions (``plans.resolve_plan``), the batch engine on a plain DB-API connection,
and the CLI's fast read path (``find_plan``: no exception, it falls back to Typer).
Standard library and the domain only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from lctasks.domain import InvalidInputError, NotFoundError
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

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
    }
)

P = TypeVar("P")


def find_plan(plans: Sequence[tuple[P, str]], code: str | None) -> tuple[P, str] | None:
    """The ``(id, code)`` meant, or None where ``choose_plan`` would raise."""
    if code:
        wanted = code.strip()
        for plan in plans:
            if plan[1] == wanted:
                return plan
        folded = [p for p in plans if p[1].casefold() == wanted.casefold()]
        return folded[0] if len(folded) == 1 else None
    return plans[0] if len(plans) == 1 else None


def choose_plan(plans: Sequence[tuple[P, str]], code: str | None) -> tuple[P, str]:
    """The ``(id, code)`` meant by ``code`` among ``plans`` (listed by code).

    - no plan at all → NotFoundError (hint: ``lctasks import``);
    - ``code`` unknown → NotFoundError listing the plans there are;
    - several plans and no code → InvalidInputError listing the codes
      (hint: ``--plan CODE``).
    """
    if not plans:
        raise NotFoundError(t("plans.none"), hint=t("plans.none_hint"))
    found = find_plan(plans, code)
    if found is not None:
        return found
    codes = [p[1] for p in plans]
    if code:
        wanted = code.strip()
        raise NotFoundError(
            t("plans.unknown", code=wanted, codes=t("sep").join(codes)),
            hint=t("plans.choose_hint", codes=" ".join(codes)),
            ids=(wanted,),
        )
    raise InvalidInputError(
        t("plans.several", codes=t("sep").join(codes)),
        hint=t("plans.choose_hint", codes=" ".join(codes)),
    )
