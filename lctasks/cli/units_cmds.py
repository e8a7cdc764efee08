"""`lctasks units [--find TEXT]`: the owner units tasks can be assigned to."""

from __future__ import annotations

from typing import Annotated

import typer

from lctasks.cli.common import err, out, print_json, state, want_json
from lctasks.cli.table import render
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

MESSAGES.add(
    {
        "units.col.short": ("简称", "short name"),
        "units.col.name": ("全称", "full name"),
        "units.col.kind": ("类别", "kind"),
        "units.col.confirmed": ("核实", "checked"),
        "units.col.aliases": ("别名", "aliases"),
        "units.col.score": ("匹配度", "score"),
        "units.kind.department": ("市直部门", "department"),
        "units.kind.county": ("县（市、区）", "county"),
        "units.kind.zone": ("开发区", "zone"),
        "units.kind.party": ("党委部门", "Party body"),
        "units.kind.congress": ("人大", "people's congress"),
        "units.kind.cppcc": ("政协", "CPPCC"),
        "units.kind.mass": ("群团组织", "mass organisation"),
        "units.total": ("共 {n} 个单位", "{n} units"),
        "units.none": ("没有找到与“{text}”相近的单位", "no unit like “{text}”"),
    }
)


STRONG_MATCH = 90.0
WEAK_MATCH = 60.0


def units_cmd(
    ctx: typer.Context,
    find: Annotated[
        str | None,
        typer.Option("--find", "-f", help="Units like this text (name, alias, pinyin, initials)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most N matches.")] = 10,
    json_: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="The table as CSV (UTF-8), for a spreadsheet.")
    ] = False,
) -> None:
    """The owner units (责任单位): 市直部门, 县（市、区）, 开发区, 党委部门, 人大, 政协, 群团."""
    from lctasks.domain import Unit
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService

    as_json = want_json(ctx, json_)
    st = state(ctx)
    units = LedgerService(ServiceContext(st.database(), st.actor())).units()
    scored: list[tuple[Unit, float | None]] = [(u, None) for u in units]
    if find is not None:
        from lctasks.units import UnitDirectory

        found = UnitDirectory(units).search(find, limit=limit)
        # a direct hit (name, alias, pinyin, initials: score >= 90) hides the weak
        # fuzzy neighbours; without one, only reasonably close names are shown
        strong = [(u, s) for u, s in found if s >= STRONG_MATCH]
        scored = list(strong or [(u, s) for u, s in found if s >= WEAK_MATCH])
    if as_json:
        print_json(
            [
                {
                    "short": u.short,
                    "name": u.name,
                    "kind": u.kind.value,
                    "confirmed": u.confirmed,
                    "aliases": list(u.aliases),
                    **({"score": s} if s is not None else {}),
                }
                for u, s in scored
            ]
        )
        return
    if not scored:
        err(t("units.none", text=find or ""))
        return
    headers = [t(f"units.col.{c}") for c in ("short", "name", "kind", "confirmed", "aliases")]
    rows = [
        [
            u.short,
            u.name,
            t(f"units.kind.{u.kind.value}"),
            "V" if u.confirmed else "I",
            "、".join(u.aliases),
        ]
        for u, _s in scored
    ]
    from lctasks.cli.output import paged, print_table

    if csv:  # all aliases, for a spreadsheet
        print_table(headers, rows, csv=True)
        return
    with paged():  # 66 units: through a pager on a terminal
        for line in render(headers, rows, limits=[None, None, None, None, 40]):
            out(line)
    err(t("units.total", n=len(scored)))


def register(app: typer.Typer) -> None:
    app.command("units")(units_cmd)
