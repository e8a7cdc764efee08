"""Warning lights (红黄绿灯), derived — never stored — for an as-of date.

The rules (thresholds from :class:`~lctasks.config.Settings`):

**green, always** — ``done`` (已完成) and ``closed`` (已销号): nothing left to chase.

**red** 红灯
  * past the deadline (``as_of > due``) and not done/closed — every other status,
    ``suspended`` included: a paused task whose deadline has passed needs a
    decision (resume, 延期, or close) and the meeting must see it;
  * more than ``red_behind_points`` (30) behind the time-elapsed schedule (序时进度):
    ``schedule_percent − progress > 30``.

**yellow** 黄灯
  * the deadline is ``yellow_days`` (7) days away or fewer, the deadline day included
    (``0 ≤ due − as_of ≤ 7``);
  * ``yellow_behind_points`` to ``red_behind_points`` behind schedule, both ends
    included (10 ≤ lag ≤ 30);
  * no progress report in the current reporting period (monthly: the calendar
    month of ``as_of``), for tasks that are being carried out — ``in_progress``,
    ``blocked`` or ``returned`` — and whose start date has been reached.
    A ``not_started`` task is not chased for reports: the unit has not picked it
    up yet, and the schedule rule already turns it yellow, then red, as time
    passes without progress. ``settings.report_grace_days`` lets the previous
    period's report count for the first days of a new period.

**green** — everything else.

``suspended`` (暂缓) tasks were paused on purpose, so they are exempt from the
schedule, deadline-approaching and report rules; only being past due turns them
red.

Standard library only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lctasks import clock
from lctasks.config import Settings
from lctasks.domain import InvalidInputError, Light, Status
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t

MESSAGES.add(
    {
        "period.invalid": (
            "无法识别的报送期：“{text}”",
            "cannot read the reporting period '{text}'",
        ),
        "period.hint": (
            "按月 2026-11（或 2026年11月），按季 2026-Q4（或 2026年第四季度），按周 2026-W48",
            "monthly 2026-11, quarterly 2026-Q4, weekly 2026-W48",
        ),
        "light.why.finished": (
            "{status}：不再预警",
            "{status}: no longer tracked for warnings",
        ),
        "light.why.overdue": (
            "已超过截止日期 {days} 天（截止 {due}），尚未完成",
            "{days} days past the deadline ({due}) and not finished",
        ),
        "light.why.red_behind": (
            "落后序时进度 {behind} 个百分点（序时 {schedule}%，实际 {progress}%），"
            "超过红灯线 {limit}",
            "{behind} points behind schedule (schedule {schedule}%, actual {progress}%), "
            "more than the red limit {limit}",
        ),
        "light.why.due_soon": (
            "距截止日期还有 {days} 天（截止 {due}，黄灯提前 {limit} 天）",
            "{days} days to the deadline ({due}; yellow from {limit} days before)",
        ),
        "light.why.yellow_behind": (
            "落后序时进度 {behind} 个百分点（序时 {schedule}%，实际 {progress}%），"
            "黄灯线 {low}–{high}",
            "{behind} points behind schedule (schedule {schedule}%, actual {progress}%), "
            "yellow band {low}-{high}",
        ),
        "light.why.no_report": (
            "本期（{period}）尚未报送进展{last}",
            "no progress report for the current period ({period}){last}",
        ),
        "light.why.no_report.last": ("，上次报送 {at}", "; last report {at}"),
        "light.why.no_report.never": ("，从未报送", "; never reported"),
        "light.why.suspended": (
            "暂缓中，截止 {due}：不按序时进度和报送考核",
            "suspended, due {due}: not judged on schedule or reports",
        ),
        "light.why.not_begun": (
            "尚未到开始日期 {start}",
            "the start date {start} has not been reached",
        ),
        "light.why.on_track": (
            "按序时推进（序时 {schedule}%，实际 {progress}%），截止 {due}",
            "on schedule (schedule {schedule}%, actual {progress}%), due {due}",
        ),
    }
)

# Statuses that must report every period once their start date is reached.
REPORTING = frozenset({Status.IN_PROGRESS, Status.BLOCKED, Status.RETURNED})


def schedule_percent(start: dt.date, due: dt.date, as_of: dt.date) -> float:
    """Time-elapsed schedule (序时进度) in percent, 0–100.

    ``(as_of − start) / (due − start)``; 0 before the start, 100 from the
    deadline on (also when the deadline is not after the start).
    """
    if as_of >= due:
        return 100.0
    if as_of <= start:
        return 0.0
    return 100.0 * (as_of - start).days / (due - start).days


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: ``label`` is what ``ProgressReport.period`` stores."""

    start: dt.date
    end: dt.date
    label: str  # 2026-11 | 2026-Q4 | 2026-W48


