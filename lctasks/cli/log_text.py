"""What `history` and `log` print (JSON objects, the table, CSV): shared by the Typer
commands and the read fast path (``lctasks.cli.fast_read``), so it imports no Typer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.cli.common import err
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

if TYPE_CHECKING:
    from lctasks.domain import Event

MESSAGES.add(
    {
        "log.none": ("没有符合条件的事件", "no matching events"),
        "log.shortened": (
            "长文字已缩略；全文见 lctasks history ID --json，规划原文见 lctasks show ID",
            "long texts are shortened: in full in lctasks history ID --json; "
            "the plan text in lctasks show ID",
        ),
    }
)


def event_json(e: Event) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "source": e.source.value,
        "action": e.action,
        "plan": e.plan,
        "task": e.task,
        "changes": e.changes,
        "reason": e.reason,
        "hash": e.hash,
    }


EVENT_HEADERS = {
    "zh": ("序号", "时间", "操作人", "来源", "动作", "任务", "变更", "原因"),
    "en": ("seq", "time", "actor", "source", "action", "task", "changes", "reason"),
}


def _event_row(e: Event) -> list[str]:
    from lctasks.labels import action_label, describe, source_label

    at = e.at.astimezone(clock.office_zone()).strftime("%Y-%m-%d %H:%M:%S")
    detail = describe(e.changes, e.action) if e.changes else ""
    reason = f"“{e.reason}”" if e.reason else ""
    return [
        f"#{e.seq}",
        at,
        e.actor,
        source_label(e.source.value),
        action_label(e.action),
        e.task or "-",
        detail,
        reason,
    ]


def page_events(events: list[Event], *, csv: bool) -> None:
    """The events through the pager (as a table, or CSV), or "no events" on stderr."""
    if not events:
        err(t("log.none"))
        return
    from lctasks.cli.output import paged

    with paged():
        _print_events(events, csv=csv)


def _print_events(events: list[Event], *, csv: bool) -> None:
    """Aligned by display width (changes and reason last), or CSV."""
    from lctasks.cli.output import print_table
    from lctasks.i18n import EN, language

    headers = EVENT_HEADERS["en" if language() == EN else "zh"]
    rows = [_event_row(e) for e in events]
    if csv:
        print_table(headers, rows, csv=True)
        return
    # the free text goes last, in one column: changes then the reason
    merged = [[*r[:6], "  ".join(x for x in r[6:] if x)] for r in rows]
    print_table([*headers[:6], headers[6]], merged)
    from lctasks.labels import summary

    if any(e.changes and summary(e.changes, e.action)[1] for e in events):
        err(t("log.shortened"))
