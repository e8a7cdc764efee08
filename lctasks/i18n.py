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
