"""The meeting pack (调度会材料): one self-contained HTML page laid out for A4 print.

``render_pack`` turns a snapshot (``lctasks.snapshot.Snapshot``: from the ledger, or
read from a TOML file) plus, when the ledger is at hand, the monthly trend and the
plan's parts into one HTML document:

* cover: plan, date, the history point it was made from (chain head seq + hash,
  also as the anchor line in ``<meta name="lctasks-anchor">`` and the footer, which
  ``lctasks log --verify --against pack.html`` checks; see ``lctasks.formats.anchor``);
* totals; units ranked (排名) by overdue tasks and by completion;
* the red and yellow lists per unit; progress by part and chapter as bars;
* completion and overdue trend as an inline SVG chart;
* "since the last meeting" when the snapshot carries changes (``--since``).

Self-contained: no scripts, no links, no ``url()``, no external files or fonts; a CJK
font stack of fonts found on office machines (Noto / Source Han, Microsoft YaHei,
PingFang, SimSun). Big ledgers are summarised: each list shows its first entries
and counts the rest, so 100,000 tasks make a page of the same length as 1,000.
Deterministic: the same data give the same bytes (no clock).
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lctasks.clock import office_date
from lctasks.domain import Light, Status
from lctasks.formats.anchor import META_NAME, Anchor
from lctasks.labels import STATUS_ZH
from lctasks.lights import FINISHED

if TYPE_CHECKING:
    from lctasks.snapshot import Counts, Snapshot, SnapshotDiff, SnapshotTask

FONTS = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", '
    '"Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", '
    '"SimSun", "Noto Serif CJK SC", sans-serif'
)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    month: str  # 2025-06
    completed: int  # cumulative finished tasks at the month's end
    overdue: int  # unfinished and past the deadline at the month's end


@dataclass(frozen=True, slots=True)
class PackLimits:
    """How much of each list is printed; the rest is counted."""

    units: int = 80  # rows of the ranking (a city has about 60 units)
    per_unit_red: int = 5
    per_unit_yellow: int = 3
    list_units: int = 25  # units with a red/yellow list (most red first)
    changes: int = 12  # entries per "since last meeting" group
    indicators: int = 40  # indicators with actuals drawn


@dataclass(frozen=True, slots=True)
class PackInfo:
    tasks: int
    units: int
    red: int
    yellow: int
    anchor: Anchor
    summarised: bool  # some list was cut to its first entries


@dataclass(frozen=True, slots=True)
class Part:
    number: int
    title: str
    chapters: tuple[int, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class IndicatorView:
    """One indicator or quantified target with recorded actuals, as the pack draws it."""

    key: str
    target: str  # the target's label (``2.1``)
    name: str
    unit: str
    baseline: float | None
    goal: str  # the target as printed (number or text)
    actuals: tuple[tuple[int, float], ...]  # (year, value)
    expected: tuple[tuple[int, float], ...]  # the path: (year, expected value)
    light: Light | None
    reached: bool | None
    assessment: str = ""  # 达到 / 未达到 / 待评估 for a text target


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(n: int, d: int) -> float:
    return 100.0 * n / d if d else 0.0


def _done(c: Counts) -> int:
    return sum(c.status.get(s, 0) for s in FINISHED)


def _short(text: str, n: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: %FONTS%; font-size: 10.5pt; color: #1a1a1a; margin: 0; line-height: 1.5; }
main { max-width: 186mm; margin: 0 auto; }
h1 { font-size: 26pt; text-align: center; margin: 0 0 6mm; letter-spacing: 2pt; }
h2 { font-size: 14pt; border-left: 4pt solid #b71c1c; padding-left: 6pt; margin: 8mm 0 3mm;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
.cover { height: 250mm; display: flex; flex-direction: column; justify-content: center;
         text-align: center; break-after: page; page-break-after: always; }
.cover .plan { font-size: 16pt; margin-bottom: 4mm; }
.cover .date { font-size: 14pt; margin: 10mm 0; }
.cover .anchor { font-size: 8.5pt; color: #555; margin-top: 30mm; word-break: break-all; }
.cover .anchor code { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; font-size: 9.5pt; }
th, td { border: 0.6pt solid #999; padding: 1.2pt 3pt; vertical-align: top; }
th { background: #eef2f7; font-weight: bold; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.id { white-space: nowrap; font-size: 9pt; }
.totals { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin: 2mm 0; }
.tile { border: 0.8pt solid #bbb; border-radius: 2mm; padding: 2mm; text-align: center; }
.tile b { display: block; font-size: 17pt; }
.red { color: #b71c1c; } .yellow { color: #a66300; } .green { color: #1b5e20; }
.bar { position: relative; height: 9pt; background: #eceff1; border-radius: 1.5pt; }
.bar span { position: absolute; top: 0; left: 0; bottom: 0; background: #2e7d32;
            border-radius: 1.5pt; }
.bar span.red { background: #c62828; }
.more { color: #555; font-size: 9pt; margin: 0 0 2mm; }
.muted { color: #666; }
svg text { font-family: %FONTS%; }
footer { margin-top: 8mm; font-size: 8pt; color: #666; word-break: break-all; }
""".replace("%FONTS%", FONTS)


