"""The task list model: filters a person relies on, without a terminal."""

from __future__ import annotations

import datetime as dt

from lctasks.services.board import BoardRow
from lctasks.tui.model import Filter, TaskStore, chapter_scores, key_order, scoreboard

AS_OF = dt.date(2023, 6, 30)


def row(key: str, title: str, lead: str = "", **kw: object) -> BoardRow:
    base: dict[str, object] = dict(
        kind="measure",
        chapter=int(key[1:3]),
        section=None,
        status="not_started",
        progress=0,
        start=dt.date(2021, 1, 1),
        due=dt.date(2025, 12, 31),
        co_units=(),
        suggested="",
        version=1,
        category="",
        light="green",
    )
    base.update(kw)
    return BoardRow(key=key, title=title, lead=lead, **base)  # type: ignore[arg-type]


def store() -> TaskStore:
    s = TaskStore(as_of=AS_OF, my_unit="东阿县")
    s.load(
        [
            row("C10.M01", "建设技术创新平台", "市科技局", light="red"),
            row("C10.M02", "装备制造", "市工业和信息化局", light="yellow"),
            row("C11.M01", "推进黄河流域生态保护", "", co_units=("东阿县",)),
            row("C11.M02", "发展现代农业", "市农业农村局", status="closed"),
            row("C12.M01", "培育科技型中小企业", "市科技局", due=dt.date(2023, 7, 15)),
            row("C12.M02", "改善生态环境", "市生态环境局", due=dt.date(2023, 1, 1), light="red"),
        ]
    )
    return s


def keys(s: TaskStore, flt: Filter) -> list[str]:
    return [r.key for r in s.apply(flt)]


def test_chinese_substring_pinyin_and_initials() -> None:
    s = store()
    assert keys(s, Filter(text="创新")) == ["C10.M01"]
    assert keys(s, Filter(text="kjj")) == ["C10.M01", "C12.M01"]  # 市科技局 initials
    assert keys(s, Filter(text="huanghe")) == ["C11.M01"]  # 黄河 in full pinyin
    assert keys(s, Filter(text="zbzz")) == ["C10.M02"]  # 装备制造
    assert keys(s, Filter(text="c12.m0")) == ["C12.M01", "C12.M02"]
    assert keys(s, Filter(text="市科技局 平台")) == ["C10.M01"]  # words AND together


def test_typing_narrows_and_backspace_widens() -> None:
    s = store()
    assert len(keys(s, Filter(text="s"))) == 6
    assert keys(s, Filter(text="sk")) == ["C10.M01", "C12.M01"]
    assert keys(s, Filter(text="skj")) == ["C10.M01", "C12.M01"]
    assert len(keys(s, Filter(text="s"))) == 6


def test_unit_light_status_and_views() -> None:
    s = store()
    assert keys(s, Filter(unit="东阿县")) == ["C11.M01"]  # as co-unit too
    assert keys(s, Filter(light="red")) == ["C10.M01", "C12.M02"]
    assert keys(s, Filter(light="red", unit="市科技局")) == ["C10.M01"]
    assert keys(s, Filter(status="closed")) == ["C11.M02"]
    assert keys(s, Filter(view="overdue")) == ["C12.M02"]
    assert keys(s, Filter(view="due30")) == ["C12.M01"]
    assert keys(s, Filter(view="unassigned")) == ["C11.M01"]
    assert keys(s, Filter(view="mine")) == ["C11.M01"]
    assert keys(s, Filter(chapter=11)) == ["C11.M01", "C11.M02"]


def test_sorting_keeps_filtering_in_order() -> None:
    s = store()
    s.set_sort("due")
    assert keys(s, Filter(unit="市科技局")) == ["C12.M01", "C10.M01"]
    s.set_sort("light")
    assert keys(s, Filter())[:2] == ["C10.M01", "C12.M02"]
    assert key_order("C2.M10") > key_order("C2.M9")


def test_live_update_replaces_a_row() -> None:
    s = store()
    s.apply(Filter(light="red"))
    changed = s.update([row("C10.M01", "建设技术创新平台", "市科技局", status="closed")])
    assert changed == {"C10.M01"}
    assert keys(s, Filter(light="red")) == ["C12.M02"]
    assert keys(s, Filter(status="closed")) == ["C10.M01", "C11.M02"]


def test_scoreboard_and_chapter_scores() -> None:
    rows = store().rows
    board = scoreboard(rows)
    assert board[0].unit == "市农业农村局" and board[0].done_pct == 100.0
    kj = next(b for b in board if b.unit == "市科技局")
    assert (kj.tasks, kj.red) == (2, 1)
    assert board[-1].unit == ""  # unassigned last
    ch = {c.chapter: c for c in chapter_scores(rows)}
    assert ch[11].done == 1 and ch[11].tasks == 2
