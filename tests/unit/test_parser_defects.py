"""The defects of the printed-and-converted plan text, one test each, plus the
encoding / re-wrapping variants, full accounting of the input, unplaced text,
key stability and a property test."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lctasks.domain import InvalidInputError, NotFoundError, PlanTree, TaskDraft
from lctasks.plan import BUNDLED_PLAN, load_plan, parse_plan, read_plan_text
from lctasks.plan.text import normalise_line
from tests.conftest import once_per_module
from tests.plan_text_variants import cjk_counter, paragraphs, rewrap

RAW = BUNDLED_PLAN.read_text(encoding="utf-8")


@pytest.fixture(scope=once_per_module)
def tree() -> PlanTree:
    return load_plan(BUNDLED_PLAN)


def _task(tree: PlanTree, key: str) -> TaskDraft:
    return next(t for t in tree.tasks if t.key == key)


def _all_texts(tree: PlanTree) -> list[str]:
    out = [p.text for p in tree.preamble]
    for part in tree.parts:
        out.append(part.title)
        out += [p.text for p in part.paragraphs]
        for ch in part.chapters:
            out.append(ch.title)
            out += [s.title for s in ch.sections]
            out += [p.text for p in ch.paragraphs]
            for box in ch.boxes:
                out += [box.title, box.text] + [i.text for i in box.items]
    for t in tree.tasks:
        out += [t.title, t.source_text] + [c.text for c in t.checklist]
    return out


# ---------------------------------------------------------------------------
# Page breaks inside paragraphs
# ---------------------------------------------------------------------------


def test_break_mid_word_is_joined(tree: PlanTree) -> None:
    # line 227 ends "…工业成套设备相", line 229 starts "关技术的消化…"
    assert (
        "着力提升工业成套设备相关技术的消化、吸收、再创新能力。"
        in _task(tree, "C07.M02").source_text
    )
    # line 275 ends "…工业机", 277 starts "器人、无人机…"
    assert "工业机器人、无人机" in _task(tree, "C10.M01").source_text


def test_continuation_that_looks_like_a_lead_phrase_is_joined(tree: PlanTree) -> None:
    # line 181 "创新创业体系。与山东省农业科学院…" continues 179 ("…形成“1+N”的产业")
    m = _task(tree, "C06.M01")
    assert "形成“1+N”的产业创新创业体系。与山东省农业科学院合作共建" in m.source_text
    # so are 2500名。(245), 服务。(251), 目。(516), 基地。(536), 以上。(822) …
    assert _task(tree, "C08.M01").source_text.endswith("高级工以上基础层级高技能人才2500名。")
    titles = {t.title for t in tree.tasks}
    assert not titles & {"创新创业体系", "2500名", "服务", "目", "基地", "以上", "范围", "结构"}


@pytest.mark.parametrize(
    ("key", "joined"),
    [
        ("C20.M07", "实施黄河下游防洪工程（聊城段）。加强骨干河道治理"),  # line 570
        ("C28.M01", "在供应链方面合作。统筹优质医疗资源配置"),  # line 714
        ("C35.M03", "健全差异化监管模式。建立健全“政府承诺+社会监督+失信问责”机制"),  # 836
        ("C52.M01", "降低生育、养育、教育成本。合理优化人口抚养比"),  # line 1102
    ],
)
def test_break_right_after_a_full_stop_is_joined(tree: PlanTree, key: str, joined: str) -> None:
    assert joined in _task(tree, key).source_text


def test_closing_words_are_not_joined_to_the_last_chapter(tree: PlanTree) -> None:
    ch61 = tree.chapters()[-1]
    assert [p.line for p in ch61.paragraphs] == [1186, 1190]
    assert ch61.paragraphs[1].text.startswith("“十四五”规划是我市开启")


def test_paragraph_starts_match_a_hand_rewrap(tree: PlanTree) -> None:
    """Every paragraph the parser makes starts where the independent re-wrap
    (plan_text_variants.paragraphs) starts one, and vice versa."""
    expected = set()
    in_box = False
    for no, text in paragraphs(RAW):
        s = text.strip()
        if re.match(r"^(第[一二三四五六七八九十]+[篇章节] |专栏 ?\d+[：:])", s):
            in_box = s.startswith("专栏")
            continue
        if "\t" in text or in_box:
            continue
        expected.add(no)
    found = {p.line for p in tree.preamble} | {u.line for u in tree.unplaced}
    for part in tree.parts:
        found |= {p.line for p in part.paragraphs}
        for ch in part.chapters:
            found |= {p.line for p in ch.paragraphs}
    assert found == expected
    assert len(found) == 314


# ---------------------------------------------------------------------------
# Boxes
# ---------------------------------------------------------------------------


def _items(tree: PlanTree, number: int) -> list[tuple[str | None, int, str]]:
    box = next(b for c in tree.chapters() for b in c.boxes if b.number == number)
    return [(i.category, i.number, i.text) for i in box.items]


def test_box_item_split_across_a_break(tree: PlanTree) -> None:
    # 专栏6 line 469 ends "（15）山东景阳冈", 471 starts "酒厂数字化工厂项目（16）"
    assert ("数字经济", 15, "山东景阳冈酒厂数字化工厂项目") in _items(tree, 6)
    # line 471 ends "（17）立", 472 "海现代数字生态农业示范园项目（18）华为（莘县）…"
    assert ("数字经济", 17, "立海现代数字生态农业示范园项目") in _items(tree, 6)
    # 专栏3 line 235 ends "…示范应用研究", 237 starts "项目（13）…"
    items3 = _items(tree, 3)
    assert items3[11] == (None, 12, "市农科院基于现代育种技术的农作物新品种选育与示范应用研究项目")
    assert items3[12][2] == "聊城市传统农业产业改造补短提档升级研究项目"
    # 专栏1 line 205 ends "…觅", 207 starts "见·众创空间（5）…"
    assert ("国家级众创空间", 4, "山东尚美网络科技有限公司觅见·众创空间") in _items(tree, 1)
    # 专栏4 line 327 ends "…高端精细化", 329 starts "工项目(5)…"
    assert ("绿色化工", 4, "聊城宇通360万吨/年流化床裂解制烯烃高端精细化工项目") in _items(tree, 4)


def test_item_number_before_the_break_and_name_after_it(tree: PlanTree) -> None:
    # 专栏2 line 213 ends "（21）", the name is alone on line 215
    item = _items(tree, 2)[20]
    assert item == ("创新平台", 21, "莘县高新技术产业加速器项目")
    task = next(t for t in tree.tasks if t.title == "莘县高新技术产业加速器项目")
    assert (task.key, task.line, task.box, task.category) == ("C06.P21", 215, 2, "创新平台")


def test_both_numbering_styles(tree: PlanTree) -> None:
    # 新一代信息技术: （1） on line 319, then "(2) … (5)" on line 321
    info = [(n, t) for c, n, t in _items(tree, 4) if c == "新一代信息技术"]
    assert [n for n, _ in info] == [1, 2, 3, 4, 5]
    assert info[4][1] == "润泽(阳谷)智慧产业创新城"  # a bracket in a name is not a number
    # 固体废物综合处置: (1)…(6) then （7）（8）
    solid = [n for c, n, _ in _items(tree, 10) if c == "固体废物综合处置重点项目"]
    assert solid == list(range(1, 9))


def test_numbering_restarts_per_category_and_ascii_colons(tree: PlanTree) -> None:
    cats = Counter(c for c, _, _ in _items(tree, 4))
    assert cats == {
        "新材料": 8,
        "装备制造": 11,
        "新能源汽车": 4,
        "新一代信息技术": 5,
        "生物医药": 10,  # "生物医药: (1)" with an ASCII colon
        "有色金属及金属深加工": 11,
        "绿色化工": 6,
        "农副产品加工": 5,
        "纺织服装": 4,
        "造纸印刷": 4,
    }
    assert "生态保护区域管护重点项目" in {c for c, _, _ in _items(tree, 10)}  # "…项目:(1)"


def test_box_text_keeps_everything(tree: PlanTree) -> None:
    box = next(b for c in tree.chapters() for b in c.boxes if b.number == 9)
    assert box.text.splitlines()[6] == "莘县：古云镇、朝城镇、张鲁镇。"  # printed "莘 县："
    assert len(box.text.splitlines()) == 8


# ---------------------------------------------------------------------------
# Markers, spaces, words
# ---------------------------------------------------------------------------


def test_bold_markers_are_removed(tree: PlanTree) -> None:
    assert RAW.count("**") > 20
    assert not any("*" in t for t in _all_texts(tree))
    ch3 = tree.chapters()[2]
    assert ch3.paragraphs[1].text.startswith("——坚持党的全面领导。以更严要求")


def test_stray_spaces_are_removed_between_digits_and_chinese(tree: PlanTree) -> None:
    assert "到 2025 年" in RAW
    m = _task(tree, "C10.M01")
    assert m.source_text.endswith("到2025年，装备制造业营业收入力争达到500亿元。")
    for text in _all_texts(tree):
        for m2 in re.finditer(r" ", text):
            a, b = text[m2.start() - 1], text[m2.end()]
            assert a.isascii() and b.isascii() and a.isalnum() and b.isalnum(), text


def test_spaces_between_latin_words_are_kept() -> None:
    assert normalise_line("发展 B2B 电子商务") == "发展B2B电子商务"
    assert normalise_line("Open Data 平台 2 3") == "Open Data平台2 3"
    assert normalise_line("规划建设 ± 800 千伏") == "规划建设±800千伏"


def test_and_for_he_is_repaired(tree: PlanTree) -> None:
    assert "棚户区和老旧小区改造" in _task(tree, "C31.M01").source_text
    assert "稳定出口规模和市场份额" in _task(tree, "C45.M02").source_text
    assert "十二次全会精神和聊城市委" in tree.preamble[-1].text
    assert not any(re.search(r"[\u4e00-\u9fff]and[\u4e00-\u9fff]", t) for t in _all_texts(tree))


def test_place_name_typos_are_corrected(tree: PlanTree) -> None:
    assert RAW.count("荏") == 4 and "在平、莘县" in RAW
    texts = _all_texts(tree)
    assert not any("荏" in t for t in texts)
    assert _task(tree, "C30.M01").title == "增强聊茌东都市区辐射带动能力"
    assert "支持茌平区发展铝精深加工" in _task(tree, "C30.M01").source_text
    assert "高铁新区和茌平、莘县、阳谷高铁新城" in _task(tree, "C05.T01").source_text
    # 在平 as ordinary words is left alone
    assert normalise_line("在平台上发布，在平安聊城建设中") == "在平台上发布，在平安聊城建设中"


# ---------------------------------------------------------------------------
# Encodings and the re-wrapped variant give identical tasks
# ---------------------------------------------------------------------------


def _signature(tree: PlanTree) -> list[tuple[object, ...]]:
    return [
        (
            t.key,
            t.kind,
            t.chapter,
            t.title,
            t.source_text,
            t.section,
            t.box,
            t.category,
            t.checklist,
            t.due,
            t.due_basis,
            t.due_text,
            t.attrs,
        )
        for t in tree.tasks
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("gb18030", RAW.encode("gb18030")),
        ("utf-8-sig", RAW.encode("utf-8-sig")),
        ("crlf", RAW.replace("\n", "\r\n").encode("utf-8")),
        ("cr-gbk", RAW.replace("\n", "\r").encode("gb18030")),
        ("rewrapped", rewrap(RAW).encode("utf-8")),
        ("rewrapped-no-blank-lines", rewrap(RAW, blank_lines=False).encode("utf-8")),
        ("rewrapped-gb18030-crlf", rewrap(RAW).replace("\n", "\r\n").encode("gb18030")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_variants_give_identical_tasks(
    tree: PlanTree, tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / f"plan-{name}.txt"
    path.write_bytes(data)
    text, notes = read_plan_text(path)
    assert "\r" not in text and not text.startswith("\ufeff")
    other = load_plan(path)
    assert _signature(other) == _signature(tree)

    def boxes(t: PlanTree) -> list[tuple[object, ...]]:
        return [
            (b.number, b.chapter, b.text, [(i.category, i.number, i.text) for i in b.items])
            for c in t.chapters()
            for b in c.boxes
        ]

    assert boxes(other) == boxes(tree)
    assert [(r.name, r.baseline, r.target) for r in other.indicators] == [
        (r.name, r.baseline, r.target) for r in tree.indicators
    ]
    if name == "gb18030":
        assert notes[0] == "encoding=gb18030"
    if name == "utf-8-sig":
        assert notes == ["encoding=utf-8-bom"]


def test_read_plan_text_accepts_bytes_and_reports_notes() -> None:
    text, notes = read_plan_text(RAW.replace("\n", "\r\n").encode("gb18030"))
    assert text == RAW
    assert notes[0] == "encoding=gb18030" and notes[1].startswith("line-ends=CRLF→LF")


def test_undecodable_file_names_the_file_and_the_encodings(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xfe\x00\xd8" * 10 + b"\x81")
    with pytest.raises(InvalidInputError) as err:
        read_plan_text(path)
    assert "broken.txt" in err.value.message
    assert "utf-8-sig" in err.value.message and "gb18030" in err.value.message
    assert err.value.hint and err.value.exit_code == 4


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as err:
        load_plan(tmp_path / "nope.txt")
    assert "nope.txt" in err.value.message and err.value.exit_code == 3


# ---------------------------------------------------------------------------
# Nothing is dropped
# ---------------------------------------------------------------------------

_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN[tens] + "十")
    return head + (_CN[ones] if ones else "") if n else "零"


def test_every_chinese_character_is_accounted_for(tree: PlanTree) -> None:
    """The multiset of Chinese characters in the file equals that of the tree's
    material (headings, paragraphs, boxes, indicator cells, unplaced), each
    counted once — so nothing was dropped and nothing duplicated."""
    parts: list[str] = [p.text for p in tree.preamble]
    for part in tree.parts:
        parts.append(f"第{_cn(part.number)}篇{part.title}")
        parts += [p.text for p in part.paragraphs]
        for ch in part.chapters:
            parts.append(f"第{_cn(ch.number)}章{ch.title}")
            parts += [f"第{_cn(s.number)}节{s.title}" for s in ch.sections]
            parts += [p.text for p in ch.paragraphs]
            for box in ch.boxes:
                parts += [f"专栏{box.title}", box.text]
    indicator_tasks = [t for t in tree.tasks if t.key.startswith("I")]
    parts += [k for k, _ in indicator_tasks[0].attrs]  # the header row, once
    # the printed cells only: a row under a merged cell also carries the cell's value
    # (and a note saying so), which is not printed on that row
    for t in indicator_tasks:
        merged = dict(t.attrs).get("合并单元格", "")
        parts += [
            v for k, v in t.attrs if k != "合并单元格" and not (merged and merged.startswith(k))
        ]
    parts += [u.text for u in tree.unplaced]
    assert cjk_counter("".join(parts)) == cjk_counter(RAW)


def test_only_the_footer_is_unplaced(tree: PlanTree) -> None:
    assert [(u.line, u.text) for u in tree.unplaced] == [
        (
            1192,
            "抄送：市委有关部门，市人大常委会办公室，市政协办公室，市纪委监委机关，"
            "市中级人民法院，市检察院，聊城军分区。",
        ),
        (1194, "聊城市人民政府办公室"),
        (1196, "2021年4月19日印发"),
    ]
    assert all("版记" in u.reason for u in tree.unplaced)


SYNTHETIC = """\
某市规划纲要

