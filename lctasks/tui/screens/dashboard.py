"""The dashboard: who is behind, how far each chapter is, and the trend.

The scoreboard and chapter bars come from the rows already in memory; the
trend (completions and overdue counts per month) is computed from the event
history in a worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from lctasks.domain import LctasksError, PlanInfo
from lctasks.i18n import TUI as MESSAGES
from lctasks.i18n import tui_t as t
from lctasks.services.board import TimelinePoint
from lctasks.textsafe import one_line
from lctasks.textwidth import width as cell_width
from lctasks.tui.model import TaskStore, chapter_scores, scoreboard

if TYPE_CHECKING:
    from lctasks.tui.backend import Backend

BAR_WIDTH = 20
# the meeting pack and the unit workbooks, one key away (lctasks.formats)
MESSAGES.add(
    {
        "dash.pack": ("调度会材料", "meeting pack"),
        "dash.indicators": ("指标监测", "indicators"),
        "dash.workbooks": ("各单位报送表", "unit workbooks"),
        "dash.working": ("正在生成 {what}…", "writing the {what}…"),
        "dash.written": ("已生成 {what}：{path}", "{what} written: {path}"),
    }
)
OUT_DIR = "调度会材料"  # beside where lctasks was started


def bar(pct: float, width: int = BAR_WIDTH) -> Text:
    filled = round(pct / 100 * width)
    out = Text("█" * filled, style="green")
    out.append("░" * (width - filled), style="dim")
    return out


class DashboardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,d", "back", t("act.main"), id="dash.back"),
        Binding("question_mark", "app.pop_screen", show=False),
        Binding("p", "pack", t("dash.pack"), id="dash.pack"),
        Binding("x", "workbooks", t("dash.workbooks"), id="dash.workbooks"),
        Binding("i", "indicators", t("dash.indicators"), id="dash.indicators"),
    ]

    @dataclass
    class TimelineLoaded(Message):
        points: list[TimelinePoint]

    def __init__(
        self, store: TaskStore, plan: PlanInfo, backend: Backend, *, as_of: dt.date
    ) -> None:
        super().__init__(id="dashboard")
        self.store = store
        self.plan = plan
        self.backend = backend
        self.as_of = as_of
        self.points: list[TimelinePoint] | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            Text(f" {t('dash.title')} · {one_line(self.plan.title[:40])}", style="bold"),
            id="dash-top",
        )
        with Horizontal(id="dash-body"):
            with Vertical(id="dash-units"):
                yield Static(t("dash.units"), classes="section-title")
                yield DataTable(id="dash-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="dash-right"):
                yield Static(id="dash-chart")
                with VerticalScroll(id="dash-chapters"):
                    yield Static(t("dash.chapters"), classes="section-title")
                    yield Static(id="dash-bars")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < 120, "narrow")
        rows = self.store.rows
        table = self.query_one(DataTable)
        table.add_column("#", key="rank")
        table.add_column(t("dash.unit"), key="unit")
        table.add_column(t("dash.tasks"), key="tasks")
        table.add_column(t("dash.done_pct"), key="done")
        table.add_column(t("dash.red"), key="red")
        table.add_column(t("dash.yellow"), key="yellow")
        for n, s in enumerate(scoreboard(rows), 1):
            table.add_row(
                str(n) if s.unit else "",
                one_line(s.unit) if s.unit else t("dash.unassigned"),
                Text(str(s.tasks), justify="right"),
                Text(f"{s.done_pct:5.1f}%", justify="right"),
                Text(str(s.red), style="bold red" if s.red else "dim", justify="right"),
                Text(str(s.yellow), style="bold yellow" if s.yellow else "dim", justify="right"),
                key=s.unit or "-",
            )
        lines = Text()
        for c in chapter_scores(rows):
            lines.append(f"{t('tree.chapter', n=c.chapter):<6}", style="bold")
            lines.append(" ")
            lines.append_text(bar(c.progress))
            lines.append(f" {c.progress:5.1f}%  {c.done}/{c.tasks}")
            if c.red:
                lines.append(f"  {c.red}", style="bold red")
            lines.append("\n")
        self.query_one("#dash-bars", Static).update(lines)
        self._draw([])
        self.load_timeline()

    @work(thread=True, exclusive=True, exit_on_error=False, group="timeline")
    def load_timeline(self) -> None:
        try:
            points = self.backend.timeline(self.as_of, self.plan.start)
        except LctasksError:
            points = []
        self.post_message(self.TimelineLoaded(points))

    @on(TimelineLoaded)
    def _timeline_loaded(self, message: TimelineLoaded) -> None:
        self.points = message.points
        self._draw(message.points)

    def _draw(self, points: list[TimelinePoint]) -> None:
        """Completions and overdue per month as two rows of bars, newest month last.

        Plain text: whole counts, Chinese labels, month names, nothing outside the
        box at 80×24 (the plotext chart broke its frame with Chinese labels).
        """
        widget = self.query_one("#dash-chart", Static)
        widget.update(month_bars(points, widget.size.width or 60, widget.size.height or 12))

    def on_resize(self) -> None:
        if self.points is not None:
            self.call_after_refresh(self._draw, self.points)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_indicators(self) -> None:
        """The indicators judged by their numbers; record actuals there."""
        from lctasks.tui.screens.indicators import IndicatorsScreen

        self.app.push_screen(IndicatorsScreen(self.backend, self.as_of.year, self.plan.code))

    def action_pack(self) -> None:
        self.notify(t("dash.working", what=t("dash.pack")))
        self.write_files("pack")

    def action_workbooks(self) -> None:
        self.notify(t("dash.working", what=t("dash.workbooks")))
        self.write_files("workbooks")

    @work(thread=True, exclusive=True, exit_on_error=False, group="files")
    def write_files(self, what: str) -> None:
        """The pack (one HTML page) or every unit's workbook, into ./调度会材料/."""
        from pathlib import Path

        app = self.app
        day = self.as_of
        folder = Path.cwd() / OUT_DIR
        try:
            ctx = self.backend.ctx
            if what == "pack":
                from lctasks.formats.pack.build import build_pack, write_pack

                text, _ = build_pack(ctx, as_of=day, plan=self.plan.code)
                path = folder / f"调度会材料_{day.isoformat()}.html"
                write_pack(text, path)
            else:
                from lctasks.formats.xlsx.export import export_workbooks

                path = folder / f"报送表_{day.isoformat()}"
                export_workbooks(ctx, path, per_unit=True, as_of=day, plan=self.plan.code)
        except LctasksError as exc:
            app.call_from_thread(self.notify, exc.message, severity="error", timeout=10)
            return
        done = t("dash.written", what=t(f"dash.{what}"), path=path)
        app.call_from_thread(self.notify, done, timeout=12)


