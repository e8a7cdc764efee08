"""The main screen's actions, declared once: key, action, label, footer, keymap id.

The bindings, the help screen, the command palette and the keymap setting all
read this table (a user keymap in settings.toml names an action by its id).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from lctasks.i18n import tui_t as t


@dataclass(frozen=True)
class ActionSpec:
    """One user action: the binding (with an id for keymaps), palette and help text."""

    id: str
    key: str
    action: str
    label: str  # i18n key
    show: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("assign", "a", "assign", "act.assign", True),
    ActionSpec("accept", "y", "accept", "act.accept", True),
    ActionSpec("status", "s", "status", "act.status", True),
    ActionSpec("progress", "p", "progress", "act.progress", True),
    ActionSpec("check", "c", "check", "act.check"),
    ActionSpec("close_task", "x", "close_task", "act.close", True),
    ActionSpec("return_task", "r", "return_task", "act.return"),
    ActionSpec("extend", "e", "extend", "act.extend"),
    ActionSpec("note", "n", "note", "act.note"),
    ActionSpec("undo", "z", "undo", "act.undo"),
    ActionSpec("mark", "space", "mark", "act.mark"),
    ActionSpec("mark_all", "asterisk", "mark_all", "act.mark_all"),
    ActionSpec("unmark", "escape", "unmark", "act.unmark"),
    ActionSpec("filter", "slash", "focus_filter", "act.filter", True),
    ActionSpec("clear_filter", "ctrl+l", "clear_filter", "act.clear_filter"),
    ActionSpec("filter_light", "l", "cycle_light", "act.filter_light"),
    ActionSpec("filter_unit", "u", "filter_unit", "act.filter_unit"),
    ActionSpec("view_overdue", "1", "view('overdue')", "act.view.overdue"),
    ActionSpec("view_due30", "2", "view('due30')", "act.view.due30"),
    ActionSpec("view_unassigned", "3", "view('unassigned')", "act.view.unassigned"),
    ActionSpec("view_mine", "4", "view('mine')", "act.view.mine"),
    ActionSpec("jump", "g", "jump", "act.jump"),
    ActionSpec("sort", "o", "sort", "act.sort"),
    ActionSpec("sort_reverse", "O", "sort_reverse", "act.sort_reverse"),
    ActionSpec("tree", "t", "focus_tree", "act.tree"),
    ActionSpec("refresh", "f5", "refresh", "act.refresh"),
    ActionSpec("dashboard", "d", "dashboard", "act.dashboard", True),
    ActionSpec("help", "question_mark", "help", "act.help", True),
)


def main_bindings() -> list[BindingType]:
    return [Binding(a.key, a.action, t(a.label), show=a.show, id=a.id) for a in ACTIONS]


def pretty_key(key: str) -> str:
    names = {
        "space": "Space",
        "asterisk": "*",
        "slash": "/",
        "question_mark": "?",
        "escape": "Esc",
        "f5": "F5",
        "ctrl+l": "Ctrl+L",
        "z": "z",
    }
    return ", ".join(names.get(k, k) for k in key.split(","))
