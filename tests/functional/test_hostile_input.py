"""Hostile input on either back end (issue 16, items 6-10): no raw terminal
sequences, no tracebacks, no hangs, the right words, limits before parsing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lctasks.db.engine import open_database
from lctasks.textsafe import json_text, one_line, shown, visible
from tests.cli_helpers import invoke as run
from tests.wfdata import seed

# set the window title, clear the screen, an 8-bit CSI, a right-to-left override
EVIL = "标题\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e完成\r覆盖"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "lctasks.db"
    database = open_database(path)
    seed(database)
    database.dispose()
    return str(path)


RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


def assert_no_raw(text: str) -> None:
    for ch in RAW:
        assert ch not in text, (ch, text)


# -- 6. terminal injection -------------------------------------------------------------


def test_visible_makes_every_control_character_visible() -> None:
    assert visible(EVIL) == "标题\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e完成\\r覆盖"
    assert visible("第一行\n\t第二行") == "第一行\n\t第二行"
    assert one_line("第一行\n\t第二行") == "第一行\\n\\t第二行"
    assert json.loads(json_text(json.dumps({"n": EVIL}, ensure_ascii=False))) == {"n": EVIL}
    assert "\x9b" not in json_text(json.dumps(EVIL, ensure_ascii=False))


def test_shown_reaches_inside_dataclasses() -> None:
    import datetime as dt

    from lctasks.domain import Event, Source

    ev = Event(
        seq=1,
        at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        actor="李\x1b[2J",
        source=Source.CLI,
        action="note",
        plan="lc-14th",
        task="C09.M01",
        changes={},
        reason=EVIL,
    )
    out = shown((ev,))[0]
    assert out.actor == "李\\x1b[2J" and "\x1b" not in out.reason and out.seq == 1


def test_a_hostile_note_is_stored_as_typed_and_shown_escaped(db: str) -> None:
    code, _, err = run(db, "note", "C09.M01", EVIL)
    assert code == 0, err
    for args in (["show", "C09.M01"], ["history", "C09.M01"], ["log"]):
        code, out, err = run(db, *args)
        assert code == 0, err
        assert_no_raw(out + err)
        if args[0] != "show":  # show has no notes
            assert "\\x1b]0;pwned" in out, args
    # JSON keeps the stored value exactly (decoded), with no raw C1/bidi characters
    code, out, _ = run(db, "log", "--json")
    assert code == 0
    assert "\x9b" not in out and "\u202e" not in out
    assert [e["reason"] for e in json.loads(out)["events"]] == [EVIL]


def test_hostile_text_in_errors_is_escaped(db: str) -> None:
    code, out, err = run(db, "show", "C09\x1b[2J")
    assert code in (2, 3, 4) and "Traceback" not in err
    assert_no_raw(out + err)
    code, out, err = run(db, "list", "--unit", "\x1b]0;x\x07")
    assert code != 0 and "Traceback" not in err
    assert_no_raw(out + err)


def test_tui_cells_show_controls() -> None:
    from lctasks.tui.widgets.task_list import fit

    cell = fit("任务\x1b[2J\n第二行", 30)
    assert "\x1b" not in cell and "\n" not in cell and cell.startswith("任务\\x1b[2J\\n")


# -- 7. clear errors, not tracebacks -----------------------------------------------------

DEEP = "[snapshot]\nx = " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.mark.parametrize("as_json", [False, True])
def test_deeply_nested_toml_is_refused_in_apply_and_diff(
    db: str, tmp_path: Path, as_json: bool
) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text(DEEP, encoding="utf-8")
    ok = tmp_path / "ok.toml"
    assert run(db, "export", "--out", str(ok))[0] == 0
    flag = ["--json"] if as_json else []
    for args in (["apply", str(deep)], ["diff", str(ok), str(deep)], ["diff", str(deep), str(ok)]):
        code, out, err = run(db, *args, *flag)
        assert code == 4, (args, out, err)
        assert "Traceback" not in err and "RecursionError" not in err
        if as_json:
            assert json.loads(err)["error"]["exit_code"] == 4
        else:
            assert "32" in err  # the limit is named


def test_output_to_a_full_device_after_the_change_says_it_was_made(db: str) -> None:
    import subprocess
    import sys

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    for args in (["note", "C09.M01", "满盘"], ["assign", "C10.M01", "--lead", "市科技局"]):
        with open("/dev/full", "w") as full:
            r = subprocess.run(
                [sys.executable, "-m", "lctasks", "--db", db, *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "LCTASKS_LANG": "en"},
                check=False,
            )
        assert r.returncode == 9, r.stderr
        assert "the change was made" in r.stderr and "Traceback" not in r.stderr
    code, out, _ = run(db, "history", "C09.M01", "--json")
    assert code == 0 and "满盘" in out
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "lctasks", "--db", db, "list"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "LCTASKS_LANG": "en"},
            check=False,
        )
    assert r.returncode == 9 and "nothing was changed" in r.stderr


def test_backup_onto_a_full_disk(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from lctasks.services import backup

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "_single_file", full)
    dest = tmp_path / "out"
    dest.mkdir()
    code, _, err = run(db, "backup", str(dest / "b.db"), env={"LCTASKS_LANG": "en"})
    assert code == 7 and "No space left on device" in err and "no partial file" in err
    assert list(dest.iterdir()) == []


# -- 8. hangs ------------------------------------------------------------------------------


def test_a_fifo_is_refused_not_waited_on(db: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for args in (
        ["apply", str(fifo)],
        ["diff", str(fifo), str(fifo)],
        ["import", str(fifo)],
        ["note", "--from", str(fifo), "x"],
    ):
        code, _, err = run(db, *args, env={"LCTASKS_LANG": "en"})
        assert code == 4, (args, err)
        assert "not a regular file" in err


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])  # accepted, never answered
            except OSError:
                continue

    th = threading.Thread(target=accept, daemon=True)
    th.start()
    try:
        url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/x"
        code, _, err = run(
            url, "list", env={"LCTASKS_PG_CONNECT_TIMEOUT": "2", "LCTASKS_LANG": "en"}
        )
    finally:
        stop.set()
        th.join()
        for s in held:
            s.close()
        srv.close()
    assert code == 7 and "Traceback" not in err
    assert "timeout" in err.lower() or "timed out" in err.lower()


# -- 9. wrong words ------------------------------------------------------------------------


def test_a_killed_backups_temporary_file_is_removed_next_time(db: str, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    stale = dest / ".b.db.lctasks-tmp-999999999-abc123"  # no such process
    stale.write_bytes(b"\0" * 1024)
    (dest / ".b.db.lctasks-tmp-999999999-abc123-wal").write_bytes(b"\0")
    mine = dest / f".b.db.lctasks-tmp-{os.getpid()}-live"  # a live backup's: kept
    mine.write_bytes(b"\0")
    code, _, err = run(db, "backup", str(dest / "b.db"))
    assert code == 0, err
    assert sorted(p.name for p in dest.iterdir()) == sorted(["b.db", mine.name])


def test_read_only_database_reads_and_says_read_only(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lctasks.db import engine, sql

    monkeypatch.setattr(engine, "read_only_place", lambda _p: True)
    monkeypatch.setattr(sql, "read_only_place", lambda _p: True)
    code, out, err = run(db, "list", env={"LCTASKS_LANG": "en"})
    assert code == 0 and "C09.M01" in out, err
    code, _, err = run(db, "note", "C09.M01", "x", env={"LCTASKS_LANG": "en"})
    assert code == 7 and "read-only" in err and "damaged" not in err


# -- 10. size limits -------------------------------------------------------------------------


def test_a_huge_note_is_refused_and_nothing_changes(db: str) -> None:
    from lctasks.textsafe import MAX_TEXT_CHARS

    code, _, err = run(
        db, "note", "C09.M01", "字" * (MAX_TEXT_CHARS + 1), env={"LCTASKS_LANG": "en"}
    )
    assert code == 4 and str(MAX_TEXT_CHARS) in err
    code, out, _ = run(db, "log", "--json")
    assert json.loads(out)["events"] == []
    assert run(db, "note", "C09.M01", "字" * MAX_TEXT_CHARS)[0] == 0


def test_a_long_dotted_key_is_refused_before_parsing(db: str, tmp_path: Path) -> None:
    path = tmp_path / "dots.toml"
    path.write_text("a" + ".a" * 50_000 + " = 1\n", encoding="utf-8")  # 100 KB
    code, _, err = run(db, "apply", str(path), env={"LCTASKS_LANG": "en"})
    assert code == 4 and "dotted parts" in err


def test_a_file_over_the_size_limit_is_refused_unread(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lctasks import textsafe

    monkeypatch.setattr(textsafe, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.toml"
    path.write_text("# x\n" * 500, encoding="utf-8")
    code, _, err = run(db, "apply", str(path), env={"LCTASKS_LANG": "en"})
    assert code == 4 and "more than the limit of 1000" in err


@pytest.mark.postgres
def test_two_imports_at_once_into_an_empty_postgres(pg_db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    from lctasks.domain import Actor, BusyError
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService

    dbs = [open_database(pg_db_url) for _ in range(2)]

    def one(db: object) -> str:
        try:
            LedgerService(ServiceContext(db, Actor("测试员"))).import_plan()  # type: ignore[arg-type]
        except BusyError:
            return "busy"
        return "ok"

    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(one, dbs))
        with dbs[0].read() as s:
            plans = s.execute(text("SELECT count(*) FROM plans")).scalar_one()
            tasks = s.execute(text("SELECT count(*) FROM tasks")).scalar_one()
    finally:
        for db in dbs:
            db.dispose()
    assert "ok" in results and set(results) <= {"ok", "busy"}
    assert plans == 1 and tasks > 500