def render_pack(
    snap: Snapshot,
    *,
    trend: Sequence[TrendPoint] = (),
    parts: Sequence[Part] = (),
    limits: PackLimits = PackLimits(),
    title: str = "规划任务推进调度会材料",
    indicators: Sequence[IndicatorView] = (),
) -> tuple[str, PackInfo]:
    """The pack's HTML and what it holds."""
    anchor = Anchor(snap.plan.code, snap.history.seq, snap.history.hash, snap.as_of)
    tasks = snap.tasks
    totals = snap.totals
    summarised = False
    body: list[str] = []
    a = body.append

    # -- cover ------------------------------------------------------------------
    plan = snap.plan
    doc = f"（{_e(plan.doc_number)}）" if plan.doc_number else ""
    short = (
        f"#{anchor.seq} " + " ".join(anchor.hash[i : i + 4] for i in range(0, 16, 4))
        if anchor.hash
        else "—"
    )
    a('<section class="cover">')
    a(f"<h1>{_e(title)}</h1>")
    a(f'<div class="plan">{_e(plan.title)}{doc}</div>')
    a(f'<div class="plan muted">规划编码 {_e(plan.code)}</div>')
    a(
        f'<div class="date">数据截至 {snap.as_of.year} 年 {snap.as_of.month} 月 '
        f"{snap.as_of.day} 日</div>"
    )
    a(
        f'<div class="anchor">本材料依据台账历史点 <b>{_e(short)}</b> 生成'
        f"<br><code>{_e(anchor.text() or '—')}</code><br>"
        "核对：lctasks log --verify --against 本文件</div>"
    )
    a("</section>")

    # -- totals -----------------------------------------------------------------
    done = _done(totals)
    a("<h2>一、总体情况</h2>")
    a('<div class="totals">')
    for label, value, cls in (
        ("任务总数", f"{totals.tasks:,}", ""),
        ("已完成（含销号）", f"{done:,}（{_pct(done, totals.tasks):.1f}%）", "green"),
        ("逾期未完成", f"{totals.overdue:,}", "red"),
        ("红灯 / 黄灯", f"{totals.light[Light.RED]:,} / {totals.light[Light.YELLOW]:,}", "red"),
    ):
        a(f'<div class="tile"><b class="{cls}">{value}</b>{_e(label)}</div>')
    a("</div>")
    a("<table><tr>" + "".join(f"<th>{_e(STATUS_ZH[s])}</th>" for s in Status) + "</tr><tr>")
    a("".join(f'<td class="n">{totals.status[s]:,}</td>' for s in Status) + "</tr></table>")

    # -- ranking ----------------------------------------------------------------
    from lctasks.snapshot import UNASSIGNED

    units = {u: c for u, c in snap.units.items() if c.tasks and u != UNASSIGNED}
    unassigned = snap.units.get(UNASSIGNED)
    by_completion = sorted(units, key=lambda u: (-_pct(_done(units[u]), units[u].tasks), u))
    completion_rank = {u: i for i, u in enumerate(by_completion, 1)}
    ranked = sorted(
        units, key=lambda u: (-units[u].overdue, _pct(_done(units[u]), units[u].tasks), u)
    )
    a("<h2>二、单位排名</h2>")
    a(
        '<p class="muted">按逾期未完成任务数从多到少排列（同数时完成率低者在前）；'
        "完成率排名按已完成（含销号）占比从高到低。</p>"
    )
    a(
        '<table><tr><th class="n">逾期排名</th><th>单位</th><th class="n">任务</th>'
        '<th class="n">已完成</th><th class="n">完成率</th><th class="n">完成率排名</th>'
        '<th class="n">逾期</th><th class="n">红灯</th><th class="n">黄灯</th></tr>'
    )
    for i, u in enumerate(ranked[: limits.units], 1):
        c = units[u]
        d = _done(c)
        a(
            f'<tr><td class="n">{i}</td><td>{_e(u)}</td><td class="n">{c.tasks:,}</td>'
            f'<td class="n">{d:,}</td><td class="n">{_pct(d, c.tasks):.1f}%</td>'
            f'<td class="n">{completion_rank[u]}</td>'
            f'<td class="n red">{c.overdue:,}</td><td class="n">{c.light[Light.RED]:,}</td>'
            f'<td class="n">{c.light[Light.YELLOW]:,}</td></tr>'
        )
    a("</table>")
    if len(ranked) > limits.units:
        summarised = True
        a(f'<p class="more">另有 {len(ranked) - limits.units} 个单位未列出。</p>')
    if unassigned is not None and unassigned.tasks:
        a(
            f'<p class="more">另有 {unassigned.tasks:,} 项任务尚未明确牵头单位'
            f"（红灯 {unassigned.light[Light.RED]:,} 项），不参加排名。</p>"
        )

    # -- red and yellow lists per unit ---------------------------------------
    red: dict[str, list[SnapshotTask]] = defaultdict(list)
    yellow: dict[str, list[SnapshotTask]] = defaultdict(list)
    for x in tasks:
        if x.light == Light.RED:
            red[x.lead or "未分配"].append(x)
        elif x.light == Light.YELLOW:
            yellow[x.lead or "未分配"].append(x)
    n_red, n_yellow = sum(map(len, red.values())), sum(map(len, yellow.values()))
    a("<h2>三、红灯、黄灯任务（按牵头单位）</h2>")
    a(
        f'<p class="muted">红灯 {n_red:,} 项、黄灯 {n_yellow:,} 项。'
        "每个单位先列逾期最久的红灯任务，再列临近期限的黄灯任务；超出部分只计数。</p>"
    )
    order = sorted(set(red) | set(yellow), key=lambda u: (-len(red[u]), -len(yellow[u]), u))
    for u in order[: limits.list_units]:
        reds = sorted(red[u], key=lambda x: (x.due, x.id))
        yellows = sorted(yellow[u], key=lambda x: (x.due, x.id))
        a('<div class="unit">')
        a(f"<h3>{_e(u)}：红灯 {len(reds):,} 项，黄灯 {len(yellows):,} 项</h3>")
        shown = reds[: limits.per_unit_red] + yellows[: limits.per_unit_yellow]
        if shown:
            a(
                "<table><tr><th>灯</th><th>任务编号</th><th>任务</th><th>完成时限</th>"
                '<th>状态</th><th class="n">进度</th><th>上次报送</th></tr>'
            )
            for x in shown:
                light = "红" if x.light == Light.RED else "黄"
                cls = "red" if x.light == Light.RED else "yellow"
                last = office_date(x.latest_report.at).isoformat() if x.latest_report else "—"
                a(
                    f'<tr><td class="{cls}">{light}</td><td class="id">{_e(x.id)}</td>'
                    f'<td>{_e(_short(x.title))}</td><td class="id">{x.due.isoformat()}</td>'
                    f'<td>{_e(STATUS_ZH[x.status])}</td><td class="n">{x.progress}%</td>'
                    f'<td class="id">{last}</td></tr>'
                )
            a("</table>")
        rest_r = len(reds) - min(len(reds), limits.per_unit_red)
        rest_y = len(yellows) - min(len(yellows), limits.per_unit_yellow)
        if rest_r or rest_y:
            summarised = True
            a(f'<p class="more">另有红灯 {rest_r:,} 项、黄灯 {rest_y:,} 项未列出。</p>')
        a("</div>")
    if len(order) > limits.list_units:
        summarised = True
        rest = order[limits.list_units :]
        a(
            f'<p class="more">另有 {len(rest)} 个单位有红黄灯任务（红灯 '
            f"{sum(len(red[u]) for u in rest):,} 项、黄灯 {sum(len(yellow[u]) for u in rest):,} "
            "项）未列出。</p>"
        )

    # -- progress by part / chapter -------------------------------------------
    a("<h2>四、分篇章推进情况</h2>")
    a('<p class="muted">绿条：已完成（含销号）占比；红条：红灯占比。</p>')
    a(
        '<table><tr><th>篇章</th><th class="n">任务</th><th class="n">完成率</th>'
        '<th style="width:34%">完成</th><th class="n">红灯</th>'
        '<th style="width:16%">红灯占比</th></tr>'
    )
    chapters = snap.chapters
    groups: list[tuple[Part | None, list[int]]] = []
    placed: set[int] = set()
    for p in parts:
        chs = [c for c in p.chapters if c in chapters and chapters[c].tasks]
        if chs:
            groups.append((p, chs))
            placed.update(chs)
    rest_ch = [c for c in sorted(chapters) if c not in placed and chapters[c].tasks]
    if rest_ch:
        groups.append((None, rest_ch))
    for grp, chs in groups:
        if grp is not None:
            agg_tasks = sum(chapters[ch].tasks for ch in chs)
            agg_done = sum(_done(chapters[ch]) for ch in chs)
            agg_red = sum(chapters[ch].light[Light.RED] for ch in chs)
            a(_bar_row(f"<b>第{grp.number}篇 {_e(grp.title)}</b>", agg_tasks, agg_done, agg_red))
        for ch in chs:
            cc = chapters[ch]
            label = f"第{ch}章 {_e(cc.title)}"
            a(
                _bar_row(
                    "　" + label if grp is not None else label,
                    cc.tasks,
                    _done(cc),
                    cc.light[Light.RED],
                )
            )
    a("</table>")

    # -- trend -------------------------------------------------------------------
    a("<h2>五、完成与逾期趋势</h2>")
    if trend:
        a(_trend_svg(trend))
    else:
        a('<p class="muted">（未连接台账历史，无法绘制趋势。）</p>')

    # -- since the last meeting -----------------------------------------------
    if snap.changes is not None:
        a("<h2>六、自上次调度会以来</h2>")
        summarised |= _since(a, snap.changes, snap.task_map(), limits)

    if indicators:
        n = "七" if snap.changes is not None else "六"
        a(f"<h2>{n}、指标监测（已录入实际值的指标）</h2>")
        summarised |= _indicators(a, indicators, limits)

    a(f"<footer>{_e(anchor.text())}</footer>")
    doc_html = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta name="{META_NAME}" content="{_e(anchor.text())}">',
            '<meta name="generator" content="lctasks">',
            f"<title>{_e(title)}（截至 {snap.as_of.isoformat()}）</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body><main>",
            *body,
            "</main></body>",
            "</html>",
            "",
        ]
    )
    info = PackInfo(len(tasks), len(units), n_red, n_yellow, anchor, summarised)
    return doc_html, info


