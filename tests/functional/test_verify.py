"""`log --verify`: anchors outside the database, replay of every task, typed result."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database, open_database
from lctasks.domain import Actor, Source
from lctasks.services.base import ServiceContext
from lctasks.services.chain import (
    Anchor,
    anchor_fields,
    anchor_line,
    parse_anchors,
    read_anchor_file,
)
from lctasks.services.history import HistoryService
from lctasks.services.verify_result import Check, Keyed, Problem
from lctasks.services.workflow import WorkflowService
from tests.wfdata import seed

H = "5d2e9c40edceef74493fef7121399a3e852ef2a375ff5e9e63852f3764c40c13"


def _work(db: Database) -> WorkflowService:
    seed(db)
    w = WorkflowService(ServiceContext(db, Actor("测试员", Source.CLI)))
    w.assign(["C09.M01"], lead="市科技局", co=["东昌府区"], due=dt.date(2025, 6, 30))
    w.check("C10.M02", [1, 3])
    w.report_progress(["C09.M01"], made="完成平台申报", percent=40, period="2026-11")
    w.set_status(["C09.M01"], "done")
    w.close(["C09.M01"], note="通过验收", evidence="聊科字〔2026〕3号")
    w.extend(["C10.M03"], to=dt.date(2026, 6, 30), reason="资金未到位", today=dt.date(2025, 1, 1))
    return w


def _cli(db_url: str, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["--db", db_url, *args])
    return res.exit_code, res.output


def _json(db_url: str, *args: str) -> tuple[int, dict[str, Any]]:
    res = CliRunner().invoke(app, ["--db", db_url, "--json", *args])
    return res.exit_code, json.loads(res.stdout)


# -- anchors: the forms ---------------------------------------------------------


def test_anchor_forms_parse_back() -> None:
    line = anchor_line(12, H, dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC))
    assert line == f"lctasks-anchor 12 {H} 2026-12-01T03:00:00Z"
    short = Anchor(12, H).short()
    assert short == "#12 5d2e 9c40 edce ef74"
    doc = "\n".join(
        [
            "# office anchors, kept on the supervision office's share",
            line,
            short,  # typed back from paper
            "",
        ]
    )
    found = parse_anchors(doc, "a.txt")
    assert [(a.seq, a.hash, a.where) for a in found] == [
        (12, H, "a.txt:2"),
        (12, H[:16], "a.txt:3"),
    ]
    # a snapshot's [snapshot] table (TOML) and a JSON document carry the two fields
    toml = '[snapshot]\nas_of = 2026-11-30\nhistory_seq = 7\nhistory_hash = "' + H + '"\n'
    assert [(a.seq, a.hash) for a in parse_anchors(toml)] == [(7, H)]
    assert [(a.seq, a.hash) for a in parse_anchors(json.dumps(anchor_fields(9, H)))] == [(9, H)]
    # since_history_seq (a diff's old point) is not an anchor field
    assert parse_anchors("since_history_seq = 3\n") == []
    assert parse_anchors("#12 5d2e 9c40\n") == []  # too short to prove anything


def test_anchor_in_a_zip_member_counts(tmp_path: Path) -> None:
    """A workbook (.xlsx) or document whose text holds an anchor line."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/sharedStrings.xml", f"<sst><si><t>{anchor_line(5, H)}</t></si></sst>")
        z.writestr("xl/media/logo.png", b"\x89PNG")
    path = tmp_path / "unit.xlsx"
    path.write_bytes(buf.getvalue())
    (a,) = read_anchor_file(path)
    assert (a.seq, a.hash) == (5, H) and a.where.endswith("!xl/sharedStrings.xml:1")


# -- the CLI ----------------------------------------------------------------------


def test_clean_history_verifies_with_replay(db_url: str) -> None:
    db = open_database(db_url)
    _work(db)
    res = HistoryService(ServiceContext(db, Actor("测试员"))).verify()
    db.dispose()
    assert (
        res.ok and res.events == 6 and res.tasks == 5 and res.keyed is Keyed.CHECKED
    )  # conftest sets a key
    code, out = _cli(db_url, "log", "--verify")
    assert code == 0, out
    assert "已核验 6 条事件" in out and "密钥校验：通过" in out and "重放：5 个任务" in out


