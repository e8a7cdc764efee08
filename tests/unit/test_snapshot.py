"""The pure snapshot module: layout, determinism, atomic writes, reading errors, diffs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lctasks import snapshot as snap_mod
from lctasks.domain import (
    DueBasis,
    InvalidInputError,
    Light,
    NotFoundError,
    ProgressReport,
    Status,
    StorageError,
    TaskKind,
)
from lctasks.snapshot import (
    CST,
    Counts,
    HistoryPoint,
    LastChange,
    OwnerChange,
    PlanInfo,
    Snapshot,
    SnapshotDiff,
    SnapshotFilter,
    SnapshotTask,
    ValueChange,
    build_snapshot,
    diff_snapshots,
    diff_texts,
    find_key_line,
    parse_snapshot,
    read_snapshot,
    snapshot_bytes,
    snapshot_text,
    to_document,
    write_snapshot,
)

PLAN = PlanInfo(
    "lc-14th",
    "聊城市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
    "聊政发〔2021〕4号",
    dt.date(2021, 1, 1),
    dt.date(2025, 12, 31),
)
AT = dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.UTC)


def task(tid: str, **kw: Any) -> SnapshotTask:
    base: dict[str, Any] = {
        "id": tid,
        "kind": TaskKind.MEASURE,
        "chapter": int(tid[1:].split(".")[0]) if tid.startswith("C") else 4,
        "title": "建设技术创新平台",
        "status": Status.IN_PROGRESS,
        "due": dt.date(2025, 12, 31),
        "due_basis": DueBasis.INFERRED,
        "lead": "市科技局",
        "co_units": ("市发展改革委", "东昌府区"),
        "person": "张明",
        "light": Light.GREEN,
        "progress": 40,
        "version": 3,
        "last_change": LastChange(12, AT),
    }
    base.update(kw)
    return SnapshotTask(**base)


def meeting(tasks: list[SnapshotTask], *, as_of: dt.date = dt.date(2026, 11, 29)) -> Snapshot:
    return build_snapshot(
        PLAN,
        tasks,
        as_of=as_of,
        history=HistoryPoint(57, "ab" * 32),
        chapter_titles={10: "建设创新型城市", 11: "推动制造业高质量发展"},
    )


SAMPLE = [
    task(
        "C10.M03",
        latest_report=ProgressReport(
            at=AT,
            actor="李华",
            made="完成可研报告编制，已报市发展改革委审批。",
            problems="土地指标紧张",
            next_steps="12月底前开工",
            percent=40,
            period="2026-11",
        ),
    ),
    task("C10.M01", status=Status.CLOSED, light=Light.GREEN, progress=100),
    task("C11.P02", kind=TaskKind.PROJECT, lead=None, co_units=(), person=None, light=Light.RED),
    task("C2.M1", chapter=2, due_basis=DueBasis.EXPLICIT, due=dt.date(2022, 12, 31)),
]


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


def test_layout_reads_like_a_meeting_paper() -> None:
    text = snapshot_text(meeting(SAMPLE))
    assert text.startswith("# 聊城市“十四五”规划任务台账 · 调度会状态快照\n")
    assert '\n[tasks."C10.M03"]\ntitle = "建设技术创新平台"\n' in text
    assert 'lead = "市科技局"\nco_units = [\n    "市发展改革委",\n    "东昌府区",\n]\n' in text
    # UTC 08:30 is written in China Standard Time
    assert '\n[tasks."C10.M03".latest_report]\nat = 2026-11-20 16:30:00+08:00\n' in text
    assert '\n[units."市科技局"]\ntasks = 3\n' in text
    assert '\n[units."未分配"]\ntasks = 1\n' in text
    assert '\n[chapters.C10]\ntitle = "建设创新型城市"\ntasks = 2\n' in text
    # tasks in plan order: C2 before C10, M01 before M03, then C11
    order = [text.index(f'[tasks."{i}"]') for i in ("C2.M1", "C10.M01", "C10.M03", "C11.P02")]
    assert order == sorted(order)
    # unassigned is written as empty text, not left out, so a meeting can fill it in
    assert '[tasks."C11.P02"]\ntitle = "建设技术创新平台"\nkind = "project"\n' in text
    assert 'lead = ""\nco_units = []\nperson = ""\n' in text


def test_totals_by_status_and_light() -> None:
    doc = tomllib.loads(snapshot_text(meeting(SAMPLE)))
    assert doc["totals"]["tasks"] == 4
    assert doc["totals"]["in_progress"] == 3
    assert doc["totals"]["closed"] == 1
    assert doc["totals"]["red"] == 1
    assert doc["totals"]["green"] == 3
    assert doc["totals"]["overdue"] == 3  # not finished, due before 2026-11-29
    assert doc["snapshot"] == {
        "as_of": dt.date(2026, 11, 29),
        "history_seq": 57,
        "history_hash": "ab" * 32,
    }
    assert "generated_at" not in doc["snapshot"]


def test_same_data_same_bytes_whatever_the_input_order() -> None:
    a = snapshot_bytes(meeting(SAMPLE))
    b = snapshot_bytes(meeting(list(reversed(SAMPLE))))
    assert a == b


def test_stamp_is_only_there_when_asked_for() -> None:
    stamped = build_snapshot(PLAN, SAMPLE, as_of=dt.date(2026, 11, 29), stamp=AT)
    text = snapshot_text(stamped)
    assert "generated_at = 2026-11-20 16:30:00+08:00\n" in text
    assert parse_snapshot(text).generated_at == AT


def _without_comments(text: str) -> str:
    # lines end at \n only: a value may hold U+0085 or U+2028, which splitlines() breaks at
    return "\n".join(line for line in text.split("\n") if not line.startswith("#"))


def test_every_byte_of_toml_is_written_by_tomli_w() -> None:
    snap = meeting(SAMPLE)
    plain = tomli_w.dumps(to_document(snap), multiline_strings=False)
    assert snapshot_text(snap, comments=False) == plain
    # the commented file is tomli_w's text with comment lines added, nothing else
    assert _without_comments(snapshot_text(snap)) == plain


def test_every_value_stays_on_one_line() -> None:
    """multiline_strings=False: newlines and quotes in a value are escaped, not spread."""
    odd = task("C10.M05", title="第一行\n第二行\t\"引号\" '''单引号''' \\ \x7f", note='"""备注"""')
    text = snapshot_text(meeting([*SAMPLE, odd]))
    assert "'''" in text and '"""' not in text.replace('\\"', "")
    assert "title = \"第一行\\n第二行\t\\\"引号\\\" '''单引号''' \\\\ \\u007f\"\n" in text
    assert parse_snapshot(text).task_map()["C10.M05"] == odd
    changed = dataclasses.replace(odd, status=Status.DONE)
    assert diff_texts(text, snapshot_text(meeting([*SAMPLE, changed]))).newly_done == ("C10.M05",)


