"""督办通知: the chase notice the supervision office sends a unit, as a Word document.

``unit_notice`` gathers the unit's overdue and red tasks as of a date (from the same
snapshot as ``lctasks export``: the light and the latest report are computed the
same way); ``write_notice`` lays them out in the usual form of an official notice
with python-docx: document number and issuing office left blank to fill, title,
addressee, body, a table (task, deadline, how late, last report, what is required by
when), "特此通知", the issuing office and date left blank for the office, and the
history anchor (``lctasks.formats.anchor``) in the document properties and the last
line.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lctasks.domain import Light, Status
from lctasks.formats.anchor import Anchor
from lctasks.labels import STATUS_ZH
from lctasks.lights import FINISHED

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
TABLE_FONT = "宋体"


@dataclass(frozen=True, slots=True)
class ChaseItem:
    task: str
    title: str
    role: str  # 牵头 | 配合
    due: dt.date
    days_late: int  # 0: not late (red for being behind or unreported)
    status: Status
    progress: int
    last_report: str  # "2025-05-31 完成可研" or "未报送"
    required: str  # what the unit must do, by when


@dataclass(frozen=True, slots=True)
class UnitNotice:
    unit: str
    plan_title: str
    as_of: dt.date
    reply_by: dt.date
    items: tuple[ChaseItem, ...]
    anchor: Anchor

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.days_late > 0)

    @property
    def red(self) -> int:
        return len(self.items)


def unit_notice(
    ctx: ServiceContext,
    unit: str,
    *,
    as_of: dt.date | None = None,
    within: int = 10,
    plan: str | None = None,
) -> UnitNotice:
    """The overdue and red tasks ``unit`` leads or co-owns, as of ``as_of``.

    ``items`` is empty when there is nothing to chase (no notice is written then).
    """
    from lctasks.clock import office_date
    from lctasks.services.review import ReviewService
    from lctasks.snapshot import SnapshotFilter, natural_key

    snap = ReviewService(ctx).export(SnapshotFilter((unit,)), as_of=as_of, plan=plan)
    short = snap.filter.units[0] if snap.filter.units else unit
    day = snap.as_of
    reply_by = day + dt.timedelta(days=within)
    items: list[ChaseItem] = []
    for x in sorted(snap.tasks, key=lambda x: (x.due, natural_key(x.id))):
        late = (day - x.due).days if x.status not in FINISHED and day > x.due else 0
        if late <= 0 and x.light != Light.RED:
            continue
        r = x.latest_report
        last = "未报送"
        if r is not None:
            text = r.made if len(r.made) <= 40 else r.made[:39] + "…"
            last = f"{office_date(r.at).isoformat()} {text}".strip()
        by = f"{reply_by.month}月{reply_by.day}日前"
        if late > 0:
            required = f"{by}书面说明逾期原因、整改措施和新的完成时限，抓紧办结"
        elif x.status == Status.BLOCKED:
            required = f"{by}报告受阻原因和需协调解决的问题"
        else:
            required = f"{by}报送进展，采取措施赶上序时进度"
        items.append(
            ChaseItem(
                x.id,
                x.title,
                "牵头" if x.lead == short else "配合",
                x.due,
                late,
                x.status,
                x.progress,
                last,
                required,
            )
        )
    anchor = Anchor(snap.plan.code, snap.history.seq, snap.history.hash, day)
    return UnitNotice(short, snap.plan.title, day, reply_by, tuple(items), anchor)


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _font(run: Any, name: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Chinese text takes the East Asian font: python-docx sets it through rFonts
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def write_notice(notice: UnitNotice, path: str | os.PathLike[str]) -> int:
    """Write the notice as .docx (atomically); returns the number of tasks in it."""
    # python-docx (~0.2 s to import): only when a notice is written
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from lctasks.atomic import atomic_write

    d = docx.Document()
    section = d.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def para(
        text: str = "",
        *,
        size: float = 16,
        font: str = BODY_FONT,
        bold: bool = False,
        align: Any = None,
        indent: bool = False,
        space_after: float = 0,
    ) -> Any:
        p = d.add_paragraph()
        if align is not None:
            p.alignment = align
        fmt = p.paragraph_format
        fmt.space_after = Pt(space_after)
        fmt.line_spacing = Pt(28)
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        if text:
            _font(p.add_run(text), font, size, bold=bold)
        return p

    n_over = notice.overdue
    n_red = notice.red - n_over
    para("〔　　〕第　　号", size=16, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    para(
        "督办通知",
        size=26,
        font=TITLE_FONT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=6,
    )
    para(
        f"关于加快推进{notice.unit}逾期及红灯任务的督办通知",
        size=18,
        font=TITLE_FONT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=18,
    )
    para(f"{notice.unit}：")
    counts = []
    if n_over:
        counts.append(f"{n_over}项任务已超过完成时限")
    if n_red:
        counts.append(f"{n_red}项任务进度滞后或未按期报送进展（红灯）")
    para(
        f"根据《{notice.plan_title}》任务台账，截至{_cn_date(notice.as_of)}，"
        f"你单位牵头或配合的任务中，{'，'.join(counts)}，具体见下表。",
        indent=True,
    )
    para(
        f"请你单位高度重视，逐项分析原因，明确整改措施和责任人，"
        f"于{_cn_date(notice.reply_by)}前将办理情况书面报送督查室，"
        "并通过报送表（lctasks）更新各项任务进展。已逾期的任务须说明逾期原因和新的完成时限；"
        "确需调整完成时限的，按程序申请延期。",
        indent=True,
    )
    para("督办任务清单", bold=True, font="黑体", align=WD_ALIGN_PARAGRAPH.CENTER)

    headers = (
        "序号", "任务编号", "任务内容", "职责", "完成时限", "逾期天数", "状态/进度", "上次报送",
        "办理要求",
    )  # fmt: skip
    table = d.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # the text width of A4 with these margins is 15.6 cm; LibreOffice and WPS read the
    # grid's column widths, Word the cells': set both, and turn autofit off
    widths = (Cm(0.9), Cm(1.9), Cm(3.3), Cm(1.1), Cm(2.0), Cm(1.1), Cm(1.6), Cm(1.6), Cm(2.1))
    table.autofit = False
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w
    for cell, text, w in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.width = w
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), "黑体", 9)
    for i, item in enumerate(notice.items, 1):
        values = (
            str(i),
            item.task,
            item.title,
            item.role,
            item.due.isoformat(),
            str(item.days_late) if item.days_late else "—",
            f"{STATUS_ZH[item.status]} {item.progress}%",
            item.last_report,
            item.required,
        )
        cells = table.add_row().cells
        for cell, text, w in zip(cells, values, widths, strict=True):
            cell.width = w
            _font(cell.paragraphs[0].add_run(text), TABLE_FONT, 9)

    para("特此通知。", indent=True, space_after=24)
    para("发文单位：________________（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para("　　　　年　　月　　日", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=24)
    para(
        f"（依据台账历史点生成，可核对：{notice.anchor.text()}）",
        size=8,
        font=TABLE_FONT,
    )

    props = d.core_properties
    props.title = f"关于加快推进{notice.unit}逾期及红灯任务的督办通知"
    props.subject = notice.plan_title
    props.author = "lctasks"
    props.comments = notice.anchor.text()
    props.keywords = "督办通知"
    # no clock in the file: created / modified are the as-of date (same data, same text)
    stamp = dt.datetime.combine(notice.as_of, dt.time())
    props.created = props.modified = stamp
    props.last_modified_by = "lctasks"
    props.revision = 1
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: d.save(str(tmp)), suffix=".docx")
    return len(notice.items)


__all__ = ["ChaseItem", "UnitNotice", "unit_notice", "write_notice"]
