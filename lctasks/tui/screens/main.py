"""The main screen's action handlers: one method per key of ``lctasks.tui.actions``.

State, loading, filtering, the detail pane and the worker that runs an action
live in ``MainScreenCore`` (``main_core.py``); this class adds what each key does:
pick the targets (marked tasks, else the cursor's), ask in a dialog, then hand
one backend call to the worker. Over more than ``BULK_CONFIRM`` tasks it asks first.
The dialogs are imported by the first action that opens one, not before the
first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.widgets import Input, Select

from lctasks.domain import LctasksError, Status
from lctasks.i18n import tui_t as t
from lctasks.tui.actions import ACTIONS, pretty_key
from lctasks.tui.model import SORT_COLUMNS
from lctasks.tui.screens.main_core import (
    BULK_CONFIRM,
    FILTER_DEBOUNCE,
    FIRST_PAGE,
    LIGHTS,
    MainScreenCore,
    Outcome,
    _loose,
)
from lctasks.tui.widgets.plan_tree import PlanTree
from lctasks.tui.widgets.task_list import TaskList

__all__ = ["BULK_CONFIRM", "FILTER_DEBOUNCE", "FIRST_PAGE", "MainScreen", "Outcome"]


# what a liaison may not do (README, People and roles); a viewer may do none of these
SUPERVISOR_ONLY = frozenset({"assign", "accept", "close", "return", "extend"})
WRITES = SUPERVISOR_ONLY | {"status", "progress", "check", "note"}


class MainScreen(MainScreenCore):
    def _role_refuses(self, action: str) -> bool:
        """Say at the key press (no dialog to fill in vain) what this role may not do."""
        role = self.role
        if role == "liaison" and action in SUPERVISOR_ONLY:
            message = t("err.supervisor_only", action=t(f"act.{action}"))
        elif role == "viewer" and action in WRITES:
            message = t("err.viewer_only", action=t(f"act.{action}"))
        else:
            return False
        self.notify(message, severity="warning", timeout=10)
        return True

    # -- actions ---------------------------------------------------------------

    def action_assign(self) -> None:
        from lctasks.tui.screens import dialogs

        if self._role_refuses("assign"):
            return
        rows = self._need_targets()
        if rows is None:
            return
        backend_search = self.backend.search_units
        suggested = rows[0].suggested if len(rows) == 1 else ""

        def chosen(result: dialogs.Assignment | None) -> None:
            if result is None:
                return
            self._run(
                rows,
                lambda b: b.assign(
                    [r.key for r in rows],
                    {r.key: r.version for r in rows},
                    lead=result.lead,
                    co_units=result.co_units,
                    person=result.person,
                    reason=result.reason,
                ),
                "done.assign",
                "act.assign",
            )

        self.app.push_screen(
            dialogs.UnitPicker(
                [r.key for r in rows],
                backend_search,
                suggested=suggested,
                co_units=rows[0].co_units if len(rows) == 1 else (),
                reassign=any(r.lead for r in rows),
            ),
            chosen,
        )

    def action_accept(self) -> None:
        if self._role_refuses("accept"):
            return
        rows = self._need_targets()
        if rows is None:
            return
        rows = [r for r in rows if r.suggested]
        if not rows:
            self.notify(t("err.no_suggestion"), severity="warning")
            return
        self._run(
            rows,
            lambda b: b.accept_suggestion([r.key for r in rows], {r.key: r.version for r in rows}),
            "done.accept",
            "act.accept",
        )

    def action_status(self) -> None:
        from lctasks.tui.screens import dialogs

        if self._role_refuses("status"):
            return
        rows = self._need_targets()
        if rows is None:
            return

        def chosen(result: tuple[Status, str] | None) -> None:
            if result is None:
                return
            status, reason = result
            self._run(
                rows,
                lambda b: b.set_status(
                    [r.key for r in rows],
                    {r.key: r.version for r in rows},
                    status=status,
                    reason=reason,
                ),
                "done.status",
                "act.status",
            )

        from lctasks.domain import OPEN, SETTABLE_ORDER

        liaison = self.role == "liaison"
        allowed = [
            s
            for s in SETTABLE_ORDER
            if all(Status(r.status) in OPEN for r in rows)
            and (not liaison or s in (Status.IN_PROGRESS, Status.BLOCKED, Status.DONE))
        ]
        if not allowed:
            closed = [r for r in rows if Status(r.status) not in OPEN]
            if closed:
                self.notify(
                    t(
                        "err.status_none",
                        keys="、".join(r.key for r in closed[:5]),
                        status=t(f"status.{closed[0].status}"),
                        press=pretty_key(self._key_for("return_task")),
                    ),
                    severity="warning",
                )
            return
        current = Status(rows[0].status) if len(rows) == 1 else None
        self.app.push_screen(dialogs.StatusDialog([r.key for r in rows], current, allowed), chosen)

    def _form_action(
        self,
        dialog: Callable[[list[str]], Any],
        done: str,
        call: Callable[[Any, list[str], dict[str, int], dict[str, str]], Any],
        label: str = "",
    ) -> None:
        """The marked (or current) tasks → a form dialog → one backend call in a worker.

        The versions the user saw go with the call, so a stale edit is refused.
        """
        rows = self._need_targets()
        if rows is None:
            return
        keys = [r.key for r in rows]
        versions = {r.key: r.version for r in rows}

        def chosen(values: dict[str, str] | None) -> None:
            if values is not None:
                self._run(rows, lambda b: call(b, keys, versions, values), done, label)

        self.app.push_screen(dialog(keys), chosen)

    def action_progress(self) -> None:
        from lctasks.tui.screens import dialogs

        if self._role_refuses("progress"):
            return
        today = self.as_of
        self._form_action(
            dialogs.progress_dialog,
            "done.progress",
            lambda b, keys, versions, v: b.report_progress(
                keys,
                versions,
                made=v["made"],
                problems=v.get("problems", ""),
                next_steps=v.get("next_steps", ""),
                percent=int(v["percent"]) if v.get("percent") else None,
                today=today,
            ),
        )

    def action_check(self) -> None:
        from lctasks.tui.screens import dialogs

        if self._role_refuses("check"):
            return
        row = self.query_one(TaskList).current
        if row is None:
            self.notify(t("err.no_task"), severity="warning")
            return
        detail = self.detail
        items = detail.task.checklist if detail is not None and detail.task.id == row.key else ()

        def chosen(result: dict[int, bool] | None) -> None:
            if not result:
                return
            self._run([row], lambda b: b.check(row.key, row.version, done=result), "done.check")

        self.app.push_screen(dialogs.ChecklistDialog(row.key, items), chosen)

    def action_close_task(self) -> None:
        from lctasks.tui.screens import dialogs

        if self._role_refuses("close"):
            return
        self._form_action(
            dialogs.close_dialog,
            "done.close",
            lambda b, keys, versions, v: b.close_tasks(
                keys, versions, note=v["note"], evidence=v["evidence"]
            ),
        )

    def action_return_task(self) -> None:
        from lctasks.tui.screens import dialogs

        if self._role_refuses("return"):
            return
        self._form_action(
            dialogs.return_dialog,
            "done.return",
            lambda b, keys, versions, v: b.return_tasks(keys, versions, reason=v["reason"]),
        )

    def action_extend(self) -> None:
        from lctasks.tui.screens import dialogs

        rows = self._need_targets()
        if rows is None:
            return
        today = self.as_of
        late = [r.key for r in rows if r.due < today]
        if late and self.role not in ("", "supervisor"):
            # only the supervision office grants an extension after the deadline
            self.notify(
                t("err.extend_late_liaison", keys="、".join(late[:5])),
                severity="warning",
                timeout=10,
            )
            return
        if self._role_refuses("extend"):
            return
        self._form_action(
            lambda keys: dialogs.extend_dialog(keys, today=today, late=late),
            "done.extend",
            lambda b, keys, versions, v: b.extend(
                keys,
                versions,
                new_due=v["due"],
                reason=v["reason"],
                today=today,
                late=bool(v.get("late")),
            ),
        )

    def action_note(self) -> None:
        from lctasks.tui.screens import dialogs

        if self._role_refuses("note"):
            return
        self._form_action(
            dialogs.note_dialog,
            "done.note",
            lambda b, keys, versions, v: b.note(keys, versions, text=v["text"]),
        )

    def action_undo(self) -> None:
        """Undo the last batch (anyone's), after saying what it was."""
        self._find_undo()

    @work(thread=True, exclusive=True, exit_on_error=False, group="action")
    def _find_undo(self) -> None:
        try:
            info = self.backend.undo_target()
        except LctasksError as exc:
            self.post_message(self.ActionFailed(exc))
            return
        self.app.call_from_thread(self._confirm_undo, info)

    def _confirm_undo(self, info: Any) -> None:
        from lctasks.tui.screens import dialogs

        keys = list(info.tasks)
        question = t(
            "dlg.undo.question",
            first=info.first,
            last=info.last,
            actor=info.actor,
            action=info.action,
            n=len(keys),
            keys="、".join(keys[:6]) + (" …" if len(keys) > 6 else ""),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_action_worker(keys, {}, lambda b: b.undo(info.first), "done.undo")

        self.app.push_screen(dialogs.ConfirmDialog(t("dlg.undo.title"), question), answered)

    def action_mark(self) -> None:
        tl = self.query_one(TaskList)
        tl.toggle_mark()
        tl.cursor += 1
        self._update_topbar()

    def action_mark_all(self) -> None:
        tl = self.query_one(TaskList)
        tl.marked.update(r.key for r in tl.rows)
        tl.refresh()
        self._update_topbar()

    def action_unmark(self) -> None:
        tl = self.query_one(TaskList)
        if self.focused is self.query_one("#filter-text", Input):
            tl.focus()  # Esc leaves the filter box (the filter stays): back to the list
            return
        if tl.marked:
            tl.marked.clear()
            tl.refresh()
            self._update_topbar()
        elif self.current_filter().active:
            self.action_clear_filter()

    def action_focus_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_focus_tree(self) -> None:
        self.query_one(PlanTree).focus()

    def action_clear_filter(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#filter-text", Input).value = ""
            for sel in self.query(Select):
                sel.clear()
        self._tree_ref = ("plan", 0, 0)
        self._refilter()

    def action_cycle_light(self) -> None:
        sel = self.query_one("#filter-light", Select)
        cur = sel.value if isinstance(sel.value, str) else ""
        nxt = LIGHTS[(LIGHTS.index(cur) + 1) % len(LIGHTS)]
        if nxt:
            sel.value = nxt
        else:
            sel.clear()

    def action_view(self, view: str) -> None:
        sel = self.query_one("#filter-view", Select)
        if sel.value == view:
            sel.clear()
        else:
            sel.value = view

    def action_filter_unit(self) -> None:
        from lctasks.tui.screens import dialogs

        def chosen(result: dialogs.Assignment | None) -> None:
            if result is not None:
                self.filter_unit(result.lead)

        self.app.push_screen(
            dialogs.UnitPicker(
                [], self.backend.search_units, title=t("act.filter_unit"), pick_only=True
            ),
            chosen,
        )

    def filter_unit(self, short: str) -> None:
        sel = self.query_one("#filter-unit", Select)
        try:
            sel.value = short
        except Exception:  # not among the options yet (units still loading)
            sel.set_options([(short, short)])
            sel.value = short

    def action_jump(self) -> None:
        from lctasks.tui.screens import dialogs

        def chosen(value: str | None) -> None:
            if value:
                self.jump_to(value)

        self.app.push_screen(dialogs.JumpDialog(id="jump-dialog"), chosen)

    def jump_to(self, key: str) -> bool:
        if self.store is None:
            return False
        wanted = key.strip().upper()
        row = self.store.get(wanted)
        if row is None:
            # tolerate C1.M1 for C01.M01 and lower case
            for r in self.store.rows:
                if r.key.upper() == wanted or _loose(r.key) == _loose(wanted):
                    row = r
                    break
        if row is None:
            self.notify(t("err.not_found", task=key), severity="error")
            return False
        tl = self.query_one(TaskList)
        if not tl.move_to(row.key):
            self.notify(t("err.not_visible", task=row.key))
            self.action_clear_filter()
            tl.move_to(row.key)
        tl.focus()
        return True

    def action_sort(self) -> None:
        if self.store is None:
            return
        i = SORT_COLUMNS.index(self.store.sort) if self.store.sort in SORT_COLUMNS else 0
        self.store.set_sort(SORT_COLUMNS[(i + 1) % len(SORT_COLUMNS)], self.store.reverse)
        self._refilter()

    def action_sort_reverse(self) -> None:
        if self.store is None:
            return
        self.store.set_sort(self.store.sort, not self.store.reverse)
        self._refilter()

    def action_refresh(self) -> None:
        self.load()

    def action_dashboard(self) -> None:
        from lctasks.tui.screens.dashboard import DashboardScreen

        if self.store is not None and self.plan_info is not None:
            self.app.push_screen(
                DashboardScreen(self.store, self.plan_info, self.backend, as_of=self.as_of)
            )

    def action_help(self) -> None:
        from lctasks.tui.screens import dialogs

        rows = [(pretty_key(self._key_for(a.id)), t(a.label)) for a in ACTIONS]
        rows += [
            ("↑ ↓ PgUp PgDn Home End", t("act.main")),
            ("Tab / Shift+Tab", "焦点切换" if t("act.main") == "任务" else "move focus"),
            ("Ctrl+P", "命令面板" if t("act.main") == "任务" else "command palette"),
            ("q / Ctrl+Q", t("act.quit")),
        ]
        self.app.push_screen(dialogs.HelpScreen(rows))
