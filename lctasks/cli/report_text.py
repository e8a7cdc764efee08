"""The ``lctasks report`` table (and its CSV): shared by the Typer command and the
read fast path (``lctasks.cli.fast_read``), so it imports no Typer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from json.encoder import encode_basestring  # a str as json.dumps(ensure_ascii=False) writes it
from typing import TYPE_CHECKING

from lctasks.cli.common import out
from lctasks.cli.output import paged, print_table
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t
from lctasks.textsafe import json_text

if TYPE_CHECKING:
    from lctasks.services.reports import Report

MESSAGES.add(
    {
        "report.head": (
            "{plan} 截至 {as_of}（按{by}）",
            "{plan} as of {as_of} (by {by})",
        ),
        "report.by.unit": ("牵头单位", "lead unit"),
        "report.by.chapter": ("章", "chapter"),
        "report.cols": (
            "总数\t完成\t完成率\t销号\t结转\t红灯\t黄灯\t逾期",
            "total\tdone\tdone%\tclosed\tcarried\tred\tyellow\toverdue",
        ),
        "report.overdue": ("逾期任务 {n} 个：", "{n} overdue tasks:"),
        "report.more": (
            "……另有 {n} 个（--overdue 0 列出全部，或 --json）",
            "… {n} more (--overdue 0 lists all, or --json)",
        ),
        "report.overdue.cols": (
            "编号\t牵头单位\t截止\t逾期天数\t状态\t任务",
            "ID\tlead\tdue\tdays late\tstatus\ttask",
        ),
    }
)


def report_listed(overdue: int, *, csv: bool, as_json: bool) -> int | None:
    """How many overdue tasks a report lists (``build_report``'s ``overdue``): the JSON
    all, the CSV none, the table ``--overdue N`` (0: all)."""
    if as_json:
        return None
    if csv:
        return 0
    return overdue or None


def report_json(rep: Report, chunk: int = 2000) -> Iterator[str]:
    """``print_json(rep.to_doc())``'s text, piece by piece: the overdue list (80,000
    tasks at office scale) is written from a template per task, not through
    ``json.dumps``'s indenting encoder (pure Python, ~10 µs a value), and never
    exists as one document; ``tests/functional/test_report_big.py`` holds it equal."""
    head = json.dumps(rep.to_doc(overdue=False), ensure_ascii=False, indent=2)
    if not rep.overdue:
        yield json_text(head) + "\n"
        return
    assert head.endswith('"overdue": []\n}')
    yield json_text(head[: -len("[]\n}")]) + "["
    s = encode_basestring
    # the few distinct leads, statuses and dates written once each; numbers by repr, as json
    leads = {x: "null" if x is None else s(x) for x in {o.lead_unit for o in rep.overdue}}
    statuses = {x: s(x.value) for x in {o.status for o in rep.overdue}}
    dues = {x: s(x.isoformat()) for x in {o.due for o in rep.overdue}}
    for i in range(0, len(rep.overdue), chunk):
        yield json_text(
            ",".join(
                f'\n    {{\n      "id": {s(key)},\n      "title": {s(title)},'
                f'\n      "lead_unit": {leads[lead]},\n      "chapter": {chapter!r},'
                f'\n      "status": {statuses[status]},\n      "due": {dues[due]},'
                f'\n      "days_overdue": {days!r},\n      "progress": {progress!r}\n    }}'
                for key, title, lead, chapter, status, due, days, progress in rep.overdue[
                    i : i + chunk
                ]
            )
        )
        if i + chunk < len(rep.overdue):
            yield ","
    yield "\n  ]\n}\n"


def print_report(rep: Report, *, overdue: int, csv: bool) -> None:
    """Rows per group and the total, then the first ``overdue`` overdue tasks (0: all)."""
    by = rep.by
    headers = [t(f"report.by.{by}"), *t("report.cols").split("\t")]
    rows = [
        [
            r.group,
            r.total,
            r.done,
            f"{r.done_percent:.1f}%",
            r.closed,
            r.carried,
            r.red,
            r.yellow,
            r.overdue,
        ]
        for r in (*rep.rows, rep.total)
    ]
    if not csv and not rep.total.carried:  # the 结转 column only once something was carried
        headers.pop(5)
        for row in rows:
            row.pop(5)
    if csv:
        print_table(headers, rows, csv=True)
        return

    with paged():  # the overdue list runs to hundreds of lines
        _print_report(rep, headers, rows, overdue)


def _print_report(rep: Report, headers: list[str], rows: list[list[object]], overdue: int) -> None:
    by = rep.by
    out(t("report.head", plan=rep.plan, as_of=rep.as_of.isoformat(), by=t(f"report.by.{by}")))

    red = headers.index(t("report.cols").split("\t")[-3])  # after 结转, when it is shown

    def paint(_row: int, col: int, cell: str) -> str | None:
        if cell in ("0", ""):
            return None
        return {red: "31", red + 1: "33"}.get(col)

    print_table(headers, rows, right=[False] + [True] * (len(headers) - 1), color=paint)
    if rep.total.overdue:
        out("")
        out(t("report.overdue", n=rep.total.overdue))
        shown = rep.overdue if overdue <= 0 else rep.overdue[:overdue]
        print_table(
            t("report.overdue.cols").split("\t"),
            [
                [
                    o.id,
                    o.lead_unit or t("report.unassigned"),
                    o.due.isoformat(),
                    o.days_overdue,
                    t(f"status.{o.status.value}"),
                    o.title,
                ]
                for o in shown
            ],
            right=[False, False, False, True, False, False],
        )
        if len(shown) < rep.total.overdue:
            out(t("report.more", n=rep.total.overdue - len(shown)))
