"""The workflow commands as users and scripts run them, on the real plan.

Through Typer's CliRunner (every command, JSON shapes, exit codes, the database
afterwards) and a few real subprocesses, which take the start-up fast path.
"""

from __future__ import annotations

import ast
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from lctasks.cli import fast
from lctasks.cli import spec as option_table
from lctasks.cli.app import app
from lctasks.db.engine import open_database
from lctasks.domain import Actor
from lctasks.services.base import ServiceContext
from tests.cli_helpers import ROOT, lctasks_process
from tests.cli_helpers import event_count as events
from tests.cli_helpers import invoke as run
from tests.cli_helpers import invoke_json as jrun


@pytest.fixture
def db(bundled_plan_db: str) -> str:
    """A fresh copy of the bundled plan (tests/conftest.py)."""
    return bundled_plan_db


def row(db: str, key: str) -> dict[str, object]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    r = con.execute(
        "SELECT t.*, u.short AS lead FROM tasks t LEFT JOIN units u ON u.id = t.lead_unit_id "
        "WHERE key = ?",
        (key,),
    ).fetchone()
    co = [
        x[0]
        for x in con.execute(
            "SELECT u.short FROM task_co_units c JOIN units u ON u.id = c.unit_id "
            "WHERE c.task_id = ? ORDER BY c.position",
            (r["id"],),
        )
    ]
    out = dict(r)
    out["co"] = co
    con.close()
    return out


def test_assign_with_pinyin_and_chinese_date(db: str) -> None:
    code, doc, stderr = jrun(
        db,
        "assign",
        "C10.M03",
        "c10.m04",
        "--lead",
        "gxj",
        "--co",
        "kjj,市发展改革委",
        "--co",
        "东阿",
        "--due",
        "2026年6月底前",
        "--person",
        "李明",
    )
    assert code == 0, stderr
    assert doc["ok"] and doc["applied"] and doc["action"] == "assign"
    assert doc["summary"] == {"total": 2, "changed": 2, "unchanged": 0, "error": 0, "events": 2}
    first = doc["results"][0]
    assert first["id"] == "C10.M03" and first["result"] == "changed" and first["version"] == 2
    assert first["changes"]["lead"] == [None, "市工业和信息化局"]
    assert first["changes"]["due"] == ["2025-12-31", "2026-06-30"]
    r = row(db, "C10.M04")
    assert (r["lead"], r["co"], r["due"], r["person"]) == (
        "市工业和信息化局",
        ["市科技局", "市发展改革委", "东阿县"],
        "2026-06-30",
        "李明",
    )
    # 转办 needs a reason
    code, _, stderr = run(db, "assign", "C10.M03", "--lead", "市科技局")
    assert code == 4 and "转办" in stderr and "C10.M03" in stderr
    code, stdout, _ = run(db, "assign", "C10.M03", "--lead", "市科技局", "--reason", "职能调整")
    assert code == 0 and "市工业和信息化局 → 市科技局" in stdout


def test_bad_unit_lists_nearest_and_changes_nothing(db: str) -> None:
    before = events(db)
    code, _, stderr = run(db, "assign", "C10.M03", "--lead", "市科枝局")
    assert code == 3
    assert "市科枝局" in stderr and "市科技局" in stderr
    assert events(db) == before and row(db, "C10.M03")["lead"] is None


def test_bad_date_lists_accepted_forms(db: str) -> None:
    code, _, stderr = run(db, "assign", "C10.M03", "--lead", "kjj", "--due", "明年春天")
    assert code == 4
    assert "明年春天" in stderr and "2025年底" in stderr and "+30d" in stderr
    code, _, stderr = run(db, "extend", "C10.M03", "--to", "2026-02-30", "--reason", "x")
    assert code == 4 and "2026-02-30" in stderr


def test_batch_with_one_bad_id_changes_nothing(db: str) -> None:
    assert run(db, "status", "C10.M01", "C10.M02", "in_progress")[0] == 0
    before = events(db)
    code, doc, stderr = jrun(
        db, "close", "C10.M01", "C10.M99", "C10.M02", "--note", "完成", "--evidence", "E"
    )
    assert code == 3
    assert doc["ok"] is False and doc["applied"] is False
    assert [(r["id"], r["result"]) for r in doc["results"]] == [
        ("C10.M01", "changed"),
        ("C10.M99", "error"),
        ("C10.M02", "changed"),
    ]
    assert doc["error"]["ids"] == ["C10.M99"] and doc["error"]["exit_code"] == 3
    assert "C10.M99" in stderr
    assert events(db) == before
    assert row(db, "C10.M01")["status"] == "in_progress"


