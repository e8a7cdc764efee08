"""Running the Typer app in-process for CLI tests, as ``lctasks --db DB ARGS``.

The database they usually run on is the fixture ``bundled_plan_db`` (tests/conftest.py):
a fresh copy of the bundled plan for each test.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]  # the repository: cwd of real processes


def invoke(
    db: str, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``lctasks --db DB ARGS`` through Typer's CliRunner;
    ``input`` is stdin, ``env`` is set on top of this process's environment."""
    from typer.testing import CliRunner

    from lctasks.cli.app import app

    res = CliRunner().invoke(app, ["--db", db, *args], input=input, env=env)
    return res.exit_code, res.stdout, res.stderr


def invoke_json(db: str, *args: str, input: str | None = None) -> tuple[int, dict[str, Any], str]:
    """``invoke`` with ``--json`` last: (exit code, the parsed stdout ({} when empty), stderr)."""
    code, stdout, stderr = invoke(db, *args, "--json", input=input)
    return code, json.loads(stdout) if stdout.strip() else {}, stderr


def lctasks_process(
    db: str | Path | None,
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m lctasks --db DB ARGS`` as a real process (the start-up fast path
    included), run from the repository; its output captured as text. ``db`` None: no
    ``--db`` (a script's LCTASKS_DB in ``env``); ``env`` is set on top of this process's."""
    return subprocess.run(
        [sys.executable, "-m", "lctasks", *(["--db", str(db)] if db is not None else []), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, **env} if env is not None else None,
        timeout=120,
    )


def event_count(db: str) -> int:
    """How many events the SQLite file ``db`` holds."""
    con = sqlite3.connect(db)
    try:
        return int(con.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        con.close()
