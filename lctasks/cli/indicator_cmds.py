"""`lctasks actual`, `share`, `evaluate`: indicators and quantified targets as numbers.

lctasks actual I01 2023 6.2 --source "2023年聊城市统计公报"
lctasks actual I11 2025 达到 --source "省发展改革委考核通报（鲁发改环资〔2026〕1号）"
lctasks share I11 --unit 东昌府区 --target 14.5
lctasks actual I11 2024 3.1 --unit 东昌府区 --source "区统计局"
lctasks evaluate --final
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lctasks.cli.common import (
    err,
    out,
    print_json,
    service_context,
    state,
    to_jsonable,
    want_json,
    write_out,
)
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

if TYPE_CHECKING:
    from lctasks.services.indicators import EvalRow, Evaluation, IndicatorService

MESSAGES.add(
    {
        "ind.recorded": (
            "已记录 {id} 目标 {target} {period} 年实际值：{value}（来源：{source}）{unit}",
            "recorded {id} target {target} for {period}: {value} (source: {source}){unit}",
        ),
        "ind.would_record": (
            "将记录 {id} 目标 {target} {period} 年实际值：{value}（来源：{source}）{unit}",
            "would record {id} target {target} for {period}: {value} (source: {source}){unit}",
        ),
        "ind.recorded.unit": ("，分解单位 {unit}", "; share of {unit}"),
        "ind.dry_run": ("演练（--dry-run）：数据库未改动", "dry run: nothing was written"),
        "ind.share_set": (
            "已设定 {id} 目标 {target} 分解给 {unit}",
            "set the share of {unit} in {id} target {target}",
        ),
        "ind.would_share": (
            "将设定 {id} 目标 {target} 分解给 {unit}",
            "would set the share of {unit} in {id} target {target}",
        ),
        "ind.mode.year": ("{year}年度监测", "monitoring of {year}"),
        "ind.mode.midterm": ("中期评估（截至{year}年）", "midterm evaluation (to {year})"),
        "ind.mode.final": ("总结评估（{year}年）", "final evaluation ({year})"),
        "ind.title": ("{plan} — {mode}", "{plan} — {mode}"),
        "ind.counts": (
            "共 {total} 项指标和量化目标：达到 {reached}，未达到 {not_reached}，尚无结论 {unknown}",
            "{total} indicators and quantified targets: {reached} reached, "
            "{not_reached} not reached, {unknown} without a verdict",
        ),
        "ind.col.id": ("编号", "ID"),
        "ind.col.name": ("指标/目标", "indicator / target"),
        "ind.col.unit": ("单位", "unit"),
        "ind.col.base": ("基期", "baseline"),
        "ind.col.target": ("目标", "target"),
        "ind.col.expected": ("序时目标", "expected"),
        "ind.col.light": ("灯", "light"),
        "ind.col.reached": ("达到序时", "on track"),
        "ind.col.reached.final": ("达到目标", "reached"),
        "ind.col.failing": ("拖后单位", "behind"),
        "ind.col.tasks": ("支撑任务", "tasks behind"),
        "ind.reached.yes": ("达到", "yes"),
        "ind.reached.no": ("未达到", "no"),
        "ind.reached.unknown": ("—", "—"),
        "ind.tasks": ("{n} 项（已完成 {done}）", "{n} ({done} done)"),
        "ind.none": (
            "没有可考核的指标或量化目标",
            "no indicators or quantified targets to evaluate",
        ),
        "ind.actual_usage": (
            "用法：lctasks actual ID [ITEM] YEAR VALUE --source 来源",
            "usage: lctasks actual ID [ITEM] YEAR VALUE --source SOURCE",
        ),
        "ind.actual_usage.hint": (
            '例：lctasks actual I01 2023 6.2 --source "2023年统计公报"',
            'e.g. lctasks actual I01 2023 6.2 --source "2023年统计公报"',
        ),
        "ind.share_needs": ("需要 --unit 和 --target", "--unit and --target are needed"),
        "ind.share_needs.hint": (
            "例：lctasks share I11 --unit 东昌府区 --target 14.5",
            "e.g. lctasks share I11 --unit 东昌府区 --target 14.5",
        ),
        "ind.one_mode": (
            "--year、--midterm、--final 只能选一个",
            "give only one of --year, --midterm, --final",
        ),
        "ind.one_mode.hint": ("例：lctasks evaluate --final", "e.g. lctasks evaluate --final"),
    }
)

_LIGHT = {"red": "红", "yellow": "黄", "green": "绿"}
_DONE = {"done", "closed"}


def _service(ctx: typer.Context) -> IndicatorService:
    from lctasks.services.indicators import IndicatorService

    return IndicatorService(service_context(ctx))


def actual(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(metavar="ID", help="任务编号，如 I01 或 C10.M03。")],
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="[ITEM] YEAR VALUE",
            help="可选的清单项（2 或 2.1），年份（2023 或 2023Q2），实际值（数值；"
            "文字目标写 达到/未达到/待评估）。",
        ),
    ],
    source: Annotated[
        str,
        typer.Option(
            "--source", "-s", metavar="SOURCE", help="来源：统计公报、部门报告或文号（必填）。"
        ),
    ] = "",
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", "-u", metavar="UNIT", help="记录某县（市、区）或开发区分解目标的实际值。"
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="备注（如更正说明）。")] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只检查并显示将记录的内容，不写入。")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON 输出。")] = False,
) -> None:
    """记录指标或量化目标某年（或季度）的实际值，更正即新增一条记录。

    例：lctasks actual I01 2023 6.2 --source "2023年聊城市统计公报"
    """
    from lctasks.domain import InvalidInputError

    if len(args) == 2:
        item, (period, value) = None, args
    elif len(args) == 3:
        item, period, value = args
    else:
        raise InvalidInputError(t("ind.actual_usage"), hint=t("ind.actual_usage.hint"))
    rec = _service(ctx).record(
        task,
        period,
        value,
        source=source,
        item=item,
        unit=unit,
        note=note,
        plan=state(ctx).plan,
        dry_run=dry_run,
    )
    if want_json(ctx, json_):
        print_json(
            {
                "id": task.upper(),
                "target": rec.target,
                "period": rec.period,
                "value": rec.value,
                "assessment": rec.assessment.value if rec.assessment else None,
                "source": rec.source,
                "actor": rec.actor,
                "unit": rec.unit,
                "at": rec.at.isoformat(),
            }
        )
        return
    shown = rec.assessment.label if rec.assessment else f"{rec.value:g}"
    out(
        t(
            "ind.would_record" if dry_run else "ind.recorded",
            id=task.upper(),
            target=rec.target,
            period=rec.period,
            value=shown,
            source=rec.source,
            unit=t("ind.recorded.unit", unit=rec.unit) if rec.unit else "",
        )
    )
    if dry_run:
        err(t("ind.dry_run"))


def share(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(metavar="ID", help="任务编号，如 I11。")],
    item: Annotated[
        str | None, typer.Argument(metavar="[ITEM]", help="清单项（量化目标在第几项）。")
    ] = None,
    unit: Annotated[
        str, typer.Option("--unit", "-u", metavar="UNIT", help="县（市、区）或开发区。")
    ] = "",
    target: Annotated[
        str,
        typer.Option(
            "--target",
            "-t",
            metavar="VALUE",
            help="分解目标：数值（可带 ≥ ≤ 左右）或文字；"
            "年均目标（增速、年均百分点）写该单位的年均值。",
        ),
    ] = "",
    baseline: Annotated[
        str | None, typer.Option("--baseline", "-b", metavar="VALUE", help="该单位的基期值。")
    ] = None,
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="依据，如省分解文件文号。")
    ] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只检查并显示将记录的内容，不写入。")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON 输出。")] = False,
) -> None:
    """把指标或量化目标分解给县（市、区）或开发区（督查室）。

    例：lctasks share I11 --unit 东昌府区 --target 14.5 --reason "省分解方案"
    """
    from lctasks.domain import InvalidInputError

    if not unit or not target:
        raise InvalidInputError(t("ind.share_needs"), hint=t("ind.share_needs.hint"))
    short, ref = _service(ctx).set_share(
        task,
        unit,
        target=target,
        baseline=baseline,
        item=item,
        reason=reason,
        plan=state(ctx).plan,
        dry_run=dry_run,
    )
    if want_json(ctx, json_):
        print_json({"id": task.upper(), "target": ref.label, "unit": short})
        return
    out(
        t(
            "ind.would_share" if dry_run else "ind.share_set",
            id=task.upper(),
            target=ref.label,
            unit=short,
        )
    )
    if dry_run:
        err(t("ind.dry_run"))


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.4g}"


def _target_text(r: EvalRow) -> str:
    sp = r.spec
    if sp.path.value == "text":
        return sp.text or "—"
    if sp.path.value in ("each_year", "points"):
        suffix = sp.annual_unit if sp.path.value == "points" else ""
        return f"年均{sp.compare.sign}{_num(sp.annual)}{suffix}"
    return f"{sp.compare.sign}{_num(sp.target)}"


def evaluate(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--year", "-y", metavar="YEAR", help="年度监测：某一年（默认上一年）。"),
    ] = None,
    midterm: Annotated[
        bool, typer.Option("--midterm", help="中期评估（规划期中间一年）。")
    ] = False,
    final: Annotated[bool, typer.Option("--final", help="总结评估（规划末年）。")] = False,
    ids: Annotated[
        list[str] | None, typer.Option("--id", metavar="ID", help="只评估这些任务（可重复）。")
    ] = None,
    toml: Annotated[
        bool, typer.Option("--toml", help="输出 TOML（快照的 [evaluation] 部分）。")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON 输出。")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="以 CSV（UTF-8）输出表格。")] = False,
) -> None:
    """指标和量化目标的监测评估表：基期、目标、各年实际值、序时目标、是否达到、拖后单位。

    例：lctasks evaluate --final；lctasks evaluate --year 2023 --json
    """
    from lctasks.domain import InvalidInputError

    if sum([year is not None, midterm, final]) > 1:
        raise InvalidInputError(t("ind.one_mode"), hint=t("ind.one_mode.hint"))
    mode = "final" if final else "midterm" if midterm else "year"
    ev = _service(ctx).evaluate(year=year, mode=mode, keys=ids, plan=state(ctx).plan)
    # a row at a time: at 100,000 tasks the document is ~23,000 rows and 200 MB of text
    if toml:
        for piece in _toml_pieces(ev):
            write_out(piece)
        return
    if want_json(ctx, json_):
        for piece in _json_pieces(ev):
            write_out(piece)
        return
    from lctasks.cli.output import paged

    if csv:
        _print_table(ev, csv=True)
        return
    with paged():  # 147 indicators and targets: through a pager on a terminal
        _print_table(ev)


def _toml_pieces(ev: Evaluation) -> Iterator[str]:
    """``tomli_w.dumps({"evaluation": toml_ready(ev.to_doc())})``, a row at a time.

    ``rows`` is the document's last key and an array of tables, so the text is the
    head's followed by each row's ``[[evaluation.rows]]`` table after a blank line
    (``tests/functional/test_indicator_service.py`` holds it equal)."""
    import tomli_w

    from lctasks.services.numbers import evaluation_head, row_docs, toml_ready

    if not ev.rows:  # ``rows = []`` is written in the head
        yield tomli_w.dumps({"evaluation": toml_ready(ev.to_doc())})
        return
    yield tomli_w.dumps({"evaluation": toml_ready(evaluation_head(ev))})
    for row in row_docs(ev):
        yield "\n" + tomli_w.dumps({"evaluation": {"rows": [toml_ready(row)]}})


def _json_pieces(ev: Evaluation) -> Iterator[str]:
    """``print_json(ev.to_doc())``'s text, a row at a time (the rows are the last key,
    each indented as ``json.dumps(indent=2)`` indents an item of a list at depth 2)."""
    import json

    from lctasks.services.numbers import evaluation_head, row_docs
    from lctasks.textsafe import json_text

    def dumps(value: Any) -> str:
        return json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)

    if not ev.rows:
        yield json_text(dumps(ev.to_doc())) + "\n"
        return
    head = dumps({**evaluation_head(ev), "rows": []})
    assert head.endswith('"rows": []\n}')
    yield json_text(head[: -len("]\n}")])
    for i, row in enumerate(row_docs(ev)):
        yield json_text(("," if i else "") + "\n    " + dumps(row).replace("\n", "\n    "))
    yield "\n  ]\n}\n"


def _final_year(ev: Evaluation) -> int:
    return max((r.spec.target_year for r in ev.rows), default=ev.year)


def _print_table(ev: Evaluation, *, csv: bool = False) -> None:
    from lctasks.cli.table import render

    if not csv:
        title = t(
            "ind.title", plan=ev.plan_title or ev.plan, mode=t(f"ind.mode.{ev.mode}", year=ev.year)
        )
        out(title)
        out(t("ind.counts", **ev.counts))
        if not ev.rows:
            out(t("ind.none"))
            return
    final = ev.year >= _final_year(ev)
    first = min((r.spec.base_year for r in ev.rows), default=ev.year - 1) + 1
    years = list(range(first, ev.year + 1))
    headers = [
        t("ind.col.id"),
        t("ind.col.name"),
        t("ind.col.unit"),
        t("ind.col.base"),
        t("ind.col.target"),
        *[str(y) for y in years],
        t("ind.col.expected"),
        t("ind.col.light"),
        t("ind.col.reached.final" if ev.year >= _final_year(ev) else "ind.col.reached"),
        t("ind.col.failing"),
        t("ind.col.tasks"),
    ]
    rows = []
    for r in ev.rows:
        j = r.judgement
        reached = {True: "ind.reached.yes", False: "ind.reached.no", None: "ind.reached.unknown"}
        key = r.key if r.kind == "indicator" else f"{r.key}#{r.ref.label}"
        verdict = j.reached if final or j.assessment is not None else j.met
        done = sum(1 for _, _, st in r.behind if st in _DONE)
        rows.append(
            [
                key,
                r.spec.name,
                r.spec.unit,
                _num(r.spec.baseline),
                _target_text(r),
                *[_num(r.by_year.get(y)) for y in years],
                _num(j.expected),
                _LIGHT.get(r.light.value, "") if r.light else "",
                t(reached[verdict]),
                "、".join(r.failing),
                t("ind.tasks", n=len(r.behind), done=done) if r.behind else "",
            ]
        )
    if csv:  # whole names, for a spreadsheet
        from lctasks.cli.output import print_table

        print_table(headers, rows, csv=True)
        return
    limits: list[int | None] = [None, 28, 8, None, 16] + [None] * len(years) + [None] * 5
    for line in render(headers, rows, limits=limits):
        out(line)


def register(app: typer.Typer) -> None:
    app.command("actual")(actual)
    app.command("share")(share)
    app.command("evaluate")(evaluate)
