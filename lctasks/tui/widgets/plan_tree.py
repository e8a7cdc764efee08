"""The plan tree: 篇 → 章 → 节, each with its task count and red/yellow counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from lctasks.i18n import ZH, language
from lctasks.i18n import tui_t as t
from lctasks.services.board import OutlineNode
from lctasks.textsafe import one_line
from lctasks.textwidth import width

NodeRef = tuple[str, int, int]  # (kind, part or chapter, section) ; ("plan", 0, 0) for the root


def _label(kind: str, number: int, title: str) -> tuple[str, str]:
    """(number label, title): 第2篇 / Part 2, and the words after it."""
    key = {"part": "tree.part", "chapter": "tree.chapter", "section": "tree.section"}[kind]
    prefix = t(key, n=number)
    title = title.strip()
    if title.startswith("第"):  # the plan's own heading: 第二篇 激发…
        head, _, rest = title.partition(" ")
        return (head, rest) if language() == ZH else (prefix, rest)
    return prefix, title


def _indent(node: TreeNode[NodeRef], guide_depth: int) -> int:
    """Cells before a node's label: the guides of its ancestors and its own ▶/▼."""
    depth = 0
    parent = node.parent
    while parent is not None:
        depth += 1
        parent = parent.parent
    return depth * guide_depth + 2


class PlanTree(Tree[NodeRef]):
    """Picking a node filters the task list to that part, chapter or section."""

    @dataclass
    class Picked(Message):
        """A node was chosen: filter to it."""

        tree: PlanTree
        ref: NodeRef

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(t("tree.plan"), data=("plan", 0, 0), id=id)
        self.show_root = True
        self.guide_depth = 2
        self._titles: dict[TreeNode[NodeRef], tuple[str, str]] = {}
        self._counts: dict[tuple[str, int], list[int]] | None = None

    def build(self, outline: Sequence[OutlineNode]) -> None:
        self.clear()
        self._titles = {self.root: (t("tree.plan"), "")}
        parts: dict[int, TreeNode[NodeRef]] = {}
        chapters: dict[int, TreeNode[NodeRef]] = {}
        for node in outline:
            if node.kind == "part":
                n = self.root.add(
                    " ".join(_label("part", node.number, node.title)),
                    data=("part", node.number, 0),
                )
                parts[node.number] = n
                self._titles[n] = _label("part", node.number, node.title)
            elif node.kind == "chapter":
                parent = parts.get(node.part or 0, self.root)
                n = parent.add(
                    " ".join(_label("chapter", node.number, node.title)),
                    data=("chapter", node.number, 0),
                )
                chapters[node.number] = n
                self._titles[n] = _label("chapter", node.number, node.title)
            elif node.kind == "section":
                owner = chapters.get(node.chapter)
                if owner is None:
                    continue
                n = owner.add_leaf(
                    " ".join(_label("section", node.number, node.title)),
                    data=("section", node.chapter, node.number),
                )
                self._titles[n] = _label("section", node.number, node.title)
        for n in chapters.values():
            if not n.children:
                n.allow_expand = False
        self.root.expand()

    def part_chapters(self) -> dict[int, frozenset[int]]:
        out: dict[int, frozenset[int]] = {}
        for part in self.root.children:
            if part.data and part.data[0] == "part":
                out[part.data[1]] = frozenset(
                    c.data[1] for c in part.children if c.data and c.data[0] == "chapter"
                )
        return out

    def set_counts(self, counts: dict[tuple[str, int], list[int]]) -> None:
        self._counts = counts
        self._relabel()

    def on_resize(self) -> None:
        if self._counts is not None:
            self._relabel()

    def _relabel(self) -> None:
        counts = self._counts or {}
        room = self.scrollable_content_region.width
        for node, title in self._titles.items():
            ref = node.data
            if ref is None:
                continue
            kind, a, b = ref
            key = (kind, a if kind != "section" else a * 1000 + b)
            total, red, yellow = counts.get(key, [0, 0, 0])
            # counts right after the number, so a narrow tree still shows them;
            # labelled (25项 红1 黄2): bare numbers side by side read as nothing
            head, rest = title
            parts = [("total", t("tree.counts", n=total), "dim")]
            if red:
                parts.append(("red", t("tree.red", n=red), "bold red"))
            if yellow:
                parts.append(("yellow", t("tree.yellow", n=yellow), "bold yellow"))
            # a count is shown whole or not at all (红3 for 红32 is a lie): in a
            # narrow tree drop the total first, then yellow; red goes last
            if room > 0:
                free = room - _indent(node, self.guide_depth) - width(one_line(head))
                for drop in ("total", "yellow", "red"):
                    if sum(width(text) + 1 for _, text, _ in parts) <= free:
                        break
                    parts = [p for p in parts if p[0] != drop]
            label = Text(one_line(head))
            for _, text, style in parts:
                label.append(" " + text, style=style)
            if rest:
                label.append(" " + rest)
            node.set_label(label)

    @on(Tree.NodeSelected)
    def _picked(self, event: Tree.NodeSelected[NodeRef]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Picked(self, event.node.data))
