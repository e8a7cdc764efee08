"""The Textual application: one backend, the main screen, the dashboard.

Start it with ``lctasks`` (no command) or ``lctasks tui``. The shell paints at
once; the database is opened and the rows are loaded in a worker.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from lctasks import clock
from lctasks.domain import Unit
from lctasks.i18n import tui_t as t
from lctasks.tui import strings as _strings  # registers the TUI's messages
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
        self._backend_lock = threading.Lock()
        self.as_of = as_of or clock.today()
        self.poll_interval = poll_interval
        self._user_keymap = dict(keymap or {})
        self._my_unit = my_unit
        self.title = t("app.title")

    @property
    def my_unit(self) -> str:
        if self._my_unit:
            return self._my_unit
        return self._backend.my_unit if self._backend is not None else ""

    def ensure_backend(self) -> Backend:
        """Open the database on first use (called from workers: never blocks the UI)."""
        with self._backend_lock:
            if self._backend is None:
                assert self._factory is not None
                self._backend = self._factory()
            return self._backend

    def search_units(self, text: str) -> list[Unit]:
        return self.ensure_backend().search_units(text)

    def on_mount(self) -> None:
        from lctasks.tui.screens.main import MainScreen

        if self._user_keymap:
            self.set_keymap(self._user_keymap)
        self.push_screen(MainScreen())

    @property
    def main_screen(self) -> Any:
        from lctasks.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("main screen not mounted")

    def on_unmount(self) -> None:
        if self._backend is not None:
            self._backend.close()
