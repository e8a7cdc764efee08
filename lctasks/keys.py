"""Task IDs as people type them: normalising and "did you mean".

Shared by the ledger's lookups (``services.plans``), the workflow (also on the
CLI's start-up fast path, hence no SQLAlchemy here) and the history: one hint text
for an unknown ID wherever it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t
from lctasks.nearest import nearest

# What a task ID looks like (C10.M03, C10.P12, C58.T01, I07), any case: to tell an ID
# typed where something else belongs (a status, a checklist item number).
KEY_SHAPE = re.compile(r"(?i)C\d+\.[A-Z]\d+|I\d+")

# How many near keys a "not found" hint offers per unknown key.
NEAR_KEYS = 3

MESSAGES.add({"keys.near": ("{id} 是否想写 {near}？", "{id}: did you mean {near}?")})


def normalize_key(key: str) -> str:
    """``c10.m03`` and `` C10.M03 `` mean ``C10.M03`` (IDs are upper-case ASCII)."""
    return key.strip().upper()


def near_keys(all_keys: Sequence[str], key: str, n: int = NEAR_KEYS) -> list[str]:
    """The keys most like ``key`` (typo, wrong number, missing zero)."""
    key = normalize_key(key)
    # prefer the same chapter: "C10.M3" → C10.M03, C10.M13 …
    head = key.split(".", 1)[0]
    same = [k for k in all_keys if k.split(".", 1)[0] == head]
    near = [same[i] for i, _score in nearest(key, same, limit=n, cutoff=50.0)]
    if len(near) < n:
        more = [all_keys[i] for i, _score in nearest(key, all_keys, limit=n, cutoff=60.0)]
        near += [k for k in more if k not in near][: n - len(near)]
    return near


def did_you_mean(all_keys: Sequence[str], missing: Sequence[str]) -> list[str]:
    """One hint per unknown ID that has near keys: ``C10.M3 是否想写 C10.M03、C10.M13？``."""
    hints = []
    for key in missing:
        near = near_keys(all_keys, key)
        if near:
            hints.append(t("keys.near", id=key, near=t("sep").join(near)))
    return hints


def normalize_keys(keys: Iterable[str]) -> list[str]:
    """Upper-case, strip, drop blanks and ``#`` comments, keep the first of duplicates."""
    seen: dict[str, None] = {}
    for raw in keys:
        key = raw.split("#", 1)[0].strip().upper()
        if key:
            seen.setdefault(key, None)
    return list(seen)


def read_id_lines(text: str) -> list[str]:
    """IDs from ``--from`` input: one per line (also space/comma separated), # comments."""
    out: list[str] = []
    for line in text.removeprefix("\ufeff").splitlines():
        line = line.split("#", 1)[0]
        out.extend(p for p in line.replace(",", " ").split() if p)
    return out
