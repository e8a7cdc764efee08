"""Files for people outside the office (Typer face): unit workbooks, the meeting pack, notices.

Thin over ``lctasks.formats``: ``export --format xlsx`` and ``apply FILE.xlsx``
(wired from ``snapshot_cmds``), ``pack`` and ``notice``. Services, SQLAlchemy,
openpyxl and python-docx are imported inside the commands.

Exit codes (as everywhere): 3 file or unit not found, 4 a workbook that is not
ours or has bad cells (each named as sheet!A1), 5 a stale row (the task changed
after the export), 6 the acting person may not change a row's task.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Annotated

import typer

from lctasks.cli.common import (
    err,
    out,
    print_json,
    service_context,
    state,
    typed_date,
    want_json,
)
from lctasks.domain import Status
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

if TYPE_CHECKING:
    from lctasks.formats.xlsx.apply import XlsxApplyResult

MESSAGES.add(
    {
        "fmtcli.exported": (
            "已导出报送表 {path}（{unit}，{n} 个任务，截至 {as_of}，台账事件 #{seq}）",
            "workbook written: {path} ({unit}, {n} tasks, as of {as_of}, ledger event #{seq})",
        ),
        "fmtcli.apply_head": (
            "{file}：规划 {plan}，单位 {unit}，截至 {as_of}（导出时台账事件 #{seq}）",
            "{file}: plan {plan}, unit {unit}, as of {as_of} (ledger event #{seq} at export)",
        ),
        "fmtcli.nothing": (
            "报送表中没有填写内容，没有要回填的修改（{n} 行）",
            "nothing filled in: no changes to apply ({n} rows)",
        ),
        "fmtcli.already": (
            "报送表已回填过，没有要回填的修改（{n} 项已在台账中：{ids}）",
            "this workbook was applied before: nothing left to apply ({n} already in the "
            "ledger: {ids})",
        ),
        "fmtcli.already_some": (
            "已在台账中、本次跳过 {n} 项：{ids}",
            "already in the ledger, skipped: {n} ({ids})",
        ),
        "fmtcli.row": ("{where} {task}：{what}", "{where} {task}: {what}"),
        "fmtcli.report": ("报送进展（进度 {pct}%）", "progress report ({pct}%)"),
        "fmtcli.status": ("状态 → {status}", "status → {status}"),
        "fmtcli.note": ("备注", "note"),
        "fmtcli.actual": (
            "{year} 年实际值 {value}（来源：{source}）",
            "actual {value} for {year} (source: {source})",
        ),
        "fmtcli.applied": (
            "已回填 {tasks} 个任务，记录事件 {events} 条（来源 xlsx，操作人 {actor}）",
            "applied {tasks} task(s), {events} event(s) recorded (source xlsx, actor {actor})",
        ),
        "fmtcli.pack": (
            "已生成调度会材料 {out}（{n} 个任务，截至 {as_of}，台账事件 #{seq}，{size} 字节）",
            "meeting pack written: {out} ({n} tasks, as of {as_of}, ledger event #{seq}, "
            "{size} bytes)",
        ),
        "fmtcli.pack_print": (
            "打印为 PDF：chromium --headless --no-sandbox --print-to-pdf=调度会材料.pdf {out}"
            "（详见 README）",
            "print to PDF: chromium --headless --no-sandbox --print-to-pdf=pack.pdf {out} "
            "(see README)",
        ),
        "fmtcli.notice": (
            "已生成督办通知 {out}（{unit}：{n} 项任务，其中逾期 {late} 项；"
            "要求 {reply_by} 前报送）",
            "notice written: {out} ({unit}: {n} tasks, {late} overdue; reply by {reply_by})",
        ),
        "fmtcli.notice_none": (
            "{unit} 截至 {as_of} 没有逾期或红灯任务，无需督办（未生成文件）",
            "{unit} has no overdue or red task as of {as_of}: nothing to chase (no file written)",
        ),
        "fmtcli.would": (
            "演练（--dry-run）：将修改 {tasks} 个任务，产生事件 {events} 条；数据库未改动",
            "dry run: would change {tasks} task(s), {events} event(s); nothing was written",
        ),
    }
)


def is_workbook(path: str) -> bool:
    """A file ``apply`` should read as a workbook (by name, or a zip package)."""
    if path.lower().endswith((".xlsx", ".xlsm")):
        return True
    if path == "-" or not os.path.isfile(path):  # a FIFO: never opened here (it would block)
        return False
    import zipfile

    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def export_xlsx(
    ctx: typer.Context,
    *,
    out_file: str,
    units: list[str],
    chapters: list[int],
    statuses: list[Status],
    per_unit: bool,
    as_of: str | None,
    as_json: bool,
) -> None:
    """``lctasks export --format xlsx``: unit workbooks (报送表)."""
    from lctasks.formats.xlsx.export import export_workbooks

    infos = export_workbooks(
        service_context(ctx),
        out_file,
        units=units,
        chapters=chapters,
        statuses=statuses,
        per_unit=per_unit,
        as_of=typed_date(as_of) if as_of else None,
        plan=state(ctx).plan,
    )
    if as_json:
        print_json(
            [
                {
                    "path": i.path,
                    "unit": i.unit,
                    "tasks": i.tasks,
                    "history_seq": i.anchor.seq,
                    "history_hash": i.anchor.hash,
                }
                for i in infos
            ]
        )
        return
    for i in infos:
        err(
            t(
                "fmtcli.exported",
                path=i.path,
                unit=i.unit or t("xlsx.office"),
                n=i.tasks,
                as_of=i.anchor.as_of,
                seq=i.anchor.seq,
            )
        )


def apply_xlsx(ctx: typer.Context, path: str, *, dry_run: bool, as_json: bool) -> None:
    """``lctasks apply FILE.xlsx``: a unit's filled-in workbook, all rows or none."""
    from lctasks.formats.xlsx.apply import apply_workbook
    from lctasks.formats.xlsx.layout import IND_SHEET, SHEET, cell_ref
    from lctasks.formats.xlsx.layout import STATUS_LABEL as LABEL

    result: XlsxApplyResult = apply_workbook(service_context(ctx), path, dry_run=dry_run)
    book = result.workbook
    if as_json:
        print_json(
            {
                "file": book.file,
                "plan": book.plan,
                "unit": book.unit,
                "as_of": book.as_of.isoformat(),
                "history_seq": book.anchor.seq,
                "rows": [
                    {
                        "task": e.task,
                        "row": e.row,
                        "version": e.version,
                        "status": e.status.value if e.status else None,
                        "percent": e.percent,
                        "made": e.made,
                        "problems": e.problems,
                        "next_steps": e.next_steps,
                        "note": e.note,
                    }
                    for e in book.edits
                ],
                "actuals": [
                    {
                        "task": a.task,
                        "row": a.row,
                        "year": a.period,
                        "value": a.value,
                        "source": a.source,
                        "note": a.note,
                    }
                    for a in book.actuals
                ],
                "already": list(result.already),
                "dry_run": result.dry_run,
                "applied": result.applied,
                "events": result.events,
            }
        )
        return
    err(
        t(
            "fmtcli.apply_head",
            file=book.file,
            plan=book.plan,
            unit=book.unit or t("xlsx.office"),
            as_of=book.as_of.isoformat(),
            seq=book.anchor.seq,
        )
    )
    ids = "、".join(result.already[:8]) + ("…" if len(result.already) > 8 else "")
    if not book.edits and not book.actuals:
        if result.already:
            err(t("fmtcli.already", n=len(result.already), ids=ids))
        else:
            err(t("fmtcli.nothing", n=book.rows))
        return
    if result.already:
        err(t("fmtcli.already_some", n=len(result.already), ids=ids))
    for e in book.edits:
        what = []
        if e.made:
            what.append(t("fmtcli.report", pct=e.percent))
        if e.status is not None:
            what.append(t("fmtcli.status", status=LABEL[e.status]))
        if e.note:
            what.append(t("fmtcli.note"))
        out(t("fmtcli.row", where=cell_ref(SHEET, 0, e.row), task=e.task, what="；".join(what)))
    for a in book.actuals:
        said = t("fmtcli.actual", year=a.period, value=a.value, source=a.source)
        out(t("fmtcli.row", where=cell_ref(IND_SHEET, 0, a.row), task=a.task, what=said))
    key = "fmtcli.would" if dry_run else "fmtcli.applied"
    err(
        t(
            key,
            tasks=result.tasks + result.actuals,
            events=result.events,
            actor=state(ctx).actor().name,
        )
    )


