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
from lctasks.i18n import MESSAGES, t

MESSAGES.update(
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


_PERIOD = re.compile(
    r"(?P<y>\d{4})(?:[-/.年]?(?P<m>\d{1,2})月?|-?(?P<q>[Qq])(?P<qn>[1-4])|-?[Ww](?P<w>\d{1,2}))"
)
_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_ZH = re.compile(r"(?P<y>\d{4})年?第?(?P<q>[一二三四1-4])季度?")


def parse_period(text: str) -> str:
    """A typed reporting period as stored: ``2026-11``, ``2026-Q4`` or ``2026-W48``.

    Accepts ``2026-11``, ``2026-1``, ``202611``, ``2026年11月``, ``2026-Q4``,
    ``2026年第四季度``, ``2026-W48``; anything else raises InvalidInputError.
    """
    key = text.strip().replace(" ", "")
    if m := _QUARTER_ZH.fullmatch(key):
        return f"{m['y']}-Q{_QUARTER_WORDS[m['q']]}"
    m = _PERIOD.fullmatch(key)
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
    cfg = settings if settings is not None else Settings()
    status = Status(status)
    done = max(0, min(100, progress or 0))
    if status.finished:
        return Light.GREEN, [t("light.why.finished", status=t(f"status.{status.value}"))]

    red: list[str] = []
    yellow: list[str] = []
    if as_of > due:
        red.append(t("light.why.overdue", days=(as_of - due).days, due=due.isoformat()))
    if status is Status.SUSPENDED:
        if red:
            return Light.RED, red
        return Light.GREEN, [t("light.why.suspended", due=due.isoformat())]

    schedule = schedule_percent(start, due, as_of)
    behind = schedule - done
    numbers = {"behind": _fmt(behind), "schedule": _fmt(schedule), "progress": done}
    if behind > cfg.red_behind_points:
        red.append(t("light.why.red_behind", limit=cfg.red_behind_points, **numbers))
    elif behind >= cfg.yellow_behind_points:
        yellow.append(
            t(
                "light.why.yellow_behind",
                low=cfg.yellow_behind_points,
                high=cfg.red_behind_points,
                **numbers,
            )
        )

    days_left = (due - as_of).days
    if 0 <= days_left <= cfg.yellow_days and cfg.yellow_days > 0:
        yellow.append(
            t("light.why.due_soon", days=days_left, due=due.isoformat(), limit=cfg.yellow_days)
        )

    if status in REPORTING and start <= as_of:
        period = report_period(as_of - dt.timedelta(days=cfg.report_grace_days), cfg.report_cadence)
        current = report_period(as_of, cfg.report_cadence)
        if last_report_at is None or _as_date(last_report_at) < period.start:
            last = (
                t("light.why.no_report.last", at=_as_date(last_report_at).isoformat())
                if last_report_at is not None
                else t("light.why.no_report.never")
            )
            yellow.append(t("light.why.no_report", period=current.label, last=last))

    if red:
        return Light.RED, red + yellow
    if yellow:
        return Light.YELLOW, yellow
    if as_of < start:
        return Light.GREEN, [t("light.why.not_begun", start=start.isoformat())]
    return Light.GREEN, [t("light.why.on_track", due=due.isoformat(), **numbers)]


def light_for(
    status: Status | str,
    start: dt.date,
    due: dt.date,
    progress: int | None,
    as_of: dt.date,
    last_report_at: dt.date | dt.datetime | None,
    settings: Settings | None = None,
) -> Light:
    """The warning light of a task as of ``as_of`` (see the module docstring)."""
    return assess_light(status, start, due, progress, as_of, last_report_at, settings)[0]


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
