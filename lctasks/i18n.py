"""Messages in Chinese (default) or English (LCTASKS_LANG=en). Standard library only.

Use ``t("key", **fields)``. A key missing from the catalogue is a bug: it is
shown as the key itself so it is noticed, never a crash.
"""

from __future__ import annotations

import functools
import os

ZH = "zh"
EN = "en"


def language() -> str:
    """``LCTASKS_LANG`` if set, else ``language`` from the settings files, else Chinese."""
    value = os.environ.get("LCTASKS_LANG", "").lower() or _settings_language()
    return EN if value.startswith("en") else ZH


@functools.cache
def _settings_language() -> str:
    # read once per process; a broken settings file is reported where settings are used
    try:
        from lctasks.config import load_settings

        return load_settings().language
    except Exception:
        return ZH


# key -> (中文, English). Add keys next to the code that needs them; keep both.
MESSAGES: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "hint": ("提示", "hint"),
    # punctuation that differs by language: "错误：…" but "error: …"; "甲、乙" but "a, b"
    "colon": ("：", ": "),
    "sep": ("、", ", "),
    "semi": ("；", "; "),
    "internal_error": (
        "内部错误（这是缺陷，请报告）：{detail}",
        "internal error (a bug, please report it): {detail}",
    ),
    # statuses
    "status.not_started": ("未启动", "not started"),
    "status.in_progress": ("推进中", "in progress"),
    "status.blocked": ("受阻", "blocked"),
    "status.done": ("已完成（待销号）", "done (awaiting close)"),
    "status.closed": ("已销号", "closed"),
    "status.returned": ("退回重办", "returned"),
    "status.suspended": ("暂缓", "suspended"),
    # lights
    "light.red": ("红灯", "red"),
    "light.yellow": ("黄灯", "yellow"),
    "light.green": ("绿灯", "green"),
    # kinds
    "kind.measure": ("举措", "measure"),
    "kind.project": ("重点项目", "project"),
    "kind.indicator": ("指标", "indicator"),
    "kind.chapter": ("章任务", "chapter"),
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
    "snap.write_failed_hint": ("检查磁盘空间和目录写权限", "check free space and write permission"),
    "snap.bad_toml": ("{where}：不是有效的 TOML：{detail}", "{where}: not valid TOML: {detail}"),
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
    "snap.bad_date": ("日期“{value}”无法识别：{detail}", "cannot read date '{value}': {detail}"),
    "snap.want_datetime": (
        "应为时间，如 2026-11-20T16:00:00+08:00",
        "must be a date-time such as 2026-11-20T16:00:00+08:00",
    ),
    "snap.want_list": ('应为列表，如 ["市科技局"]', 'must be a list such as ["市科技局"]'),
    "snap.bad_choice": ("“{value}”不是可选值（{allowed}）", "'{value}' is not one of {allowed}"),
    "snap.bad_percent": ("应为 0–100 的整数", "must be a whole number 0-100"),
    "snap.bad_schema": (
        "快照格式版本 {value} 不受支持（本程序读写第 {expected} 版）",
        "snapshot schema version {value} is not supported (this program reads version {expected})",
    ),
    "snap.bad_chapter_key": ("章的键应为 C 加章号，如 C10", "chapter keys look like C10"),
    "snap.no_file": ("找不到快照文件：{path}", "no such snapshot file: {path}"),
    "snap.no_file_hint": (
        "检查路径；用 lctasks export --out 文件 生成快照",
        "check the path; create one with lctasks export --out FILE",
    ),
    "snap.unreadable": ("无法读取 {path}：{detail}", "cannot read {path}: {detail}"),
    "snap.not_utf8": ("{where}：不是 UTF-8 编码", "{where}: not UTF-8 text"),
}


def t(key: str, **fields: object) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if language() == EN else pair[0]
    try:
        return text.format(**fields)
    except (KeyError, IndexError):
        return text
