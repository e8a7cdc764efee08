"""Where every paragraph of the plan went: the paragraph ledger behind ``lctasks plan``.

Every piece of the plan text the parser keeps is in exactly one class:

``task``       it is the source of a task: a measure / goal paragraph, a project
               item of a 专栏, an indicator row, the first paragraph of a chapter task;
``checklist``  a further paragraph of a chapter task (its sentences are checklist
               items of that task);
``reference``  an item of a reference box (专栏1, 8, 9: existing things, a layout);
``context``    not a commitment: chapters 1–3 (review, environment, principles), the
               plan's closing paragraph, the indicator table's title and header
               row, the notice and title page before the first heading, the
               distribution footer (抄送 / 印发);
``unplaced``   what the parser could not place (``PlanTree.unplaced``, with its
               reason), and any body paragraph that ended up in no task — so a
               paragraph can never be silently treated as context.

Pieces are paragraphs (``Paragraph``), box items and table rows; each is listed
with the 1-based line its text starts on. The counts add up to every piece.
"""

from __future__ import annotations

from dataclasses import dataclass

from lctasks.domain import PlanTree, TaskKind

CLASSES = ("task", "checklist", "reference", "context", "unplaced")

FIRST_TASK_CHAPTER = 4

REASON_PREAMBLE = "发文通知、标题页"
REASON_EARLY = "第1–3章：回顾、形势与指导思想"
REASON_CLOSING = "规划结束语"
REASON_TABLE_TITLE = "主要指标表标题"
REASON_TABLE_HEADER = "主要指标表表头"
REASON_NO_TASK = "正文段落未归入任何任务"


@dataclass(frozen=True, slots=True)
class Piece:
    line: int
    cls: str  # one of CLASSES
    chapter: int  # 0 before the first chapter / for part intros
    task: str  # the task key it belongs to ('' if none)
    reason: str  # for context / unplaced
    text: str


def classify(tree: PlanTree) -> list[Piece]:
    """Every piece of the plan, in line order, with its class."""
    from lctasks.plan.structure import lead_phrase

    pieces: list[Piece] = []
    by_line: dict[tuple[int, int], str] = {}
    chapter_tasks: dict[int, tuple[str, str]] = {}
    for c in tree.corrections:
        if c.applied and c.kind in ("split", "duplicate") and c.tasks:
            # the printed item stands for the corrected task(s): the first one
            by_line[(c.line, hash(c.printed))] = c.tasks[0]
    for d in tree.tasks:
        if d.kind is TaskKind.PROJECT:
            by_line.setdefault((d.line, hash(d.source_text)), d.key)
        elif d.kind is TaskKind.CHAPTER:
            chapter_tasks[d.chapter] = (d.key, d.source_text)
            by_line[(d.line, 0)] = d.key
        elif d.kind is TaskKind.INDICATOR:
            by_line[(d.line, -1)] = d.key
        else:
            by_line[(d.line, 0)] = d.key
    for p in tree.preamble:
        pieces.append(Piece(p.line, "context", 0, "", REASON_PREAMBLE, p.text))
    chapters = tree.chapters()
    last_chapter = max((c.number for c in chapters), default=0)
    for part in tree.parts:
        for p in part.paragraphs:
            key = by_line.get((p.line, 0), "")
            cls, reason = ("task", "") if key else ("unplaced", REASON_NO_TASK)
            pieces.append(Piece(p.line, cls, 0, key, reason, p.text))
        for ch in part.chapters:
            for i, p in enumerate(ch.paragraphs):
                key = by_line.get((p.line, 0), "")
                if key:
                    pieces.append(Piece(p.line, "task", ch.number, key, "", p.text))
                    continue
                own = chapter_tasks.get(ch.number)
                if own is not None and p.text in own[1]:
                    pieces.append(Piece(p.line, "checklist", ch.number, own[0], "", p.text))
                elif ch.number < FIRST_TASK_CHAPTER:
                    pieces.append(Piece(p.line, "context", ch.number, "", REASON_EARLY, p.text))
                elif (
                    ch.number == last_chapter
                    and i == len(ch.paragraphs) - 1
                    and p.text.rstrip().endswith(("！", "!"))
                    and lead_phrase(p.text) is None
                ):
                    pieces.append(Piece(p.line, "context", ch.number, "", REASON_CLOSING, p.text))
                elif p.line == tree.indicator_title_line:
                    pieces.append(
                        Piece(p.line, "context", ch.number, "", REASON_TABLE_TITLE, p.text)
                    )
                else:
                    pieces.append(Piece(p.line, "unplaced", ch.number, "", REASON_NO_TASK, p.text))
            for box in ch.boxes:
                for item in box.items:
                    if box.is_reference:
                        pieces.append(
                            Piece(
                                item.line,
                                "reference",
                                ch.number,
                                "",
                                f"专栏{box.number}",
                                item.text,
                            )
                        )
                        continue
                    key = by_line.get((item.line, hash(item.text)), "")
                    cls, reason = ("task", "") if key else ("unplaced", REASON_NO_TASK)
                    pieces.append(Piece(item.line, cls, ch.number, key, reason, item.text))
    indicator_chapter = _indicator_chapter(tree)
    if tree.indicator_header_line:
        pieces.append(
            Piece(
                tree.indicator_header_line,
                "context",
                indicator_chapter,
                "",
                REASON_TABLE_HEADER,
                "",
            )
        )
    for r in tree.indicators:
        key = by_line.get((r.line, -1), "")
        cls, reason = ("task", "") if key else ("unplaced", REASON_NO_TASK)
        pieces.append(Piece(r.line, cls, indicator_chapter, key, reason, r.name))
    from lctasks.plan.structure import REASON_FOOTER

    for u in tree.unplaced:
        # the distribution footer (抄送 / 印发) was recognised, not lost: context
        cls = "context" if u.reason == REASON_FOOTER else "unplaced"
        pieces.append(Piece(u.line, cls, 0, "", u.reason, u.text))
    pieces.sort(key=lambda x: x.line)
    return pieces


def _indicator_chapter(tree: PlanTree) -> int:
    keys = [d.chapter for d in tree.tasks if d.kind is TaskKind.INDICATOR]
    return keys[0] if keys else 0


def summary(pieces: list[Piece]) -> dict[str, object]:
    """Counts and line numbers per class (the ``paragraphs`` block of ``plan --json``)."""
    counts = {c: 0 for c in CLASSES}
    lines: dict[str, list[int]] = {c: [] for c in CLASSES}
    for p in pieces:
        counts[p.cls] += 1
        lines[p.cls].append(p.line)
    return {
        "total": len(pieces),
        "classes": counts,
        "lines": {c: sorted(set(v)) for c, v in lines.items()},
        "context": [{"line": p.line, "reason": p.reason} for p in pieces if p.cls == "context"],
        "unplaced": [
            {"line": p.line, "reason": p.reason, "text": p.text}
            for p in pieces
            if p.cls == "unplaced"
        ],
    }
