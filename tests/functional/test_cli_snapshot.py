"""`lctasks export / diff / apply` as a meeting's secretary runs them, on the real plan."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import invoke

AS_OF = "2025-06-30"


@pytest.fixture
def meeting_day() -> Iterator[None]:
    """The review meeting sits on the as-of day: the deadlines it moves are still ahead
    (a deadline already past needs ``apply --late``, as ``extend`` does)."""
    import time_machine

    with time_machine.travel(
        dt.datetime.combine(dt.date.fromisoformat(AS_OF), dt.time(2), dt.UTC), tick=True
    ):
        yield


@pytest.fixture
def db(bundled_plan_db: str) -> str:
    """A fresh copy of the bundled plan (tests/conftest.py)."""
    return bundled_plan_db


def run(db: str, *args: str, input: str | None = None) -> tuple[int, str, str]:
    return invoke(db, "--as", "李主任", *args, input=input)


def _edit(text: str, tid: str, old: str, new: str) -> str:
    start = text.index(f'[tasks."{tid}"]')
    pos = text.index(old, start)
    return text[:pos] + new + text[pos + len(old) :]


def test_export_to_a_file_and_to_stdout(db: str, tmp_path: Path) -> None:
    out = tmp_path / "m.toml"
    code, stdout, stderr = run(db, "export", "--as-of", AS_OF, "--out", str(out))
    assert code == 0 and stdout == ""
    assert "已导出 633 个任务" in stderr and str(out) in stderr
    code, stdout, _ = run(db, "export", "--as-of", AS_OF)
    assert code == 0
    assert stdout.encode() == out.read_bytes()
    doc = tomllib.loads(stdout)
    assert doc["totals"]["tasks"] == 633
    assert doc["tasks"]["C06.M01"]["title"] == "建设技术创新平台"
    code, stdout, _ = run(db, "export", "--as-of", AS_OF, "--chapter", "C06", "--json")
    data = json.loads(stdout)
    # chapter 6's own tasks and the goal of its part (P02.G01 is attached to chapter 6)
    chapter6 = {k for k, v in doc["tasks"].items() if v["chapter"] == 6}
    assert chapter6 == {k for k in doc["tasks"] if k.startswith("C06.")} | {"P02.G01"}
    assert code == 0 and set(data["tasks"]) == chapter6
    code, stdout, _ = run(db, "export", "--out", str(out), "--json", "--status", "未启动")
    assert json.loads(stdout)["tasks"] == 633


def test_export_rejects_bad_options(db: str, tmp_path: Path) -> None:
    code, _, stderr = run(db, "export", "--as-of", "明年春天")
    assert code == 4 and "明年春天" in stderr
    code, _, stderr = run(db, "export", "--unit", "市不存在局")
    assert code == 3 and "市不存在局" in stderr
    code, _, stderr = run(db, "export", "--out", str(tmp_path / "no" / "dir.toml"))
    assert code == 3
    code, _, stderr = run(db, "export", "--since", str(tmp_path / "missing.toml"))
    assert code == 3 and "missing.toml" in stderr


def test_meeting_round_trip(db: str, tmp_path: Path) -> None:
    before, after, reviewed = (tmp_path / n for n in ("10月.toml", "11月.toml", "审定.toml"))
    assert run(db, "export", "--as-of", AS_OF, "--out", str(before))[0] == 0
    assert run(db, "assign", "C06.M01", "C06.M02", "--lead", "kjj", "--co", "fgw")[0] == 0
    assert run(db, "status", "C06.M01", "done")[0] == 0
    assert run(db, "close", "C06.M01", "--note", "已挂牌", "--evidence", "文件")[0] == 0
    code, _, _ = run(db, "export", "--as-of", AS_OF, "--out", str(after), "--since", str(before))
    assert code == 0
    assert tomllib.loads(after.read_text(encoding="utf-8"))["changes"]["newly_closed"] == [
        "C06.M01"
    ]

    code, stdout, _ = run(db, "diff", str(before), str(after))
    assert code == 0
    # aligned by display width (a Chinese character is two columns), not tabs
    assert (
        "新销号：1 个\n"
        "  编号     任务              牵头单位  变化\n"
        "  C06.M01  建设技术创新平台  市科技局\n"
    ) in stdout
    assert "分配/改派" in stdout and "— → 市科技局（配合：市发展改革委）" in stdout
    code, stdout, _ = run(db, "diff", str(before), str(after), "--json")
    data = json.loads(stdout)
    assert [t["id"] for t in data["newly_closed"]] == ["C06.M01"]
    assert [t["id"] for t in data["reassigned"]] == ["C06.M01", "C06.M02"]
    assert data["summary"]["added"] == 0
    code, stdout, _ = run(db, "diff", str(after), str(after))
    assert "两次快照之间没有变化" in stdout

    text = after.read_text(encoding="utf-8")
    text = _edit(text, "C06.M02", 'lead = "市科技局"', 'lead = "市工业和信息化局"')
    text = _edit(text, "C06.M03", 'status = "not_started"', 'status = "in_progress"')
    reviewed.write_text(text, encoding="utf-8")
    code, stdout, stderr = run(db, "apply", str(reviewed), "--dry-run")
    assert code == 0
    assert stdout.splitlines() == [
        f"C06.M02\t发挥国家级创新平台作用\t（{reviewed}:{_header_line(text, 'C06.M02')}）",
        "  牵头单位：市科技局 → 市工业和信息化局",
        f"C06.M03\t推动大众创业万众创新\t（{reviewed}:{_header_line(text, 'C06.M03')}）",
        "  状态：未启动 → 推进中",
    ]
    assert "演练" in stderr and "数据库未改动" in stderr
    code, stdout, _ = run(db, "apply", str(reviewed), "--json")
    data = json.loads(stdout)
    assert code == 0 and data["applied"] and data["events"] == 2
    assert data["tasks"][0]["changes"] == {"lead": ["市科技局", "市工业和信息化局"]}
    code, stdout, _ = run(db, "log", "--limit", "2", "--json")
    events = json.loads(stdout)
    events = events["events"] if isinstance(events, dict) else events
    assert {(e["task"], e["source"], e["actor"]) for e in events} == {
        ("C06.M02", "review", "李主任"),
        ("C06.M03", "review", "李主任"),
    }
    # applied twice: nothing more to do
    code, _, stderr = run(db, "apply", str(reviewed))
    assert code == 0 and "没有要回填的修改" in stderr


def _header_line(text: str, tid: str) -> int:
    return text[: text.index(f'[tasks."{tid}"]')].count("\n") + 1


def test_apply_refuses_conflicts_and_malformed_files(db: str, tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    assert run(db, "export", "--as-of", AS_OF, "--out", str(path))[0] == 0
    good = path.read_text(encoding="utf-8")
    path.write_text(_edit(good, "C06.M01", 'lead = ""', 'lead = "kjj"'), encoding="utf-8")
    assert run(db, "note", "C06.M01", "会前已调整")[0] == 0
    code, stdout, stderr = run(db, "apply", str(path))
    assert code == 5 and stdout == ""
    assert "C06.M01" in stderr and "快照版本 1，台账当前版本 2" in stderr
    code, _, stderr = run(db, "apply", str(path), "--json")
    assert code == 5 and json.loads(stderr)["error"]["ids"] == ["C06.M01"]

    path.write_text(good.replace("schema_version = 1", "schema_version = [1"), encoding="utf-8")
    code, _, stderr = run(db, "apply", str(path))
    assert code == 4 and f"{path}:" in stderr
    code, _, stderr = run(db, "apply", str(tmp_path / "nope.toml"))
    assert code == 3


def test_the_real_entry_point_exports(db: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "m.toml"
    res = subprocess.run(
        [sys.executable, "-m", "lctasks", "--db", db, "export", "--as-of", AS_OF, "-o", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "已导出 633 个任务" in res.stderr
    assert tomllib.loads(out.read_text(encoding="utf-8"))["snapshot"]["as_of"].isoformat() == AS_OF


def test_diff_reads_the_dates_apply_reads(db: str, tmp_path: Path, meeting_day: None) -> None:
    """A hand-edited ``due = "2027年3月底前"`` (the format allows it) in diff and apply."""
    before, edited = tmp_path / "before.toml", tmp_path / "edited.toml"
    assert run(db, "export", "--as-of", AS_OF, "--out", str(before))[0] == 0
    text = before.read_text(encoding="utf-8")
    start = text.index('[tasks."C06.M03"]')
    old = text[text.index("due = ", start) : text.index("\n", text.index("due = ", start))]
    edited.write_text(_edit(text, "C06.M03", old, 'due = "2027年3月底前"'), encoding="utf-8")
    code, stdout, stderr = run(db, "diff", str(before), str(edited))
    assert code == 0, stderr
    assert "C06.M03" in stdout and "2027-03-31" in stdout
    code, stdout, stderr = run(db, "diff", str(before), str(edited), "--json")
    assert code == 0
    assert [t["id"] for t in json.loads(stdout)["due_moved"]] == ["C06.M03"]
    code, stdout, stderr = run(db, "apply", str(edited), "--dry-run")
    assert code == 0 and "2027-03-31" in stdout, stderr


def test_a_read_only_edit_beside_an_editable_one_is_named(db: str, tmp_path: Path) -> None:
    """Status and progress typed into one task: the status is applied, the progress named."""
    path = tmp_path / "m.toml"
    assert run(db, "export", "--as-of", AS_OF, "--out", str(path))[0] == 0
    text = _edit(
        path.read_text(encoding="utf-8"),
        "C06.P01",
        'status = "not_started"',
        'status = "in_progress"',
    )
    text = _edit(text, "C06.P01", "progress = 0", "progress = 30")
    path.write_text(text, encoding="utf-8")
    start = text.index('[tasks."C06.P01"]')
    line = text[: text.index("\nprogress = ", start)].count("\n") + 2
    warning = f"注意：{path}:{line}：C06.P01.progress 为只读字段，修改不会回填\n"
    for extra in (["--dry-run"], []):
        code, stdout, stderr = run(db, "apply", str(path), *extra)
        assert code == 0, stderr
        assert "状态：未启动 → 推进中" in stdout
        assert stderr.startswith(warning)
    code, stdout, _ = run(db, "show", "C06.P01", "--json")
    assert json.loads(stdout)["progress"] == 0


def test_a_snapshot_saved_as_gbk_is_refused_with_how_to_save_it(db: str, tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    assert run(db, "export", "--as-of", AS_OF, "--out", str(path))[0] == 0
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    for command in (["apply", str(gbk), "--dry-run"], ["diff", str(path), str(gbk)]):
        code, stdout, stderr = run(db, *command)
        assert code == 4 and stdout == ""
        assert stderr.splitlines() == [
            f"错误：{gbk}:1：不是 UTF-8 编码",
            "提示：把文件另存为 UTF-8 编码后重试（记事本：另存为 → 编码选 UTF-8；"
            "或 iconv -f gbk -t utf-8 旧文件 > 新文件）",
        ]
