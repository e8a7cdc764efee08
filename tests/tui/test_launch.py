"""The way in: bare `lctasks` on a terminal opens the TUI (real process, a pty);
off a terminal it prints the plan overview; the command palette finds and runs
the screen's actions."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from lctasks import clock
from lctasks.db.engine import Database
from lctasks.tui.commands import TaskCommands
from lctasks.tui.screens import dialogs
from tests.tui.conftest import AS_OF
from tests.tui.pilot import make_app, settle

ROOT = Path(__file__).resolve().parents[2]
SIZE = (160, 45)


def _read_until(fd: int, want: bytes, timeout: float) -> bytes:
    seen = b""
    end = time.monotonic() + timeout
    while want not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


LOADED = "633 / 633 项任务".encode()  # the status bar once the task list is loaded


def _plain(screen: bytes) -> str:
    """The screen's text without terminal control sequences."""
    return re.sub(rb"\x1b\[[0-9;?<>=$]*[A-Za-z~]", b"", screen).decode("utf-8", "replace")


def _on_a_terminal(args: list[str]) -> tuple[int, bytes]:
    """Run the real entry point with a terminal on stdin, stdout and stderr; quit with q."""
    master, slave = pty.openpty()
    env = {**os.environ, "LCTASKS_LANG": "zh", "TERM": "xterm-256color", "COLUMNS": "120"}
    env["LINES"] = "40"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lctasks", *args],
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        screen = _read_until(master, LOADED, timeout=180)
        os.write(master, b"q")
        screen += _read_until(master, b"\x00never", timeout=3)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, screen


def test_bare_lctasks_on_a_terminal_opens_the_tui(plan_db: Database, db_path: Path) -> None:
    plan_db.dispose()
    code, screen = _on_a_terminal(["--db", str(db_path)])
    assert b"\x1b[?1049h" in screen  # the alternate screen: a full-screen app
    text = _plain(screen)
    assert "633 / 633 项任务" in text and "I01" in text
    assert f"截至 {clock.today().isoformat()}" in text  # the office's today
    assert code == 0


def test_lctasks_tui_as_of_on_a_terminal(plan_db: Database, db_path: Path) -> None:
    plan_db.dispose()
    code, screen = _on_a_terminal(["--db", str(db_path), "tui", "--as-of", "2021-06-30"])
    text = _plain(screen)
    assert "633 / 633 项任务" in text and "截至 2021-06-30" in text
    assert code == 0


def test_bare_lctasks_off_a_terminal_prints_the_overview(plan_db: Database, db_path: Path) -> None:
    plan_db.dispose()
    env = {**os.environ, "LCTASKS_LANG": "zh"}
    proc = subprocess.run(
        [sys.executable, "-m", "lctasks", "--db", str(db_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("聊城市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要")
    assert lines[1].startswith("任务 633 个：")
    assert lines[1].endswith(f"（截至 {clock.today().isoformat()}）")
    assert "\x1b[" not in proc.stdout  # plain text, no full-screen app


async def test_palette_search_finds_and_runs_an_action(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = TaskCommands(app.screen)
        discovered = [str(hit.text) async for hit in provider.discover()]
        assert "销号" in discovered and "分配" in discovered
        # by the Chinese label and by the action's English name
        by_label = [hit async for hit in provider.search("销号")]
        assert [str(h.text) for h in by_label][:1] == ["销号"]
        assert [hit async for hit in provider.search("zzzz")] == []
        await by_label[0].command()
        await settle(pilot)
        assert isinstance(app.screen, dialogs.FormDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, dialogs.FormDialog)


async def test_palette_opens_with_ctrl_p_and_runs_the_choice(
    plan_db: Database, db_path: Path
) -> None:
    from textual.command import CommandPalette

    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
