"""Plan structure → task drafts with stable keys.

Kinds and keys (keys depend on the structure only, never on wording, so a typo
fixed inside a paragraph keeps every key):

``measure``   ``C{ch:02d}.M{n:02d}``: the lead-phrase paragraphs of chapters 6–61,
              numbered in text order within the chapter. Title = the lead phrase;
              source = the whole paragraph; checklist = its sentences after the
              lead phrase. Chapter introductions (no lead phrase) are goals.
``goal``      ``C{ch:02d}.G{n:02d}`` / ``P{part:02d}.G{n:02d}``: the commitments of an
              introduction — every paragraph without a lead phrase in a chapter
              that has measures (the chapter intro, and section intros such as
              第二十章第二节's), numbered in text order within the chapter; every
              paragraph of a part before its first chapter (the part intro,
              ``P04.G01`` 印发实施《聊城市数字经济发展规划》…), attached to the
              part's first chapter with ``篇`` in attrs; and every paragraph of the
              goals chapter (the one holding the indicator table, 第四章: 主要目标
              and 远景目标) except the table's title. Title = the lead phrase when
              the paragraph has one (``经济实力更强``), else the section / chapter /
              part title. Checklist = the sentences (after the lead phrase), with
              targets like any other task. A chapter-4 goal whose lead phrase is
              listed in ``GOAL_INDICATORS`` is linked (attrs ``指标``) to the
              indicator rows of that table category.
``project``   ``C{ch:02d}.P{n:02d}``: the items of the project boxes attached to the
              chapter, numbered across those boxes in print order (numbering of the
              box itself restarts per category; box number and category are kept).
              An un-numbered category entry is one project (``高等教育：聊城理工
              学院（东昌学院转设）``). Reference boxes (专栏1, 8, 9) give no tasks.
``indicator`` ``I{n:02d}``: the rows of the main-indicator table, chapter 4. The
              2025 target is the 2025 cell when it holds a number, otherwise the
              年均/[累计] cell (growth rates print their target there: 地区生产总值
              增速 ≥6 → 6, a yearly target); the words around the number are kept
              (≥, >, 左右, 不少于). A yearly value of an indicator that is itself a
              rate or share in % (常住人口城镇化率 年均0.8左右, “四新”经济增加值占比
              年均2左右) is in percentage points (百分点), not percent. A text cell
              (完成省分解任务, 高于全省平均水平, 低于全省平均水平) is a target of kind
              ``text`` kept exactly as printed — including the rows a merged cell
              covers (see lctasks.plan.structure). Every printed cell is kept in
              ``attrs``.
``chapter``   ``C{ch:02d}.T01``: a chapter 4–61 with no other task; its source is
              the chapter's prose. Chapters 1–3 (review, environment, principles)
              give no tasks (context). The closing paragraph of the plan (the last
              paragraph of the last chapter when it ends in ！, ``…而努力奋斗！``) is
              context, not part of any task.
"""

from __future__ import annotations

import datetime as dt
import re

from lctasks.domain import (
    Box,
    Chapter,
    ChecklistDraft,
    DueBasis,
    IndicatorRow,
    Paragraph,
    Part,
    Target,
    TaskDraft,
    TaskKind,
)
from lctasks.plan.indicator_table import cell_qualifiers, parse_cell_number
from lctasks.plan.structure import Structure, lead_phrase
from lctasks.plan.targets import analyse, split_commitments

# an indicator that is a level (a rate, a share), not a change of something
_LEVEL = re.compile(r"率|比重|占比|比例|之比")
_CHANGE = re.compile(r"增速|增长|速度|降低|下降|减少")

FIRST_MEASURE_CHAPTER = 6
FIRST_TASK_CHAPTER = 4

# Chapter 4's goal paragraphs (by lead phrase) and the indicator-table category
# whose rows measure them. Only where the paragraph plainly summarises the
# category; 改革开放更深入 / 治理体系更完善 have no indicator row.
GOAL_INDICATORS: dict[str, str] = {
    "经济实力更强": "经济发展",
    "发展质效更高": "创新驱动",
    "生态环境更优": "绿色生态",
    "人民生活更美好": "民生福祉",
}


def is_closing(ch: Chapter, para: Paragraph, last_chapter: int) -> bool:
    """The plan's closing exhortation: last paragraph of the last chapter, ending in ！."""
    return (
        ch.number == last_chapter
        and bool(ch.paragraphs)
        and para is ch.paragraphs[-1]
        and para.text.rstrip().endswith(("！", "!"))
        and lead_phrase(para.text) is None
    )


def _goal(
    key: str,
    chapter: int,
    title: str,
    para: Paragraph,
    start: dt.date,
    end: dt.date,
    attrs: tuple[tuple[str, str], ...] = (),
) -> TaskDraft:
    phrase = lead_phrase(para.text)
    sentences = split_commitments(para.text)
    body = sentences[1:] if phrase is not None and len(sentences) > 1 else sentences
    items, due = analyse(sentences, body, start, end)
    return TaskDraft(
        key=key,
        kind=TaskKind.GOAL,
        chapter=chapter,
        title=phrase.removeprefix("——") if phrase is not None else title,
        source_text=para.text,
        line=para.line,
        section=para.section,
        checklist=items,
        due=due.date,
        due_basis=due.basis,
        due_text=due.text,
        attrs=attrs,
    )


