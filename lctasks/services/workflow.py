"""The 督查 workflow steps: assign, report, tick, close, return, reopen, extend, note.


Which statuses each action may start from and lead to is ONE table,
``lctasks.domain.TRANSITIONS`` (drawn out there and in the README).

Progress: a report with ``percent`` sets it; ticking or unticking checklist
items sets it to the ticked share (rounded), and a report without ``percent``
on a task with a checklist raises it to the ticked share (never lowers it: the
percentage on record stays). Closing sets 100.

Extensions (延期) keep the first deadline in ``original_due`` and mark the
deadline ``extended``. They are requested before the deadline: a late request
is refused (ConflictError) unless ``late=True`` (CLI ``--late``, for the
supervision office granting one after the fact; the event records it).

Every step runs on the batch engine (``lctasks.services.batch``): one write
transaction per call, all keys or none, ``unchanged`` for a state that holds,
``if_version`` and ``dry_run``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Unpack

from lctasks import clock
from lctasks.db.sql import Runner
from lctasks.domain import (
    SETTABLE,
    SETTABLE_ORDER,
    TRANSITIONS,
    ConflictError,
    InvalidInputError,
    LctasksError,
    Source,
    Status,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.keys import KEY_SHAPE, normalize_keys, read_id_lines
from lctasks.services.batch import (
    BatchEngine,
    BatchOptions,
    BatchResult,
    Change,
    KeyResult,
    LiteContext,
    Problem,
    TaskState,
    check_from,
    co_of,
    load_checklist,
    load_co,
    replace_co,
    resolve_unit,
)
from lctasks.services.workflow_sql import closures_of, insert_report, set_items

__all__ = [
    "BatchResult",
    "KeyResult",
    "LiteContext",
    "WorkflowService",
    "normalize_keys",
    "read_id_lines",
]

S = Status

MESSAGES.add(
    {
        "wf.required": ("缺少{what}", "missing {what}"),
        "wf.note": ("办结说明（--note）", "a completion note (--note)"),
        "wf.evidence": ("佐证材料（--evidence）", "an evidence reference (--evidence)"),
        "wf.reason": ("原因（--reason）", "a reason (--reason)"),
        "wf.closed_other": (
            "已于 {day} 销号（办结说明：{note}；佐证材料：{evidence}），本次的说明和材料未记录；"
            "补充材料请加备注，改正销号请先重新打开",
            "closed on {day} (note: {note}; evidence: {evidence}); this note and evidence were "
            "not recorded — add material as a note, or reopen the task to close it again",
        ),
        "wf.closed_carried": (
            "已结转至 {to}，不再销号；在接续任务上办理",
            "carried over to {to}: not closed again; work on the continuing task",
        ),
        "wf.made": ("进展情况（--made）", "the progress made (--made)"),
        "wf.text": ("备注内容", "the note text"),
        "wf.items": ("清单项序号", "checklist item numbers"),
        "wf.nothing_to_assign": (
            "没有要分配的内容：给出 --lead、--co、--due、--person 或 --leader",
            "nothing to assign: give --lead, --co, --due, --person or --leader",
        ),
        "wf.reassign_reason": (
            "转办（牵头单位由 {old} 改为 {new}）需要写明原因（--reason）",
            "reassigning (lead {old} → {new}) needs a reason (--reason)",
        ),
        "wf.no_suggestion": ("没有建议的牵头单位", "no suggested lead unit"),
        "wf.suggestion_conflict": (
            "已由 {old} 牵头，与建议 {new} 不同；用 assign --lead 并写明原因",
            "already led by {old}, not the suggested {new}; use assign --lead with --reason",
        ),
        "wf.accepted": ("接受规则建议：{rules}", "accepted the rule suggestion: {rules}"),
        "wf.closed_use": (
            "“已销号”只能用 close 设置，“退回重办”只能用 return 设置",
            "'closed' is set only by close, 'returned' only by return",
        ),
        "wf.unknown_status": ("未知状态“{value}”", "unknown status '{value}'"),
        "wf.status_hint": ("可用的状态：{allowed}", "statuses: {allowed}"),
        "wf.status_item": ("{code}（{label}）", "{code} ({label})"),
        "wf.status_order": (
            "“{value}”像是任务 ID：状态写在所有 ID 之后"
            "（lctasks status ID... STATUS），或用 --to STATUS",
            "'{value}' looks like a task ID: the status goes after all the IDs "
            "(lctasks status ID... STATUS), or use --to STATUS",
        ),
        "wf.percent": ("进度须为 0–100 的整数", "percent must be an integer 0-100"),
        "wf.item_range": (
            "没有第 {seq} 项（共 {n} 项）",
            "no item {seq} (the task has {n} items)",
        ),
        "wf.no_items": ("该任务没有清单项", "the task has no checklist items"),
        "wf.extend_earlier": (
            "新期限 {to} 不晚于当前期限 {due}",
            "the new deadline {to} is not later than the current {due}",
        ),
        "wf.extend_late": (
            "期限 {due} 已过；延期须在期限前申请（督查室补批请加 --late）",
            "the deadline {due} has passed; extensions are requested before it "
            "(the office may grant a late one with --late)",
        ),
        "wf.unknown_unit": ("未知单位“{text}”", "unknown unit '{text}'"),
    }
)


class WorkflowService(BatchEngine):
    """Every workflow step, for the CLI and the TUI alike (see ``BatchEngine``)."""

    def assign(
        self,
        keys: Iterable[str],
        *,
        lead: str | None = None,
        co: Sequence[str] | None = None,
        due: dt.date | None = None,
        person: str | None = None,
        leader: str | None = None,
        reason: str = "",
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """Set lead unit, co-units (replacing the list), deadline, person, leader.

        Changing an existing lead unit is a reassignment (转办) and needs a reason.
        Units may be typed as full name, short name, pinyin or initials.
        """
        if lead is None and co is None and due is None and person is None and leader is None:
            raise InvalidInputError(t("wf.nothing_to_assign"))
        resolved: dict[str, tuple[int, str]] = {}

        def prepare(runner: Runner, tasks: list[TaskState]) -> None:
            texts = ([lead] if lead else []) + list(co or [])
            for text in texts:
                if text not in resolved:
                    resolved[text] = resolve_unit(runner, text)
            if co is not None:
                load_co(runner, tasks)

        def step(runner: Runner, task: TaskState) -> Change:
            check_from("assign", task)
            ch = Change(reason=reason)
            names = self._unit_names(runner, [task.lead_unit_id])
            old_lead = names.get(task.lead_unit_id) if task.lead_unit_id else None
            new_lead_id = task.lead_unit_id
            if lead:
                new_lead_id, new_short = resolved[lead]
                if new_lead_id != task.lead_unit_id:
                    if task.lead_unit_id is not None and not reason.strip():
                        raise Problem(
                            InvalidInputError,
                            t("wf.reassign_reason", old=old_lead, new=new_short),
                        )
                    ch.changes["lead"] = [old_lead, new_short]
                    ch.set["lead_unit_id"] = new_lead_id
                    if task.lead_unit_id is not None:
                        ch.action = "reassign"
            if co is not None:
                new_co: list[tuple[int, str]] = []
                for text in co:
                    uid, short = resolved[text]
                    if uid != new_lead_id and all(uid != u for u, _ in new_co):
                        new_co.append((uid, short))
                old_names = [s for _, s in task.co]
                new_names = [s for _, s in new_co]
                if old_names != new_names:
                    ch.changes["co_units"] = [old_names, new_names]
                    ch.after.append(replace_co(task.id, [u for u, _ in new_co]))
            elif (
                lead
                and new_lead_id is not None
                and any(u == new_lead_id for u, _ in co_of(runner, task))
            ):
                # the new lead is no longer a co-unit of its own task
                rest = [(u, s) for u, s in task.co if u != new_lead_id]
                ch.changes["co_units"] = [[s for _, s in task.co], [s for _, s in rest]]
                ch.after.append(replace_co(task.id, [u for u, _ in rest]))
            if due is not None and due != task.due:
                ch.field("due", task.due, due, "due")
                ch.field("due_basis", task.due_basis, "manual", "due_basis")
            if person is not None:
                ch.field("person", task.person, person or None, "person")
            if leader is not None:
                ch.field("leader", task.leader, leader or None, "leader")
            return ch

        return self._batch(
            "assign",
            keys,
            step,
            **opts,
            prepare=prepare,
        )

    def accept_suggestion(
        self,
        keys: Iterable[str],
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """Make the rule-suggested lead and co-units the assignment (source: rule)."""
        resolved: dict[str, tuple[int, str]] = {}

        def prepare(runner: Runner, tasks: list[TaskState]) -> None:
            load_co(runner, tasks)
            for task in tasks:
                for text in [task.suggested_lead or "", *task.suggested_co]:
                    if text and text not in resolved:
                        try:
                            resolved[text] = resolve_unit(runner, text)
                        except LctasksError:
                            continue  # reported per task below

        def step(runner: Runner, task: TaskState) -> Change:
            check_from("assign", task)
            if not task.suggested_lead:
                raise Problem(InvalidInputError, t("wf.no_suggestion"))
            lead_hit = resolved.get(task.suggested_lead)
            if lead_hit is None:
                raise Problem(InvalidInputError, t("wf.unknown_unit", text=task.suggested_lead))
            names = self._unit_names(runner, [task.lead_unit_id])
            old_lead = names.get(task.lead_unit_id) if task.lead_unit_id else None
            if task.lead_unit_id is not None and task.lead_unit_id != lead_hit[0]:
                raise Problem(
                    ConflictError, t("wf.suggestion_conflict", old=old_lead, new=lead_hit[1])
                )
            rules = ", ".join(task.suggested_rules) or "-"
            ch = Change(reason=t("wf.accepted", rules=rules), source=Source.RULE)
            ch.field("lead", old_lead, lead_hit[1])
            if task.lead_unit_id != lead_hit[0]:
                ch.set["lead_unit_id"] = lead_hit[0]
            new_co = [
                resolved[c]
                for c in dict.fromkeys(task.suggested_co)
                if c in resolved and resolved[c][0] != lead_hit[0]
            ]
            old_names = [s for _, s in task.co]
            if old_names != [s for _, s in new_co]:
                ch.changes["co_units"] = [old_names, [s for _, s in new_co]]
                ch.after.append(replace_co(task.id, [u for u, _ in new_co]))
            if ch.changes:
                ch.changes["rules"] = [None, list(task.suggested_rules)]
            return ch

        return self._batch(
            "accept",
            keys,
            step,
            **opts,
            prepare=prepare,
        )

    def set_status(
        self,
        keys: Iterable[str],
        status: Status | str,
        *,
        reason: str = "",
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """Move tasks between the working states (not closed/returned: see the table)."""
        target = _status(status)
        if target not in SETTABLE:
            raise InvalidInputError(
                t("wf.closed_use"),
                hint="lctasks close ID --note … --evidence … / lctasks return ID --reason …",
            )

        def step(runner: Runner, task: TaskState) -> Change | None:
            if task.status == target:
                return None
            check_from("status", task)
            ch = Change(reason=reason)
            ch.field("status", task.status.value, target.value, "status")
            return ch

        return self._batch("status", keys, step, **opts, to=target)

    def report_progress(
        self,
        keys: Iterable[str],
        *,
        made: str,
        problems: str = "",
        next_steps: str = "",
        percent: int | None = None,
        period: str = "",
        today: dt.date | None = None,
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """Record a progress report (进展情况 / 存在问题 / 下一步措施)."""
        if not made.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.made")))
        if percent is not None and not 0 <= percent <= 100:
            raise InvalidInputError(t("wf.percent"))
        from lctasks.lights import parse_period, report_period

        if period.strip():
            period = parse_period(period)
        else:  # the current period of the office's cadence (monthly by default)
            period = report_period(today or clock.today(), self._cadence()).label

        def prepare(runner: Runner, tasks: list[TaskState]) -> None:
            if percent is None:
                load_checklist(runner, tasks)

        def step(runner: Runner, task: TaskState) -> Change:
            check_from("progress", task)
            ch = Change(reason=made.strip())
            if task.status in (S.NOT_STARTED, S.RETURNED):
                ch.field("status", task.status.value, S.IN_PROGRESS.value, "status")
            new = percent if percent is not None else _ticked_share(task)
            # without a figure a report never lowers the progress on record (a unit's 50 %
            # from its workbook is not wiped by a later report of a task with no ticks)
            if new is not None and (percent is not None or new > task.progress):
                ch.field("progress", task.progress, new, "progress")
            ch.changes["report"] = [
                None,
                {
                    "period": period,
                    "made": made.strip(),
                    "problems": problems.strip(),
                    "next_steps": next_steps.strip(),
                    "percent": percent,
                },
            ]
            ch.after.append(
                insert_report(
                    task.id,
                    self.actor.name,
                    period,
                    made.strip(),
                    problems.strip(),
                    next_steps.strip(),
                    percent,
                )
            )
            return ch

        return self._batch(
            "progress",
            keys,
            step,
            **opts,
            prepare=prepare,
        )

    def check(
        self,
        key: str,
        items: Sequence[int],
        *,
        done: bool = True,
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """Tick (``done=True``) or untick checklist items by their 1-based number."""
        if not items:
            raise InvalidInputError(t("wf.required", what=t("wf.items")))

        def prepare(runner: Runner, tasks: list[TaskState]) -> None:
            load_checklist(runner, tasks)

        def step(runner: Runner, task: TaskState) -> Change:
            check_from("check", task)
            have = dict(task.checklist)
            if not have:
                raise Problem(InvalidInputError, t("wf.no_items"))
            bad = [i for i in items if i not in have]
            if bad:
                raise Problem(
                    InvalidInputError,
                    "；".join(t("wf.item_range", seq=i, n=len(have)) for i in bad),
                )
            ch = Change()
            flip = [i for i in dict.fromkeys(items) if have[i] != done]
            for i in flip:
                ch.changes[f"item{i}"] = [have[i], done]
                have[i] = done
            if not flip:
                return ch
            ch.after.append(set_items(task.id, flip, done))
            share = round(100 * sum(have.values()) / len(have))
            ch.field("progress", task.progress, share, "progress")
            if done and task.status == S.NOT_STARTED:
                ch.field("status", task.status.value, S.IN_PROGRESS.value, "status")
            return ch

        return self._batch(
            "check",
            [key],
            step,
            **opts,
            prepare=prepare,
        )

    def close(
        self,
        keys: Iterable[str],
        *,
        note: str,
        evidence: str,
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """销号: done or in-progress tasks become closed, with a note and evidence."""
        if not note.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.note")))
        if not evidence.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.evidence")))

        closures: dict[int, tuple[str, str, str, str]] = {}

        def prepare(runner: Runner, live: list[TaskState]) -> None:
            closures.update(closures_of(runner, [x.id for x in live if x.status == S.CLOSED]))

        def step(runner: Runner, task: TaskState) -> Change | None:
            if task.status == S.CLOSED:
                # the same close again: unchanged; another note or evidence is not dropped
                # without a word
                action, day, old_note, old_evidence = closures.get(task.id, ("", "", "", ""))
                if action == "carry":
                    raise Problem(ConflictError, t("wf.closed_carried", to=old_evidence))
                if action and (old_note, old_evidence) != (note.strip(), evidence.strip()):
                    raise Problem(
                        ConflictError,
                        t(
                            "wf.closed_other",
                            day=day,
                            note=old_note or "—",
                            evidence=old_evidence or "—",
                        ),
                    )
                return None
            check_from("close", task)
            ch = Change(reason=note.strip())
            ch.field("status", task.status.value, S.CLOSED.value, "status")
            ch.field("progress", task.progress, 100, "progress")
            ch.changes["evidence"] = [None, evidence.strip()]
            return ch

        return self._batch("close", keys, step, prepare=prepare, **opts)

    def return_(
        self,
        keys: Iterable[str],
        *,
        reason: str,
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """退回: a done or closed task goes back for rework, with the reason."""
        if not reason.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.reason")))
        return self._simple("return", keys, reason.strip(), **opts)

    def reopen(
        self,
        keys: Iterable[str],
        *,
        reason: str = "",
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """Closed, done or suspended tasks go back to in progress."""
        return self._simple("reopen", keys, reason.strip(), **opts)

    def _simple(
        self,
        action: str,
        keys: Iterable[str],
        reason: str,
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        starts, target = TRANSITIONS[action]
        assert target is not None

        def step(runner: Runner, task: TaskState) -> Change | None:
            if task.status == target or (action == "reopen" and task.status not in starts):
                return None  # reopen of an open task: already open
            check_from(action, task)
            ch = Change(reason=reason)
            ch.field("status", task.status.value, target.value, "status")
            return ch

        return self._batch(
            action,
            keys,
            step,
            **opts,
        )

    def extend(
        self,
        keys: Iterable[str],
        *,
        to: dt.date,
        reason: str,
        late: bool = False,
        today: dt.date | None = None,
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """延期: move the deadline later, keeping the first one in original_due."""
        if not reason.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.reason")))
        day = today or clock.today()

        def step(runner: Runner, task: TaskState) -> Change | None:
            check_from("extend", task)
            if task.due == to:
                return None
            if to < task.due:
                raise Problem(InvalidInputError, t("wf.extend_earlier", to=to, due=task.due))
            if day > task.due and not late:
                raise Problem(ConflictError, t("wf.extend_late", due=task.due))
            ch = Change(reason=reason.strip())
            ch.field("due", task.due, to, "due")
            ch.field("due_basis", task.due_basis, "extended", "due_basis")
            if task.original_due is None:
                ch.field("original_due", None, task.due, "original_due")
            if day > task.due:
                ch.changes["late"] = [False, True]
            return ch

        return self._batch(
            "extend",
            keys,
            step,
            **opts,
        )

    def note(
        self,
        keys: Iterable[str],
        text: str,
        **opts: Unpack[BatchOptions],
    ) -> BatchResult:
        """A free note on the record of each task (an event; bumps the version)."""
        if not text.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.text")))

        def step(runner: Runner, task: TaskState) -> Change:
            check_from("note", task)
            return Change(reason=text.strip(), action="note")

        return self._batch(
            "note",
            keys,
            step,
            **opts,
        )


def _status(value: Status | str) -> Status:
    if isinstance(value, Status):
        return value
    text = value.strip().lower().replace("-", "_").replace(" ", "_")
    for s in Status:
        zh, en = MESSAGES[f"status.{s.value}"]
        # 已完成（待销号） may be typed 已完成; "in progress" as in_progress
        names = (s.value, zh, zh.split("（", 1)[0], en.split(" (", 1)[0].replace(" ", "_"))
        if text in names or text in _STATUS_WORDS.get(s, ()):
            return s
    if KEY_SHAPE.fullmatch(value.strip()):
        hint = t("wf.status_order", value=value.strip())
    else:
        hint = t(
            "wf.status_hint",
            allowed=" / ".join(
                t("wf.status_item", code=s.value, label=t(f"status.{s.value}"))
                for s in SETTABLE_ORDER
            ),
        )
    raise InvalidInputError(t("wf.unknown_status", value=value), hint=hint)


# what people also say for a status (the labels in lctasks.i18n are accepted too)
_STATUS_WORDS: dict[Status, tuple[str, ...]] = {
    S.IN_PROGRESS: ("进行中", "推进", "在办"),
    S.NOT_STARTED: ("未开始",),
    S.DONE: ("完成", "已办结", "办结"),
}


def _ticked_share(task: TaskState) -> int | None:
    if not task.checklist:
        return None
    return round(100 * sum(1 for _, d in task.checklist if d) / len(task.checklist))
