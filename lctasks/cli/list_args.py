"""The options of ``lctasks list`` → a ``services.query.TaskFilter`` (and ``--fields``):
the one parser.

The Typer command (``cli/plan_cmds.list_cmd``) and the read fast path
(``cli/fast_read``) both build their filter here, so ``--status 推进中``, ``--light
红灯``, ``--order`` and ``--limit`` mean the same on either path and are refused with
the same messages. No typer, no SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from lctasks import clock
from lctasks.domain import InvalidInputError, Light, Status, Task, TaskKind
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import ZH, language
from lctasks.i18n import cli_t as t
from lctasks.services.task_filter import ORDERS, TaskFilter

MESSAGES.add(
    {
        "bad.choice": (
            "{option} 的取值 {value} 无效；可选：{choices}",
            "invalid {option} value {value}; choose from: {choices}",
        ),
        "bad.choice.hint": ("例如 {option} {example}", "e.g. {option} {example}"),
        "bad.choice.near": ("是否想写 {option} {near}？", "did you mean {option} {near}?"),
        "bad.count": (
            "{option} 须为 0 或正整数，不能是 {value}",
            "{option} takes 0 or a positive whole number, not {value}",
        ),
        "order.plan": ("规划顺序", "plan order"),
        "order.due": ("截止日期", "deadline"),
        "order.key": ("编号", "ID"),
        "order.updated": ("最近更改在前", "last changed first"),
    }
)


def choices(option: str, values: Sequence[str] | None, enum_: Any, example: str) -> tuple[Any, ...]:
    """Codes or the labels the product prints (``--status 推进中``, ``--light 红灯``)."""
    from lctasks.labels import choice_list, parse_choice

    family = {"--kind": "kind", "--status": "status", "--light": "light"}[option]
    codes = [m.value for m in enum_]
    result = []
    for raw in values or []:
        for value in re.split(r"[,，、]", raw):
            value = value.strip()
            if not value:
                continue
            code = parse_choice(family, codes, value)
            if code is None:
                raise InvalidInputError(
                    t("bad.choice", option=option, value=value, choices=choice_list(family, codes)),
                    hint=t(
                        "bad.choice.hint",
                        option=option,
                        example=t(f"{family}.{example}").split("（")[0],
                    ),
                ) from None
            result.append(enum_(code))
    return tuple(result)


def check_order(order: str) -> None:
    """``--order foo``: name the orders there are (and the nearest one)."""
    if order in ORDERS:
        return
    names = " | ".join(
        f"{o}（{t(f'order.{o}')}）" if language() == ZH else f"{o} ({t(f'order.{o}')})"
        for o in ORDERS
    )
    from lctasks.nearest import nearest

    near = nearest(order.strip().lower(), ORDERS, limit=1, cutoff=60)
    hint = (
        t("bad.choice.near", option="--order", near=ORDERS[near[0][0]])
        if near
        else t("bad.choice.hint", option="--order", example="due")
    )
    raise InvalidInputError(
        t("bad.choice", option="--order", value=order, choices=names), hint=hint
    )


def check_count(option: str, value: int | None) -> None:
    if value is not None and value < 0:
        raise InvalidInputError(
            t("bad.count", option=option, value=value),
            hint=t("bad.choice.hint", option=option, example="20"),
        )


def when(text: str | None) -> dt.date | None:
    """A date option as people type it (2025-12-31, 2025年底); None when not given."""
    if text is None:
        return None
    from lctasks.dates import parse_date

    return parse_date(text, today=clock.today())


def task_filter(
    plan: str | None,
    *,
    chapter: Sequence[int] | None = None,
    kind: Sequence[str] | None = None,
    unit: Sequence[str] | None = None,
    status: Sequence[str] | None = None,
    light: Sequence[str] | None = None,
    text: str | None = None,
    due_before: str | None = None,
    due_after: str | None = None,
    unassigned: bool = False,
    removed: bool = False,
    order: str = "plan",
    limit: int | None = None,
    offset: int = 0,
) -> TaskFilter:
    """The filter of ``list``'s options, checked in the order the command checks them
    (an InvalidInputError names the option and what it takes)."""
    check_order(order)
    check_count("--limit", limit)
    check_count("--offset", offset)
    return TaskFilter(
        plan=plan,
        chapters=tuple(chapter or ()),
        kinds=choices("--kind", kind, TaskKind, "measure"),
        units=tuple(u for raw in unit or [] for u in raw.split(",") if u.strip()),
        statuses=choices("--status", status, Status, "in_progress"),
        lights=choices("--light", light, Light, "red"),
        text=text,
        due_before=when(due_before),
        due_after=when(due_after),
        unassigned=unassigned,
        include_removed=removed,
        order=order,
        limit=limit,
        offset=offset,
    )


# `list --fields`: every field of `show --json` (a Task, plus "where"), and "owners"
# (lead_unit, co_units, person, leader) for short
SHOW_FIELDS = (*(f.name for f in dataclasses.fields(Task)), "where", "closure")
FIELD_GROUPS = {"owners": ("lead_unit", "co_units", "person", "leader")}

MESSAGES.add(
    {
        "list.bad_field": (
            "--fields 中的字段 {name} 不存在；可用：{fields}，或 all",
            "--fields: no field {name}; available: {fields}, or all",
        ),
        "list.bad_field.hint": (
            "例如 --fields id,title,owners,checklist",
            "e.g. --fields id,title,owners,checklist",
        ),
    }
)


def parse_fields(text: str) -> tuple[str, ...]:
    """``a,b`` → the fields in that order (``owners`` expands); ``all`` → every field."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names or names == ["all"]:
        return SHOW_FIELDS
    out: list[str] = []
    for name in names:
        group = FIELD_GROUPS.get(name, (name,))
        for field in group:
            if field not in SHOW_FIELDS:
                raise InvalidInputError(
                    t("list.bad_field", name=field, fields=",".join((*SHOW_FIELDS, "owners"))),
                    hint=t("list.bad_field.hint"),
                )
            if field not in out:
                out.append(field)
    return tuple(out)