第一节 没有章的节

第一篇 总体要求

篇的引言。

第一章 发展目标

目标段落。

类别\t指标\t2020年\t2025年\t年均/[累计]\t属性
经济\t增速(%)\t1\t2\t—\t预期性
\t\t\t\t\t
\t\t备注\t

第六章 重点任务

推进甲事项。到2025年，甲达到10家。

推进乙事项。每年培训乙100人。

专栏 1：重点项目

前言文字（1）甲项目（2）乙项目
类别二：（1）丙项目

第六章 重复的章

抄送：某某
"""


def test_unplaced_text_is_reported_with_lines() -> None:
    t = parse_plan(SYNTHETIC, code="syn")
    reasons = {(u.line, u.text): u.reason for u in t.unplaced}
    assert list(reasons) == [
        (3, "第一节没有章的节"),
        (16, "备注"),  # a table row without an indicator name
        (26, "前言文字"),  # text before the first numbered project of a box
        (29, "第六章重复的章"),
        (31, "抄送：某某"),
    ]
    assert "节" in reasons[(3, "第一节没有章的节")]
    assert "指标名称" in reasons[(16, "备注")]
    assert "编号项目之前" in reasons[(26, "前言文字")]
    assert "章号" in reasons[(29, "第六章重复的章")]
    # the rest is placed: the part intro and the goals chapter's paragraph are goals
    assert [x.key for x in t.tasks] == [
        "P01.G01",
        "C01.G01",
        "I01",
        "C06.M01",
        "C06.M02",
        "C06.P01",
        "C06.P02",
        "C06.P03",
    ]
    assert [x.title for x in t.tasks][-3:] == ["甲项目", "乙项目", "丙项目"]
    assert t.parts[0].paragraphs[0].text == "篇的引言。"
    assert t.indicators[0].target == 2.0


def test_text_without_chapters_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        parse_plan("只是一段文字。\n\n没有标题。")


# ---------------------------------------------------------------------------
# Stable keys
# ---------------------------------------------------------------------------


def test_keys_survive_a_corrected_copy(tree: PlanTree) -> None:
    fixed = (
        RAW.replace("服务。建立人才金银卡制度", "服务。建立人才金卡银卡制度")  # inside a paragraph
        .replace("做化腐朽为神奇的文章", "做变废为宝的文章")
        .replace("（3）中科飞", "（3）中国科学院飞")  # inside a box item
        .replace("到 2025 年，装备制造业", "到2025年底，装备制造业")
    )
    assert fixed != RAW
    other = parse_plan(fixed)
    assert [(t.key, t.kind, t.chapter, t.box, t.category) for t in other.tasks] == [
        (t.key, t.kind, t.chapter, t.box, t.category) for t in tree.tasks
    ]
    changed = {t.key for t, u in zip(tree.tasks, other.tasks, strict=True) if t != u}
    assert changed == {"C08.M03", "C22.M03", "C06.P03", "C10.M01"}


# ---------------------------------------------------------------------------
# Property: arbitrary input never raises anything but InvalidInputError
# ---------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "第一篇 总体",
        "第二章 任务",
        "第十一章 ",
        "第三节 小节",
        "专栏 3：项目",
        "专栏7:",
        "（1）",
        "(2)",
        "类别：",
        "推进工作。",
        "到2025年，达到500亿元",
        "每年",
        "\t",
        "\t—\t≥6\t",
        "——**要点**。",
        "抄送：",
        "。",
        "，",
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "二〇三五年",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=12)), max_size=40))
def test_arbitrary_text_only_raises_invalid_input(pieces: list[str]) -> None:
    try:
        t = parse_plan("".join(pieces))
    except InvalidInputError:
        return
    assert len({x.key for x in t.tasks}) == len(t.tasks)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_only_raise_invalid_input(data: bytes) -> None:
    try:
        text, _ = read_plan_text(data)
        parse_plan(text)
    except InvalidInputError:
        pass
