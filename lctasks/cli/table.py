"""Plain-text tables that line up with Chinese text (no rich needed).

A wide (W) or full-width (F) character takes two terminal columns
(``unicodedata.east_asian_width``), combining marks none. Standard library only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from lctasks.textsafe import one_line


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` columns, with … when cut."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, cols: int, *, right: bool = False) -> str:
    gap = " " * max(cols - width(text), 0)
    return gap + text if right else text + gap


def render(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    limits: Sequence[int | None] | None = None,
    right: Sequence[bool] | None = None,
    sep: str = "  ",
) -> list[str]:
    """Lines of an aligned table; ``limits`` caps a column's width (clipped with …)."""
    n = len(headers)
    limits = limits or [None] * n
    right = right or [False] * n
    cells = [
        [
            clip(one_line(str(c)), lim) if lim else one_line(str(c))
            for c, lim in zip(row, limits, strict=True)
        ]
        for row in rows
    ]
    cols = [max([width(headers[i])] + [width(r[i]) for r in cells]) for i in range(n)]

    def line(values: Sequence[str]) -> str:
        parts = [pad(v, cols[i], right=right[i]) for i, v in enumerate(values)]
        return sep.join(parts).rstrip()

    return [line(headers), *(line(r) for r in cells)]
