"""The plan parser: plan text → PlanTree (structure, boxes, indicators, task drafts).

Public API (standard library only, no database):

- ``read_plan_text(path_or_bytes) -> (text, notes)``: decode UTF-8 / UTF-8 with
  BOM / GB18030 (GBK), CRLF / CR → LF; undecodable → InvalidInputError, missing
  → NotFoundError. ``notes`` says which encoding and line ends were found.
- ``parse_plan(text, code=..., source_name=...) -> PlanTree``: pure.
- ``load_plan(path) -> PlanTree``: read + parse.
- ``BUNDLED_PLAN``: the plan text shipped with lctasks.
- ``coverage(tree) -> dict``: what the parser made of a plan (for ``lctasks plan``),
  including ``paragraphs``: every paragraph / box item / table row in one class
  (task, checklist, reference, context, unplaced) — see ``lctasks.plan.coverage``.

How the text is read and repaired: ``lctasks.plan.text``; how lines become
parts, chapters, paragraphs, boxes and the indicator table:
``lctasks.plan.structure``; which paragraphs, box items and rows become tasks and
how they are keyed: ``lctasks.plan.tasks``; checklists, targets and deadlines:
``lctasks.plan.targets``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from lctasks.domain import InvalidInputError, PlanTree
from lctasks.i18n import t
from lctasks.plan.corrections import (
    Correction,
    apply_corrections,
    as_notes,
    load_corrections,
)
from lctasks.plan.coverage import classify, summary
from lctasks.plan.structure import read_structure, split_lines
from lctasks.plan.tasks import build_tasks
from lctasks.plan.text import read_plan_text
from lctasks.resources import bundled

__all__ = [
    "BUNDLED_PLAN",
    "PLAN_FILE_NAME",
    "bundled_plan_path",
    "coverage",
    "load_plan",
    "parse_plan",
    "read_plan_text",
]

PLAN_FILE_NAME = "liaocheng-14th-five-year-plan-2021-2025.txt"


def bundled_plan_path() -> Path:
    """The bundled plan text (see lctasks.resources for where plan_data lives)."""
    return bundled(PLAN_FILE_NAME)


BUNDLED_PLAN: Path = bundled_plan_path()


def parse_plan(
    text: str,
    *,
    code: str = "lc-14th",
    source_name: str = "",
    corrections: tuple[Correction, ...] | None = None,
) -> PlanTree:
    """Parse decoded plan text. Raises InvalidInputError when it holds no chapter.

    ``corrections``: reviewed print-defect corrections applied to the tasks
    (lctasks.plan.corrections); None reads plan_data/corrections.toml."""
    if not isinstance(text, str):
        raise InvalidInputError(
            t("plan.not_text", file=source_name or type(text).__name__),
            hint=t("plan.not_text.hint"),
        )
    normalised = "\n".join(split_lines(text))
    st = read_structure(normalised)
    if corrections is None:
        corrections = load_corrections()
    tasks, applied = apply_corrections(build_tasks(st), corrections, st.start, st.end)
    return PlanTree(
        code=code,
        title=st.title,
        doc_number=st.doc_number,
        start=st.start,
        end=st.end,
        preamble=tuple(st.preamble),
        parts=tuple(st.parts),
        indicators=tuple(st.indicators),
        tasks=tasks,
        unplaced=tuple(st.unplaced),
        source_sha256=hashlib.sha256(normalised.encode("utf-8")).hexdigest(),
        indicator_header_line=st.indicator_header_line,
        indicator_title_line=st.indicator_title_line or 0,
        corrections=as_notes(applied),
    )


def load_plan(path: str | Path | None = None, *, code: str = "lc-14th") -> PlanTree:
    """Read and parse a plan file (the bundled plan when ``path`` is None)."""
    p = Path(path) if path is not None else BUNDLED_PLAN
    text, _notes = read_plan_text(p)
    return parse_plan(text, code=code, source_name=str(p))


def coverage(tree: PlanTree) -> dict[str, Any]:
    """What the parser made of a plan: tasks per kind and chapter, boxes, unplaced text."""
    by_kind: dict[str, int] = {}
    by_chapter: dict[int, dict[str, int]] = {}
    for task in tree.tasks:
        kind = task.kind.value
        by_kind[kind] = by_kind.get(kind, 0) + 1
        per = by_chapter.setdefault(task.chapter, {})
        per[kind] = per.get(kind, 0) + 1
    chapters: list[dict[str, Any]] = []
    boxes: list[dict[str, Any]] = []
    for ch in tree.chapters():
        chapters.append(
            {
                "chapter": ch.number,
                "title": ch.title,
                "part": ch.part,
                "sections": len(ch.sections),
                "paragraphs": len(ch.paragraphs),
                "tasks": by_chapter.get(ch.number, {}),
            }
        )
        for box in ch.boxes:
            boxes.append(
                {
                    "box": box.number,
                    "title": box.title,
                    "chapter": box.chapter,
                    "printed_after_chapter": box.printed_after_chapter,
                    "reference": box.is_reference,
                    "items": len(box.items),
                }
            )
    boxes.sort(key=lambda b: b["box"])
    return {
        "plan": tree.code,
        "title": tree.title,
        "doc_number": tree.doc_number,
        "period": [tree.start.isoformat(), tree.end.isoformat()],
        "parts": len(tree.parts),
        "chapters": len(chapters),
        "tasks": len(tree.tasks),
        "tasks_by_kind": by_kind,
        "indicators": len(tree.indicators),
        "boxes": boxes,
        "reference_boxes": [b["box"] for b in boxes if b["reference"]],
        "chapters_detail": chapters,
        "unplaced": len(tree.unplaced),
        "unplaced_detail": [
            {"line": u.line, "reason": u.reason, "text": u.text} for u in tree.unplaced
        ],
        "paragraphs": summary(classify(tree)),
        "corrections": [
            {
                "id": c.id,
                "kind": c.kind,
                "line": c.line,
                "printed": c.printed,
                "corrected": c.corrected,
                "where": c.where,
                "why": c.why,
                "by": c.by,
                "reviewed": c.reviewed,
                "applied": c.applied,
                "tasks": list(c.tasks),
            }
            for c in tree.corrections
        ],
        "source_sha256": tree.source_sha256,
    }
