"""Plain-text tables that line up with Chinese text (no rich needed).

Columns are counted by ``lctasks.textwidth`` (the one width rule, shared with the
TUI): a wide (W) or full-width (F) character takes two, combining marks none.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from lctasks.textsafe import one_line
from lctasks.textwidth import char_width as char_width
from lctasks.textwidth import clip as clip
from lctasks.textwidth import pad as pad
from lctasks.textwidth import width as width


def render(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    limits: Sequence[int | None] | None = None,
    right: Sequence[bool] | None = None,
    sep: str = "  ",
) -> list[str]:
    """Lines of an aligned table; ``limits`` caps a column's width (clipped with …)."""
    return list(render_lines(headers, rows, limits=limits, right=right, sep=sep))


def render_lines(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    limits: Sequence[int | None] | None = None,
    right: Sequence[bool] | None = None,
    sep: str = "  ",
) -> Iterator[str]:
    """``render``'s lines one at a time: only the clipped cells are held (100,000 rows of
    ``list``), not the rows they came from (an iterable is read once) nor the lines."""
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

    yield line(headers)
    for r in cells:
        yield line(r)
