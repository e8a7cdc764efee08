"""Dates as people type them: ``parse_date("2026年6月底前", today=...)``.

Accepted (full-width digits and letters too; spaces ignored; a trailing 前 /
之前 / 以前 and a leading 到 / 于 are allowed on the Chinese forms):

=====================  =====================================
``2025-12-31``         also ``2025/12/31``, ``2025.12.31``, ``2025-1-5``
``20251231``
``2025年12月31日``     also ``2025年12月31号``
``2025年底``           ``2025年末``, ``2025年`` → 12-31
``2026年6月底前``      ``2026年6月底``, ``2026年6月末``, ``2026年6月`` → last day of June
``2026年上半年``       → 06-30; ``2026年下半年`` → 12-31
``2026年第三季度``     ``2026年三季度``, ``2026年3季度``, ``2026Q3`` → quarter end
``+30d`` ``+2w``       days / weeks after ``today``
``+3m`` ``+1y``        months / years after ``today`` (clamped to the month end)
``today`` ``今天``     ``today``; also ``明天`` / ``tomorrow``
``月底`` ``本月底``    end of this month (``eom``); ``下月底`` / ``下个月底``: next month's
``年底`` ``今年底``    Dec 31 of this year (``eoy``); ``明年底``, ``明年6月``
``本季度末``           end of this quarter (``eoq``); ``下季度末``: next quarter's
``12月底`` ``6月``     that month's end, this year or, once past, next year
``6月30日``            likewise (``3月底`` said in December is next March)
=====================  =====================================

Relative forms count from ``today`` (the office's, ``lctasks.clock.today()``).

Anything else raises InvalidInputError whose message shows the text and these
forms. Standard library only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from lctasks.domain import InvalidInputError
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t

MESSAGES.add(
    {
        "date.invalid": (
            "无法识别的日期：“{text}”。可用格式：2025-12-31、2025/12/31、20251231、"
            "2025年12月31日、2025年底、2026年6月底前、2026年6月、2026年上半年、"
            "2026年第三季度、月底、下月底、年底、本季度末、12月底、明年6月、+30d、+2w、+3m、今天",
            "cannot read the date '{text}'. Accepted: 2025-12-31, 2025/12/31, 20251231, "
            "2025年12月31日, 2025年底, 2026年6月底前, 2026年6月, 2026年上半年, "
            "2026年第三季度, 月底 (eom), 下月底, 年底 (eoy), 本季度末 (eoq), 12月底, 明年6月, "
            "+30d, +2w, +3m, today",
        ),
        "date.invalid.hint": (
            "例如 2025-12-31 或 2026年6月底前",
            "for example 2025-12-31 or 2026年6月底前",
        ),
        "date.nonexistent": (
            "日期不存在：“{text}”",
            "no such date: '{text}'",
        ),
        "date.nonexistent.hint": (
            "检查月份（1–12）和该月的天数",
            "check the month (1-12) and the number of days in that month",
        ),
    }
)

_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?P<y>[0-9]{4})"
_BEFORE = r"(?:前|之前|以前)?"
_AT = r"(?:到|于|在)?"

_ISO = re.compile(rf"{_YEAR}(?P<sep>[-/.])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<d>[0-9]{{1,2}})")
_COMPACT = re.compile(rf"{_YEAR}(?P<m>[0-9]{{2}})(?P<d>[0-9]{{2}})")
_CN_DAY = re.compile(rf"{_AT}{_YEAR}年(?P<m>[0-9]{{1,2}})月(?P<d>[0-9]{{1,2}})[日号]{_BEFORE}")
_CN_MONTH = re.compile(rf"{_AT}{_YEAR}年(?P<m>[0-9]{{1,2}})月(?:底|末|份)?{_BEFORE}")
_CN_YEAR = re.compile(rf"{_AT}{_YEAR}年(?:底|末|内)?{_BEFORE}")
_CN_HALF = re.compile(rf"{_AT}{_YEAR}年(?P<h>上|下)半年(?:末|底)?{_BEFORE}")
_CN_QUARTER = re.compile(rf"{_AT}{_YEAR}年(?:第)?(?P<q>[一二三四1-4])季度(?:末|底)?{_BEFORE}")
_Q_QUARTER = re.compile(rf"{_YEAR}-?q(?P<q>[1-4])")
_RELATIVE = re.compile(r"\+(?P<n>[0-9]{1,5})(?P<u>[dwmy])")
_TODAY = {"today", "今天", "今日"}
_TOMORROW = {"tomorrow", "明天", "明日"}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def parse_date(text: str, *, today: dt.date) -> dt.date:
    """Read a typed date; anything unreadable raises InvalidInputError (never another error)."""
    raw = text if isinstance(text, str) else str(text)
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).casefold()
    shown = raw.strip()
    try:
        result = _parse(key, today)
    except (ValueError, OverflowError):
        # Python's own reason ("month must be in 1..12") is English: the hint says it
        raise InvalidInputError(
            t("date.nonexistent", text=shown), hint=t("date.nonexistent.hint")
        ) from None
    if result is None:
        raise InvalidInputError(t("date.invalid", text=shown), hint=t("date.invalid.hint"))
    return result


# what people say relative to today (Taskwarrior: eom / eoq / eoy)
_YEAR_WORDS = {"今年": 0, "本年": 0, "明年": 1, "后年": 2, "去年": -1}
_YEAR_WORD = re.compile(r"^(?:到|于|在)?(今年|本年|明年|后年|去年)")
_THIS_MONTH_END = {"月底", "月末", "本月底", "本月末", "这个月底", "eom"}
_NEXT_MONTH_END = {"下月底", "下月末", "下个月底", "下个月末", "下月"}
_YEAR_END = {"年底", "年末", "eoy"}
_THIS_QUARTER_END = {"本季度末", "本季末", "季度末", "季末", "本季度底", "eoq"}
_NEXT_QUARTER_END = {"下季度末", "下季末", "下个季度末", "下季度"}
_MONTH_ONLY = re.compile(
    rf"{_AT}(?P<m>[0-9]{{1,2}})月(?:(?P<d>[0-9]{{1,2}})[日号]|底|末|份)?{_BEFORE}"
)


def _spoken(key: str, today: dt.date) -> dt.date | None:
    """月底, 下月底, 年底, 本季度末, 12月底, 6月30日 — relative to ``today``."""
    bare = key.removesuffix("前").removesuffix("之").removesuffix("以")
    bare = re.sub(r"^(?:到|于|在)", "", bare)
    if bare in _THIS_MONTH_END:
        return _month_end(today.year, today.month)
    if bare in _NEXT_MONTH_END:
        nxt = add_months(today.replace(day=1), 1)
        return _month_end(nxt.year, nxt.month)
    if bare in _YEAR_END:
        return dt.date(today.year, 12, 31)
    quarter_end_month = 3 * ((today.month - 1) // 3 + 1)
    if bare in _THIS_QUARTER_END:
        return _month_end(today.year, quarter_end_month)
    if bare in _NEXT_QUARTER_END:
        nxt = add_months(dt.date(today.year, quarter_end_month, 1), 3)
        return _month_end(nxt.year, nxt.month)
    if m := _MONTH_ONLY.fullmatch(key):
        month = int(m["m"])
        year = today.year
        day = _month_end(year, month) if m["d"] is None else dt.date(year, month, int(m["d"]))
        if day < today:  # a month already past this year: people mean the next one
            year += 1
            day = _month_end(year, month) if m["d"] is None else dt.date(year, month, int(m["d"]))
        return day
    return None


def _parse(key: str, today: dt.date) -> dt.date | None:
    m = _YEAR_WORD.match(key)
    if m and key[m.end() :]:  # 明年6月 → 2027年6月, 今年底 → 2026年底 (明年 alone: when?)
        key = f"{today.year + _YEAR_WORDS[m[1]]}年{key[m.end() :]}"
    if (spoken := _spoken(key, today)) is not None:
        return spoken
    if key in _TODAY:
        return today
    if key in _TOMORROW:
        return today + dt.timedelta(days=1)
    if m := _RELATIVE.fullmatch(key):
        n, unit = int(m["n"]), m["u"]
        if unit == "d":
            return today + dt.timedelta(days=n)
        if unit == "w":
            return today + dt.timedelta(weeks=n)
        return add_months(today, n if unit == "m" else 12 * n)
    for pattern in (_ISO, _COMPACT, _CN_DAY):
        if m := pattern.fullmatch(key):
            return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    if m := _CN_MONTH.fullmatch(key):
        return _month_end(int(m["y"]), int(m["m"]))
    if m := _CN_HALF.fullmatch(key):
        return dt.date(int(m["y"]), 6 if m["h"] == "上" else 12, 30 if m["h"] == "上" else 31)
    if (m := _CN_QUARTER.fullmatch(key)) or (m := _Q_QUARTER.fullmatch(key)):
        return _month_end(int(m["y"]), 3 * _CN_NUMBERS[m["q"]])
    if m := _CN_YEAR.fullmatch(key):
        return dt.date(int(m["y"]), 12, 31)
    return None
