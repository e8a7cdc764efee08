"""The workflow commands' bodies, free of typer: shared by the Typer commands
(``lctasks.cli.workflow``) and the start-up fast path (``lctasks.cli.fast``).

Commands: assign, accept, status, progress, check, close, return, reopen,
extend, note.

Common to all: many IDs (or ``--from FILE`` / ``--from -``, one per line, ``#``
comments), one transaction per call (one bad ID → nothing changes, exit code
of the error), ``--dry-run``, ``--json`` (per-ID ``changed`` / ``unchanged`` /
``error`` and a summary), ``--if-version N`` for a single ID, never a prompt.
Results go to stdout, the summary and errors to stderr.

Start-up is the measured part: on an SQLite file the commands run the
workflow service over the standard-library ``sqlite3`` (``LiteDatabase``) and
never import SQLAlchemy; elsewhere they open the full ``Database``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lctasks import labels
from lctasks.cli.common import CliState, err, error_json, out, print_json, typed_date
from lctasks.domain import InvalidInputError, LctasksError, NotFoundError
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t
from lctasks.keys import KEY_SHAPE
from lctasks.textsafe import read_file_bytes

if TYPE_CHECKING:
    from lctasks.cli.spec import Command
    from lctasks.services.workflow import BatchResult, WorkflowService

MESSAGES.add(
    {
        "cli.from_missing": ("找不到 ID 列表文件：{path}", "no such ID list file: {path}"),
        "cli.from_encoding": (
            "ID 列表文件 {path} 不是文本（UTF-8、GB18030 或带 BOM 的 UTF-16）",
            "the ID list {path} is not text (UTF-8, GB18030 or UTF-16 with a BOM)",
        ),
        "cli.editor_head": (
            "# 报送进展：{keys}。在各标题下填写；“进展情况”必填，# 开头的行不保存。",
            "# Progress for {keys}. Write under each heading; 进展情况 is required; "
            "lines starting with # are dropped.",
        ),
        "cli.editor_empty": ("未填写进展情况，未保存", "no progress written; nothing saved"),
        "cli.editor_failed": (
            "无法打开编辑器 {editor}：{detail}",
            "cannot run the editor {editor}: {detail}",
        ),
        "cli.editor_hint": (
            "用 --made 直接写进展情况，或设置 EDITOR",
            "give the text with --made, or set EDITOR",
        ),
        "cli.past_deadline": (
            "注意：期限 {day} 早于今天（{today}），已按此记录；如是笔误，请再次设置",
            "note: the deadline {day} is before today ({today}); recorded as given — "
            "set it again if that was a slip",
        ),
        "cli.past_deadline_dry": (
            "注意：期限 {day} 早于今天（{today}）",
            "note: the deadline {day} is before today ({today})",
        ),
        "cli.waiting_ids": (
            "正在等待任务 ID（每行一个）：输入完按 Ctrl-D 结束，Ctrl-C 取消",
            "waiting for task IDs (one per line): Ctrl-D ends the list, Ctrl-C cancels",
        ),
        "cli.from_hint": (
            "--from 给出文件路径（每行一个 ID，# 开头为注释），或 - 表示标准输入",
            "--from takes a file (one ID per line, # comments) or - for stdin",
        ),
        "cli.summary": (
            "{action}：更改 {changed} 个，未变 {unchanged} 个（共 {total} 个）",
            "{action}: {changed} changed, {unchanged} unchanged ({total} in all)",
        ),
        "cli.dry_run": ("演练（--dry-run）：数据库未改动", "dry run: nothing was written"),
        "cli.changed": ("已更改", "changed"),
        "cli.unchanged": ("未变（已是该状态）", "unchanged (already so)"),
        "cli.error": ("出错", "error"),
        "cli.status_missing": (
            "缺少目标状态：在 ID 后写状态，或用 --to STATUS",
            "missing the target status: put it after the IDs, or use --to STATUS",
        ),
        "cli.note_missing": (
            "缺少备注内容：在 ID 后写备注文字",
            "missing the note text: put it after the IDs",
        ),
        "cli.items_bad": (
            "清单项须为序号（如 1 3 或 2-4）：{text}",
            "checklist items are numbers (e.g. 1 3 or 2-4): {text}",
        ),
        "cli.to_missing": ("缺少新期限（--to DATE）", "missing the new deadline (--to DATE)"),
        "cli.to_hint": (
            "例如 --to 2026-06-30、--to 2026年6月底前、--to +30d",
            "for example --to 2026-06-30, --to 2026年6月底前, --to +30d",
        ),
        "cli.check_one": ("check 一次只针对一个任务", "check works on one task at a time"),
        "cli.check_hint": (
            "lctasks check ID 序号...（如 lctasks check C10.M03 1 3 或 2-4）",
            "lctasks check ID ITEM... (e.g. lctasks check C10.M03 1 3 or 2-4)",
        ),
    }
)

FIELD_NAMES = labels.FIELD_NAMES


def collect_ids(ids: list[str] | None, from_file: str | None) -> list[str]:
    from lctasks.services.workflow import read_id_lines

    keys = list(ids or [])
    if from_file:
        if from_file == "-":
            if sys.stdin.isatty():  # a person at a terminal: say why nothing happens
                sys.stderr.write(t("cli.waiting_ids") + "\n")
                sys.stderr.flush()
            text = sys.stdin.read()
        else:
            path = Path(from_file).expanduser()
            if path.exists() and not path.is_file():
                read_file_bytes(path)  # a pipe or device: refused, not waited on
            if not path.is_file():
                raise NotFoundError(
                    t("cli.from_missing", path=path), hint=t("cli.from_hint"), ids=(from_file,)
                )
            text = read_text_file(path)
        keys += read_id_lines(text)
    return keys


def read_text_file(path: Path) -> str:
    """An ID list as editors save it: UTF-8 (BOM or not), UTF-16 with BOM, or GB18030."""
    raw = read_file_bytes(path)  # a FIFO or > 64 MiB: refused before reading
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInputError(t("cli.from_encoding", path=path), hint=t("cli.from_hint"))


def service(st: CliState) -> WorkflowService:
    """The workflow service on the fastest storage that applies (see the module doc)."""
    from lctasks.db.sql import LiteDatabase
    from lctasks.db.urls import resolve_url
    from lctasks.services.workflow import LiteContext, WorkflowService

    lite = LiteDatabase.open(resolve_url(st.db))
    if lite is not None:
        return WorkflowService(LiteContext(lite, st.actor()))
    from lctasks.services.base import ServiceContext

    return WorkflowService(ServiceContext(st.database(), st.actor()))


def _label(name: str) -> str:
    return labels.field_label(name)


def _show(value: Any) -> str:
    return labels.value_label(value)


describe = labels.describe


def batch_json(res: BatchResult, *, error: LctasksError | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "ok": error is None,
        "action": res.action,
        "plan": res.plan,
        "dry_run": res.dry_run,
        "applied": res.applied,
        "results": [
            {
                "id": r.id,
                "result": r.result,
                "changes": r.changes,
                "version": r.version,
                **({"message": r.message} if r.message else {}),
            }
            for r in res.results
        ],
        "summary": res.summary(),
    }
    if error is not None:
        doc["error"] = error_json(error)
    return doc


def run_batch(
    st: CliState, call: Callable[[WorkflowService], BatchResult], *, past: Sequence[Any] = ()
) -> None:
    """Run one service call and print its results (also those of a failed batch).

    ``past``: deadlines given that lie before today, named after the batch went
    through (a refused batch recorded nothing, so it says only why it refused)."""
    from lctasks.db.sql import LiteDatabase

    json_out = st.json
    wf = service(st)
    from lctasks.services.batch import BatchFailed

    try:
        res = call(wf)
    except BatchFailed as exc:
        if json_out and exc.results is not None:
            print_json(batch_json(exc.results, error=exc))
        raise
    finally:
        if isinstance(wf.ctx.db, LiteDatabase):
            wf.ctx.db.dispose()
    for day in past:
        _warn_past(day, recorded=res.applied)
    if json_out:
        print_json(batch_json(res))
        return
    for r in res.results:
        word = t(f"cli.{r.result}")
        detail = describe(r.changes) if r.changes else ""
        out("\t".join(x for x in (r.id, word, f"v{r.version}", detail) if x))
    summary = res.summary()
    err(t("cli.summary", action=t(f"action.{res.action}"), **summary))
    if res.dry_run:
        err(t("cli.dry_run"))


# -- the commands' body (options as declared in lctasks.cli.spec) ---------------


def run_command(st: CliState, cmd: Command, words: list[str] | None, **given: Any) -> None:
    """Run one workflow command: the positional words and options as parsed by
    Typer or the fast path; every option reaches the service method under its
    ``Opt.dest`` (dates as ``datetime.date``)."""
    values: dict[str, Any] = {o.dest: o.default for o in cmd.options}
    values.update(given)
    values.pop("as_json", None)
    from_file = values.pop("from_file", None)
    words = list(words or [])
    args: list[Any]
    if cmd.shape == "ids":
        args = [collect_ids(words, from_file)]
    elif cmd.shape == "ids_status":
        target = values.pop("to")
        if target is None:
            if not words:
                raise InvalidInputError(t("cli.status_missing"))
            target = words.pop()
        args = [collect_ids(words, from_file), target]
    elif cmd.shape == "ids_text":
        if not words:
            raise InvalidInputError(t("cli.note_missing"))
        text = words.pop()
        args = [collect_ids(words, from_file), text]
    else:  # id_items: one task, then item numbers
        if not words:
            raise InvalidInputError(t("wf.no_ids"), hint=t("wf.no_ids_hint"))
        args = [words[0], items_of(words[1:])]
        values["done"] = not values.pop("undo")
    if cmd.name == "assign":
        co, no_co = values.pop("co"), values.pop("no_co")
        if co:
            values["co"] = [
                p.strip() for c in co for p in c.replace("，", ",").split(",") if p.strip()
            ]
        else:
            values["co"] = [] if no_co else None
    if cmd.name == "extend" and not values["to"].strip():
        raise InvalidInputError(t("cli.to_missing"), hint=t("cli.to_hint"))
    if cmd.name == "progress" and not values["made"].strip() and _at_terminal():
        # as gh issue create: the report is written in $EDITOR (never when scripted)
        values.update(edit_report(args[0], values))
    past: list[Any] = []
    for opt in cmd.options:
        if opt.kind == "date":  # as people type it; empty: not given
            values[opt.dest] = typed_date(values[opt.dest]) if values[opt.dest] else None
            if values[opt.dest] is not None and values[opt.dest] < _today():
                past.append(values[opt.dest])
    run_batch(st, lambda wf: getattr(wf, cmd.method)(*args, plan=st.plan, **values), past=past)


def _at_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


_SECTIONS = (("made", "进展情况"), ("problems", "存在问题"), ("next_steps", "下一步措施"))


def edit_report(keys: list[str], values: dict[str, Any]) -> dict[str, str]:
    """进展情况 / 存在问题 / 下一步措施 written in $VISUAL / $EDITOR, as sections."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    lines = [t("cli.editor_head", keys="、".join(keys[:8]))]
    for dest, title in _SECTIONS:
        lines += [f"## {title}", str(values.get(dest) or ""), ""]
    fd, path = tempfile.mkstemp(prefix="lctasks-progress-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
        try:
            subprocess.run([*shlex.split(editor), path], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise InvalidInputError(
                t("cli.editor_failed", editor=editor, detail=str(exc)), hint=t("cli.editor_hint")
            ) from None
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    finally:
        os.unlink(path)
    found: dict[str, list[str]] = {dest: [] for dest, _ in _SECTIONS}
    current: str | None = None
    titles = {title: dest for dest, title in _SECTIONS}
    for line in text.splitlines():
        if line.startswith("## "):
            current = titles.get(line[3:].strip())
            continue
        if line.startswith("#") or current is None:
            continue
        found[current].append(line)
    out_values = {dest: "\n".join(v).strip() for dest, v in found.items()}
    if not out_values["made"]:
        raise InvalidInputError(t("cli.editor_empty"), hint=t("cli.editor_hint"))
    return out_values


def _today() -> Any:
    from lctasks import clock

    return clock.today()


def _warn_past(day: Any, *, recorded: bool) -> None:
    """A deadline already past is most likely a slip (12月底 typed for next year's…)."""
    key = "cli.past_deadline" if recorded else "cli.past_deadline_dry"
    err(t(key, day=day.isoformat(), today=_today().isoformat()))


def items_of(words: list[str]) -> list[int]:
    seqs: list[int] = []
    for word in words:
        for part in word.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if KEY_SHAPE.fullmatch(part):  # `check C10.M05 C10.M06 1`
                raise InvalidInputError(t("cli.check_one"), hint=t("cli.check_hint"))
            try:
                if "-" in part:
                    lo, hi = (int(x) for x in part.split("-", 1))
                    if lo > hi:  # 4-2 was an empty range, then "no item numbers"
                        raise ValueError(part)
                    seqs.extend(range(lo, hi + 1))
                else:
                    seqs.append(int(part))
            except ValueError:
                raise InvalidInputError(t("cli.items_bad", text=part)) from None
    return seqs
