"""The plan tree with counts, and coverage, as plain SQL over any connection.

``outline`` gives parts → chapters → sections and boxes (from the ``plan_nodes``
rows ``services.plan_tree`` writes at import) with task, red and yellow counts;
``coverage`` the tasks per chapter, chapters without tasks, reference boxes, the
paragraph ledger and the applied print corrections. Written once over a
``lctasks.db.sql.Runner``: ``OutlineQueries`` (services/outline.py) runs it in a
SQLAlchemy session, the CLI's read fast path (``lctasks plan``) over ``sqlite3``.
Standard library only at import time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from lctasks import clock
from lctasks.db.sql import Runner, as_date, as_datetime, db_datetime
from lctasks.domain import Counts, Light, PlanInfo, PrintCorrection, TaskKind, Unplaced
from lctasks.services.query import (
    ChapterCoverage,
    Coverage,
    OutlineBox,
    OutlineChapter,
    OutlinePart,
    OutlineSection,
    ParagraphCoverage,
    PlanOutline,
)
from lctasks.services.read_model import LightMemo
from lctasks.services.task_read import box_note

# (chapter, section, box, kind, light, count)
LightRow = tuple[int, int | None, int | None, str, Light, int]


class Node(NamedTuple):
    """A ``plan_nodes`` row of the tree (no paragraph, no correction)."""

    kind: str
    number: int
    part: int | None
    chapter: int
    title: str
    body: str
    line: int
    is_reference: bool
    note: str


def plan_info(runner: Runner, plan_id: int, tasks: int, removed: int) -> PlanInfo:
    """The plan as ``plan list`` and the outline show it."""
    code, title, doc, start, end, source, sha, at = runner.all(
        'SELECT code, title, doc_number, start, "end", source_name, source_sha256, imported_at'
        " FROM plans WHERE id = :plan",
        {"plan": plan_id},
    )[0]
    first, last = as_date(start), as_date(end)
    assert first is not None and last is not None  # NOT NULL columns
    return PlanInfo(
        code=code,
        title=title,
        doc_number=doc or "",
        start=first,
        end=last,
        source_name=source or "",
        source_sha256=sha or "",
        imported_at=as_datetime(at),
        tasks=tasks,
        removed=removed,
    )


def light_rows(runner: Runner, plan_id: int, as_of: dt.date, settings: Any) -> list[LightRow]:
    """(chapter, section, box, kind, light, count) over the plan's live tasks.

    Grouped in SQL by everything the light depends on (status, start, due,
    progress, and whether the latest report falls in the current period), so
    Python sees one row per distinct group, not one per task.
    """
    light = LightMemo(as_of, settings)
    params = {
        "plan": plan_id,
        "no": False,
        "since": db_datetime(runner, clock.day_start(light.period_start)),
        "until": db_datetime(runner, clock.day_end(as_of)),
    }
    rows = runner.all(
        "SELECT t.chapter, t.section, t.box, t.kind, t.status, t.start, t.due, t.progress,"
        " CASE WHEN l.at >= :since THEN 1 WHEN l.at IS NOT NULL THEN 0 END, COUNT(*)"
        " FROM tasks t LEFT JOIN (SELECT p.task_id AS task_id, MAX(p.at) AS at"
        " FROM progress_reports p JOIN tasks pt ON pt.id = p.task_id"
        " WHERE p.at < :until AND pt.plan_id = :plan GROUP BY p.task_id) l"
        " ON l.task_id = t.id"
        " WHERE t.plan_id = :plan AND t.removed = :no"
        " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
        params,
    )
    out: list[LightRow] = []
    days: dict[Any, dt.date] = {}

    def day(value: Any) -> dt.date:
        hit = days.get(value)
        if hit is None:
            found = as_date(value)
            assert found is not None  # NOT NULL columns
            hit = days[value] = found
        return hit

    for chapter, section, box, kind, status, start, due, progress, b, n in rows:
        last = None if b is None else (light.period_start if b else light.before)
        lit = light(status, day(start), day(due), progress or 0, last)
        out.append((chapter, section, box, kind, lit, int(n)))
    return out


def tree_nodes(runner: Runner, plan_id: int) -> list[Node]:
    """Parts, chapters, sections, boxes (and the preamble, unplaced text) in reading order."""
    rows = runner.all(
        "SELECT kind, number, part, chapter, title, body, line, is_reference, note"
        " FROM plan_nodes WHERE plan_id = :plan AND kind NOT IN ('para', 'correction')"
        " ORDER BY line, id",
        {"plan": plan_id},
    )
    return [
        Node(kind, number, part, chapter, title, body, line, bool(ref), note)
        for kind, number, part, chapter, title, body, line, ref, note in rows
    ]


def _weighted_kinds(items: Iterable[tuple[Any, ...]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for item in items:
        counts[item[3]] += item[5]
    return dict(counts)


def _tally(items: Iterable[tuple[Any, ...]]) -> Counts:
    n = red = yellow = 0
    for item in items:
        n += item[5]
        red += item[5] if item[4] is Light.RED else 0
        yellow += item[5] if item[4] is Light.YELLOW else 0
    return Counts(n, light={Light.RED: red, Light.YELLOW: yellow})


def outline(runner: Runner, plan_id: int, *, as_of: dt.date, settings: Any) -> PlanOutline:
    """Parts → chapters → sections (and boxes) with task, red and yellow counts."""
    nodes = tree_nodes(runner, plan_id)
    lights = light_rows(runner, plan_id, as_of, settings)
    removed = runner.all(
        "SELECT COUNT(*) FROM tasks WHERE plan_id = :plan AND removed = :yes",
        {"plan": plan_id, "yes": True},
    )[0][0]
    info = plan_info(runner, plan_id, sum(i[5] for i in lights), int(removed or 0))
    by_chapter: defaultdict[int, list[LightRow]] = defaultdict(list)
    for item in lights:
        by_chapter[item[0]].append(item)
    parts: list[OutlinePart] = []
    chapter_nodes: defaultdict[int, list[Node]] = defaultdict(list)
    sections: defaultdict[int, list[Node]] = defaultdict(list)
    boxes: defaultdict[int, list[Node]] = defaultdict(list)
    unplaced: list[Unplaced] = []
    part_nodes: list[Node] = []
    for n in nodes:
        if n.kind == "part":
            part_nodes.append(n)
        elif n.kind == "chapter":
            chapter_nodes[n.part or 0].append(n)
        elif n.kind == "section":
            sections[n.chapter].append(n)
        elif n.kind == "box":
            boxes[n.chapter].append(n)
        elif n.kind == "unplaced":
            unplaced.append(Unplaced(line=n.line, text=n.body, reason=n.note or n.title))
    seen_chapters: set[int] = set()
    for p in sorted(part_nodes, key=lambda n: n.number):
        chapters: list[OutlineChapter] = []
        for c in sorted(chapter_nodes.get(p.number, []), key=lambda n: n.number):
            seen_chapters.add(c.number)
            items = by_chapter.get(c.number, [])
            chapters.append(
                OutlineChapter(
                    number=c.number,
                    title=c.title,
                    part=p.number,
                    line=c.line,
                    counts=_tally(items),
                    by_kind=_weighted_kinds(items),
                    sections=tuple(
                        OutlineSection(
                            number=sec.number,
                            title=sec.title,
                            line=sec.line,
                            counts=_tally(i for i in items if i[1] == sec.number),
                        )
                        for sec in sorted(sections.get(c.number, []), key=lambda n: n.number)
                    ),
                    boxes=tuple(
                        OutlineBox(
                            number=b.number,
                            title=b.title,
                            chapter=b.chapter,
                            is_reference=b.is_reference,
                            note=box_note(b.note),
                            line=b.line,
                            text=b.body,
                            counts=_tally(i for i in items if i[2] == b.number),
                        )
                        for b in sorted(boxes.get(c.number, []), key=lambda n: n.number)
                    ),
                )
            )
        parts.append(
            OutlinePart(
                number=p.number,
                title=p.title,
                line=p.line,
                counts=_tally(i for c in chapters for i in by_chapter.get(c.number, [])),
                chapters=tuple(chapters),
            )
        )
    return PlanOutline(
        plan=info,
        as_of=as_of,
        counts=_tally(lights),
        parts=tuple(parts),
        unplaced=tuple(unplaced),
        other=_tally(i for i in lights if i[0] not in seen_chapters),
    )


def places(outline: PlanOutline) -> dict[Any, dict[str, Any]]:
    """(chapter, section, box) → the titles `show --json` gives under "where"
    (``list --fields where``)."""
    out: dict[Any, dict[str, Any]] = {}
    for part in outline.parts:
        for ch in part.chapters:
            secs = {s.number: s.title for s in ch.sections}
            boxes = {b.number: (b.title, b.note) for b in ch.boxes}
            for sec in [None, *secs]:
                for box in [None, *boxes]:
                    out[(ch.number, sec, box)] = {
                        "plan_title": outline.plan.title,
                        "part": [part.number, part.title] if part.number else None,
                        "chapter_title": ch.title,
                        "section_title": secs.get(sec, "") if sec else "",
                        "box_title": boxes[box][0] if box else "",
                        "box_note": boxes[box][1] if box else "",
                    }
    return out


def coverage(runner: Runner, plan_id: int, out: PlanOutline) -> Coverage:
    """Tasks per chapter, chapters without tasks, reference boxes, unplaced count
    (``out``: the plan's outline; its task counts do not depend on its as-of day)."""
    chapters = [c for p in out.parts for c in p.chapters]
    by_kind: Counter[str] = Counter()
    for c in chapters:
        by_kind.update(c.by_kind)
    refs = tuple(
        (b.number, b.title, b.chapter) for c in chapters for b in c.boxes if b.is_reference
    )
    return Coverage(
        plan=out.plan.code,
        tasks=out.counts.tasks,
        by_kind={k.value: by_kind.get(k.value, 0) for k in TaskKind},
        chapters=tuple(
            ChapterCoverage(
                chapter=c.number,
                title=c.title,
                tasks=c.counts.tasks,
                by_kind=c.by_kind,
                reference_boxes=tuple(b.number for b in c.boxes if b.is_reference),
            )
            for c in chapters
        ),
        without_tasks=tuple(c.number for c in chapters if c.counts.tasks == 0),
        reference_boxes=refs,
        unplaced=len(out.unplaced),
        paragraphs=paragraphs(runner, plan_id),
        corrections=corrections(runner, plan_id),
    )


def corrections(runner: Runner, plan_id: int) -> tuple[PrintCorrection, ...]:
    """The reviewed print corrections as the import applied them."""
    rows = runner.all(
        "SELECT body FROM plan_nodes WHERE plan_id = :plan AND kind = 'correction' ORDER BY number",
        {"plan": plan_id},
    )
    out: list[PrintCorrection] = []
    for (body,) in rows:
        data = json.loads(body)
        data["tasks"] = tuple(data.get("tasks") or ())
        out.append(PrintCorrection(**data))
    return tuple(out)


# the paragraph classes of lctasks.plan.coverage (not imported: it is the parser's)
CLASSES = ("task", "checklist", "reference", "context", "unplaced")


def paragraphs(runner: Runner, plan_id: int) -> ParagraphCoverage | None:
    """The paragraph ledger written at import (None before it existed)."""
    rows = runner.all(
        "SELECT title, line, note, body FROM plan_nodes"
        " WHERE plan_id = :plan AND kind = 'para' ORDER BY number",
        {"plan": plan_id},
    )
    if not rows:
        return None
    classes = {c: 0 for c in CLASSES}
    lines: dict[str, set[int]] = {c: set() for c in CLASSES}
    for cls, line, _note, _body in rows:
        classes[cls] = classes.get(cls, 0) + 1
        lines.setdefault(cls, set()).add(line)
    return ParagraphCoverage(
        total=len(rows),
        classes=classes,
        lines={c: tuple(sorted(v)) for c, v in lines.items()},
        context=tuple((line, note) for cls, line, note, _b in rows if cls == "context"),
        unplaced=tuple(
            Unplaced(line=line, text=body, reason=note)
            for cls, line, note, body in rows
            if cls == "unplaced"
        ),
    )
