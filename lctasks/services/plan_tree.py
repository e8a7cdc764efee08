"""The plan's browsable tree as ``plan_nodes`` rows, written on every import.

One row per part, chapter, section and box (with its text, whether it is a
reference box and where it was printed), the preamble, each piece of unplaced
text with its line and reason, the paragraph ledger (every piece of the text in
one class, ``lctasks.plan.coverage``) and the reviewed print-defect corrections.
Nothing refers to node rows, so an import replaces them all; ``lctasks plan``
and the outline read them (``services.outline``).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from lctasks.db.models import PlanNodeRow
from lctasks.domain import PlanTree
from lctasks.plan.coverage import classify
from lctasks.services.task_read import PRINTED_AFTER


def core_insert(model: Any) -> Any:
    """A Core INSERT for executemany: one statement for all rows.

    The ORM bulk path (``insert(Model)`` with a list) splits rows into many
    small batches; Core hands the whole list to the driver's executemany.
    """
    table: Table = model.__table__
    return table.insert()


def write_nodes(s: Session, plan_id: int, tree: PlanTree) -> dict[str, int]:
    """Replace the plan's browsable tree (nothing refers to node rows)."""
    s.execute(delete(PlanNodeRow).where(PlanNodeRow.plan_id == plan_id))
    nodes: list[dict[str, Any]] = []

    def node(kind: str, number: int, **kw: Any) -> None:
        nodes.append(
            {
                "plan_id": plan_id,
                "kind": kind,
                "number": number,
                "part": kw.get("part"),
                "chapter": kw.get("chapter", 0),
                "title": kw.get("title", ""),
                "body": kw.get("body", ""),
                "line": kw.get("line", 0),
                "is_reference": kw.get("is_reference", False),
                "note": kw.get("note", ""),
            }
        )

    if tree.preamble:
        node(
            "preamble",
            0,
            body="\n".join(p.text for p in tree.preamble),
            line=tree.preamble[0].line,
        )
    counts = Counter[str]()
    for part in tree.parts:
        intro = getattr(part, "paragraphs", ())
        node(
            "part",
            part.number,
            title=part.title,
            line=part.line,
            body="\n".join(p.text for p in intro),
        )
        counts["parts"] += 1
        for ch in part.chapters:
            counts["chapters"] += 1
            node(
                "chapter",
                ch.number,
                part=part.number,
                chapter=ch.number,
                title=ch.title,
                line=ch.line,
                body="\n".join(p.text for p in ch.paragraphs),
            )
            for sec in ch.sections:
                counts["sections"] += 1
                node(
                    "section",
                    sec.number,
                    part=part.number,
                    chapter=ch.number,
                    title=sec.title,
                    line=sec.line,
                )
            for box in ch.boxes:
                counts["boxes"] += 1
                counts["reference_boxes"] += int(box.is_reference)
                note = ""
                if box.printed_after_chapter != box.chapter:
                    # stored language-neutral; _box_note renders it when read
                    note = f"{PRINTED_AFTER}{box.printed_after_chapter}"
                node(
                    "box",
                    box.number,
                    part=part.number,
                    chapter=box.chapter,
                    title=box.title,
                    line=box.line,
                    body=box.text,
                    is_reference=box.is_reference,
                    note=note,
                )
    for i, u in enumerate(tree.unplaced, start=1):
        node("unplaced", i, title=u.reason, body=u.text, line=u.line, note=u.reason)
    counts["unplaced"] = len(tree.unplaced)
    counts["indicator_rows"] = len(tree.indicators)
    # the paragraph ledger: every piece of the text in one class (plan.coverage)
    for i, piece in enumerate(classify(tree), start=1):
        node(
            "para",
            i,
            chapter=piece.chapter,
            title=piece.cls,
            body=piece.task or piece.text[:200],
            line=piece.line,
            note=piece.reason,
        )
    # reviewed print-defect corrections, listed by `lctasks plan`
    for i, c in enumerate(tree.corrections, start=1):
        node(
            "correction",
            i,
            title=c.id,
            body=json.dumps(dataclasses.asdict(c), ensure_ascii=False),
            line=c.line,
            note=c.kind,
        )
    counts["corrections"] = sum(1 for c in tree.corrections if c.applied)
    counts["paragraphs"] = sum(1 for n in nodes if n["kind"] == "para")
    counts["paragraphs_unplaced"] = sum(
        1 for n in nodes if n["kind"] == "para" and n["title"] == "unplaced"
    )
    if nodes:
        s.execute(core_insert(PlanNodeRow), nodes)
    return dict(counts)
