"""The batch engine under every workflow step (lctasks/services/batch.py), on both
back ends: the exact refusal a person reads, its kind (exit code), what each ID
got, and a database left exactly as it was.

tests/functional/test_workflow.py covers the steps; this file pins the engine's
own behaviour: which plan, which IDs, the order and wording of a refused batch,
versions, the one transaction of ``unit_of_work`` and units as people type them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from lctasks.config import load_settings
from lctasks.db.engine import Database
from lctasks.db.models import ChecklistRow, EventRow, PlanRow, TaskRow, UnitRow
from lctasks.db.sql import LiteDatabase
from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Source,
)
from lctasks.keys import read_id_lines
from lctasks.services.base import ServiceContext
from lctasks.services.batch import (
    BatchConflict,
    BatchFailed,
    BatchInvalid,
    BatchNotFound,
    BatchResult,
    KeyResult,
    LiteContext,
)
from lctasks.services.people import PeopleService
from lctasks.services.workflow import WorkflowService
from tests.conftest import OFFICE_NOW
from tests.wfdata import seed, task_row

BOSS = "王督查"


@pytest.fixture
def wf(database: Database) -> WorkflowService:
    seed(database)
    return WorkflowService(ServiceContext(database, Actor(BOSS, Source.CLI)))


def state(db: Database) -> tuple[object, ...]:
    """Everything a refused batch must leave as it was."""
    with db.read() as s:
        tasks = [
            (r.key, r.status, r.progress, r.version, r.lead_unit_id, r.due, r.person)
            for r in s.scalars(select(TaskRow).order_by(TaskRow.key))
        ]
        events = s.scalar(select(func.count()).select_from(EventRow))
        units = s.scalar(select(func.count()).select_from(UnitRow))
    return (tasks, events, units)


def failure(exc: pytest.ExceptionInfo[BaseException]) -> BatchFailed:
    assert isinstance(exc.value, BatchFailed)
    return exc.value


def outcome(err: BatchFailed) -> list[tuple[str, str, int, str]]:
    """What each ID got: (id, result, version, message); an error changes nothing."""
    assert err.results is not None
    for r in err.results.results:
        if r.result == "error":
            assert r.changes == {}, r
    return [(r.id, r.result, r.version, r.message) for r in err.results.results]


# -- which IDs -------------------------------------------------------------------


@pytest.mark.parametrize("keys", [[], ["", "  ", "# 只有注释"]])
def test_no_ids_is_refused_with_how_to_give_them(wf: WorkflowService, keys: list[str]) -> None:
    before = state(wf.ctx.db)
    with pytest.raises(InvalidInputError) as exc:
        wf.note(keys, "备注")
    assert exc.value.message == "没有给出任务 ID"
    assert exc.value.hint == "在命令后写 ID，或用 --from FILE / --from -（每行一个 ID）"
    assert state(wf.ctx.db) == before


def test_ids_are_upper_cased_stripped_and_counted_once(wf: WorkflowService) -> None:
    res = wf.note(["c10.m01", " C10.M01 # 同一个", "i07"], "调度会要求加快")
    assert [(r.id, r.result, r.version) for r in res.results] == [
        ("C10.M01", "changed", 2),
        ("I07", "changed", 2),
    ]
    assert (res.action, res.plan, res.applied, res.dry_run, res.events) == (
        "note",
        "lc-14th",
        True,
        False,
        2,
    )
    assert res.summary() == {"total": 2, "changed": 2, "unchanged": 0, "error": 0, "events": 2}


def test_id_lines_from_a_file_saved_with_a_bom_and_commas() -> None:
    assert read_id_lines("\ufeffC10.M01,C10.M03 I07\r\n#全部注释\n\n  C09.M01#尾注\n") == [
        "C10.M01",
        "C10.M03",
        "I07",
        "C09.M01",
    ]
    assert read_id_lines("C10.M01 # 注释里 # 还有井号 C10.M03\n") == ["C10.M01"]
    assert read_id_lines("") == []


def test_if_version_for_several_ids_is_refused_before_anything(wf: WorkflowService) -> None:
    before = state(wf.ctx.db)
    with pytest.raises(InvalidInputError) as exc:
        wf.note(["C10.M01", "c10.m03"], "备注", if_version=1)
    assert exc.value.message == "--if-version 只能用于单个任务"
    assert exc.value.ids == ("C10.M01", "C10.M03")
    assert state(wf.ctx.db) == before


def test_if_version_matches_a_mapping_written_in_lower_case(wf: WorkflowService) -> None:
    res = wf.note(["C10.M01"], "备注", if_version={" c10.m01 ": 1})
    assert [(r.id, r.version) for r in res.results] == [("C10.M01", 2)]


# -- which plan ------------------------------------------------------------------


def test_no_plan_in_the_database(database: Database) -> None:
    wf = WorkflowService(ServiceContext(database, Actor(BOSS, Source.CLI)))
    with pytest.raises(NotFoundError) as exc:
        wf.note(["C10.M01"], "备注")
    assert (exc.value.message, exc.value.hint) == (
        "数据库中还没有规划",
        "先导入规划：lctasks import（默认导入随附的聊城市“十四五”规划）",
    )


def add_plan(db: Database, code: str) -> None:
    with db.write() as s:
        s.add(
            PlanRow(
                code=code,
                title="另一个规划",
                start=dt.date(2021, 1, 1),
                end=dt.date(2025, 12, 31),
                imported_at=OFFICE_NOW,
            )
        )


def test_an_unknown_plan_code_lists_the_plans(wf: WorkflowService) -> None:
    with pytest.raises(NotFoundError) as exc:
        wf.note(["C10.M01"], "备注", plan="lc-13th")
    assert exc.value.message == "没有代码为 lc-13th 的规划（已有：lc-14th）"
    assert exc.value.hint == "加上 --plan CODE（或设置 LCTASKS_PLAN），CODE 为其中之一：lc-14th"


def test_several_plans_need_a_code_and_the_code_picks_one(wf: WorkflowService) -> None:
    db = wf.ctx.db
    add_plan(db, "lc-15th")
    before = state(db)
    with pytest.raises(InvalidInputError) as exc:
        wf.note(["C10.M01"], "备注")
    assert exc.value.message == "数据库中有多个规划：lc-14th、lc-15th，请指明是哪一个"
    assert exc.value.hint == (
        "加上 --plan CODE（或设置 LCTASKS_PLAN），CODE 为其中之一：lc-14th lc-15th"
    )
    with pytest.raises(NotFoundError) as nf:
        wf.note(["C10.M01"], "备注", plan="lc-16th")
    assert nf.value.message == "没有代码为 lc-16th 的规划（已有：lc-14th、lc-15th）"
    assert state(db) == before
    # the tasks belong to lc-14th: in lc-15th there is no C10.M01
    with pytest.raises(NotFoundError):
        wf.note(["C10.M01"], "备注", plan="lc-15th")
    res = wf.note(["C10.M01"], "备注", plan="lc-14th")
    assert (res.plan, [r.version for r in res.results]) == ("lc-14th", [2])
    res = wf.note(["C10.M01"], "备注", plan="LC-14TH")  # one code equal ignoring case
    assert (res.plan, [r.version for r in res.results]) == ("lc-14th", [3])
    with pytest.raises(InvalidInputError):  # an empty code is no code
        wf.note(["C10.M01"], "备注", plan="")


# -- a refused batch -------------------------------------------------------------


def test_unknown_ids_are_listed_in_order_with_the_nearest_ids(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.note(["C10.M03"], "先改一次")  # C10.M03: version 2
    before = state(db)
    with pytest.raises(NotFoundError) as exc:
        wf.note(["C10.M3", "C10.M03", "ZZZ", "C10.M01"], "备注")
    err = failure(exc)
    assert isinstance(err, BatchNotFound)
    assert err.message == (
        "2 个任务无法加备注，本批次未做任何更改：\n"
        "  C10.M3：没有这个任务 ID\n"
        "  ZZZ：没有这个任务 ID"
    )
    assert err.ids == ("C10.M3", "ZZZ")
    # the nearest first; C10.M01 and C10.M02 are equally near (ZZZ: nothing near)
    head, _, rest = err.hint.removesuffix("？").partition("、")
    assert head == "C10.M3 是否想写 C10.M03"
    assert sorted(rest.split("、")) == ["C10.M01", "C10.M02"]
    # what the others would have got, nothing applied; an unknown ID has version 0
    assert outcome(err) == [
        ("C10.M3", "error", 0, "没有这个任务 ID"),
        ("C10.M03", "changed", 3, ""),
        ("ZZZ", "error", 0, "没有这个任务 ID"),
        ("C10.M01", "changed", 2, ""),
    ]
    assert err.results is not None
    assert (err.results.action, err.results.plan, err.results.applied) == ("note", "lc-14th", False)
    assert err.results.summary() == {
        "total": 4,
        "changed": 2,
        "unchanged": 0,
        "error": 2,
        "events": 0,
    }
    assert state(db) == before


def test_an_unknown_id_with_nothing_near_gets_the_list_hint(wf: WorkflowService) -> None:
    with pytest.raises(NotFoundError) as exc:
        wf.note(["XYZ123"], "备注")
    assert exc.value.hint == "用 `lctasks list` 查看任务 ID（如 C10.M03、I07）"


def test_the_worst_problem_decides_the_kind_and_every_problem_is_listed(
    wf: WorkflowService,
) -> None:
    db = wf.ctx.db
    wf.set_status(["C10.M01"], "done")  # version 2
    before = state(db)
    with pytest.raises(NotFoundError) as exc:  # not found beats a conflict
        wf.close(["C10.M03", "C99.M99", "C10.M01"], note="完成", evidence="文件")
    err = failure(exc)
    assert err.ids == ("C10.M03", "C99.M99")
    assert err.message.splitlines() == [
        "2 个任务无法销号，本批次未做任何更改：",
        "  C10.M03：当前状态“未启动”不能销号（允许：推进中、已完成（待销号））",
        "  C99.M99：没有这个任务 ID",
    ]
    assert outcome(err)[0] == (
        "C10.M03",
        "error",
        1,
        "当前状态“未启动”不能销号（允许：推进中、已完成（待销号））",
    )
    assert outcome(err)[2] == ("C10.M01", "changed", 3, "")
    assert state(db) == before


def test_a_conflict_only_batch_is_a_conflict_with_the_retry_hint(wf: WorkflowService) -> None:
    with pytest.raises(ConflictError) as exc:
        wf.close(["C10.M03"], note="完成", evidence="文件")
    err = failure(exc)
    assert isinstance(err, BatchConflict) and not isinstance(err, NotFoundError)
    assert err.hint == "改正或去掉出错的 ID 后重试；整批是一个事务"
    assert err.message == (
        "1 个任务无法销号，本批次未做任何更改：\n"
        "  C10.M03：当前状态“未启动”不能销号（允许：推进中、已完成（待销号））"
    )


def test_an_invalid_change_is_invalid_input_not_a_conflict(wf: WorkflowService) -> None:
    wf.assign(["C10.M01"], lead="市科技局")
    with pytest.raises(InvalidInputError) as exc:
        wf.assign(["C10.M01", "C10.M03"], lead="市大数据局")  # M01 needs a reason
    err = failure(exc)
    assert isinstance(err, BatchInvalid) and not isinstance(err, ConflictError)
    assert err.ids == ("C10.M01",)
    assert err.hint == "改正或去掉出错的 ID 后重试；整批是一个事务"


def test_a_stale_version_is_named_with_both_versions(wf: WorkflowService) -> None:
    wf.note(["C10.M01"], "别人先改了")  # version 2
    with pytest.raises(ConflictError) as exc:
        wf.note(["C10.M01"], "我的备注", if_version=1)
    err = failure(exc)
    assert err.message == (
        "1 个任务无法加备注，本批次未做任何更改：\n"
        "  C10.M01：版本已变化：期望 1，当前 2（别人刚改过）"
    )
    assert outcome(err) == [("C10.M01", "error", 2, "版本已变化：期望 1，当前 2（别人刚改过）")]


def test_a_task_removed_from_the_plan_text_is_refused(wf: WorkflowService) -> None:
    db = wf.ctx.db
    with db.write() as s:
        s.execute(update(TaskRow).where(TaskRow.key == "C10.M03").values(removed=True))
    before = state(db)
    with pytest.raises(ConflictError) as exc:
        wf.note(["C10.M01", "C10.M03"], "备注")
    err = failure(exc)
    assert err.ids == ("C10.M03",)
    assert outcome(err) == [
        ("C10.M01", "changed", 2, ""),
        ("C10.M03", "error", 1, "已在上次导入时从规划文本中移除"),
    ]
    assert state(db) == before


def test_a_liaison_refused_on_one_task_refuses_the_batch(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.assign(["C10.M01"], lead="市科技局")
    p = PeopleService(ServiceContext(db, Actor(BOSS, Source.CLI)))
    p.add(BOSS, "supervisor")
    p.add("李联络", "liaison", "市科技局")
    before = state(db)
    li = WorkflowService(ServiceContext(db, Actor("李联络", Source.CLI)))
    with pytest.raises(PermissionDeniedError) as exc:
        li.set_status(["C10.M01", "C10.M03"], "blocked", reason="资金未到位")
    err = failure(exc)
    assert err.ids == ("C10.M03",)
    assert outcome(err)[1] == (
        "C10.M03",
        "error",
        1,
        "任务 C10.M03 的牵头或配合单位中没有 市科技局，李联络 不能修改状态",
    )
    # the target status reaches the access check: a liaison may not suspend
    with pytest.raises(PermissionDeniedError) as sus:
        li.set_status(["C10.M01"], "suspended", reason="暂停")
    assert outcome(failure(sus))[0][3].startswith("联络员只能把状态设为 推进中、受阻 或 已完成")
    assert state(db) == before
    res = li.set_status(["C10.M01"], "blocked", reason="资金未到位")
    assert [(r.id, r.result, r.version) for r in res.results] == [("C10.M01", "changed", 3)]


# -- what a batch writes ---------------------------------------------------------


def test_each_changed_task_gets_one_version_one_event_and_the_event_time(
    database: Database, office_clock: object
) -> None:
    seed(database)
    wf = WorkflowService(ServiceContext(database, Actor(BOSS, Source.CLI)))
    wf.assign(["C10.M01"], lead="市科技局")  # version 2
    res = wf.assign(["C10.M01", "C10.M03", "I07"], lead="市科技局", person="李明")
    assert [(r.id, r.result, r.version, r.changes) for r in res.results] == [
        ("C10.M01", "changed", 3, {"person": [None, "李明"]}),
        ("C10.M03", "changed", 2, {"lead": [None, "市科技局"], "person": [None, "李明"]}),
        ("I07", "changed", 2, {"lead": [None, "市科技局"], "person": [None, "李明"]}),
    ]
    assert res.events == 3
    with database.read() as s:
        rows = {r.key: r for r in s.scalars(select(TaskRow))}
        evs = list(s.scalars(select(EventRow).order_by(EventRow.seq)))
    assert {k: (r.version, r.person) for k, r in rows.items()} == {
        "C09.M01": (1, None),
        "C10.M01": (3, "李明"),
        "C10.M02": (1, None),
        "C10.M03": (2, "李明"),
        "I07": (2, "李明"),
    }
    assert [(e.task_key, e.action, e.actor, e.source) for e in evs] == [
        ("C10.M01", "assign", BOSS, "cli"),
        ("C10.M01", "assign", BOSS, "cli"),
        ("C10.M03", "assign", BOSS, "cli"),
        ("I07", "assign", BOSS, "cli"),
    ]
    # the row's updated_at is the time of its event
    stamp = evs[-1].at.replace(tzinfo=None)
    for key in ("C10.M01", "C10.M03", "I07"):
        assert rows[key].updated_at.replace(tzinfo=None) == stamp
    assert rows["C10.M02"].updated_at.replace(tzinfo=None) == dt.datetime(2026, 1, 1)
    assert rows["C10.M03"].lead_unit_id == rows["C10.M01"].lead_unit_id is not None


def test_an_unchanged_task_keeps_its_version_and_writes_nothing(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.set_status(["C10.M01"], "blocked", reason="资金未到位")  # version 2
    res = wf.set_status(["C10.M01", "C10.M03"], "blocked", reason="资金未到位")
    assert [(r.id, r.result, r.version, r.changes) for r in res.results] == [
        ("C10.M01", "unchanged", 2, {}),
        ("C10.M03", "changed", 2, {"status": ["not_started", "blocked"]}),
    ]
    assert res.summary() == {"total": 2, "changed": 1, "unchanged": 1, "error": 0, "events": 1}
    assert task_row(db, "C10.M01").version == 2


def test_a_dry_run_reports_the_outcome_and_rolls_back(wf: WorkflowService) -> None:
    db = wf.ctx.db
    before = state(db)
    res = wf.set_status(["C10.M01", "C10.M03"], "in_progress", dry_run=True)
    assert res == BatchResult(
        "status",
        "lc-14th",
        (
            KeyResult("C10.M01", "changed", {"status": ["not_started", "in_progress"]}, 2),
            KeyResult("C10.M03", "changed", {"status": ["not_started", "in_progress"]}, 2),
        ),
        applied=False,
        dry_run=True,
        events=2,
    )
    assert state(db) == before


def test_unit_of_work_is_one_transaction_for_several_steps(wf: WorkflowService) -> None:
    db = wf.ctx.db
    before = state(db)

    class Rehearsal(Exception):
        pass

    with pytest.raises(Rehearsal), wf.unit_of_work():
        wf.note(["C10.M01"], "第一步")
        with wf.unit_of_work():  # nested: joins the same transaction
            wf.set_status(["C10.M01"], "in_progress")
        assert task_row(db, "C10.M01").version == 1  # not committed yet
        raise Rehearsal
    assert state(db) == before
    with wf.unit_of_work():
        wf.note(["C10.M01"], "第一步")
        wf.set_status(["C10.M01"], "in_progress")
    row = task_row(db, "C10.M01")
    assert (row.status, row.version) == ("in_progress", 3)
    # after the block, a step has its own transaction again: a dry run rolls back
    # only itself, the next step commits on its own
    assert wf.note(["C10.M01"], "演练", dry_run=True).results[0].version == 4
    assert (task_row(db, "C10.M01").version, wf.note(["C10.M03"], "单独一步").events) == (3, 1)
    assert task_row(db, "C10.M03").version == 2


# -- units as people type them ---------------------------------------------------


def unit_rows(db: Database) -> list[tuple[str, str, str]]:
    with db.read() as s:
        return [(u.name, u.short, u.kind) for u in s.scalars(select(UnitRow).order_by(UnitRow.id))]


def test_a_unit_by_full_name_is_found_in_the_database(wf: WorkflowService) -> None:
    db = wf.ctx.db
    units = unit_rows(db)
    res = wf.assign(["C10.M01"], lead="聊城市科学技术局")
    assert res.results[0].changes["lead"] == [None, "市科技局"]
    assert unit_rows(db) == units


def test_a_directory_unit_is_added_once_with_its_official_name(wf: WorkflowService) -> None:
    db = wf.ctx.db
    units = unit_rows(db)
    first = wf.assign(["C10.M01"], lead="东阿")
    assert first.results[0].changes["lead"] == [None, "东阿县"]  # the event names it
    wf.assign(["C10.M03"], lead="东阿县")
    added = unit_rows(db)[len(units) :]
    assert added == [("东阿县", "东阿县", "county")]
    with db.read() as s:
        ids = s.execute(
            text("SELECT lead_unit_id FROM tasks WHERE key IN ('C10.M01', 'C10.M03')")
        ).all()
    assert len({r[0] for r in ids}) == 1


def test_a_batch_of_more_than_five_hundred_ids_gets_every_one(database: Database) -> None:
    """Tasks, co-units and checklists are read 500 at a time: a batch of 1,002 IDs
    (a --from file) sees each task's own co-units and checklist."""
    seed(database, extra=1002)
    keys = [f"C99.M{i:04d}" for i in range(1002)]
    with database.write() as s:
        for tid in s.scalars(select(TaskRow.id).where(TaskRow.key.like("C99.%"))):
            s.add(ChecklistRow(task_id=tid, seq=1, text="完成方案", done=True, targets=[]))
            s.add(ChecklistRow(task_id=tid, seq=2, text="组织实施", done=False, targets=[]))
    wf = WorkflowService(ServiceContext(database, Actor(BOSS, Source.CLI)))
    first = wf.assign(keys, lead="市科技局", co=["东昌府区"])
    assert first.summary() == {
        "total": 1002,
        "changed": 1002,
        "unchanged": 0,
        "error": 0,
        "events": 1002,
    }
    again = wf.assign(keys, lead="市科技局", co=["东昌府区"])  # each task's co-units read
    assert again.summary()["unchanged"] == 1002
    res = wf.report_progress(keys, made="按计划推进")  # progress from each checklist: 1 of 2
    assert {r.changes["progress"][1] for r in res.results} == {50}
    assert res.summary()["changed"] == 1002
    with database.read() as s:
        assert (
            s.execute(
                select(func.count()).where(TaskRow.progress == 50, TaskRow.version == 3)
            ).scalar()
            == 1002
        )


