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
    “十四五”期间 / “十四五”末                   → the plan end, explicit
    每年                                       → yearly cadence (check-ins every year,
                                                 final due at the plan end)
    nothing                                    → the plan end, inferred

Quantified targets: a number with a unit (亿元, 家, %, 公里, 万人次 …)
counts as a target when the sentence states a deadline or 每年, or when,
within its clause (between ，), a target verb precedes it (达到, 突破, 力争,
新增, 培育, 建成, 引进, 孵化, 不低于, 不少于 …) or 以上 / 左右 follows it.
So ``更好发挥我市39家国家级科技创新平台`` (an existing count) is not a
target, ``力争新增…创新平台100家`` is. A range (``1-2个``) keeps its words
with value None. A sentence with a deadline or 每年 but no number still gets
a Target (value None) so that its date or cadence is visible on the checklist.

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
    return re.compile(rf"“?{name}”?(?:期间|末)")


_QTY = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)(?:(?P<pct1>%|％)?\s*[-—～~](?P<num2>\d+(?:\.\d+)?))?\s*"
    r"(?P<unit>%|％|个百分点|亿美元|万美元|亿元|万元|元|万千瓦|千瓦|万吨|吨|万亩|亩|公里|千米|"
    r"万人次|人次|万人|万名|人|名|家|个|所|座|条|项次|项|处|张|辆|台套|台|套|批|户|间|种|倍|"
    r"万平方米|平方米|万户|兆瓦|床|支)"
)
_VERBS = re.compile(
    r"达到|达$|突破|力争|新增|增加|增长|提高|提升|保持|稳定在|不低于|不少于|不超过|超过|控制在|"
    r"降低|下降|减少|培育|建成|建设|新建|改扩建|扩建|引进|孵化|创建|打造|实现|输送|接待|形成|"
    r"培养|选派|认定|开通|完成|发展|设立|申报|争创|累计|规划"
)
_AFTER = re.compile(r"^(?:以上|左右|以内|以下)")
_BOOK_TITLE = re.compile(r"《[^》]*》")
_CLAUSE_BREAK = re.compile(r"[，,：:]")


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


def find_targets(
    sentence: str, plan_end: dt.date, dl: tuple[dt.date, str] | None = _UNSET
) -> tuple[Target, ...]:
    """Quantified targets (and dated / yearly commitments) stated in one sentence.
    ``dl``: the sentence's deadline when the caller already has it."""
    if dl is _UNSET:
        dl = sentence_deadline(sentence, plan_end)
    explicit = dl[0] if dl else None
    yearly = "每年" in sentence
    first_yearly = sentence.find("每年") if yearly else -1
    targets: list[Target] = []
    offset = 0
    for clause in _clauses(sentence):
        clause_at = sentence.find(clause, offset)
        offset = clause_at + len(clause)
        masked = _outside_book_titles(clause)
        for m in _QTY.finditer(masked):
            before = masked[: m.start()]
            after = masked[m.end() :]
            # a year such as 2025年 is not a quantity: the unit list has no 年
            if not (_VERBS.search(before) or _AFTER.match(after) or dl or yearly):
                continue
            value = None if m.group("num2") else float(m.group("num"))
            unit = "%" if m.group("unit") == "％" else m.group("unit")
            # 每年 governs the quantities after it: "…项目10个，…，每年接待…300万人次"
            is_yearly = yearly and 0 <= first_yearly < clause_at + m.start()
            targets.append(
                Target(
                    text=clause.strip(),
                    value=value,
                    unit=unit,
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
    sentences: list[str], checked: list[str], start: dt.date, end: dt.date
) -> tuple[tuple[ChecklistDraft, ...], Due]:
    """Checklist of ``checked`` (a tail of ``sentences``) and the due date of all
    ``sentences``, reading each sentence's deadline once."""
    deadlines = {s: sentence_deadline(s, end) for s in sentences}
    for s in checked:
        if s not in deadlines:
            deadlines[s] = sentence_deadline(s, end)
    items = tuple(
        ChecklistDraft(text=s, targets=find_targets(s, end, deadlines[s])) for s in checked
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
