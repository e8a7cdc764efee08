"""`lctasks plan / list / show / import / units` through the real Typer app."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from lctasks.cli.table import render, width
from lctasks.db.engine import open_database
from lctasks.domain import Actor, PlanTree
from lctasks.plan import BUNDLED_PLAN, load_plan
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from tests.cli_helpers import ROOT
from tests.cli_helpers import invoke as run
from tests.sample_plan import PLATFORM, small_tree


@pytest.fixture
def sample_db(tmp_path: Path) -> str:
    path = str(tmp_path / "sample.db")
    db = open_database(path)
    try:
        LedgerService(ServiceContext(db, Actor("测试员"))).import_tree(small_tree())
    finally:
        db.dispose()
    return path


def test_list_json_is_one_array_with_the_contract_fields(sample_db: str) -> None:
    code, stdout, _ = run(sample_db, "list", "--json")
    assert code == 0
    data = json.loads(stdout)
    assert [d["id"] for d in data] == ["I01", "C05.T01", "C06.M01", "C06.M02", "C06.P01"]
    first = data[2]
    for field in ("id", "kind", "chapter", "title", "lead_unit", "co_units", "due", "status"):
        assert field in first
    assert first["chapter"] == 6 and first["kind"] == "measure"
    assert first["due"] == "2025-12-31" and first["status"] == "not_started"
    assert first["light"] in {"red", "yellow", "green"}
    assert first["co_units"] == [] and first["lead_unit"] is None


def test_list_filters(sample_db: str) -> None:
    def ids(*args: str) -> list[str]:
        code, stdout, stderr = run(sample_db, "list", "--json", *args)
        assert code == 0, stderr
        return [d["id"] for d in json.loads(stdout)]

    assert ids("--chapter", "6", "--kind", "project") == ["C06.P01"]
    assert ids("--kind", "measure,indicator") == ["I01", "C06.M01", "C06.M02"]
    assert ids("--text", "孵化", "--limit", "1") == ["C06.M02"]
    assert ids("--light", "red", "--as-of", "2026-01-05") == ids()
    assert ids("--light", "red", "--as-of", "2021-02-01") == []
    assert ids("--due-before", "2024年底") == []
    code, _, stderr = run(sample_db, "list", "--kind", "projekt")
    assert code == 4 and "projekt" in stderr and "measure" in stderr


def test_list_table_lines_up_chinese_titles(sample_db: str) -> None:
    code, stdout, stderr = run(sample_db, "list", "--chapter", "6")
    assert code == 0
    lines = stdout.splitlines()
    assert len(lines) == 4 and "共 3 个任务" in stderr
    # the due column starts at the same display column on every row
    cols = {width(line[: line.index("2025-12-31")]) for line in lines[1:]}
    assert len(cols) == 1


def test_render_pads_by_display_width() -> None:
    lines = render(["编号", "标题"], [["C06.M01", "建设"], ["I01", "ab"]])
    assert lines == ["编号     标题", "C06.M01  建设", "I01      ab"]
    assert width(lines[1]) == width("C06.M01  建设")
    assert lines[2].index("ab") == len("C06.M01  ")


def test_show_human_and_json(sample_db: str) -> None:
    code, stdout, _ = run(sample_db, "show", "c06.m01")
    assert code == 0
    assert "C06.M01  建设技术创新平台" in stdout
    assert "第6章 创新驱动" in stdout and "第1节 提升创新能力" in stdout
    assert "原文明确" in stdout and "到2025年" in stdout
    assert "[ ] 1. 到2025年，力争新增省级以上创新平台100家" in stdout
    assert "100家" in stdout and "2025-12-31" in stdout
    code, stdout, _ = run(sample_db, "show", "C06.P01", "--json")
    data = json.loads(stdout)
    assert data["box"] == 4 and data["where"]["box_title"] == "科技创新重点项目"
    assert data["category"] == "创新平台"
    code, stdout, _ = run(sample_db, "--json", "show", "C06.M01")
    assert json.loads(stdout)["source_text"] == PLATFORM


def test_show_unknown_id_exits_3_with_message(sample_db: str) -> None:
    code, stdout, stderr = run(sample_db, "show", "C06.M09")
    assert code == 3 and stdout == ""
    assert "C06.M09" in stderr and "提示" in stderr
    code, _, stderr = run(sample_db, "show", "C06.M09", "--json")
    assert code == 3 and json.loads(stderr)["error"]["ids"] == ["C06.M09"]


def test_plan_tree_and_coverage(sample_db: str) -> None:
    code, stdout, _ = run(sample_db, "plan")
    assert code == 0
    assert "测试规划（lc-test" in stdout
    assert "第6章 创新驱动" in stdout and "3 个任务" in stdout
    assert "专栏1 “十三五”主要成就" in stdout and "参考资料" in stdout
    assert "没有任务的章：1" in stdout
    assert "第 99 行" in stdout
    code, stdout, _ = run(sample_db, "plan", "--json")
    data = json.loads(stdout)
    assert data["coverage"]["without_tasks"] == [1] and data["coverage"]["unplaced"] == 1
    code, stdout, _ = run(sample_db)
    assert code == 0 and "第6章 创新驱动" in stdout


def test_empty_database_says_import(tmp_path: Path) -> None:
    code, _, stderr = run(str(tmp_path / "empty.db"), "list")
    assert code == 3 and "lctasks import" in stderr


def test_units_find(sample_db: str) -> None:
    code, stdout, _ = run(sample_db, "units", "--find", "kjj", "--json")
    assert code == 0
    assert [u["short"] for u in json.loads(stdout)] == ["市科技局"]  # no weak neighbours
    code, stdout, _ = run(sample_db, "units", "--find", "jtj", "--json")
    assert {u["short"] for u in json.loads(stdout)} == {"市教育和体育局", "市交通运输局"}
    code, stdout, _ = run(sample_db, "units", "--find", "zzzz", "--json")
    assert code == 0 and json.loads(stdout) == []
    code, stdout, _ = run(sample_db, "units")
    assert "市科技局" in stdout and "茌平区" in stdout


# ---------------------------------------------------------------------------
# The real plan, through the commands a new user types
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_tree() -> PlanTree:
    return load_plan()


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("real") / "lctasks.db")
    code, stdout, stderr = run(path, "import")
    assert code == 0, stderr
    assert "任务 633 个" in stdout
    assert "写入任务" in stderr  # progress on stderr
    return path


def test_real_list_json_counts_and_shape(real_db: str, real_tree: PlanTree) -> None:
    code, stdout, _ = run(real_db, "list", "--json")
    assert code == 0
    data = json.loads(stdout)
    assert [d["id"] for d in data] == [
        d.key for d in sorted(real_tree.tasks, key=lambda d: (d.chapter, d.line, d.key))
    ]
    assert Counter(d["kind"] for d in data) == Counter(d.kind.value for d in real_tree.tasks)
    assert all(isinstance(d["chapter"], int) for d in data)
    assert {d["chapter"] for d in data} == set(range(4, 62))
    code, stdout, _ = run(real_db, "list", "--json", "--chapter", "10", "--kind", "project")
    box4 = json.loads(stdout)
    assert len(box4) == sum(1 for d in real_tree.tasks if d.box == 4)
    assert box4[0]["title"] == "东昌府区新材料产业园区" and box4[0]["box"] == 4


def test_real_plan_tree_and_coverage(real_db: str) -> None:
    code, stdout, _ = run(real_db, "plan")
    assert code == 0
    assert "第6章 加强创新载体平台建设" in stdout
    assert "专栏1 现有国家级科技创新平台" in stdout and "参考资料，不作任务" in stdout
    assert "专栏5" in stdout and "印在第12章之后" in stdout
    assert "没有任务的章：1、2、3" in stdout
    assert "633 个任务（举措 194，重点项目 337，指标 24，目标 72，章任务 6）" in stdout


def test_real_show_a_measure_a_project_and_an_indicator(real_db: str) -> None:
    code, stdout, _ = run(real_db, "show", "C06.M01")
    assert code == 0
    assert "第6章 加强创新载体平台建设" in stdout
    assert "建设技术创新平台。实施制造业创新中心建设工程" in stdout
    assert "到2025年，力争新增省级以上创新平台100家" in stdout
    assert "原文明确" in stdout and "规则建议（仅为建议，尚未指派）" in stdout
    assert "牵头单位：（未指定）" in stdout
    code, stdout, _ = run(real_db, "show", "C10.P01")
    assert code == 0
    assert "专栏4" in stdout and "类别：新材料" in stdout and "东昌府区新材料产业园区" in stdout
    code, stdout, _ = run(real_db, "show", "I01", "--json")
    data = json.loads(stdout)
    assert data["kind"] == "indicator" and data["chapter"] == 4


def test_real_unknown_id(real_db: str) -> None:
    code, stdout, stderr = run(real_db, "show", "C06.M99")
    assert code == 3 and stdout == ""
    assert "C06.M99" in stderr


def test_real_import_twice_says_nothing_changed(tmp_path: Path) -> None:
    db = str(tmp_path / "twice.db")
    assert run(db, "import")[0] == 0
    code, stdout, _ = run(db, "import")
    assert code == 0
    assert "新增 0，变更 0，移除 0，未变 633" in stdout


def test_gbk_plan_file_gives_the_same_list(real_db: str, tmp_path: Path) -> None:
    gbk = tmp_path / "plan-gbk.txt"
    gbk.write_bytes(BUNDLED_PLAN.read_text(encoding="utf-8").encode("gb18030"))
    db = str(tmp_path / "gbk.db")
    code, _, stderr = run(db, "import", str(gbk))
    assert code == 0, stderr
    assert run(db, "list", "--json") == run(real_db, "list", "--json")


def test_subprocess_list_json(real_db: str) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "lctasks", "--db", real_db, "list", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data) == 633 and data[0]["id"] == "C04.G01"


def test_list_by_unit_after_assign_and_reimport_keeps_owners(tmp_path: Path) -> None:
    db = str(tmp_path / "owners.db")
    assert run(db, "import")[0] == 0
    code, _, stderr = run(db, "assign", "C06.M01", "C10.P01", "--lead", "kjj", "--co", "东阿")
    assert code == 0, stderr
    code, _, stderr = run(db, "assign", "C10.P02", "--lead", "市工业和信息化局", "--co", "kjj")
    assert code == 0, stderr

    def ids(*args: str) -> list[str]:
        code, stdout, stderr = run(db, "list", "--json", *args)
        assert code == 0, stderr
        return [d["id"] for d in json.loads(stdout)]

    # lead or co-unit, typed any way the unit directory understands
    assert ids("--unit", "科技局") == ["C06.M01", "C10.P01", "C10.P02"]
    assert ids("--unit", "东阿县", "--kind", "project") == ["C10.P01"]
    assert len(ids("--unassigned")) == 633 - 3
    code, _, stderr = run(db, "list", "--unit", "不存在的局")
    assert code == 3 and "不存在的局" in stderr
    # a re-import keeps the owners
    assert run(db, "import")[0] == 0
    code, stdout, _ = run(db, "show", "C10.P01", "--json")
    data = json.loads(stdout)
    assert data["lead_unit"] == "市科技局" and data["co_units"] == ["东阿县"]


def test_list_and_show_do_not_import_textual(real_db: str) -> None:
    code = (
        "import sys\n"
        "from lctasks.cli.app import app\n"
        "for args in (['list', '--json'], ['show', 'C06.M01'], ['plan']):\n"
        "    try:\n"
        f"        app(['--db', {real_db!r}, *args])\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "print('LOADED', sorted(m for m in ('textual', 'rich', 'pypinyin', 'rapidfuzz')"
        " if m in sys.modules))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert res.stdout.strip().splitlines()[-1] == "LOADED []", res.stderr[-2000:]


def test_english_messages(real_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCTASKS_LANG", "en")
    code, stdout, _ = run(real_db, "show", "C11.P01")
    assert code == 0
    assert "box 5 现代服务业重点项目 (printed after chapter 12)" in stdout
    assert "deadline: 2025-12-31 (inferred: plan end)" in stdout
    code, stdout, _ = run(real_db, "plan")
    assert "chapters without tasks: 1, 2, 3" in stdout
    code, _, stderr = run(real_db, "show", "C06.M99")
    assert code == 3 and stderr.startswith("error")


def test_show_never_starts_a_wrapped_line_with_closing_punctuation() -> None:
    from lctasks.cli.plan_text import _wrap

    text = "建设技术创新平台" * 9 + "。" + "实施制造业创新中心建设工程，" * 6
    lines = _wrap(text, cols=72)
    assert len(lines) == 5  # 174 columns of text in 72-column lines, none starting with 。
    assert all(line.strip()[0] not in "。，、；：" for line in lines)
    assert "".join(line.strip() for line in lines) == text


def test_list_unknown_chapter_is_not_found_rather_than_empty(real_db: str) -> None:
    code, _out, err = run(real_db, "list", "--chapter", "99")
    assert code == 3
    assert "第 99 章" in err and "1–61" in err
    code, out, _ = run(real_db, "list", "--chapter", "1", "--json")
    assert code == 0 and json.loads(out) == []  # chapter 1 exists and has no tasks


def test_real_plan_json_accounts_for_every_paragraph(real_db: str) -> None:
    code, stdout, _ = run(real_db, "plan", "--json")
    assert code == 0
    para = json.loads(stdout)["coverage"]["paragraphs"]
    # hand count (tests/unit/test_parser_goals.py): 633 tasks, 5 paragraphs of 第五章 inside
    # C05.T01, 49 items of 专栏1/8/9, 38 context pieces, nothing unplaced
    assert para["classes"] == {
        "task": 633,
        "checklist": 5,
        "reference": 49,
        "context": 38,
        "unplaced": 0,
    }
    assert sum(para["classes"].values()) == para["total"] == 725
    text = BUNDLED_PLAN.read_text(encoding="utf-8").split("\n")
    # the line numbers are lines of the plan file that hold text
    for cls, lines in para["lines"].items():
        assert all(text[n - 1].strip() for n in lines), cls
    assert para["lines"]["checklist"] == [131, 133, 137, 139, 141]
    assert text[1190 - 1].startswith("“十四五”规划是我市开启")
    assert [1190, "规划结束语"] in para["context"]
    assert 397 in para["lines"]["task"]  # P04.G01, the part intro
    code, stdout, _ = run(real_db, "plan")
    assert "逐段核对：全文 725 段" in stdout and "未归位 0" in stdout
    assert "背景：规划结束语（第 1190–1190 行，1 段）" in stdout


def test_real_list_fields_equal_show_json(real_db: str) -> None:
    code, stdout, _ = run(real_db, "list", "--fields", "all", "--as-of", "2026-06-30")
    assert code == 0
    everything = {d["id"]: d for d in json.loads(stdout)}
    assert len(everything) == 633
    for key in ("C21.M01", "C42.P45", "I12", "P04.G01", "C58.T01"):
        code, stdout, _ = run(real_db, "show", key, "--json", "--as-of", "2026-06-30")
        assert code == 0
        assert everything[key] == json.loads(stdout), key
    # a selection, in the order asked; owners expands to the four owner fields
    code, stdout, _ = run(real_db, "list", "-c", "21", "-k", "measure", "--fields", "id,owners")
    first = json.loads(stdout)[0]
    assert list(first) == ["id", "lead_unit", "co_units", "person", "leader"]
    code, stdout, _ = run(real_db, "list", "-c", "21", "--fields", "id,checklist")
    m01 = next(d for d in json.loads(stdout) if d["id"] == "C21.M01")
    targets = [g for item in m01["checklist"] for g in item["targets"]]
    assert [(g["value"], g["unit"], g["after"]) for g in targets] == [
        (600.0, "万亩", "以上"),
        (100.0, "亿斤", ""),
        (0.6363, "", "以上"),
    ]
    code, _, stderr = run(real_db, "list", "--fields", "id,nonsense")
    assert code != 0 and "nonsense" in stderr
