"""The keyed chain: an HMAC per event with a key kept outside the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from lctasks.cli import fast
from lctasks.cli.app import app
from lctasks.db.engine import open_database
from lctasks.db.models import EventRow
from lctasks.domain import Actor, InvalidInputError, Source
from lctasks.services.base import ServiceContext
from lctasks.services.history import HistoryService
from lctasks.services.keys import key_id, load_keyring
from lctasks.services.verify_result import Check, Keyed, Problem
from lctasks.services.workflow import WorkflowService
from tests.conftest import TEST_CHAIN_KEY
from tests.wfdata import seed

KEY_A = "office-key-A-0123456789abcdef"


def _macs(url: str) -> list[tuple[int, str, str]]:
    db = open_database(url)
    with db.read() as s:
        rows = [
            (r.seq, r.action, r.mac) for r in s.scalars(select(EventRow).order_by(EventRow.seq))
        ]
    db.dispose()
    return rows


def _work(url: str, *keys: str) -> None:
    db = open_database(url)
    try:
        WorkflowService(ServiceContext(db, Actor("测试员", Source.CLI))).note(list(keys), "督办")
    finally:
        db.dispose()


def _verify(url: str) -> tuple[bool, Keyed, list[tuple[Check, Problem, int | None]]]:
    db = open_database(url)
    try:
        res = HistoryService(ServiceContext(db, Actor("测试员"))).verify()
    finally:
        db.dispose()
    return res.ok, res.keyed, [(f.check, f.problem, f.seq) for f in res.findings]


def test_every_event_carries_the_keyed_hash(db_url: str) -> None:
    db = open_database(db_url)
    seed(db)
    db.dispose()
    _work(db_url, "C10.M01", "C10.M02")
    kid = key_id(TEST_CHAIN_KEY.encode())
    assert [(seq, mac.split(":")[0]) for seq, _, mac in _macs(db_url)] == [(1, kid), (2, kid)]
    assert _verify(db_url) == (True, Keyed.CHECKED, [])


def test_postgresql_refuses_to_write_without_a_key(
    pg_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(pg_db_url)
    seed(db)
    db.dispose()
    monkeypatch.delenv("LCTASKS_CHAIN_KEY")
    with pytest.raises(InvalidInputError, match="须用密钥签名"):
        _work(pg_db_url, "C10.M01")
    res = CliRunner().invoke(app, ["--db", pg_db_url, "note", "C10.M01", "督办"])
    assert res.exit_code == 4 and "LCTASKS_CHAIN_KEY_FILE" in res.output
    assert _macs(pg_db_url) == []  # nothing written
    monkeypatch.setenv("LCTASKS_CHAIN_KEYED", "off")  # an office that opts out
    _work(pg_db_url, "C10.M01")
    assert _macs(pg_db_url) == [(1, "note", "")]


def test_sqlite_is_keyed_only_when_a_key_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    db = open_database(url)
    seed(db)
    db.dispose()
    monkeypatch.delenv("LCTASKS_CHAIN_KEY")
    _work(url, "C10.M01")
    assert _macs(url) == [(1, "note", "")]
    assert _verify(url) == (True, Keyed.UNKEYED, [])
    monkeypatch.setenv("LCTASKS_CHAIN_KEYED", "on")
    with pytest.raises(InvalidInputError):
        _work(url, "C10.M01")
    monkeypatch.delenv("LCTASKS_CHAIN_KEYED")
    monkeypatch.setenv("LCTASKS_CHAIN_KEY", KEY_A)  # keyed from the next event on
    _work(url, "C10.M02")
    assert _verify(url) == (True, Keyed.CHECKED, [])
    monkeypatch.delenv("LCTASKS_CHAIN_KEY")  # once keyed, no unkeyed event is added
    with pytest.raises(InvalidInputError, match="已用密钥签名"):
        _work(url, "C10.M03")
    assert _verify(url)[1] is Keyed.SKIPPED


def test_the_fast_path_signs_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    db = open_database(path)
    seed(db)
    db.dispose()
    assert fast.run(["--db", str(path), "note", "C10.M01", "督办"]) == 0
    assert fast.run(["--db", str(path), "status", "C10.M02", "in_progress"]) == 0
    url = f"sqlite:///{path}"
    kid = key_id(TEST_CHAIN_KEY.encode())
    assert [mac.split(":")[0] for _, _, mac in _macs(url)] == [kid, kid]
    assert _verify(url) == (True, Keyed.CHECKED, [])


def test_rotating_the_key_is_an_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db = open_database(url)
    seed(db)
    db.dispose()
    keyfile = tmp_path / "keys" / "chain.key"
    keyfile.parent.mkdir()
    keyfile.write_text(f"# the office's chain key\n{KEY_A}\n", encoding="utf-8")
    monkeypatch.delenv("LCTASKS_CHAIN_KEY")
    monkeypatch.setenv("LCTASKS_CHAIN_KEY_FILE", str(keyfile))
    _work(url, "C10.M01")
    res = CliRunner().invoke(app, ["--db", url, "log", "--rotate-key"])
    assert res.exit_code == 0, res.output
    new = load_keyring().current
    old = key_id(KEY_A.encode())
    assert new is not None and new != old and f"新密钥 {new}（原密钥 {old}）" in res.output
    assert (keyfile.stat().st_mode & 0o777) in (0o600, 0o644)  # the file existed already
    _work(url, "C10.M02", "C10.M03")  # the rotation is recorded once, before the first
    rows = _macs(url)
    assert [(a, m.split(":")[0]) for _, a, m in rows] == [
        ("note", old),
        ("key", new),
        ("note", new),
        ("note", new),
    ]
    db = open_database(url)
    with db.read() as s:
        ev = s.scalars(select(EventRow).where(EventRow.action == "key")).one()
        assert ev.changes == {"key": [old, new]}
        assert (ev.seq, ev.actor, ev.source, ev.task_key, ev.plan_code, ev.reason) == (
            2,
            "测试员",
            "cli",
            None,
            None,
            "",
        )
    db.dispose()
    assert _verify(url) == (True, Keyed.CHECKED, [])
    # the old key dropped from the file: its events can no longer be checked, and say so
    lines = keyfile.read_text(encoding="utf-8").splitlines()
    keyfile.write_text("\n".join(x for x in lines if x != KEY_A) + "\n", encoding="utf-8")
    assert _verify(url) == (True, Keyed.SKIPPED, [])
    # a key typed into the environment cannot be rotated into a file
    monkeypatch.setenv("LCTASKS_CHAIN_KEY", KEY_A)
    res = CliRunner().invoke(app, ["--db", url, "log", "--rotate-key"])
    assert res.exit_code == 4


def test_a_bad_key_setting_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    db = open_database(url)
    seed(db)
    db.dispose()
    monkeypatch.setenv("LCTASKS_CHAIN_KEY", "short")
    with pytest.raises(InvalidInputError, match="太短"):
        _work(url, "C10.M01")
    monkeypatch.setenv("LCTASKS_CHAIN_KEY", KEY_A)
    monkeypatch.setenv("LCTASKS_CHAIN_KEYED", "sometimes")
    with pytest.raises(InvalidInputError, match="auto、on 或 off"):
        _work(url, "C10.M01")


def test_a_key_changed_in_the_environment_is_recorded_before_the_next_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    db = open_database(url)
    seed(db)
    db.dispose()
    monkeypatch.setenv("LCTASKS_CHAIN_KEY", KEY_A)
    _work(url, "C10.M01")
    monkeypatch.setenv("LCTASKS_CHAIN_KEY", TEST_CHAIN_KEY)  # no `log --rotate-key`
    _work(url, "C10.M02", "C10.M03")
    old, new = key_id(KEY_A.encode()), key_id(TEST_CHAIN_KEY.encode())
    assert [(seq, a, m.split(":")[0]) for seq, a, m in _macs(url)] == [
        (1, "note", old),
        (2, "key", new),
        (3, "note", new),
        (4, "note", new),
    ]
    db = open_database(url)
    with db.read() as s:
        ev = s.scalars(select(EventRow).where(EventRow.action == "key")).one()
        assert (ev.changes, ev.actor, ev.source, ev.task_key, ev.reason) == (
            {"key": [old, new]},
            "测试员",
            "cli",
            None,
            "",
        )
    db.dispose()