Json = Annotated[bool, typer.Option("--json", help="JSON on stdout.")]


def pack(
    ctx: typer.Context,
    snapshot: Annotated[
        str | None,
        typer.Argument(help="A snapshot file to make the pack from (default: the ledger now)."),
    ] = None,
    out_file: Annotated[str, typer.Option("--out", "-o", help="The HTML file to write.")] = (
        "pack.html"
    ),
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the lights are computed for (today).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="The previous meeting's snapshot: add what changed since."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Write the meeting pack (调度会材料): one self-contained HTML page for A4 print."""
    as_json = want_json(ctx, as_json)
    from lctasks.formats.pack.build import build_pack, write_pack

    text, info = build_pack(
        service_context(ctx),
        snapshot=snapshot,
        as_of=typed_date(as_of) if as_of else None,
        since=since,
        plan=state(ctx).plan,
    )
    size = write_pack(text, out_file)
    if as_json:
        print_json(
            {
                "out": out_file,
                "bytes": size,
                "tasks": info.tasks,
                "units": info.units,
                "red": info.red,
                "yellow": info.yellow,
                "summarised": info.summarised,
                "as_of": info.anchor.as_of,
                "history_seq": info.anchor.seq,
                "history_hash": info.anchor.hash,
            }
        )
        return
    err(
        t(
            "fmtcli.pack",
            out=out_file,
            n=info.tasks,
            as_of=info.anchor.as_of,
            seq=info.anchor.seq,
            size=size,
        )
    )
    err(t("fmtcli.pack_print", out=out_file))


def notice(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", "-u", help="The unit to chase (any name form).")],
    out_file: Annotated[str, typer.Option("--out", "-o", help="The .docx file to write.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the lights are computed for (today).")
    ] = None,
    within: Annotated[
        int, typer.Option("--within", min=1, help="Days the unit has to reply (10).")
    ] = 10,
    as_json: Json = False,
) -> None:
    """Write a 督办通知 (Word) for a unit: its overdue and red tasks, what is required by when."""
    as_json = want_json(ctx, as_json)
    from lctasks.formats.notice import unit_notice, write_notice

    data = unit_notice(
        service_context(ctx),
        unit,
        as_of=typed_date(as_of) if as_of else None,
        within=within,
        plan=state(ctx).plan,
    )
    if data.items:
        write_notice(data, out_file)
    if as_json:
        print_json(
            {
                "out": out_file if data.items else None,
                "unit": data.unit,
                "as_of": data.as_of,
                "reply_by": data.reply_by,
                "overdue": data.overdue,
                "tasks": [i.task for i in data.items],
                "history_seq": data.anchor.seq,
            }
        )
        return
    if not data.items:
        err(t("fmtcli.notice_none", unit=data.unit, as_of=data.as_of))
        return
    err(
        t(
            "fmtcli.notice",
            out=out_file,
            unit=data.unit,
            n=len(data.items),
            late=data.overdue,
            reply_by=data.reply_by,
        )
    )


def register(app: typer.Typer) -> None:
    app.command("pack")(pack)
    app.command("notice")(notice)


__all__ = ["apply_xlsx", "export_xlsx", "is_workbook", "notice", "pack", "register"]
_ = dt
