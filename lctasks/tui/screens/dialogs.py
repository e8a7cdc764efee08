"""Dialogs: each a ModalScreen[T] that returns its result through ``dismiss``.

Every dialog names the tasks it acts on, cancels with Esc (returning None) and
refuses to return while a required field is empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from lctasks.domain import ChecklistItem, Status, Unit
from lctasks.i18n import tui_t as t


def _tasks_line(keys: Sequence[str]) -> str:
    shown = "、".join(keys[:8])
    if len(keys) > 8:
        shown += f" …（{len(keys)}）"
    return t("dlg.for_tasks", keys=shown)


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # i18n key
    required: bool = False
    value: str = ""
    check: bool = False  # a checkbox: its value is "1" when ticked, "" when not


class FormDialog(ModalScreen[dict[str, str] | None]):
    """A titled form of one-line fields; Enter on the last field (or OK) submits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("dlg.cancel"), id="dialog.cancel"),
        # handled before the field sees the key, so fast typing lands in the next field
        Binding("enter", "next_or_submit", show=False, priority=True),
    ]

    def __init__(
        self,
        title: str,
        keys: Sequence[str],
        fields: Sequence[Field],
        *,
        validate: Callable[[dict[str, str]], str | tuple[str, str] | None] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.keys = list(keys)
        self.fields = list(fields)
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(_tasks_line(self.keys), classes="dialog-sub")
            for f in self.fields:
                if f.check:
                    yield Checkbox(t(f.label), bool(f.value), id=f"f-{f.name}", compact=True)
                    continue
                yield Label(t(f.label), classes="field-label")
                yield Input(value=f.value, id=f"f-{f.name}", compact=True)
            yield Label("", id="dialog-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dlg.ok"), variant="primary", id="ok", compact=True)
                yield Button(t("dlg.cancel"), id="cancel", compact=True)

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self.fields:
            if f.check:
                out[f.name] = "1" if self.query_one(f"#f-{f.name}", Checkbox).value else ""
            else:
                out[f.name] = self.query_one(f"#f-{f.name}", Input).value.strip()
        return out

    def submit(self) -> None:
        values = self.values()
        for f in self.fields:
            if f.required and not values[f.name]:
                self._error(t("dlg.required", field=t(f.label).split("（")[0]))
                self.query_one(f"#f-{f.name}", Input).focus()
                return
        if self.validate is not None:
            problem = self.validate(values)
            if problem:
                # refused in place: what was typed stays, the field to fix has the focus
                text, name = problem if isinstance(problem, tuple) else (problem, "")
                self._error(text)
                if name:
                    self.query_one(f"#f-{name}").focus()
                return
        self.dismiss(values)

    def _error(self, text: str) -> None:
        self.query_one("#dialog-error", Label).update(text)

    def action_next_or_submit(self) -> None:
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
            return
        inputs: list[Widget] = [*self.query(Input), *self.query(Checkbox)]
        inputs.sort(key=lambda w: [f"f-{f.name}" for f in self.fields].index(w.id or ""))
        if focused is inputs[-1] or focused not in inputs:
            self.submit()
        else:
            inputs[inputs.index(focused) + 1].focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def progress_dialog(keys: Sequence[str]) -> FormDialog:
    def check(values: dict[str, str]) -> str | None:
        pct = values.get("percent", "")
        if pct and (not pct.isdigit() or not 0 <= int(pct) <= 100):
            return t("dlg.bad_percent")
        return None

    return FormDialog(
        t("dlg.progress.title"),
        keys,
        [
            Field("made", "detail.made", required=True),
            Field("problems", "detail.problems"),
            Field("next_steps", "detail.next"),
            Field("percent", "dlg.progress.percent"),
        ],
        validate=check,
        id="progress-dialog",
    )


def close_dialog(keys: Sequence[str]) -> FormDialog:
    return FormDialog(
        t("dlg.close.title"),
        keys,
        [
            Field("note", "dlg.close.note", required=True),
            Field("evidence", "dlg.close.evidence", required=True),
        ],
        id="close-dialog",
    )


def return_dialog(keys: Sequence[str]) -> FormDialog:
    return FormDialog(
        t("dlg.return.title"),
        keys,
        [Field("reason", "dlg.return.reason", required=True)],
        id="return-dialog",
    )


