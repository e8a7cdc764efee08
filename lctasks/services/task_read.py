"""One task in full, on either path: what ``show`` prints (text and ``--json``).

``task_full`` gives one task with its checklist and targets, owners, suggestion,
newest report and light; ``task_place`` where it stands in the plan; ``closure`` its
销号; ``task_detail`` all of it for the TUI's detail pane. Portable SQL through a
``lctasks.db.sql.Runner`` like the rest of the read model (``services/read_model.py``,
whose rows and helpers it uses). Standard library only at import time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.db.sql import (
    Runner,
    as_datetime,
    as_json,
    in_clause,
)
from lctasks.domain import (
    ChecklistItem,
    Target,
    Task,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.lights import LightRule
from lctasks.services.read_model import (
    CHUNK,
    FINISHED_CODES,
    TASK_COLUMNS,
    RowValues,
    co_units,
    last_reports,
    numeric_lights_by_key,
    report_from_row,
    task_from_row,
)

MESSAGES.add(
    {
        "import.box_note": ("印在第{printed}章之后", "printed after chapter {printed}"),
    }
)

if TYPE_CHECKING:
    from lctasks.services.query import TaskDetail


def target_from_json(data: dict[str, object]) -> Target:
    """A checklist target as stored (JSON) → ``domain.Target``."""
    value = data.get("value")
    deadline = data.get("deadline")
    return Target(
        text=str(data.get("text") or ""),
        value=float(value) if isinstance(value, int | float) else None,
        unit=str(data.get("unit") or ""),
        deadline=dt.date.fromisoformat(deadline) if isinstance(deadline, str) else None,
        yearly=bool(data.get("yearly", False)),
        kind=str(data.get("kind") or ("number" if isinstance(value, int | float) else "")),
        value_max=float(vmax) if isinstance(vmax := data.get("value_max"), int | float) else None,
        before=str(data.get("before") or ""),
        after=str(data.get("after") or ""),
        value_text=str(data.get("value_text") or ""),
    )


def task_full(
    runner: Runner, plan_id: int, plan_code: str, key: str, *, as_of: dt.date, settings: Any
) -> Task | None:
    """One task (``key`` as typed: any case, spaces) with checklist, targets, owners,
    suggestion, its newest report and its light as of ``as_of``; None if the plan has
    no such task (removed tasks are found too)."""
    from lctasks.keys import normalize_key

    rows = runner.all(
        f"SELECT {TASK_COLUMNS} FROM tasks t LEFT JOIN units u ON u.id = t.lead_unit_id"
        " WHERE t.plan_id = :plan AND t.key = :key",
        {"plan": plan_id, "key": normalize_key(key)},
    )
    if not rows:
        return None
    row = rows[0]
    tid, key, status = row[0], row[1], row[5]
    values = RowValues()
    start_d, due_d = values.day(row[8]), values.day(row[6])
    progress = row[13] or 0
    assert start_d is not None and due_d is not None
    checklist = tuple(
        checklist_item(*item)
        for item in runner.all(
            "SELECT seq, text, done, targets FROM checklist_items WHERE task_id = :id ORDER BY seq",
            {"id": tid},
        )
    )
    newest = runner.all(
        "SELECT at, actor, made, problems, next_steps, percent, period FROM progress_reports"
        " WHERE task_id = :id ORDER BY at DESC, id DESC LIMIT 1",
        {"id": tid},
    )
    report = report_from_row(*newest[0]) if newest else None
    # the task shows its newest report; the light as of a past day counts only the
    # reports made by then (as the lists do)
    if report is not None and report.at < clock.day_end(as_of):
        last: dt.date | None = clock.office_date(report.at)
    else:
        last = last_reports(runner, plan_id, [tid], as_of).get(tid)
    light = LightRule(as_of, settings)(status, start_d, due_d, progress, last)
    if status not in FINISHED_CODES:
        light = numeric_lights_by_key(runner, plan_id, as_of, settings).get(key, light)
    return task_from_row(
        row,
        plan_code,
        values,
        light=light,
        co=co_units(runner, plan_id, [tid]).get(tid, ()),
        report=report,
        checklist=checklist,
    )


def checklist_item(seq: int, text: str, done: Any, targets: Any) -> ChecklistItem:
    """A ``checklist_items`` row (seq, text, done, targets) as a domain item."""
    return ChecklistItem(
        seq=seq,
        text=text,
        done=bool(done),
        targets=tuple(target_from_json(d) for d in (as_json(targets) or [])),
    )


def checklists(
    runner: Runner, plan_id: int, keys: Sequence[str]
) -> dict[str, tuple[ChecklistItem, ...]]:
    """The checklists (with their targets) of many tasks of the plan in one read, by key
    (``list --fields checklist``)."""
    out: dict[str, list[ChecklistItem]] = {k: [] for k in keys}
    for i in range(0, len(keys), CHUNK):
        clause, params = in_clause("k", list(keys[i : i + CHUNK]))
        for key, *row in runner.all(
            "SELECT t.key, c.seq, c.text, c.done, c.targets FROM tasks t"
            " JOIN checklist_items c ON c.task_id = t.id"
            f" WHERE t.plan_id = :plan AND t.key IN {clause} ORDER BY t.key, c.seq",
            {**params, "plan": plan_id},
        ):
            out[key].append(checklist_item(*row))
    return {k: tuple(v) for k, v in out.items()}


PRINTED_AFTER = "printed_after_chapter="


def box_note(raw: str) -> str:
    """A box's note for people, in the current language."""
    if raw.startswith(PRINTED_AFTER):
        return t("import.box_note", printed=raw.removeprefix(PRINTED_AFTER))
    return raw


