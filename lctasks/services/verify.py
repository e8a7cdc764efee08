"""`log --verify`: one pass over the history, four checks, a typed result
(``lctasks.services.verify_result``).

1. **chain** — every event's hash is recomputed from its content and the
   previous hash; the first event that is missing, out of place or changed is
   named (catches an edited, deleted or swapped event).
2. **keyed** — with the office's key (``lctasks.services.keys``), every keyed
   event's HMAC is checked: a history edited and re-hashed by someone without
   the key fails at the first event they touched. Without the key this check is
   reported as skipped, never as passed.
3. **anchors** — history points recorded outside the database (anchor files,
   snapshots, packs, workbooks) must still be in the chain with the same hash:
   a deleted tail, an older backup restored over a newer database, or a
   history re-hashed even *with* the key fails, naming the first such anchor.
4. **replay** — the events are replayed per task: every event's "old" value
   must be what the previous events left (a row changed between two events
   without one), and at the end each task's status, progress, deadline, lead
   and co-units, person, leader and checklist ticks must be what the history
   says (a row changed after the last event). A task or checklist item the
   history never made, or one it made that is gone, is named too.

Speed: the events are read once, as plain tuples in batches of seq ranges (no
ORM objects), and the task rows in three set-based queries; 1,000,000 events
and 100,000 tasks take well under a minute (``benchmarks/bench_verify.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from lctasks.db.models import (
    ChecklistRow,
    CoUnitRow,
    EventRow,
    PlanRow,
    TaskRow,
    UnitRow,
)
from lctasks.services.chain import GENESIS, KEY_ACTION, Anchor, stored_digest
from lctasks.services.keys import Keyring
from lctasks.services.verify_result import Check, Finding, Keyed, Problem, VerifyResult

_UNKNOWN: Any = object()  # a value the history has not stated (tasks from before replay)

# what a task is when lctasks creates it (import); ``due`` comes from the plan text
_START: dict[str, Any] = {
    "status": "not_started",
    "progress": 0,
    "lead": None,
    "co_units": [],
    "person": None,
    "leader": None,
    "removed": False,
    "original_due": None,
}
# fields compared with the row at the end (items separately)
_COMPARED = (
    "status",
    "progress",
    "due",
    "due_basis",
    "original_due",
    "lead",
    "co_units",
    "person",
    "leader",
    "removed",
)
_TRACKED = frozenset(_COMPARED)
# events that make a task (besides a first import's "tasks" list)
CREATING = frozenset({"added", "carry_in"})


class _State:
    __slots__ = ("created", "fields", "items", "n_items", "since")

    def __init__(self) -> None:
        self.created = False  # an import or "added" event made it
        self.fields: dict[str, Any] = dict(_START)
        self.since: dict[str, int] = {}  # field -> seq of the event that set it
        self.items: dict[int, bool] = {}  # checklist ticks the history set
        self.n_items: int | None = None  # item count, once the history states it


# ``at`` and ``changes`` as stored (SQLite: text), parsed here only as far as needed
EVENT_COLUMNS = (
    EventRow.seq,
    type_coerce(EventRow.at, Text),
    EventRow.actor,
    EventRow.source,
    EventRow.action,
    EventRow.plan_code,
    EventRow.task_key,
    type_coerce(EventRow.changes, Text),
    EventRow.reason,
    EventRow.prev_hash,
    EventRow.hash,
    EventRow.mac,
)


def iter_event_tuples(session: Session, batch: int = 20_000) -> Iterator[Sequence[Any]]:
    """Every event as a plain tuple (``EVENT_COLUMNS`` order), oldest first."""
    last = 0
    conn = session.connection()  # Core: no ORM row processing for a million rows
    while True:
        rows = conn.execute(
            select(*EVENT_COLUMNS).where(EventRow.seq > last).order_by(EventRow.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _norm(value: Any) -> Any:
    """A value as events record it (dates ISO, tuples lists)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


