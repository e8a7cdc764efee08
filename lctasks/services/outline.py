"""The plan tree with counts: ``outline`` (parts, chapters, sections and boxes with
task, red and yellow counts) and ``coverage`` (tasks per chapter, reference boxes)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from lctasks import clock
from lctasks.db.models import PlanNodeRow, PlanRow, TaskRow
from lctasks.domain import Counts, Light, PrintCorrection, TaskKind, Unplaced
from lctasks.services.plans import resolve_plan
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
from lctasks.services.task_queries import TaskQueries
from lctasks.services.task_read import box_note


def _weighted_kinds(items: Iterable[tuple[Any, ...]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for item in items:
        counts[item[3]] += item[5]
    return dict(counts)


class OutlineQueries(TaskQueries):
    """The plan tree with light counts, and coverage. One read transaction per method."""

    def _light_rows(
        self, s: Session, plan: PlanRow, as_of: dt.date
    ) -> list[tuple[int, int | None, int | None, str, Light, int]]:
        """(chapter, section, box, kind, light, count) over the plan's live tasks.

        Grouped in SQL by everything the light depends on (status, start, due,
        progress, and whether the latest report falls in the current period), so
        Python sees one row per distinct group, not one per task.
        """
        light = LightMemo(as_of, self._settings())
        since = clock.day_start(light.period_start)
        latest = self._latest_subquery(plan, None, as_of).subquery()
        bucket = case((latest.c.at >= since, 1), (latest.c.at.is_not(None), 0), else_=None).label(
            "bucket"
        )
        keys = (
            TaskRow.chapter,
            TaskRow.section,
            TaskRow.box,
            TaskRow.kind,
            TaskRow.status,
            TaskRow.start,
            TaskRow.due,
            TaskRow.progress,
        )
        q = (
            select(*keys, bucket, func.count())
            .select_from(TaskRow)
            .outerjoin(latest, latest.c.task_id == TaskRow.id)
            .where(TaskRow.plan_id == plan.id, TaskRow.removed.is_(False))
            .group_by(*keys, bucket)
        )
        out = []
        for chapter, section, box, kind, status, start, due, progress, b, n in s.execute(q):
            last = None if b is None else (light.period_start if b else light.before)
            out.append(
                (chapter, section, box, kind, light(status, start, due, progress or 0, last), n)
            )
        return out

    def outline(self, plan: str | None = None, *, as_of: dt.date | None = None) -> PlanOutline:
        """Parts → chapters → sections (and boxes) with task, red and yellow counts."""
        as_of = as_of or clock.today()
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            nodes = list(
                s.scalars(
                    select(PlanNodeRow)
                    .where(
                        PlanNodeRow.plan_id == plan_row.id,
                        PlanNodeRow.kind.not_in(("para", "correction")),
                    )
                    .order_by(PlanNodeRow.line, PlanNodeRow.id)
                )
            )
            lights = self._light_rows(s, plan_row, as_of)
            removed = s.scalar(
                select(func.count()).where(
                    TaskRow.plan_id == plan_row.id, TaskRow.removed.is_(True)
                )
            )
            info = self._plan_info(plan_row, sum(i[5] for i in lights), removed or 0)

        def tally(items: Iterable[tuple[Any, ...]]) -> Counts:
            n = red = yellow = 0
            for item in items:
                n += item[5]
                red += item[5] if item[4] is Light.RED else 0
                yellow += item[5] if item[4] is Light.YELLOW else 0
            return Counts(n, light={Light.RED: red, Light.YELLOW: yellow})

        by_chapter: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for item in lights:
            by_chapter[item[0]].append(item)
        parts: list[OutlinePart] = []
        chapter_nodes: defaultdict[int, list[PlanNodeRow]] = defaultdict(list)
        sections: defaultdict[int, list[PlanNodeRow]] = defaultdict(list)
        boxes: defaultdict[int, list[PlanNodeRow]] = defaultdict(list)
        unplaced: list[Unplaced] = []
        part_nodes: list[PlanNodeRow] = []
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
                        counts=tally(items),
                        by_kind=_weighted_kinds(items),
                        sections=tuple(
                            OutlineSection(
                                number=sec.number,
                                title=sec.title,
                                line=sec.line,
                                counts=tally(i for i in items if i[1] == sec.number),
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
                                counts=tally(i for i in items if i[2] == b.number),
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
                    counts=tally(i for c in chapters for i in by_chapter.get(c.number, [])),
                    chapters=tuple(chapters),
                )
            )
        return PlanOutline(
            plan=info,
            as_of=as_of,
            counts=tally(lights),
            parts=tuple(parts),
            unplaced=tuple(unplaced),
            other=tally(i for i in lights if i[0] not in seen_chapters),
        )

    def coverage(self, plan: str | None = None) -> Coverage:
        """Tasks per chapter, chapters without tasks, reference boxes, unplaced count."""
        out = self.outline(plan)
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
            paragraphs=self._paragraphs(plan),
            corrections=self._corrections(plan),
        )

    def _corrections(self, plan: str | None) -> tuple[PrintCorrection, ...]:
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            bodies = s.scalars(
                select(PlanNodeRow.body)
                .where(PlanNodeRow.plan_id == plan_row.id, PlanNodeRow.kind == "correction")
                .order_by(PlanNodeRow.number)
            ).all()
        out: list[PrintCorrection] = []
        for body in bodies:
            data = json.loads(body)
            data["tasks"] = tuple(data.get("tasks") or ())
            out.append(PrintCorrection(**data))
        return tuple(out)

    def _paragraphs(self, plan: str | None) -> ParagraphCoverage | None:
        """The paragraph ledger written at import (None before it existed)."""
        from lctasks.plan.coverage import CLASSES

        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            rows = s.execute(
                select(PlanNodeRow.title, PlanNodeRow.line, PlanNodeRow.note, PlanNodeRow.body)
                .where(PlanNodeRow.plan_id == plan_row.id, PlanNodeRow.kind == "para")
                .order_by(PlanNodeRow.number)
            ).all()
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
