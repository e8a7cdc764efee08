"""Task IDs as people type them: normalising and "did you mean" (standard library only).

Shared by the ledger's lookups (``services.plans``), the workflow (also on the
CLI's start-up fast path, hence no SQLAlchemy here) and the history.
"""

from __future__ import annotations

import difflib
import re

# What a task ID looks like (C10.M03, C10.P12, C58.T01, I07), any case: to tell an ID
# typed where something else belongs (a status, a checklist item number).
KEY_SHAPE = re.compile(r"(?i)C\d+\.[A-Z]\d+|I\d+")

# How many near keys a "not found" hint offers per unknown key.
NEAR_KEYS = 3


def normalize_key(key: str) -> str:
    """``c10.m03`` and `` C10.M03 `` mean ``C10.M03`` (IDs are upper-case ASCII)."""
    return key.strip().upper()


def near_keys(all_keys: list[str], key: str, n: int = NEAR_KEYS) -> list[str]:
    """The keys most like ``key`` (typo, wrong number, missing zero)."""
    key = normalize_key(key)
    # prefer the same chapter: "C10.M3" → C10.M03, C10.M13 …
    head = key.split(".", 1)[0]
    same = [k for k in all_keys if k.split(".", 1)[0] == head]
    near = difflib.get_close_matches(key, same, n=n, cutoff=0.5) if same else []
    if len(near) < n:
        more = difflib.get_close_matches(key, all_keys, n=n, cutoff=0.6)
        near += [k for k in more if k not in near][: n - len(near)]
    return near