# ---------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------


def test_write_replaces_the_file(tmp_path: Path) -> None:
    out = tmp_path / "meeting.toml"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    n = write_snapshot(meeting(SAMPLE), out)
    assert out.read_bytes() == snapshot_bytes(meeting(SAMPLE))
    assert n == out.stat().st_size
    assert out.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["meeting.toml"]


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    out = tmp_path / "meeting.toml"
    out.write_text("上次调度会的快照\n", encoding="utf-8")
    real_write = os.write

    def half_write(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[:100]))
        raise OSError(errno.ENOSPC, "No space left on device")

    def boom(*_: Any) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, failing, half_write if failing == "write" else boom)
    with pytest.raises(StorageError) as info:
        write_snapshot(meeting(SAMPLE), out)
    monkeypatch.undo()
    assert "原文件未改动" in info.value.message
    assert out.read_text(encoding="utf-8") == "上次调度会的快照\n"
    assert [p.name for p in tmp_path.iterdir()] == ["meeting.toml"]


def test_write_to_a_missing_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        write_snapshot(meeting(SAMPLE), tmp_path / "nope" / "x.toml")


def test_write_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    write_snapshot(meeting(SAMPLE), "-")
    assert capsysbinary.readouterr().out == snapshot_bytes(meeting(SAMPLE))


