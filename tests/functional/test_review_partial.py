"""Apply and export --since read only the task tables that differ: same answers as a whole read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text as sqlalchemy_text

from lctasks.db.engine import Database
from lctasks.domain import Actor, InvalidInputError, Source
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.review import ReviewService
from lctasks.services.workflow import WorkflowService
from lctasks.snapshot import snapshot_bytes, write_snapshot
from lctasks.snapshot.fastdiff import TaskTables
from lctasks.snapshot.render import RenderCache

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    c = ServiceContext(database, Actor("王督查", Source.CLI))
    LedgerService(c).import_plan()
    wf = WorkflowService(c)
    wf.assign(["C06.M01", "C06.M02"], lead="市科技局", co=["市发展改革委"], person="张明")
    wf.report_progress(["C06.M01"], made="完成可研", percent=60)
    return c


def _edit(text: str, tid: str, old: str, new: str) -> str:
    start = text.index(f'[tasks."{tid}"]')
    pos = text.index(old, start)
    return text[:pos] + new + text[pos + len(old) :]


def _whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every reader take the whole-file path (the reference)."""
    monkeypatch.setattr(TaskTables, "cut", classmethod(lambda cls, *a, **k: None))


def test_a_review_plan_is_the_same_read_in_parts_or_whole(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.toml"
    write_snapshot(ReviewService(ctx).export(as_of=AS_OF), path)
    text = path.read_text(encoding="utf-8")
    text = _edit(text, "C06.M01", 'lead = "市科技局"', 'lead = "市工业和信息化局"')
    text = _edit(text, "C06.M03", "due = 2025-12-31", 'due = "2026年6月底前"')
    text = _edit(text, "C08.M01", 'status = "not_started"', 'status = "推进中"')
    text = _edit(text, "C06.P01", "progress = 0", "progress = 50")  # read-only: a warning
    path.write_text(text, encoding="utf-8")
    WorkflowService(ctx).assign(["C06.M02"], person="李四")  # after the export: a conflict
    cache = RenderCache(tmp_path / "cache.bin")
    parts = ReviewService(ctx, caches=lambda _code: cache).plan_review(path)
    assert cache.misses > 600 and parts.unchanged > 600
    assert [e.task for e in parts.edits] == ["C06.M01", "C06.M03", "C08.M01"]
    assert [c.task for c in parts.conflicts] == ["C06.M02"] and len(parts.warnings) == 1
    warm = RenderCache(tmp_path / "cache.bin")
    assert ReviewService(ctx, caches=lambda _code: warm).plan_review(path) == parts
    assert warm.misses == 0
    _whole(monkeypatch)
    assert ReviewService(ctx).plan_review(path) == parts


def test_errors_in_a_part_are_the_whole_reads_errors(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.toml"
    write_snapshot(ReviewService(ctx).export(as_of=AS_OF), path)
    good = path.read_text(encoding="utf-8")
    table = good[good.index('[tasks."C06.M01"]') : good.index('[tasks."C06.M02"]')]
    bad_texts = [
        _edit(good, "C06.M01", "progress = 60", "progress = 160"),  # a bad value
        _edit(good, "C06.M01", "progress = 60", "progress = "),  # a syntax error
        good + "\n" + table.replace('[tasks."C06.M01"]', "[tasks.'C06.M01']"),  # twice
        _edit(good, "C06.M01", 'status = "', 'status = "飞'),  # unknown status
    ]
    messages = []
    for text in bad_texts:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidInputError) as err:
            ReviewService(ctx).plan_review(path)
        messages.append(err.value.message)
    _whole(monkeypatch)
    for text, message in zip(bad_texts, messages, strict=True):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidInputError) as err:
            ReviewService(ctx).plan_review(path)
        assert err.value.message == message


def test_changes_since_a_file_are_the_same_read_in_parts_or_whole(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = ReviewService(ctx)
    path = tmp_path / "old.toml"
    write_snapshot(svc.export(as_of=AS_OF), path)
    wf = WorkflowService(ctx)
    wf.set_status(["C06.M01"], "done")
    wf.assign(["C07.M01"], lead="市工业和信息化局", due=dt.date(2025, 3, 31))
    parts = svc.export(as_of=AS_OF, since_file=path)
    assert parts.changes is not None
    assert parts.changes.newly_done == ("C06.M01",)
    assert [c.task for c in parts.changes.reassigned] == ["C07.M01"]
    _whole(monkeypatch)
    whole = ReviewService(ctx).export(as_of=AS_OF, since_file=path)
    assert whole == parts
    assert snapshot_bytes(whole) == snapshot_bytes(parts)


def test_the_whole_plans_records_streamed_are_the_records_read_by_key(
    ctx: ServiceContext,
) -> None:
    """The read model streams a whole plan's rows (export, apply); a page or some keys
    are read as a list first: the same records either way, over either runner."""
    from lctasks.config import Settings
    from lctasks.db.sql import LiteDatabase, SessionRunner
    from lctasks.services.read_model import task_records

    WorkflowService(ctx).report_progress(["C06.M02"], made="开工", percent=10)
    settings = Settings()
    with ctx.db.read() as s:
        runner = SessionRunner(s)
        plan_id = s.execute(sqlalchemy_text("SELECT id FROM plans")).scalar_one()
        streamed = task_records(runner, plan_id, as_of=AS_OF, settings=settings)
        keyed = task_records(
            runner, plan_id, as_of=AS_OF, settings=settings, keys=[r.key for r in streamed]
        )
    assert len(streamed) > 600 and streamed == keyed
    assert {r.key: r.co_units for r in streamed if r.co_units} == {
        "C06.M01": ("市发展改革委",),
        "C06.M02": ("市发展改革委",),
    }
    if ctx.db.url.startswith("sqlite"):
        lite = LiteDatabase.open(ctx.db.url, reading=True)
        assert lite is not None
        try:
            with lite.read() as runner3:
                assert task_records(runner3, plan_id, as_of=AS_OF, settings=settings) == streamed
        finally:
            lite.dispose()
