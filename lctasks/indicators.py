"""Indicators and quantified targets as numbers: the expected path and the judgement.

An indicator is judged by what was actually reached, year by year, against the
path the plan sets from its baseline to its target. Standard library only; the
services feed it the recorded actuals, the faces render its results.

How a printed row becomes a path (``spec_from_indicator``), the plan's table
columns being 2020 (baseline), 2025 (target level) and 年均/[累计] (annual):

==========================================  =========================  =====================
printed                                     path                       expected in year y
==========================================  =========================  =====================
a growth rate (增速, 增长, 降低; %), annual  ``each_year``              the annual value, every
  ``≥6`` / ``7`` / ``5左右``                                            year (the light and the
                                                                       final verdict use the
                                                                       geometric mean so far)
a share or rate (占比, 比重, 率; %), annual  ``points``                 B + a·(y − y₀), in
  ``2左右`` — percentage points a year                                 percentage points
baseline B and target T, an annual column   ``linear``                 B + (T − B)·(y − y₀)/(t − y₀)
  that is the yearly increment (B + 5a ≈ T)
baseline B and target T otherwise           ``compound``               B·(T/B)^((y − y₀)/(t − y₀))
no baseline, a target T                     ``final``                  T, judged in year t only
no number (完成省分解任务, 高于全省平均水平)      ``text``                   judged by an assessment
==========================================  =========================  =====================

A quantified target inside a task's text (``spec_from_target``): ``每年`` → ``each_year``;
a value with a deadline → ``final`` (or ``linear`` once a baseline — an actual for the
base year — is recorded); no value → ``text``.

Comparison: ``≥ > 以上 不少于 不低于 力争 突破 达到`` at least; ``≤ < 以内 以下 不超过 控制在``
at most; ``左右 约`` about, with a tolerance (``about_tolerance``, relative to the
expected value, 5 % by default). A bare number is "at least" (the plan's numbers are
floors unless it says otherwise).

The light (the same 序时进度 bands as every task, in points of the planned change):

* the expected value is met (within the tolerance for 左右) → green;
* otherwise ``behind`` = the shortfall as points of the planned change
  (``linear``/``compound``: T − B; ``points``: a·(t − y₀); ``each_year``/``final``: the
  expected value itself) — below ``yellow_behind_points`` green, up to
  ``red_behind_points`` yellow, beyond red;
* in or after the target year, a missed target is red whatever the shortfall;
* no actual yet → no numeric light (``None``): the task's own light applies;
* ``text`` → the latest assessment: 达到 green, 未达到 red, 待评估 yellow.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from lctasks.domain import Light


class Compare(enum.StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    ABOUT = "about"

    @property
    def sign(self) -> str:
        return {"at_least": "≥", "at_most": "≤", "about": "≈"}[self.value]


class PathKind(enum.StrEnum):
    EACH_YEAR = "each_year"
    POINTS = "points"
    LINEAR = "linear"
    COMPOUND = "compound"
    FINAL = "final"
    TEXT = "text"


class Assessment(enum.StrEnum):
    """The verdict on a text target, recorded by a person with its evidence."""

    REACHED = "reached"
    NOT_REACHED = "not_reached"
    PENDING = "pending"

    @property
    def label(self) -> str:
        return {"reached": "达到", "not_reached": "未达到", "pending": "待评估"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Assessment | None:
        t = text.strip().lower()
        for a in cls:
            if t in (a.value, a.label, a.value.replace("_", "-")):
                return a
        return None


_AT_MOST_WORDS = ("≤", "<", "以内", "以下", "不超过", "不高于", "控制在", "低于")
_AT_LEAST_WORDS = ("≥", ">", "以上", "不少于", "不低于", "力争", "突破", "达到", "超过")
_ABOUT_WORDS = ("左右", "约")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_GROWTH_NAME = re.compile(r"增速|增长|增长速度|降低|下降")
_RATIO_NAME = re.compile(r"占比|比重|比率|率|之比|比例")


def explicit_compare(text: str) -> Compare | None:
    """The comparison the words of a printed value state, if any."""
    if any(w in text for w in _ABOUT_WORDS):
        return Compare.ABOUT
    if any(w in text for w in _AT_MOST_WORDS):
        return Compare.AT_MOST
    if any(w in text for w in _AT_LEAST_WORDS):
        return Compare.AT_LEAST
    return None


def compare_of(text: str) -> Compare:
    """The comparison a printed value implies (``≥6`` at least, ``5左右`` about)."""
    return explicit_compare(text) or Compare.AT_LEAST


def number_of(text: str) -> float | None:
    """The number in a printed cell: ``约1.9`` 1.9, ``预计2.3`` 2.3, ``—`` None."""
    m = _NUMBER.search(text.replace("，", "").replace(",", ""))
    return float(m.group()) if m else None


@dataclass(frozen=True, slots=True)
class Spec:
    """What a number is judged against."""

    name: str
    unit: str
    path: PathKind
    compare: Compare = Compare.AT_LEAST
    baseline: float | None = None
    base_year: int = 2020
    target: float | None = None  # the level in target_year
    annual: float | None = None  # each_year: the yearly value; points: pp a year
    target_year: int = 2025
    text: str = ""  # a text target, as printed
    binding: bool = False
    growth: bool = False  # each_year of a growth rate: average geometrically

    @property
    def annual_unit(self) -> str:
        return "个百分点" if self.path is PathKind.POINTS else self.unit

    def with_baseline(self, year: int, value: float) -> Spec:
        """The same target with a recorded baseline (e.g. an actual for the base year)."""
        path = self.path
        if path is PathKind.FINAL and self.target is not None:
            path = PathKind.LINEAR
        return replace(self, path=path, baseline=value, base_year=year)

    def expected(self, year: int) -> float | None:
        """The value the path expects in ``year`` (None: no numeric expectation)."""
        span = self.target_year - self.base_year
        k = min(max(year - self.base_year, 0), span) if span > 0 else 0
        match self.path:
            case PathKind.EACH_YEAR:
                return self.annual
            case PathKind.POINTS:
                if self.baseline is None or self.annual is None:
                    return None
                return self.baseline + self.annual * k
            case PathKind.LINEAR:
                if self.baseline is None or self.target is None or span <= 0:
                    return self.target
                return self.baseline + (self.target - self.baseline) * k / span
            case PathKind.COMPOUND:
                b, t = self.baseline, self.target
                if b is None or t is None or b <= 0 or t <= 0 or span <= 0:
                    return t
                return float(b * (t / b) ** (k / span))
            case PathKind.FINAL:
                return self.target if year >= self.target_year else None
        return None

    def planned_change(self) -> float | None:
        """The scale of the 'points behind' measure (see the module doc)."""
        span = self.target_year - self.base_year
        if self.path in (PathKind.LINEAR, PathKind.COMPOUND):
            if self.baseline is not None and self.target is not None:
                return abs(self.target - self.baseline) or None
            return abs(self.target) if self.target else None
        if self.path is PathKind.POINTS and self.annual is not None:
            return abs(self.annual * span) or None
        if self.path is PathKind.EACH_YEAR and self.annual is not None:
            return abs(self.annual) or None
        if self.path is PathKind.FINAL and self.target is not None:
            return abs(self.target) or None
        return None


def spec_from_indicator(
    name: str,
    cells: Mapping[str, str],
    *,
    base_year: int = 2020,
    target_year: int = 2025,
) -> Spec:
    """A row of the main-indicator table as a :class:`Spec`.

    ``cells`` are the printed columns: the baseline (``{base_year}年``), the target
    (``{target_year}年``), ``年均/[累计]`` and ``属性`` (约束性 = binding).
    """
    base_cell = cells.get(f"{base_year}年", "").strip()
    target_cell = cells.get(f"{target_year}年", "").strip()
    annual_cell = cells.get("年均/[累计]", "").strip()
    binding = "约束" in cells.get("属性", "")
    unit_m = re.search(r"[（(]([^）)]+)[）)]\s*$", name)
    unit = unit_m.group(1) if unit_m else ""
    title = re.sub(r"[（(][^）)]+[）)]\s*$", "", name).strip()
    baseline = number_of(base_cell) if base_cell not in ("", "—", "-") else None
    target = number_of(target_cell) if target_cell not in ("", "—", "-") else None
    annual = number_of(annual_cell) if annual_cell not in ("", "—", "-") else None
    common = {"name": title, "unit": unit, "base_year": base_year, "target_year": target_year}
    common["binding"] = binding
    if target is None and annual is None:
        return Spec(path=PathKind.TEXT, text=target_cell, **common)  # type: ignore[arg-type]
    if target is None and annual is not None:
        cmp = compare_of(annual_cell)
        if unit == "%" and _GROWTH_NAME.search(title):
            return Spec(
                path=PathKind.EACH_YEAR,
                compare=cmp,
                baseline=baseline,
                annual=annual,
                growth=True,
                **common,  # type: ignore[arg-type]
            )
        if unit == "%" and _RATIO_NAME.search(title):
            return Spec(
                path=PathKind.POINTS,
                compare=cmp,
                baseline=baseline,
                annual=annual,
                **common,  # type: ignore[arg-type]
            )
        return Spec(
            path=PathKind.EACH_YEAR,
            compare=cmp,
            baseline=baseline,
            annual=annual,
            **common,  # type: ignore[arg-type]
        )
    assert target is not None
    cmp = explicit_compare(target_cell) or (
        Compare.AT_MOST if baseline is not None and target < baseline else Compare.AT_LEAST
    )
    if baseline is None:
        return Spec(path=PathKind.FINAL, compare=cmp, target=target, **common)  # type: ignore[arg-type]
    path = PathKind.LINEAR
    if annual is not None:
        span = target_year - base_year
        linear_end = baseline + annual * span
        if abs(linear_end - target) > 0.05 * max(abs(target), 1e-9):
            path = PathKind.COMPOUND
    return Spec(
        path=path,
        compare=cmp,
        baseline=baseline,
        target=target,
        annual=annual,
        **common,  # type: ignore[arg-type]
    )


def spec_from_target(
    target: Mapping[str, object], *, name: str = "", base_year: int = 2020
) -> Spec:
    """A quantified target of a checklist item (``{text, value, unit, deadline, yearly}``)."""
    text = str(target.get("text") or "")
    raw_value = target.get("value")
    value = float(raw_value) if isinstance(raw_value, int | float) else None
    unit = str(target.get("unit") or "")
    deadline = str(target.get("deadline") or "")
    year = int(deadline[:4]) if deadline[:4].isdigit() else 2025
    qualifier = str(target.get("qualifier") or "")
    cmp = compare_of(qualifier or text)
    label = name or text
    if value is None:
        return Spec(label, unit, PathKind.TEXT, cmp, target_year=year, text=text)
    if target.get("yearly"):
        return Spec(
            label,
            unit,
            PathKind.EACH_YEAR,
            cmp,
            annual=value,
            base_year=base_year,
            target_year=year,
        )
    return Spec(
        label, unit, PathKind.FINAL, cmp, target=value, base_year=base_year, target_year=year
    )


@dataclass(frozen=True, slots=True)
class Thresholds:
    yellow_behind_points: float = 10.0
    red_behind_points: float = 30.0
    about_tolerance: float = 0.05


@dataclass(frozen=True, slots=True)
class Judgement:
    """A number (or an assessment) against what the path expects."""

    light: Light | None  # None: nothing recorded yet
    year: int | None = None  # the year judged
    actual: float | None = None  # the value compared (the mean so far for each_year)
    expected: float | None = None
    met: bool | None = None
    behind_points: float | None = None
    assessment: Assessment | None = None
    years: tuple[tuple[int, float], ...] = field(default=())  # the actuals used
    complete: bool = False  # the actuals reach the target year (each year of it, if yearly)

    @property
    def reached(self) -> bool | None:
        """The final verdict: None until the numbers of the whole period are in."""
        if self.assessment is not None:
            return {Assessment.REACHED: True, Assessment.NOT_REACHED: False}.get(self.assessment)
        return self.met if self.complete else None


def mean_so_far(spec: Spec, values: Sequence[float]) -> float:
    """Geometric mean for growth rates (percent a year), arithmetic otherwise."""
    if not values:
        raise ValueError("no values")
    if spec.growth:
        prod = math.prod(1 + v / 100 for v in values)
        if prod <= 0:
            return sum(values) / len(values)
        return (prod ** (1 / len(values)) - 1) * 100
    return sum(values) / len(values)


def judge(
    spec: Spec,
    actuals: Mapping[int, float],
    *,
    year: int,
    thresholds: Thresholds = Thresholds(),
    assessment: Assessment | None = None,
) -> Judgement:
    """Judge ``spec`` with the actuals recorded up to ``year`` (``{year: value}``)."""
    if spec.path is PathKind.TEXT:
        light = {
            Assessment.REACHED: Light.GREEN,
            Assessment.NOT_REACHED: Light.RED,
            Assessment.PENDING: Light.YELLOW,
            None: None,
        }[assessment]
        return Judgement(light, assessment=assessment)
    # a recorded actual for the base year is the baseline when the plan printed none
    if spec.baseline is None and spec.base_year in actuals:
        spec = spec.with_baseline(spec.base_year, actuals[spec.base_year])
    used = sorted((y, v) for y, v in actuals.items() if spec.base_year < y <= year)
    if not used:
        return Judgement(None, years=())
    last_year, last_value = used[-1]
    if spec.path is PathKind.EACH_YEAR:
        actual = mean_so_far(spec, [v for _, v in used])
        expected = spec.annual
    elif spec.path is PathKind.FINAL and last_year < spec.target_year:
        # no path without a baseline: before the target year there is nothing to judge
        return Judgement(None, last_year, last_value, None, years=tuple(used))
    else:
        actual = last_value
        expected = spec.expected(last_year)
    if expected is None:
        return Judgement(None, last_year, actual, None, years=tuple(used))
    if spec.path is PathKind.EACH_YEAR:
        have = {y for y, _ in used}
        complete = all(y in have for y in range(spec.base_year + 1, spec.target_year + 1))
    else:
        complete = last_year >= spec.target_year
    band = thresholds.about_tolerance * abs(expected) if spec.compare is Compare.ABOUT else 0.0
    shortfall = (actual - expected) if spec.compare is Compare.AT_MOST else (expected - actual)
    met = shortfall <= band + 1e-9
    if met:
        return Judgement(
            Light.GREEN,
            last_year,
            actual,
            expected,
            True,
            0.0,
            years=tuple(used),
            complete=complete,
        )
    scale = spec.planned_change() or abs(expected) or 1.0
    behind = round((shortfall - band) / scale * 100, 1)
    if last_year >= spec.target_year:
        light = Light.RED  # the target year has come and the target was missed
    elif behind < thresholds.yellow_behind_points:
        light = Light.GREEN
    elif behind <= thresholds.red_behind_points:
        light = Light.YELLOW
    else:
        light = Light.RED
    return Judgement(
        light, last_year, actual, expected, False, behind, years=tuple(used), complete=complete
    )


def worst(lights: Sequence[Light | None]) -> Light | None:
    """The worst of several lights (red over yellow over green); None when none is set."""
    order = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}
    present = [x for x in lights if x is not None]
    return min(present, key=order.__getitem__) if present else None
