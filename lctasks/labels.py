"""What a person reads for a stored value: field names and values as labels.

Events keep machine values (``due_basis: explicit → extended``, ``late: False →
True``, a progress report as a dict). Everything shown to a person — ``history``,
``log``, the TUI's history, the result lines of a batch — goes through
``describe`` here, so no face prints ``None``, ``[]``, ``True`` or an enum code.
Standard library only (the CLI's fast path imports it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lctasks.domain import Light, Status
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import EN, language, t

# Official documents (unit workbooks, the meeting pack, 督办通知) are in Chinese whatever
# the language: their status and light words are the catalogue's Chinese texts.
STATUS_ZH: dict[Status, str] = {s: MESSAGES[f"status.{s.value}"][0] for s in Status}
LIGHT_ZH: dict[str, str] = {g.value: MESSAGES[f"light.{g.value}"][0] for g in Light}

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "status": ("状态", "status"),
    "lead": ("牵头单位", "lead"),
    "co_units": ("配合单位", "co-units"),
    "due": ("期限", "due"),
    "due_basis": ("期限依据", "due basis"),
    "original_due": ("原期限", "original due"),
    "person": ("责任人", "person"),
    "leader": ("牵头领导", "leader"),
    "progress": ("进度", "progress"),
    "evidence": ("佐证材料", "evidence"),
    "key": ("历史密钥", "chain key"),
    "report": ("进展报告", "progress report"),
    "rules": ("规则", "rules"),
    "late": ("逾期补批", "late"),
    # a re-import's "changed" events (lctasks import): fields from the plan text
    "kind": ("类型", "kind"),
    "chapter": ("章", "chapter"),
    "section": ("节", "section"),
    "box": ("专栏", "box"),
    "category": ("类别", "category"),
    "title": ("标题", "title"),
    "source_text": ("原文", "source text"),
    "attrs": ("附注", "notes"),
    "due_text": ("期限原文", "deadline text"),
    "checklist": ("清单", "checklist"),
    "ticks_dropped": ("失效的勾选", "ticks dropped"),
    "removed": ("已移除", "removed"),
    "undo_of": ("撤销", "undoes"),
    # indicators and carry-over (lctasks actual / share / carry)
    "target": ("目标", "target"),
    "value": ("实际值", "value"),
    "source": ("来源", "source"),
    "unit": ("单位", "unit"),
    "share": ("分解目标", "share"),
    "carried_to": ("结转至", "carried to"),
    "carried_from": ("结转自", "carried from"),
    "period": ("时期", "period"),
    # people (lctasks people add / set / remove)
    "role": ("角色", "role"),
    "login": ("数据库登录", "database login"),
    "display_name": ("显示名", "display name"),
}

# an import event's parts (lctasks import): what the plan text gave
IMPORT_NAMES: dict[str, tuple[str, str]] = {
    "source": ("文件", "file"),
    "sha256": ("校验和", "sha256"),
    "counts": ("任务", "tasks"),
    "added": ("新增", "added"),
    "changed": ("变更", "changed"),
    "removed": ("移除", "removed"),
    "rekeyed": ("改号", "re-keyed"),
    "units_renamed": ("单位改名", "units renamed"),
}

# in people's events "person" is the person added, changed or removed
PERSON_NAMES: dict[str, tuple[str, str]] = {"person": ("人员", "person")}

ROLES: dict[str, tuple[str, str]] = {
    "supervisor": ("督查室", "supervisor"),
    "liaison": ("单位联络员", "liaison"),
    "viewer": ("只读用户", "viewer"),
}

# a long text (a paragraph of the plan, a checklist) is shown as an excerpt around
# where it changed: the whole of it is in `history ID --json` and `show ID`
LONG = 60  # characters: longer values are shortened
ROOM = 24  # characters of an excerpt

# a progress report's parts, in the order a person reads them
REPORT_PARTS: dict[str, tuple[str, str]] = {
    "period": ("报告期", "period"),
    "made": ("进展", "made"),
    "problems": ("问题", "problems"),
    "next_steps": ("下一步", "next"),
    "percent": ("完成", "percent"),
}

# fields whose values are codes with a label family in the catalogue
_CODED = {"status": "status", "due_basis": "due", "kind": "kind", "light": "light"}

NONE = "—"


def _pick(pair: tuple[str, str]) -> str:
    return pair[1] if language() == EN else pair[0]


def field_label(name: str) -> str:
    pair = FIELD_NAMES.get(name)
    return _pick(pair) if pair is not None else name


def value_label(value: Any, name: str = "") -> str:
    """One stored value as a person reads it (``name``: the field it belongs to)."""
    if value is None or value == "" or value == [] or value == ():
        return NONE
    if isinstance(value, bool):
        return _pick(("是", "yes") if value else ("否", "no"))
    if isinstance(value, (list, tuple)):
        return t("sep").join(value_label(v) for v in value)
    if isinstance(value, dict):
        if name == "report" or "made" in value:
            return _report(value)
        return t("semi").join(
            f"{field_label(str(k))}{t('colon')}{value_label(v, str(k))}"
            for k, v in value.items()
            if v not in (None, "", [])
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    family = _CODED.get(name)
    if family is not None and f"{family}.{text}" in MESSAGES:
        return t(f"{family}.{text}")
    if not name and f"status.{text}" in MESSAGES:  # a bare status code
        return t(f"status.{text}")
    return text


def _report(report: dict[str, Any]) -> str:
    parts = []
    for key, pair in REPORT_PARTS.items():
        value = report.get(key)
        if value in (None, ""):
            continue
        shown = f"{value}%" if key == "percent" else str(value)
        parts.append(f"{_pick(pair)}{t('colon')}{shown}")
    return t("semi").join(parts) or NONE


def describe(changes: dict[str, list[Any]], action: str = "") -> str:
    """An event's changes in one line: ``状态：推进中 → 已销号；佐证材料：— → 聊科字12号``."""
    return summary(changes, action)[0]


