"""Messages in Chinese (default) or English. Standard library only; imports nothing of lctasks.

Catalogues per layer, each refusing a key it or a layer it reads already has::

    core ← db ← services ← cli
                         ← tui

A module adds its messages to its layer's catalogue (``SERVICES.add({...})``)
and translates with that layer's ``t`` (``services_t``), which finds the keys of
its own layer and of the layers below. The two faces (cli, tui) may each have a
key of the same name (their own column titles); nothing else may repeat a key:
``add`` raises ``DuplicateKeyError`` at import time, so a collision is a failing
test, not a message that silently changes with the import order.

The language is a setting: the entry points (``lctasks.cli.app``, the fast path,
``python -m lctasks``) call ``set_language`` once, from ``LCTASKS_LANG`` or the
``language`` of the settings files (``lctasks.config.apply_language``). A key
missing from the catalogues is a bug: it is shown as the key itself so it is
noticed, never a crash; ``tests/unit/test_messages.py`` checks that every key used
exists in both languages and that none is unused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

ZH = "zh"
EN = "en"

_current = [ZH]


def set_language(value: str) -> None:
    """Switch every catalogue to ``value`` (``en…`` is English, anything else Chinese)."""
    _current[0] = EN if value.lower().startswith("en") else ZH


def language() -> str:
    return _current[0]


class DuplicateKeyError(ValueError):
    """A message key added twice to one chain of catalogues."""


class Catalogue(Mapping[str, tuple[str, str]]):
    """One layer's messages: key -> (中文, English), plus the layers it reads."""

    _all: ClassVar[list[Catalogue]] = []

    def __init__(self, name: str, *below: Catalogue) -> None:
        self.name = name
        self.below = below
        self.own: dict[str, tuple[str, str]] = {}
        chain: list[Catalogue] = [self]
        for c in below:
            chain += [x for x in c.chain if x not in chain]
        self.chain: tuple[Catalogue, ...] = tuple(chain)  # this layer, then those it reads
        Catalogue._all.append(self)

    # a catalogue is itself, not its contents (two empty layers are not "equal")
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def add(self, entries: Mapping[str, tuple[str, str]]) -> None:
        """Add messages; a key this layer, a layer below or a layer above has is refused."""
        for key, pair in entries.items():
            for other in Catalogue._all:
                if key in other.own and (other in self.chain or self in other.chain):
                    raise DuplicateKeyError(f"message key {key!r} is already in {other.name}")
            if len(pair) != 2 or not all(pair):
                raise ValueError(f"message {key!r} needs a Chinese and an English text")
            self.own[key] = pair

    def __getitem__(self, key: str) -> tuple[str, str]:
        for c in self.chain:
            if key in c.own:
                return c.own[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for c in self.chain:
            for key in c.own:
                if key not in seen:
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def t(self, key: str, **fields: object) -> str:
        """The message in the current language, ``fields`` filled in."""
        try:
            pair = self[key]
        except KeyError:
            return key
        text = pair[1] if _current[0] == EN else pair[0]
        try:
            return text.format(**fields)
        except (KeyError, IndexError):
            return text


CORE = Catalogue("core")  # domain words, parser, dates, lights, settings, units, snapshots
DB = Catalogue("db", CORE)
SERVICES = Catalogue("services", DB)
CLI = Catalogue("cli", SERVICES)
TUI = Catalogue("tui", SERVICES)

t = CORE.t
db_t = DB.t
services_t = SERVICES.t
cli_t = CLI.t
tui_t = TUI.t

CORE.add(
    {
        "error": ("错误", "error"),
        "hint": ("提示", "hint"),
        # punctuation that differs by language: "错误：…" but "error: …"; "甲、乙" but "a, b"
        "colon": ("：", ": "),
        "sep": ("、", ", "),
        "semi": ("；", "; "),
        # statuses
        "status.not_started": ("未启动", "not started"),
        "status.in_progress": ("推进中", "in progress"),
        "status.blocked": ("受阻", "blocked"),
        "status.done": ("已完成（待销号）", "done (awaiting close)"),
        "status.closed": ("已销号", "closed"),
        "status.returned": ("退回重办", "returned"),
        "status.suspended": ("暂缓", "suspended"),
        # workflow actions (history, log, batch results)
        "action.assign": ("分配", "assign"),
        "action.accept": ("接受建议", "accept"),
        "action.status": ("改状态", "set status"),
        "action.progress": ("报进展", "report progress"),
        "action.check": ("勾选清单", "tick checklist items"),
        "action.close": ("销号", "close"),
        "action.return": ("退回", "return"),
        "action.reopen": ("重新打开", "reopen"),
        "action.extend": ("延期", "extend"),
        "action.note": ("加备注", "add a note"),
        "action.undo": ("撤销", "undo"),
        "action.actual": ("记录实际值", "record an actual"),
        "action.share": ("分解目标", "set a share"),
        "action.carry": ("结转", "carry over"),
        "action.carry_in": ("结转接续", "carried in"),
        "action.reassign": ("改派", "reassign"),
        "action.import": ("导入规划", "import the plan"),
        "action.added": ("新增任务", "task added"),
        "action.changed": ("原文变更", "plan text changed"),
        "action.removed": ("移出规划", "removed from the plan"),
        "action.key": ("更换密钥", "key rotated"),
        "action.person_add": ("登记人员", "add a person"),
        "action.person_set": ("更改人员", "change a person"),
        "action.person_remove": ("注销人员", "remove a person"),
        # lights
        "light.red": ("红灯", "red"),
        "light.yellow": ("黄灯", "yellow"),
        "light.green": ("绿灯", "green"),
        # kinds
        "kind.measure": ("举措", "measure"),
        "kind.project": ("重点项目", "project"),
        "kind.indicator": ("指标", "indicator"),
        "kind.chapter": ("章任务", "chapter"),
        "kind.goal": ("目标", "goal"),
        # due basis
        "due.explicit": ("原文明确", "explicit in text"),
        "due.yearly": ("每年（逐年调度）", "yearly"),
        "due.inferred": ("推定为规划期末", "inferred: plan end"),
        "due.manual": ("人工设定", "set by hand"),
        "due.extended": ("已延期", "extended"),
        # snapshots (lctasks/snapshot.py, services/review.py, cli/snapshot_cmds.py)
        "snap.no_dir": ("目录不存在：{path}", "no such directory: {path}"),
        "snap.no_dir_hint": (
            "先创建该目录，或换一个 --out 路径",
            "create it first or choose another --out",
        ),
        "snap.write_failed": (
            "无法写入快照 {path}：{detail}（原文件未改动）",
            "cannot write snapshot {path}: {detail} (the old file is untouched)",
        ),
        "snap.write_failed_hint": (
            "检查磁盘空间和目录写权限",
            "check free space and write permission",
        ),
        "snap.bad_toml": (
            "{where}：不是有效的 TOML：{detail}",
            "{where}: not valid TOML: {detail}",
        ),
        "snap.bad_toml_hint": (
            "按提示的行列改正后重试；格式见 docs/snapshot-format.md",
            "fix the file at that line and column; format: docs/snapshot-format.md",
        ),
        "snap.bad_value": ("{where}：{path}：{detail}", "{where}: {path}: {detail}"),
        "snap.bad_value_hint": (
            "改正该处后重试，未作任何改动；格式见 docs/snapshot-format.md",
            "fix that value and retry; nothing was changed; format: docs/snapshot-format.md",
        ),
        "snap.want_table": ("应为表（[...]）", "must be a table ([...])"),
        "snap.missing": ("缺少此项", "is missing"),
        "snap.want_text": ("应为文本（加英文双引号）", "must be text (in double quotes)"),
        "snap.want_int": ("应为整数", "must be a whole number"),
        "snap.want_bool": ("应为 true 或 false", "must be true or false"),
        "snap.want_date": ("应为日期，如 2025-12-31", "must be a date such as 2025-12-31"),
        "snap.bad_date": (
            "日期“{value}”无法识别：{detail}",
            "cannot read date '{value}': {detail}",
        ),
        "snap.want_datetime": (
            "应为时间，如 2026-11-20T16:00:00+08:00",
            "must be a date-time such as 2026-11-20T16:00:00+08:00",
        ),
        "snap.want_list": ('应为列表，如 ["市科技局"]', 'must be a list such as ["市科技局"]'),
        "snap.bad_choice": (
            "“{value}”不是可选值（{allowed}）",
            "'{value}' is not one of {allowed}",
        ),
        "snap.bad_percent": ("应为 0–100 的整数", "must be a whole number 0-100"),
        "snap.bad_schema": (
            "快照格式版本 {value} 不受支持（本程序读写第 {expected} 版）",
            "snapshot schema version {value} is not supported "
            "(this program reads version {expected})",
        ),
        "snap.bad_chapter_key": ("章的键应为 C 加章号，如 C10", "chapter keys look like C10"),
        "snap.no_file": ("找不到快照文件：{path}", "no such snapshot file: {path}"),
        "snap.no_file_hint": (
            "检查路径；用 lctasks export --out 文件 生成快照",
            "check the path; create one with lctasks export --out FILE",
        ),
        "snap.unreadable": ("无法读取 {path}：{detail}", "cannot read {path}: {detail}"),
        "snap.not_utf8": ("{where}：不是 UTF-8 编码", "{where}: not UTF-8 text"),
        "snap.not_utf8_hint": (
            "把文件另存为 UTF-8 编码后重试（记事本：另存为 → 编码选 UTF-8；"
            "或 iconv -f gbk -t utf-8 旧文件 > 新文件）",
            "save the file as UTF-8 and retry (Notepad: Save As → Encoding UTF-8; "
            "or iconv -f gbk -t utf-8 OLD > NEW)",
        ),
    }
)
