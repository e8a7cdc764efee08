"""The history tested as an attacker would, on SQLite and PostgreSQL.

Each test is one row of the README's table "What `log --verify` catches": the
attack is done with plain SQL (or a file/`restore`), then `lctasks log --verify`
must exit 7 naming the offending event, anchor or task, through the check the
README names. The office keeps an anchor file (`log --anchor --out`, as its cron
line does) and its key outside the database (conftest: LCTASKS_CHAIN_KEY).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database, open_database
from lctasks.domain import Actor, Source
from lctasks.services.base import ServiceContext
from lctasks.services.workflow import WorkflowService
from tests.attack import rehash, sql, swap
from tests.conftest import TEST_CHAIN_KEY
from tests.wfdata import seed


@dataclass
class Office:
    url: str
    db: Database
    anchors: Path
    backup: Path  # taken after event 6, before 7 and 8

    def verify(self, *extra: str) -> tuple[int, dict[str, Any], str]:
        args = ["--db", self.url, "--json", "log", "--verify", "--against", str(self.anchors)]
        res = CliRunner().invoke(app, [*args, *extra])
        human = CliRunner().invoke(app, [a for a in args if a != "--json"] + list(extra))
        return res.exit_code, json.loads(res.stdout), human.output

    def checks(self, doc: dict[str, Any]) -> list[tuple[str, str, Any]]:
        return [(f["check"], f["problem"], f["seq"] or f["task"]) for f in doc["findings"]]


def _cli(url: str, *args: str) -> str:
    res = CliRunner().invoke(app, ["--db", url, *args])
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture
def office(db_url: str, tmp_path: Path) -> Any:
    db = open_database(db_url)
    seed(db)
    w = WorkflowService(ServiceContext(db, Actor("测试员", Source.CLI)))
    w.assign(["C09.M01"], lead="市科技局", co=["东昌府区"])  # 1
    w.check("C10.M02", [1])  # 2
    w.report_progress(["C09.M01"], made="完成平台申报", percent=40, period="2026-11")  # 3
    w.set_status(["C09.M01"], "done")  # 4
    w.close(["C09.M01"], note="通过验收", evidence="聊科字〔2026〕3号")  # 5
    w.extend(["C10.M03"], to=dt.date(2026, 6, 30), reason="资金未到位", today=dt.date(2025, 1, 1))
    anchors = tmp_path / "anchors.txt"
    _cli(db_url, "log", "--anchor", "--out", str(anchors))  # #6
    backup = tmp_path / "old.lctasks-backup.db"
    _cli(db_url, "backup", str(backup))
    w.note(["C10.M01"], "调度会点名")  # 7
    w.report_progress(["C10.M01"], made="设备安装完成", percent=60, period="2026-11")  # 8
    _cli(db_url, "log", "--anchor", "--out", str(anchors))  # #8
    o = Office(db_url, db, anchors, backup)
    code, doc, _ = o.verify()
    assert code == 0 and doc["keyed"] == "checked" and doc["anchors"] == 2, doc
    yield o
    db.dispose()


def test_clean_history_exits_0(office: Office) -> None:
    code, doc, out = office.verify()
    assert code == 0 and doc["events"] == 8 and doc["tasks"] == 5
    assert "事件链完整" in out and "密钥校验：通过" in out and "2 个均仍在历史中" in out


def test_truncated_tail_is_caught_by_the_anchors(office: Office) -> None:
    sql(office.db, "DELETE FROM events WHERE seq >= 7")
    sql(office.db, "UPDATE tasks SET status = 'not_started', progress = 0 WHERE key = 'C10.M01'")
    code, doc, out = office.verify()
    assert code == 7
    assert office.checks(doc) == [("anchor", "beyond_head", 8)]
    assert f"锚点 {office.anchors}:2（#8 " in out and "历史现止于第 6 号事件" in out


def test_deleted_middle_event_is_caught_by_the_chain(office: Office) -> None:
    sql(office.db, "DELETE FROM events WHERE seq = 3")
    code, doc, out = office.verify("--chain-only")
    assert code == 7 and doc["first_bad_seq"] == 3
    assert office.checks(doc)[0] == ("chain", "missing", 3)
    assert "第 3 号事件" in out and "缺失" in out


def test_edit_and_rehash_without_the_key_is_caught_by_the_keyed_check(office: Office) -> None:
    sql(office.db, "UPDATE events SET reason = '未通过' WHERE seq = 5")
    rehash(office.db, 5)
    code, doc, out = office.verify()
    assert code == 7
    assert office.checks(doc)[0] == ("keyed", "mac", 5)
    assert "密钥校验失败：第 5 号事件" in out


def test_edit_and_rehash_without_the_key_checked_without_the_key(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verified on a machine without the key: the anchors still catch it."""
    sql(office.db, "UPDATE events SET reason = '未通过' WHERE seq = 5")
    rehash(office.db, 5)
    monkeypatch.delenv("LCTASKS_CHAIN_KEY")
    code, doc, out = office.verify()
    assert code == 7 and doc["keyed"] == "skipped" and "已跳过" not in out  # failed: no summary
    assert office.checks(doc) == [("anchor", "rewritten", 6), ("anchor", "rewritten", 8)]
    # and without anchors, it says what it could not check
    res = CliRunner().invoke(app, ["--db", office.url, "log", "--verify"])
    assert res.exit_code == 0 and "密钥校验：已跳过" in res.output


