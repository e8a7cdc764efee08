"""`history ID`, `log` (filtered, `--verify` for the hash chain) and `report`."""

from __future__ import annotations

import datetime as dt
import os
import sys
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
)
from lctasks.domain import StorageError
from lctasks.i18n import MESSAGES, t

if TYPE_CHECKING:
    from lctasks.domain import Event

MESSAGES.update(
    {
        "log.verified": (
            "事件链完整：已核验 {n} 条事件",
            "the event chain is intact: {n} events checked",
        ),
        "log.broken": (
            "事件链被破坏：第 {seq} 号事件 — {problem}（此前 {n} 条核验无误）",
            "the event chain is broken at event {seq}: {problem} ({n} events before it check)",
        ),
        "log.broken.hint": (
            "历史记录在数据库中被改动或删除过；从备份恢复，或请管理员调查",
            "history was edited or deleted in the database; restore a backup or investigate",
        ),
        "log.problem.missing": ("该事件缺失（被删除？）", "the event is missing (deleted?)"),
        "log.problem.link": (
            "与前一条事件的链接不符（前面的记录被改动或删除？）",
            "its link to the previous event does not match (an earlier row edited or deleted?)",
        ),
        "log.problem.content": ("记录后内容被改动", "its content was changed after recording"),
        "log.none": ("没有符合条件的事件", "no matching events"),
        "report.head": (
            "{plan} 截至 {as_of}（按{by}）",
            "{plan} as of {as_of} (by {by})",
        ),
        "report.by.unit": ("牵头单位", "lead unit"),
        "report.by.chapter": ("章", "chapter"),
        "report.cols": (
            "总数\t完成\t完成率\t销号\t红灯\t黄灯\t逾期",
            "total\tdone\tdone%\tclosed\tred\tyellow\toverdue",
        ),
        "report.overdue": ("逾期任务 {n} 个：", "{n} overdue tasks:"),
        "report.more": (
            "……另有 {n} 个（--overdue 0 列出全部，或 --json）",
            "… {n} more (--overdue 0 lists all, or --json)",
        ),
        "report.overdue.line": (
            "{id}\t{lead}\t截止 {due}\t逾期 {days} 天\t{status}\t{title}",
            "{id}\t{lead}\tdue {due}\t{days} days late\t{status}\t{title}",
        ),
    }
)


def _day(text: str | None) -> dt.date | None:
    return typed_date(text) if text else None


_PROBLEMS = {
    "missing": "log.problem.missing",
    "link": "log.problem.link",
    "content": "log.problem.content",
}


def _problem(text: str) -> str:
    """audit.verify_chain's reason in the user's language."""
    for word, key in _PROBLEMS.items():
        if word in text:
            return t(key)
    return text


def _color(text: str, code: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


def _event_json(e: Event) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "source": e.source.value,
        "action": e.action,
        "plan": e.plan,
        "task": e.task,
        "changes": e.changes,
        "reason": e.reason,
        "hash": e.hash,
    }


def _event_line(e: Event) -> str:
    from lctasks.cli.actions import describe

    at = e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    parts = [f"#{e.seq}", at, e.actor, e.source.value, e.action, e.task or "-"]
    detail = describe(e.changes) if e.changes else ""
    if detail:
        parts.append(detail)
    if e.reason:
        parts.append(f"“{e.reason}”")
    return "\t".join(parts)


def history(
    ctx: typer.Context,
    task_id: Annotated[str, typer.Argument(metavar="ID", help="Task ID, e.g. C10.M03.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """Every change to one task, oldest first: who, when, from where, old → new, why."""
    from lctasks.services.history import HistoryService

    events = HistoryService(service_context(ctx)).history(task_id, plan=state(ctx).plan)
    if want_json(ctx, as_json):
        print_json({"task": task_id.strip().upper(), "events": [_event_json(e) for e in events]})
        return
    for e in events:
        out(_event_line(e))
    if not events:
        err(t("log.none"))


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
        bool, typer.Option("--verify", help="Check the hash chain of the whole history.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """All events, newest first, filtered; --verify checks that none was edited or deleted."""
    from lctasks.services.history import HistoryService, LogFilter

    hs = HistoryService(service_context(ctx))
    json_out = want_json(ctx, as_json)
    if verify:
        rep = hs.verify()
        if json_out:
            print_json(
                {
                    "ok": rep.ok,
                    "checked": rep.checked,
                    "first_bad_seq": rep.first_bad_seq,
                    "problem": rep.problem,
                }
            )
        if rep.ok:
            if not json_out:
                out(t("log.verified", n=rep.checked))
            return
        raise StorageError(
            t("log.broken", seq=rep.first_bad_seq, problem=_problem(rep.problem), n=rep.checked),
            hint=t("log.broken.hint"),
            ids=(str(rep.first_bad_seq),),
        )
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
    for e in events:
        out(_event_line(e))
    if not events:
        err(t("log.none"))


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
            "--overdue", metavar="N", help="Overdue tasks listed (most overdue first; 0: all)."
        ),
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """Totals, done %, red/yellow counts and the overdue list, by unit or by chapter."""
    from lctasks.services.reports import ReportService

    rep = ReportService(service_context(ctx)).report(by=by, as_of=_day(as_of), plan=state(ctx).plan)
    if want_json(ctx, as_json):

        def row(r: Any) -> dict[str, Any]:
            return {
                "group": r.group,
                "total": r.total,
                "done": r.done,
                "done_percent": r.done_percent,
                "closed": r.closed,
                "red": r.red,
                "yellow": r.yellow,
                "green": r.green,
                "overdue": r.overdue,
            }

        print_json(
            {
                "plan": rep.plan,
                "as_of": rep.as_of.isoformat(),
                "by": rep.by,
                "rows": [row(r) for r in rep.rows],
                "total": row(rep.total),
                "overdue": [
                    {
                        "id": o.id,
                        "title": o.title,
                        "lead_unit": o.lead_unit,
                        "chapter": o.chapter,
                        "status": o.status.value,
                        "due": o.due.isoformat(),
                        "days_overdue": o.days_overdue,
                        "progress": o.progress,
                    }
                    for o in rep.overdue
                ],
            }
        )
        return
    out(t("report.head", plan=rep.plan, as_of=rep.as_of.isoformat(), by=t(f"report.by.{by}")))
    out("\t" + t("report.cols"))
    for r in (*rep.rows, rep.total):
        red = _color(str(r.red), "31") if r.red else "0"
        yellow = _color(str(r.yellow), "33") if r.yellow else "0"
        out(
            "\t".join(
                [
                    r.group,
                    str(r.total),
                    str(r.done),
                    f"{r.done_percent:.1f}%",
                    str(r.closed),
                    red,
                    yellow,
                    str(r.overdue),
                ]
            )
        )
    if rep.overdue:
        out("")
        out(t("report.overdue", n=len(rep.overdue)))
        shown = rep.overdue if overdue <= 0 else rep.overdue[:overdue]
        for o in shown:
            out(
                t(
                    "report.overdue.line",
                    id=o.id,
                    lead=o.lead_unit or t("report.unassigned"),
                    due=o.due.isoformat(),
                    days=o.days_overdue,
                    status=t(f"status.{o.status.value}"),
                    title=o.title,
                )
            )
        if len(shown) < len(rep.overdue):
            out(t("report.more", n=len(rep.overdue) - len(shown)))


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("log")(log)
    app.command("report")(report)
