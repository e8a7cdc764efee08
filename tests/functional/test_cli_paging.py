"""Long human output goes through a pager on a terminal (as git does), never when piped;
tables print as CSV for spreadsheets. Run as a user meets them: a real process on a
pseudo-terminal, with a pager that records what it was given."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def db(bundled_plan_db: str) -> str:
    """A fresh copy of the bundled plan (tests/conftest.py)."""
    return bundled_plan_db


def run(db: str, *args: str, tty: bool, pager_log: Path, no_color: bool = False) -> tuple[str, str]:
    """(stdout, what the pager was given) of ``lctasks --db DB ARGS``."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PAGER")}
    env |= {"LINES": "24", "COLUMNS": "100", "LCTASKS_PAGER": f"tee {pager_log}"}
    if no_color:
        env["NO_COLOR"] = "1"
    argv = [sys.executable, "-c", "from lctasks.cli.entry import main; main()", "--db", db, *args]
    if not tty:
        res = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr
        shown = res.stdout
    else:
        primary, secondary = os.openpty()
        proc = subprocess.Popen(argv, stdin=secondary, stdout=secondary, stderr=secondary, env=env)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0
        os.close(primary)
        shown = b"".join(chunks).decode("utf-8", "replace")
    paged = pager_log.read_text(encoding="utf-8") if pager_log.exists() else ""
    return shown, paged


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("list",), "C10.M03"),
        (("plan",), "第10章"),
        (("report", "--overdue", "0"), "C10.M03"),
        (("units",), "市科技局"),
        (("evaluate",), "I20"),
    ],
)
def test_long_output_is_paged_on_a_terminal_and_never_when_piped(
    db: str, tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    _, paged = run(db, *args, tty=True, pager_log=tmp_path / "paged.txt")
    assert paged.count("\n") > 24 and line in paged
    shown, paged = run(db, *args, tty=False, pager_log=tmp_path / "piped.txt")
    assert paged == "" and line in shown and "\x1b[" not in shown


def test_report_keeps_its_colours_in_the_pager_unless_no_color(db: str, tmp_path: Path) -> None:
    _, paged = run(db, "report", "--overdue", "0", tty=True, pager_log=tmp_path / "a.txt")
    assert "\x1b[31m" in paged  # red counts, as without the pager
    args = ("report", "--overdue", "0")
    _, paged = run(db, *args, tty=True, pager_log=tmp_path / "b.txt", no_color=True)
    assert "C10.M03" in paged and "\x1b[" not in paged


def test_list_prints_csv_for_a_spreadsheet(db: str, tmp_path: Path) -> None:
    shown, _ = run(db, "list", "--chapter", "10", "--csv", tty=False, pager_log=tmp_path / "x")
    rows = list(csv.reader(io.StringIO(shown)))
    assert rows[0] == ["编号", "类型", "章", "标题", "牵头单位", "截止", "状态", "灯"]
    assert len(rows) > 10 and {r[2] for r in rows[1:]} == {"10"}
    assert all(len(r) == 8 for r in rows)
    assert "C10.M03" in {r[0] for r in rows}


@pytest.mark.parametrize(
    ("args", "header", "row"),
    [
        (("units",), ["简称", "全称", "类别", "核实", "别名"], "市科技局"),
        (("evaluate", "--year", "2023"), ["编号", "指标/目标", "单位", "基期", "目标"], "I01"),
    ],
)
def test_units_and_the_evaluation_print_csv(
    db: str, tmp_path: Path, args: tuple[str, ...], header: list[str], row: str
) -> None:
    shown, _ = run(db, *args, "--csv", tty=False, pager_log=tmp_path / "x")
    rows = list(csv.reader(io.StringIO(shown)))
    assert rows[0][: len(header)] == header
    assert row in {r[0] for r in rows[1:]}
    assert len({len(r) for r in rows}) == 1