# ---------------------------------------------------------------------------
# Reading: errors name file, key path and line
# ---------------------------------------------------------------------------


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_read_back_from_file(tmp_path: Path) -> None:
    out = tmp_path / "m.toml"
    write_snapshot(meeting(SAMPLE), out)
    assert read_snapshot(out) == meeting(SAMPLE)


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    text = snapshot_text(meeting(SAMPLE)).replace('person = "张明"', "person = 张明", 1)
    path = tmp_path / "reviewed.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        read_snapshot(path)
    line = _line_of(text, "person = 张明")
    assert f"{path}:{line}:10" in info.value.message


def test_unknown_status_names_key_path_and_line(tmp_path: Path) -> None:
    text = snapshot_text(meeting(SAMPLE))
    start = text.index('[tasks."C10.M03"]')
    pos = text.index('status = "in_progress"', start)
    text = text[:pos] + 'status = "finished"' + text[pos + len('status = "in_progress"') :]
    path = tmp_path / "reviewed.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        read_snapshot(path)
    line = text[:pos].count("\n") + 1
    msg = info.value.message
    assert f"{path}:{line}" in msg
    assert 'tasks."C10.M03".status' in msg
    assert "finished" in msg and "in_progress" in msg
    assert info.value.exit_code == 4


def test_bad_date_names_the_line() -> None:
    text = snapshot_text(meeting(SAMPLE))
    start = text.index('[tasks."C2.M1"]')
    pos = text.index("due = 2022-12-31", start)
    text = text[:pos] + 'due = "明年春天"' + text[pos + len("due = 2022-12-31") :]
    with pytest.raises(InvalidInputError) as info:
        parse_snapshot(text, name="r.toml")
    assert f"r.toml:{text[:pos].count(chr(10)) + 1}" in info.value.message
    assert 'tasks."C2.M1".due' in info.value.message


def test_human_words_are_accepted_where_a_meeting_types_them() -> None:
    text = snapshot_text(meeting(SAMPLE))
    text = text.replace('status = "closed"', 'status = "已销号"').replace(
        'co_units = ["市发展改革委", "东昌府区"]', 'co_units = "市发展改革委、东昌府区"', 1
    )
    text = text.replace("due = 2022-12-31", 'due = "2026年6月底前"')
    parsed = parse_snapshot(text, parse_date=lambda s: dt.date(2026, 6, 30))
    by_id = parsed.task_map()
    assert by_id["C10.M01"].status == Status.CLOSED
    assert by_id["C2.M1"].due == dt.date(2026, 6, 30)
    assert by_id["C2.M1"].co_units == ("市发展改革委", "东昌府区")


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_snapshot(tmp_path / "none.toml")
    bad = tmp_path / "gbk.toml"
    bad.write_bytes(b"schema_version = 1\ntitle = '" + "聊城".encode("gbk") + b"'\n")
    with pytest.raises(InvalidInputError) as info:
        read_snapshot(bad)
    assert f"{bad}:2" in info.value.message


def test_windows_line_endings_and_bom(tmp_path: Path) -> None:
    snap = meeting(SAMPLE)
    text = snapshot_text(snap)
    windows = text.replace("\n", "\r\n")
    path = tmp_path / "记事本.toml"
    path.write_bytes(b"\xef\xbb\xbf" + windows.encode("utf-8"))
    assert read_snapshot(path) == snap
    changed = meeting([dataclasses.replace(SAMPLE[0], status=Status.DONE), *SAMPLE[1:]])
    assert diff_texts(windows, snapshot_text(changed)).newly_done == ("C10.M03",)


