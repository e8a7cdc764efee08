"""The meeting pack (调度会材料): content, anchor, no network, and a real browser's print."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database
from lctasks.db.models import EventRow
from lctasks.domain import Actor, Source
from lctasks.formats.anchor import read_anchor
from lctasks.formats.pack.build import build_pack, write_pack
from lctasks.formats.pack.render import PackLimits
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.review import ReviewService
from lctasks.services.workflow import WorkflowService
from lctasks.snapshot import snapshot_bytes, write_snapshot

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    return seed(database)


def seed(database: Database) -> ServiceContext:
    c = ServiceContext(database, Actor("王督查", Source.CLI))
    LedgerService(c).import_plan()
    wf = WorkflowService(c)
    wf.assign(["C06.M01", "C06.M02", "C06.M03"], lead="市科技局")
    wf.assign(["C07.M01", "C07.M02"], lead="市工业和信息化局", due=dt.date(2025, 3, 31))
    wf.set_status(["C06.M02"], "done")
    return c


def head(db: Database) -> tuple[int, str]:
    with db.read() as s:
        seq, digest = s.execute(
            select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)
        ).one()
    return int(seq), str(digest)


def test_pack_holds_what_the_meeting_reads(ctx: ServiceContext, tmp_path: Path) -> None:
    text, info = build_pack(ctx, as_of=AS_OF)
    seq, digest = head(ctx.db)
    assert (info.tasks, info.anchor.seq, info.anchor.hash) == (633, seq, digest)
    assert "聊城市国民经济和社会发展第十四个五年规划" in text
    assert "数据截至 2025 年 6 月 30 日" in text
    # the cover anchors the record: a short code to read out, the whole anchor line
    assert f"<b>#{seq} {digest[:4]} {digest[4:8]} {digest[8:12]} {digest[12:16]}</b>" in text
    assert f"<code>lctasks-anchor {seq} {digest}</code>" in text
    assert f'<meta name="lctasks-anchor" content="lctasks-anchor {seq} {digest}">' in text
    # ranking: 市工业和信息化局 has the two overdue tasks, so it is first among units
    rows = re.findall(r'<tr><td class="n">(\d+)</td><td>([^<]+)</td>', text)
    ranked = [u for _, u in rows]
    assert ranked.index("市工业和信息化局") < ranked.index("市科技局")
    unit_row = re.search(r"<td>市工业和信息化局</td>(.*?)</tr>", text)
    assert unit_row is not None
    assert '<td class="n red">2</td>' in unit_row.group(1)  # overdue 2
    # red list of the unit, overdue tasks first
    part = text[text.index("<h3>市工业和信息化局") :]
    assert part.index("C07.M01") < part.index("</table>")
    assert "2025-03-31" in part[: part.index("</table>")]
    # progress by part and chapter, with bars; the trend as inline SVG
    assert "第2篇 激发创新驱动新活力" in text and "第6章" in text
    assert 'class="bar"' in text and "<svg " in text and "<polyline" in text
    path = tmp_path / "pack.html"
    write_pack(text, path)
    assert read_anchor(path).seq == seq


def test_log_verify_against_the_files(ctx: ServiceContext, tmp_path: Path, db_url: str) -> None:
    """Engineer G's `log --verify --against FILE` reads the anchor of all three files."""
    from lctasks.formats.notice import unit_notice, write_notice
    from lctasks.formats.xlsx.export import export_workbooks

    pack = tmp_path / "pack.html"
    write_pack(build_pack(ctx, as_of=AS_OF)[0], pack)
    book = tmp_path / "kjj.xlsx"
    export_workbooks(ctx, book, units=["市科技局"], as_of=AS_OF)
    notice = tmp_path / "gxj.docx"
    write_notice(unit_notice(ctx, "市工业和信息化局", as_of=AS_OF), notice)
    seq, digest = head(ctx.db)
    for path in (pack, book, notice):
        assert (read_anchor(path).seq, read_anchor(path).hash) == (seq, digest)
    runner = CliRunner()
    res = runner.invoke(
        app, ["--db", db_url, "log", "--verify", "--against", str(pack), str(book), str(notice)]
    )
    assert res.exit_code == 0, res.output
    # a file from another history is refused: its hash is not the ledger's event
    forged = tmp_path / "forged.html"
    forged.write_text(pack.read_text(encoding="utf-8").replace(digest, "0" * 64), "utf-8")
    res = runner.invoke(app, ["--db", db_url, "log", "--verify", "--against", str(forged)])
    assert res.exit_code != 0


def test_pack_is_self_contained(ctx: ServiceContext) -> None:
    text, _ = build_pack(ctx, as_of=AS_OF)
    lowered = text.lower()
    for needle in ("http:", "https:", "//", "url(", "<script", "<link", "src=", "@import"):
        assert needle not in lowered.replace("</", "<"), needle
    assert "Noto Sans CJK SC" in text and "Microsoft YaHei" in text  # fonts that show Chinese


def test_pack_is_deterministic(ctx: ServiceContext) -> None:
    assert build_pack(ctx, as_of=AS_OF)[0] == build_pack(ctx, as_of=AS_OF)[0]