def test_rehash_that_strips_the_keyed_hashes_is_caught_without_the_key(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql(office.db, "UPDATE events SET reason = '未通过' WHERE seq = 5")
    rehash(office.db, 5, drop_mac=True)
    monkeypatch.delenv("LCTASKS_CHAIN_KEY")
    code, doc, _ = office.verify()
    assert code == 7 and office.checks(doc)[0] == ("keyed", "unkeyed", 5)


@pytest.mark.parametrize("with_key", [True, False])
def test_rehash_signed_with_another_key_is_caught_by_the_keyed_check(
    office: Office, monkeypatch: pytest.MonkeyPatch, with_key: bool
) -> None:
    """The attacker signs the rewritten events with a key of their own."""
    sql(office.db, "UPDATE events SET reason = '未通过' WHERE seq = 5")
    rehash(office.db, 5, key="the-attackers-own-key-0123456789")
    if not with_key:
        monkeypatch.delenv("LCTASKS_CHAIN_KEY")
    code, doc, out = office.verify()
    assert code == 7
    assert office.checks(doc)[0] == ("keyed", "key_id", 5)
    assert "密钥校验失败：第 5 号事件" in out


def test_edit_and_rehash_with_the_key_is_caught_by_the_anchors(office: Office) -> None:
    sql(office.db, "UPDATE events SET reason = '未通过' WHERE seq = 5")
    rehash(office.db, 5, key=TEST_CHAIN_KEY)
    code, doc, out = office.verify()
    assert code == 7 and doc["keyed"] == "checked"
    assert office.checks(doc) == [("anchor", "rewritten", 6), ("anchor", "rewritten", 8)]
    assert f"锚点 {office.anchors}:1（#6 " in out and "哈希已不同" in out


def test_task_row_changed_directly_is_caught_by_the_replay(office: Office) -> None:
    sql(office.db, "UPDATE tasks SET status = 'closed', progress = 100 WHERE key = 'C10.M01'")
    code, doc, out = office.verify()
    assert code == 7
    assert [(f["task"], f["field"], f["expected"], f["found"]) for f in doc["findings"]] == [
        ("C10.M01", "status", "in_progress", "closed"),
        ("C10.M01", "progress", 60, 100),
    ]
    assert "任务 C10.M01（lc-14th）的状态：历史记录为 推进中，数据库中为 已销号" in out


def test_swapped_events_are_caught_by_the_chain(office: Office) -> None:
    swap(office.db, 3, 4)
    code, doc, out = office.verify()
    assert code == 7 and doc["first_bad_seq"] == 3
    assert office.checks(doc)[0] == ("chain", "link", 3)
    assert "第 3 号事件" in out


def test_older_backup_restored_over_a_newer_database_is_caught_by_the_anchors(
    office: Office,
) -> None:
    _cli(office.url, "restore", str(office.backup), "--force")
    code, doc, out = office.verify()
    assert code == 7 and doc["head"]["seq"] == 6
    assert office.checks(doc) == [("anchor", "beyond_head", 8)]
    assert "历史现止于第 6 号事件" in out