def test_the_fast_path_reports_in_the_cadence_of_the_settings_it_is_given(
    tmp_path: Path, office_clock: object
) -> None:
    """The CLI's sqlite3 path (LiteContext) takes the office's settings: a quarterly
    office files a progress report under 2026-Q4 on 1 December 2026 (Beijing)."""
    from lctasks.db.engine import open_database

    path = tmp_path / "lite.db"
    database = open_database(path)
    seed(database)
    database.dispose()
    lite = LiteDatabase.open(f"sqlite:///{path}")
    assert lite is not None
    quarterly = dataclasses.replace(load_settings(), report_cadence="quarterly")
    wf = WorkflowService(LiteContext(lite, Actor(BOSS, Source.CLI), quarterly))
    res = wf.report_progress(["C10.M01"], made="完成方案")
    lite.conn.close()
    assert res.results[0].changes["report"][1]["period"] == "2026-Q4"


def test_each_unknown_id_gets_its_own_suggestion(wf: WorkflowService) -> None:
    with pytest.raises(NotFoundError) as exc:
        wf.note(["I7", "C09.M1"], "备注")
    # one hint per ID, in the order given, each naming the nearest first
    hints = exc.value.hint.split("；")
    assert [h.partition("、")[0].removesuffix("？") for h in hints] == [
        "I7 是否想写 I07",
        "C09.M1 是否想写 C09.M01",
    ]


