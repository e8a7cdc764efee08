"""`history ID`, `log` (filtered, `--verify` for the hash chain) and `report`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lctasks.cli.common import (
    err,
    out,
    print_json,
    service_context,
    state,
    typed_date,
    want_json,
    write_out,
)
from lctasks.cli.log_text import event_json as _event_json
from lctasks.cli.log_text import page_events as _page_events
from lctasks.domain import StorageError
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

Csv = Annotated[bool, typer.Option("--csv", help="The table as CSV (UTF-8), for a spreadsheet.")]

if TYPE_CHECKING:
    from lctasks.services.history import HistoryService
    from lctasks.services.verify_result import Finding

MESSAGES.add(
    {
        "log.verified": (
            "事件链完整：已核验 {n} 条事件",
            "the event chain is intact: {n} events checked",
        ),
        "log.keyed.checked": ("密钥校验：通过", "keyed check: passed"),
        "log.keyed.skipped": (
            "密钥校验：已跳过（未提供密钥；只核验了普通哈希链）",
            "keyed check: skipped (no key given; only the plain chain was checked)",
        ),
        "log.keyed.unkeyed": (
            "密钥校验：历史未启用密钥",
            "keyed check: the history is not keyed",
        ),
        "log.anchors.ok": (
            "锚点：{n} 个均仍在历史中",
            "anchors: all {n} are still in the history",
        ),
        "log.replay.ok": (
            "重放：{n} 个任务的状态、进度、期限、责任单位和清单勾选与历史一致",
            "replay: status, progress, deadline, owners and ticks of {n} tasks match the history",
        ),
        "log.replay.off": ("重放：未执行（--chain-only）", "replay: not run (--chain-only)"),
        "log.broken": (
            "事件链被破坏：第 {seq} 号事件 — {problem}（此前 {n} 条核验无误）",
            "the event chain is broken at event {seq}: {problem} ({n} events before it check)",
        ),
        "log.keyed.bad": (
            "密钥校验失败：第 {seq} 号事件 — {problem}",
            "keyed check failed at event {seq}: {problem}",
        ),
        "log.anchor.bad": (
            "锚点 {where}（{short}）不再成立：{problem}；历史现止于第 {head} 号事件",
            "anchor {where} ({short}) no longer holds: {problem}; "
            "the history now ends at event {head}",
        ),
        "log.replay.bad": (
            "任务 {task}的{field}：历史记录为 {expected}，数据库中为 {found} — {problem}{after}",
            "task {task}, {field}: the history says {expected}, the database has {found} — "
            "{problem}{after}",
        ),
        "log.item": ("清单第 {n} 项", "checklist item {n}"),
        "log.replay.task": ("任务 {task}：{problem}{after}", "task {task}: {problem}{after}"),
        "log.replay.after": ("（第 {seq} 号事件）", " (event {seq})"),
        "log.more": ("……另有 {n} 处问题（--json 列出全部）", "… {n} more (--json lists all)"),
        "log.failed": (
            "历史核验未通过：{n} 处问题",
            "the history does not verify: {n} problem(s)",
        ),
        "log.broken.hint": (
            "历史记录在数据库中被改动或删除过；从备份恢复，或请管理员调查",
            "history was edited or deleted in the database; restore a backup or investigate",
        ),
        "log.anchor": (
            "历史锚点：{short}  （{at}，完整哈希 {hash}）",
            "history anchor: {short}  ({at}, full hash {hash})",
        ),
        "log.anchor.saved": ("已追加到 {file}", "appended to {file}"),
        "log.rotated": (
            "已启用新密钥 {new}（原密钥 {old}），写入 {file}；请把该文件复制到每台写入台账的电脑",
            "new chain key {new} (was {old}) added to {file}; copy that file to every machine "
            "that writes to the ledger",
        ),
        "log.against.alone": (
            "文件参数只能与 --against 一起使用",
            "file arguments go with --against",
        ),
    }
)


def _day(text: str | None) -> dt.date | None:
    return typed_date(text) if text else None


def history(
    ctx: typer.Context,
    task_id: Annotated[str, typer.Argument(metavar="ID", help="Task ID, e.g. C10.M03.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
    csv: Csv = False,
) -> None:
    """Every change to one task, oldest first: who, when, from where, old → new, why."""
    from lctasks.services.history import HistoryService

    events = HistoryService(service_context(ctx)).history(task_id, plan=state(ctx).plan)
    if want_json(ctx, as_json):
        print_json({"task": task_id.strip().upper(), "events": [_event_json(e) for e in events]})
        return
    _page_events(list(events), csv=csv)


def log(
    ctx: typer.Context,
    task: Annotated[
        str | None, typer.Option("--task", metavar="ID", help="Only this task ID.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", metavar="NAME", help="Only this person.")
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", metavar="ACTION", help="assign, close, return, extend, note …"),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", metavar="SOURCE", help="cli, tui, import, rule, review."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE", help="From this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="DATE", help="Up to this date.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", metavar="N", help="The newest N.")
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Check the history: hash chain, keyed chain, anchors, replay of every task.",
        ),
    ] = False,
    against: Annotated[
        list[str] | None,
        typer.Option(
            "--against",
            metavar="FILE",
            help="With --verify: anchor files, snapshots, packs, workbooks whose history "
            "points must still be in the chain.",
        ),
    ] = None,
    chain_only: Annotated[
        bool, typer.Option("--chain-only", help="With --verify: skip the replay of tasks.")
    ] = False,
    anchor: Annotated[
        bool, typer.Option("--anchor", help="Print the newest history point (an anchor).")
    ] = False,
    anchor_out: Annotated[
        str | None,
        typer.Option("--out", metavar="FILE", help="With --anchor: append it to this anchor file."),
    ] = None,
    rotate_key: Annotated[
        bool,
        typer.Option(
            "--rotate-key",
            help="Add a new chain key to the key file and record the rotation (an event).",
        ),
    ] = False,
    files: Annotated[
        list[str] | None, typer.Argument(metavar="[FILE]...", help="More files for --against.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
    csv: Csv = False,
) -> None:
    """All events, newest first, filtered; --verify checks that none was edited or deleted."""
    from lctasks.services.event_reads import LogFilter
    from lctasks.services.history import HistoryService

    hs = HistoryService(service_context(ctx))
    json_out = want_json(ctx, as_json)
    if files and against is None:
        from lctasks.domain import InvalidInputError

        raise InvalidInputError(t("log.against.alone"))
    if anchor:
        _anchor(hs, anchor_out, json_out)
        return
    if rotate_key:
        old, new, path = hs.rotate_key()
        if json_out:
            print_json({"old_key": old, "new_key": new, "key_file": path})
        else:
            out(t("log.rotated", old=old or "—", new=new, file=path))
        return
    if verify or against is not None:
        _verify(hs, [*(against or []), *(files or [])], not chain_only, json_out)
        return
    flt = LogFilter(
        task=task,
        actor=actor,
        action=action,
        source=source,
        since=_day(since),
        until=_day(until),
        limit=limit,
    )
    events = hs.log(flt)
    if json_out:
        print_json({"events": [_event_json(e) for e in events]})
        return
    _page_events(list(events), csv=csv)


def _anchor(hs: HistoryService, path: str | None, json_out: bool) -> None:
    head = hs.write_anchor(path) if path else hs.head()
    if json_out:
        print_json({"seq": head.seq, "hash": head.hash, "at": head.at, "short": head.short()})
    else:
        out(t("log.anchor", short=head.short(), at=head.at, hash=head.hash))
    if path and not json_out:
        err(t("log.anchor.saved", file=path))


def _value(value: Any) -> str:
    from lctasks.labels import value_label

    if isinstance(value, bool):
        return "☑" if value else "☐"
    return value_label(value)


def finding_line(f: Finding, head: int) -> str:
    """One finding in the user's language (the offending event or task named)."""
    from lctasks.services.audit import problem_text
    from lctasks.services.verify_result import Check

    problem = problem_text(f.problem)
    after = t("log.replay.after", seq=f.seq) if f.seq else ""
    if f.check == Check.CHAIN:
        return t("log.broken", seq=f.seq, problem=problem, n=(f.seq or 1) - 1)
    if f.check == Check.KEYED:
        return t("log.keyed.bad", seq=f.seq, problem=problem)
    if f.check == Check.ANCHOR and f.anchor is not None:
        return t(
            "log.anchor.bad",
            where=f.anchor.where,
            short=f.anchor.short(),
            problem=problem,
            head=head,
        )
    from lctasks.labels import field_label as _label

    task = f"{f.task}" if not f.plan else f"{f.task}（{f.plan}）"
    if f.field is None:
        return t("log.replay.task", task=task, problem=problem, after=after)
    return t(
        "log.replay.bad",
        task=task,
        field=t("log.item", n=f.field[4:]) if f.field.startswith("item") else _label(f.field),
        expected=_value(f.expected),
        found=_value(f.found),
        problem=problem,
        after=after,
    )


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "check": f.check.value,
        "problem": f.problem.value,
        "seq": f.seq,
        "plan": f.plan,
        "task": f.task,
        "field": f.field,
        "expected": f.expected,
        "found": f.found,
        "anchor": None
        if f.anchor is None
        else {"seq": f.anchor.seq, "hash": f.anchor.hash, "where": f.anchor.where},
    }