def test_anchor_file_catches_a_deleted_tail(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    _work(db)
    anchors = tmp_path / "anchors.txt"
    code, out = _cli(db_url, "log", "--anchor", "--out", str(anchors))
    assert code == 0 and "#6 " in out
    WorkflowService(ServiceContext(db, Actor("测试员"))).note(["C10.M01"], "调度会点名")
    _cli(db_url, "log", "--anchor", "--out", str(anchors))
    assert [a.seq for a in read_anchor_file(anchors)] == [6, 7]  # appended, not replaced
    code, out = _cli(db_url, "log", "--verify", "--against", str(anchors))
    assert code == 0 and "2 个均仍在历史中" in out
    with db.engine.begin() as c:  # the newest two events and their effects vanish
        c.execute(text("DELETE FROM events WHERE seq >= 6"))
    db.dispose()
    code, out = _cli(db_url, "log", "--verify", "--chain-only", "--against", str(anchors))
    assert code == 7
    assert f"锚点 {anchors}:1（#6 " in out and "历史现止于第 5 号事件" in out
    code, doc = _json(db_url, "log", "--verify", "--chain-only", "--against", str(anchors))
    assert code == 7 and doc["ok"] is False
    assert [(f["check"], f["problem"], f["seq"]) for f in doc["findings"]] == [
        ("anchor", "beyond_head", 6),
        ("anchor", "beyond_head", 7),
    ]


def test_snapshot_is_an_anchor(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    _work(db)
    db.dispose()
    snap = tmp_path / "调度会.toml"
    code, out = _cli(db_url, "export", "--out", str(snap), "--as-of", "2026-11-30")
    assert code == 0, out
    assert _cli(db_url, "log", "--verify", "--against", str(snap))[0] == 0
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    code, out = _cli(db_url, "log", "--verify", "--against", str(empty))
    assert code == 4 and "没有历史锚点" in out
    code, out = _cli(db_url, "log", "--verify", "--against", str(tmp_path / "missing.txt"))
    assert code == 4


def test_a_row_changed_without_an_event_is_named(db_url: str) -> None:
    db = open_database(db_url)
    _work(db)
    with db.engine.begin() as c:
        c.execute(text("UPDATE tasks SET status = 'closed', progress = 100 WHERE key = 'C10.M01'"))
        c.execute(text("UPDATE tasks SET due = :d WHERE key = 'C10.M03'"), {"d": "2027-01-31"})
    res = HistoryService(ServiceContext(db, Actor("测试员"))).verify()
    db.dispose()
    assert not res.ok and res.first_bad_seq is None  # the chain itself holds
    got = [(f.check, f.problem, f.task, f.field, f.expected, f.found) for f in res.findings]
    assert got == [
        (Check.REPLAY, Problem.DIFFERS, "C10.M01", "status", "not_started", "closed"),
        (Check.REPLAY, Problem.DIFFERS, "C10.M01", "progress", 0, 100),
        (Check.REPLAY, Problem.DIFFERS, "C10.M03", "due", "2026-06-30", "2027-01-31"),
    ]
    code, out = _cli(db_url, "log", "--verify")
    assert code == 7
    assert "任务 C10.M01（lc-14th）的状态：历史记录为 未启动，数据库中为 已销号" in out
    assert "C10.M03（lc-14th）的期限：历史记录为 2026-06-30，数据库中为 2027-01-31" in out


def test_a_change_between_events_is_named_by_the_next_event(db_url: str) -> None:
    """Changed by hand, then a real step: the event's 'old' betrays the gap."""
    db = open_database(db_url)
    w = _work(db)
    with db.engine.begin() as c:
        c.execute(text("UPDATE tasks SET progress = 90 WHERE key = 'C10.M02'"))
    w.check("C10.M02", [2])  # records progress 90 -> 100 (all three ticked)
    res = HistoryService(ServiceContext(db, Actor("测试员"))).verify()
    db.dispose()
    (f,) = res.findings
    assert (f.problem, f.task, f.field, f.expected, f.found, f.seq) == (
        Problem.BETWEEN,
        "C10.M02",
        "progress",
        67,
        90,
        7,
    )


def test_ticks_and_items_are_replayed(db_url: str) -> None:
    db = open_database(db_url)
    _work(db)
    with db.engine.begin() as c:
        c.execute(
            text(
                "UPDATE checklist_items SET done = :t WHERE seq = 2 AND task_id = "
                "(SELECT id FROM tasks WHERE key = 'C10.M02')"
            ),
            {"t": True},
        )
        c.execute(
            text(
                "DELETE FROM checklist_items WHERE seq = 3 AND task_id = "
                "(SELECT id FROM tasks WHERE key = 'C10.M02')"
            )
        )
    res = HistoryService(ServiceContext(db, Actor("测试员"))).verify()
    db.dispose()
    got = [(f.problem, f.task, f.field, f.expected, f.found) for f in res.findings]
    assert got == [
        (Problem.DIFFERS, "C10.M02", "item2", False, True),
        (Problem.GONE, "C10.M02", "item3", True, None),
    ]


def test_a_deleted_task_is_named(db_url: str) -> None:
    db = open_database(db_url)
    _work(db)
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM tasks WHERE key = 'C10.M03'"))
    res = HistoryService(ServiceContext(db, Actor("测试员"))).verify()
    db.dispose()
    (f,) = res.findings
    assert (f.check, f.problem, f.task, f.seq) == (Check.REPLAY, Problem.GONE, "C10.M03", 6)


@pytest.mark.parametrize("flag", ["--anchor", "--verify"])
def test_file_arguments_need_against(tmp_path: Path, flag: str) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, out = _cli(url, "log", flag, "a.txt")
    assert code == 4 and "--against" in out


def test_reimport_carries_ticks_as_the_replay_does(database: Database) -> None:
    """A re-import rewrites a checklist; the replay reconciles ticks the same way."""
    from lctasks.services.ledger import LedgerService
    from tests.sample_plan import PLATFORM, small_tree

    ctx = ServiceContext(database, Actor("测试员", Source.CLI))
    ledger = LedgerService(ctx)
    ledger.import_tree(small_tree())
    w = WorkflowService(ctx)
    w.assign(["C06.M01"], lead="市科技局")
    w.check("C06.M01", [1, 2])
    corrected = PLATFORM.replace("研发中心", "研发机构")
    res = ledger.import_tree(
        small_tree(m1=corrected, m1_item2="支持龙头企业建设研发机构以及实验室")
    )
    assert res.ticks_dropped == ("C06.M01#2",)
    ledger.import_tree(small_tree(drop="C06.M02", add="C06.M03"))
    hs = HistoryService(ctx)
    assert hs.verify().findings == ()
    with database.engine.begin() as c:  # the dropped tick put back by hand
        c.execute(
            text(
                "UPDATE checklist_items SET done = :t WHERE seq = 2 AND task_id = "
                "(SELECT id FROM tasks WHERE key = 'C06.M01')"
            ),
            {"t": True},
        )
        c.execute(text("UPDATE tasks SET removed = :f WHERE key = 'C06.M02'"), {"f": False})
    got = [(f.task, f.field, f.expected, f.found) for f in hs.verify().findings]
    assert got == [("C06.M01", "item2", False, True), ("C06.M02", "removed", True, False)]


def test_the_fast_canonical_form_is_the_reference_form() -> None:
    """``log --verify`` builds the canonical JSON by hand; it must be byte-identical."""
    import random

    from lctasks.services.chain import _canonical, reference_canonical

    awkward = [
        "",
        "“十四五”规划✅ 𠀀 \\ \" ' \t 换行\n第二行",
        "\x00\x1f\x7f\u2028\u2029",
        "\ud800",  # a lone surrogate (not valid UTF-8, still JSON)
        "</script>",
        "a" * 500,
    ]
    rnd = random.Random(7)
    cases: list[tuple[Any, ...]] = [
        (
            1,
            "2026-11-29T01:30:15.123456+00:00",
            "测试员",
            "cli",
            "note",
            None,
            None,
            {},
            "",
            "0" * 64,
        ),
        (
            2**40,
            awkward[1],
            awkward[2],
            "tui",
            "key",
            "lc-14th",
            "C10.M01",
            {"a": 1},
            "x",
            "f" * 64,
        ),
        (
            3,
            "t",
            "a",
            "s",
            "b",
            None,
            "K",
            {"z": [1, 2.5, None, True], "a": {"y": 1, "b": []}},
            "",
            "",
        ),
        (True, "t", "a", "s", "b", None, None, {}, "", ""),  # not an int: the reference path
        (4, "t", 5, "s", "b", None, None, {}, "", ""),  # a non-string actor: the reference path
        (False, "t", "a", "s", "b", "lc-14th", "C10.M01", {"a": 1}, "r", "p"),  # plan, task too
    ]
    for n in range(300):
        words = [rnd.choice(awkward) for _ in range(8)]
        changes = {
            words[0]: [words[1], {words[2]: n, "k": 1e16, "f": -0.0}],
            "due": [None, words[3]],
        }
        cases.append(
            (
                n,
                words[4],
                words[5],
                "cli",
                words[6],
                None if n % 3 else "p",
                words[7],
                changes,
                words[0],
                "ab",
            )
        )
    for case in cases:
        assert _canonical(*case) == reference_canonical(*case), case


def test_an_import_records_where_every_task_starts(database: Database) -> None:
    """Deadlines never touched by an event, tasks and items no event made: all caught."""
    from lctasks.services.ledger import LedgerService
    from tests.sample_plan import small_tree

    ctx = ServiceContext(database, Actor("测试员", Source.CLI))
    ledger = LedgerService(ctx)
    ledger.import_tree(small_tree())
    ledger.import_tree(small_tree(add="C06.M03"))  # an "added" event with its start
    hs = HistoryService(ctx)
    assert hs.verify().findings == ()
    with database.engine.begin() as c:
        c.execute(text("UPDATE tasks SET due = :d WHERE key = 'I01'"), {"d": "2030-12-31"})
        c.execute(text("UPDATE tasks SET due = :d WHERE key = 'C06.M03'"), {"d": "2030-12-31"})
        c.execute(
            text(
                "INSERT INTO tasks (plan_id, key, kind, chapter, title, source_text, line, attrs,"
                " status, progress, start, due, due_basis, due_text, removed, version,"
                " updated_at, suggested_co, suggested_rules)"
                " SELECT plan_id, 'C06.M09', kind, chapter, title, source_text, line, attrs,"
                " status, progress, start, due, due_basis, due_text, removed, version,"
                " updated_at, suggested_co, suggested_rules FROM tasks WHERE key = 'C06.M02'"
            )
        )
        c.execute(
            text(
                "DELETE FROM checklist_items WHERE seq = 1 AND task_id = "
                "(SELECT id FROM tasks WHERE key = 'C06.M01')"
            )
        )
    got = [(f.problem, f.task, f.field, f.expected, f.found) for f in hs.verify().findings]
    assert got == [
        (Problem.GONE, "C06.M01", "checklist", 2, 1),
        (Problem.DIFFERS, "C06.M03", "due", "2025-12-31", "2030-12-31"),
        (Problem.NO_EVENT, "C06.M09", None, None, None),
        (Problem.DIFFERS, "I01", "due", "2025-12-31", "2030-12-31"),
    ]
    code, out = _cli(str(database.url), "log", "--verify")
    assert code == 7 and "任务 C06.M09（lc-test）：没有创建它的事件" in out


def test_a_renamed_unit_is_followed_by_the_replay(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events name units by short name; a re-import that renames one records it."""
    import dataclasses

    from lctasks.services import plan_import
    from lctasks.services.ledger import LedgerService
    from lctasks.units import load_units
    from tests.sample_plan import small_tree

    ctx = ServiceContext(database, Actor("测试员", Source.CLI))
    ledger = LedgerService(ctx)
    ledger.import_tree(small_tree())
    WorkflowService(ctx).assign(["C06.M01"], lead="市科技局", co=["市工业和信息化局"])
    units = [
        dataclasses.replace(u, short="科技局") if u.short == "市科技局" else u for u in load_units()
    ]
    monkeypatch.setattr(plan_import, "load_file_units", lambda: units)
    ledger.import_tree(small_tree())
    assert ledger.get_task("C06.M01").lead_unit == "科技局"
    assert HistoryService(ctx).verify().findings == ()
