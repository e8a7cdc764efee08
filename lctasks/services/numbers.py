"""Indicators judged by their numbers, over any connection: the evaluation rows and lights.

The evaluation (``evaluate_rows``) and the lights of tasks with recorded actuals
(``numeric_lights``) are written once as portable SQL run through a
``lctasks.db.sql.Runner`` — a SQLAlchemy session (services, TUI, PostgreSQL) or the
standard-library ``sqlite3`` connection of the CLI's read fast path — so that
``list`` on either path, ``show``, the board and the evaluation give one light.
The path and the judgement are :mod:`lctasks.indicators`. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lctasks.db.sql import Runner, as_datetime, in_clause
from lctasks.domain import InvalidInputError, Light
from lctasks.indicators import (
    Assessment,
    Compare,
    Judgement,
    PathKind,
    Spec,
    Thresholds,
    judge,
    spec_from_indicator,
    spec_from_target,
    worst,
)

CHUNK = 500


@dataclass(frozen=True, slots=True)
class TargetRef:
    """Which target of a task: checklist ``item`` (1-based) and ``target`` index (0-based)."""

    item: int = 1
    target: int = 0

    @property
    def label(self) -> str:
        return f"{self.item}.{self.target + 1}"

    @classmethod
    def parse(cls, text: str | None) -> TargetRef | None:
        if text is None or not text.strip():
            return None
        m = re.fullmatch(r"\s*(\d+)(?:\.(\d+))?\s*", text)
        if not m:
            raise InvalidInputError(
                f"无法识别的清单项：“{text}”",
                hint="清单项写作 2（第 2 项）或 2.1（第 2 项的第 1 个目标）；"
                "lctasks show ID 可查看",
            )
        return cls(int(m[1]), int(m[2] or 1) - 1)


@dataclass(frozen=True, slots=True)
class Actual:
    period: str
    value: float | None
    assessment: Assessment | None
    source: str
    actor: str
    at: dt.datetime
    unit: str | None = None
    note: str = ""
    target: str = ""  # the target's label (``2.1``)


@dataclass(frozen=True, slots=True)
class ShareResult:
    unit: str
    spec: Spec
    actuals: tuple[Actual, ...]
    judgement: Judgement


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One indicator or quantified target in the evaluation table."""

    key: str
    ref: TargetRef
    kind: str  # the task's kind (indicator, measure, goal, …)
    title: str
    spec: Spec
    actuals: tuple[Actual, ...]  # the city's, newest record per period
    by_year: dict[int, float]
    judgement: Judgement
    status: str
    lead: str | None
    shares: tuple[ShareResult, ...] = ()
    behind: tuple[tuple[str, str, str], ...] = ()  # (key, title, status) of related tasks

    @property
    def light(self) -> Light | None:
        own = self.judgement.light
        return worst([own, *(s.judgement.light for s in self.shares)])

    @property
    def failing(self) -> tuple[str, ...]:
        """The shares (county or zone) whose light is red or yellow, worst first."""
        bad = [s for s in self.shares if s.judgement.light in (Light.RED, Light.YELLOW)]
        bad.sort(key=lambda s: (s.judgement.light is not Light.RED, s.unit))
        return tuple(s.unit for s in bad)


@dataclass(frozen=True, slots=True)
class Evaluation:
    plan: str
    plan_title: str
    mode: str  # year | midterm | final
    year: int
    rows: tuple[EvalRow, ...]

    def to_doc(self) -> dict[str, Any]:
        """The evaluation as plain data: JSON, a snapshot's ``[evaluation]`` (TOML-ready
        with :func:`toml_ready`), a meeting pack's evaluation page."""
        return evaluation_doc(self)

    @property
    def counts(self) -> dict[str, int]:
        """Reached / not reached (final: the verdict; otherwise: on the path or not)."""
        out = {"total": len(self.rows), "reached": 0, "not_reached": 0, "unknown": 0}
        for r in self.rows:
            j = r.judgement
            ok = j.reached if self.mode == "final" or j.assessment is not None else j.met
            out["reached" if ok else "not_reached" if ok is False else "unknown"] += 1
        return out


def _indicator_cells(attrs: Any) -> dict[str, str]:
    if isinstance(attrs, dict):
        return {str(k): str(v) for k, v in attrs.items()}
    return {str(k): str(v) for k, v in (attrs or [])}


