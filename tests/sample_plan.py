"""A small hand-made plan tree in the parser's shape, for service and CLI tests."""

from __future__ import annotations

import dataclasses
import datetime as dt

from lctasks.domain import (
    Box,
    BoxItem,
    Chapter,
    ChecklistDraft,
    DueBasis,
    Paragraph,
    Part,
    PlanTree,
    Section,
    Target,
    TaskDraft,
    TaskKind,
    Unplaced,
)

PLAN_END = dt.date(2025, 12, 31)
PLATFORM = "建设技术创新平台。到2025年，力争新增省级以上创新平台100家。支持龙头企业建设研发中心。"


def small_tree(code: str = "lc-test", **changes: str) -> PlanTree:
    """A hand-made plan in the parser's shape: 2 parts, 4 chapters, a box of projects."""
    measure1 = TaskDraft(
        key="C06.M01",
        kind=TaskKind.MEASURE,
        chapter=6,
        title="建设技术创新平台",
        source_text=changes.get("m1", PLATFORM),
        line=40,
        section=1,
        checklist=(
            ChecklistDraft(
                "到2025年，力争新增省级以上创新平台100家",
                (Target("新增省级以上创新平台100家", 100.0, "家", dt.date(2025, 12, 31)),),
            ),
            ChecklistDraft(changes.get("m1_item2", "支持龙头企业建设研发中心")),
        ),
        due=dt.date(2025, 12, 31),
        due_basis=DueBasis.EXPLICIT,
        due_text="到2025年",
    )
    measure2 = TaskDraft(
        key="C06.M02",
        kind=TaskKind.MEASURE,
        chapter=6,
        title="培育创新主体",
        source_text="培育创新主体。每年孵化科技型中小微企业100家。",
        line=44,
        section=1,
        checklist=(
            ChecklistDraft(
                "每年孵化科技型中小微企业100家",
                (Target("孵化科技型中小微企业100家", 100.0, "家", None, yearly=True),),
            ),
        ),
        due_basis=DueBasis.YEARLY,
        due_text="每年",
        due=PLAN_END,  # the plan end, as the parser infers it
    )
    project = TaskDraft(
        key="C06.P01",
        kind=TaskKind.PROJECT,
        chapter=6,
        title="聊城高新区科创园",
        source_text="聊城高新区科创园：建设孵化器5万平方米。",
        line=60,
        box=4,
        category="创新平台",
        due=PLAN_END,  # the plan end, as the parser infers it
    )
    chapter5 = TaskDraft(
        key="C05.T01",
        kind=TaskKind.CHAPTER,
        chapter=5,
        title="加快建设现代化强市",
        source_text="坚持创新驱动……",
        line=30,
        due=PLAN_END,  # the plan end, as the parser infers it
    )
    indicator = TaskDraft(
        key="I01",
        kind=TaskKind.INDICATOR,
        chapter=4,
        title="地区生产总值增速",
        source_text="地区生产总值增速（%） 3.6 6左右 预期性",
        line=20,
        category="经济发展",
        attrs=(("2020年", "3.6"), ("2025年", "6左右"), ("属性", "预期性")),
        due=PLAN_END,  # the plan end, as the parser infers it
    )
    tasks = [indicator, chapter5, measure1, measure2, project]
    if "drop" in changes:
        tasks = [t for t in tasks if t.key != changes["drop"]]
    if "add" in changes:
        tasks.append(
            dataclasses.replace(
                measure2,
                key=changes["add"],
                title="新的举措",
                source_text="新的举措。建设物流枢纽。",
                line=50,
            )
        )
    box = Box(
        number=4,
        title="科技创新重点项目",
        chapter=6,
        printed_after_chapter=6,
        is_reference=False,
        items=(BoxItem(1, project.source_text, "创新平台", 60),),
        text="专栏4 科技创新重点项目\n创新平台：（1）聊城高新区科创园",
        line=58,
    )
    ref_box = Box(
        number=1,
        title="“十三五”主要成就",
        chapter=1,
        printed_after_chapter=1,
        is_reference=True,
        items=(),
        text="专栏1 ……",
        line=8,
    )
    ch = [
        Chapter(1, "发展基础", 1, 5, (), (Paragraph("……", 6, None),), (ref_box,)),
        Chapter(4, "主要目标", 1, 18, (), (), ()),
        Chapter(5, "现代化强市", 2, 28, (), (), ()),
        Chapter(6, "创新驱动", 2, 35, (Section(1, "提升创新能力", 36),), (), (box,)),
    ]
    return PlanTree(
        code=code,
        title="测试规划",
        doc_number="测政发〔2021〕1号",
        start=dt.date(2021, 1, 1),
        end=dt.date(2025, 12, 31),
        preamble=(Paragraph("前言", 1, None),),
        parts=(
            Part(1, "第一篇 总体要求", 3, tuple(ch[:2])),
            Part(2, "第二篇 创新", 27, tuple(ch[2:])),
        ),
        indicators=(),
        tasks=tuple(tasks),
        unplaced=(Unplaced(99, "（此页无正文）", "stray text between chapters"),),
        source_sha256="0" * 64,
    )