def test_diff_files_reads_the_bytes_as_diff_texts_reads_the_text(tmp_path: Path) -> None:
    """``diff_files`` compares the files' bytes (BOM and CRLF as the text path reads them)."""
    from lctasks.snapshot import diff_files

    changed = meeting([dataclasses.replace(SAMPLE[0], status=Status.DONE), *SAMPLE[1:]])
    old_text, new_text = snapshot_text(meeting(SAMPLE)), snapshot_text(changed)
    old, new = tmp_path / "old.toml", tmp_path / "new.toml"
    old.write_bytes(b"\xef\xbb\xbf" + old_text.replace("\n", "\r\n").encode("utf-8"))
    new.write_text(new_text, encoding="utf-8")
    d, tasks = diff_files(old, new)
    assert d == diff_texts(old_text, new_text) and d.newly_done == ("C10.M03",)
    assert set(tasks) == {"C10.M03"} and tasks["C10.M03"].status is Status.DONE
    assert diff_files(new, old)[0] == diff_texts(new_text, old_text)


def test_unsupported_schema_version() -> None:
    text = snapshot_text(meeting(SAMPLE)).replace("schema_version = 1", "schema_version = 9")
    with pytest.raises(InvalidInputError) as info:
        parse_snapshot(text, name="x.toml")
    assert "x.toml:" in info.value.message and "9" in info.value.message


def test_find_key_line_handles_quoting_styles() -> None:
    text = "a = 1\n[tasks.'C10.M03']\n  status = 'x'\n[ tasks . \"C1\" ]\nstatus = 1\n"
    assert find_key_line(text, ["tasks", "C10.M03", "status"]) == 3
    assert find_key_line(text, ["tasks", "C1", "status"]) == 5
    assert find_key_line(text, ["tasks", "C1", "due"]) == 4  # nearest table
    assert find_key_line(text, ["nothing"]) is None