class Verifier:
    """One pass over the events; ``finish`` compares the replay with the rows."""

    def __init__(
        self,
        *,
        anchors: Iterable[Anchor] = (),
        replay: bool = True,
        keyring: Keyring | None = None,
    ) -> None:
        self.findings: list[Finding] = []
        self.ring = keyring if keyring else None
        self.keyed_seen = False  # some event so far carries a mac
        self.keyed_broken = False
        self.unchecked_macs = 0  # macs of keys not in the ring
        self.current_kid: str | None = None  # the key the history says signs now
        self.rotated_away: set[str] = set()  # keys a rotation replaced (may be dropped)
        self.unknown_kids: dict[str, int] = {}  # key id -> first seq, keys not in the ring
        self.replay = replay
        self.states: dict[tuple[str | None, str], _State] = {}
        self.baselined: set[str | None] = set()  # plans whose import recorded every task
        self.count = 0
        self.prev = GENESIS
        self.expected_seq = 1
        self.chain_broken = False
        self.head_seq = 0
        self.head_hash = ""
        self.anchors = list(anchors)
        self._anchor_seqs = {a.seq for a in self.anchors}
        self._hash_at: dict[int, str] = {}

    # -- per event --------------------------------------------------------------

    def feed(self, row: Sequence[Any]) -> None:
        seq, at, actor, source, action, plan, task, raw, reason, prev_hash, digest, mac = row
        changes = changes_json(raw)
        self.count += 1
        if mac:
            self._keyed(seq, action, changes, digest, mac)
        elif self.keyed_seen and not self.keyed_broken:
            # keyed once, keyed always: a mac removed with the edit is caught without the key
            self._keyed_finding(Problem.UNKEYED, seq)
        self.head_seq, self.head_hash = seq, digest
        if seq in self._anchor_seqs:
            self._hash_at[seq] = digest
        if not self.chain_broken:
            problem = None
            if seq != self.expected_seq:
                problem, bad = Problem.MISSING, self.expected_seq
            elif prev_hash != self.prev:
                problem, bad = Problem.LINK, seq
            elif (
                stored_digest(
                    seq, at, actor, source, action, plan, task, changes, reason or "", prev_hash
                )
                != digest
            ):
                problem, bad = Problem.CONTENT, seq
            if problem is not None:
                self.chain_broken = True
                self.findings.append(Finding(Check.CHAIN, problem, seq=bad))
        self.prev = digest
        self.expected_seq = seq + 1
        if self.replay and changes:
            if task:
                st = self._apply(seq, plan, task, changes)
                if action in CREATING:
                    st.created = True
            elif action == "import":
                renamed = changes.get("units_renamed")
                if isinstance(renamed, list) and len(renamed) == 2:
                    self._rename_units(renamed[1] or [])
                start = changes.get("tasks")
                if isinstance(start, list) and len(start) == 2 and isinstance(start[1], dict):
                    self._baseline(seq, plan, start[1])

    def _keyed_finding(self, problem: Problem, seq: int) -> None:
        if not self.keyed_broken:
            self.keyed_broken = True
            self.findings.append(Finding(Check.KEYED, problem, seq=seq))

    def _keyed(self, seq: int, action: str, changes: dict[str, Any], digest: str, mac: str) -> None:
        kid = mac.partition(":")[0]
        if action == KEY_ACTION:  # a rotation names the key that signs from here on
            pair = changes.get("key")
            if isinstance(pair, list) and len(pair) == 2:
                if pair[0]:
                    self.rotated_away.add(str(pair[0]))
                self.current_kid = str(pair[1])
        if self.current_kid is None:
            self.current_kid = kid  # the first keyed event: its key is the history's
        elif kid != self.current_kid:
            # a key the history never switched to (re-signed with another key)
            self._keyed_finding(Problem.KEY_ID, seq)
        self.keyed_seen = True
        good = self.ring.check(digest, mac) if self.ring is not None else None
        if good is None:
            self.unchecked_macs += 1
            if self.ring is not None:
                self.unknown_kids.setdefault(kid, seq)
        elif not good:
            self._keyed_finding(Problem.MAC, seq)

    def _state(self, plan: str | None, task: str) -> _State:
        st = self.states.get((plan, task))
        if st is None:
            st = self.states[(plan, task)] = _State()
        return st

    def _rename_units(self, pairs: list[Any]) -> None:
        """A unit's short name changed (import): what the history says follows it."""
        names = {str(p[0]): str(p[1]) for p in pairs if isinstance(p, list) and len(p) == 2}
        for st in self.states.values():
            f = st.fields
            if f.get("lead") in names:
                f["lead"] = names[f["lead"]]
            co = f.get("co_units")
            if isinstance(co, list) and any(c in names for c in co):
                f["co_units"] = [names.get(c, c) for c in co]

    def _baseline(self, seq: int, plan: str | None, tasks: dict[str, Any]) -> None:
        """A first import: every task it made, with its deadline and item count."""
        self.baselined.add(plan)
        for key, start in tasks.items():
            st = self._state(plan, key)
            st.created = True
            if isinstance(start, list) and len(start) == 3:
                due, basis, n = start
                st.fields["due"], st.fields["due_basis"], st.n_items = due, basis, int(n)
                st.since["due"] = st.since["due_basis"] = st.since["checklist"] = seq

    def _between(
        self, seq: int, plan: str | None, task: str, name: str, expected: Any, found: Any
    ) -> None:
        """An event whose "old" value is not what the earlier events left."""
        self.findings.append(
            Finding(
                Check.REPLAY,
                Problem.BETWEEN,
                seq=seq,
                plan=plan,
                task=task,
                field=name,
                expected=expected,
                found=found,
            )
        )

    def _apply(self, seq: int, plan: str | None, task: str, changes: dict[str, Any]) -> _State:
        st = self._state(plan, task)
        fields = st.fields
        for name, pair in changes.items():
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            old, new = pair
            if name in _TRACKED:
                have = fields.get(name, _UNKNOWN)
                if have is not _UNKNOWN and have != old:
                    self._between(seq, plan, task, name, have, old)
                fields[name] = new
                st.since[name] = seq
            elif name.startswith("item") and name[4:].isdigit():
                i = int(name[4:])
                have_tick = st.items.get(i, False)
                if have_tick != bool(old):
                    self._between(seq, plan, task, name, have_tick, bool(old))
                st.items[i] = bool(new)
                st.since[name] = seq
            elif name == "checklist" and isinstance(new, list):
                # re-import rewrote the checklist: ticks follow the text (as import does)
                st.items = _reconcile(st.items, old if isinstance(old, list) else [], new)
                st.n_items = len(new)
                st.since["checklist"] = seq
        return st

    # -- at the end ---------------------------------------------------------------

    def keyed(self) -> Keyed:
        if not self.keyed_seen:
            return Keyed.UNKEYED
        return Keyed.SKIPPED if self.unchecked_macs else Keyed.CHECKED

    def finish(self, session: Session | None) -> VerifyResult:
        # with a key file, only keys the history rotated away from may be missing from it
        for kid, seq in self.unknown_kids.items():
            if kid not in self.rotated_away:
                self._keyed_finding(Problem.KEY_ID, seq)
                break
        keyed = self.keyed()
        anchors_checked = self._check_anchors()
        tasks = 0
        if self.replay and session is not None:
            tasks = self._compare_rows(session)
        return VerifyResult(
            events=self.count,
            head_seq=self.head_seq,
            head_hash=self.head_hash,
            keyed=keyed,
            anchors=anchors_checked,
            tasks=tasks,
            findings=tuple(self.findings),
            replayed=self.replay,
        )

    def _check_anchors(self) -> int:
        bad: list[Finding] = []
        for a in self.anchors:
            have = self._hash_at.get(a.seq)
            if have is None:
                bad.append(
                    Finding(
                        Check.ANCHOR,
                        Problem.BEYOND_HEAD,
                        seq=a.seq,
                        expected=a.hash,
                        found=self.head_seq,
                        anchor=a,
                    )
                )
            elif not have.startswith(a.hash):
                bad.append(
                    Finding(
                        Check.ANCHOR,
                        Problem.REWRITTEN,
                        seq=a.seq,
                        expected=a.hash,
                        found=have,
                        anchor=a,
                    )
                )
        # the first anchor that no longer holds is the lowest seq among them
        bad.sort(key=lambda f: f.seq or 0)
        self.findings.extend(bad)
        return len(self.anchors)

    def _compare_rows(self, s: Session) -> int:
        co: dict[int, list[str]] = {}
        for tid, short in s.execute(
            select(CoUnitRow.task_id, UnitRow.short)
            .join(UnitRow, UnitRow.id == CoUnitRow.unit_id)
            .order_by(CoUnitRow.task_id, CoUnitRow.position, CoUnitRow.unit_id)
        ):
            co.setdefault(tid, []).append(short)
        items: dict[int, dict[int, bool]] = {}
        for tid, n, done in s.execute(
            select(ChecklistRow.task_id, ChecklistRow.seq, ChecklistRow.done)
        ):
            items.setdefault(tid, {})[n] = bool(done)
        rows = s.execute(
            select(
                TaskRow.id,
                PlanRow.code,
                TaskRow.key,
                TaskRow.status,
                TaskRow.progress,
                TaskRow.due,
                TaskRow.due_basis,
                TaskRow.original_due,
                UnitRow.short,
                TaskRow.person,
                TaskRow.leader,
                TaskRow.removed,
            )
            .join(PlanRow, PlanRow.id == TaskRow.plan_id)
            .outerjoin(UnitRow, UnitRow.id == TaskRow.lead_unit_id)
            .order_by(PlanRow.code, TaskRow.key)
        ).all()
        seen: set[tuple[str | None, str]] = set()
        fresh = _State()
        out: list[Finding] = []
        for r in rows:
            tid, plan, key = r[0], r[1], r[2]
            seen.add((plan, key))
            st = self.states.get((plan, key), fresh)
            if not st.created and plan in self.baselined:
                out.append(Finding(Check.REPLAY, Problem.NO_EVENT, plan=plan, task=key))
            found_row = {
                "status": r[3],
                "progress": r[4],
                "due": _norm(r[5]),
                "due_basis": r[6],
                "original_due": _norm(r[7]),
                "lead": r[8],
                "co_units": co.get(tid, []),
                "person": r[9],
                "leader": r[10],
                "removed": bool(r[11]),
            }
            for name in _COMPARED:
                want = st.fields.get(name, _UNKNOWN)
                if want is _UNKNOWN:
                    continue
                got = found_row[name]
                if want != got:
                    out.append(
                        Finding(
                            Check.REPLAY,
                            Problem.DIFFERS,
                            seq=st.since.get(name),
                            plan=plan,
                            task=key,
                            field=name,
                            expected=want,
                            found=got,
                        )
                    )
            ticks = items.get(tid, {})
            if st.n_items is not None and st.n_items != len(ticks):
                out.append(
                    Finding(
                        Check.REPLAY,
                        Problem.NO_EVENT if len(ticks) > st.n_items else Problem.GONE,
                        seq=st.since.get("checklist"),
                        plan=plan,
                        task=key,
                        field="checklist",
                        expected=st.n_items,
                        found=len(ticks),
                    )
                )
            for n in sorted(set(ticks) | set(st.items)):
                want_tick = st.items.get(n, False)
                if n not in ticks:
                    out.append(
                        Finding(
                            Check.REPLAY,
                            Problem.GONE,
                            seq=st.since.get(f"item{n}"),
                            plan=plan,
                            task=key,
                            field=f"item{n}",
                            expected=want_tick,
                            found=None,
                        )
                    )
                elif ticks[n] != want_tick:
                    out.append(
                        Finding(
                            Check.REPLAY,
                            Problem.DIFFERS,
                            seq=st.since.get(f"item{n}"),
                            plan=plan,
                            task=key,
                            field=f"item{n}",
                            expected=want_tick,
                            found=ticks[n],
                        )
                    )
        for (plan_code, key), st in self.states.items():
            if (plan_code, key) not in seen and st.since:
                out.append(
                    Finding(
                        Check.REPLAY,
                        Problem.GONE,
                        seq=max(st.since.values()),
                        plan=plan_code,
                        task=key,
                    )
                )
        self.findings.extend(out)
        return len(rows)