def task_specs(task: Any, items: Sequence[Any]) -> dict[TargetRef, Spec]:
    """Every target of a task that can be judged, by reference.

    ``task`` has ``kind``, ``attrs``, ``title``, ``start`` and ``due``; each item ``seq``,
    ``text`` and ``targets`` (ORM rows or plain result rows).
    """
    out: dict[TargetRef, Spec] = {}
    if task.kind == "indicator":
        cells = _indicator_cells(task.attrs)
        name = cells.get("指标") or task.title
        start = task.start.year - 1
        out[TargetRef(1, 0)] = spec_from_indicator(
            name, cells, base_year=start, target_year=task.due.year
        )
        return out
    for it in items:
        for idx, tg in enumerate(it.targets or []):
            has_number = tg.get("value") is not None
            if has_number or tg.get("kind") == "text":
                out[TargetRef(it.seq, idx)] = spec_from_target(
                    tg, name=str(tg.get("text") or it.text), base_year=task.start.year - 1
                )
    return out


def share_spec(parent: Spec, row: Any) -> Spec:
    """A share's own target: ``row`` has ``compare``, ``value``, ``text``, ``baseline``.

    The share follows its target's kind: a yearly rate or a yearly change in points
    stays yearly (the share's value is its yearly figure); a level becomes a path from
    the share's baseline (or, without one, is judged in the target year); a share
    without a number is a text target judged by its assessment.
    """
    cmp = Compare(row.compare) if row.compare else parent.compare
    if row.value is None:
        return replace(
            parent,
            path=PathKind.TEXT,
            compare=cmp,
            text=row.text or parent.text,
            baseline=None,
            target=None,
            annual=None,
        )
    if parent.path in (PathKind.EACH_YEAR, PathKind.POINTS):
        return replace(parent, compare=cmp, baseline=row.baseline, annual=row.value, target=None)
    path = PathKind.LINEAR if row.baseline is not None else PathKind.FINAL
    return replace(
        parent,
        path=path,
        compare=cmp,
        baseline=row.baseline,
        target=row.value,
        annual=None,
        growth=False,
    )


def _by_year(actuals: Sequence[Actual]) -> tuple[dict[int, float], Assessment | None]:
    """The newest record of each year (a year's Q4 stands for the year when no annual)."""
    newest: dict[str, Actual] = {}
    for a in sorted(actuals, key=lambda a: a.at):
        newest[a.period] = a
    years: dict[int, float] = {}
    quarters: dict[int, tuple[int, float]] = {}
    assessment: Assessment | None = None
    for a in sorted(newest.values(), key=lambda a: a.at):
        if a.assessment is not None:
            assessment = a.assessment
        if a.value is None:
            continue
        if "Q" in a.period:
            y, q = int(a.period[:4]), int(a.period[-1])
            if y not in quarters or quarters[y][0] <= q:
                quarters[y] = (q, a.value)
        else:
            years[int(a.period)] = a.value
    for y, (_, v) in quarters.items():
        years.setdefault(y, v)
    return years, assessment


def _row_json(r: EvalRow) -> dict[str, Any]:
    j = r.judgement
    return {
        "id": r.key,
        "target": r.ref.label,
        "kind": r.kind,
        "name": r.spec.name,
        "unit": r.spec.unit,
        "binding": r.spec.binding,
        "path": r.spec.path.value,
        "compare": r.spec.compare.value,
        "baseline": r.spec.baseline,
        "target_value": r.spec.target,
        "annual": r.spec.annual,
        "annual_unit": r.spec.annual_unit,
        "text_target": r.spec.text or None,
        "actuals": {str(y): v for y, v in sorted(r.by_year.items())},
        "assessment": j.assessment.value if j.assessment else None,
        "judged_year": j.year,
        "compared": j.actual,
        "expected": j.expected,
        "behind_points": j.behind_points,
        "light": (r.light.value if r.light else None),
        "reached": j.reached,
        "on_track": j.met,
        "complete": j.complete,
        "status": r.status,
        "lead": r.lead,
        "shares": [
            {
                "unit": sh.unit,
                "target": sh.spec.target
                if sh.spec.path.value not in ("each_year", "points")
                else sh.spec.annual,
                "baseline": sh.spec.baseline,
                "text_target": sh.spec.text or None,
                "actuals": {
                    a.period: (
                        a.value
                        if a.value is not None
                        else (a.assessment.value if a.assessment else None)
                    )
                    for a in sh.actuals
                },
                "light": sh.judgement.light.value if sh.judgement.light else None,
                "reached": sh.judgement.reached,
            }
            for sh in r.shares
        ],
        "failing_units": list(r.failing),
        "tasks_behind": [{"id": k, "title": ti, "status": st} for k, ti, st in r.behind],
    }


