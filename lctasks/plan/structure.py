"""Plan text → structure: parts, chapters, sections, paragraphs, boxes, table.

Standard library only; pure (no I/O). Works line by line on the decoded text.

Line kinds
    heading   ``第X篇 …`` / ``第X章 …`` / ``第X节 …`` (Chinese numerals), ``专栏 N：…``
              (with or without a space), ``抄送：…`` (the distribution footer).
    table     a line holding a TAB: the main-indicator table (header row first); the
              table ends at the first line without a TAB.
    text      everything else. Blank lines carry no meaning: the print conversion
              puts one between every two lines, including inside paragraphs.

Joining text lines into paragraphs (page-break repair). A text line continues
the paragraph above unless a heading intervenes and:

1. the paragraph so far does not end in terminal punctuation (。！？；： or a
   closing quote/bracket right after one): the break fell mid-sentence or
   mid-word, as in ``…工业机`` / ``器人…``; or
2. the paragraph so far opens with a lead phrase and the line does not: a break
   right after a 。 inside a lead paragraph, as in ``防洪抗旱减灾治理工程。实施
   黄河下游防洪工程（聊城段）。`` / ``加强骨干河道治理，…``.

Lines opening with ``——`` always start a new paragraph (list items). Before
the first heading (the notice and the title page) every line is a paragraph.

Lead phrase (names one commitment; the rule for ``measure`` tasks): the text of a
paragraph up to its first 。, after an optional ``——``, when it is 1–30
characters long, holds no ，；：！？ (so it is not a clause of a longer sentence),
does not start with a year (``到2025年…``), has no run of two digits and no
是 or 达到 (``“十四五”规划是…规划。`` and ``营业收入过亿元的…企业达到133家。``
are statements, not names). ``建设技术创新平台。``, ``装备制造。``,
``建设“内陆港、综合保税区”二合一开放平台。`` are lead phrases.

Boxes (专栏) run from their heading to the next heading. Their lines are joined
per category (a line opening with ``名称：`` or ``名称:``) — items split across
breaks (``…（15）山东景阳冈`` / ``酒厂数字化工厂项目（16）…``) are rejoined — and
split on item numbers ``（n）`` / ``(n)``, accepted only in sequence from 1 within
each category, so a number in a project's name never splits it. A category with
no number holds one item, numbered 1 (``高等教育：聊城理工学院（东昌学院转设）``).
A box whose title does not end in 项目 lists existing things or a layout (专栏1
现有国家级科技创新平台, 专栏8 城镇空间布局, 专栏9 重点发展镇): ``is_reference``.

A box belongs to the chapter after which it is printed, unless exactly one
chapter of the same part has a title containing the box's subject (its title
without 重点 / 项目): 专栏5 现代服务业重点项目 is printed after 第十二章 but belongs
to 第十一章 发展现代服务业. ``printed_after_chapter`` keeps where it stood.

The indicator table belongs to the chapter of its part whose title holds 目标
(第四章 发展目标), wherever it is printed (after 第五章 in the bundled plan); the
line just above its header row is its title and stays on that chapter as a
paragraph. Its rows are read by ``lctasks.plan.indicator_table``.

Nothing is dropped: text that fits nowhere (a 节 or 专栏 before any chapter, a
table row without an indicator name, text before the first numbered item of a
project box, the distribution footer) goes to ``PlanTree.unplaced`` with its
line number and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lctasks.domain import (
    Box,
    BoxItem,
    Chapter,
    IndicatorRow,
    InvalidInputError,
    Paragraph,
    Part,
    Section,
    Unplaced,
)
from lctasks.i18n import t
from lctasks.plan.indicator_table import Table, build_indicators
from lctasks.plan.text import normalise_line

_NUM = "零〇一二三四五六七八九十百两"
_HEADING = re.compile(rf"^第([{_NUM}]{{1,5}})(篇|章|节)(.+)$")
_BOX = re.compile(r"^专栏(\d{1,3})[：:](.*)$")
_FOOTER = re.compile(r"^抄送[：:]")
_CATEGORY = re.compile(r"^([^（()）：:0-9]{1,20}?)[：:](.*)$")
_MARKER = re.compile(r"[（(](\d{1,3})[）)]")
_LEAD = re.compile(r"^(?:——)?([^。，,；;：:！？!?]{1,30})。")
_YEAR_START = re.compile(r"^(?:到|至)?\d{4}")
_TWO_DIGITS = re.compile(r"\d\d")
_TERMINAL = "。！？；：!?;:"
_CLOSERS = "”’」』）)》"
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_BOX_SUBJECT_NOISE = re.compile(r"重点|项目")

REASON_FOOTER = "版记（抄送、印发），不属于规划正文"


def chinese_number(s: str) -> int | None:
    """一 → 1, 十 → 10, 十五 → 15, 六十一 → 61, 一百零二 → 102; None if not a numeral."""
    if not s or any(c not in _NUM for c in s):
        return None
    total = 0
    current = 0
    for c in s:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[c]
    return total + current


def ends_terminal(s: str) -> bool:
    s = s.rstrip()
    while s and s[-1] in _CLOSERS:
        s = s[:-1]
    return bool(s) and s[-1] in _TERMINAL


def lead_phrase(text: str) -> str | None:
    """The lead phrase a paragraph opens with (without 。), or None. See module doc."""
    m = _LEAD.match(text)
    if m is None:
        return None
    phrase = m.group(1)
    if (
        "是" in phrase
        or "达到" in phrase
        or _YEAR_START.match(phrase)
        or _TWO_DIGITS.search(phrase)
        or not phrase.strip("“”‘’《》（）()")
    ):
        return None
    return phrase


def heading(ns: str) -> tuple[str, int, str] | None:
    """('篇'|'章'|'节', number, title) for a normalised heading line."""
    m = _HEADING.match(ns)
    if m is None or len(ns) > 45:
        return None
    title = m.group(3).strip()
    if not title or any(c in title for c in "。，；！？"):
        return None
    n = chinese_number(m.group(1))
    if n is None or n == 0:
        return None
    return m.group(2), n, title


# ---------------------------------------------------------------------------
# Accumulators
# ---------------------------------------------------------------------------


@dataclass
class _Para:
    line: int
    raws: list[str]
    lead: bool
    section: int | None
    sink: list[Paragraph]

    def last_text(self) -> str:
        return normalise_line(self.raws[-1])

    def close(self) -> None:
        text = normalise_line("".join(self.raws))
        if text:
            self.sink.append(Paragraph(text=text, line=self.line, section=self.section))


@dataclass
class _Chap:
    number: int
    title: str
    part: int
    line: int
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class _Part:
    number: int
    title: str
    line: int
    paragraphs: list[Paragraph] = field(default_factory=list)
    chapters: list[_Chap] = field(default_factory=list)


@dataclass
class _Box:
    number: int
    title: str
    line: int
    part: int
    printed_after: int
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Structure:
    """What the structural pass found (converted to a PlanTree by ``parse_plan``)."""

    preamble: list[Paragraph]
    parts: list[Part]
    boxes: list[Box]
    indicators: list[IndicatorRow]
    indicator_header: list[str]
    indicator_cells: list[list[str]]  # every row's cells as printed (first may be '')
    indicator_chapter: int | None
    unplaced: list[Unplaced]
    title: str
    doc_number: str
    start: dt.date
    end: dt.date
    indicator_title_line: int | None = None  # the table's title paragraph (context)
    indicator_header_line: int = 0  # the table's header row (0 when it has none)


class _Builder:
    def __init__(self) -> None:
        self.preamble: list[Paragraph] = []
        self.parts: list[_Part] = []
        self.chapter: _Chap | None = None
        self.section: int | None = None
        self.boxes: list[_Box] = []
        self.tables: list[Table] = []
        self.unplaced: list[Unplaced] = []
        self.para: _Para | None = None
        self.mode = "preamble"  # preamble | body | box | table | footer
        self.box: _Box | None = None
        self.table: Table | None = None
        self.last_chapter_number = 0
        self.saw_heading = False

    # -- helpers -----------------------------------------------------------

    def flush(self) -> None:
        if self.para is not None:
            self.para.close()
            self.para = None

    def current_part(self) -> _Part:
        if not self.parts:
            # A chapter before any 篇: keep it in an implicit part 0.
            self.parts.append(_Part(number=0, title="", line=0))
        return self.parts[-1]

    def end_block(self) -> None:
        self.flush()
        self.box = None
        self.table = None
        if self.mode in ("box", "table"):
            self.mode = "body"

    # -- feeding -----------------------------------------------------------

    def feed(self, no: int, raw: str, before_table: bool = False) -> None:
        if not raw.strip():
            return  # blank lines (and rows of empty cells) carry no meaning
        if self.mode == "footer":
            self.unplaced.append(Unplaced(no, normalise_line(raw.strip()), REASON_FOOTER))
            return
        if "\t" in raw and self.mode != "box":
            self.table_line(no, raw)
            return
        if self.mode == "table":
            self.end_block()
        ns = normalise_line(raw.strip())
        if not ns:
            # only markers / spaces (e.g. a lone "**"): nothing to keep
            return
        if self.structural(no, ns):
            return
        if self.mode == "box" and self.box is not None:
            self.box.lines.append((no, raw.strip()))
            return
        self.text_line(no, raw.strip(), ns, before_table)

    def structural(self, no: int, ns: str) -> bool:
        h = heading(ns)
        if h is not None:
            kind, n, title = h
            self.end_block()
            self.saw_heading = True
            self.mode = "body"
            if kind == "篇":
                self.parts.append(_Part(number=n, title=title, line=no))
                self.chapter = None
                self.section = None
            elif kind == "章":
                if n <= self.last_chapter_number:
                    self.unplaced.append(
                        Unplaced(
                            no, ns, f"章号重复或倒序（前一章为第{self.last_chapter_number}章）"
                        )
                    )
                    return True
                part = self.current_part()
                self.chapter = _Chap(number=n, title=title, part=part.number, line=no)
                part.chapters.append(self.chapter)
                self.last_chapter_number = n
                self.section = None
            else:
                if self.chapter is None:
                    self.unplaced.append(Unplaced(no, ns, "节标题不在任何章内"))
                    return True
                self.chapter.sections.append(Section(number=n, title=title, line=no))
                self.section = n
            return True
        m = _BOX.match(ns)
        if m is not None:
            self.end_block()
            self.saw_heading = True
            printed_after = self.chapter.number if self.chapter is not None else 0
            part_no = self.parts[-1].number if self.parts else 0
            self.box = _Box(int(m.group(1)), m.group(2).strip(), no, part_no, printed_after)
            self.boxes.append(self.box)
            self.mode = "box"
            return True
        if self.saw_heading and _FOOTER.match(ns):
            self.end_block()
            self.mode = "footer"
            self.unplaced.append(Unplaced(no, ns, REASON_FOOTER))
            return True
        return False

    def sink(self) -> list[Paragraph]:
        if self.mode == "preamble":
            return self.preamble
        if self.chapter is not None:
            return self.chapter.paragraphs
        return self.current_part().paragraphs

    def text_line(self, no: int, raw: str, ns: str, before_table: bool) -> None:
        lead = lead_phrase(ns) is not None
        if self.mode == "preamble":
            self.preamble.append(Paragraph(text=ns, line=no, section=None))
            return
        para = self.para
        if (
            para is not None
            and not ns.startswith("——")
            and not before_table
            and (not ends_terminal(para.last_text()) or (para.lead and not lead))
        ):
            para.raws.append(raw)
            return
        self.flush()
        self.para = _Para(line=no, raws=[raw], lead=lead, section=self.section, sink=self.sink())

    def table_line(self, no: int, raw: str) -> None:
        cells = [normalise_line(c.strip()) for c in raw.split("\t")]
        if self.table is None:
            title: Paragraph | None = None
            para = self.para
            if (
                para is not None
                and len(para.raws) == 1
                and not ends_terminal(para.last_text())
                and len(para.last_text()) <= 40
            ):
                title = Paragraph(text=para.last_text(), line=para.line, section=None)
                self.para = None
            self.flush()
            part_no = self.parts[-1].number if self.parts else 0
            printed_in = self.chapter.number if self.chapter is not None else 0
            self.table = Table(line=no, part=part_no, printed_in=printed_in, title=title)
            self.tables.append(self.table)
            self.mode = "table"
        self.table.rows.append((no, cells))

    def finish(self) -> None:
        self.end_block()


# ---------------------------------------------------------------------------
# Boxes
# ---------------------------------------------------------------------------


def _box_subject(title: str) -> str:
    return _BOX_SUBJECT_NOISE.sub("", title)


def _attach_box(box: _Box, parts: list[_Part]) -> int:
    subject = _box_subject(box.title)
    if subject:
        for part in parts:
            if part.number != box.part:
                continue
            hits = [c.number for c in part.chapters if subject in c.title]
            if len(hits) == 1:
                return hits[0]
    return box.printed_after


def _build_box(box: _Box, chapter: int, unplaced: list[Unplaced]) -> Box:
    is_reference = not box.title.endswith("项目")
    # segments: category, first line, joined text, offsets → line numbers
    segments: list[tuple[str | None, int, str, list[tuple[int, int]]]] = []
    for no, raw in box.lines:
        ns = normalise_line(raw)
        m = _CATEGORY.match(ns)
        if m is not None:
            segments.append((m.group(1).strip(), no, m.group(2), [(0, no)]))
        elif not segments:
            segments.append((None, no, ns, [(0, no)]))
        else:
            cat, first, text, offsets = segments[-1]
            offsets.append((len(text), no))
            segments[-1] = (cat, first, text + ns, offsets)

    items: list[BoxItem] = []
    rendered: list[str] = []
    for cat, first, text, offsets in segments:
        text = normalise_line(text)
        rendered.append(f"{cat}：{text}" if cat else text)

        def line_at(pos: int, offsets: list[tuple[int, int]] = offsets) -> int:
            found = offsets[0][1]
            for off, no in offsets:
                if off <= pos:
                    found = no
            return found

        cuts: list[tuple[int, int, int]] = []  # (number, marker start, text start)
        expected = 1
        for m in _MARKER.finditer(text):
            if int(m.group(1)) == expected:
                cuts.append((expected, m.start(), m.end()))
                expected += 1
        if not cuts:
            if text.strip():
                items.append(BoxItem(number=1, text=text.strip(), category=cat, line=first))
            continue
        prefix = text[: cuts[0][1]].strip()
        if prefix and not is_reference:
            unplaced.append(
                Unplaced(first, prefix, f"专栏{box.number}中第一个编号项目之前的文字，无法归入项目")
            )
        for i, (n, _start, body_start) in enumerate(cuts):
            end = cuts[i + 1][1] if i + 1 < len(cuts) else len(text)
            body = text[body_start:end].strip()
            items.append(BoxItem(number=n, text=body, category=cat, line=line_at(body_start)))
    return Box(
        number=box.number,
        title=box.title,
        chapter=chapter,
        printed_after_chapter=box.printed_after,
        is_reference=is_reference,
        items=tuple(items),
        text="\n".join(rendered),
        line=box.line,
    )


# ---------------------------------------------------------------------------
# Entry point of the structural pass
# ---------------------------------------------------------------------------

_PERIOD = re.compile(r"(\d{4})\s*[-—–~～至]\s*(\d{4})\s*年")
_DOC_NUMBER = re.compile(r"\S{1,10}〔\d{4}〕\d{1,4}号")


def split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")


def read_structure(text: str) -> Structure:
    b = _Builder()
    lines = split_lines(text)
    # The line after which the next non-blank line holds a TAB is a table title.
    next_is_table = [False] * len(lines)
    following_tab = False
    for i in range(len(lines) - 1, -1, -1):
        next_is_table[i] = following_tab
        if lines[i].strip():
            following_tab = "\t" in lines[i]
    for i, raw in enumerate(lines):
        b.feed(i + 1, raw, next_is_table[i])
    b.finish()
    if not any(p.chapters for p in b.parts):
        raise InvalidInputError(t("plan.no_chapters"), hint=t("plan.no_chapters.hint"))
    unplaced = list(b.unplaced)

    # boxes: attach to their chapter
    boxes: list[Box] = []
    for box in b.boxes:
        if box.printed_after == 0:
            for no, raw in box.lines:
                unplaced.append(
                    Unplaced(no, normalise_line(raw), f"专栏{box.number}不在任何章之后")
                )
            unplaced.append(
                Unplaced(box.line, f"专栏{box.number}：{box.title}", "专栏不在任何章之后")
            )
            continue
        boxes.append(_build_box(box, _attach_box(box, b.parts), unplaced))

    # the indicator table (the first one; any other table's rows are unplaced)
    indicators: list[IndicatorRow] = []
    header: list[str] = []
    cells: list[list[str]] = []
    indicator_chapter: int | None = None
    indicator_title_line: int | None = None
    indicator_header_line = 0
    for i, table in enumerate(b.tables):
        target_chapter = _table_chapter(table, b.parts)
        if i > 0 or target_chapter is None:
            for no, row_cells in table.rows:
                unplaced.append(
                    Unplaced(no, "\t".join(row_cells), "指标表之外的表格行，或表格不在任何章内")
                )
            if table.title is not None:
                unplaced.append(Unplaced(table.title.line, table.title.text, "表格标题"))
            continue
        indicators, header, cells = build_indicators(table, unplaced)
        if any("指标" in h for h in table.rows[0][1]):
            indicator_header_line = table.rows[0][0]
        indicator_chapter = target_chapter
        if table.title is not None:
            indicator_title_line = table.title.line
            for part in b.parts:
                for ch in part.chapters:
                    if ch.number == target_chapter:
                        ch.paragraphs.append(table.title)

    parts = [
        Part(
            number=p.number,
            title=p.title,
            line=p.line,
            chapters=tuple(
                Chapter(
                    number=c.number,
                    title=c.title,
                    part=c.part,
                    line=c.line,
                    sections=tuple(c.sections),
                    paragraphs=tuple(sorted(c.paragraphs, key=lambda x: x.line)),
                    boxes=tuple(bx for bx in boxes if bx.chapter == c.number),
                )
                for c in p.chapters
            ),
            paragraphs=tuple(p.paragraphs),
        )
        for p in b.parts
    ]
    pre = " ".join(p.text for p in b.preamble)
    title = next(
        (p.text for p in b.preamble if p.text.endswith("纲要") and "《" not in p.text),
        "",
    )
    doc = _DOC_NUMBER.search(pre)
    period = _PERIOD.search(pre)
    start_year, end_year = 2021, 2025
    if period is not None:
        y0, y1 = int(period.group(1)), int(period.group(2))
        if 1900 < y0 <= y1 < 2200:
            start_year, end_year = y0, y1
    return Structure(
        preamble=b.preamble,
        parts=parts,
        boxes=boxes,
        indicators=indicators,
        indicator_header=header,
        indicator_cells=cells,
        indicator_chapter=indicator_chapter,
        unplaced=sorted(unplaced, key=lambda u: u.line),
        title=title,
        doc_number=doc.group(0) if doc else "",
        start=dt.date(start_year, 1, 1),
        end=dt.date(end_year, 12, 31),
        indicator_title_line=indicator_title_line,
        indicator_header_line=indicator_header_line,
    )


def _table_chapter(table: Table, parts: list[_Part]) -> int | None:
    for part in parts:
        if part.number == table.part:
            hits = [c.number for c in part.chapters if "目标" in c.title]
            if len(hits) == 1:
                return hits[0]
    return table.printed_in or None
