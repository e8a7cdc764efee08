"""督办通知 (Word): the unit's overdue and red tasks, opened with python-docx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database
from lctasks.domain import Actor, NotFoundError, Source
from lctasks.formats.anchor import read_anchor
from lctasks.formats.notice import unit_notice, write_notice
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.workflow import WorkflowService

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    c = ServiceContext(database, Actor("王督查", Source.CLI))
    LedgerService(c).import_plan()
    wf = WorkflowService(c)
    wf.assign(["C07.M01", "C07.M02"], lead="市工业和信息化局", due=dt.date(2025, 3, 31))
    wf.assign(["C07.M03"], lead="市工业和信息化局", due=dt.date(2025, 6, 1))
    wf.assign(["C10.M01"], lead="市工业和信息化局")  # red: not started, behind schedule
    wf.assign(["C08.M01"], lead="市科技局", co=["市工业和信息化局"], due=dt.date(2025, 5, 1))
    wf.set_status(["C07.M02"], "done")  # finished: not late, not chased
    return c


def text_of(path: Path) -> tuple[list[str], list[list[str]]]:
    d = docx.Document(str(path))
    paras = [p.text for p in d.paragraphs]
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    return paras, rows


def test_notice_holds_the_units_overdue_tasks(ctx: ServiceContext, tmp_path: Path) -> None:
    data = unit_notice(ctx, "gxj", as_of=AS_OF)
    assert data.unit == "市工业和信息化局"
    path = tmp_path / "督办.docx"
    assert write_notice(data, path) == len(data.items)
    paras, rows = text_of(path)
    assert "督办通知" in paras
    assert "市工业和信息化局：" in paras  # the addressee
    assert any("截至2025年6月30日" in p and "3项任务已超过完成时限" in p for p in paras)
    assert any("于2025年7月10日前" in p for p in paras)
    assert rows[0][:6] == ["序号", "任务编号", "任务内容", "职责", "完成时限", "逾期天数"]
    by_id = {r[1]: r for r in rows[1:]}
    # overdue first by deadline: the two led tasks and the co-owned one
    assert [r[1] for r in rows[1:4]] == ["C07.M01", "C08.M01", "C07.M03"]
    assert by_id["C07.M01"][3:6] == ["牵头", "2025-03-31", "91"]
    assert by_id["C08.M01"][3:6] == ["配合", "2025-05-01", "60"]
    assert by_id["C07.M03"][5] == "29"
    assert "逾期原因" in by_id["C07.M01"][8] and "7月10日前" in by_id["C07.M01"][8]
    assert by_id["C07.M01"][7] == "未报送"
    assert "C07.M02" not in by_id  # done is not chased
    # issuing office and date are left for the office to fill
    assert any(p.startswith("发文单位：____") for p in paras)
    assert any(p.strip("\u3000 ") == "年\u3000\u3000月\u3000\u3000日" for p in paras)
    assert read_anchor(path).seq == data.anchor.seq > 0


def test_unknown_unit_and_nothing_to_chase(
    ctx: ServiceContext, tmp_path: Path, db_url: str
) -> None:
    with pytest.raises(NotFoundError):
        unit_notice(ctx, "没有这个单位", as_of=AS_OF)
    runner = CliRunner()
    out = tmp_path / "n.docx"
    res = runner.invoke(
        app, ["--db", db_url, "notice", "--unit", "市民政局", "--as-of", "2025-06-30",
              "--out", str(out)]
    )  # fmt: skip
    assert res.exit_code == 0 and "无需督办" in res.stderr and not out.exists()
    res = runner.invoke(
        app, ["--db", db_url, "notice", "--unit", "gxj", "--as-of", "2025-06-30",
              "--out", str(out), "--within", "5"]
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    _, rows = text_of(out)
    assert "7月5日前" in rows[1][8]


def test_a_units_export_reads_only_its_tasks_and_holds_what_the_whole_export_holds(
    ctx: ServiceContext,
) -> None:
    """One unit's export (the notice's read) selects its tasks in SQL first (issue 11:
    not the 100,000-task ledger); each task, with its report and last change, is the
    one the whole export gives (its last change too)."""
    from lctasks.domain import Status
    from lctasks.services.review import ReviewService
    from lctasks.snapshot import SnapshotFilter

    svc = ReviewService(ctx)
    whole = svc.export(as_of=AS_OF)
    for flt in (
        SnapshotFilter(("gxj",)),
        SnapshotFilter(("市科技局", "gxj"), (8,)),
        SnapshotFilter((), (7,), (Status.NOT_STARTED,)),
    ):
        part = svc.export(flt, as_of=AS_OF)
        units = set(part.filter.units)
        expected = tuple(
            x
            for x in whole.tasks
            if (not units or x.lead in units or not units.isdisjoint(x.co_units))
            and (not flt.chapters or x.chapter in flt.chapters)
            and (not flt.statuses or x.status in flt.statuses)
        )
        assert part.tasks == expected and expected
    assert any(x.last_change for x in svc.export(SnapshotFilter(("gxj",)), as_of=AS_OF).tasks)
