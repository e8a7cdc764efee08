"""The Textual application: one backend, the main screen, the dashboard.

Start it with ``lctasks`` (no command) or ``lctasks tui``. The shell paints at
once; the first page of rows is read with ``sqlite3`` in a worker and painted,
and only then is the database opened through the services (SQLAlchemy) and the
rest loaded. The screens get the backend, the date and the poll interval when
they are made (they never reach back to the app).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from lctasks import clock
from lctasks.i18n import tui_t as t
from lctasks.tui import strings as _strings  # registers the TUI's messages

if TYPE_CHECKING:
    from lctasks.tui.backend import Backend

del _strings


class LctasksApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "lctasks"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", t("act.quit"), id="app.quit", show=True),
        Binding("ctrl+q", "quit", t("act.quit"), show=False, priority=True),
        # our own palette binding: the footer then says 命令, not Textual's "palette"
        Binding("ctrl+p", "command_palette", t("act.palette"), show=False, priority=True),
    ]

    def action_command_palette(self) -> None:
        """The command palette, with a Chinese placeholder (it matches pinyin too)."""
        from textual.command import CommandPalette

        if self.use_command_palette and not any(
            isinstance(s, CommandPalette) for s in self.screen_stack
        ):
            self.push_screen(
                CommandPalette(placeholder=t("palette.placeholder"), id="--command-palette")
            )

    def __init__(
        self,
        *,
        backend: Backend | None = None,
        backend_factory: Callable[[], Backend] | None = None,
        as_of: dt.date | None = None,
        poll_interval: float = 1.5,
        keymap: dict[str, str] | None = None,
        my_unit: str = "",
    ) -> None:
        super().__init__()
        self._backend = backend
        self._factory = backend_factory
        self.as_of = as_of or clock.today()
        self.poll_interval = poll_interval
        self._user_keymap = dict(keymap or {})
        self._my_unit = my_unit
        self.title = t("app.title")

    def on_mount(self) -> None:
        # the screens import textual's widgets: after the app itself has started
        from lctasks.tui.screens.main import MainScreen

        if self._user_keymap:
            self.set_keymap(self._user_keymap)
        if self._backend is None:
            assert self._factory is not None
            self._backend = self._factory()  # opens nothing yet (Backend.open)
        self.push_screen(
            MainScreen(
                self._backend,
                as_of=self.as_of,
                poll_interval=self.poll_interval,
                my_unit=self._my_unit,
            )
        )

    def on_unmount(self) -> None:
        if self._backend is not None:
            self._backend.close()
