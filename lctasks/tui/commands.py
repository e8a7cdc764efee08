"""Every action of the main screen in the command palette (Ctrl+P)."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from lctasks.i18n import tui_t as t
from lctasks.tui.actions import ACTIONS


class TaskCommands(Provider):
    """Assign, status, progress, close … — the same actions as the keys."""

    def _entries(self) -> list[tuple[str, str, str]]:
        return [(t(a.label), a.action, a.key) for a in ACTIONS if a.id != "unmark"]

    async def _run(self, action: str) -> None:
        # the provider belongs to the main screen (MainScreen.COMMANDS): run it there
        await self.screen.run_action(action)

    async def discover(self) -> Hits:
        for label, action, key in self._entries():
            yield Hit(1.0, label, partial(self._run, action), help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        typed = query.strip().lower().replace(" ", "")
        for label, action, key in self._entries():
            score = matcher.match(label)
            if score <= 0:
                score = matcher.match(action)
            if score <= 0 and typed.isascii() and typed:
                # pinyin or initials: xh / xiaohao → 销号, bjz → 报进展
                full, initials = _pinyin(label)
                if typed in initials or typed in full:
                    score = 0.9 if initials.startswith(typed) or full.startswith(typed) else 0.6
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._run, action), help=key)


def _pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a label, lower case, no spaces (cached per label)."""
    cached = _PINYIN.get(text)
    if cached is None:
        from pypinyin import Style, lazy_pinyin

        full = "".join(lazy_pinyin(text)).lower()
        initials = "".join(p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
        cached = _PINYIN[text] = (full, initials)
    return cached


_PINYIN: dict[str, tuple[str, str]] = {}
