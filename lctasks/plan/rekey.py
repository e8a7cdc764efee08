"""Re-keying and checklist reconciliation on re-import: pure functions, no database.

A task ID is a promise to scripts: it never moves. ``rekey`` gives each parsed
draft the stored key of the task it continues; ``reconcile_checklist`` carries
ticks over from the old checklist to the new one (the rules are spelt out in
``lctasks.services.plan_import``, which applies them, and in the docstrings below).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from lctasks.domain import ChecklistDraft, TaskDraft

SIMILAR_TICK = 0.9

_NOT_WORD = re.compile(r"[\W_]+")


def norm_text(text: str) -> str:
    """Text for matching: NFKC, no spaces, no punctuation (CJK characters are \\w)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text))


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


@dataclass(frozen=True, slots=True)
class _Item:
    text: str
    done: bool


def reconcile_checklist(
    old: Sequence[_Item] | Sequence[tuple[str, bool]], new: Sequence[ChecklistDraft]
) -> tuple[list[bool], list[int]]:
    """Ticks for the ``new`` items, and the (1-based) old ticked items left over.

    See the module docstring: exact (normalised) text first, then ≥ 90 % similar;
    each old item is used once.
    """
    olds = [o if isinstance(o, _Item) else _Item(o[0], o[1]) for o in old]
    used = [False] * len(olds)
    ticks = [False] * len(new)
    keys = [norm_text(o.text) for o in olds]
    new_keys = [norm_text(n.text) for n in new]
    for j, nk in enumerate(new_keys):
        for i, ok in enumerate(keys):
            if not used[i] and ok == nk:
                used[i] = True
                ticks[j] = olds[i].done
                break
    for j, nk in enumerate(new_keys):
        if any(k == nk for k in keys):
            continue
        best, best_i = 0.0, -1
        for i, ok in enumerate(keys):
            if used[i]:
                continue
            ratio = difflib.SequenceMatcher(None, ok, nk, autojunk=False).ratio()
            if ratio > best:
                best, best_i = ratio, i
        if best_i >= 0 and best >= SIMILAR_TICK and _numbers(keys[best_i]) == _numbers(nk):
            used[best_i] = True
            ticks[j] = olds[best_i].done
    dropped = [i + 1 for i, o in enumerate(olds) if o.done and not used[i]]
    return ticks, dropped


_KEY_NUMBER = re.compile(r"^(.*?)(\d+)$")
SIMILAR_IN_PLACE = 0.5  # same key, text this similar: a correction of that paragraph
SIMILAR_MOVED = 0.8  # another key of the same chapter and kind: moved and corrected


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def rekey(
    drafts: Sequence[TaskDraft], existing: dict[str, tuple[str, int, str]]
) -> tuple[list[TaskDraft], list[tuple[str, str]]]:
    """Give each draft the stored key of the task it continues; new ones a free key.

    ``existing`` maps stored keys to (kind, chapter, normalised source text).
    The parser numbers paragraphs by position, so deleting or inserting one
    paragraph would shift every later number; a stored key must never come to
    mean another commitment. Matching, in order: same key and same text; same
    text under another key of the same chapter and kind (moved); same key and
    ≥ 50 % similar text (corrected in place); ≥ 80 % similar text under another
    key of the same chapter and kind. Anything else is new: it keeps its own
    key when no stored task ever had it, else takes the next free number after
    the highest one used with that prefix (``C10.M`` → ``C10.M09``).
    Returns the drafts with their keys and the (parser key, stored key) pairs
    that differ.
    """
    norm = [norm_text(d.source_text) for d in drafts]
    assigned: dict[int, str] = {}
    taken: set[str] = set()

    def take(i: int, key: str) -> None:
        assigned[i] = key
        taken.add(key)

    for i, d in enumerate(drafts):
        e = existing.get(d.key)
        if e is not None and e[2] == norm[i] and d.key not in taken:
            take(i, d.key)
    by_text: defaultdict[tuple[str, int, str], list[str]] = defaultdict(list)
    for key, (kind, chapter, text) in existing.items():
        if key not in taken:
            by_text[(kind, chapter, text)].append(key)
    for i, d in enumerate(drafts):
        if i in assigned:
            continue
        for key in by_text.get((d.kind.value, d.chapter, norm[i]), []):
            if key not in taken:
                take(i, key)
                break
    for i, d in enumerate(drafts):
        e = existing.get(d.key)
        if i in assigned or e is None or d.key in taken or e[0] != d.kind.value:
            continue
        if _ratio(e[2], norm[i]) >= SIMILAR_IN_PLACE:
            take(i, d.key)
    for i, d in enumerate(drafts):
        if i in assigned:
            continue
        best, best_key = 0.0, ""
        for key, (kind, chapter, text) in existing.items():
            if key in taken or kind != d.kind.value or chapter != d.chapter:
                continue
            ratio = _ratio(text, norm[i])
            if ratio > best:
                best, best_key = ratio, key
        if best_key and best >= SIMILAR_MOVED:
            take(i, best_key)
    for i, d in enumerate(drafts):
        if i not in assigned and d.key not in existing and d.key not in taken:
            take(i, d.key)
    used = set(existing) | taken
    for i, d in enumerate(drafts):
        if i in assigned:
            continue
        m = _KEY_NUMBER.match(d.key)
        if m is None:  # not numbered: suffix it
            n = 2
            while f"{d.key}-{n}" in used:
                n += 1
            key = f"{d.key}-{n}"
        else:
            prefix, digits = m.group(1), m.group(2)
            top = max(
                (
                    int(mm.group(2))
                    for k in used
                    if (mm := _KEY_NUMBER.match(k)) and mm.group(1) == prefix
                ),
                default=0,
            )
            key = f"{prefix}{top + 1:0{len(digits)}d}"
        used.add(key)
        take(i, key)
    out = [
        d if assigned[i] == d.key else dataclasses.replace(d, key=assigned[i])
        for i, d in enumerate(drafts)
    ]
    moved = [(d.key, assigned[i]) for i, d in enumerate(drafts) if assigned[i] != d.key]
    return out, moved
