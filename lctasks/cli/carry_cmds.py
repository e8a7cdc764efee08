"""`lctasks carry ID… --to PLAN[:KEY]`: unfinished tasks go on in the next plan (结转)."""

from __future__ import annotations

from typing import Annotated

import typer

from lctasks.cli.common import out, print_json, service_context, state, want_json
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

MESSAGES.add(
    {
        "carry.done": ("已结转：{old} → {new}{created}", "carried over: {old} → {new}{created}"),
        "carry.would": ("将结转：{old} → {new}{created}", "would carry: {old} → {new}{created}"),
        "carry.created": ("（新建）", " (new)"),
    }
)


def carry(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID…", help="要结转的任务编号。")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="PLAN[:KEY]",
            help="接续规划的代码；写 PLAN:KEY 接续到该规划的已有任务，只写 PLAN 则新建接续任务。",
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="结转原因。")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将要结转的任务。")] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON 输出。")] = False,
) -> None:
    """把未完成的任务结转到接续规划（下一个五年规划或县区规划），原任务以“结转”销号。

    例：lctasks --plan lc-14th carry C10.M03 C10.M05 --to lc-15th --reason "纳入十五五"
    """
    from lctasks.services.carry import CarryService

    done = CarryService(service_context(ctx)).carry(
        ids, to, plan=state(ctx).plan, reason=reason, dry_run=dry_run
    )
    if want_json(ctx, json_):
        print_json(
            [{"from": c.old, "to": c.new, "created": c.created, "dry_run": dry_run} for c in done]
        )
        return
    key = "carry.would" if dry_run else "carry.done"
    for c in done:
        out(t(key, old=c.old, new=c.new, created=t("carry.created") if c.created else ""))


def register(app: typer.Typer) -> None:
    app.command("carry")(carry)