LIGHT_ZH = {Light.RED: ("红", "red"), Light.YELLOW: ("黄", "yellow"), Light.GREEN: ("绿", "green")}


def fmt_number(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _indicators(
    a: Callable[[str], None], rows: Sequence[IndicatorView], limits: PackLimits
) -> bool:
    a(
        '<p class="muted">实线：实际值；虚线：规划路径（按基期值和目标值推算的当年应达值）。'
        "灯：按最近一年实际值与应达值比较。</p>"
    )
    a(
        '<table><tr><th>编号</th><th>指标</th><th class="n">基期</th><th class="n">目标</th>'
        '<th class="n">最近实际</th><th class="n">应达</th><th>灯</th>'
        '<th style="width:32%">走势</th></tr>'
    )
    shown = rows[: limits.indicators]
    for r in shown:
        last_year, last = r.actuals[-1] if r.actuals else (None, None)
        expected = dict(r.expected).get(last_year) if last_year is not None else None
        light, cls = LIGHT_ZH.get(r.light, ("—", "muted")) if r.light else ("—", "muted")
        now = (
            f"{fmt_number(last)}（{last_year}）"
            if last_year is not None
            else _e(r.assessment or "—")
        )
        a(
            f'<tr><td class="id">{_e(r.key)} {_e(r.target)}</td>'
            f"<td>{_e(_short(r.name, 22))}{'（' + _e(r.unit) + '）' if r.unit else ''}</td>"
            f'<td class="n">{fmt_number(r.baseline)}</td><td class="n">{_e(r.goal)}</td>'
            f'<td class="n">{now}</td><td class="n">{fmt_number(expected)}</td>'
            f'<td class="{cls}">{light}</td><td>{_spark(r)}</td></tr>'
        )
    a("</table>")
    if len(rows) > len(shown):
        a(f'<p class="more">另有 {len(rows) - len(shown)} 项指标未列出。</p>')
        return True
    return False


def _spark(r: IndicatorView) -> str:
    """A small chart: the expected path (dashed) and the actuals (solid, dots)."""
    pts = list(r.expected) + list(r.actuals)
    if not pts:
        return ""
    w, h, pad = 200, 54, 6
    years = [y for y, _ in pts]
    values = [v for _, v in pts]
    y0, y1 = min(years), max(years)
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1

    def x(year: int) -> float:
        return pad + (w - 2 * pad) * ((year - y0) / (y1 - y0) if y1 > y0 else 0.5)

    def y(v: float) -> float:
        return h - pad - (h - 2 * pad) * (v - lo) / (hi - lo)

    out = [f'<svg viewBox="0 0 {w} {h}" width="100%" height="{h}" role="img">']
    if len(r.expected) > 1:
        line = " ".join(f"{x(yy):.1f},{y(v):.1f}" for yy, v in r.expected)
        out.append(
            f'<polyline points="{line}" fill="none" stroke="#888" stroke-width="1.2" '
            'stroke-dasharray="4 3"/>'
        )
    color = {Light.RED: "#c62828", Light.YELLOW: "#a66300"}.get(r.light or Light.GREEN, "#2e7d32")
    if len(r.actuals) > 1:
        line = " ".join(f"{x(yy):.1f},{y(v):.1f}" for yy, v in r.actuals)
        out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="1.8"/>')
    for yy, v in r.actuals:
        out.append(f'<circle cx="{x(yy):.1f}" cy="{y(v):.1f}" r="2.4" fill="{color}"/>')
    out.append(
        f'<text x="{pad}" y="{h - 1}" font-size="8">{y0}</text>'
        f'<text x="{w - pad}" y="{h - 1}" font-size="8" text-anchor="end">{y1}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _bar_row(label: str, tasks: int, done: int, red: int) -> str:
    p, r = _pct(done, tasks), _pct(red, tasks)
    return (
        f'<tr><td>{label}</td><td class="n">{tasks:,}</td><td class="n">{p:.1f}%</td>'
        f'<td><div class="bar"><span style="width:{p:.1f}%"></span></div></td>'
        f'<td class="n">{red:,}</td>'
        f'<td><div class="bar"><span class="red" style="width:{r:.1f}%"></span></div></td></tr>'
    )


def _trend_svg(trend: Sequence[TrendPoint]) -> str:
    w, h = 680, 240
    left, right, top, bottom = 52, 16, 22, 40
    pw, ph = w - left - right, h - top - bottom
    peak = max(1, *(max(t.completed, t.overdue) for t in trend))
    step = _nice(peak)
    ymax = step * -(-peak // step)
    n = len(trend)

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: int) -> float:
        return top + ph - ph * v / ymax

    out = [
        f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="完成与逾期趋势">',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#bbb"/>',
    ]
    v = 0
    while v <= ymax:
        yy = y(v)
        out.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 4}" y="{yy + 4:.1f}" font-size="10" text-anchor="end">{v:,}</text>'
        )
        v += step
    every = max(1, -(-n // 12))
    for i, t in enumerate(trend):
        if (i % every == 0 and n - 1 - i >= every) or i == n - 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{top + ph + 14}" font-size="9.5" '
                f'text-anchor="middle">{_e(t.month)}</text>'
            )
    for attr, color in (("completed", "#2e7d32"), ("overdue", "#c62828")):
        pts = " ".join(f"{x(i):.1f},{y(getattr(t, attr)):.1f}" for i, t in enumerate(trend))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
        last = trend[-1]
        out.append(
            f'<circle cx="{x(n - 1):.1f}" cy="{y(getattr(last, attr)):.1f}" r="3" fill="{color}"/>'
        )
    ly = h - 10
    out.append(
        f'<rect x="{left}" y="{ly - 8}" width="14" height="4" fill="#2e7d32"/>'
        f'<text x="{left + 18}" y="{ly}" font-size="10.5">'
        f"累计完成（{trend[-1].completed:,}）</text>"
        f'<rect x="{left + 170}" y="{ly - 8}" width="14" height="4" fill="#c62828"/>'
        f'<text x="{left + 188}" y="{ly}" font-size="10.5">'
        f"逾期未完成（{trend[-1].overdue:,}）</text>"
    )
    out.append("</svg>")
    return "".join(out)


def _nice(peak: int) -> int:
    raw = max(1, peak // 5)
    mag: int = 10 ** (len(str(raw)) - 1)
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


SINCE_GROUPS = (
    ("newly_done", "新完成（待销号）"),
    ("newly_closed", "新销号"),
    ("returned", "退回重办"),
    ("newly_red", "新亮红灯"),
    ("newly_yellow", "新亮黄灯"),
    ("back_to_green", "转为绿灯"),
    ("reassigned", "分配/改派"),
    ("due_moved", "期限调整"),
    ("added", "新增任务"),
    ("removed", "移除任务"),
)


def _since(
    a: Callable[[str], None],
    d: SnapshotDiff,
    tasks: Mapping[str, SnapshotTask],
    limits: PackLimits,
) -> bool:
    cut = False
    a(
        f'<p class="muted">对比 {d.old_as_of.isoformat()}（事件 #{d.old_seq}）与 '
        f"{d.new_as_of.isoformat()}（事件 #{d.new_seq}）。</p>"
    )
    a('<table><tr><th>变化</th><th class="n">数量</th><th>任务（前若干项）</th></tr>')
    for name, label in SINCE_GROUPS:
        items = getattr(d, name)
        ids = [i if isinstance(i, str) else i.task for i in items]
        if not ids:
            continue
        shown = []
        for tid in ids[: limits.changes]:
            x = tasks.get(tid)
            shown.append(f"{_e(tid)} {_e(_short(x.title, 24))}" if x else _e(tid))
        more = ""
        if len(ids) > limits.changes:
            cut = True
            more = f'<br><span class="more">…另有 {len(ids) - limits.changes:,} 项</span>'
        a(
            f'<tr><td>{_e(label)}</td><td class="n">{len(ids):,}</td>'
            f"<td>{'；'.join(shown)}{more}</td></tr>"
        )
    if not d:
        a('<tr><td colspan="3">两次调度会之间没有变化。</td></tr>')
    a("</table>")
    return cut