def test_close_and_close_again_is_unchanged(db: str) -> None:
    run(db, "status", "C10.M01", "done")
    code, stdout, _stderr = run(db, "close", "C10.M01", "--note", "已建成", "--evidence", "文号1")
    assert code == 0 and "已销号" in stdout and "C10.M01" in stdout
    n = events(db)
    code, doc, _ = jrun(db, "close", "C10.M01", "--note", "已建成", "--evidence", "文号1")
    assert code == 0 and doc["results"][0]["result"] == "unchanged"
    assert doc["summary"]["unchanged"] == 1 and events(db) == n
    assert row(db, "C10.M01")["status"] == "closed"


def test_close_without_evidence_is_invalid_input(db: str) -> None:
    run(db, "status", "C10.M01", "done")
    code, _, stderr = run(db, "close", "C10.M01", "--note", "完成")
    assert code == 4 and "--evidence" in stderr
    assert row(db, "C10.M01")["status"] == "done"


def test_closing_a_task_not_started_is_a_conflict(db: str) -> None:
    code, doc, stderr = jrun(db, "close", "C10.M05", "--note", "完成", "--evidence", "E")
    assert code == 5 and doc["error"]["type"] == "ConflictError"
    assert "未启动" in stderr


def test_ids_from_file_and_stdin(db: str, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("# 第十章\nC10.M01\nC10.M02  # 新材料\n\n", encoding="utf-8")
    code, doc, _ = jrun(db, "status", "--from", str(ids), "--to", "blocked", "--reason", "缺资金")
    assert code == 0 and [r["id"] for r in doc["results"]] == ["C10.M01", "C10.M02"]
    code, doc, _ = jrun(
        db, "note", "--from", "-", "调度会要求月底前解决", input="C10.M01\nC10.M02\n"
    )
    assert code == 0 and doc["summary"]["changed"] == 2
    code, _, stderr = run(db, "close", "--from", str(tmp_path / "none.txt"), "-n", "a", "-e", "b")
    assert code == 3 and "none.txt" in stderr
    code, _, stderr = run(db, "close", "--note", "a", "--evidence", "b")
    assert code == 4 and "--from" in stderr


def test_dry_run_writes_nothing(db: str) -> None:
    n = events(db)
    code, doc, stderr = jrun(db, "assign", "C10.M03", "--lead", "kjj", "--dry-run")
    assert code == 0 and doc["dry_run"] and not doc["applied"]
    assert doc["results"][0]["result"] == "changed"
    assert events(db) == n and row(db, "C10.M03")["lead"] is None
    code, _, stderr = run(db, "assign", "C10.M03", "--lead", "kjj", "--dry-run")
    assert "演练" in stderr


def test_if_version_conflict(db: str) -> None:
    code, doc, _ = jrun(db, "note", "C10.M01", "第一次", "--if-version", "1")
    assert code == 0 and doc["results"][0]["version"] == 2
    code, doc, stderr = jrun(db, "note", "C10.M01", "第二次", "--if-version", "1")
    assert code == 5 and "期望 1" in stderr and "当前 2" in stderr
    code, _, _ = run(db, "note", "C10.M01", "C10.M02", "x", "--if-version", "2")
    assert code == 4


def test_progress_check_extend_return_reopen_history(office_clock: object, db: str) -> None:
    code, doc, _ = jrun(
        db,
        "progress",
        "C10.M03",
        "--made",
        "中通客车新能源产线投产",
        "--problems",
        "电池供应紧张",
        "--next",
        "引进电池配套企业",
        "--percent",
        "40",
    )
    assert code == 0
    ch = doc["results"][0]["changes"]
    assert ch["status"] == ["not_started", "in_progress"] and ch["progress"] == [0, 40]
    code, doc, _ = jrun(db, "check", "C10.M03", "1", "3")
    assert code == 0 and doc["results"][0]["changes"]["progress"] == [40, 67]
    code, _, stderr = run(db, "check", "C10.M03", "9")
    assert code == 4 and "共 3 项" in stderr
    code, doc, _ = jrun(db, "check", "C10.M03", "3", "--undo")
    assert doc["results"][0]["changes"]["progress"] == [67, 33]
    # today (pinned: 2026-12-01) is past the plan's 2025-12-31 deadline: a late
    # extension needs --late
    code, _, stderr = run(db, "extend", "C10.M03", "--to", "2099年6月底前", "--reason", "疫情")
    assert code == 5 and "--late" in stderr
    code, doc, _ = jrun(
        db, "extend", "C10.M03", "--to", "2099年6月底前", "--reason", "疫情影响", "--late"
    )
    assert code == 0 and doc["results"][0]["changes"]["due"] == ["2025-12-31", "2099-06-30"]
    r = row(db, "C10.M03")
    assert r["original_due"] == "2025-12-31" and r["due_basis"] == "extended"
    assert run(db, "status", "C10.M03", "done")[0] == 0
    code, _, stderr = run(db, "return", "C10.M03")
    assert code == 4 and "--reason" in stderr
    assert run(db, "return", "C10.M03", "--reason", "佐证材料不全")[0] == 0
    assert row(db, "C10.M03")["status"] == "returned"
    code, doc, _ = jrun(db, "reopen", "C10.M03")
    assert doc["results"][0]["result"] == "unchanged"  # returned is already open
    code, doc, _ = jrun(db, "history", "C10.M03")
    assert code == 0 and doc["task"] == "C10.M03"
    assert [e["action"] for e in doc["events"]] == [
        "progress",
        "check",
        "check",
        "extend",
        "status",
        "return",
    ]
    assert all(e["actor"] == "测试员" and e["source"] == "cli" for e in doc["events"])
    code, stdout, _ = run(db, "history", "C10.M03")
    assert "佐证材料不全" in stdout and "测试员" in stdout
    assert run(db, "history", "C10.M98")[0] == 3


def test_accept_records_the_rule(db: str) -> None:
    code, doc, _ = jrun(db, "accept", "C10.M03")
    assert code == 0
    assert doc["results"][0]["changes"]["lead"] == [None, "市工业和信息化局"]
    code, doc, _ = jrun(db, "log", "--action", "accept")
    assert doc["events"][0]["source"] == "rule" and doc["events"][0]["task"] == "C10.M03"


def test_log_filters_and_verify_catches_tampering(db: str) -> None:
    run(db, "--as", "王督查", "status", "C10.M01", "C10.M02", "in_progress")
    run(db, "--as", "李联络", "note", "C10.M01", "已报送")
    code, doc, _ = jrun(db, "log", "--actor", "王督查")
    assert code == 0 and {e["task"] for e in doc["events"]} == {"C10.M01", "C10.M02"}
    code, doc, _ = jrun(db, "log", "--task", "c10.m01", "--limit", "1")
    assert [e["action"] for e in doc["events"]] == ["note"]
    code, stdout, _ = run(db, "log", "--verify")
    assert code == 0 and "完整" in stdout
    con = sqlite3.connect(db)
    seq = con.execute("SELECT max(seq) FROM events WHERE action = 'note'").fetchone()[0]
    con.execute("UPDATE events SET reason = '未报送' WHERE seq = ?", (seq,))
    con.commit()
    con.close()
    code, stdout, stderr = run(db, "log", "--verify")
    assert code != 0 and f"第 {seq} 号事件" in stderr and "内容被改动" in stderr
    code, doc, _ = jrun(db, "log", "--verify")
    assert code != 0 and doc["ok"] is False and doc["first_bad_seq"] == seq


def test_report_by_unit_and_chapter(db: str) -> None:
    run(db, "assign", "C10.M01", "C10.M02", "C10.M03", "--lead", "gxj")
    run(db, "status", "C10.M01", "done")
    run(db, "close", "C10.M01", "--note", "完成", "--evidence", "E")
    code, doc, _ = jrun(db, "report", "--as-of", "2026-01-15")
    assert code == 0 and doc["by"] == "unit" and doc["as_of"] == "2026-01-15"
    units = {r["group"]: r for r in doc["rows"]}
    gx = units["市工业和信息化局"]
    assert (gx["total"], gx["done"], gx["closed"], gx["overdue"]) == (3, 1, 1, 2)
    assert gx["done_percent"] == 33.3
    con = sqlite3.connect(db)
    live = con.execute("SELECT count(*) FROM tasks WHERE removed = 0").fetchone()[0]
    con.close()
    assert doc["total"]["total"] == live == 633
    overdue = {o["id"] for o in doc["overdue"]}
    assert {"C10.M02", "C10.M03"} <= overdue and "C10.M01" not in overdue
    code, doc, _ = jrun(db, "report", "--by", "chapter", "--as-of", "2024-01-01")
    c10 = next(r for r in doc["rows"] if r["group"].startswith("C10 "))
    assert "发展先进制造业" in c10["group"] and c10["done"] == 1
    code, stdout, _ = run(db, "report", "--as-of", "2026-01-15")
    assert "市工业和信息化局" in stdout and "逾期任务" in stdout and "\x1b[" not in stdout
    assert "另有" in stdout  # the human list stops at 20; --json has them all
    assert run(db, "report", "--by", "person")[0] == 4


def test_english_messages(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCTASKS_LANG", "en")
    code, _, stderr = run(db, "close", "C10.M01", "--note", "done")
    assert code == 4 and "evidence" in stderr


# -- scripts: real processes, the fast path -----------------------------------


def _lctasks(db: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """As a script runs it: the database from LCTASKS_DB, the person from LCTASKS_USER."""
    env = {"LCTASKS_DB": db, "LCTASKS_USER": "脚本"}
    return lctasks_process(None, *args, input=input, env=env)


def test_real_process_close_and_exit_codes(db: str) -> None:
    assert _lctasks(db, "status", "C10.M01", "C10.M02", "done").returncode == 0
    res = _lctasks(db, "close", "C10.M01", "C10.M02", "--note", "完成", "--evidence", "E", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["summary"]["changed"] == 2
    res = _lctasks(db, "close", "C10.M01", "--note", "完成", "--evidence", "E")
    assert res.returncode == 0 and "未变" in res.stdout
    res = _lctasks(db, "close", "C10.M01", "--note", "完成")
    assert res.returncode == 4 and res.stdout == "" and "佐证材料" in res.stderr
    res = _lctasks(db, "close", "C10.M404", "--note", "a", "--evidence", "b")
    assert res.returncode == 3 and "C10.M404" in res.stderr
    res = _lctasks(db, "close", "--bogus")  # the fast path hands usage errors to Typer
    assert res.returncode == 2
    res = _lctasks(db, "close", "--help")
    assert res.returncode == 0 and "--evidence" in res.stdout
    assert row(db, "C10.M02")["status"] == "closed"


def test_close_does_not_import_ui_orm_or_typer(db: str) -> None:
    code = (
        "import sys\n"
        "from lctasks.cli.fast import run\n"  # what lctasks.cli.entry.main runs first
        f"assert run(['--db', {db!r}, 'close', 'C10.M01', '-n', 'a', '-e', 'b']) == 5\n"
        "heavy = ('textual', 'sqlalchemy', 'typer', 'pydantic', 'rich', 'pypinyin')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert res.stdout.strip().splitlines()[-1] == "[]", res.stdout + res.stderr


def test_fast_path_accepts_exactly_the_typer_options() -> None:
    group = get_command(app)
    for name, (positional, spec) in fast.COMMANDS.items():
        command = group.commands[name]  # type: ignore[attr-defined]
        typer_opts = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        typer_opts -= {p for p in typer_opts if not p.startswith("-")}
        assert set(spec) == typer_opts - {"--help"}, name
        names = {p.name for p in command.params}
        assert positional in names and {dest for dest, _ in spec.values()} <= names, name


def test_no_prompt_anywhere_in_the_cli() -> None:
    for path in (ROOT / "lctasks").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"confirm", "prompt"}:
                pytest.fail(f"{path}: {node.attr}")
            if isinstance(node, ast.Name) and node.id == "input":
                pytest.fail(f"{path}: input()")


def test_roles_apply_to_the_cli_fast_path_too(db: str) -> None:
    """With people on record the fast path steps aside for the full access check."""
    from lctasks.services.people import PeopleService

    database = open_database(db)
    try:
        people = PeopleService(ServiceContext(database, Actor("王督查")))
        people.add("王督查", "supervisor")
        people.add("李联络", "liaison", "市科技局")
    finally:
        database.dispose()
    assert run(db, "--as", "王督查", "assign", "C09.M01", "--lead", "kjj")[0] == 0
    res = _lctasks(db, "--as", "李联络", "close", "C09.M01", "-n", "完成", "-e", "E")
    assert res.returncode == 6 and "督查室" in res.stderr
    res = _lctasks(db, "--as", "李联络", "status", "C09.M01", "suspended")
    assert res.returncode == 6 and "暂缓" in res.stderr
    res = _lctasks(db, "--as", "李联络", "progress", "C09.M01", "--made", "材料已报", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["results"][0]["changes"]["status"] == [
        "not_started",
        "in_progress",
    ]
    res = _lctasks(db, "--as", "李联络", "close", "C09.M01", "C10.M01", "-n", "完成", "-e", "E")
    assert res.returncode == 6 and row(db, "C09.M01")["status"] == "in_progress"


def test_the_commands_on_either_back_end(db_url: str) -> None:
    """The same commands on SQLite and (when configured) PostgreSQL."""
    from tests.wfdata import seed

    database = open_database(db_url)
    seed(database)
    database.dispose()
    code, doc, stderr = jrun(db_url, "assign", "C10.M01", "C10.M03", "--lead", "gxj", "--co", "kjj")
    assert code == 0, stderr
    assert doc["summary"]["changed"] == 2
    assert run(db_url, "status", "C10.M01", "done")[0] == 0
    code, doc, _ = jrun(db_url, "close", "C10.M01", "C10.M03", "-n", "完成", "-e", "E")
    assert code == 5 and doc["applied"] is False  # C10.M03 not started: nothing closed
    code, doc, _ = jrun(db_url, "close", "C10.M01", "-n", "完成", "-e", "E")
    assert code == 0 and doc["results"][0]["changes"]["status"] == ["done", "closed"]
    code, doc, _ = jrun(db_url, "history", "C10.M01")
    assert [e["action"] for e in doc["events"]] == ["assign", "status", "close"]
    assert run(db_url, "log", "--verify")[0] == 0
    code, doc, _ = jrun(db_url, "report", "--as-of", "2023-03-01")
    assert {r["group"] for r in doc["rows"]} == {"市工业和信息化局", "（未分配）"}


def test_both_parsers_read_kinds_defaults_and_env_vars_from_one_table() -> None:
    group = get_command(app)
    for cmd, options in [(group, option_table.GLOBAL)] + [
        (group.commands[c.name], c.options)  # type: ignore[attr-defined]
        for c in option_table.COMMANDS
    ]:
        params = {p.name: p for p in cmd.params}
        for opt in options:
            p = params[opt.dest]
            assert sorted(p.opts) == sorted(opt.flags), opt
            assert (p.default, p.envvar) == (opt.default, opt.envvar), opt
            assert (p.is_flag, p.multiple) == (opt.kind == "flag", opt.kind == "multi"), opt
    for c in option_table.COMMANDS:
        positional, parsed = fast.COMMANDS[c.name]
        assert positional == c.positional
        for opt in c.options:
            for flag in opt.flags:
                assert parsed[flag] == (opt.dest, "str" if opt.kind == "date" else opt.kind)
    assert {f: d for f, (d, _) in fast.GLOBAL.items()} == {
        f: o.dest for o in option_table.GLOBAL for f in o.flags
    }


def test_fast_path_reads_global_options_from_the_environment(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCTASKS_DB", db)
    monkeypatch.setenv("LCTASKS_PLAN", "lc-14th")
    assert fast.run(["status", "C10.M01", "done", "--json"]) == 0
    assert row(db, "C10.M01")["status"] == "done"
    monkeypatch.setenv("LCTASKS_PLAN", "no-such-plan")
    assert fast.run(["status", "C10.M01", "blocked"]) == 3