def report_period(day: dt.date, cadence: str = "monthly") -> Period:
    """The reporting period holding ``day`` for a cadence (monthly/quarterly/weekly)."""
    if cadence == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        year, week, _ = day.isocalendar()
        return Period(start, start + dt.timedelta(days=6), f"{year}-W{week:02d}")
    if cadence == "quarterly":
        quarter = (day.month - 1) // 3
        start = dt.date(day.year, 3 * quarter + 1, 1)
        end = _month_end(day.year, 3 * quarter + 3)
        return Period(start, end, f"{day.year}-Q{quarter + 1}")
    start = day.replace(day=1)
    return Period(start, _month_end(day.year, day.month), f"{day.year}-{day.month:02d}")


# pattern texts: re compiles and caches them on first use, not at every CLI start
_PERIOD = (
    r"(?P<y>\d{4})(?:[-/.年]?(?P<m>\d{1,2})月?|-?(?P<q>[Qq])(?P<qn>[1-4])|-?[Ww](?P<w>\d{1,2}))"
)
_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_ZH = r"(?P<y>\d{4})年?第?(?P<q>[一二三四1-4])季度?"


def parse_period(text: str) -> str:
    """A typed reporting period as stored: ``2026-11``, ``2026-Q4`` or ``2026-W48``.

    Accepts ``2026-11``, ``2026-1``, ``202611``, ``2026年11月``, ``2026-Q4``,
    ``2026年第四季度``, ``2026-W48``; anything else raises InvalidInputError.
    """
    key = text.strip().replace(" ", "")
    if m := re.fullmatch(_QUARTER_ZH, key):
        return f"{m['y']}-Q{_QUARTER_WORDS[m['q']]}"
    m = re.fullmatch(_PERIOD, key)
    if m is not None:
        if m["m"] is not None and 1 <= int(m["m"]) <= 12:
            return f"{m['y']}-{int(m['m']):02d}"
        if m["qn"] is not None:
            return f"{m['y']}-Q{m['qn']}"
        if m["w"] is not None and 1 <= int(m["w"]) <= 53:
            return f"{m['y']}-W{int(m['w']):02d}"
    raise InvalidInputError(t("period.invalid", text=text.strip()), hint=t("period.hint"))


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return clock.office_date(value)


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


FINISHED = frozenset({Status.DONE, Status.CLOSED})

_RED, _YELLOW, _GREEN = Light.RED, Light.YELLOW, Light.GREEN

# a reason before it is worded: message key and its fields (worded only when shown)
Reason = tuple[str, dict[str, object]]


