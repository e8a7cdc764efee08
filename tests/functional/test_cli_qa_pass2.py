"""The second QA pass (issue 10, /work/notes QA items): each finding run as the user met it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import open_database
from lctasks.domain import Actor
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService


@pytest.fixture(scope="module")
def plan_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.db"
    db = open_database(str(path))
    try:
        LedgerService(ServiceContext(db, Actor("导入员"))).import_plan()
    finally:
        db.dispose()
    return path


@pytest.fixture
def db(plan_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "lctasks.db"
    shutil.copy(plan_template, path)
    return str(path)


def cli(db: str, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, ["--db", db, "--as", "王督查", *args])
    return res.exit_code, res.stdout, res.stderr


def history_len(db: str, key: str) -> int:
    code, stdout, _ = cli(db, "--json", "history", key)
    assert code == 0
    import json

    return len(json.loads(stdout)["events"])


@pytest.mark.parametrize("made", ["", "   ", "\t"])
def test_progress_with_an_empty_made_is_refused(db: str, made: str) -> None:
    # QA 11: as the workbook's apply, a report needs its 进展情况
    code, stdout, stderr = cli(db, "progress", "C10.M06", "--made", made, "--percent", "10")
    assert (code, stdout) == (4, "")
    assert stderr.splitlines()[0] == "错误：缺少进展情况（--made）"
    assert history_len(db, "C10.M06") == 0


def test_a_refused_extension_to_a_past_date_claims_nothing(db: str, office_clock: object) -> None:
    # QA 14: "注意：…已按此记录" and then "错误：…无法延期" contradicted each other
    code, stdout, stderr = cli(db, "extend", "C10.M06", "--to", "2020-01-01", "--reason", "x")
    assert (code, stdout) == (4, "")
    assert stderr.splitlines() == [
        "错误：1 个任务无法延期，本批次未做任何更改：",
        "  C10.M06：新期限 2020-01-01 不晚于当前期限 2025-12-31",
        "提示：改正或去掉出错的 ID 后重试；整批是一个事务",
    ]
    # a dry run does not say "recorded"; a real one does, after the change went through
    args = ("extend", "C10.M06", "--to", "2026-06-30", "--reason", "x", "--late")
    code, _, stderr = cli(db, *args, "--dry-run")
    assert code == 0
    assert stderr.splitlines()[0] == "注意：期限 2026-06-30 早于今天（2026-12-01）"
    code, _, stderr = cli(db, *args)
    assert code == 0
    assert stderr.splitlines()[0] == (
        "注意：期限 2026-06-30 早于今天（2026-12-01），已按此记录；如是笔误，请再次设置"
    )


def test_list_refuses_a_negative_count_and_names_the_orders(db: str) -> None:
    # QA 23: --limit -1 listed everything; --order foo said only "错误：--order foo?"
    assert cli(db, "list", "--limit", "-1") == (
        4,
        "",
        "错误：--limit 须为 0 或正整数，不能是 -1\n提示：例如 --limit 20\n",
    )
    code, _, stderr = cli(db, "list", "--offset", "-2")
    assert code == 4 and stderr.startswith("错误：--offset 须为 0 或正整数，不能是 -2\n")
    orders = "plan（规划顺序） | due（截止日期） | key（编号） | updated（最近更改在前）"
    assert cli(db, "list", "--order", "foo") == (
        4,
        "",
        f"错误：--order 的取值 foo 无效；可选：{orders}\n提示：例如 --order due\n",
    )
    code, _, stderr = cli(db, "--json", "list", "--order", "updatd")
    assert code == 4
    assert '"hint": "是否想写 --order updated？"' in stderr
    code, stdout, _ = cli(db, "list", "--order", "key", "--limit", "1")
    assert code == 0 and stdout.splitlines()[1].startswith("C04.G01")
