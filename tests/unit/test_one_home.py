"""The one home of each small rule (issue 9): the atomic writer, the display width, the
plan chooser and the "did you mean" hint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lctasks.atomic import atomic_write, write_bytes, write_chunks
from lctasks.domain import InvalidInputError, NotFoundError
from lctasks.i18n import set_language
from lctasks.keys import did_you_mean, near_keys
from lctasks.services.plan_choice import choose_plan, find_plan
from lctasks.textwidth import clip, fit, pad, width

# -- atomic writer ---------------------------------------------------------------------


def test_a_new_file_is_written_whole_with_the_mode_of_any_new_file(tmp_path: Path) -> None:
    out = tmp_path / "pack.html"
    assert write_bytes(out, "调度会".encode()) == 9
    assert out.read_text(encoding="utf-8") == "调度会"
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["pack.html"]


def test_chunks_are_written_in_order_small_ones_gathered_big_ones_whole(tmp_path: Path) -> None:
    out = tmp_path / "meeting.toml"
    big = bytes(range(256)) * 5000  # over the 1 MB a write gathers
    chunks = [b"head\n", memoryview(b"x" * 300), big, b"", *[b"task\n"] * 5000, big, b"end"]
    assert write_chunks(out, iter(chunks)) == sum(len(c) for c in chunks)
    assert out.read_bytes() == b"".join(chunks)
    assert [p.name for p in tmp_path.iterdir()] == ["meeting.toml"]


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "book.xlsx"
    out.write_bytes(b"old")
    out.chmod(0o640)
    write_bytes(out, b"new")
    assert out.read_bytes() == b"new" and out.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "notice.docx"
    out.write_bytes(b"old")

    def half(tmp: Path) -> None:
        tmp.write_bytes(b"ha")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(out, half, suffix=".docx")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["notice.docx"]


def test_a_cache_may_skip_the_fsyncs(tmp_path: Path) -> None:
    out = tmp_path / "cache.bin"
    atomic_write(out, lambda tmp: tmp.write_bytes(b"x"), durable=False, mode=0o600)
    assert out.read_bytes() == b"x" and out.stat().st_mode & 0o777 == 0o600


# -- display width ---------------------------------------------------------------------


def test_chinese_takes_two_columns_and_a_combining_mark_none() -> None:
    assert width("C10.M03") == 7
    assert width("聊城a") == 5
    assert width("ｅ\u0301") == 2  # full-width e with a combining accent


def test_crop_and_pad_to_exact_columns() -> None:
    assert clip("加快建设", 5) == "加快…"
    assert clip("加快", 5) == "加快"
    assert fit("加快建设", 5) == "加快…"
    assert fit("加快建设", 4) == "加 …"  # a wide character never straddles the edge
    assert fit("加快", 6) == "加快  "
    assert fit("x", 0) == ""
    assert pad("红", 4, right=True) == "  红"


# -- which plan ------------------------------------------------------------------------

PLANS = [(1, "lc-14th"), (2, "lc-15th")]


def test_a_plan_is_chosen_by_code_in_any_case_or_as_the_only_one() -> None:
    assert choose_plan(PLANS, "lc-15th") == (2, "lc-15th")
    assert choose_plan(PLANS, " LC-14TH ") == (1, "lc-14th")
    assert choose_plan(PLANS[:1], None) == (1, "lc-14th")
    assert find_plan(PLANS, None) is None and find_plan(PLANS, "x") is None


def test_which_plan_errors_name_the_plans_there_are() -> None:
    set_language("en")
    with pytest.raises(NotFoundError, match="no plan in the database"):
        choose_plan([], None)
    with pytest.raises(
        NotFoundError, match=r"no plan with code lc-13th \(loaded: lc-14th, lc-15th\)"
    ):
        choose_plan(PLANS, "lc-13th")
    with pytest.raises(InvalidInputError, match="several plans are loaded: lc-14th, lc-15th"):
        choose_plan(PLANS, None)


# -- did you mean ----------------------------------------------------------------------

KEYS = ["C10.M03", "C10.M13", "C11.M03", "I07"]


def test_near_ids_prefer_the_same_chapter() -> None:
    assert near_keys(KEYS, "c10.m3")[:2] == ["C10.M03", "C10.M13"]
    assert near_keys(KEYS, "I7") == ["I07"]


def test_one_hint_per_unknown_id_that_has_near_ids() -> None:
    assert did_you_mean(KEYS, ["C10.M3", "ZZZZZZZZ"]) == [
        "C10.M3 是否想写 C10.M03、C10.M13、C11.M03？"
    ]