def evaluation_doc(ev: Evaluation) -> dict[str, Any]:
    """The evaluation as a document (JSON, and the ``[evaluation]`` section of a snapshot)."""
    return {**evaluation_head(ev), "rows": list(row_docs(ev))}


def evaluation_head(ev: Evaluation) -> dict[str, Any]:
    """``evaluation_doc`` without its last key, ``rows`` (written a row at a time)."""
    return {"plan": ev.plan, "mode": ev.mode, "year": ev.year, "counts": ev.counts}


def row_docs(ev: Evaluation) -> Iterator[dict[str, Any]]:
    """The documents of ``evaluation_doc``'s ``rows``, one at a time."""
    return (_row_json(r) for r in ev.rows)


def toml_ready(value: Any) -> Any:
    """TOML has no null: drop None values (an absent key reads as 'not recorded')."""
    if isinstance(value, dict):
        return {k: toml_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [toml_ready(v) for v in value]
    return value


def _json(value: Any) -> Any:
    if isinstance(value, str | bytes):
        return json.loads(value) if value else None
    return value


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True, slots=True)
class _Task:
    id: int
    key: str
    kind: str
    title: str
    status: str
    lead_unit_id: int | None
    start: dt.date
    due: dt.date
    attrs: Any


@dataclass(frozen=True, slots=True)
class _Item:
    seq: int
    text: str
    targets: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Share:
    unit_id: int
    baseline: float | None
    value: float | None
    compare: str
    text: str