def task_place(
    runner: Runner, plan_id: int, chapter: int, section: int | None, box: int | None
) -> dict[str, Any]:
    """Where a task stands in the plan, as ``show --json`` gives it under "where"."""
    plan_title = runner.all("SELECT title FROM plans WHERE id = :plan", {"plan": plan_id})
    nodes: dict[tuple[str, int, int], tuple[str, str, int | None]] = {}
    for kind, n_chapter, number, title, note, part in runner.all(
        "SELECT kind, chapter, number, title, note, part FROM plan_nodes WHERE plan_id = :plan"
        " AND kind IN ('part', 'chapter', 'section', 'box') ORDER BY kind, chapter, number",
        {"plan": plan_id},
    ):
        nodes[(kind, n_chapter, number)] = (title, note or "", part)
    ch = nodes.get(("chapter", chapter, chapter))
    part = nodes.get(("part", 0, ch[2])) if ch is not None and ch[2] else None
    sec = nodes.get(("section", chapter, section)) if section else None
    bx = None
    if box is not None:
        bx = next((n for k, n in nodes.items() if k[0] == "box" and k[2] == box), None)
    return {
        "plan_title": str(plan_title[0][0]) if plan_title else "",
        "part": [ch[2], part[0]] if ch is not None and part is not None else None,
        "chapter_title": ch[0] if ch else "",
        "section_title": sec[0] if sec else "",
        "box_title": bx[0] if bx else "",
        "box_note": box_note(bx[1]) if bx else "",
    }


def task_detail(
    runner: Runner, plan_id: int, plan_code: str, key: str, *, as_of: dt.date, settings: Any
) -> TaskDetail | None:
    """``task_full`` and where the task stands in the plan (what ``show`` prints);
    None if the plan has no such task."""
    from lctasks.services.query import TaskDetail

    task = task_full(runner, plan_id, plan_code, key, as_of=as_of, settings=settings)
    if task is None:
        return None
    where = task_place(runner, plan_id, task.chapter, task.section, task.box)
    return TaskDetail(
        task=task,
        plan_title=where["plan_title"],
        part=(where["part"][0], where["part"][1]) if where["part"] else None,
        chapter_title=where["chapter_title"],
        section_title=where["section_title"],
        box_title=where["box_title"],
        box_note=where["box_note"],
    )


def closure(runner: Runner, plan_code: str, key: str) -> dict[str, str] | None:
    """销号 of a task: when, by whom, the completion note and the evidence, from its
    latest close event (the task row keeps only the status); None if never closed."""
    rows = runner.all(
        "SELECT at, actor, reason, changes FROM events WHERE task_key = :key"
        " AND plan_code = :plan AND action = 'close' ORDER BY seq DESC LIMIT 1",
        {"key": key, "plan": plan_code},
    )
    if not rows:
        return None
    at, actor, reason, changes = rows[0]
    stamp = as_datetime(at)
    assert stamp is not None
    evidence = (as_json(changes) or {}).get("evidence", [None, None])
    if not isinstance(evidence, list):
        evidence = [evidence]
    return {
        "at": stamp.isoformat(),
        "by": actor,
        "note": reason or "",
        "evidence": str(evidence[-1] or ""),
    }