def summary(changes: dict[str, list[Any]], action: str = "") -> tuple[str, bool]:
    """``describe``, and whether a long value was shortened (its whole is in ``--json``)."""
    if action == "import":
        return _import_summary(changes), False
    names = PERSON_NAMES if action.startswith("person_") else {}
    parts = []
    shortened = False
    for name, pair in changes.items():
        if name == "tasks":  # an import's starting point of every task (log --verify reads it)
            continue
        old, new = [*pair, None, None][:2]
        label = _pick(names[name]) if name in names else field_label(name)
        if name == "report":
            parts.append(f"{label}{t('colon')}{value_label(new, name)}")
        elif name == "undo_of":  # the batch an undo reverted: #512 or #512–#530
            parts.append(f"{label}{t('colon')}{_span(str(new))}")
        elif name.startswith("item"):
            box = f"{'☐' if not old else '☑'} → {'☑' if new else '☐'}"
            parts.append(f"{name[4:]}{t('colon')}{box}")
        else:
            shown, cut = _change(old, new, name)
            shortened = shortened or cut
            parts.append(f"{label}{t('colon')}{shown}")
    return t("semi").join(parts), shortened


def _change(old: Any, new: Any, name: str) -> tuple[str, bool]:
    """``old → new``; long texts as excerpts where they differ, long lists by count."""
    if name == "role":
        return f"{_role(old)} → {_role(new)}", False
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > LONG:
        a, b = _excerpts(old, new)
        return f"{a} → {b}", True
    if _is_list(old) and _is_list(new):
        # a list of sentences (a checklist): which entries changed; a list of names
        # (co-units, rules) is shown whole
        if _has_long(old or []) or _has_long(new or []):
            return _list_change(list(old or []), list(new or [])), True
        return f"{value_label(old, name)} → {value_label(new, name)}", False
    a, b = value_label(old, name), value_label(new, name)
    cut = False
    if len(a) > LONG:
        a, cut = a[:LONG] + "…", True
    if len(b) > LONG:
        b, cut = b[:LONG] + "…", True
    return f"{a} → {b}", cut


def _is_list(value: Any) -> bool:
    return value is None or isinstance(value, (list, tuple))


def _has_long(values: Any) -> bool:
    return any(isinstance(v, str) and len(v) > ROOM for v in values)


def _role(code: Any) -> str:
    pair = ROLES.get(str(code))
    return _pick(pair) if pair is not None else value_label(code)


def _excerpts(old: str, new: str) -> tuple[str, str]:
    """The two texts around their first difference: ``…电池铝箔、新型环保…``."""
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = max(0, head - 6)

    def cut(text: str) -> str:
        if not text:
            return NONE
        end = min(len(text), start + ROOM)
        return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")

    return cut(old), cut(new)


