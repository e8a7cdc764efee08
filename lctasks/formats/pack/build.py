"""Building the meeting pack from the ledger, and writing it.

``build_pack`` exports the snapshot (or reads a snapshot file), adds what only the
ledger knows (the monthly trend, the plan's parts, the indicators with recorded
actuals) and renders the page with ``formats.pack.render``. ``write_pack`` writes it
whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lctasks.formats.pack.render import (
    IndicatorView,
    PackInfo,
    PackLimits,
    Part,
    TrendPoint,
    fmt_number,
    render_pack,
)

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext
    from lctasks.snapshot import Snapshot


def trend_from_timeline(points: Sequence[object]) -> list[TrendPoint]:
    """BoardService.timeline (completions per month) → cumulative completion points."""
    out: list[TrendPoint] = []
    running = 0
    for p in points:
        running += int(getattr(p, "completed"))  # noqa: B009
        out.append(TrendPoint(str(getattr(p, "month")), running, int(getattr(p, "overdue"))))  # noqa: B009
    return out


def build_pack(
    ctx: ServiceContext,
    *,
    snapshot: str | os.PathLike[str] | None = None,
    as_of: dt.date | None = None,
    since: str | os.PathLike[str] | None = None,
    plan: str | None = None,
    limits: PackLimits = PackLimits(),
) -> tuple[str, PackInfo]:
    """The pack for the ledger as of ``as_of``, or for the snapshot file ``snapshot``.

    ``since``: an older snapshot file; its differences become "since the last
    meeting". The trend and the plan's parts come from the ledger (``ctx``); for a
    snapshot file they are read from the ledger when it holds the same plan.
    """
    from lctasks.services.review import ReviewService
    from lctasks.snapshot import diff_snapshots, read_snapshot

    old = read_snapshot(since) if since else None
    if snapshot is not None:
        snap = read_snapshot(snapshot)
        if old is not None:
            from dataclasses import replace

            snap = replace(snap, changes=diff_snapshots(old, snap))
    else:
        snap = ReviewService(ctx).export(as_of=as_of, since=old, plan=plan)
    trend, parts = _from_ledger(ctx, snap)
    return render_pack(
        snap, trend=trend, parts=parts, limits=limits, indicators=_indicator_views(ctx, snap)
    )


def _indicator_views(ctx: ServiceContext, snap: Snapshot) -> list[IndicatorView]:
    """Indicators with recorded actuals (none recorded: nothing is evaluated, no cost)."""
    from sqlalchemy import select

    from lctasks.db.models import ActualRow, PlanRow, TaskRow

    with ctx.db.read() as s:
        keys = sorted(
            {
                str(k)
                for (k,) in s.execute(
                    select(TaskRow.key)
                    .join(ActualRow, ActualRow.task_id == TaskRow.id)
                    .join(PlanRow, PlanRow.id == TaskRow.plan_id)
                    .where(PlanRow.code == snap.plan.code, ActualRow.unit_id.is_(None))
                )
            }
        )
    if not keys:
        return []
    from lctasks.services.indicators import IndicatorService

    ev = IndicatorService(ctx).evaluate(plan=snap.plan.code, as_of=snap.as_of, keys=keys)
    out: list[IndicatorView] = []
    for r in ev.rows:
        if not r.by_year and r.judgement.assessment is None:
            continue
        spec = r.spec
        expected = []
        for year in range(spec.base_year, spec.target_year + 1):
            v = spec.expected(year)
            if v is not None:
                expected.append((year, float(v)))
        goal = spec.text or fmt_number(spec.target if spec.target is not None else spec.annual)
        out.append(
            IndicatorView(
                r.key,
                r.ref.label,
                spec.name or r.title,
                spec.unit,
                spec.baseline,
                goal,
                tuple(sorted((int(y), float(v)) for y, v in r.by_year.items())),
                tuple(expected),
                r.light,
                r.judgement.reached,
                r.judgement.assessment.label if r.judgement.assessment else "",
            )
        )
    return out


def _from_ledger(ctx: ServiceContext, snap: Snapshot) -> tuple[list[TrendPoint], list[Part]]:
    from sqlalchemy import select

    from lctasks.db.models import PlanNodeRow, PlanRow
    from lctasks.services.board import BoardService

    code = snap.plan.code
    with ctx.db.read() as s:
        plan_id = s.execute(select(PlanRow.id).where(PlanRow.code == code)).scalar()
        if plan_id is None:  # a snapshot of a plan this ledger does not hold
            return [], []
        nodes = s.execute(
            select(PlanNodeRow.kind, PlanNodeRow.number, PlanNodeRow.part, PlanNodeRow.title)
            .where(PlanNodeRow.plan_id == plan_id, PlanNodeRow.kind.in_(("part", "chapter")))
            .order_by(PlanNodeRow.kind.desc(), PlanNodeRow.number)
        ).all()
    titles = {int(n): str(title) for kind, n, _p, title in nodes if kind == "part"}
    members: dict[int, list[int]] = defaultdict(list)
    for kind, n, part, _t in nodes:
        if kind == "chapter" and part is not None:
            members[int(part)].append(int(n))
    parts = [Part(n, titles[n], tuple(members[n])) for n in sorted(titles)]
    timeline = BoardService(ctx).timeline(code, as_of=snap.as_of, start=snap.plan.start)
    return trend_from_timeline(timeline), parts


def write_pack(text: str, path: str | os.PathLike[str]) -> int:
    """Write the pack atomically; returns its size in bytes."""
    from lctasks.atomic import write_bytes

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return write_bytes(path, text.encode("utf-8"), suffix=".html")
