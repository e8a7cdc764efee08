"""The text `plan`, `show`, `import` (and `list --json`) print: renderers, no commands.

Each function turns a service result (TaskDetail, ImportResult, PlanOutline, Coverage,
Task) into lines or plain data; the commands in cli/plan_cmds.py print them. No typer,
no services imported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.cli.table import clip, pad, width
from lctasks.domain import CARRIED_FROM, CARRIED_TO, Light, Status
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import ZH, language
from lctasks.i18n import cli_t as t

if TYPE_CHECKING:
    from lctasks.domain import ChecklistItem, Task
    from lctasks.services.query import Coverage, ImportResult, PlanOutline, TaskDetail
    from lctasks.services.read_model import TaskRecord

MESSAGES.add(
    {
        "col.id": ("编号", "ID"),
        "col.kind": ("类型", "kind"),
        "col.chapter": ("章", "ch"),
        "col.title": ("标题", "title"),
        "col.lead": ("牵头单位", "lead unit"),
        "col.due": ("截止", "due"),
        "col.status": ("状态", "status"),
        "col.light": ("灯", "light"),
        "list.total": ("共 {n} 个任务", "{n} tasks"),
        "list.none": ("没有符合条件的任务", "no task matches"),
        "show.plan": ("规划", "plan"),
        "show.where": ("位置", "where"),
        "show.chapter": ("第{n}章 {title}", "chapter {n} {title}"),
        "show.chapter_n": ("第{n}章", "chapter {n}"),
        "show.section": ("第{n}节 {title}", "section {n} {title}"),
        "show.box": ("专栏{n} {title}", "box {n} {title}"),
        "show.category": ("类别：{c}", "category: {c}"),
        "show.line": ("原文第 {n} 行", "plan line {n}"),
        "show.carried_in": (
            "结转任务，不在本规划文本中（结转自 {src}）",
            "carried over, not in this plan's text (from {src})",
        ),
        "show.carried_out": ("结转至 {dst}", "carried over to {dst}"),
        "show.status": ("状态", "status"),
        "show.light": ("预警", "light"),
        "show.progress": ("进度", "progress"),
        "show.due": ("截止日期", "deadline"),
        "show.due_words": ("依据原文“{words}”", "from the words “{words}”"),
        "show.original_due": ("原定 {d}", "originally {d}"),
        "show.lead": ("牵头单位", "lead unit"),
        "show.co": ("配合单位", "co-units"),
        "show.person": ("责任人", "responsible person"),
        "show.leader": ("牵头领导", "lead city leader"),
        "show.none": ("（未指定）", "(none)"),
        "show.suggestion": (
            "规则建议（仅为建议，尚未指派）",
            "rule suggestion (not an assignment until accepted)",
        ),
        "show.closed": ("销号", "closed"),
        "show.close_note": ("办结说明", "completion note"),
        "show.evidence": ("佐证材料", "evidence"),
        "show.suggest_lead": ("建议牵头：{u}", "suggested lead: {u}"),
        "show.suggest_co": ("建议配合：{u}", "suggested co-units: {u}"),
        "show.suggest_rules": ("命中规则：{r}", "rules: {r}"),
        "show.source": ("原文", "source text"),
        "show.checklist": ("清单（{done}/{n} 已完成）", "checklist ({done}/{n} done)"),
        "show.target": ("目标", "target"),
        "show.yearly": ("每年", "yearly"),
        "show.attrs": ("附注", "printed fields"),
        "show.report": ("最新进展", "latest progress"),
        "show.report_none": ("尚无进展报送", "no progress report yet"),
        "show.problems": ("存在问题", "problems"),
        "show.next": ("下一步措施", "next steps"),
        "show.removed": (
            "注意：该任务已不在最近一次导入的规划文本中（已标记移除，历史保留）",
            "note: this task is gone from the last imported plan text (marked removed, "
            "history kept)",
        ),
        "import.first": (
            "已导入规划 {plan}：任务 {n} 个（举措 {measure}，重点项目 {project}，"
            "指标 {indicator}，目标 {goal}，章任务 {chapter}），用时 {s:.2f} 秒",
            "imported plan {plan}: {n} tasks ({measure} measures, {project} projects, "
            "{indicator} indicators, {goal} goals, {chapter} chapter tasks) in {s:.2f} s",
        ),
        "import.again": (
            "已重新导入规划 {plan}：任务 {n} 个；新增 {a}，变更 {c}，移除 {r}，未变 {u}",
            "re-imported plan {plan}: {n} tasks; {a} added, {c} changed, {r} removed, "
            "{u} unchanged",
        ),
        "import.added": ("新增", "added"),
        "import.changed": ("变更", "changed"),
        "import.removed": ("移除", "removed"),
        "import.restored": ("恢复", "restored"),
        "import.rekeyed": (
            "位置变动、沿用原编号（解析序号→台账编号）",
            "moved, kept their IDs (parser number → ledger ID)",
        ),
        "import.ticks": (
            "以下已勾选的清单项因原文改动未能保留，请核对",
            "these ticked checklist items lost their text in the new plan; please check",
        ),
        "import.unplaced": (
            "未能归位的文本 {n} 处，见 lctasks plan",
            "{n} pieces of text could not be placed; see lctasks plan",
        ),
        "plan.head": (
            "{title}（{code}，{doc}，{start} 至 {end}）",
            "{title} ({code}, {doc}, {start} to {end})",
        ),
        "plan.totals": (
            "任务 {n} 个：红灯 {red}，黄灯 {yellow}（截至 {as_of}）",
            "{n} tasks: {red} red, {yellow} yellow (as of {as_of})",
        ),
        "plan.part": ("第{n}篇 {title}", "part {n} {title}"),
        "plan.counts": ("{n} 个任务", "{n} tasks"),
        "plan.red_yellow": ("红 {red} 黄 {yellow}", "red {red} yellow {yellow}"),
        "plan.reference": ("参考资料，不作任务", "reference material, no tasks"),
        "plan.no_tasks": ("无任务", "no tasks"),
        "plan.coverage": ("覆盖情况", "coverage"),
        "plan.by_kind": (
            "举措 {measure}，重点项目 {project}，指标 {indicator}，目标 {goal}，章任务 {chapter}",
            "{measure} measures, {project} projects, {indicator} indicators, {goal} goals, "
            "{chapter} chapter tasks",
        ),
        "plan.without": (
            "没有任务的章：{chapters}（基础、形势、指导思想等叙述性章节）",
            "chapters without tasks: {chapters} (background, environment, principles)",
        ),
        "plan.all_covered": ("每一章都有任务", "every chapter has tasks"),
        "plan.refs": ("参考性专栏：{boxes}", "reference boxes: {boxes}"),
        "plan.paragraphs": (
            "逐段核对：全文 {total} 段（含专栏条目、指标行）— 任务 {task}，任务清单项 {checklist}，"
            "参考资料 {reference}，背景 {context}，未归位 {unplaced}",
            "every paragraph: {total} (box items and table rows included) — task {task}, "
            "checklist {checklist}, reference {reference}, context {context}, unplaced {unplaced}",
        ),
        "plan.paragraphs_none": (
            "逐段核对：该规划导入于此功能之前，重新导入（lctasks import）后可见",
            "every paragraph: this plan was imported before paragraphs were accounted for; "
            "re-import it (lctasks import)",
        ),
        "plan.context": ("背景：{reason}（{where}）", "context: {reason} ({where})"),
        "plan.context_lines": (
            "第 {first}–{last} 行，{n} 段",
            "lines {first}–{last}, {n} pieces",
        ),
        "plan.corrections": (
            "印刷错误更正（plan_data/corrections.toml，已复核）：{n} 处",
            "print defects corrected (plan_data/corrections.toml, reviewed): {n}",
        ),
        "plan.correction": (
            "第 {line} 行 [{id}] 原文“{printed}”→“{corrected}”（任务 {tasks}）",
            "line {line} [{id}] printed “{printed}” → “{corrected}” (tasks {tasks})",
        ),
        "plan.correction_why": ("原因：{why}；复核：{by}，{at}", "why: {why}; by {by}, {at}"),
        "plan.corrections_skipped": (
            "未在本规划文本中找到、未应用的更正：{ids}",
            "corrections not found in this plan text, not applied: {ids}",
        ),
        "plan.unplaced": ("未能归位的文本：{n} 处", "text not placed: {n}"),
        "plan.unplaced_none": ("未能归位的文本：无", "text not placed: none"),
        "plan.unplaced_line": (
            "第 {line} 行（{reason}）：{text}",
            "line {line} ({reason}): {text}",
        ),
        "plan.removed": (
            "另有 {n} 个任务已从规划文本中移除",
            "{n} more tasks were removed from the text",
        ),
        "plan.other": ("{n} 个任务不属于任何章", "{n} tasks belong to no chapter"),
        "plan.more": (
            "用 lctasks list --chapter N 查看某章的任务",
            "see a chapter's tasks: lctasks list --chapter N",
        ),
    }
)


def _colon() -> str:
    """The label separator: full-width in Chinese, ': ' in English."""
    return "：" if language() == ZH else ": "


def _list(items: Iterable[str]) -> str:
    return ("、" if language() == ZH else ", ").join(items)


def _s() -> str:
    return "；" if language() == ZH else "; "


def _p(text: str) -> str:
    return f"（{text}）" if language() == ZH else f" ({text})"


def light_text(light: Light | None) -> str:
    return t(f"light.{light.value}") if light else "—"


def task_json(task: Task) -> dict[str, Any]:
    """The scripting contract of `list --json` (one object per task)."""
    return {
        "id": task.id,
        "plan": task.plan,
        "kind": task.kind.value,
        "chapter": task.chapter,
        "section": task.section,
        "box": task.box,
        "category": task.category,
        "title": task.title,
        "lead_unit": task.lead_unit,
        "co_units": list(task.co_units),
        "person": task.person,
        "leader": task.leader,
        "due": task.due.isoformat(),
        "due_basis": task.due_basis.value,
        "status": task.status.value,
        "progress": task.progress,
        "light": task.light.value if task.light else None,
        "suggested_lead": task.suggestion.lead if task.suggestion else None,
        "removed": task.removed,
        "version": task.version,
    }


def tasks_with_fields(
    tasks: list[Task],
    wanted: tuple[str, ...],
    checklists: dict[str, tuple[ChecklistItem, ...]],
    places: dict[Any, dict[str, Any]],
    closure: Callable[[Task], dict[str, str] | None],
) -> list[dict[str, Any]]:
    """``list --fields``: the tasks as `show --json` gives them, only the ``wanted``
    fields; ``checklists`` by task ID, ``places`` (``outline_read.places``) and
    ``closure`` (a task's 销号, asked for closed tasks) read once for all of them."""
    import dataclasses

    from lctasks.cli.common import to_jsonable

    if "checklist" in wanted:
        tasks = [dataclasses.replace(x, checklist=checklists.get(x.id, ())) for x in tasks]
    out: list[dict[str, Any]] = []
    for x in tasks:
        data = to_jsonable(x)
        if "where" in wanted:
            data["where"] = places.get((x.chapter, x.section, x.box), {})
        if "closure" in wanted:
            data["closure"] = closure(x)
        out.append({name: data.get(name) for name in wanted})
    return out


# closing punctuation never starts a line (Chinese typesetting, 避头点): it hangs
# at the end of the previous one instead
_NO_LINE_START = frozenset("。，、；：？！）」』”’》〉】…—,.;:?!)")


def _wrap(text: str, indent: str = "  ", cols: int = 72) -> list[str]:
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        buf, used = "", 0
        for ch in para:
            w = width(ch)
            if used + w > cols and buf and ch not in _NO_LINE_START:
                lines.append(indent + buf)
                buf, used = "", 0
            buf += ch
            used += w
        lines.append(indent + buf)
    return lines


# what a row of the ``list`` table shows: id, kind, chapter, title, lead unit, due,
# status and light (kind and status as their stored values)
TaskCells = tuple[str, str, int, str, "str | None", dt.date, str, "Light | None"]


def task_cells(x: Task) -> TaskCells:
    """A domain task's row of the ``list`` table."""
    return (
        x.id,
        x.kind.value,
        x.chapter,
        x.title,
        x.lead_unit,
        x.due,
        x.status.value,
        x.light,
    )


def record_cells(r: TaskRecord) -> TaskCells:
    """A read-model record's row of the ``list`` table (the plain list: no ``Task`` made)."""
    return (r.key, r.kind, r.chapter, r.title, r.lead, r.due, r.status, r.light)


def print_task_table(tasks: Iterable[TaskCells], *, csv: bool) -> None:
    """The ``list`` table (paged on a terminal) and its count on stderr, or the CSV.

    ``tasks`` is read once, a row at a time into the table's cells: of 100,000 tasks
    no rows of strings are held beside them."""
    import itertools

    from lctasks.cli.common import err, out
    from lctasks.cli.output import paged, print_table
    from lctasks.cli.table import render_lines

    them = iter(tasks)
    first = next(them, None)
    if first is None:
        err(t("list.none"))
        return
    headers = [t(f"col.{c}") for c in ("id", "kind", "chapter", "title", "lead", "due")] + [
        t("col.status"),
        t("col.light"),
    ]
    n = 0

    def rows() -> Iterable[list[str]]:
        nonlocal n
        for key, kind, chapter, title, lead, due, status, light in itertools.chain([first], them):
            n += 1
            yield [
                key,
                t(f"kind.{kind}"),
                str(chapter),
                title,
                lead or "—",
                due.isoformat(),
                t(f"status.{status}"),
                light_text(light),
            ]

    if csv:  # whole titles, for a spreadsheet
        print_table(headers, list(rows()), csv=True)
        return
    import shutil

    cols = shutil.get_terminal_size((120, 24)).columns
    title_room = max(20, min(48, cols - 78))
    with paged():  # 633 lines: through a pager on a terminal, as git does
        for line in render_lines(
            headers,
            rows(),
            limits=[None, None, None, title_room, 16, None, None, None],
            right=[False, False, True, False, False, False, False, False],
        ):
            out(line)
    err(t("list.total", n=n))


def show_doc(task: Task, where: dict[str, Any], closure: dict[str, str] | None) -> dict[str, Any]:
    """What ``show --json`` prints: the task, its 销号 and ``where`` it stands in the
    plan (``place_of`` a ``TaskDetail``, or ``task_read.task_place``)."""
    from lctasks.cli.common import to_jsonable

    data: dict[str, Any] = to_jsonable(task)
    data["closure"] = closure
    data["where"] = where
    return data


def place_of(detail: TaskDetail) -> dict[str, Any]:
    """The "where" of ``show --json``, from a ``TaskDetail``."""
    return {
        "plan_title": detail.plan_title,
        "part": list(detail.part) if detail.part else None,
        "chapter_title": detail.chapter_title,
        "section_title": detail.section_title,
        "box_title": detail.box_title,
        "box_note": detail.box_note,
    }


def show_lines(detail: TaskDetail, closure: dict[str, str] | None = None) -> list[str]:
    x = detail.task
    lines = [f"{x.id}  {x.title}  [{t('kind.' + x.kind.value)}]"]
    if x.removed:
        lines.append(t("show.removed"))
    where = []
    if detail.part:
        where.append(t("plan.part", n=detail.part[0], title=detail.part[1]))
    where.append(t("show.chapter", n=x.chapter, title=detail.chapter_title))
    if x.section:
        where.append(t("show.section", n=x.section, title=detail.section_title))
    if x.box is not None:
        box = t("show.box", n=x.box, title=detail.box_title)
        if detail.box_note:
            box += _p(detail.box_note)
        where.append(box)
    if x.category:
        where.append(t("show.category", c=x.category))
    lines.append(f"{t('show.plan')}{_colon()}{x.plan}  {detail.plan_title}")
    links = dict(x.attrs)
    if x.chapter == 0 and x.line == 0:  # made by lctasks carry: no place in the text
        src = links.get(CARRIED_FROM, "—")
        lines.append(f"{t('show.where')}{_colon()}{t('show.carried_in', src=src)}")
    else:
        place = f"{' › '.join(where)}{_s()}{t('show.line', n=x.line)}"
        lines.append(f"{t('show.where')}{_colon()}{place}")
    status = t("status." + x.status.value)
    if x.status is Status.CLOSED and CARRIED_TO in links:
        status += _p(t("show.carried_out", dst=links[CARRIED_TO]))
    lines.append(
        f"{t('show.status')}{_colon()}{status}    "
        f"{t('show.light')}{_colon()}{light_text(x.light)}    "
        f"{t('show.progress')}{_colon()}{x.progress}%"
    )
    due_bits = [t("due." + x.due_basis.value)]
    if x.due_text:
        due_bits.append(t("show.due_words", words=x.due_text))
    if x.original_due:
        due_bits.append(t("show.original_due", d=x.original_due.isoformat()))
    sep = "，" if language() == ZH else ", "
    lines.append(f"{t('show.due')}{_colon()}{x.due.isoformat()}{_p(sep.join(due_bits))}")
    none = t("show.none")
    lines.append(f"{t('show.lead')}{_colon()}{x.lead_unit or none}")
    lines.append(f"{t('show.co')}{_colon()}{'、'.join(x.co_units) if x.co_units else none}")
    if x.person:
        lines.append(f"{t('show.person')}{_colon()}{x.person}")
    if x.leader:
        lines.append(f"{t('show.leader')}{_colon()}{x.leader}")
    if closure is not None:
        day = clock.office_date(dt.datetime.fromisoformat(closure["at"])).isoformat()
        lines.append(f"{t('show.closed')}{_colon()}{day} {closure['by']}")
        lines.append(f"  {t('show.close_note')}{_colon()}{closure['note'] or none}")
        lines.append(f"  {t('show.evidence')}{_colon()}{closure['evidence'] or none}")
    if x.suggestion and (x.lead_unit is None and x.status is not Status.CLOSED):
        s = x.suggestion
        lines.append(f"{t('show.suggestion')}{_colon()}")
        if s.lead:
            lines.append("  " + t("show.suggest_lead", u=s.lead))
        if s.co_units:
            lines.append("  " + t("show.suggest_co", u="、".join(s.co_units)))
        if s.rules:
            lines.append("  " + t("show.suggest_rules", r="、".join(s.rules)))
    lines.append(f"{t('show.source')}{_colon()}")
    lines.extend(_wrap(x.source_text))
    if x.attrs:
        lines.append(f"{t('show.attrs')}{_colon()}")
        lines.extend(f"  {k}：{v}" for k, v in x.attrs)
    if x.checklist:
        done = sum(1 for c in x.checklist if c.done)
        lines.append(t("show.checklist", done=done, n=len(x.checklist)) + "：")
        for c in x.checklist:
            mark = "[x]" if c.done else "[ ]"
            first, *rest = _wrap(c.text, "", 66)
            lines.append(f"  {mark} {c.seq}. {first}")
            lines.extend("        " + r for r in rest)
            for g in c.targets:
                bits = [g.text]
                if g.shown():
                    bits.append(g.shown())
                if g.yearly:
                    bits.append(t("show.yearly"))
                if g.deadline:
                    bits.append(g.deadline.isoformat())
                lines.append(f"        {t('show.target')}{_colon()}{' · '.join(bits)}")
    rep = x.latest_report
    if rep is None:
        lines.append(f"{t('show.report')}{_colon()}{t('show.report_none')}")
    else:
        pct = f" {rep.percent}%" if rep.percent is not None else ""
        lines.append(
            f"{t('show.report')}{_p(f'{clock.office_date(rep.at).isoformat()} {rep.actor}{pct}')}"
            f"{_colon()}{rep.made}"
        )
        if rep.problems:
            lines.append(f"  {t('show.problems')}{_colon()}{rep.problems}")
        if rep.next_steps:
            lines.append(f"  {t('show.next')}{_colon()}{rep.next_steps}")
    return lines


def import_lines(r: ImportResult) -> list[str]:
    c = r.counts
    if r.first:
        lines = [
            t(
                "import.first",
                plan=r.plan,
                n=r.tasks,
                measure=c.get("measure", 0),
                project=c.get("project", 0),
                indicator=c.get("indicator", 0),
                goal=c.get("goal", 0),
                chapter=c.get("chapter", 0),
                s=r.seconds,
            )
        ]
    else:
        lines = [
            t(
                "import.again",
                plan=r.plan,
                n=r.tasks,
                a=len(r.added),
                c=len(r.changed),
                r=len(r.removed),
                u=r.unchanged,
            )
        ]
        for label, keys in (
            ("import.added", [k for k in r.added if k not in r.restored]),
            ("import.restored", list(r.restored)),
            ("import.changed", list(r.changed)),
            ("import.removed", list(r.removed)),
        ):
            if keys:
                lines.append(f"  {t(label)}{_colon()}{' '.join(keys)}")
        if r.rekeyed:
            pairs = " ".join(f"{a}→{b}" for a, b in r.rekeyed)
            lines.append(f"  {t('import.rekeyed')}{_colon()}{pairs}")
        if r.ticks_dropped:
            lines.append(f"  {t('import.ticks')}{_colon()}{' '.join(r.ticks_dropped)}")
    # the paragraph ledger's unplaced count when there is one (the footer is context)
    unplaced = c.get("paragraphs_unplaced", c.get("unplaced", 0))
    if unplaced:
        lines.append(t("import.unplaced", n=unplaced))
    return lines


def _counts(n: int, red: int, yellow: int) -> str:
    text = t("plan.counts", n=n)
    if red or yellow:
        text += "  " + t("plan.red_yellow", red=red, yellow=yellow)
    return text


def outline_lines(o: PlanOutline, *, sections: bool) -> list[str]:
    p = o.plan
    lines = [
        t(
            "plan.head",
            title=p.title,
            code=p.code,
            doc=p.doc_number or "—",
            start=p.start.isoformat(),
            end=p.end.isoformat(),
        ),
        t(
            "plan.totals",
            n=o.counts.tasks,
            red=o.counts.red,
            yellow=o.counts.yellow,
            as_of=o.as_of.isoformat(),
        ),
        "",
    ]
    rows: list[tuple[str, str]] = []
    for part in o.parts:
        c = part.counts
        rows.append((t("plan.part", n=part.number, title=part.title), _counts(*_c(c))))
        for ch in part.chapters:
            label = "  " + t("show.chapter", n=ch.number, title=ch.title)
            value = _counts(*_c(ch.counts)) if ch.counts.tasks else t("plan.no_tasks")
            rows.append((label, value))
            if sections:
                for sec in ch.sections:
                    rows.append(
                        (
                            "    " + t("show.section", n=sec.number, title=sec.title),
                            _counts(*_c(sec.counts)),
                        )
                    )
                for box in ch.boxes:
                    note = _p(box.note) if box.note else ""
                    value = t("plan.reference") if box.is_reference else _counts(*_c(box.counts))
                    rows.append(
                        ("    " + t("show.box", n=box.number, title=box.title) + note, value)
                    )
    label_w = min(max((width(r[0]) for r in rows), default=0), 60)
    for label, value in rows:
        lines.append(f"{pad(clip(label, label_w), label_w)}  {value}")
    if o.other.tasks:
        lines.append(t("plan.other", n=o.other.tasks))
    if o.plan.removed:
        lines.append(t("plan.removed", n=o.plan.removed))
    return lines


def outline_json(value: Any) -> Any:
    """``plan outline --json``'s outline: every count as ``{tasks, red, yellow}``."""
    import dataclasses

    from lctasks.domain import Counts

    if isinstance(value, Counts):
        return {"tasks": value.tasks, "red": value.red, "yellow": value.yellow}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: outline_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [outline_json(v) for v in value]
    if isinstance(value, dict):
        return {k: outline_json(v) for k, v in value.items()}
    return value


def _c(c: Any) -> tuple[int, int, int]:
    return (c.tasks, c.red, c.yellow)


def coverage_lines(cov: Coverage, outline: PlanOutline) -> list[str]:
    kinds = t("plan.by_kind", **cov.by_kind)
    lines = [f"{t('plan.coverage')}{_colon()}{t('plan.counts', n=cov.tasks)}{_p(kinds)}"]
    if cov.without_tasks:
        lines.append(t("plan.without", chapters=_list(str(n) for n in cov.without_tasks)))
    else:
        lines.append(t("plan.all_covered"))
    if cov.reference_boxes:
        boxes = ("；" if language() == ZH else "; ").join(
            f"{t('show.box', n=n, title=title)}{_p(t('show.chapter_n', n=ch))}"
            for n, title, ch in cov.reference_boxes
        )
        lines.append(t("plan.refs", boxes=boxes))
    para = cov.paragraphs
    if para is None:
        lines.append(t("plan.paragraphs_none"))
    else:
        lines.append(t("plan.paragraphs", total=para.total, **para.classes))
        reasons: dict[str, list[int]] = {}
        for line, reason in para.context:
            reasons.setdefault(reason, []).append(line)
        for reason, at in reasons.items():
            where = t("plan.context_lines", first=at[0], last=at[-1], n=len(at))
            lines.append("  " + t("plan.context", reason=reason, where=where))
    applied = [c for c in cov.corrections if c.applied]
    if applied:
        lines.append(t("plan.corrections", n=len(applied)))
        for c in applied:
            lines.append(
                "  "
                + t(
                    "plan.correction",
                    line=c.line,
                    id=c.id,
                    printed=clip(c.printed, 30),
                    corrected=clip(c.corrected, 40),
                    tasks="、".join(c.tasks),
                )
            )
            lines.append("    " + t("plan.correction_why", why=c.why, by=c.by, at=c.reviewed))
    skipped = [c for c in cov.corrections if not c.applied]
    if skipped:
        lines.append(t("plan.corrections_skipped", ids="、".join(c.id for c in skipped)))
    unplaced = para.unplaced if para is not None else outline.unplaced
    if unplaced:
        lines.append(t("plan.unplaced", n=len(unplaced)))
        for u in unplaced:
            lines.append(
                "  "
                + t(
                    "plan.unplaced_line",
                    line=u.line,
                    reason=u.reason,
                    text=clip(u.text.replace("\n", " "), 60),
                )
            )
    else:
        lines.append(t("plan.unplaced_none"))
    lines.append(t("plan.more"))
    return lines