def _chapter_goals(
    ch: Chapter,
    start: dt.date,
    end: dt.date,
    *,
    goals_chapter: bool,
    indicators: dict[str, list[str]],
    skip_line: int | None,
) -> list[TaskDraft]:
    out: list[TaskDraft] = []
    sections = {s.number: s.title for s in ch.sections}
    for para in ch.paragraphs:
        if para.line == skip_line:
            continue
        phrase = lead_phrase(para.text)
        if not goals_chapter and phrase is not None:
            continue
        title = sections.get(para.section or 0, ch.title)
        attrs: tuple[tuple[str, str], ...] = ()
        if goals_chapter and phrase is not None:
            rows = indicators.get(GOAL_INDICATORS.get(phrase.removeprefix("——"), ""), [])
            if rows:
                attrs = (("指标", "、".join(rows)),)
        out.append(
            _goal(
                f"C{ch.number:02d}.G{len(out) + 1:02d}", ch.number, title, para, start, end, attrs
            )
        )
    return out


def _part_goals(part: Part, start: dt.date, end: dt.date) -> list[TaskDraft]:
    if not part.paragraphs or not part.chapters:
        return []
    first = part.chapters[0].number
    where = (("篇", f"第{part.number}篇 {part.title}"),)
    return [
        _goal(f"P{part.number:02d}.G{i:02d}", first, part.title, para, start, end, where)
        for i, para in enumerate(part.paragraphs, start=1)
    ]


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
            items, due = analyse(sentences, [item.text], start, end, every_quantity=True)
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
        merged = f"（合并单元格，印于I{row.target_from_row:02d}）" if row.target_from_row else ""
        parts.append(f"{target_head}{row.target_text}{merged}")
    if row.annual_text and row.annual_text != "—":
        parts.append(f"{annual_head}{row.annual_text}")
    unit = f"（{row.unit}）" if row.unit else ""
    text = f"{row.name}{unit}：{'，'.join(parts)}" if parts else f"{row.name}{unit}"
    from_annual = row.target is not None and parse_cell_number(row.target_text) is None
    cell = row.annual_text if from_annual else row.target_text
    before, after = cell_qualifiers(cell)
    unit = row.unit
    if from_annual and unit == "%" and _LEVEL.search(row.name) and not _CHANGE.search(row.name):
        unit = "百分点"  # a yearly change of a rate (城镇化率 年均0.8左右): percentage points
    if row.target is None and row.target_text not in ("", "—"):
        # a text target, kept exactly as printed: 完成省分解任务, 高于全省平均水平
        target = Target(
            text=text, value=None, unit="", deadline=end, kind="text", value_text=row.target_text
        )
    else:
        target = Target(
            text=text,
            value=row.target,
            unit=unit,
            deadline=end,
            yearly=from_annual,
            before=before,
            after=after,
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
        attrs=_merged_attrs(row_attrs(header, printed), row, target_head),
    )


def _merged_attrs(
    attrs: tuple[tuple[str, str], ...], row: IndicatorRow, target_head: str
) -> tuple[tuple[str, str], ...]:
    """A row under a merged cell carries the cell's value, and says where it is printed."""
    if not row.target_from_row:
        return attrs
    filled = tuple((k, row.target_text if k == target_head else v) for k, v in attrs)
    return (*filled, ("合并单元格", f"{target_head}栏印于I{row.target_from_row:02d}"))


def row_attrs(header: list[str], printed: list[str]) -> tuple[tuple[str, str], ...]:
    """Every printed cell under its printed header (extra cells as 第N列)."""
    heads = header + [f"第{i + 1}列" for i in range(len(header), len(printed))]
    return tuple(zip(heads, printed, strict=False))


def _chapter_task(ch: Chapter, start: dt.date, end: dt.date, last_chapter: int) -> TaskDraft:
    text = "\n".join(p.text for p in ch.paragraphs if not is_closing(ch, p, last_chapter))
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
    chapters = [c.number for p in st.parts for c in p.chapters]
    last_chapter = max(chapters, default=0)
    by_category: dict[str, list[str]] = {}
    for r in st.indicators:
        by_category.setdefault(r.category, []).append(f"I{r.number:02d}")
    for part in st.parts:
        tasks += _part_goals(part, st.start, st.end)
        for ch in part.chapters:
            own: list[TaskDraft] = []
            goals_chapter = ch.number == st.indicator_chapter
            measures = _measures(ch, st.start, st.end)
            if goals_chapter or measures:
                own += _chapter_goals(
                    ch,
                    st.start,
                    st.end,
                    goals_chapter=goals_chapter,
                    indicators=by_category,
                    skip_line=st.indicator_title_line,
                )
            if goals_chapter:
                own += [
                    _indicator_task(r, st.indicator_header, cells, ch.number, st.end)
                    for r, cells in zip(st.indicators, st.indicator_cells, strict=True)
                ]
            own += measures
            own += _projects(ch, ch.boxes, st.start, st.end)
            if not own and ch.number >= FIRST_TASK_CHAPTER:
                own.append(_chapter_task(ch, st.start, st.end, last_chapter))
            tasks += own
    return tuple(tasks)
