"""Who is behind: totals, done %, red/yellow counts and the overdue list.

``ReportService.report(by="unit" | "chapter", as_of=…)`` groups the tasks of a
plan by lead unit (牵头单位; unassigned tasks form their own row) or by chapter,
and computes each task's light as of the date with ``lctasks.lights`` and the
thresholds in the settings files. Done % counts done (待销号) and closed tasks;
a task closed as carried over to another plan (结转) is counted apart. Removed
tasks are left out. One read transaction over any connection kind: the counts
come from ``read_model.report_tallies`` (the few columns the light reads, each
distinct row ruled once) and the overdue list straight from SQL, in order — only
the first N for the table — so 100,000 tasks take a few tenths of a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from lctasks import clock
from lctasks.config import Settings, settings_of
from lctasks.db.sql import Runner
from lctasks.domain import InvalidInputError, Light, Status
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.services.read_model import overdue_rows, report_tallies, unit_shorts

if TYPE_CHECKING:  # the read fast path builds a report without the service context
    from lctasks.services.base import ServiceContext

MESSAGES.add(
    {
        "report.total": ("合计", "total"),
        "report.unassigned": ("（未分配）", "(unassigned)"),
        "report.chapter": ("第{n}章", "chapter {n}"),
        "report.by": (
            "分组方式“{value}”无效（可用：unit、chapter）",
            "cannot group by '{value}' (use unit or chapter)",
        ),
    }
)

BY = ("unit", "chapter")
# overdue (逾期): due before the report's day and not finished — in SQL, a due date
# before the day and a status among these (lctasks.services.read_model.overdue_rows)
LATE = tuple(x.value for x in Status if not x.finished)


@dataclass(frozen=True, slots=True)
class ReportRow:
    group: str  # unit short name, or "C10 发展先进制造业"
    total: int
    done: int  # done + closed
    closed: int
    red: int
    yellow: int
    green: int
    overdue: int
    carried: int = 0  # closed as carried over (结转) to another plan: not in done / closed

    @property
    def done_percent(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0


class OverdueTask(NamedTuple):
    """One overdue task (a tuple: a report may list 80,000 of them)."""

    id: str
    title: str
    lead_unit: str | None
    chapter: int
    status: Status
    due: dt.date
    days_overdue: int
    progress: int


@dataclass(frozen=True, slots=True)
class Report:
    plan: str
    as_of: dt.date
    by: str
    rows: tuple[ReportRow, ...]
    total: ReportRow
    overdue: tuple[OverdueTask, ...]  # most overdue first (the first N: build_report)

    def to_doc(self, *, overdue: bool = True) -> dict[str, Any]:
        """The report as plain data: the scripting contract of ``lctasks report --json``
        (``overdue=False``: its overdue list left empty)."""

        def row(r: ReportRow) -> dict[str, Any]:
            return {
                "group": r.group,
                "total": r.total,
                "done": r.done,
                "done_percent": r.done_percent,
                "closed": r.closed,
                "red": r.red,
                "yellow": r.yellow,
                "green": r.green,
                "overdue": r.overdue,
                "carried": r.carried,
            }

        return {
            "plan": self.plan,
            "as_of": self.as_of.isoformat(),
            "by": self.by,
            "rows": [row(r) for r in self.rows],
            "total": row(self.total),
            "overdue": [
                {
                    "id": o.id,
                    "title": o.title,
                    "lead_unit": o.lead_unit,
                    "chapter": o.chapter,
                    "status": o.status.value,
                    "due": o.due.isoformat(),
                    "days_overdue": o.days_overdue,
                    "progress": o.progress,
                }
                for o in (self.overdue if overdue else ())
            ],
        }


@dataclass
class _Acc:
    total: int = 0
    done: int = 0
    closed: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    overdue: int = 0
    carried: int = 0

    def add(
        self, status: Status, light: Light, late: bool, n: int = 1, carried: bool = False
    ) -> None:
        self.total += n
        self.carried += n * carried
        self.done += n * (status.finished and not carried)
        self.closed += n * (status is Status.CLOSED and not carried)
        self.red += n * (light is Light.RED)
        self.yellow += n * (light is Light.YELLOW)
        self.green += n * (light is Light.GREEN)
        self.overdue += n * late

    def row(self, group: str) -> ReportRow:
        return ReportRow(
            group,
            self.total,
            self.done,
            self.closed,
            self.red,
            self.yellow,
            self.green,
            self.overdue,
            self.carried,
        )


class ReportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _settings(self) -> Settings:
        return settings_of(self.ctx)

    def report(
        self,
        *,
        by: str = "unit",
        as_of: dt.date | None = None,
        plan: str | None = None,
        overdue: int | None = None,
    ) -> Report:
        """The report (``overdue``: list the first N overdue tasks; None: all)."""
        if by not in BY:
            raise InvalidInputError(t("report.by", value=by))
        day = as_of or clock.today()
        settings = self._settings()
        from lctasks.db.sql import SessionRunner
        from lctasks.services.plans import resolve_plan

        with self.ctx.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return build_report(
                SessionRunner(s), plan_row.id, plan_row.code, by, day, settings, overdue=overdue
            )


def build_report(
    runner: Runner,
    plan_id: int,
    code: str,
    by: str,
    day: dt.date,
    settings: Settings,
    *,
    overdue: int | None = None,
) -> Report:
    """The report of one plan from the task read model (any connection kind).

    ``overdue``: how many overdue tasks to list (the first ones, most overdue
    first); None lists them all. ``total.overdue`` counts them all either way.
    """
    if by not in BY:
        raise InvalidInputError(t("report.by", value=by))
    tallies = report_tallies(runner, plan_id, by, as_of=day, settings=settings)
    # each group's sort key: (chapter, "") or (0, lead unit's short name), (1, "") unassigned
    keys: dict[Any, tuple[int, str]]
    if by == "chapter":
        keys = {number: (number, "") for number in {tally[0] for tally in tallies}}
    else:
        shorts = unit_shorts(runner)
        keys = {uid: (0, shorts[uid]) for uid in {tally[0] for tally in tallies} if uid is not None}
        keys[None] = (1, "")
    statuses = {x.value: x for x in Status}
    groups: dict[tuple[int, str], _Acc] = {}
    total = _Acc()
    for (group, value, due, light, moved), n in tallies.items():
        status = statuses[value]
        late = due < day and value in LATE
        acc = groups.get(keys[group])
        if acc is None:
            acc = groups[keys[group]] = _Acc()
        acc.add(status, light, late, n, moved)
        total.add(status, light, late, n, moved)
    if by == "chapter":
        titles = {
            int(n): str(title)
            for n, title in runner.all(
                "SELECT number, title FROM plan_nodes WHERE plan_id = :plan AND kind = 'chapter'",
                {"plan": plan_id},
            )
        }
    rows = []
    for (number, name), acc in sorted(groups.items()):
        if by == "chapter":
            label = f"C{number:02d} {titles.get(number, t('report.chapter', n=number))}"
        else:
            label = name or t("report.unassigned")
        rows.append(acc.row(label))
    late_ones = overdue_rows(runner, plan_id, day, LATE, overdue, OverdueTask)
    return Report(code, day, by, tuple(rows), total.row(t("report.total")), tuple(late_ones))