def extend_dialog(
    keys: Sequence[str],
    *,
    today: dt.date,
    late: Sequence[str] = (),
    current: str = "",
) -> FormDialog:
    """延期. ``late``: the tasks already past their deadline (a supervisor's 补批).

    The date is read here, so a date that cannot be read is refused in place with
    everything typed kept; so is a late extension without the 补批 box ticked.
    """
    from lctasks.dates import parse_date
    from lctasks.domain import LctasksError

    def check(values: dict[str, str]) -> tuple[str, str] | None:
        try:
            day = parse_date(values["due"], today=today)
        except LctasksError as exc:
            return (exc.message + ("\n" + exc.hint if exc.hint else ""), "due")
        if day < today:
            return (t("dlg.extend.past", day=day.isoformat(), today=today.isoformat()), "due")
        if late and not values.get("late"):
            return (t("dlg.extend.need_late", keys="、".join(late[:5])), "late")
        return None

    fields = [
        Field("due", "dlg.extend.date", required=True, value=current),
        Field("reason", "dlg.extend.reason", required=True),
    ]
    if late:
        fields.append(Field("late", "dlg.extend.late", check=True))
    return FormDialog(t("dlg.extend.title"), keys, fields, validate=check, id="extend-dialog")


def note_dialog(keys: Sequence[str]) -> FormDialog:
    return FormDialog(
        t("dlg.note.title"),
        keys,
        [Field("text", "dlg.note.text", required=True)],
        id="note-dialog",
    )


