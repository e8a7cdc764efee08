"""History anchors in every form they are written and read back (services/chain.py)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

from lctasks.services.chain import (
    Anchor,
    anchor_fields,
    anchor_line,
    append_anchor,
    parse_anchors,
    read_anchor_file,
)

H = "5d2e9c40edceef74" + "ab" * 24  # 64 hex digits
AT = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_anchor_line_short_form_and_fields() -> None:
    assert anchor_line(1234, H, AT) == f"lctasks-anchor 1234 {H} 2026-11-30T17:00:00Z"
    assert anchor_line(7, H, dt.datetime(2026, 1, 2, 3, 4, 5)) == (
        f"lctasks-anchor 7 {H} 2026-01-02T03:04:05Z"  # naive = UTC
    )
    assert Anchor(1234, H).short() == "#1234 5d2e 9c40 edce ef74"
    assert anchor_fields(1234, H) == {"history_seq": 1234, "history_hash": H}


def test_parse_every_form_in_order_with_its_line() -> None:
    text = (
        "会议记录\n"
        f"lctasks-anchor 12 {H.upper()} 2026-11-30T17:00:00Z\n"
        "  #13 5D2E-9C40-EDCE-EF74  \n"
        f"lctasks-anchor #14 {H[:16]} 2026-12-01T00:00:00Z\n"
        f'history_seq = 15\nhistory_hash = "{H}"\n'
        f"lctasks-anchor 16 {H[:16]}"
    )
    got = parse_anchors(text, "a.txt")
    assert got == [
        Anchor(12, H, "2026-11-30T17:00:00Z", "a.txt:2"),
        Anchor(13, H[:16], "", "a.txt:3"),
        Anchor(14, H[:16], "2026-12-01T00:00:00Z", "a.txt:4"),
        Anchor(15, H, "", "a.txt:5"),
        Anchor(16, H[:16], "", "a.txt:7"),
    ]


def test_what_is_not_an_anchor() -> None:
    assert parse_anchors("lctasks-anchor 12 5d2e9c40edce\n", "x") == []  # < 16 hex digits
    assert parse_anchors("#13 5d2e 9c40 edce\n", "x") == []  # 3 groups: too short
    assert parse_anchors("#13 5d2e 9c40 edce ef74 trailing words\n", "x") == []
    assert parse_anchors("history_seq = 15\n", "x") == []  # the hash is missing
    assert parse_anchors(f'my_history_seq = 15\nhistory_hash = "{H}"\n', "x") == []
    assert parse_anchors("", "x") == []


def test_json_fields_as_a_pack_carries_them() -> None:
    doc = json.dumps({"title": "调度会", "history_seq": 99, "history_hash": H.upper()})
    assert parse_anchors(doc, "pack.json") == [Anchor(99, H, "", "pack.json:1")]


def test_read_plain_files_and_zip_members(tmp_path: Path) -> None:
    plain = tmp_path / "anchors.txt"
    append_anchor(plain, anchor_line(1, H, AT))
    append_anchor(plain, anchor_line(2, H, AT))
    assert plain.read_text(encoding="utf-8").splitlines() == [
        f"lctasks-anchor 1 {H} 2026-11-30T17:00:00Z",
        f"lctasks-anchor 2 {H} 2026-11-30T17:00:00Z",
    ]
    assert [(a.seq, a.where) for a in read_anchor_file(plain)] == [
        (1, f"{plain}:1"),
        (2, f"{plain}:2"),
    ]
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("xl/sharedStrings.xml", f"<si><t>lctasks-anchor 3 {H}</t></si>")
        z.writestr("docProps/app.txt", f"#4 {H[:4]} {H[4:8]} {H[8:12]} {H[12:16]}\n")
        z.writestr("xl/media/image1.png", f"lctasks-anchor 5 {H}")  # not searched
    assert [(a.seq, a.hash, a.where) for a in read_anchor_file(book)] == [
        (3, H, f"{book}!xl/sharedStrings.xml:1"),
        (4, H[:16], f"{book}!docProps/app.txt:1"),
    ]


def test_a_line_without_a_time_does_not_take_the_next_line() -> None:
    text = f"lctasks-anchor 12 {H}\n会议纪要 第二行\nlctasks-anchor 13 {H} 2026-12-01T00:00:00Z\n"
    assert parse_anchors(text, "notes.txt") == [
        Anchor(12, H, "", "notes.txt:1"),
        Anchor(13, H, "2026-12-01T00:00:00Z", "notes.txt:3"),
    ]


def test_a_hash_longer_than_a_hash_is_not_an_anchor() -> None:
    assert parse_anchors(f"lctasks-anchor 12 {H}ab", "x") == []


def test_line_numbers_count_a_leading_blank_line_and_where_defaults_to_nothing() -> None:
    text = (
        f"\nlctasks-anchor 12 {H}\n#13 5d2e 9c40 edce ef74\n"
        f'history_seq = 15\nhistory_hash = "{H}"\n'
    )
    assert parse_anchors(text) == [
        Anchor(12, H, "", ":2"),
        Anchor(13, H[:16], "", ":3"),
        Anchor(15, H, "", ":4"),
    ]
    assert Anchor(12, H) == Anchor(12, H, "", "")


def test_a_point_stated_twice_in_a_file_is_one_anchor(tmp_path: Path) -> None:
    pack = tmp_path / "pack.txt"
    line = anchor_line(12, H, AT)
    pack.write_text(f"封面\n{line}\n正文\n{line}\n", encoding="utf-8")  # cover and footer
    assert read_anchor_file(pack) == [Anchor(12, H, "2026-11-30T17:00:00Z", f"{pack}:2")]


def test_every_text_member_kind_of_a_zip_is_searched(tmp_path: Path) -> None:
    box = tmp_path / "box.zip"
    with zipfile.ZipFile(box, "w") as z:
        z.writestr("a.json", json.dumps({"history_seq": 1, "history_hash": H}))
        z.writestr("b.toml", f'history_seq = 2\nhistory_hash = "{H}"\n')
        z.writestr("c.md", f"# 会议\nlctasks-anchor 3 {H}\n")
        z.writestr("d.bin", f"lctasks-anchor 4 {H}\n")
    assert [(a.seq, a.where) for a in read_anchor_file(box)] == [
        (1, f"{box}!a.json:1"),
        (2, f"{box}!b.toml:1"),
        (3, f"{box}!c.md:2"),
    ]


def test_bytes_that_are_not_utf8_do_not_hide_an_anchor(tmp_path: Path) -> None:
    junk = b"\xff\xfe\x80 GBK \xc1\xc4\xb3\xc7\n"
    plain = tmp_path / "notes.txt"
    plain.write_bytes(junk + anchor_line(5, H, AT).encode())
    assert [(a.seq, a.where) for a in read_anchor_file(plain)] == [(5, f"{plain}:2")]
    box = tmp_path / "book.docx"
    with zipfile.ZipFile(box, "w") as z:
        z.writestr("word/document.xml", junk + f"lctasks-anchor 6 {H}".encode())
    assert [(a.seq, a.where) for a in read_anchor_file(box)] == [(6, f"{box}!word/document.xml:2")]


def test_an_anchor_file_is_created_readable_not_executable(tmp_path: Path) -> None:
    import os

    old = os.umask(0)
    try:
        append_anchor(tmp_path / "anchors.txt", anchor_line(1, H, AT))
    finally:
        os.umask(old)
    assert (tmp_path / "anchors.txt").stat().st_mode & 0o777 == 0o644
