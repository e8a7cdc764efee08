"""The main screen: plan tree · task list · detail, a filter bar, and every action.

Database work happens only in thread workers (``@work(thread=True)``) that
call ``Backend`` and post one of the past-tense messages below; the handlers
update the widgets on the UI thread. Edits carry the version of each task the
user saw; a stale edit comes back as a ConflictError, is shown, and the fresh
state replaces what was on screen.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Select, Static
from textual.worker import get_current_worker

from lctasks.domain import ConflictError, LctasksError, PlanInfo, Status, Unit
from lctasks.i18n import tui_t as t
from lctasks.services.board import BoardRow, OutlineNode
from lctasks.services.query import TaskDetail
from lctasks.textsafe import visible
from lctasks.tui.actions import ACTIONS, main_bindings, pretty_key
from lctasks.tui.backend import Backend
from lctasks.tui.model import Filter, TaskStore
from lctasks.tui.widgets.detail import DetailPane
from lctasks.tui.widgets.plan_tree import PlanTree
from lctasks.tui.widgets.task_list import TaskList

FIRST_PAGE = 200  # rows painted before the whole list has arrived
PAINT_WAIT = 2.0  # seconds the loader waits for the first page to be painted
BULK_CONFIRM = 5  # an action over more tasks than this asks first
FILTER_DEBOUNCE = 0.1  # seconds after the last keystroke
DETAIL_DEBOUNCE = 0.08
LIGHTS = ("", "red", "yellow", "green")
VIEW_CHOICES = ("", "overdue", "due30", "unassigned", "mine")


def _task_commands() -> Any:
    from lctasks.tui.commands import TaskCommands

    return TaskCommands


@dataclass
class Outcome:
    """What an action did, for the notification and the rows to reload."""

    message: str
    keys: list[str]


class MainScreenCore(Screen[None]):
    """State, loading, live refresh, filtering, detail and the action worker; the
    keys' handlers are in ``MainScreen`` (lctasks.tui.screens.main)."""

    BINDINGS = main_bindings()
    # the palette's task actions belong to this screen (not the app: no import cycle);
    # the provider is imported when the palette first opens
    COMMANDS: ClassVar[set[Any]] = Screen.COMMANDS | {_task_commands}

    # -- messages (posted by workers) ------------------------------------------

    @dataclass
    class RowsLoaded(Message):
        plan: PlanInfo | None
        outline: list[OutlineNode]
        rows: list[BoardRow]
        head: int
        imported: int = 0
        partial: bool = False  # the first page only: the rest is on its way
        my_unit: str = ""
        painted: threading.Event | None = None  # set once these rows are on screen

    @dataclass
    class RowsChanged(Message):
        rows: list[BoardRow]
        removed: list[str]
        head: int
        external: bool = True

    @dataclass
    class DetailLoaded(Message):
        detail: TaskDetail

    @dataclass
    class ActionSucceeded(Message):
        outcome: Outcome

    @dataclass
    class ActionFailed(Message):
        error: LctasksError
        keys: list[str] = field(default_factory=list)
        seen: dict[str, int] = field(default_factory=dict)
        stale: dict[str, int] = field(default_factory=dict)  # changed since seen

    @dataclass
    class UnitsLoaded(Message):
        units: list[Unit]

    # -- set-up ----------------------------------------------------------------

    def __init__(
        self,
        backend: Backend,
        *,
        as_of: dt.date,
        poll_interval: float = 1.5,
        my_unit: str = "",
    ) -> None:
        super().__init__(id="main")
        self.backend = backend
        self.as_of = as_of
        self.poll_interval = poll_interval
        self.my_unit = my_unit  # --unit ('' = the acting person's unit on record)
        self.store: TaskStore | None = None
        self.head = 0
        self.plan_info: PlanInfo | None = None
        self.detail: TaskDetail | None = None
        self._filter_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._poll_timer: Timer | None = None
        self.loaded = False
        self.role = ""  # the acting person's role ('' = nobody on record, all trusted)

    def compose(self) -> ComposeResult:
        yield Static(t("status.loading"), id="topbar")
        with Horizontal(id="filters"):
            yield Input(placeholder=t("filter.placeholder"), id="filter-text", compact=True)
            yield Select[str]([], prompt=t("filter.unit"), id="filter-unit", compact=True)
            yield Select[str](
                [(t(f"light.{v}"), v) for v in LIGHTS if v],
                prompt=t("filter.light"),
                id="filter-light",
                compact=True,
            )
            yield Select[str](
                # the short labels: 已完成（待销号） wrapped in the narrow dropdown
                [(t(f"short.{s.value}"), s.value) for s in Status],
                prompt=t("filter.status"),
                id="filter-status",
                compact=True,
            )
            yield Select[str](
                [
                    (t(f"kind.{k}"), k)
                    for k in ("measure", "project", "indicator", "goal", "chapter")
                ],
                prompt=t("filter.kind"),
                id="filter-kind",
                compact=True,
            )
            yield Select[str](
                [(t(f"view.{v}"), v) for v in VIEW_CHOICES if v],
                prompt=t("filter.view"),
                id="filter-view",
                compact=True,
            )
        width = self.app.size.width
        self.set_class(width < 100, "narrow")  # before the first styling pass
        with Horizontal(id="body"):
            yield PlanTree(id="tree")
            with Vertical(id="work", classes="wide" if width >= 150 else ""):
                yield TaskList(id="tasks")
                yield DetailPane(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(TaskList).focus()
        self._apply_width(self.app.size.width)
        # paint the shell first: the loader's imports would compete for the GIL
        self.call_after_refresh(self.load)

    def on_resize(self) -> None:
        self._apply_width(self.app.size.width)

    def _apply_width(self, width: int) -> None:
        work_box = self.query_one("#work")
        if work_box.has_class("wide") != (width >= 150):
            work_box.set_class(width >= 150, "wide")
        if self.has_class("narrow") != (width < 100):
            self.set_class(width < 100, "narrow")

    # -- loading ---------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        backend = self.backend
        try:
            if self.store is None:
                # the first paint: read with sqlite3 before anything heavier is imported
                page = backend.first_page(self.as_of, FIRST_PAGE)
                if page is not None:
                    painted = threading.Event()
                    self.post_message(
                        self.RowsLoaded(
                            page.plan, page.outline, page.rows, page.head, 0, True, "", painted
                        )
                    )
                    # the imports below would compete with that paint for the GIL
                    painted.wait(PAINT_WAIT)
            head = backend.head()  # before the rows: a change in between is polled again
            plan, imported = backend.ensure_plan()
            if plan is None:
                self.post_message(self.RowsLoaded(None, [], [], head))
                return
            outline = backend.outline()
            mine = self.my_unit or backend.person_unit()
            self.role = backend.role()
            # a first page paints at once; 100,000 rows follow a second later
            first = [] if self.store is not None else backend.rows(self.as_of, limit=FIRST_PAGE)
            if len(first) == FIRST_PAGE:
                self.post_message(self.RowsLoaded(plan, outline, first, head, imported, True, mine))
            rows = first if 0 < len(first) < FIRST_PAGE else backend.rows(self.as_of)
        except LctasksError as exc:
            self.post_message(self.ActionFailed(exc))
            return
        self.post_message(self.RowsLoaded(plan, outline, rows, head, imported, False, mine))

    @on(RowsLoaded)
    def _rows_loaded(self, message: RowsLoaded) -> None:
        self.plan_info = message.plan
        self.head = message.head
        if message.plan is None:
            self.query_one("#topbar", Static).update(Text(t("status.empty"), style="bold"))
            self.loaded = True
            return
        tree = self.query_one(PlanTree)
        if self.store is None:
            tree.build(message.outline)
        store = TaskStore(as_of=self.as_of, my_unit=message.my_unit)
        store.part_chapters = tree.part_chapters()
        if self.store is not None:
            store.sort, store.reverse = self.store.sort, self.store.reverse
        store.load(message.rows)
        self.store = store
        self._refilter()
        if message.partial:
            self.query_one("#topbar", Static).update(Text(" " + t("status.loading"), style="bold"))
            if message.painted is not None:
                self.call_after_refresh(message.painted.set)
            return
        tree.set_counts(store.counts())
        # 100,000 rows are long-lived: keep the collector from walking them again
        gc.freeze()
        if message.imported:
            self.notify(t("notice.imported", n=message.imported), timeout=8)
        self.loaded = True
        self._start_polling()
        self.load_units()
        self.warm_pinyin()

    @work(thread=True, exclusive=True, exit_on_error=False, group="pinyin")
    def warm_pinyin(self) -> None:
        # the first pinyin keystroke then costs what any other does
        if self.store is not None:
            self.store.ensure_pinyin()

    @work(thread=True, exclusive=True, exit_on_error=False, group="units")
    def load_units(self) -> None:
        try:
            units = self.backend.units()
        except (LctasksError, ImportError):
            return
        self.post_message(self.UnitsLoaded(units))

    @on(UnitsLoaded)
    def _units_loaded(self, message: UnitsLoaded) -> None:
        used = set()
        if self.store is not None:
            for r in self.store.rows:
                if r.lead:
                    used.add(r.lead)
                used.update(r.co_units)
        shorts = [u.short for u in message.units]
        shorts += sorted(used - set(shorts))
        select = self.query_one("#filter-unit", Select)
        value = select.value
        select.set_options([(s, s) for s in shorts])
        if isinstance(value, str) and value in shorts:
            select.value = value

    # -- live refresh ----------------------------------------------------------

    def _start_polling(self) -> None:
        interval = self.poll_interval
        if interval > 0 and self._poll_timer is None:
            self._poll_timer = self.set_interval(interval, self.poll)

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def poll(self) -> None:
        """Ask for the newest event number; reload only the tasks that changed."""
        if self.store is None:
            return
        backend = self.backend
        try:
            head = backend.head()
            if head == self.head:
                return
            changes = backend.changed_since(self.head)
            if changes.everything:
                rows = backend.rows(self.as_of)
                live = {r.key for r in rows}
                removed = [r.key for r in self.store.rows if r.key not in live]
            else:
                rows = backend.rows_for(sorted(changes.keys), self.as_of)
                found = {r.key for r in rows}
                removed = [k for k in changes.keys if k not in found]
        except LctasksError:
            return
        self.post_message(self.RowsChanged(rows, removed, changes.head))

    @on(RowsChanged)
    def _rows_changed(self, message: RowsChanged) -> None:
        if self.store is None:
            return
        self.head = max(self.head, message.head)
        changed = self.store.update(message.rows, message.removed)
        if not changed:
            return
        self._refilter(keep_cursor=True)
        self.query_one(PlanTree).set_counts(self.store.counts())
        current = self.query_one(TaskList).current_key
        if current is not None and current in changed:
            self.load_detail(current)
        if message.external:
            self.refresh_bindings()

    def reload_keys(self, keys: Sequence[str]) -> None:
        """Reload some rows now (after our own edit), without waiting for the poll."""
        self._reload_keys(list(keys))

    @work(thread=True, exclusive=False, exit_on_error=False, group="reload")
    def _reload_keys(self, keys: list[str]) -> None:
        try:
            rows = self.backend.rows_for(keys, self.as_of)
        except LctasksError:
            return
        found = {r.key for r in rows}
        self.post_message(
            self.RowsChanged(rows, [k for k in keys if k not in found], self.head, False)
        )

    # -- filtering -------------------------------------------------------------

    def current_filter(self) -> Filter:
        def val(sel_id: str) -> str:
            v = self.query_one(sel_id, Select).value
            return v if isinstance(v, str) else ""

        tree_ref = getattr(self, "_tree_ref", ("plan", 0, 0))
        kind, a, b = tree_ref
        return Filter(
            text=self.query_one("#filter-text", Input).value,
            unit=val("#filter-unit"),
            light=val("#filter-light"),
            status=val("#filter-status"),
            kind=val("#filter-kind"),
            view=val("#filter-view"),
            part=a if kind == "part" else None,
            chapter=a if kind in ("chapter", "section") else None,
            section=b if kind == "section" else None,
        )

    def _refilter(self, *, keep_cursor: bool = True, keep: str | None = None) -> None:
        if self.store is None:
            return
        tl = self.query_one(TaskList)
        rows = self.store.apply(self.current_filter())
        tl.sort_column = self.store.sort
        tl.sort_reverse = self.store.reverse
        tl.set_rows(
            rows, keep=keep if keep is not None else (tl.current_key if keep_cursor else None)
        )
        self._update_topbar()

    def _update_topbar(self) -> None:
        if self.store is None or self.plan_info is None:
            return
        tl = self.query_one(TaskList)
        bar = Text(" ")
        bar.append(t("status.count", shown=len(tl.rows), total=len(self.store.rows)), style="bold")
        if tl.marked:
            bar.append("  " + t("status.marked", n=len(tl.marked)), style="bold yellow")
        bar.append("  " + t("status.asof", date=self.as_of.isoformat()))
        flt = self.current_filter()
        if flt.view == "mine" and not self.store.my_unit:
            bar.append("  " + t("status.no_unit"), style="bold yellow")
        elif flt.unit:
            bar.append("  " + t("status.unit_filter", unit=flt.unit), style="italic")
        bar.append(f"  {self.plan_info.title}", style="dim")
        self.query_one("#topbar", Static).update(bar)

    @on(Input.Changed, "#filter-text")
    def _text_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE, self._filter_due)

    def _filter_due(self) -> None:
        self._filter_timer = None
        self._refilter()

    def _detail_due(self, key: str) -> None:
        self._detail_timer = None
        self.load_detail(key)

    @property
    def debouncing(self) -> bool:
        """A keystroke's or a cursor move's work is still waiting for its debounce."""
        return self._filter_timer is not None or self._detail_timer is not None

    @on(Input.Submitted, "#filter-text")
    def _text_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        self._refilter()
        self.query_one(TaskList).focus()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        self._refilter()

    @on(PlanTree.Picked)
    def _tree_picked(self, message: PlanTree.Picked) -> None:
        self._tree_ref = message.ref
        self._refilter(keep_cursor=False)

    # -- detail ----------------------------------------------------------------

    @on(TaskList.Highlighted)
    def _highlighted(self, message: TaskList.Highlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        key = message.key
        if key is None:
            self.detail = None
            self.query_one(DetailPane).show(None)
            return
        self._detail_timer = self.set_timer(DETAIL_DEBOUNCE, lambda: self._detail_due(key))

    @on(TaskList.Chosen)
    def _chosen(self) -> None:
        self.query_one(DetailPane).focus()

    @on(TaskList.SortClicked)
    def _sort_clicked(self, message: TaskList.SortClicked) -> None:
        if self.store is None:
            return
        reverse = not self.store.reverse if self.store.sort == message.column else False
        self.store.set_sort(message.column, reverse)
        self._refilter()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load_detail(self, key: str) -> None:
        try:
            detail = self.backend.detail(key, self.as_of)
        except LctasksError as exc:
            self.post_message(self.ActionFailed(exc))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        if message.detail.task.id != self.query_one(TaskList).current_key:
            return
        self.detail = message.detail
        self.query_one(DetailPane).show(message.detail, accept_key=self._key_for("accept"))

    def _key_for(self, action_id: str) -> str:
        """The key bound to an action now (after a user keymap), from the active bindings."""
        spec = next(a for a in ACTIONS if a.id == action_id)
        keys = [
            key for key, active in self.active_bindings.items() if active.binding.id == action_id
        ]
        return ",".join(keys) if keys else spec.key

    # -- targets of an action --------------------------------------------------

    def targets(self) -> list[BoardRow]:
        """The marked tasks, or else the one under the cursor."""
        tl = self.query_one(TaskList)
        if self.store is None:
            return []
        if tl.marked:
            rows = [self.store.get(k) for k in sorted(tl.marked)]
            return [r for r in rows if r is not None]
        row = tl.current
        return [row] if row is not None else []

    def _need_targets(self) -> list[BoardRow] | None:
        rows = self.targets()
        if not rows:
            self.notify(t("err.no_task"), severity="warning")
            return None
        return rows

    def _run(
        self, rows: Sequence[BoardRow], call: Callable[[Any], Any], done: str, action: str = ""
    ) -> None:
        """Run ``call`` in a worker; over more than BULK_CONFIRM tasks, ask first."""
        keys = [r.key for r in rows]
        seen = {r.key: r.version for r in rows}
        if len(keys) <= BULK_CONFIRM:
            self.run_action_worker(keys, seen, call, done)
            return
        shown = "、".join(keys[:6]) + (" …" if len(keys) > 6 else "")
        question = t(
            "dlg.bulk.question",
            n=len(keys),
            action=t(action) if action else t(done, n=len(keys)),
            keys=shown,
            undo=pretty_key(self._key_for("undo")),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_action_worker(keys, seen, call, done)

        from lctasks.tui.screens import dialogs

        self.app.push_screen(dialogs.ConfirmDialog(t("dlg.bulk.title"), question), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="action")
    def run_action_worker(
        self, keys: list[str], seen: dict[str, int], call: Callable[[Any], Any], done: str
    ) -> None:
        backend = self.backend
        try:
            call(backend)
        except ConflictError as exc:
            # only a version that moved since the user looked is a stale edit: a
            # refused transition (closing a 未启动 task) is a conflict of another kind
            try:
                now = {r.key: r.version for r in backend.rows_for(keys, self.as_of)}
            except LctasksError:
                now = {}
            stale = {k: v for k, v in seen.items() if k in now and now[k] != v}
            self.post_message(self.ActionFailed(exc, keys, seen, stale))
            return
        except LctasksError as exc:
            self.post_message(self.ActionFailed(exc, keys, seen))
            return
        except ImportError as exc:
            err = LctasksError(t("err.no_service", what=str(exc.name or exc)))
            self.post_message(self.ActionFailed(err, keys, seen))
            return
        self.post_message(self.ActionSucceeded(Outcome(t(done, n=len(keys)), keys)))

    @on(ActionSucceeded)
    def _action_succeeded(self, message: ActionSucceeded) -> None:
        self.notify(visible(message.outcome.message))
        tl = self.query_one(TaskList)
        if len(message.outcome.keys) > 1:
            tl.marked.clear()
        self.reload_keys(message.outcome.keys)
        current = tl.current_key
        if current is not None:
            self.load_detail(current)
        self._update_topbar()

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        exc = message.error
        text = refusal_text(exc, len(message.keys))
        if message.stale:
            key = next(iter(message.stale))
            text = t("err.stale", task=key, seen=message.stale[key]) + "\n" + text
        self.notify(visible(text), severity="error", timeout=10)
        if message.keys:
            # show the fresh state of what the user tried to change
            self.reload_keys(message.keys)
            current = self.query_one(TaskList).current_key
            if current is not None:
                self.load_detail(current)


def refusal_text(exc: LctasksError, n_keys: int) -> str:
    """What a refused action says in the TUI: each task's reason, no command-line advice.

    A refused batch (services.batch) reads "1 个任务无法分配，本批次未做任何更改：" and
    "改正或去掉出错的 ID 后重试" — words for someone typing IDs. Here one task is
    "C06.M03：<reason>"; several keep the headline (how many, nothing changed).
    """
    outcome = getattr(exc, "results", None)
    failed = [r for r in outcome.results if r.result == "error"] if outcome else []
    if not failed:
        return exc.message + ("\n" + exc.hint if exc.hint else "")
    lines = [f"{r.id}{t('colon')}{r.message}" for r in failed]
    if n_keys > 1:
        lines.insert(0, exc.message.splitlines()[0])
    return "\n".join(lines)


def _loose(key: str) -> str:
    out = []
    num = ""
    for ch in key.upper():
        if ch.isdigit():
            num += ch
            continue
        if num:
            out.append(str(int(num)))
            num = ""
        out.append(ch)
    if num:
        out.append(str(int(num)))
    return "".join(out)