class StatusDialog(ModalScreen[tuple[Status, str] | None]):
    """Pick a status (↑↓ Enter), with an optional reason."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("dlg.cancel"), id="dialog.cancel")
    ]

    def __init__(
        self,
        keys: Sequence[str],
        current: Status | None = None,
        allowed: Sequence[Status] | None = None,
    ) -> None:
        super().__init__(id="status-dialog")
        self.keys = list(keys)
        self.current = current
        # only the states the tasks may move to (a choice that is always refused is noise)
        default = [s for s in Status if s is not Status.CLOSED]
        self.allowed = default if allowed is None else list(allowed)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("dlg.status.title"), classes="dialog-title")
            yield Label(_tasks_line(self.keys), classes="dialog-sub")
            options = [Option(t(f"status.{s.value}"), id=s.value) for s in self.allowed]
            yield OptionList(*options, id="status-options", compact=True)
            yield Label(t("dlg.status.reason"), classes="field-label")
            yield Input(id="status-reason", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dlg.ok"), variant="primary", id="ok", compact=True)
                yield Button(t("dlg.cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        if self.current is not None and self.current in self.allowed:
            ol.highlighted = ol.get_option_index(self.current.value)
        else:
            ol.highlighted = 0
        ol.focus()

    def _result(self) -> tuple[Status, str] | None:
        ol = self.query_one(OptionList)
        if ol.highlighted is None:
            return None
        option = ol.get_option_at_index(ol.highlighted)
        assert option.id is not None
        return Status(option.id), self.query_one("#status-reason", Input).value.strip()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#status-reason", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(self._result())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Assignment:
    lead: str
    co_units: tuple[str, ...] = ()
    person: str | None = None
    reason: str = ""


class UnitPicker(ModalScreen[Assignment | None]):
    """Type any name, short name, pinyin or initials (kjj → 市科技局).

    ↑↓ move, Enter makes the highlighted unit the lead and confirms; Space (in
    the list) adds or removes a co-unit.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("dlg.cancel"), id="dialog.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("ctrl+t", "toggle_co", t("dlg.assign.co"), id="dialog.co"),
    ]

    def __init__(
        self,
        keys: Sequence[str],
        search: Callable[[str], list[Unit]],
        *,
        suggested: str = "",
        co_units: Sequence[str] = (),
        reassign: bool = False,
        title: str = "",
        pick_only: bool = False,
    ) -> None:
        super().__init__(id="unit-picker")
        self.reassign = reassign
        self.title_text = title or t("dlg.assign.title")
        self.pick_only = pick_only  # choose one unit (a filter): no co-units, no person
        self.keys = list(keys)
        self.search = search
        self.suggested = suggested
        self.co: list[str] = list(co_units)
        self.found: list[Unit] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if not self.pick_only:
                # the keys first: at 80×24 a hint at the bottom fell out of view
                yield Static(t("dlg.assign.help"), classes="dialog-sub")
            if self.keys:
                yield Label(_tasks_line(self.keys), classes="dialog-sub")
            yield Input(placeholder=t("dlg.assign.search"), id="unit-search", compact=True)
            yield OptionList(id="unit-options", compact=True)
            if self.pick_only:
                return
            yield Label("", id="unit-co", classes="dialog-sub")
            yield Label(t("dlg.assign.person"), classes="field-label")
            yield Input(id="unit-person", compact=True)
            if self.reassign:
                yield Label(t("dlg.assign.reason"), classes="field-label")
                yield Input(id="unit-reason", compact=True)

    def on_mount(self) -> None:
        if self.app.size.height < 30:  # a 24-line terminal: every field stays in view
            self.query_one("#unit-options", OptionList).styles.height = 5
            for label in self.query(".field-label"):
                label.styles.margin = (0, 0, 0, 0)
        self.query_one("#unit-search", Input).focus()
        self._show_co()
        self._search(self.suggested)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unit-search")
    def _search(self, text: str) -> None:
        # the directory is built once (pypinyin); searching is in memory
        found = self.search(text)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[Unit]) -> None:
        self.found = found
        ol = self.query_one("#unit-options", OptionList)
        ol.clear_options()
        for u in found:
            mark = "＋" if u.short in self.co else "  "
            label = f"{mark}{u.short}" + (f"（{u.name}）" if u.name != u.short else "")
            ol.add_option(Option(label, id=u.short))
        if found:
            ol.highlighted = 0

    def _show_co(self) -> None:
        if self.pick_only:
            return
        text = f"{t('detail.co')}：{'、'.join(self.co)}" if self.co else ""
        self.query_one("#unit-co", Label).update(text)

    @on(Input.Changed, "#unit-search")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def action_move(self, delta: int) -> None:
        ol = self.query_one("#unit-options", OptionList)
        if ol.option_count:
            cur = ol.highlighted or 0
            ol.highlighted = max(0, min(ol.option_count - 1, cur + delta))

    def _highlighted(self) -> str | None:
        ol = self.query_one("#unit-options", OptionList)
        if ol.highlighted is None or not ol.option_count:
            return None
        return ol.get_option_at_index(ol.highlighted).id

    def action_toggle_co(self) -> None:
        short = self._highlighted()
        if short is None or self.pick_only:
            return
        if short in self.co:
            self.co.remove(short)
        else:
            self.co.append(short)
        self._show_co()
        self._show(self.found)

    def on_key(self, event: object) -> None:
        from textual.events import Key

        if isinstance(event, Key) and event.key == "space" and isinstance(self.focused, OptionList):
            event.stop()
            self.action_toggle_co()

    @on(Input.Submitted, "#unit-search")
    @on(Input.Submitted, "#unit-person")
    @on(Input.Submitted, "#unit-reason")
    @on(OptionList.OptionSelected)
    def _pick(self, event: object) -> None:
        if hasattr(event, "stop"):
            event.stop()
        lead = self._highlighted()
        if lead is None:
            return
        if self.pick_only:
            self.dismiss(Assignment(lead))
            return
        person = self.query_one("#unit-person", Input).value.strip() or None
        co = tuple(c for c in self.co if c != lead)
        reason = ""
        if self.reassign:
            reason = self.query_one("#unit-reason", Input).value.strip()
        self.dismiss(Assignment(lead, co, person, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChecklistDialog(ModalScreen[dict[int, bool] | None]):
    """Tick or untick the separate commitments of one task."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("dlg.cancel"), id="dialog.cancel"),
        Binding("enter", "save", t("dlg.ok"), id="dialog.ok", priority=True),
    ]

    def __init__(self, key: str, items: Sequence[ChecklistItem]) -> None:
        super().__init__(id="check-dialog")
        self.key = key
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(t("dlg.check.title"), classes="dialog-title")
            yield Label(_tasks_line([self.key]), classes="dialog-sub")
            if not self.items:
                yield Label(t("dlg.check.empty"), classes="dialog-sub")
            yield SelectionList[int](
                *[Selection(f"{i.seq}. {i.text}", i.seq, i.done) for i in self.items],
                id="check-list",
                compact=True,
            )
            yield Static(t("dlg.check.help"), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_save(self) -> None:
        chosen = set(self.query_one(SelectionList).selected)
        changed = {i.seq: (i.seq in chosen) for i in self.items if (i.seq in chosen) != i.done}
        self.dismiss(changed)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """Ask before an action over many tasks (or an undo): Enter/y confirms, Esc/n cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", t("dlg.cancel"), id="dialog.cancel"),
        Binding("y", "answer(True)", t("dlg.ok"), id="dialog.ok"),
    ]

    def __init__(self, title: str, question: str, *, id: str = "confirm-dialog") -> None:
        super().__init__(id=id)
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.question, id="confirm-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dlg.yes"), variant="warning", id="ok", compact=True)
                yield Button(t("dlg.no"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # the safe answer is the default

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class JumpDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("dlg.cancel"), id="dialog.cancel")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog narrow"):
            yield Label(t("dlg.jump.title"), classes="dialog-title")
            yield Input(placeholder=t("dlg.jump.placeholder"), id="jump-input", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _go(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath, with what it does."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", t("dlg.cancel"), id="dialog.cancel")
    ]

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__(id="help-screen")
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        from rich.table import Table

        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, desc in self.rows:
            table.add_row(key, desc)
        with Vertical(classes="dialog wide"):
            yield Label(t("help.title"), classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Static(t("help.close"), classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
