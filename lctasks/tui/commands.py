"""Every action of the main screen in the command palette (Ctrl+P)."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from lctasks.i18n import t


class TaskCommands(Provider):
    """Assign, status, progress, close … — the same actions as the keys."""

    def _entries(self) -> list[tuple[str, str, str]]:
        from lctasks.tui.screens.main import ACTIONS, MainScreen

        try:
            screen = self.app.main_screen  # type: ignore[attr-defined]
        except (AttributeError, LookupError):
            return []
        if not isinstance(screen, MainScreen):
            return []
        return [(t(a.label), a.action, a.key) for a in ACTIONS if a.id != "unmark"]

    async def _run(self, action: str) -> None:
        screen = self.app.main_screen  # type: ignore[attr-defined]
        await screen.run_action(action)

    async def discover(self) -> Hits:
        for label, action, key in self._entries():
            yield Hit(1.0, label, partial(self._run, action), help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, action, key in self._entries():
            score = matcher.match(label)
            if score <= 0:
                score = matcher.match(action)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._run, action), help=key)