KEY_LINE_TEXT = (
    "a = 1\n[x]\n  b.c = 2\n [x.y]\n# [x]\n d = 3\n[[arr]]\nk=1\n[[arr]]\nk=2\n"
    '[bad\n  e = 4\n[x."q.r"]\n"s t" = 5\n[tasks."C1"]\nstatus = 1\n'
)
KEY_PATHS = [
    ("a",),
    ("x",),
    ("x", "b"),
    ("x", "b", "c"),
    ("x", "y", "d"),
    ("x", "y", "zz"),
    ("arr", "k"),
    ("zz",),
    ("e",),
    ("x", "e"),
    ("x", "q.r", "s t"),
    ("tasks", "C1", "status"),
    ("tasks", "C1", "due"),
    ("tasks", "C2", "status"),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\u2028"])
@pytest.mark.parametrize("keypath", KEY_PATHS)
def test_indexed_key_lines_agree_with_reading_every_line(
    keypath: tuple[str, ...], newline: str
) -> None:
    """Error lines of a 100,000-task file are found through an index: same answers."""
    from lctasks.snapshot.reader import _scan_key_line

    text = KEY_LINE_TEXT.replace("\n", newline)
    expected = _scan_key_line(text.splitlines(), 1, (), keypath, whole=True)
    assert find_key_line(text, keypath) == expected
    meeting_text = snapshot_text(meeting(SAMPLE)).replace("\n", newline)
    for tid in ("C10.M03", "C06.M01", "nope"):
        for keys in ((), ("status",), ("latest_report", "at"), ("due", "x")):
            path = ("tasks", tid, *keys)
            assert find_key_line(meeting_text, path) == _scan_key_line(
                meeting_text.splitlines(), 1, (), path, whole=True
            )


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------


def test_diff_groups_what_a_meeting_asks_about() -> None:
    old = meeting(
        [
            task("C10.M01", status=Status.IN_PROGRESS),
            task("C10.M02", status=Status.DONE),
            task("C10.M03", status=Status.DONE),
            task("C10.M04", light=Light.GREEN),
            task("C10.M05", light=Light.GREEN),
            task("C10.M06", light=Light.RED),
            task("C10.M07"),
            task("C10.M08"),
            task("C10.M09"),
            task("C10.M10"),
        ],
        as_of=dt.date(2026, 10, 31),
    )
    new = meeting(
        [
            task("C10.M01", status=Status.DONE),
            task("C10.M02", status=Status.CLOSED),
            task("C10.M03", status=Status.RETURNED),
            task("C10.M04", light=Light.RED),
            task("C10.M05", light=Light.YELLOW),
            task("C10.M06", light=Light.GREEN),
            task("C10.M07", lead="市工业和信息化局"),
            task("C10.M08", due=dt.date(2026, 6, 30), due_basis=DueBasis.EXTENDED),
            task("C10.M09", progress=60),
            task("C10.M11"),
        ]
    )
    d = diff_snapshots(old, new)
    assert d.newly_done == ("C10.M01",)
    assert d.newly_closed == ("C10.M02",)
    assert d.returned == ("C10.M03",)
    assert d.newly_red == ("C10.M04",)
    assert d.newly_yellow == ("C10.M05",)
    assert d.back_to_green == ("C10.M06",)
    assert d.reassigned == (
        OwnerChange(
            "C10.M07",
            "市科技局",
            "市工业和信息化局",
            ("市发展改革委", "东昌府区"),
            ("市发展改革委", "东昌府区"),
            "张明",
            "张明",
        ),
    )
    assert d.due_moved == (ValueChange("C10.M08", dt.date(2025, 12, 31), dt.date(2026, 6, 30)),)
    assert d.progress_changed == (ValueChange("C10.M09", 40, 60),)
    assert d.added == ("C10.M11",)
    assert d.removed == ("C10.M10",)
    assert [c.task for c in d.status_changed] == ["C10.M01", "C10.M02", "C10.M03"]
    assert d.task_ids() == {f"C10.M{i:02d}" for i in range(1, 12)}
    assert not diff_snapshots(new, new)
    # the same answer when reading the two files
    assert diff_texts(snapshot_text(old), snapshot_text(new)) == d


def test_changes_since_are_written_and_read_back() -> None:
    old = meeting(SAMPLE, as_of=dt.date(2026, 10, 31))
    changed = [dataclasses.replace(SAMPLE[0], status=Status.DONE, light=Light.YELLOW), *SAMPLE[1:]]
    new = build_snapshot(
        PLAN, changed, as_of=dt.date(2026, 11, 29), history=HistoryPoint(60, "cd" * 32), since=old
    )
    assert new.changes is not None and new.changes.newly_done == ("C10.M03",)
    text = snapshot_text(new)
    assert "\n[changes]\nsince_as_of = 2026-10-31\nsince_history_seq = 57\n" in text
    assert 'newly_done = [\n    "C10.M03",\n]\n' in text
    assert '\n[changes.status_changed."C10.M03"]\nold = "in_progress"\nnew = "done"\n' in text
    assert parse_snapshot(text) == new


def test_removed_from_the_plan_counts_as_removed() -> None:
    old = meeting(SAMPLE)
    new = meeting([dataclasses.replace(SAMPLE[0], removed=True), *SAMPLE[1:]])
    assert diff_snapshots(old, new).removed == ("C10.M03",)
    assert diff_texts(snapshot_text(old), snapshot_text(new)).removed == ("C10.M03",)


# ---------------------------------------------------------------------------
# Properties: arbitrary snapshots survive write → read, by three parsers
# ---------------------------------------------------------------------------

TZS = st.sampled_from([dt.UTC, CST, dt.timezone(dt.timedelta(hours=-5, minutes=-30))])
DATES = st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31))
DATETIMES = st.datetimes(dt.datetime(1971, 1, 1), dt.datetime(2100, 1, 1), timezones=TZS)
TEXT = st.text(max_size=30)
NAMES = st.text(min_size=1, max_size=12).map(str.strip).filter(bool)
IDS = st.from_regex(r"(C[0-9]{1,2}\.[MPT][0-9]{2}|I[0-9]{2})", fullmatch=True) | NAMES
OPT = st.none() | NAMES


