"""The detail pane: the plan's words, checklist, owners, deadline, reports, history."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lctasks import clock
from lctasks.domain import Light, Status, Task
from lctasks.i18n import ZH, language
from lctasks.i18n import tui_t as t
from lctasks.labels import action_label, describe, source_label
from lctasks.services.query import TaskDetail

LIGHT_STYLE = {Light.RED: "bold red", Light.YELLOW: "bold yellow", Light.GREEN: "bold green"}


def _l(key: str) -> str:
    """A field label with the colon of the language (全角 in Chinese)."""
    return t(key) + ("：" if language() == ZH else ": ")


def _heading(text: str) -> Text:
    return Text(f"── {text} ", style="bold cyan")


def _source(task: Task) -> Text:
    body = Text(task.source_text or task.title)
    targets = {tg.text for item in task.checklist for tg in item.targets if tg.text}
    for phrase in sorted(targets, key=len, reverse=True):
        body.highlight_words([phrase], style="bold underline magenta")
    return body


def _event_line(ev: object) -> Text:
    from lctasks.domain import Event

    assert isinstance(ev, Event)
    when = ev.at.astimezone(clock.office_zone()).strftime("%Y-%m-%d %H:%M")
    line = Text(f"{when} ", style="dim")
    line.append(f"{ev.actor} ", style="bold")
    line.append(action_label(ev.action), style="cyan")
    line.append(f"（{source_label(ev.source.value)}）", style="dim")
    if ev.changes:
        line.append("  " + describe(ev.changes, ev.action))
    if ev.reason:
        line.append(f"  “{ev.reason}”", style="italic")
    return line


def _closure(detail: TaskDetail) -> list[RenderableType]:
    """销号 of a closed task: when, by whom, the completion note and the evidence (its
    latest close event), as ``show`` prints them."""
    if detail.task.status is not Status.CLOSED:
        return []
    ev = next((e for e in reversed(detail.events) if e.action == "close"), None)
    if ev is None:  # carried over to another plan, or closed before the history began
        return []
    evidence = ev.changes.get("evidence", [None, None])
    if not isinstance(evidence, list):
        evidence = [evidence]
    none = t("detail.none_given")
    when = Text(_l("detail.closed_at"), style="dim")
    when.append(clock.office_date(ev.at).isoformat(), style="bold")
    when.append(f" {ev.actor}")
    out: list[RenderableType] = [_heading(t("detail.closure")), when]
    for label, value in (("detail.close_note", ev.reason), ("detail.evidence", evidence[-1])):
        line = Text(_l(label), style="dim")
        line.append(str(value) if value else none, style="" if value else "dim")
        out.append(line)
    return out


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


def _numbers(rows: tuple[Any, ...]) -> list[RenderableType]:
    """Actuals by year against the expected value on the path (lctasks actual)."""
    out: list[RenderableType] = [_heading(t("detail.numbers"))]
    for r in rows:
        j = r.judgement
        line = Text()
        line.append(f"{r.ref.label} ", style="dim")
        line.append(r.spec.name)
        if r.spec.unit:
            line.append(f"（{r.spec.unit}）", style="dim")
        if r.light is not None:
            line.append("  ")
            line.append(t(f"light.{r.light.value}"), style=LIGHT_STYLE[r.light])
        out.append(line)
        years = Text("  ")
        for year, value in sorted(r.by_year.items()):
            years.append(f"{year} ", style="dim")
            years.append(f"{_num(value)}  ")
        if j.assessment is not None:
            years.append(t("detail.assessment", verdict=j.assessment.label))
        out.append(years)
        if j.expected is not None:
            why = Text("  ")
            why.append(
                t(
                    "detail.numbers.why",
                    year=j.year,
                    actual=_num(j.actual),
                    expected=_num(j.expected),
                    sign=r.spec.compare.sign,
                ),
                style="dim",
            )
            out.append(why)
        for sh in r.shares:
            sj = sh.judgement
            sl = Text("  ")
            sl.append(sh.unit)
            sl.append(f"  {t('detail.numbers.share_actual')} {_num(sj.actual)}", style="dim")
            sl.append(f" / {_num(sj.expected)}", style="dim")
            if sj.light is not None:
                sl.append("  ")
                sl.append(t(f"light.{sj.light.value}"), style=LIGHT_STYLE[sj.light])
            out.append(sl)
    return out


def render_detail(detail: TaskDetail, *, accept_key: str = "y") -> RenderableType:
    task = detail.task
    parts: list[RenderableType] = []
    head = Text()
    head.append(task.id, style="bold reverse")
    head.append(" ")
    head.append(task.title, style="bold")
    head.append(f"  [{t('kind.' + task.kind.value)}]", style="dim")
    parts.append(head)

    meta = Text()
    meta.append(_l("detail.status"), style="dim")
    meta.append(t(f"status.{task.status.value}"))
    meta.append("   " + _l("detail.progress"), style="dim")
    meta.append(f"{task.progress}%")
    if task.light is not None:
        meta.append("   ")
        meta.append(t(f"light.{task.light.value}"), style=LIGHT_STYLE[task.light])
    meta.append(f"   {t('detail.version')} {task.version}", style="dim")
    parts.append(meta)

    due = Text()
    due.append(_l("detail.deadline"), style="dim")
    due.append(task.due.isoformat(), style="bold")
    due.append(f"（{t('due.' + task.due_basis.value)}", style="dim")
    if task.due_text:
        due.append(f"：“{task.due_text}”", style="dim")
    due.append("）", style="dim")
    if task.original_due is not None and task.original_due != task.due:
        due.append(f"  {t('detail.original_due')} {task.original_due.isoformat()}", style="dim")
    parts.append(due)
    parts.extend(_closure(detail))

    parts.append(_heading(t("detail.owners")))
    owners = Text()
    owners.append(_l("detail.lead"), style="dim")
    owners.append(
        task.lead_unit or t("detail.unassigned"), style="bold" if task.lead_unit else "dim"
    )
    if task.co_units:
        owners.append("   " + _l("detail.co"), style="dim")
        owners.append("、".join(task.co_units))
    if task.person:
        owners.append("   " + _l("detail.person"), style="dim")
        owners.append(task.person)
    if task.leader:
        owners.append("   " + _l("detail.leader"), style="dim")
        owners.append(task.leader)
    parts.append(owners)
    if task.suggestion is not None and task.suggestion.lead:
        sug = Text()
        sug.append(_l("detail.suggestion"), style="dim")
        sug.append(task.suggestion.lead, style="bold green")
        if task.suggestion.co_units:
            sug.append(" + " + "、".join(task.suggestion.co_units), style="green")
        if task.suggestion.rules:
            sug.append(
                f"  {t('detail.suggestion_rules')} {', '.join(task.suggestion.rules)}", style="dim"
            )
        if task.lead_unit != task.suggestion.lead:
            sug.append(f"  ({t('detail.accept_hint', k=accept_key)})", style="dim italic")
        parts.append(sug)

    parts.append(_heading(t("detail.source")))
    parts.append(_source(task))
    trace = Text(t("detail.line", chapter=task.chapter, line=task.line), style="dim")
    parts.append(trace)

    if task.checklist:
        parts.append(_heading(t("detail.checklist")))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")  # Chinese has no spaces to wrap at
        for item in task.checklist:
            mark = Text("☑" if item.done else "☐", style="bold green" if item.done else "dim")
            mark.append(f"{item.seq:>2}.", style="dim")
            line = Text(item.text.strip(), style="dim" if item.done else "")
            for tg in item.targets:
                bits = []
                if tg.shown():
                    bits.append(tg.shown())
                if tg.deadline is not None:
                    bits.append(tg.deadline.isoformat())
                if tg.yearly:
                    bits.append(t("due.yearly"))
                if bits:
                    line.append(f"  ◎ {' · '.join(bits)}", style="magenta")
            grid.add_row(mark, line)
        parts.append(grid)

    if detail.numbers:
        parts.extend(_numbers(detail.numbers))

    parts.append(_heading(t("detail.reports")))
    if not detail.reports:
        parts.append(Text(t("detail.no_reports"), style="dim"))
    for rep in detail.reports:
        r = Text()
        r.append(clock.office_date(rep.at).isoformat(), style="bold")
        r.append(f" {rep.actor}", style="dim")
        if rep.percent is not None:
            r.append(f"  {rep.percent}%")
        parts.append(r)
        for label, value in (
            ("detail.made", rep.made),
            ("detail.problems", rep.problems),
            ("detail.next", rep.next_steps),
        ):
            if value:
                line = Text("  ")
                line.append(_l(label), style="dim")
                line.append(value)
                parts.append(line)

    if detail.events:
        parts.append(_heading(t("detail.history")))
        for ev in reversed(detail.events[-30:]):
            parts.append(_event_line(ev))
    return Group(*parts)


class DetailPane(ScrollView, can_focus=True):
    """The detail, rendered to lines once per task and width, drawn with the Line API.

    A plan chapter can run to hundreds of lines; re-rendering a Rich renderable
    on every screen update (a dialog opening, a notification) cost 0.1–0.2 s,
    so the lines are cached and only the visible ones are drawn.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", show=False),
        Binding("down,j", "scroll_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]

    DEFAULT_CSS = """
    DetailPane { overflow-x: hidden; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderable: RenderableType = Text(t("detail.none"), style="dim")
        self._lines: list[Strip] = []
        self._width = -1
        self.shown_key: str | None = None

    def show(self, detail: TaskDetail | None, *, accept_key: str = "y") -> None:
        key = detail.task.id if detail is not None else None
        if key != self.shown_key:
            self.scroll_to(y=0, animate=False)
        self.shown_key = key
        if detail is None:
            self._renderable = Text(t("detail.none"), style="dim")
        else:
            self._renderable = render_detail(detail, accept_key=accept_key)
        self._width = -1
        self._layout()
        self.refresh()

    @property
    def text(self) -> str:
        """What the pane shows, as plain text (for tests and screen readers)."""
        self._layout()
        return "\n".join(strip.text.rstrip() for strip in self._lines)

    def _layout(self) -> None:
        width = max(10, self.scrollable_content_region.width or self.size.width or 60)
        if width == self._width:
            return
        self._width = width
        console = self.app.console
        options = console.options.update_width(width)
        lines = console.render_lines(self._renderable, options, pad=True)
        self._lines = [Strip(line, width) for line in lines]
        self.virtual_size = Size(width, len(self._lines))

    def on_resize(self) -> None:
        self._layout()

    def render_line(self, y: int) -> Strip:
        self._layout()
        index = round(self.scroll_y) + y
        width = self._width
        if 0 <= index < len(self._lines):
            return self._lines[index].apply_style(self.rich_style)
        return Strip.blank(width, self.rich_style)