def _reconcile(ticks: dict[int, bool], old: list[Any], new: list[Any]) -> dict[int, bool]:
    """The ticks a re-import carries over (``ledger.reconcile_checklist``'s rule)."""
    from lctasks.domain import ChecklistDraft
    from lctasks.plan.rekey import reconcile_checklist

    old_items = [(str(text), ticks.get(i, False)) for i, text in enumerate(old, start=1)]
    drafts = [ChecklistDraft(text=str(text)) for text in new]
    carried, _ = reconcile_checklist(old_items, drafts)
    return {i: True for i, done in enumerate(carried, start=1) if done}


def verify_history(
    session: Session,
    *,
    anchors: Iterable[Anchor] = (),
    replay: bool = True,
    keyring: Keyring | None = None,
) -> VerifyResult:
    """Chain, keyed chain (with ``keyring``), anchors and replay over ``session``."""
    v = Verifier(anchors=anchors, replay=replay, keyring=keyring)
    for row in iter_event_tuples(session):
        v.feed(row)
    return v.finish(session)


def changes_json(value: Any) -> dict[str, Any]:
    """``changes`` as stored: its text (SQLite) or a dict (PostgreSQL's driver)."""
    if isinstance(value, str):
        if value == "{}":
            return {}
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return dict(value or {})
