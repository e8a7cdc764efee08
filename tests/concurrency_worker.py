"""Worker processes for tests/functional/test_concurrency.py (importable under spawn)."""

from __future__ import annotations

import contextlib
import io
from typing import Any


def cli_worker(url: str, name: str, commands: list[list[str]], barrier: Any, out: Any) -> None:
    """Run lctasks commands one after another, each as a fresh call, like a script.

    The CLI's own entry: the stdlib fast path on SQLite, the full path elsewhere.
    """
    from lctasks.cli.fast import run

    # on PostgreSQL the actor is the database login; --as would claim another name
    who = ["--as", name] if url.startswith("sqlite") else []
    barrier.wait()
    results = []
    for argv in commands:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = run(["--db", url, *who, *argv])
        results.append((argv, code, err.getvalue()))
    out.put((name, results))


def service_worker(url: str, name: str, commands: list[list[str]], barrier: Any, out: Any) -> None:
    """The same commands through the SQLAlchemy path (as the TUI calls the services)."""
    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, LctasksError, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.workflow import WorkflowService

    db = open_database(url)
    wf = WorkflowService(ServiceContext(db, Actor(name, Source.TUI)))
    barrier.wait()
    results = []
    for argv in commands:
        verb, key = argv[0], argv[1]
        try:
            if verb == "assign":
                wf.assign([key], lead=argv[3])
            elif verb == "status":
                wf.set_status([key], argv[2])
            elif verb == "close":
                wf.close([key], note=argv[3], evidence=argv[5])
            elif verb == "note":
                wf.note([key], argv[2])
            else:
                raise AssertionError(verb)
            results.append((argv, 0, ""))
        except LctasksError as exc:
            results.append((argv, exc.exit_code, exc.message))
        except Exception as exc:  # surfaced to the test: "database is locked" etc.
            results.append((argv, 1, repr(exc)))
    db.dispose()
    out.put((name, results))


def if_version_worker(url: str, name: str, version: int, barrier: Any, out: Any) -> None:
    from lctasks.cli.fast import run

    barrier.wait()
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        who = ["--as", name] if url.startswith("sqlite") else []
        code = run(["--db", url, *who, "note", "C10.M01", "意见", "--if-version", str(version)])
    out.put((name, [(["note"], code, err.getvalue())]))
