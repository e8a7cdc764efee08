"""Meeting snapshots (Typer face): export, diff, apply.

``export`` writes a TOML snapshot (stdout by default, ``--out FILE`` atomically);
``diff OLD NEW`` shows what changed between two meetings under Chinese
headings; ``apply REVIEWED.toml`` shows exactly what a reviewed snapshot would
change and applies it in one transaction (``--dry-run``: show only). Data on
stdout, summaries and errors on stderr, ``--json`` everywhere. Services and
SQLAlchemy are imported inside the commands (start-up stays cheap).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lctasks import clock
from lctasks.cli.common import err, out, print_json, state, want_json
from lctasks.domain import InvalidInputError, Status
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t
from lctasks.i18n import language

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext
    from lctasks.services.review import ApplyResult, ReviewPlan
    from lctasks.snapshot import SnapshotDiff, SnapshotTask
    from lctasks.snapshot.render import RenderCache

MESSAGES.add(
    {
        "snapcli.exported": (
            "已导出 {n} 个任务 → {out}（截至 {as_of}，台账事件 #{seq}，{size} 字节）",
            "exported {n} tasks → {out} (as of {as_of}, ledger event #{seq}, {size} bytes)",
        ),
        "snapcli.stdout": ("标准输出", "stdout"),
        "snapcli.xlsx_toml_only": (
            "--since 和 --stamp 只用于 TOML 快照，Excel 报送表不支持",
            "--since and --stamp are for TOML snapshots, not workbooks",
        ),
        "snapcli.xlsx_out": (
            "导出 Excel 报送表需要 --out 文件名（多个单位时为文件夹）",
            "an xlsx export needs --out FILE (a folder for several units)",
        ),
        "snapcli.bad_chapter": (
            "章号应为数字或 C 加数字（如 10、C10）：{text}",
            "a chapter is a number or C and a number (10, C10): {text}",
        ),
        "snapcli.diff_head": (
            "对比 {old}（事件 #{old_seq}）→ {new}（事件 #{new_seq}）",
            "comparing {old} (event #{old_seq}) → {new} (event #{new_seq})",
        ),
        "snapcli.waiting": (
            "正在从标准输入读取快照：输入完按 Ctrl-D 结束，Ctrl-C 取消",
            "reading a snapshot from standard input: Ctrl-D ends it, Ctrl-C cancels",
        ),
        "snapcli.diff_cols": ("编号\t任务\t牵头单位\t变化", "ID\ttask\tlead\tchange"),
        "snapcli.diff_group": ("类别", "group"),
        "snapcli.no_change": ("两次快照之间没有变化", "no changes between the two snapshots"),
        "snapcli.group.newly_done": ("新完成（待销号）", "newly done (awaiting close)"),
        "snapcli.group.newly_closed": ("新销号", "newly closed"),
        "snapcli.group.returned": ("退回重办", "returned"),
        "snapcli.group.newly_red": ("新亮红灯", "newly red"),
        "snapcli.group.newly_yellow": ("新亮黄灯", "newly yellow"),
        "snapcli.group.back_to_green": ("转为绿灯", "back to green"),
        "snapcli.group.reassigned": (
            "分配/改派（牵头、配合单位或责任人变化）",
            "assigned or reassigned (lead, co-units or person)",
        ),
        "snapcli.group.due_moved": ("期限调整", "deadlines moved"),
        "snapcli.group.status_changed": ("状态变化（全部）", "status changes (all)"),
        "snapcli.group.progress_changed": ("进度变化", "progress changes"),
        "snapcli.group.added": ("新增任务", "tasks added"),
        "snapcli.group.removed": ("移除任务", "tasks removed"),
        "snapcli.count": ("{label}：{n} 个", "{label}: {n}"),
        "snapcli.apply_head": (
            "{file}：规划 {plan}，快照截至 {as_of}（事件 #{seq}，台账现为 #{db_seq}）",
            "{file}: plan {plan}, snapshot as of {as_of} (event #{seq}, ledger now #{db_seq})",
        ),
        "snapcli.nothing": (
            "复核快照与台账一致，没有要回填的修改（核对 {n} 个任务）",
            "the reviewed snapshot matches the ledger: nothing to apply ({n} tasks checked)",
        ),
        "snapcli.applied": (
            "已回填 {tasks} 个任务、{fields} 处修改，记录事件 {events} 条"
            "（来源 review，操作人 {actor}）",
            "applied {fields} change(s) to {tasks} task(s), {events} event(s) recorded "
            "(source review, actor {actor})",
        ),
        "snapcli.would": (
            "演练（--dry-run）：将修改 {tasks} 个任务、{fields} 处，产生事件 {events} 条；"
            "数据库未改动",
            "dry run: would change {fields} field(s) of {tasks} task(s), {events} event(s); "
            "nothing was written",
        ),
        "snapcli.extend": ("延期", "extension"),
        "snapcli.warn": ("注意", "note"),
        "snapcli.field.note": ("备注", "note"),
        "snapcli.field.evidence": ("佐证材料", "evidence"),
        "snapcli.field.lead": ("牵头单位", "lead"),
        "snapcli.field.co_units": ("配合单位", "co-units"),
        "snapcli.field.person": ("责任人", "person"),
        "snapcli.field.due": ("期限", "due"),
        "snapcli.field.status": ("状态", "status"),
    }
)

Json = Annotated[bool, typer.Option("--json", help="JSON on stdout.")]


def _ctx(ctx: typer.Context) -> ServiceContext:
    from lctasks.services.base import ServiceContext

    st = state(ctx)
    return ServiceContext(st.database(), st.actor())


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    from lctasks.dates import parse_date

    return parse_date(text, today=clock.today())


def _chapter(text: str) -> int:
    m = re.fullmatch(r"\s*[Cc]?0*(\d+)\s*", text)
    if m is None:
        raise InvalidInputError(t("snapcli.bad_chapter", text=text))
    return int(m.group(1))


def _status(text: str) -> Status:
    from lctasks.snapshot import STATUS_WORDS

    value = text.strip()
    try:
        return Status(value.lower())
    except ValueError:
        if value in STATUS_WORDS:
            return STATUS_WORDS[value]
    raise InvalidInputError(
        t("snap.bad_choice", value=text, allowed=" / ".join(s.value for s in Status))
    )


def _show(value: Any) -> str:
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, Status):
        return t(f"status.{value.value}")
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render_cache(plan: str) -> RenderCache:
    """The task texts of this plan's earlier exports (``lctasks.snapshot.render``).

    In the user's cache folder (``$XDG_CACHE_HOME/lctasks`` on Linux): only ever
    saves time; deleting it is harmless.
    """
    import hashlib

    from lctasks.snapshot.render import RenderCache
    from lctasks.userdirs import user_dir

    name = hashlib.blake2b(plan.encode("utf-8"), digest_size=8).hexdigest()
    return RenderCache(user_dir("cache") / "snapshots" / f"{name}.bin")


# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------


def export(
    ctx: typer.Context,
    out_file: Annotated[
        str, typer.Option("--out", "-o", help="Write to FILE (atomically); - for stdout.")
    ] = "-",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the lights are computed for (today).")
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", "-u", help="Only tasks this unit leads or co-owns; repeatable."),
    ] = None,
    chapter: Annotated[
        list[str] | None, typer.Option("--chapter", help="Only this chapter (10 or C10).")
    ] = None,
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help="Only this status; repeatable.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="A previous snapshot: add what changed since it."),
    ] = None,
    stamp: Annotated[
        bool, typer.Option("--stamp", help="Record the generation time (breaks byte-equality).")
    ] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="toml (a snapshot) or xlsx (unit workbooks, 报送表: one per --unit).",
        ),
    ] = "toml",
    per_unit: Annotated[
        bool,
        typer.Option("--per-unit", help="xlsx: one workbook per unit into the folder --out."),
    ] = False,
    as_json: Json = False,
) -> None:
    """Write a TOML status snapshot for a review meeting (调度会), or unit workbooks (xlsx)."""
    as_json = want_json(ctx, as_json)
    if fmt.lower() not in ("toml", "xlsx"):
        raise InvalidInputError(t("snap.bad_choice", value=fmt, allowed="toml / xlsx"))
    if fmt.lower() == "xlsx":
        from lctasks.cli.formats_cmds import export_xlsx

        if out_file == "-":
            raise InvalidInputError(t("snapcli.xlsx_out"))
        if since or stamp:
            raise InvalidInputError(t("snapcli.xlsx_toml_only"))
        export_xlsx(
            ctx,
            out_file=out_file,
            units=unit or [],
            chapters=[_chapter(c) for c in chapter or ()],
            statuses=[_status(x) for x in status or ()],
            per_unit=per_unit,
            as_of=as_of,
            as_json=as_json,
        )
        return
    from lctasks.services.review import ReviewService
    from lctasks.snapshot import (
        SnapshotFilter,
        to_document,
        write_snapshot,
    )

    flt = SnapshotFilter(
        tuple(unit or ()),
        tuple(_chapter(c) for c in chapter or ()),
        tuple(_status(s) for s in status or ()),
    )
    svc = ReviewService(_ctx(ctx), caches=render_cache)
    snap = svc.export(
        flt,
        as_of=_day(as_of),
        since_file=since or None,
        plan=state(ctx).plan,
        stamp=dt.datetime.now(dt.UTC).replace(microsecond=0) if stamp else None,
    )
    if as_json and out_file == "-":
        print_json(to_document(snap))
        return
    cache = svc.render_cache(snap.plan.code)
    size = write_snapshot(snap, out_file, cache)
    cache.save()
    summary = {
        "out": out_file,
        "bytes": size,
        "tasks": len(snap.tasks),
        "as_of": snap.as_of.isoformat(),
        "history_seq": snap.history.seq,
    }
    if as_json:
        print_json(summary)
        return
    err(
        t(
            "snapcli.exported",
            n=len(snap.tasks),
            out=t("snapcli.stdout") if out_file == "-" else out_file,
            as_of=snap.as_of.isoformat(),
            seq=snap.history.seq,
            size=size,
        )
    )


# ---------------------------------------------------------------------------
# diff
# ---------------------------------------------------------------------------

_ORDER = (
    "newly_done",
    "newly_closed",
    "returned",
    "newly_red",
    "newly_yellow",
    "back_to_green",
    "reassigned",
    "due_moved",
    "added",
    "removed",
    "status_changed",
    "progress_changed",
)


def _diff_json(d: SnapshotDiff, tasks: dict[str, SnapshotTask]) -> dict[str, Any]:
    def task(tid: str) -> dict[str, Any]:
        x = tasks.get(tid)
        return {
            "id": tid,
            "title": x.title if x else "",
            "lead": (x.lead or "") if x else "",
        }

    doc: dict[str, Any] = {
        "old": {"as_of": d.old_as_of.isoformat(), "history_seq": d.old_seq},
        "new": {"as_of": d.new_as_of.isoformat(), "history_seq": d.new_seq},
    }
    for name in _ORDER:
        items = []
        for item in getattr(d, name):
            if isinstance(item, str):
                items.append(task(item))
            elif name == "reassigned":
                items.append(
                    task(item.task)
                    | {
                        "old_lead": item.old_lead,
                        "new_lead": item.new_lead,
                        "old_co_units": list(item.old_co_units),
                        "new_co_units": list(item.new_co_units),
                        "old_person": item.old_person,
                        "new_person": item.new_person,
                    }
                )
            else:
                old, new = item.old, item.new
                items.append(
                    task(item.task)
                    | {
                        "old": old.isoformat() if isinstance(old, dt.date) else str(old),
                        "new": new.isoformat() if isinstance(new, dt.date) else str(new),
                    }
                )
                if isinstance(old, int) and isinstance(new, int):
                    items[-1]["old"], items[-1]["new"] = old, new
        doc[name] = items
    doc["summary"] = {name: len(getattr(d, name)) for name in _ORDER}
    return doc


def _owner(lead: str | None, co: tuple[str, ...], person: str | None) -> str:
    text = _show(lead)
    if co:
        text += (
            "（配合：" + "、".join(co) + "）" if language() == "zh" else f" (co: {', '.join(co)})"
        )
    if person:
        text += f" {person}"
    return text


def _say_waiting(*paths: str) -> None:
    """A person at a terminal who typed ``-`` is told the command waits for them."""
    if "-" in paths and sys.stdin.isatty():
        err(t("snapcli.waiting"))


def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The earlier snapshot (- for stdin).")],
    new: Annotated[str, typer.Argument(help="The later snapshot.")],
    as_json: Json = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="The changes as CSV (UTF-8), for a spreadsheet.")
    ] = False,
) -> None:
    """What changed between two snapshots: done, closed, red, reassigned, moved, returned."""
    as_json = want_json(ctx, as_json)
    from lctasks.snapshot import diff_files

    def day(text: str) -> dt.date:  # as apply reads them: 2027年3月底前, 年底 …
        from lctasks.dates import parse_date

        return parse_date(text, today=clock.today())

    _say_waiting(old, new)
    d, tasks = diff_files(old, new, parse_date=day)
    if as_json:
        print_json(_diff_json(d, tasks))
        return
    _diff_table(d, tasks, csv=csv)


def _diff_table(d: Any, tasks: dict[str, Any], *, csv: bool) -> None:
    """The groups of a diff as aligned tables under their counts, or one CSV."""
    if not csv:
        out(
            t(
                "snapcli.diff_head",
                old=d.old_as_of.isoformat(),
                old_seq=d.old_seq,
                new=d.new_as_of.isoformat(),
                new_seq=d.new_seq,
            )
        )
    if not d and not csv:
        out(t("snapcli.no_change"))
        return
    from lctasks.cli.output import print_table

    def row(tid: str, extra: str = "") -> list[str]:
        x = tasks.get(tid)
        return [tid, x.title if x else "", _show(x.lead) if x else "", extra]

    def change(name: str, item: Any) -> str:
        if isinstance(item, str):
            return ""
        if name == "reassigned":
            before = _owner(item.old_lead, item.old_co_units, item.old_person)
            after = _owner(item.new_lead, item.new_co_units, item.new_person)
            return f"{before} → {after}"
        if name == "progress_changed":
            return f"{item.old}% → {item.new}%"
        return f"{_show(item.old)} → {_show(item.new)}"

    groups = []
    for name in _ORDER:
        items = getattr(d, name)
        if items:
            ids = [item if isinstance(item, str) else item.task for item in items]
            groups.append(
                (name, [row(i, change(name, it)) for i, it in zip(ids, items, strict=True)])
            )
    headers = t("snapcli.diff_cols").split("\t")
    if csv:
        print_table(
            [t("snapcli.diff_group"), *headers],
            [[t(f"snapcli.group.{name}"), *r] for name, rows in groups for r in rows],
            csv=True,
        )
        return
    for name, rows in groups:
        out("")
        out(t("snapcli.count", label=t(f"snapcli.group.{name}"), n=len(rows)))
        print_table(headers, rows, indent="  ")


# ---------------------------------------------------------------------------
# apply
# ---------------------------------------------------------------------------


def _plan_json(plan: ReviewPlan) -> dict[str, Any]:
    def value(v: Any) -> Any:
        if isinstance(v, Status):
            return v.value
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, tuple):
            return list(v)
        return v

    return {
        "file": plan.file,
        "plan": plan.plan,
        "as_of": plan.as_of.isoformat(),
        "snapshot_seq": plan.snapshot_seq,
        "db_seq": plan.db_seq,
        "tasks": [
            {
                "id": e.task,
                "title": e.title,
                "where": e.where,
                "version": e.version,
                "changes": {f.field: [value(f.old), value(f.new)] for f in e.edits},
                **({"note": e.note} if e.note else {}),
                **({"evidence": e.evidence} if e.evidence else {}),
            }
            for e in plan.edits
        ],
        "conflicts": [
            {
                "id": c.task,
                "where": c.where,
                "snapshot_version": c.snapshot_version,
                "db_version": c.db_version,
                "fields": list(c.fields),
            }
            for c in plan.conflicts
        ],
        "warnings": list(plan.warnings),
        "summary": plan.summary(),
    }


def _print_plan(plan: ReviewPlan) -> None:
    for e in plan.edits:
        out(f"{e.task}\t{e.title}\t（{e.where}）")
        for f in e.edits:
            label = t(f"snapcli.field.{f.field}")
            if f.field == "note":
                out(f"  {label}：{f.new}")
                continue
            extra = ""
            if f.field == "due" and f.new > f.old:
                extra = f"（{t('snapcli.extend')}）"
            out(f"  {label}：{_show(f.old)} → {_show(f.new)}{extra}")
        if e.note and not e.get("note"):
            out(f"  {t('snapcli.field.note')}：{e.note}")
        if e.evidence:  # recorded with 销号: shown before it is written
            out(f"  {t('snapcli.field.evidence')}：{e.evidence}")


def apply(
    ctx: typer.Context,
    reviewed: Annotated[
        str,
        typer.Argument(help="The reviewed snapshot (- for stdin), or a filled-in unit workbook."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show exactly what would change; write nothing.")
    ] = False,
    late: Annotated[
        bool,
        typer.Option("--late", help="Extend tasks past their deadline (the office's grant)."),
    ] = False,
    as_json: Json = False,
) -> None:
    """Apply a reviewed snapshot or a unit's workbook (.xlsx): all or nothing."""
    as_json = want_json(ctx, as_json)
    from lctasks.cli.formats_cmds import apply_xlsx, is_workbook

    if is_workbook(reviewed):
        apply_xlsx(ctx, reviewed, dry_run=dry_run, as_json=as_json)
        return
    from lctasks.services.review import ReviewService

    svc = ReviewService(_ctx(ctx), caches=render_cache)
    _say_waiting(reviewed)
    result: ApplyResult = svc.apply_review(reviewed, dry_run=dry_run, late=late)
    plan = result.review
    if as_json:
        print_json(
            _plan_json(plan)
            | {"dry_run": result.dry_run, "applied": result.applied, "events": result.events}
        )
        return
    for w in plan.warnings:
        err(f"{t('snapcli.warn')}：{w}")
    err(
        t(
            "snapcli.apply_head",
            file=plan.file,
            plan=plan.plan,
            as_of=plan.as_of.isoformat(),
            seq=plan.snapshot_seq,
            db_seq=plan.db_seq,
        )
    )
    if not plan.edits:
        err(t("snapcli.nothing", n=plan.unchanged))
        return
    _print_plan(plan)
    summary = plan.summary()
    key = "snapcli.would" if dry_run else "snapcli.applied"
    err(
        t(
            key,
            tasks=summary["tasks"],
            fields=summary["fields"],
            events=result.events,
            actor=state(ctx).actor().name,
        )
    )


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("diff")(diff)
    app.command("apply")(apply)