def test_since_last_meeting(ctx: ServiceContext, tmp_path: Path) -> None:
    old = tmp_path / "2025-05.toml"
    write_snapshot(snapshot_bytes(ReviewService(ctx).export(as_of=AS_OF)), old)
    wf = WorkflowService(ctx)
    wf.close(["C06.M02"], note="平台已挂牌", evidence="聊科字〔2025〕12号")
    wf.assign(["C08.M01"], lead="市发展改革委")
    text, _ = build_pack(ctx, as_of=AS_OF, since=old)
    since = text[text.index("六、自上次调度会以来") :]
    assert re.search(r"<td>新销号</td><td class=\"n\">1</td><td>C06\.M02 ", since)
    assert re.search(r"<td>分配/改派</td><td class=\"n\">1</td><td>C08\.M01 ", since)
    # from a snapshot file: the same lists, and the trend still from the ledger
    new = tmp_path / "2025-06.toml"
    write_snapshot(snapshot_bytes(ReviewService(ctx).export(as_of=AS_OF)), new)
    from_file, info = build_pack(ctx, snapshot=new, since=old)
    assert info.tasks == 633 and "<polyline" in from_file
    assert from_file[from_file.index("六、") :] == since


def test_big_lists_are_summarised(ctx: ServiceContext) -> None:
    limits = PackLimits(units=1, per_unit_red=2, per_unit_yellow=1, list_units=1)
    text, info = build_pack(ctx, as_of=AS_OF, limits=limits)
    assert info.summarised
    assert "另有红灯" in text and re.search(r"另有 \d+ 个单位有红黄灯任务", text)
    assert re.search(r"另有 \d+ 个单位未列出", text)


def test_cli_pack(ctx: ServiceContext, tmp_path: Path, db_url: str) -> None:
    out = tmp_path / "调度会.html"
    res = CliRunner().invoke(
        app, ["--db", db_url, "pack", "--as-of", "2025-06-30", "--out", str(out), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert '"tasks": 633' in res.stdout
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------------------
# The browser check: headless Chromium from the system's packages
# ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]


def _png_is_not_blank(path: Path) -> bool:
    """True when the PNG has ink: its pixel rows are not one colour."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width = struct.unpack(">I", body[:4])[0]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    # filter bytes aside, a blank page compresses to very few distinct byte values
    return width > 0 and len(set(raw)) > 16


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=180)


@pytest.mark.slow
def test_pack_in_a_real_browser(tmp_path: Path) -> None:
    """SQLite only: the page is the same on both back ends, the browser run is slow."""
    if CHROMIUM is None:
        message = (
            "BROWSER CHECK SKIPPED: chromium is not installed, so the meeting pack was NOT "
            "rendered, screenshotted or printed (apt-get install chromium fonts-noto-cjk)"
        )
        print("\n" + "#" * 78 + f"\n# {message}\n" + "#" * 78, file=sys.stderr)
        pytest.skip(message)
    from lctasks.db.engine import open_database

    database = open_database(f"sqlite:///{tmp_path / 'browser.db'}")
    try:
        text, _ = build_pack(seed(database), as_of=AS_OF)
    finally:
        database.dispose()
    page = tmp_path / "pack.html"
    write_pack(text, page)
    with tempfile.TemporaryDirectory() as profile:
        shot = tmp_path / "shot.png"
        _run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
             "--window-size=900,1270", page.as_uri()]
        )  # fmt: skip
        assert _png_is_not_blank(shot)
        pdf = tmp_path / "pack.pdf"
        _run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
              page.as_uri()])  # fmt: skip
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 3 <= pages <= 12, pages  # cover, totals and ranking, lists, chapters, trend
    if shutil.which("fc-list"):  # a font with Chinese glyphs is there for the browser
        zh = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True
        ).stdout
        assert zh.strip(), "no font with Chinese glyphs: apt-get install fonts-noto-cjk"
    if shutil.which("pdftotext"):
        words = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "规划任务推进调度会材料" in words and "单位排名" in words


def test_indicator_page_when_actuals_are_recorded(ctx: ServiceContext) -> None:
    from lctasks.services.indicators import IndicatorService

    text, _ = build_pack(ctx, as_of=AS_OF)
    assert "指标监测" not in text  # nothing recorded: no page, no evaluation run
    svc = IndicatorService(ctx)
    for year, value in ((2021, "6.5"), (2022, "5.0"), (2023, "6.2")):
        svc.record("I01", str(year), value, source=f"{year}年聊城市统计公报")
    svc.record("I11", "2023", "未达到", source="省考核通报")
    text, _ = build_pack(ctx, as_of=AS_OF)
    page = text[text.index("指标监测") :]
    row = re.search(r"<tr><td class=\"id\">I01 1\.1</td>(.*?)</tr>", page)
    assert row is not None
    head = row.group(1)[: row.group(1).index("<svg")]
    # name, baseline, target, latest actual, expected that year, light
    assert head == (
        '<td>地区生产总值增速（%）</td><td class="n">2.8</td><td class="n">6</td>'
        '<td class="n">6.2（2023）</td><td class="n">6</td><td class="green">绿</td><td>'
    )
    assert "<polyline" in row.group(1) and row.group(1).count("<circle") == 3
    assert re.search(r"I11 1\.1</td>.*?未达到.*?红", page, re.S)