class LightRule:
    """The light rule for one as-of date and settings: the only copy of the rules.

    Calling it gives the light alone (≈1 µs: it stops at the first reason that
    decides the colour, and words nothing); ``explain`` runs the same rule while
    collecting every reason, and words them. Lists, the board, exports and
    reports make one rule per call and apply it to every task.
    """

    __slots__ = ("as_of", "cfg", "days", "period", "period_start", "red_points", "yellow_points")

    def __init__(self, as_of: dt.date, settings: Settings | None = None) -> None:
        cfg = settings if settings is not None else Settings()
        self.as_of = as_of
        self.cfg = cfg
        # the report period that must hold a report (the grace days let the last one count)
        self.period = report_period(
            as_of - dt.timedelta(days=cfg.report_grace_days), cfg.report_cadence
        )
        self.period_start = self.period.start
        self.red_points = cfg.red_behind_points
        self.yellow_points = cfg.yellow_behind_points
        self.days = cfg.yellow_days

    def __call__(
        self,
        status: str,
        start: dt.date,
        due: dt.date,
        progress: int | None,
        last_report: dt.date | None,
    ) -> Light:
        """The light; ``status`` a Status or its value, ``last_report`` the office date."""
        return self._judge(status, start, due, progress, last_report, None)

    def explain(
        self,
        status: str,
        start: dt.date,
        due: dt.date,
        progress: int | None,
        last_report: dt.date | None,
    ) -> tuple[Light, list[str]]:
        """The light and every reason for it, worded (red reasons first, then yellow)."""
        why: list[Reason] = []
        light = self._judge(status, start, due, progress, last_report, why)
        return light, [t(key, **fields) for key, fields in why]

    def _judge(
        self,
        status: str,
        start: dt.date,
        due: dt.date,
        progress: int | None,
        last: dt.date | None,
        why: list[Reason] | None,
    ) -> Light:
        as_of = self.as_of
        if status in FINISHED:
            if why is not None:
                why.append(("light.why.finished", {"status": t(f"status.{Status(status).value}")}))
            return _GREEN
        red = False
        if as_of > due:
            if why is None:
                return _RED
            why.append(("light.why.overdue", {"days": (as_of - due).days, "due": due.isoformat()}))
            red = True
        if status == Status.SUSPENDED:
            if not red and why is not None:
                why.append(("light.why.suspended", {"due": due.isoformat()}))
            return _RED if red else _GREEN

        done = 0 if not progress or progress < 0 else min(100, progress)
        schedule = schedule_percent(start, due, as_of)
        behind = schedule - done
        yellow = False
        if behind > self.red_points:
            if why is None:
                return _RED
            why.append(
                (
                    "light.why.red_behind",
                    {"limit": self.red_points, **_numbers(behind, schedule, done)},
                )
            )
            red = True
        elif behind >= self.yellow_points:
            if why is None:
                return _YELLOW
            why.append(
                (
                    "light.why.yellow_behind",
                    {
                        "low": self.yellow_points,
                        "high": self.red_points,
                        **_numbers(behind, schedule, done),
                    },
                )
            )
            yellow = True

        days_left = (due - as_of).days
        if 0 <= days_left <= self.days and self.days > 0:
            if why is None:
                return _YELLOW
            why.append(
                (
                    "light.why.due_soon",
                    {"days": days_left, "due": due.isoformat(), "limit": self.days},
                )
            )
            yellow = True

        if status in REPORTING and start <= as_of and (last is None or last < self.period_start):
            if why is None:
                return _YELLOW
            current = report_period(as_of, self.cfg.report_cadence)
            last_text = (
                t("light.why.no_report.last", at=last.isoformat())
                if last is not None
                else t("light.why.no_report.never")
            )
            why.append(("light.why.no_report", {"period": current.label, "last": last_text}))
            yellow = True

        if red:
            return _RED
        if yellow:
            return _YELLOW
        if why is not None:
            if as_of < start:
                why.append(("light.why.not_begun", {"start": start.isoformat()}))
            else:
                why.append(
                    (
                        "light.why.on_track",
                        {"due": due.isoformat(), **_numbers(behind, schedule, done)},
                    )
                )
        return _GREEN


def _numbers(behind: float, schedule: float, done: int) -> dict[str, object]:
    return {"behind": _fmt(behind), "schedule": _fmt(schedule), "progress": done}


def assess_light(
    status: Status | str,
    start: dt.date,
    due: dt.date,
    progress: int | None,
    as_of: dt.date,
    last_report_at: dt.date | dt.datetime | None,
    settings: Settings | None = None,
) -> tuple[Light, list[str]]:
    """The light and every reason for it (red reasons first, then yellow).

    ``last_report_at`` is the latest progress report at or before ``as_of``
    (a date or a datetime; None when the task never had one).
    """
    last = _as_date(last_report_at) if last_report_at is not None else None
    return LightRule(as_of, settings).explain(Status(status), start, due, progress, last)


def light_for(
    status: Status | str,
    start: dt.date,
    due: dt.date,
    progress: int | None,
    as_of: dt.date,
    last_report_at: dt.date | dt.datetime | None,
    settings: Settings | None = None,
) -> Light:
    """The warning light of a task as of ``as_of`` (see the module docstring).

    For many tasks, make one ``LightRule`` and call it per task.
    """
    last = _as_date(last_report_at) if last_report_at is not None else None
    return LightRule(as_of, settings)(Status(status), start, due, progress, last)


def explain_light(
    status: Status | str,
    start: dt.date,
    due: dt.date,
    progress: int | None,
    as_of: dt.date,
    last_report_at: dt.date | dt.datetime | None,
    settings: Settings | None = None,
) -> list[str]:
    """Why the task has its light, one Chinese sentence per reason (English via i18n)."""
    return assess_light(status, start, due, progress, as_of, last_report_at, settings)[1]