def _list_change(old: list[Any], new: list[Any]) -> str:
    """A long list (a checklist): which entries changed, or how many there are."""
    if len(old) == len(new):
        changed = [str(i) for i, (a, b) in enumerate(zip(old, new, strict=True), 1) if a != b]
        return t("labels.items_changed", items=t("sep").join(changed))
    return " → ".join(t("labels.items", n=len(x)) if x else NONE for x in (old, new))


def _import_summary(changes: dict[str, list[Any]]) -> str:
    """``文件：plan.txt；任务：633 个（举措 194、…）；新增：0；变更：1；移除：0``."""
    parts = []
    for name, pair in changes.items():
        new = [*pair, None, None][1]
        if name not in IMPORT_NAMES:
            continue
        if name == "counts" and isinstance(new, dict):
            by_kind = {k: n for k, n in new.items() if f"kind.{k}" in MESSAGES}
            kinds = t("sep").join(f"{t(f'kind.{k}')} {n}" for k, n in by_kind.items() if n)
            shown = t("labels.tasks", n=sum(by_kind.values()), kinds=kinds)
        elif name == "sha256":
            shown = str(new)[:12] + "…" if new else NONE
        elif name == "rekeyed":
            if not new:
                continue
            shown = t("sep").join(f"{a} → {b}" for a, b in new[:5])
            if len(new) > 5:
                shown += "…"
        else:
            shown = value_label(new, name)
        parts.append(f"{_pick(IMPORT_NAMES[name])}{t('colon')}{shown}")
    return t("semi").join(parts)


MESSAGES.add(
    {
        "labels.items": ("{n} 项", "{n} items"),
        "labels.items_changed": ("第 {items} 项改动", "changed items: {items}"),
        "labels.tasks": ("{n} 个（{kinds}）", "{n} ({kinds})"),
    }
)


def action_label(action: str) -> str:
    key = f"action.{action}"
    return t(key) if key in MESSAGES else action


def source_label(source: str) -> str:
    pair = SOURCES.get(source)
    return _pick(pair) if pair is not None else source


SOURCES: dict[str, tuple[str, str]] = {
    "cli": ("命令行", "cli"),
    "tui": ("工作台", "tui"),
    "import": ("导入", "import"),
    "rule": ("规则", "rule"),
    "review": ("会议审定", "review"),
    "xlsx": ("报送表", "workbook"),
    "system": ("系统", "system"),
}


# what people also type for a value (the labels in the catalogue are accepted too)
ALIASES: dict[str, tuple[str, ...]] = {
    "status.in_progress": ("进行中", "推进", "在办"),
    "status.not_started": ("未开始",),
    "status.done": ("已完成", "完成", "待销号"),
    "status.closed": ("销号",),
    "status.returned": ("退回",),
    "status.blocked": ("阻塞",),
    "light.red": ("红",),
    "light.yellow": ("黄",),
    "light.green": ("绿",),
    "kind.project": ("项目",),
    "kind.chapter": ("章",),
}


def choice_names(family: str, code: str) -> set[str]:
    """Every spelling of one value a person may type: code, both labels, aliases."""
    names = {code, code.replace("_", " "), code.replace("_", "-")}
    pair = MESSAGES.get(f"{family}.{code}")
    if pair is not None:
        zh, en = pair
        names |= {zh, zh.split("（", 1)[0], en, en.split(" (", 1)[0]}
    names |= set(ALIASES.get(f"{family}.{code}", ()))
    return {n.strip().casefold() for n in names if n.strip()}


def parse_choice(family: str, codes: list[str], text: str) -> str | None:
    """The code whose code or printed label is ``text`` (推进中, 红灯, 举措), else None."""
    key = text.strip().casefold()
    for code in codes:
        if key in choice_names(family, code):
            return code
    return None


def choice_list(family: str, codes: list[str]) -> str:
    """``推进中（in_progress） | …`` for an error message."""
    return " | ".join(f"{t(f'{family}.{c}')}（{c}）" if language() != EN else c for c in codes)


def _span(text: str) -> str:
    """``#11–#11`` (as undo events recorded it before) → ``#11``."""
    first, sep, last = text.partition("–")
    return first if sep and first == last else text