@st.composite
def reports(draw: st.DrawFn) -> ProgressReport:
    return ProgressReport(
        at=draw(DATETIMES),
        actor=draw(TEXT),
        made=draw(TEXT),
        problems=draw(TEXT),
        next_steps=draw(TEXT),
        percent=draw(st.none() | st.integers(0, 100)),
        period=draw(TEXT),
    )


@st.composite
def tasks(draw: st.DrawFn, tid: str) -> SnapshotTask:
    return SnapshotTask(
        id=tid,
        kind=draw(st.sampled_from(TaskKind)),
        chapter=draw(st.integers(-5, 200)),
        title=draw(TEXT),
        status=draw(st.sampled_from(Status)),
        due=draw(DATES),
        due_basis=draw(st.sampled_from(DueBasis)),
        lead=draw(OPT),
        co_units=tuple(draw(st.lists(NAMES, max_size=8))),
        person=draw(OPT),
        original_due=draw(st.none() | DATES),
        light=draw(st.none() | st.sampled_from(Light)),
        progress=draw(st.integers(0, 100)),
        version=draw(st.integers(1, 10**9)),
        last_change=draw(st.none() | st.builds(LastChange, st.integers(0, 10**9), DATETIMES)),
        latest_report=draw(st.none() | reports()),
        removed=draw(st.booleans()),
        note=draw(st.just("") | NAMES),
        evidence=draw(st.just("") | NAMES),
    )


COUNTS = st.builds(
    Counts,
    st.integers(0, 10**6),
    st.dictionaries(st.sampled_from(Status), st.integers(0, 10**6)),
    st.dictionaries(st.sampled_from(Light), st.integers(0, 10**6)),
    st.just(""),
    st.integers(0, 10**6),
)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    ids = draw(st.lists(IDS, unique=True, max_size=6))
    items = [draw(tasks(i)) for i in ids]
    as_of = draw(DATES)
    history = HistoryPoint(draw(st.integers(0, 10**9)), draw(st.text(alphabet="0123456789abcdef")))
    changes = None
    if draw(st.booleans()):
        some = st.lists(IDS, max_size=3).map(tuple)
        changes = SnapshotDiff(
            old_as_of=draw(DATES),
            new_as_of=as_of,
            old_seq=draw(st.integers(0, 10**6)),
            new_seq=history.seq,
            added=draw(some),
            removed=draw(some),
            newly_done=draw(some),
            newly_red=draw(some),
            reassigned=tuple(
                OwnerChange(
                    i,
                    draw(OPT),
                    draw(OPT),
                    (),
                    tuple(draw(st.lists(NAMES, max_size=2))),
                    None,
                    draw(OPT),
                )
                for i in draw(st.lists(IDS, unique=True, max_size=2))
            ),
            due_moved=tuple(
                ValueChange(i, draw(DATES), draw(DATES))
                for i in draw(st.lists(IDS, unique=True, max_size=2))
            ),
            status_changed=tuple(
                ValueChange(i, draw(st.sampled_from(Status)), draw(st.sampled_from(Status)))
                for i in draw(st.lists(IDS, unique=True, max_size=2))
            ),
            progress_changed=tuple(
                ValueChange(i, draw(st.integers(0, 100)), draw(st.integers(0, 100)))
                for i in draw(st.lists(IDS, unique=True, max_size=2))
            ),
        )
    return Snapshot(
        plan=PlanInfo(draw(TEXT), draw(TEXT), draw(TEXT), draw(DATES), draw(DATES)),
        as_of=as_of,
        history=history,
        totals=draw(COUNTS),
        units=draw(st.dictionaries(NAMES, COUNTS, max_size=3)),
        chapters={
            n: dataclasses.replace(c, title=draw(TEXT))
            for n, c in draw(st.dictionaries(st.integers(0, 99), COUNTS, max_size=3)).items()
        },
        tasks=tuple(items),
        filter=SnapshotFilter(
            tuple(draw(st.lists(NAMES, max_size=2))),
            tuple(draw(st.lists(st.integers(1, 61), max_size=2))),
            tuple(draw(st.lists(st.sampled_from(Status), max_size=2))),
        ),
        changes=changes,
        generated_at=draw(st.none() | DATETIMES),
    )


