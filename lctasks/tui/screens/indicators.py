"""Indicators as numbers (指标监测): the evaluation table, and recording an actual.

Reached from the dashboard (``i``). One row per indicator and quantified target:
baseline, target, the latest actual, the expected value on the path, the light
and the counties and zones that pull it down. ``v`` (or Enter) on a row records
an actual — a number, or 达到 / 未达到 / 待评估 for a text target — with its source,
optionally for a county's share; the same service and rules as ``lctasks actual``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from lctasks.domain import LctasksError
from lctasks.i18n import TUI as MESSAGES
from lctasks.i18n import tui_t as t
from lctasks.textsafe import one_line
from lctasks.textwidth import fit
from lctasks.textwidth import width as cell_width
from lctasks.tui.screens.dialogs import Field, FormDialog

if TYPE_CHECKING:
    from lctasks.tui.backend import Backend

MESSAGES.add(
    {
        "ind.tui.title": ("指标监测 · {year}年", "Indicator monitoring · {year}"),
        "ind.tui.record": ("记录实际值", "record an actual"),
        "ind.tui.back": ("返回", "back"),
        "ind.tui.col.id": ("编号", "ID"),
        "ind.tui.col.name": ("指标/目标", "indicator / target"),
        "ind.tui.col.base": ("基期", "baseline"),
        "ind.tui.col.target": ("目标", "target"),
        "ind.tui.col.latest": ("最新实际", "latest"),
        "ind.tui.col.expected": ("序时目标", "expected"),
        "ind.tui.col.light": ("灯", "light"),
        "ind.tui.col.failing": ("拖后单位", "behind"),
        "ind.tui.f.period": ("年份（如 2023 或 2023Q2）", "year (2023 or 2023Q2)"),
        "ind.tui.f.value": (
            "实际值（数值；文字目标写 达到/未达到/待评估）",
            "value (a number; for a text target 达到/未达到/待评估)",
        ),
        "ind.tui.f.source": ("来源（统计公报、部门报告或文号）", "source"),
        "ind.tui.f.unit": ("分解单位（县区的分解目标才填）", "county or zone (for a share)"),
        "ind.tui.recorded": ("已记录 {id} {period} 年实际值", "recorded {id} {period}"),
    }
)

_LIGHT_STYLE = {"red": "bold red", "yellow": "bold yellow", "green": "green"}


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.4g}"


NARROW_MIN = 8  # cells of a name or a target, however narrow the screen
WIDE = 100  # from this width the counties behind (拖后单位) are in view too
FAILING_MAX = 16


def _crop(text: Text, width: int) -> Text:
    if cell_width(text.plain) <= width:
        return text
    return Text(fit(text.plain, width), style=text.style)


def _cells(r: Any) -> list[Text]:
    """One evaluation row (services.indicators.EvalRow) as the table's cells."""
    latest = ""
    if r.by_year:
        year, value = max(r.by_year.items())
        latest = f"{year}: {_num(value)}"
    elif r.judgement.assessment is not None:
        latest = r.judgement.assessment.label
    if r.spec.path.value == "text":
        target = r.spec.text or "—"
    elif r.spec.path.value in ("each_year", "points"):
        target = f"年均{r.spec.compare.sign}{_num(r.spec.annual)}"
    else:
        target = f"{r.spec.compare.sign}{_num(r.spec.target)}"
    light = Text()
    if r.light is not None:
        light = Text(t(f"light.{r.light.value}"), style=_LIGHT_STYLE[r.light.value])
    key = r.key if r.kind == "indicator" else f"{r.key}#{r.ref.label}"
    return [
        Text(key),
        Text(one_line(r.spec.name)),
        Text(_num(r.spec.baseline)),
        Text(one_line(target)),
        Text(latest),
        Text(_num(r.judgement.expected)),
        light,
        Text("、".join(r.failing)),
    ]


class IndicatorsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", t("ind.tui.back"), id="ind.back"),
        Binding("v,enter", "record", t("ind.tui.record"), id="ind.record", priority=True),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[Any]  # services.indicators.EvalRow

    def __init__(self, backend: Backend, year: int, plan: str | None = None) -> None:
        super().__init__(id="indicators")
        self.backend = backend
        self.year = year
        self.plan = plan
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(f" {t('ind.tui.title', year=self.year)}", style="bold"), id="ind-top")
        yield DataTable(id="ind-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fill()
        self.load()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ind")
    def load(self) -> None:
        from lctasks.services.indicators import IndicatorService

        try:
            ev = IndicatorService(self.backend.ctx).evaluate(plan=self.plan, year=self.year)
        except LctasksError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.post_message(self.Loaded(list(ev.rows)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        self._fill()

    def _fill(self) -> None:
        """The table at the screen's width: the name and target columns take what
        the numbers leave, so 最新实际 / 序时目标 / 灯 stay in view at 80 columns
        (拖后单位 last, reached with →)."""
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        cells = [_cells(r) for r in self.rows]
        keys = ("id", "name", "base", "target", "latest", "expected", "light", "failing")
        heads = [t(f"ind.tui.col.{k}") for k in keys]
        widths = [
            max([cell_width(heads[i])] + [cell_width(c[i].plain) for c in cells]) for i in range(8)
        ]
        # what the name (1) and the target (3) may take: 2 cells of padding per
        # column, 4 for the scroll bar and the edge; a long text target gives way first
        fixed = sum(widths[i] + 2 for i in (0, 2, 4, 5, 6)) + 2 + 2 + 4
        width = self.size.width or self.app.size.width
        if width >= WIDE and any(c[7].plain for c in cells):
            widths[7] = min(widths[7], FAILING_MAX)  # 拖后单位 in view too
            fixed += widths[7] + 2
        avail = width - fixed
        if widths[1] + widths[3] > avail:
            widths[3] = min(widths[3], max(NARROW_MIN, avail // 3))
            widths[1] = max(NARROW_MIN, min(widths[1], avail - widths[3]))
        table.clear(columns=True)
        for key, head, w in zip(keys, heads, widths, strict=True):
            table.add_column(head, key=key, width=w)
        for c in cells:
            c[1], c[3], c[7] = (_crop(c[i], widths[i]) for i in (1, 3, 7))
            table.add_row(*c)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def action_record(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            return
        row = self.rows[table.cursor_row]
        key = row.key if row.kind == "indicator" else f"{row.key}#{row.ref.label}"
        fields = [
            Field("period", "ind.tui.f.period", required=True, value=str(self.year)),
            Field("value", "ind.tui.f.value", required=True),
            Field("source", "ind.tui.f.source", required=True),
            Field("unit", "ind.tui.f.unit"),
        ]

        def done(values: dict[str, str] | None) -> None:
            if values:
                self.record(row.key, row.ref.label, values)

        self.app.push_screen(FormDialog(t("ind.tui.record"), [key], fields, id="dlg-actual"), done)

    @work(thread=True, exclusive=False, exit_on_error=False, group="ind-write")
    def record(self, key: str, item: str, values: dict[str, str]) -> None:
        from lctasks.domain import Actor, Source
        from lctasks.services.indicators import IndicatorService

        ctx = self.backend.ctx
        ctx = ctx.with_actor(Actor(ctx.actor.name, Source.TUI))
        try:
            rec = IndicatorService(ctx).record(
                key,
                values["period"],
                values["value"],
                source=values["source"],
                item=item,
                unit=values.get("unit") or None,
                plan=self.plan,
            )
        except LctasksError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, t("ind.tui.recorded", id=key, period=rec.period))
        self.load()