def month_bars(points: list[TimelinePoint], width: int, height: int) -> Text:
    """The newest months that fit in ``height`` lines: ``2021-06 完成 ██ 3  逾期 ████ 12``."""
    out = Text(t("dash.chart") + "\n", style="bold")
    if not points:
        out.append(t("dash.loading"), style="dim")
        return out
    shown = points[-max(1, height - 2) :]
    # each series on its own scale (a handful of completions beside 500 overdue tasks
    # would not show at all); the numbers say the size
    tops = {
        "done": max(1, *(p.completed for p in shown)),
        "late": max(1, *(p.overdue for p in shown)),
    }
    num = len(str(max(tops.values())))
    done_label, late_label = t("dash.completed"), t("dash.overdue")
    fixed = 8 + cell_width(done_label) + cell_width(late_label) + 2 * (num + 2) + 3
    bar_w = max(3, (width - fixed) // 2)
    for p in shown:
        out.append(f"{p.month} ", style="dim")
        for label, n, style, top in (
            (done_label, p.completed, "green", tops["done"]),
            (late_label, p.overdue, "red", tops["late"]),
        ):
            filled = max(1, round(n / top * bar_w)) if n else 0
            out.append(f" {label} ")
            out.append("█" * filled, style=style)
            out.append(" " * (bar_w - filled))
            out.append(f" {n:>{num}}", style="bold " + style if n else "dim")
        out.append("\n")
    return out
