"""A virtual task list: draws only the rows on screen (Textual's Line API).

A DataTable holding 100,000 rows takes 15–20 s to first paint on this machine;
this widget keeps a reference to the filtered list and renders the visible
lines on demand, so 100,000 rows cost what 30 do. Wide (Chinese) characters are
measured in terminal cells (``rich.cells``) so columns line up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lctasks.i18n import tui_t as t
from lctasks.services.board import BoardRow
from lctasks.textsafe import one_line
from lctasks.textwidth import fit as fit_cells


def fit(text: str, width: int) -> str:
    """Crop or pad ``text`` to exactly ``width`` cells (… marks a crop); controls shown."""
    return fit_cells(one_line(text), width)


@dataclass(frozen=True)
class Column:
    key: str  # sort key (model.SORT_COLUMNS)
    label: str  # i18n key of the header
    width: int  # cells; 0 = takes the rest


COLUMNS: tuple[Column, ...] = (
    Column("key", "col.id", 9),
    Column("title", "col.title", 0),
    Column("lead", "col.lead", 14),
    Column("due", "col.due", 10),
    Column("status", "col.status", 8),
    Column("light", "col.light", 6),
    Column("progress", "col.progress", 5),
)
MARK_WIDTH = 2
MIN_TITLE = 10


def layout(width: int) -> list[tuple[Column, int]]:
    """Column widths for a given total width; narrow screens drop the right-most."""
    # at 80 columns every column stays: the deadline as 25-12-31, a narrower light
    narrow = {"lead": 10, "key": 8, "due": 8, "status": 6, "light": 4, "progress": 4}
    cols = (
        [Column(c.key, c.label, narrow.get(c.key, c.width)) for c in COLUMNS]
        if width < 90
        else list(COLUMNS)
    )
    avail = width - MARK_WIDTH
    while cols and sum(c.width + 1 for c in cols if c.width) + MIN_TITLE > avail:
        # drop the least important fixed column first
        for drop in ("progress", "status", "due", "lead"):
            victim = next((c for c in cols if c.key == drop), None)
            if victim is not None:
                cols.remove(victim)
                break
        else:
            break
    used = sum(c.width + 1 for c in cols if c.width)
    title_w = max(MIN_TITLE, avail - used)
    return [(c, c.width or title_w) for c in cols]


class TaskList(ScrollView, can_focus=True):
    """The filtered tasks, one line each, with a sticky header line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "task-list--header",
        "task-list--cursor",
        "task-list--marked",
        "task-list--red",
        "task-list--yellow",
        "task-list--green",
        "task-list--dim",
    }

    DEFAULT_CSS = """
    TaskList { background: $surface; overflow-x: hidden; }
    TaskList > .task-list--header { text-style: bold; background: $panel; }
    TaskList > .task-list--cursor { background: $accent 40%; }
    TaskList:focus > .task-list--cursor { background: $accent; color: $text; }
    TaskList > .task-list--marked { color: $warning; text-style: bold; }
    TaskList > .task-list--red { color: $error; }
    TaskList > .task-list--yellow { color: $warning; }
    TaskList > .task-list--green { color: $success; }
    TaskList > .task-list--dim { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", show=False),
        Binding("down,j", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Highlighted(Message):
        """The cursor moved onto a task."""

        task_list: TaskList
        key: str | None

    @dataclass
    class Chosen(Message):
        """Enter (or a double click) on a task."""

        task_list: TaskList
        key: str

    @dataclass
    class SortClicked(Message):
        """A header was clicked."""

        task_list: TaskList
        column: str

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.rows: Sequence[BoardRow] = ()
        self.marked: set[str] = set()
        self.sort_column = "key"
        self.sort_reverse = False
        self._last_key: str | None = None

    # -- data ------------------------------------------------------------------

    def set_rows(self, rows: Sequence[BoardRow], *, keep: str | None = None) -> None:
        """Show ``rows``; keep the cursor on ``keep`` (or the current task) if present."""
        want = keep if keep is not None else self.current_key
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        target = 0
        if want is not None:
            for i, r in enumerate(rows):
                if r.key == want:
                    target = i
                    break
        self.cursor = min(target, max(0, len(rows) - 1))
        self._announce()
        self.refresh()

    def _announce(self) -> None:
        """Say which task is under the cursor when that changed, even if the cursor's
        index did not (new rows under the same index: the detail pane must follow)."""
        key = self.current_key
        if key != self._last_key:
            self._last_key = key
            self.post_message(self.Highlighted(self, key))

    @property
    def current_key(self) -> str | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].key
        return None

    @property
    def current(self) -> BoardRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def move_to(self, key: str) -> bool:
        for i, r in enumerate(self.rows):
            if r.key == key:
                self.cursor = i
                return True
        return False

    def toggle_mark(self) -> None:
        key = self.current_key
        if key is None:
            return
        if key in self.marked:
            self.marked.discard(key)
        else:
            self.marked.add(key)
        self.refresh()

    # -- cursor ----------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, value: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        page = self._page_height()
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, delta: int) -> None:
        self.cursor += delta * self._page_height()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1

    def key_enter(self) -> None:
        key = self.current_key
        if key is not None:
            self.post_message(self.Chosen(self, key))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows) + 1)
        self._scroll_cursor_into_view()

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = MARK_WIDTH
            for col, w in layout(self.scrollable_content_region.width):  # same as drawn
                if x <= event.x < x + w + 1:
                    self.post_message(self.SortClicked(self, col.key))
                    return
                x += w + 1
            return
        row = round(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.rows):
            self.cursor = row
            if event.chain >= 2:
                self.key_enter()

    # -- drawing ---------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        cols = layout(width)
        if y == 0:
            return self._header(cols, width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        return self._row(self.rows[index], index == self.cursor, cols, width)

    def _header(self, cols: list[tuple[Column, int]], width: int) -> Strip:
        style = self.get_component_rich_style("task-list--header")
        parts = []
        for col, w in cols:
            label = t(col.label)
            if col.key == self.sort_column:
                label += "▼" if self.sort_reverse else "▲"
            parts.append(fit(label, w))
        text = " " * MARK_WIDTH + " ".join(parts)
        return Strip([Segment(fit(text, width), style)], width)

    def _row(
        self, row: BoardRow, is_cursor: bool, cols: list[tuple[Column, int]], width: int
    ) -> Strip:
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("task-list--cursor")
        marked = row.key in self.marked
        segs: list[Segment] = []
        mark_style = base + self.get_component_rich_style("task-list--marked") if marked else base
        segs.append(Segment(("● " if marked else "  "), mark_style))
        dim = self.get_component_rich_style("task-list--dim")
        for n, (col, w) in enumerate(cols):
            style = base
            if col.key == "key":
                value = row.key
            elif col.key == "title":
                value = row.title
            elif col.key == "lead":
                if row.lead:
                    value = row.lead
                elif row.suggested:
                    value = "→" + row.suggested
                    style = base + dim
                else:
                    value = "—"
                    style = base + dim
            elif col.key == "due":
                value = row.due.isoformat() if w >= 10 else row.due.strftime("%y-%m-%d")
            elif col.key == "status":
                value = t(f"short.{row.status}")
            elif col.key == "light":
                value = t(f"dot.{row.light}") if row.light else "—"
                if row.light and not is_cursor:
                    style = base + self.get_component_rich_style(f"task-list--{row.light}")
            else:
                value = f"{row.progress:>3}%" if w >= 5 else f"{row.progress}%"
            if marked and not is_cursor:
                style = style + Style(bold=True)
            segs.append(Segment(fit(value, w), style))
            if n < len(cols) - 1:
                segs.append(Segment(" ", base))
        used = MARK_WIDTH + sum(w + 1 for _c, w in cols) - 1
        if used < width:
            segs.append(Segment(" " * (width - used), base))
        return Strip(segs, width).crop(0, width)
