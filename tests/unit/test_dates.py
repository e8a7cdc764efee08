"""Dates as staff and liaisons type them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lctasks.dates import add_months, parse_date
from lctasks.domain import InvalidInputError
from lctasks.i18n import EN, set_language

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-31", dt.date(2025, 12, 31)),
        ("2025/12/31", dt.date(2025, 12, 31)),
        ("2025.12.31", dt.date(2025, 12, 31)),
        ("2026-1-5", dt.date(2026, 1, 5)),
        ("20251231", dt.date(2025, 12, 31)),
        ("2025年12月31日", dt.date(2025, 12, 31)),
        ("2025年12月31日前", dt.date(2025, 12, 31)),
        ("2025年底", dt.date(2025, 12, 31)),
        ("2025年末", dt.date(2025, 12, 31)),
        ("到2025年", dt.date(2025, 12, 31)),
        ("2026年6月底前", dt.date(2026, 6, 30)),
        ("2026年6月底", dt.date(2026, 6, 30)),
        ("2026年6月", dt.date(2026, 6, 30)),
        ("2028年2月底", dt.date(2028, 2, 29)),  # leap year
        ("2027年2月", dt.date(2027, 2, 28)),
        ("2026年上半年", dt.date(2026, 6, 30)),
        ("2026年下半年", dt.date(2026, 12, 31)),
        ("2026年第三季度", dt.date(2026, 9, 30)),
        ("2026年三季度", dt.date(2026, 9, 30)),
        ("2026年第一季度末", dt.date(2026, 3, 31)),
        ("2026年4季度", dt.date(2026, 12, 31)),
        ("2026Q2", dt.date(2026, 6, 30)),
        ("+30d", dt.date(2026, 12, 29)),
        ("+2w", dt.date(2026, 12, 13)),
        ("+3m", dt.date(2027, 2, 28)),  # 29 Feb 2027 does not exist: clamped
        ("+1y", dt.date(2027, 11, 29)),
        ("today", TODAY),
        ("今天", TODAY),
        ("TODAY", TODAY),
        ("２０２５－１２－３１", dt.date(2025, 12, 31)),  # full-width
        ("２０２６年６月底前", dt.date(2026, 6, 30)),
        ("＋３０ｄ", dt.date(2026, 12, 29)),
        (" 2025-12-31 ", dt.date(2025, 12, 31)),
    ],
)
def test_accepted_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "明年",
        "2025",
        "2025-13-01",
        "2025-02-30",
        "2025年13月",
        "2026年第五季度",
        "+30",
        "30d",
        "2025-12/31",
        "十二月",
        "2025年12月32日",
        "0000-01-01",
    ],
)
def test_rejected_text_shows_itself_and_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_date(text, today=TODAY)
    assert f"“{text.strip()}”" in err.value.message
    assert err.value.exit_code == 4


def test_unknown_form_lists_the_accepted_forms_in_chinese() -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_date("下个月", today=TODAY)
    assert "2026年6月底前" in err.value.message and "+30d" in err.value.message
    assert "可用格式" in err.value.message


def test_english_message(monkeypatch: pytest.MonkeyPatch) -> None:
    set_language(EN)  # what an entry point does for LCTASKS_LANG=en
    with pytest.raises(InvalidInputError) as err:
        parse_date("next month", today=TODAY)
    assert err.value.message.startswith("cannot read the date 'next month'. Accepted:")


def test_huge_offsets_are_invalid_input_not_overflow() -> None:
    with pytest.raises(InvalidInputError):
        parse_date("+99999y", today=TODAY)
    with pytest.raises(InvalidInputError):
        parse_date("+99999m", today=TODAY)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)


@given(st.text(max_size=30), st.dates())
def test_any_text_parses_or_raises_invalid_input(text: str, today: dt.date) -> None:
    try:
        result = parse_date(text, today=today)
    except InvalidInputError:
        return
    assert isinstance(result, dt.date)


_FORMS = st.sampled_from(
    ["{y}-{m}-{d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}", "{y}年{m}月底前"]
)


@given(st.dates(min_value=dt.date(1000, 1, 1)), _FORMS)
def test_every_real_date_round_trips(day: dt.date, form: str) -> None:
    parsed = parse_date(form.format(y=day.year, m=day.month, d=day.day), today=TODAY)
    if "底" in form:
        assert (parsed.year, parsed.month) == (day.year, day.month) and (
            parsed + dt.timedelta(days=1)
        ).day == 1
    else:
        assert parsed == day
