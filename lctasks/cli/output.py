"""Human tables and their spreadsheet twin: one way to print rows.

``print_table`` lines columns up by display width (a Chinese character takes two
columns, ``lctasks.cli.table.width``), or with ``csv=True`` writes the same
headers and rows as CSV (UTF-8, no BOM: scripts read it as is) for the
office's spreadsheets. A colour is applied after padding, so escape
codes never count as width; ``NO_COLOR`` and a non-terminal stdout turn it off.
Machine output stays ``--json``.
"""

from __future__ import annotations

import csv as _csv
import io
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from lctasks.cli.table import clip, pad, width
from lctasks.textsafe import one_line, visible

Color = Callable[[int, int, str], str | None]  # (row, column, cell) → SGR code or None


_PAGING = [False]  # inside paged(): stdout is a buffer, but it goes to a terminal


def color_on() -> bool:
    return "NO_COLOR" not in os.environ and (_PAGING[0] or sys.stdout.isatty())


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    csv: bool = False,
    right: Sequence[bool] | None = None,
    limits: Sequence[int | None] | None = None,
    color: Color | None = None,
    indent: str = "",
) -> None:
    """Aligned columns (the last one free), or CSV with ``csv=True``."""
    from lctasks.cli.common import write_out

    # text from the data: control characters shown, one line per cell (lctasks.textsafe)
    cells = [[one_line(_cell(c)) for c in row] for row in rows]
    if csv:
        write_csv(headers, cells)
        return
    for line in table_lines(headers, cells, right=right, limits=limits, color=color):
        write_out(indent + line + "\n")


def table_lines(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[bool] | None = None,
    limits: Sequence[int | None] | None = None,
    color: Color | None = None,
    sep: str = "  ",
) -> list[str]:
    n = len(headers)
    right = right or [False] * n
    limits = limits or [None] * n
    cells = [
        [clip(c, lim) if lim else c for c, lim in zip(row, limits, strict=True)] for row in rows
    ]
    cols = [max([width(headers[i])] + [width(r[i]) for r in cells]) for i in range(n)]
    paint = color if color is not None and color_on() else None

    def line(r: int, values: Sequence[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            text = v if i == n - 1 and not right[i] else pad(v, cols[i], right=right[i])
            code = paint(r, i, v) if paint is not None and r >= 0 else None
            parts.append(f"\x1b[{code}m{text}\x1b[0m" if code else text)
        return sep.join(parts).rstrip()

    return [line(-1, list(headers)), *(line(r, row) for r, row in enumerate(cells))]


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from lctasks.cli.common import output_error

    writer = _csv.writer(sys.stdout, lineterminator="\n")
    try:
        writer.writerow(headers)
        writer.writerows([[visible(_cell(c)) for c in row] for row in rows])
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise output_error(exc) from exc


def _cell(value: object) -> str:
    if value is None:
        return ""
    return str(value)


@contextmanager
def paged() -> Iterator[None]:
    """Long human output through a pager on a terminal, as git does; never when piped.

    Output longer than the terminal goes to ``$LCTASKS_PAGER``, else ``$PAGER``, else
    ``less`` (with ``LESS=FRX``: quits at once when it fits, keeps colours). An empty
    ``LCTASKS_PAGER`` turns paging off.
    """
    choice = os.environ.get("LCTASKS_PAGER")
    if choice == "" or not sys.stdout.isatty() or not sys.stdin.isatty():
        yield
        return
    real, buf = sys.stdout, io.StringIO()
    sys.stdout = buf
    _PAGING[0] = True
    try:
        yield
    finally:
        sys.stdout = real
        _PAGING[0] = False
        _page(buf.getvalue(), real, choice or os.environ.get("PAGER") or "less")


def _page(text: str, real: object, pager: str) -> None:
    write = real.write  # type: ignore[attr-defined]
    if text.count("\n") < shutil.get_terminal_size().lines - 1:
        write(text)
        return
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    try:
        subprocess.run(shlex.split(pager), input=text, text=True, env=env, check=False)
    except (OSError, ValueError):
        write(text)  # no such pager: print as usual
