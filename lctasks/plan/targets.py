"""Commitments, quantified targets and deadlines inside a task's text.

Commitments: the text is split into sentences at 。！？ and ；, never inside
quotes, brackets or book-title marks (“…”, （…）, 《…》). Each sentence is one
checklist item (without its closing punctuation).

Deadlines (per the domain notes):
    到2025年 / 至2025年 / 2025年底前            → 2025-12-31, explicit
    到2022年                                   → 2022-12-31, explicit
    到二〇三五年 / 到2035年                      → 2035-12-31, explicit (beyond the plan:
                                                 kept on the target, never the task due)
    ，2027年与全省同步实现…  (a clause opening    → 2027-12-31, explicit (same)
    with a year inside or after the plan)
    用3年时间 / 用三年时间 / 3年内              → the end of the n-th plan year, explicit
    用两年左右的时间                              (3 → 2023-12-31, 两 → 2022-12-31; counted
                                                 from the plan's first year, end year − 4)
    “十四五”期间 / “十四五”末 / “十四五”时期 /    → the plan end, explicit
    未来五年 / 五年内
    每年                                       → yearly cadence (check-ins every year,
                                                 final due at the plan end)
    nothing                                    → the plan end, inferred

Quantified targets. Every quantity in a commitment is a target, except what
is not a quantity or not a commitment:

* a quantity is a number (``100``, ``0.6363``) with a unit — money (亿元, 万美元),
  %, ‰, 百分点, energy and power (万千瓦, 千伏安, 千瓦时), mass (万吨, 亿斤, 吨标准煤),
  area and length (万亩, 平方米, 公里), people (万人, 人次, 名), and the Chinese
  counting units (家, 个, 所, 座, 条, 项, 处, 张, 批, 台套, 套, 辆, 床, 令 …);
* several quantities in one clause are several targets (``培育千亿级产业2个、
  800亿级产业1个、500亿级产业3个`` → 2 个, 1 个, 3 个);
* a range is one target with both ends (``25%-35%`` → 25–35 %, ``1-2个`` → 1–2 个),
  kind ``range``; a ratio (``1.42:1``; a colon between digits never splits a
  clause) is kind ``ratio``, value 1.42, unit ``:1``;
* a bare number without a unit counts only when a level frames it: a qualifier
  after it and a level verb (达到, 达, 保持在, 稳定在, 控制在 …) before it or a
  decimal point (``保持在0.6363以上``, ``达3.8以上``);
* the words around the value are kept: before it 不少于, 不低于, 不超过, 超过,
  至少, 约, 近, and 力争 anywhere earlier in the clause (``before``); after it
  以上, 及以上, 左右, 以内, 以下 (``after``) — ``100个左右`` stays 100个左右;
* a number that names a class or a model is not the quantity: followed by 千伏,
  kV, G, A级, 级, 星, 号, 版, 代, 强, 小时, 分钟, or preceded by a Latin letter,
  ± or 第 (``500千伏变电站2座`` → 2 座; ``35-110kV变电站56座`` → 56 座; 5G,
  IPv6, 4A级, 800亿级, 世界500强, 国道105 are not quantities); a year
  (``2025年``) or a number inside 《…》 never is;
* never a baseline: a clause that says where things stood — it names a year
  before the plan (``2020年…``, but not ``比2020年增长…``), or 十三五期间 /
  现有 / 已有 / 已经 / 已建成 / 目前 — gives no target, and a sentence that opens
  with such a year gives none at all; a count right after 我市 / 现有 / 已有 /
  拥有 is what exists (``更好发挥我市39家国家级科技创新平台``);
* in a measure or goal, a quantity counts when the sentence states a deadline or
  每年, or within its clause a target verb precedes it (达到, 突破, 力争, 新增,
  培育, 建成, 新（扩）建, 争取, 入选, 改造 …), or a qualifier follows it, or it is
  a range; in a project item every quantity counts (its scale: ``年产10万吨…
  项目`` → 10 万吨).

A sentence with a deadline or 每年 but no number still gets a Target (value
None) so that its date or cadence is visible on the checklist. Indicator-table
targets (merged cells, text targets, percentage points): lctasks.plan.tasks.

The task's due date. A supervisor expects a task to fall due when its last
commitment does: commitments with no date run to the plan end. So the due is
the latest deadline among the task's commitments, counting an undated one as
the plan end, deadlines beyond the plan (2035) ignored:
    - all dated, or the latest stated date is the plan end → that date, EXPLICIT,
      ``due_text`` the words it came from (``到2025年``);
    - an earlier stated date (到2022年) next to undated commitments → the plan
      end, INFERRED; the 2022 milestone stays on its checklist item;
    - only 每年 → the plan end, YEARLY, ``due_text`` 每年;
    - nothing → the plan end, INFERRED, ``due_text`` ''.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass

from lctasks.domain import ChecklistDraft, DueBasis, Target

_OPEN = "“‘（(《〈「『【"
_CLOSE = "”’）)》〉」』】"
_ENDS = "。！？!?；;"

_CN_DIGIT = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4"}
_CN_DIGIT |= {"五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}

_DEADLINE = re.compile(
    r"(?:(?:到|至|截至|截止到?)(?P<y1>\d{4})年(?:底|末)?(?:前)?"
    r"|(?P<y2>\d{4})年(?:底|末)前"
    r"|(?:^|(?<=[，,；;]))(?P<y3>\d{4})年(?=[^\d，,）)])"
    r"|(?:到|至)(?P<cn>[〇零一二三四五六七八九]{4})年)"
)
_CN_DIGITS = "〇一二三四五六七八九"


@functools.cache
def plan_period(plan_end: dt.date) -> re.Pattern[str] | None:
    """“十四五”期间 / “十四五”末 for the five-year plan that ends with ``plan_end``.

    Taken from the plan, not written in: the N-th five-year plan ends in
    1955 + 5N (the 14th, 十四五, in 2025; the 15th, 十五五, in 2030).
    """
    n, rest = divmod(plan_end.year - 1955, 5)
    if rest or not 10 <= n <= 19:
        return None
    name = "十" + (_CN_DIGITS[n - 10] if n > 10 else "") + "五"
    return re.compile(rf"“?{name}”?(?:期间|末|时期)|未来五年|五年内")


_WITHIN_YEARS = re.compile(
    r"用(?P<n>\d|[一二两三四五])年(?:左右)?(?:的)?时间|(?P<m>\d|[一二两三四五])年内"
)
_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}

_NUMBER = r"\d+(?:\.\d+)?"
_UNITS = (
    # longest first inside each family; a number followed by none of these is only a
    # target when a qualifier or a level verb frames it (0.6363以上, 达3.8以上)
    "个百分点|百分点|%|％|‰|"
    "亿美元|万美元|美元|亿元|万元|元|"
    "万千瓦时|亿千瓦时|千瓦时|万千伏安|千伏安|万千瓦|千瓦|兆瓦|"
    "吨标准煤|万吨|亿吨|吨|亿斤|万斤|斤|"
    "亿立方米|万立方米|立方米|万平方米|平方米|平方公里|万亩|亩|公顷|公里|千米|"
    "万人次|人次|万人|万名|名|人|万户|户|"
    "万标箱|标箱|万辆|辆|台套|台|万套|套|"
    "家|个|所|座|条|项次|项|处|张|批|间|种|倍|床|支|只|头|棵|株|艘|架|班|场|次|"
    "令|色令|部|册|件|片|块|口|眼|站|村|镇|园"
)
_QTY = re.compile(
    rf"(?P<num>{_NUMBER})(?P<pct1>%|％)?"
    rf"(?:\s*(?P<sep>[-—～~至]|[:：])\s*(?P<num2>{_NUMBER}))?\s*"
    rf"(?P<unit>{_UNITS})?"
)
# a number that names a thing, not a quantity: voltage class, generation, grade, model
_NOT_QUANTITY_AFTER = re.compile(
    r"^(?:千伏|kV|KV|kv|伏|G|A级|A|级|星|号|版|代|英寸|周年|强|小时|分钟)"
)
_VERBS = re.compile(
    r"达到|达$|突破|力争|新增|增加|增长|提高|提升|保持|稳定在|不低于|不少于|不超过|超过|控制在|"
    r"降低|下降|减少|培育|建成|建设|新建|改扩建|扩建|引进|孵化|创建|打造|实现|输送|接待|形成|"
    r"培养|选派|认定|开通|完成|发展|设立|申报|争创|累计|规划|争取|入选|新[（(]扩[）)]建|改造|"
    r"整治|治理|推出|组建|建立|实施|创成|招引|吸纳|安置|转移|培训|救助|覆盖"
)
# the level a bare number (no unit) must be framed by to count: 保持在0.6363以上
_LEVEL_BEFORE = re.compile(r"(?:达到|达|保持在|稳定在|提高到|提高至|控制在|不低于|不少于|超过)$")
_BEFORE_WORDS = ("不少于", "不低于", "不超过", "不高于", "超过", "至少", "约", "近", "≥", ">", "＞")
_AFTER = re.compile(r"^(?:及以上|以上|左右|以内|以下|及以下)")
_BOOK_TITLE = re.compile(r"《[^》]*》")
_CLAUSE_BREAK = re.compile(r"[，,]|(?<!\d)[：:]|[：:](?!\d)")
# a clause that states where things stood, not where they must go
_PAST_WORDS = re.compile(r"“?十三五”?(?:期间|时期|以来)|现有|已有|已经|已建成|目前")
_YEAR_IN = re.compile(r"(?P<pre>[比较与同]?)(?P<y>(?:19|20)\d\d)年")
_EXISTING_BEFORE = re.compile(r"(?:我市|现有|已有|拥有)$")


def is_baseline(clause: str, plan_start: dt.date) -> bool:
    """A clause that states where things stood (2020年…, “十三五”期间…, 现有…), so its
    numbers are facts, never targets. ``比2020年增长…`` compares with a year: not one."""
    if _PAST_WORDS.search(clause):
        return True
    return any(
        int(m.group("y")) < plan_start.year and not m.group("pre")
        for m in _YEAR_IN.finditer(clause)
    )


@dataclass(frozen=True, slots=True)
class Due:
    date: dt.date
    basis: DueBasis
    text: str


_SPLITTERS = re.compile("[" + re.escape(_OPEN + _CLOSE + _ENDS) + "\n]")


def split_commitments(text: str) -> list[str]:
    """Sentences at 。！？；, not inside “”（）《》; closing punctuation removed."""
    out: list[str] = []
    depth = 0
    start = 0
    for m in _SPLITTERS.finditer(text):
        ch = m.group(0)
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 or ch == "\n":
            piece = text[start : m.start()].strip()
            if piece:
                out.append(piece)
            start = m.end()
            depth = 0
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _year(m: re.Match[str]) -> int | None:
    raw = m.group("y1") or m.group("y2") or m.group("y3")
    if raw is None and m.group("cn"):
        raw = "".join(_CN_DIGIT[c] for c in m.group("cn"))
    if raw is None:
        return None
    year = int(raw)
    return year if 2000 <= year <= 2100 else None


def sentence_deadline(sentence: str, plan_end: dt.date) -> tuple[dt.date, str] | None:
    """The explicit deadline a sentence states, with its words; None if none."""
    best: tuple[dt.date, str] | None = None
    period = plan_period(plan_end)
    if "年" not in sentence and (period is None or period.search(sentence) is None):
        return None
    for m in _DEADLINE.finditer(sentence) if "年" in sentence else ():
        year = _year(m)
        if year is None or (m.group("y3") and year <= plan_end.year - 5):
            # a bare clause-initial year before the plan ("2020年，…") is a fact, not a deadline
            continue
        d = dt.date(year, 12, 31)
        if best is None or d > best[0]:
            best = (d, m.group(0))
    if best is None:
        w = _WITHIN_YEARS.search(sentence)
        if w is not None:
            raw = w.group("n") or w.group("m")
            n = int(raw) if raw.isdigit() else _CN_SMALL[raw]
            # counted from the plan's first year (a five-year plan: end year − 4)
            best = (dt.date(plan_end.year - 4 + n - 1, 12, 31), w.group(0))
    if best is None:
        p = period.search(sentence) if period is not None else None
        if p is not None:
            best = (plan_end, p.group(0))
    return best


def _outside_book_titles(clause: str) -> str:
    """Blank out 《…》 so that numbers in document titles are never targets."""
    if "《" not in clause:
        return clause
    return _BOOK_TITLE.sub(lambda m: "＿" * len(m.group(0)), clause)


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(sentence) if c.strip()]


_UNSET: tuple[dt.date, str] = (dt.date.min, "")


def _qualifier_before(before: str) -> str:
    words = [w for w in _BEFORE_WORDS if before.endswith(w)]
    found = max(words, key=len) if words else ""
    if "力争" in before and "力争" not in found:
        found = "力争" + found
    return found


def _quantity(m: re.Match[str], masked: str, *, every: bool, framed: bool) -> Target | None:
    """One number of a clause as a target, or None when it is not a quantity."""
    before = masked[: m.start()]
    after = masked[m.end() :]
    num, num2, sep = m.group("num"), m.group("num2"), m.group("sep")
    unit = m.group("unit") or ""
    if before[-1:].isascii() and before[-1:].isalpha():
        return None  # IPv6, G105, ABS66: part of a name
    if before.endswith(("±", "第")):
        return None
    if sep is None and not unit and m.group("pct1"):
        unit = "%"
    if _NOT_QUANTITY_AFTER.match(masked[m.start() + len(num) :]) and not (sep and unit):
        return None  # 500千伏, 5G, 4A级, 800亿级: a class or a model, not the quantity
    if sep is not None and _NOT_QUANTITY_AFTER.match(masked[m.end("num2") :]):
        return None  # 35-110kV
    if re.match(r"^年", masked[m.start() + len(num) :]) or (not unit and re.match(r"^\d", after)):
        return None  # a year or a date
    qual_after = _AFTER.match(after)
    after_words = qual_after.group(0) if qual_after else ""
    if not unit:
        # a bare number counts only when a level frames it: 保持在0.6363以上, 达3.8以上
        if sep in (":", "："):
            pass
        elif not (after_words and (_LEVEL_BEFORE.search(before) or "." in num)):
            return None
    if _EXISTING_BEFORE.search(before):
        return None  # 我市39家: what exists
    is_range = sep is not None and sep not in (":", "：") and bool(unit or m.group("pct1"))
    if not (every or framed or is_range or _VERBS.search(before) or after_words):
        return None
    unit = "%" if unit == "％" else unit
    kind, value, value_max = "number", float(num), None
    if sep in (":", "："):
        kind, unit = "ratio", f":{num2}"
    elif sep is not None and num2 is not None:
        kind, value_max = "range", float(num2)
        if m.group("pct1") and not unit:
            unit = "%"
    return Target(
        text="",
        value=value,
        unit=unit,
        deadline=None,
        kind=kind,
        value_max=value_max,
        before=_qualifier_before(before),
        after=after_words,
    )


def find_targets(
    sentence: str,
    plan_end: dt.date,
    dl: tuple[dt.date, str] | None = _UNSET,
    *,
    every_quantity: bool = False,
) -> tuple[Target, ...]:
    """Quantified targets (and dated / yearly commitments) stated in one sentence.
    ``dl``: the sentence's deadline when the caller already has it.
    ``every_quantity``: every quantity counts without a target verb (a project's
    scale: 年产10万吨…项目)."""
    if dl is _UNSET:
        dl = sentence_deadline(sentence, plan_end)
    explicit = dl[0] if dl else None
    yearly = "每年" in sentence
    first_yearly = sentence.find("每年") if yearly else -1
    plan_start = dt.date(plan_end.year - 4, 1, 1)
    targets: list[Target] = []
    offset = 0
    clauses = _clauses(sentence)
    if clauses and _YEAR_IN.match(clauses[0]) and is_baseline(clauses[0], plan_start):
        clauses = []  # "2020年，全市…达到…": the whole sentence says where things stood
    for clause in clauses:
        clause_at = sentence.find(clause, offset)
        offset = clause_at + len(clause)
        if is_baseline(clause, plan_start):
            continue
        masked = _outside_book_titles(clause)
        for m in _QTY.finditer(masked):
            found = _quantity(m, masked, every=every_quantity, framed=bool(dl or yearly))
            if found is None:
                continue
            # 每年 governs the quantities after it: "…项目10个，…，每年接待…300万人次"
            is_yearly = yearly and 0 <= first_yearly < clause_at + m.start()
            targets.append(
                dataclasses.replace(
                    found,
                    text=clause.strip(),
                    deadline=explicit if explicit else (plan_end if is_yearly else None),
                    yearly=is_yearly,
                )
            )
    if not targets and (dl is not None or yearly):
        deadline = explicit if explicit else plan_end
        targets.append(Target(text=sentence, value=None, unit="", deadline=deadline, yearly=yearly))
    return tuple(targets)


def checklist(sentences: list[str], plan_end: dt.date) -> tuple[ChecklistDraft, ...]:
    return tuple(ChecklistDraft(text=s, targets=find_targets(s, plan_end)) for s in sentences)


def analyse(
    sentences: list[str],
    checked: list[str],
    start: dt.date,
    end: dt.date,
    *,
    every_quantity: bool = False,
) -> tuple[tuple[ChecklistDraft, ...], Due]:
    """Checklist of ``checked`` (a tail of ``sentences``) and the due date of all
    ``sentences``, reading each sentence's deadline once."""
    deadlines = {s: sentence_deadline(s, end) for s in sentences}
    for s in checked:
        if s not in deadlines:
            deadlines[s] = sentence_deadline(s, end)
    items = tuple(
        ChecklistDraft(
            text=s, targets=find_targets(s, end, deadlines[s], every_quantity=every_quantity)
        )
        for s in checked
    )
    return items, _due(sentences, deadlines, start, end)


def task_due(text: str, start: dt.date, end: dt.date) -> Due:
    """The due date of a task from its text (see the module docstring)."""
    sentences = split_commitments(text)
    return _due(sentences, {s: sentence_deadline(s, end) for s in sentences}, start, end)


def _due(
    sentences: list[str],
    deadlines: dict[str, tuple[dt.date, str] | None],
    start: dt.date,
    end: dt.date,
) -> Due:
    dated: list[tuple[dt.date, str]] = []
    undated = False
    yearly = False
    for sentence in sentences:
        dl = deadlines[sentence]
        if "每年" in sentence:
            yearly = True
        if dl is None or not (start <= dl[0] <= end):
            undated = True
            continue
        dated.append(dl)
    if dated:
        latest = max(dated, key=lambda x: x[0])
        if latest[0] == end or not undated:
            return Due(latest[0], DueBasis.EXPLICIT, latest[1])
        return Due(end, DueBasis.INFERRED, "")
    if yearly:
        return Due(end, DueBasis.YEARLY, "每年")
    return Due(end, DueBasis.INFERRED, "")
