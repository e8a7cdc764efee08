"""Plan structure → task drafts with stable keys.

Kinds and keys (keys depend on the structure only, never on wording, so a typo
fixed inside a paragraph keeps every key):

``measure``   ``C{ch:02d}.M{n:02d}``: the lead-phrase paragraphs of chapters 6–61,
              numbered in text order within the chapter. Title = the lead phrase;
              source = the whole paragraph; checklist = its sentences after the
              lead phrase. Chapter introductions (no lead phrase) are not measures:
              they stay on the chapter as prose.
``project``   ``C{ch:02d}.P{n:02d}``: the items of the project boxes attached to the
              chapter, numbered across those boxes in print order (numbering of the
              box itself restarts per category; box number and category are kept).
              An un-numbered category entry is one project (``高等教育：聊城理工
              学院（东昌学院转设）``). Reference boxes (专栏1, 8, 9) give no tasks.
``indicator`` ``I{n:02d}``: the rows of the main-indicator table, chapter 4. The
              2025 target is the 2025 cell when it holds a number, otherwise the
              年均/[累计] cell (growth rates print their target there: 地区生产总值
              增速 ≥6 → 6). Every printed cell is kept in ``attrs``.
``chapter``   ``C{ch:02d}.T01``: a chapter 4–61 with no other task; its source is
              the chapter's prose. Chapters 1–3 (review, environment, principles)
              give no tasks.
"""

from __future__ import annotations

import datetime as dt

from lctasks.domain import (
    Box,
    Chapter,
    ChecklistDraft,
    DueBasis,
    IndicatorRow,
    Target,
    TaskDraft,
    TaskKind,
)
from lctasks.plan.structure import Structure, lead_phrase
from lctasks.plan.targets import analyse, split_commitments

FIRST_MEASURE_CHAPTER = 6
FIRST_TASK_CHAPTER = 4


def _measures(ch: Chapter, start: dt.date, end: dt.date) -> list[TaskDraft]:
    out: list[TaskDraft] = []
    if ch.number < FIRST_MEASURE_CHAPTER:
        return out
    for para in ch.paragraphs:
        phrase = lead_phrase(para.text)
        if phrase is None:
            continue
        sentences = split_commitments(para.text)
        body = sentences[1:] if len(sentences) > 1 else sentences
        items, due = analyse(sentences, body, start, end)
        out.append(
            TaskDraft(
                key=f"C{ch.number:02d}.M{len(out) + 1:02d}",
                kind=TaskKind.MEASURE,
                chapter=ch.number,
                title=phrase.removeprefix("——"),
                source_text=para.text,
                line=para.line,
                section=para.section,
                checklist=items,
                due=due.date,
                due_basis=due.basis,
                due_text=due.text,
            )
        )
    return out


def _projects(ch: Chapter, boxes: tuple[Box, ...], start: dt.date, end: dt.date) -> list[TaskDraft]:
    out: list[TaskDraft] = []
    for box in sorted(boxes, key=lambda b: b.line):
        if box.is_reference:
            continue
        for item in box.items:
            sentences = split_commitments(item.text) or [item.text]
            items, due = analyse(sentences, [item.text], start, end)
            out.append(
                TaskDraft(
                    key=f"C{ch.number:02d}.P{len(out) + 1:02d}",
                    kind=TaskKind.PROJECT,
                    chapter=ch.number,
                    title=item.text,
                    source_text=item.text,
                    line=item.line,
                    box=box.number,
                    category=item.category,
                    checklist=items,
                    due=due.date,
                    due_basis=due.basis,
                    due_text=due.text,
                    attrs=(("专栏", f"专栏{box.number}：{box.title}"), ("编号", str(item.number))),
                )
            )
    return out


def _indicator_task(
    row: IndicatorRow, header: list[str], printed: list[str], chapter: int, end: dt.date
) -> TaskDraft:
    annual_head = next((h for h in header if "年均" in h or "累计" in h), "年均/[累计]")
    target_head = next((h for h in header if "2025" in h), "2025年")
    parts: list[str] = []
    if row.target_text and row.target_text != "—":
        parts.append(f"{target_head}{row.target_text}")
    if row.annual_text and row.annual_text != "—":
        parts.append(f"{annual_head}{row.annual_text}")
    unit = f"（{row.unit}）" if row.unit else ""
    text = f"{row.name}{unit}：{'，'.join(parts)}" if parts else f"{row.name}{unit}"
    yearly = row.target is not None and row.target_text in ("", "—")
    target = Target(
        text=text,
        value=row.target,
        unit=row.unit,
        deadline=end,
        yearly=yearly,
    )
    source = "；".join(
        f"{h}：{v}"
        for h, v in zip(
            header,
            [
                row.category,
                f"{row.name}{unit}",
                row.baseline_text,
                row.target_text,
                row.annual_text,
                row.nature,
            ],
            strict=False,
        )
    )
    return TaskDraft(
        key=f"I{row.number:02d}",
        kind=TaskKind.INDICATOR,
        chapter=chapter,
        title=row.name,
        source_text=source,
        line=row.line,
        category=row.category,
        checklist=(ChecklistDraft(text=text, targets=(target,)),),
        due=end,
        due_basis=DueBasis.EXPLICIT,
        due_text=target_head,
        attrs=row_attrs(header, printed),
    )


def row_attrs(header: list[str], printed: list[str]) -> tuple[tuple[str, str], ...]:
    """Every printed cell under its printed header (extra cells as 第N列)."""
    heads = header + [f"第{i + 1}列" for i in range(len(header), len(printed))]
    return tuple(zip(heads, printed, strict=False))


def _chapter_task(ch: Chapter, start: dt.date, end: dt.date) -> TaskDraft:
    text = "\n".join(p.text for p in ch.paragraphs)
    sentences = split_commitments(text)
    items, due = analyse(sentences, sentences, start, end)
    line = ch.paragraphs[0].line if ch.paragraphs else ch.line
    return TaskDraft(
        key=f"C{ch.number:02d}.T01",
        kind=TaskKind.CHAPTER,
        chapter=ch.number,
        title=ch.title,
        source_text=text,
        line=line,
        checklist=items,
        due=due.date,
        due_basis=due.basis,
        due_text=due.text,
    )


def build_tasks(st: Structure) -> tuple[TaskDraft, ...]:
    tasks: list[TaskDraft] = []
    for part in st.parts:
        for ch in part.chapters:
            own: list[TaskDraft] = []
            if ch.number == st.indicator_chapter:
                own += [
                    _indicator_task(r, st.indicator_header, cells, ch.number, st.end)
                    for r, cells in zip(st.indicators, st.indicator_cells, strict=True)
                ]
            own += _measures(ch, st.start, st.end)
            own += _projects(ch, ch.boxes, st.start, st.end)
            if not own and ch.number >= FIRST_TASK_CHAPTER:
                own.append(_chapter_task(ch, st.start, st.end))
            tasks += own
    return tuple(tasks)
