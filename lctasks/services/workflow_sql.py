"""The SQL of the workflow steps, over a ``Runner`` (sqlite3 or a session).

The extra writes a step's ``Change`` carries (``Change.after``), run in the
batch's one transaction: checklist ticks set, a progress report inserted (a
task's co-units are rewritten by ``batch.replace_co``, shared with undo). And one
read: the close (or carry-over) on record for closed tasks, which ``close``
compares with a new note or evidence. The steps' rules are in
``services.workflow``.
"""

from __future__ import annotations

from collections.abc import Callable

from lctasks import clock
from lctasks.db.sql import Runner, db_datetime
from lctasks.services.chain import utcnow


def set_items(task_id: int, seqs: list[int], done: bool) -> Callable[[Runner], None]:
    def write(runner: Runner) -> None:
        runner.run_many(
            "UPDATE checklist_items SET done = :d WHERE task_id = :t AND seq = :s",
            [{"d": done, "t": task_id, "s": s} for s in seqs],
        )

    return write


def insert_report(
    task_id: int,
    actor: str,
    period: str,
    made: str,
    problems: str,
    next_steps: str,
    percent: int | None,
) -> Callable[[Runner], None]:
    def write(runner: Runner) -> None:
        runner.run(
            "INSERT INTO progress_reports (task_id, at, actor, period, made, problems, "
            "next_steps, percent) VALUES (:t, :at, :a, :p, :m, :pr, :n, :pc)",
            {
                "t": task_id,
                "at": db_datetime(runner, utcnow()),
                "a": actor,
                "p": period,
                "m": made,
                "pr": problems,
                "n": next_steps,
                "pc": percent,
            },
        )

    return write


def closures_of(runner: Runner, ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
    """Closed tasks' latest close or carry: (action, office day, note, evidence or where to)."""
    import json

    from lctasks.db.sql import as_datetime, in_clause

    found: dict[int, tuple[str, str, str, str]] = {}
    for start in range(0, len(ids), 500):
        clause, params = in_clause("i", ids[start : start + 500])
        for task_id, action, at, reason, changes in runner.all(
            "SELECT t.id, e.action, e.at, e.reason, e.changes FROM tasks t"
            " JOIN plans p ON p.id = t.plan_id"
            " JOIN events e ON e.plan_code = p.code AND e.task_key = t.key"
            f" WHERE t.id IN {clause} AND e.action IN ('close', 'carry') ORDER BY e.seq",
            params,
        ):
            doc = json.loads(changes) if isinstance(changes, str) else dict(changes or {})
            name = "evidence" if action == "close" else "carried_to"
            value = doc.get(name)
            value = value[-1] if isinstance(value, list) else value
            stamp = as_datetime(at)
            day = clock.office_date(stamp).isoformat() if stamp is not None else ""
            found[int(task_id)] = (str(action), day, str(reason or ""), str(value or ""))
    return found
