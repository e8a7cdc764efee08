"""Helpers to drive the app as a person would, and wait for its workers (no sleeps)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from lctasks.tui.app import LctasksApp
from lctasks.tui.backend import Backend


def make_app(db_path: Path, *, as_of: dt.date, actor: str = "督查员", **kw: Any) -> LctasksApp:
    def factory() -> Backend:
        return Backend.open(str(db_path), actor=actor)

    return LctasksApp(backend_factory=factory, as_of=as_of, poll_interval=0, **kw)


async def settle(pilot: Pilot[Any], rounds: int = 6) -> None:
    """Let workers finish and their messages be handled: at least ``rounds`` rounds,
    then on until two rounds in a row found nothing running or waiting (a load ends
    in a message that starts the detail's debounce, whose timer starts a worker …:
    a fixed number of rounds fell short now and then in CI)."""
    from textual.worker import WorkerState

    done, quiet = 0, 0
    while (done < rounds or quiet < 2) and done < 60:
        done += 1
        busy = False
        # a debounce timer runs in wall time: on a loaded machine its work may not
        # have started yet, so wait for it rather than for a number of rounds
        while any(getattr(s, "debouncing", False) for s in pilot.app.screen_stack):
            busy = True
            await pilot.pause(0.02)
        if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
            busy = True
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        quiet = 0 if busy else quiet + 1


async def wait_until(pilot: Pilot[Any], done: Any, *, seconds: float = 30.0) -> None:
    """Settle, then go on until ``done()`` holds (for what follows a chain of
    messages and timers, e.g. the detail of the task under the cursor), at most
    ``seconds`` of wall time; the caller's assert then says what was missing."""
    import time

    await settle(pilot)
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        await settle(pilot, rounds=1)
        await pilot.pause(0.05)