def _sorted(s: Snapshot) -> Snapshot:
    return dataclasses.replace(
        s, tasks=tuple(sorted(s.tasks, key=lambda x: snap_mod.natural_key(x.id)))
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots())
def test_round_trip_any_snapshot(snap: Snapshot) -> None:
    text = snapshot_text(snap)
    assert _without_comments(text) == tomli_w.dumps(to_document(snap), multiline_strings=False)
    by_tomllib = tomllib.loads(text)
    assert by_tomllib == to_document(snap)
    assert tomlkit.parse(text).unwrap() == by_tomllib
    back = parse_snapshot(text)
    # the changes table keeps its own order; everything else compares as data
    assert _sorted(back) == _sorted(snap)


TRICKY_LINES = [
    "",
    "# 备注",
    'status = "done" # 已完成',
    "x = 1.5",
    "x = { a = 1 }",
    'x = """多行"""',
    "[tasks]",
    "[units]",
    "progress = 07",
    "due = 2025-02-30",
    "y = 2025-01-01T08:00:00",
    'k = "a\\tb"',
    'k = "\\ud83d\\ude00"',
    'k = "\\/"',
    "k = [1, 2,]",
    "k = ['a', \"b\"]",
    "  indented = true",
    "[ plan ]",
    'x = "\x7f"',
    'x = """',
    '"""',
    "k = [",
    "[1]",
    "]",
    '[tasks."C10.M03"]',
    '[tasks."C10.M03".latest_report]',
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), st.data())
def test_diff_of_hand_edited_files_equals_reading_them_whole(
    snap: Snapshot, data: st.DataObject
) -> None:
    """Cutting the files at header lines never changes the diff, whatever a person typed."""
    old_text = snapshot_text(snap)
    lines = old_text.split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["delete", "duplicate", "insert", "char"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, data.draw(st.sampled_from(TRICKY_LINES)))
        elif lines[i]:
            j = data.draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = (
                lines[i][:j] + data.draw(st.sampled_from(list('"[]=\\ .,x0'))) + lines[i][j + 1 :]
            )
    new_text = "\n".join(lines)
    try:
        new = parse_snapshot(new_text, name="<new>")
    except InvalidInputError as exc:
        with pytest.raises(InvalidInputError) as info:
            diff_texts(old_text, new_text)
        assert info.value.message == exc.message
        return
    assert diff_texts(old_text, new_text) == diff_snapshots(snap, new)
    assert diff_texts(new_text, old_text) == diff_snapshots(new, snap)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), snapshots())
def test_diff_of_texts_equals_diff_of_snapshots(a: Snapshot, b: Snapshot) -> None:
    # mix: b shares some of a's tasks, unchanged or changed
    shared = [x for i, x in enumerate(a.tasks) if i % 2 == 0]
    changed = [dataclasses.replace(x, progress=(x.progress + 1) % 101) for x in a.tasks[1::2]]
    ids = {x.id for x in shared + changed}
    b = dataclasses.replace(
        b, tasks=tuple(shared + changed + [x for x in b.tasks if x.id not in ids])
    )
    assert diff_texts(snapshot_text(a), snapshot_text(b)) == diff_snapshots(a, b)


def test_the_documented_example_is_what_the_writer_writes() -> None:
    page = (Path(__file__).parents[2] / "docs" / "snapshot-format.md").read_text(encoding="utf-8")
    example = page.split("```toml\n", 1)[1].split("```", 1)[0]
    assert snap_mod.dumps(tomllib.loads(example)) == example
