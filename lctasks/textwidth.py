"""How many terminal columns a text takes: the one width rule for CLI tables, the
TUI's task list and dashboard, and workbook column widths.

A wide (W) or full-width (F) character takes two columns (``unicodedata.
east_asian_width``, as wcwidth does), a combining mark or zero-width joiner none,
anything else one. Standard library only, so the CLI's tables need no UI library
and the TUI and the CLI cannot disagree about where a Chinese title is cut.
"""

from __future__ import annotations

import functools
import unicodedata

_ZERO_WIDTH = frozenset("\u200b\u200d\ufe0f")


@functools.lru_cache(maxsize=8192)
def char_width(ch: str) -> int:
    """Columns one character takes: 0, 1 or 2."""
    if ch in _ZERO_WIDTH or unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns ``text`` takes (one line, controls already made visible)."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def _take(text: str, limit: int) -> tuple[str, int]:
    """The longest start of ``text`` within ``limit`` columns, and its width."""
    used = 0
    for i, ch in enumerate(text):
        w = char_width(ch)
        if used + w > limit:
            return text[:i], used
        used += w
    return text, used


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` columns, with … when cut."""
    if width(text) <= limit:
        return text
    head, _used = _take(text, limit - 1)
    return head + "…"


def fit(text: str, cols: int) -> str:
    """``text`` cropped (… marks a crop) or padded with spaces to exactly ``cols`` columns."""
    if cols <= 0:
        return ""
    if width(text) > cols:
        head, used = _take(text, cols - 1)
        return head + " " * (cols - 1 - used) + "…"
    return pad(text, cols)


def pad(text: str, cols: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``cols`` columns (left-aligned, or ``right``)."""
    gap = " " * max(cols - width(text), 0)
    return gap + text if right else text + gap
