"""Issue 10 on the command line: each fix run as a person or a script meets it."""

from __future__ import annotations

import os
import pty
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lctasks.db.engine import open_database
from lctasks.domain import Actor
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.db"
    db = open_database(str(path))
    try:
        LedgerService(ServiceContext(db, Actor("导入员"))).import_plan()
    finally:
        db.dispose()
    return path


@pytest.fixture
def db(plan_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "lctasks.db"
    shutil.copy(plan_template, path)
    return str(path)


def _wait_blocked_in_read(pid: int) -> None:
    """Until the process sits in read(2) (a Ctrl-C lands there; one that arrives between
    the prompt and the read would wait for the read to return, as in any Python program)."""
    syscall = Path(f"/proc/{pid}/syscall")
    if not syscall.exists():
        pytest.skip("needs /proc/PID/syscall (Linux)")
    while True:
        try:
            fields = syscall.read_text().split()
        except OSError:
            pytest.skip("cannot read /proc/PID/syscall")
        if fields and fields[0] == "0":  # x86-64 / arm64 differ: 0 is read on x86-64
            return
        if fields and fields[0] == "running":
            continue
        if os.uname().machine != "x86_64":
            pytest.skip("read(2) syscall number differs on this machine")


def _interrupt_while_reading(args: list[str]) -> tuple[int, str, str]:
    """Run the real entry point with a terminal on stdin; Ctrl-C once it says it waits."""
    master, slave = pty.openpty()
    env = {**os.environ, "LCTASKS_LANG": "zh"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lctasks", *args],
        cwd=ROOT,
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    try:
        assert proc.stderr is not None and proc.stdout is not None
        first = proc.stderr.readline().decode()  # blocks until the prompt is written
        os.write(master, b"C06.M01\n")  # half an ID list typed…
        _wait_blocked_in_read(proc.pid)
        proc.send_signal(signal.SIGINT)  # …then Ctrl-C, as a person presses it: mid-read
        stdout, rest = proc.communicate(timeout=60)
    finally:
        os.close(master)
    return proc.returncode, stdout.decode(), first + rest.decode()


def test_ctrl_c_while_reading_ids_exits_130_with_one_line(db: str) -> None:
    code, stdout, stderr = _interrupt_while_reading(
        ["--db", db, "assign", "--from", "-", "--lead", "kjj"]
    )
    assert code == 130
    assert stdout == ""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines == [
        "正在等待任务 ID（每行一个）：输入完按 Ctrl-D 结束，Ctrl-C 取消",
        "已中断（Ctrl-C）：未完成的更改没有写入",
    ]
    task = LedgerService(ServiceContext(open_database(db))).get_task("C06.M01")
    assert task.lead_unit is None  # nothing written


def test_ctrl_c_on_the_typer_path_too(db: str) -> None:
    code, stdout, stderr = _interrupt_while_reading(["--db", db, "apply", "-"])
    assert code == 130 and stdout == ""
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert stderr.strip().splitlines()[-1] == "已中断（Ctrl-C）：未完成的更改没有写入"