def _in(prefix: str, column: str, ids: Sequence[int]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i in range(0, len(ids), CHUNK):
        clause, params = in_clause(prefix, list(ids[i : i + CHUNK]))
        out.append((f" AND {column} IN {clause}", params))
    return out


def evaluate_rows(
    runner: Runner,
    plan_id: int,
    year: int,
    thresholds: Thresholds,
    *,
    keys: Sequence[str] | None = None,
    task_ids: Sequence[int] | None = None,
    with_behind: bool = True,
) -> list[EvalRow]:
    """The evaluation rows of a plan's tasks (all, or ``keys`` / ``task_ids``) for ``year``.

    Plain rows, no ORM objects: 100,000 tasks with their checklists load in a fraction
    of the time and memory.
    """
    where = " WHERE t.plan_id = :plan AND t.removed = :no"
    base_params: dict[str, Any] = {"plan": plan_id, "no": False}
    filters: list[tuple[str, dict[str, Any]]] = [("", {})]
    if keys is not None:
        clause, more = in_clause("k", sorted({k.strip().upper() for k in keys}) or [""])
        filters = [(f" AND t.key IN {clause}", more)]
    elif task_ids is not None:
        filters = _in("i", "t.id", sorted(set(task_ids))) or [(" AND 1 = 0", {})]
    # the checklists first: only indicators and tasks with a judged target make rows,
    # so the other tasks (most of a 100,000-task ledger) are never held
    raw: dict[int, list[tuple[int, str, Any]]] = defaultdict(list)
    for tid, seq, text, targets in runner.each(
        "SELECT c.task_id, c.seq, c.text, c.targets FROM checklist_items c"
        " JOIN tasks t ON t.id = c.task_id"
        " WHERE t.plan_id = :plan AND CAST(c.targets AS TEXT) <> '[]'"
        " ORDER BY c.task_id, c.seq",
        {"plan": plan_id},
    ):
        raw[tid].append((seq, text, targets))
    tasks: list[_Task] = []
    for extra, more in filters:
        for r in runner.each(
            "SELECT t.id, t.key, t.kind, t.title, t.status, t.lead_unit_id, t.start, t.due,"
            " CASE WHEN t.kind = 'indicator' THEN t.attrs END FROM tasks t"
            + where
            + extra
            + " ORDER BY t.id",
            {**base_params, **more},
        ):
            if r[2] == "indicator" or r[0] in raw:
                tasks.append(
                    _Task(r[0], r[1], r[2], r[3], r[4], r[5], _day(r[6]), _day(r[7]), _json(r[8]))
                )
    tasks.sort(key=lambda t: t.id)
    wanted = {t.id for t in tasks}
    items = {
        tid: [_Item(seq, text, _json(targets) or []) for seq, text, targets in its]
        for tid, its in raw.items()
        if tid in wanted
    }
    del raw
    units = {int(i): str(s) for i, s in runner.all("SELECT id, short FROM units")}
    actuals: dict[tuple[int, int, int, int | None], list[Actual]] = defaultdict(list)
    for (
        tid,
        item,
        target,
        unit_id,
        period,
        value,
        assessment,
        source,
        actor,
        at,
        note,
    ) in runner.each(
        "SELECT a.task_id, a.item, a.target, a.unit_id, a.period, a.value, a.assessment,"
        " a.source, a.actor, a.at, a.note FROM actuals a JOIN tasks t ON t.id = a.task_id"
        " WHERE t.plan_id = :plan ORDER BY a.id",
        {"plan": plan_id},
    ):
        if tid not in wanted:
            continue
        stamp = as_datetime(at) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        actuals[(tid, item, target, unit_id)].append(
            Actual(
                str(period),
                None if value is None else float(value),
                Assessment(assessment) if assessment else None,
                source or "",
                actor or "",
                stamp,
                units.get(unit_id) if unit_id else None,
                note or "",
            )
        )
    shares: dict[tuple[int, int, int], list[_Share]] = defaultdict(list)
    for tid, item, target, unit_id, baseline, value, compare, text in runner.all(
        "SELECT s.task_id, s.item, s.target, s.unit_id, s.baseline, s.value, s.compare, s.text"
        " FROM target_shares s JOIN tasks t ON t.id = s.task_id WHERE t.plan_id = :plan",
        {"plan": plan_id},
    ):
        shares[(tid, item, target)].append(
            _Share(unit_id, baseline, value, compare or "", text or "")
        )
    behind = _Behind(runner, plan_id, load_links()) if with_behind else None
    rows: list[EvalRow] = []
    for task in tasks:
        specs = task_specs(task, items.get(task.id, []))
        for ref, spec in sorted(specs.items(), key=lambda kv: (kv[0].item, kv[0].target)):
            own = actuals.get((task.id, ref.item, ref.target, None), [])
            by_year, assessment = _by_year(own)
            j = judge(spec, by_year, year=year, thresholds=thresholds, assessment=assessment)
            share_results = []
            for sh in sorted(
                shares.get((task.id, ref.item, ref.target), []),
                key=lambda r: units.get(r.unit_id, ""),
            ):
                sspec = share_spec(spec, sh)
                sact = actuals.get((task.id, ref.item, ref.target, sh.unit_id), [])
                sy, sa = _by_year(sact)
                share_results.append(
                    ShareResult(
                        units.get(sh.unit_id, "?"),
                        sspec,
                        tuple(sact),
                        judge(sspec, sy, year=year, thresholds=thresholds, assessment=sa),
                    )
                )
            rows.append(
                EvalRow(
                    key=task.key,
                    ref=ref,
                    kind=task.kind,
                    title=task.title,
                    spec=spec,
                    actuals=tuple(own),
                    by_year=by_year,
                    judgement=j,
                    status=task.status,
                    lead=units.get(task.lead_unit_id) if task.lead_unit_id else None,
                    shares=tuple(share_results),
                    behind=behind(task) if behind is not None else (),
                )
            )
    return rows


def numeric_lights(
    runner: Runner, plan_id: int, as_of: dt.date, thresholds: Thresholds
) -> dict[str, Light]:
    """The light of every task whose targets have recorded actuals, by task key.

    An indicator is judged by its numbers, not by a percent typed by hand: the light
    of a task with actuals (its own or its shares') is the worst numeric light of its
    targets as of ``as_of`` (actuals of years up to ``as_of``'s year). One query when
    nothing is recorded, so every read can afford to ask.
    """
    ids = [
        int(r[0])
        for r in runner.all(
            "SELECT DISTINCT a.task_id FROM actuals a JOIN tasks t ON t.id = a.task_id"
            " WHERE t.plan_id = :plan",
            {"plan": plan_id},
        )
    ]
    if not ids:
        return {}
    out: dict[str, list[Light | None]] = defaultdict(list)
    for row in evaluate_rows(
        runner, plan_id, as_of.year, thresholds, task_ids=ids, with_behind=False
    ):
        out[row.key].append(row.light)
    return {key: lit for key, lights in out.items() if (lit := worst(lights)) is not None}


def thresholds_of(settings: Any) -> Thresholds:
    return Thresholds(
        yellow_behind_points=float(settings.yellow_behind_points),
        red_behind_points=float(settings.red_behind_points),
        about_tolerance=float(settings.about_tolerance),
    )


_BLOCK = 4096  # tasks whose texts are joined into one string for _Behind's searches


class _Behind:
    """The measures and projects behind an indicator: tasks whose text names its words.

    The texts are read once and joined into one string per block of ``_BLOCK`` tasks;
    each word is then found with ``str.find`` (a C substring search over the whole
    ledger, ~10 ms for 100,000 tasks) and its hits mapped back to tasks by offset.
    Each word and word list is answered once.
    """

    def __init__(self, runner: Runner, plan_id: int, links: dict[str, list[str]]) -> None:
        self._runner = runner
        self._plan_id = plan_id
        self._links = links
        self._rows: list[tuple[str, str, str]] = []
        self._blocks: list[tuple[str, list[int]]] = []  # (texts, where each starts)
        self._loaded = False
        self._by_word: dict[str, set[int]] = {}
        self._by_words: dict[tuple[str, ...], tuple[tuple[str, str, str], ...]] = {}

    def _load(self) -> None:
        # joined a block of tasks at a time: the ledger's texts are held once, never twice
        parts: list[str] = []
        starts: list[int] = []
        pos = 0
        for key, title, status, text in self._runner.each(
            "SELECT key, title, status, source_text FROM tasks WHERE plan_id = :plan"
            " AND removed = :no AND kind <> 'indicator' ORDER BY id",
            {"plan": self._plan_id, "no": False},
        ):
            body = text or title
            self._rows.append((key, title, status))
            starts.append(pos)
            parts.append(body)
            pos += len(body) + 1
            if len(parts) == _BLOCK:
                self._blocks.append(("\x00".join(parts), starts))
                parts, starts, pos = [], [], 0
        if parts:
            self._blocks.append(("\x00".join(parts), starts))
        self._loaded = True

    def _hits(self, word: str) -> set[int]:
        from bisect import bisect_right

        hit = self._by_word.get(word)
        if hit is None:
            if not self._loaded:
                self._load()
            hit = set()
            for b, (text, starts) in enumerate(self._blocks):
                first = b * _BLOCK
                at = text.find(word)
                while at >= 0:
                    i = bisect_right(starts, at) - 1
                    hit.add(first + i)
                    nxt = starts[i + 1] if i + 1 < len(starts) else len(text)
                    at = text.find(word, nxt)
            self._by_word[word] = hit
        return hit

    def __call__(self, task: Any) -> tuple[tuple[str, str, str], ...]:
        if task.kind != "indicator":
            return ()
        # a synthetic copy (I01.0042) shares the words of its original (I01)
        words = tuple(self._links.get(task.key) or self._links.get(task.key.split(".")[0]) or ())
        got = self._by_words.get(words)
        if got is None:
            ids = sorted({i for w in words for i in self._hits(w)})
            got = self._by_words[words] = tuple(self._rows[i] for i in ids)
        return got


def load_links() -> dict[str, list[str]]:
    """``plan_data/indicator_links.toml``: words that tie an indicator to the tasks behind it."""
    from lctasks.resources import bundled, read_toml

    path = bundled("indicator_links.toml")
    if not path.is_file():
        return {}
    data = read_toml(path)
    raw = data.get("links", {})
    return {str(k).upper(): [str(w) for w in v] for k, v in raw.items() if isinstance(v, list)}


def fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
