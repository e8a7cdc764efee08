"""`lctasks undo [SEQ]`: revert the last batch (or a named event's) with new events."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lctasks.cli.common import err, out, print_json, service_context, want_json
from lctasks.domain import InvalidInputError
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

MESSAGES.add(
    {
        "undocli.head": (
            "撤销 {span}：{actor} 的“{action}”，{n} 个任务",
            "undo {span}: {actor}'s {action}, {n} task(s)",
        ),
        "undocli.records": (
            "这批记下的文字（备注、进展报告、销号材料）保留在历史中，撤销只还原状态、进度、期限、"
            "责任单位和清单勾选",
            "the text this batch recorded (notes, progress reports, evidence) stays in the "
            "history; undo reverts status, progress, deadline, owners and ticks",
        ),
        "undocli.done": (
            "已撤销：追加了 {events} 条撤销事件（历史不改写；再运行 lctasks undo 可恢复）",
            "undone: {events} undo event(s) appended (history is never rewritten; "
            "lctasks undo again redoes it)",
        ),
        "undocli.dry": ("演练（--dry-run）：数据库未改动", "dry run: nothing was written"),
        "undocli.bad_seq": (
            "事件编号应为数字，如 #512 或 512：{text}",
            "an event number like #512: {text}",
        ),
    }
)


def undo(
    ctx: typer.Context,
    event: Annotated[
        str | None,
        typer.Argument(
            metavar="[SEQ]",
            help="Undo the batch of this event (see lctasks log); default: the last batch.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be reverted; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """撤销：把最近一批（或某事件所在的一批）修改改回去，追加撤销事件，历史不改写。

    例：lctasks undo --dry-run；lctasks undo 512
    """
    from lctasks.cli.actions import batch_json, describe
    from lctasks.services.undo import UndoService

    seq = None
    if event is not None:
        text = event.strip().lstrip("#")
        if not text.isdigit():
            raise InvalidInputError(t("undocli.bad_seq", text=event))
        seq = int(text)
    svc = UndoService(service_context(ctx))
    outcome = svc.undo(seq, dry_run=dry_run)
    info, res = outcome.batch, outcome.result
    if want_json(ctx, as_json):
        doc: dict[str, Any] = batch_json(res)
        doc["undo_of"] = {
            "first": info.first,
            "last": info.last,
            "actor": info.actor,
            "action": info.action,
            "tasks": info.size,
        }
        print_json(doc)
        return
    err(
        t(
            "undocli.head",
            span=info.span,
            actor=info.actor,
            action=info.action,
            n=info.size,
        )
    )
    for r in res.results:
        changes = {k: v for k, v in r.changes.items() if k != "undo_of"}
        word = t(f"cli.{r.result}")  # as every batch prints its results
        out("\t".join(x for x in (r.id, word, f"v{r.version}", describe(changes)) if x))
    if info.records:
        err(t("undocli.records"))
    if res.dry_run:
        err(t("undocli.dry"))
    else:
        err(t("undocli.done", events=res.events))


def register(app: typer.Typer) -> None:
    app.command("undo")(undo)