MAX_LINES = 20


def _verify(hs: HistoryService, against: list[str], replay: bool, json_out: bool) -> None:
    rep = hs.verify(against=against, replay=replay)
    first = rep.findings[0] if rep.findings else None
    if json_out:
        print_json(
            {
                "ok": rep.ok,
                "checked": rep.checked,
                "events": rep.events,
                "head": {"seq": rep.head_seq, "hash": rep.head_hash},
                "first_bad_seq": rep.first_bad_seq,
                "problem": first.problem.value if first else "",
                "keyed": rep.keyed.value,
                "anchors": rep.anchors,
                "tasks": rep.tasks,
                "replayed": rep.replayed,
                "findings": [finding_json(f) for f in rep.findings],
            }
        )
    if rep.ok:
        if not json_out:
            out(t("log.verified", n=rep.events))
            out(t(f"log.keyed.{rep.keyed.value}"))
            if rep.anchors:
                out(t("log.anchors.ok", n=rep.anchors))
            out(t("log.replay.ok", n=rep.tasks) if rep.replayed else t("log.replay.off"))
        return
    lines = [finding_line(f, rep.head_seq) for f in rep.findings[:MAX_LINES]]
    if len(rep.findings) > MAX_LINES:
        lines.append(t("log.more", n=len(rep.findings) - MAX_LINES))
    if len(rep.findings) > 1:
        lines.insert(0, t("log.failed", n=len(rep.findings)))
    assert first is not None
    ids = (str(first.seq),) if first.task is None else (first.task,)
    raise StorageError("\n".join(lines), hint=t("log.broken.hint"), ids=ids)


def report(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="unit|chapter",
            help="Rows per lead unit (牵头单位) or per chapter (章).",
        ),
    ] = "unit",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Date the lights are computed for (today)."),
    ] = None,
    overdue: Annotated[
        int,
        typer.Option(
            "--overdue",
            metavar="N",
            min=0,
            help="Overdue tasks listed (most overdue first; 0: all).",
        ),
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
    csv: Csv = False,
) -> None:
    """Totals, done %, red/yellow counts and the overdue list, by unit or by chapter."""
    from lctasks.cli.report_text import print_report, report_json, report_listed
    from lctasks.services.reports import ReportService

    whole = want_json(ctx, as_json)
    rep = ReportService(service_context(ctx)).report(
        by=by,
        as_of=_day(as_of),
        plan=state(ctx).plan,
        overdue=report_listed(overdue, csv=csv, as_json=whole),
    )
    if whole:
        for piece in report_json(rep):
            write_out(piece)
        return
    print_report(rep, overdue=overdue, csv=csv)


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("log")(log)
    app.command("report")(report)
