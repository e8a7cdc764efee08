"""Task tables remembered between exports: the same bytes as one tomli_w call, always."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import tomli_w

from lctasks.domain import DueBasis, Light, ProgressReport, Status, TaskKind
from lctasks.snapshot import (
    CST,
    LastChange,
    PlanInfo,
    SnapshotTask,
    build_snapshot,
    dumps,
    snapshot_bytes,
    to_document,
    write_snapshot,
)
from lctasks.snapshot.render import RenderCache, fingerprint

AS_OF = dt.date(2025, 6, 30)


def _tasks() -> list[SnapshotTask]:
    at = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
    report = ProgressReport(
        at=at, actor="张三", made='完成"一期"\\工程', problems="第一行\n第二行\t缩进", percent=40
    )
    return [
        SnapshotTask(
            "C10.M03",
            TaskKind.MEASURE,
            10,
            "推进\x01“十四五”",
            Status.IN_PROGRESS,
            dt.date(2025, 12, 31),
            DueBasis.EXPLICIT,
            "市科技局",
            ("市发展改革委", "市财政局"),
            "李四",
            dt.date(2025, 6, 30),
            Light.YELLOW,
            40,
            3,
            LastChange(7, at),
            report,
        ),
        SnapshotTask(
            "C2.M3",
            TaskKind.MEASURE,
            2,
            "短",
            Status.CLOSED,
            dt.date(2024, 1, 31),
            DueBasis.INFERRED,
            light=Light.GREEN,
            progress=100,
        ),
        SnapshotTask(
            "I07",
            TaskKind.INDICATOR,
            1,
            "bare key",
            Status.NOT_STARTED,
            dt.date(2025, 3, 31),
            DueBasis.MANUAL,
            note="说明",
            evidence="文号",
        ),
        SnapshotTask(
            'odd "id"',
            TaskKind.MEASURE,
            3,
            "",
            Status.BLOCKED,
            dt.date(2025, 1, 1),
            DueBasis.MANUAL,
            removed=True,
        ),
    ]


def _snap(tasks: list[SnapshotTask]):  # type: ignore[no-untyped-def]
    plan = PlanInfo("lc", "规划", "聊政发〔2021〕1号", dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    return build_snapshot(plan, tasks, as_of=AS_OF, stamp=dt.datetime(2025, 7, 1, tzinfo=CST))


def test_task_texts_from_a_cache_are_the_bytes_of_one_tomli_w_call(tmp_path: Path) -> None:
    snap = _snap(_tasks())
    whole = snapshot_bytes(snap)
    assert dumps(to_document(snap), comments=False) == tomli_w.dumps(to_document(snap))
    path = tmp_path / "cache" / "plan.bin"
    cold = RenderCache(path)
    assert snapshot_bytes(snap, cold) == whole
    assert (cold.hits, cold.misses) == (0, 4)
    cold.save()
    warm = RenderCache(path)
    assert snapshot_bytes(snap, warm) == whole
    assert (warm.hits, warm.misses) == (4, 0)
    # one task changes: only it is written again, the file is still the whole call's
    changed = _tasks()
    changed[1] = SnapshotTask(
        "C2.M3",
        TaskKind.MEASURE,
        2,
        "短",
        Status.RETURNED,
        dt.date(2024, 1, 31),
        DueBasis.INFERRED,
        light=Light.RED,
    )
    again = RenderCache(path)
    assert snapshot_bytes(_snap(changed), again) == snapshot_bytes(_snap(changed))
    assert (again.hits, again.misses) == (3, 1)
    # no tasks: the writer's own "[tasks]"
    assert snapshot_bytes(_snap([]), RenderCache()) == snapshot_bytes(_snap([]))


def test_an_export_written_a_table_at_a_time_is_the_same_file(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """``write_snapshot`` with a cache streams the tables (``lctasks export``)."""
    snap = _snap(_tasks())
    whole = snapshot_bytes(snap)
    path = tmp_path / "plan.bin"
    out = tmp_path / "meeting.toml"
    for hits, misses in [(0, 4), (4, 0)]:
        cache = RenderCache(path)
        assert write_snapshot(snap, out, cache) == len(whole)
        assert out.read_bytes() == whole
        assert (cache.hits, cache.misses) == (hits, misses)
        cache.save()
    assert write_snapshot(snap, "-", RenderCache(path)) == len(whole)
    assert capsysbinary.readouterr().out == whole
    # one task changes: the saved cache holds the texts used, then the older ones
    changed = _tasks()
    changed[2] = SnapshotTask(
        "I07", TaskKind.INDICATOR, 1, "bare key", Status.DONE, dt.date(2025, 3, 31), DueBasis.MANUAL
    )
    cache = RenderCache(path)
    write_snapshot(_snap(changed), out, cache)
    assert (cache.hits, cache.misses) == (3, 1)
    cache.save()
    for tasks in (changed, _tasks()):
        again = RenderCache(path)
        assert write_snapshot(_snap(tasks), out, again) == len(snapshot_bytes(_snap(tasks)))
        assert out.read_bytes() == snapshot_bytes(_snap(tasks))
        assert (again.hits, again.misses) == (4, 0)


def test_tables_compared_by_sum_then_saved_keep_every_text(tmp_path: Path) -> None:
    """``apply`` compares a file's tables with the cache by size and sum (``same``),
    without reading the cached texts; a save after that still writes them all."""
    from lctasks.snapshot.render import render_task

    tasks = _tasks()
    path = tmp_path / "plan.bin"
    first = RenderCache(path)
    whole = snapshot_bytes(_snap(tasks), first)
    first.save()
    loaded = RenderCache(path)
    for x in tasks:
        text = render_task(x).encode("utf-8")
        assert loaded.same(x, text) and not loaded.same(x, text + b"\n")
        assert not loaded.same(x, text.replace(b"=", b":", 1))
    changed = SnapshotTask(
        "I07", TaskKind.INDICATOR, 1, "bare key", Status.DONE, dt.date(2025, 3, 31), DueBasis.MANUAL
    )
    assert loaded.same(changed, render_task(changed).encode("utf-8"))
    assert (loaded.hits, loaded.misses) == (4, 1)
    loaded.save()
    for snap in (_snap(tasks), _snap([*tasks[:2], changed, tasks[3]])):
        again = RenderCache(path)
        assert snapshot_bytes(snap, again) == snapshot_bytes(snap)
        assert (again.hits, again.misses) == (4, 0)
    assert snapshot_bytes(_snap(tasks), RenderCache(path)) == whole


def test_a_cache_replaced_after_loading_still_gives_its_own_texts(tmp_path: Path) -> None:
    """The texts are read after the index, from the file that was loaded, even when
    another export has saved a new cache file in its place meanwhile."""
    path = tmp_path / "plan.bin"
    mine = RenderCache(path)
    snapshot_bytes(_snap(_tasks()), mine)
    mine.save()
    loaded = RenderCache(path)
    other = RenderCache()
    snapshot_bytes(_snap(_tasks()[1:2]), other)
    other.path = path
    other.save()  # replaces the file: one task
    fresh = RenderCache(path)
    snapshot_bytes(_snap(_tasks()), fresh)
    assert (fresh.hits, fresh.misses) == (1, 3)
    assert snapshot_bytes(_snap(_tasks()), loaded) == snapshot_bytes(_snap(_tasks()))
    assert (loaded.hits, loaded.misses) == (4, 0)


def test_a_damaged_or_foreign_cache_file_is_an_empty_cache(tmp_path: Path) -> None:
    snap = _snap(_tasks())
    path = tmp_path / "plan.bin"
    cache = RenderCache(path)
    snapshot_bytes(snap, cache)
    cache.save()
    data = path.read_bytes()
    for bad in (data[: len(data) // 2], b"not a cache", data.replace(b"tomli-w", b"tomli-x", 1)):
        path.write_bytes(bad)
        broken = RenderCache(path)
        assert snapshot_bytes(snap, broken) == snapshot_bytes(snap)
        assert broken.hits == 0


def test_every_value_a_table_is_written_from_changes_the_fingerprint() -> None:
    base = _tasks()[0]
    others = [
        SnapshotTask(**{**{f: getattr(base, f) for f in base.__slots__}, f: v})  # type: ignore[arg-type, attr-defined]
        for f, v in [
            ("title", "推进"),
            ("lead", None),
            ("co_units", ("市财政局", "市发展改革委")),
            ("person", ""),
            ("due", dt.date(2026, 1, 1)),
            ("original_due", None),
            ("status", Status.DONE),
            ("light", None),
            ("progress", 41),
            ("version", 4),
            ("last_change", None),
            ("latest_report", None),
            ("removed", True),
            ("note", "x"),
            ("evidence", "y"),
            ("chapter", 11),
            ("kind", TaskKind.GOAL),
            ("due_basis", DueBasis.MANUAL),
            ("id", "C10.M04"),
        ]
    ]
    prints = {fingerprint(x) for x in [base, *others]}
    assert len(prints) == len(others) + 1