def test_a_co_unit_made_lead_leaves_the_co_units(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.assign(["C10.M01"], lead="市科技局", co=["市大数据局", "东昌府区"])
    res = wf.assign(["C10.M01"], lead="市大数据局", reason="职能调整")
    assert res.results[0].changes == {
        "lead": ["市科技局", "市大数据局"],
        "co_units": [["市大数据局", "东昌府区"], ["东昌府区"]],
    }
    row = task_row(db, "C10.M01")
    assert [c.unit.short for c in row.co_units] == ["东昌府区"]


def test_a_unit_on_record_but_not_in_the_directory_is_found(wf: WorkflowService) -> None:
    """A unit an older units.toml had (or a working group added by hand) stays usable."""
    db = wf.ctx.db
    with db.write() as s:
        s.add(UnitRow(name="聊城市重点项目推进专班", short="项目专班", kind="department"))
    units = unit_rows(db)
    res = wf.assign(["C10.M01"], lead="项目专班")
    assert res.results[0].changes["lead"] == [None, "项目专班"]
    res = wf.assign(["C10.M03"], lead="聊城市重点项目推进专班")
    assert res.results[0].changes["lead"] == [None, "项目专班"]
    assert unit_rows(db) == units


# -- survivors of the batch run of 1 December (docs/testing.md) ---------------------


def events_of(db: Database, key: str) -> list[tuple[str, dict[str, object], str]]:
    with db.read() as s:
        return [
            (e.action, e.changes, e.reason)
            for e in s.scalars(
                select(EventRow).where(EventRow.task_key == key).order_by(EventRow.seq)
            )
        ]


def test_each_event_names_what_the_task_held_before(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.assign(["C10.M01"], lead="市科技局", person="张三", leader="李四")
    wf.assign(["C10.M01"], person="王五", leader="", due=dt.date(2026, 3, 31))
    wf.extend(["C10.M01"], to=dt.date(2026, 6, 30), reason="项目调整", today=dt.date(2026, 1, 5))
    wf.check("C10.M02", [1])
    assert events_of(db, "C10.M01") == [
        (
            "assign",
            {"lead": [None, "市科技局"], "person": [None, "张三"], "leader": [None, "李四"]},
            "",
        ),
        (
            "assign",
            {
                "due": ["2025-12-31", "2026-03-31"],
                "due_basis": ["explicit", "manual"],
                "person": ["张三", "王五"],
                "leader": ["李四", None],
            },
            "",
        ),
        (
            "extend",
            {
                "due": ["2026-03-31", "2026-06-30"],
                "due_basis": ["manual", "extended"],
                "original_due": [None, "2026-03-31"],
            },
            "项目调整",
        ),
    ]
    # a tick has no reason of its own: the event's reason is empty
    assert events_of(db, "C10.M02") == [
        (
            "check",
            {"item1": [False, True], "progress": [0, 33], "status": ["not_started", "in_progress"]},
            "",
        )
    ]


def test_a_stale_task_is_refused_as_stale_before_its_status_is_looked_at(
    wf: WorkflowService,
) -> None:
    before = state(wf.ctx.db)
    with pytest.raises(ConflictError) as exc:
        wf.return_(["C10.M01"], reason="返工", if_version=7)  # not started: return is refused too
    assert outcome(failure(exc)) == [
        ("C10.M01", "error", 1, "版本已变化：期望 7，当前 1（别人刚改过）")
    ]
    assert state(wf.ctx.db) == before


def test_a_liaison_refused_on_several_tasks_is_told_about_each(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.assign(["C10.M01"], lead="市科技局")
    p = PeopleService(ServiceContext(db, Actor(BOSS, Source.CLI)))
    p.add(BOSS, "supervisor")
    p.add("李联络", "liaison", "市科技局")
    before = state(db)
    li = WorkflowService(ServiceContext(db, Actor("李联络", Source.CLI)))
    with pytest.raises(PermissionDeniedError) as exc:
        li.note(["C10.M03", "C10.M01", "C10.M02"], "督办")
    err = failure(exc)
    assert err.ids == ("C10.M03", "C10.M02")
    assert err.message == (
        "2 个任务无法加备注，本批次未做任何更改：\n"
        "  C10.M03：任务 C10.M03 的牵头或配合单位中没有 市科技局，李联络 不能添加备注\n"
        "  C10.M02：任务 C10.M02 的牵头或配合单位中没有 市科技局，李联络 不能添加备注"
    )
    assert outcome(err)[1] == ("C10.M01", "changed", 3, "")  # would have been changed
    assert state(db) == before


def test_an_id_line_with_two_comment_marks_keeps_only_the_id(wf: WorkflowService) -> None:
    res = wf.note(["c10.m01 # 调度会 # 第二次"], "督办")
    assert [(r.id, r.result) for r in res.results] == [("C10.M01", "changed")]
