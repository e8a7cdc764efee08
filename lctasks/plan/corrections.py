"""Reviewed corrections of print defects (``plan_data/corrections.toml``).

The plan text is kept as printed; what a person reviewed and found to be a print
defect is corrected in the ledger, never silently: each correction says what,
where, why and by whom, the corrected task keeps the printed words in its attrs
(``印刷原文``) and names the correction (``印刷更正``), and ``lctasks plan`` lists
every correction with the tasks it touched. A correction whose printed words are
not found where it says (another plan, an edited text) is reported as not applied
and changes nothing.

Kinds (``line``: the first line of the paragraph or box item holding the words in
the bundled text; where lines were added or removed above it, the one task holding
the words is meant, and words found in several tasks but none at that line are
ambiguous — not applied):

``replace``    ``printed`` → ``corrected`` inside the task whose source holds it
               (``全面从从严治党`` → ``全面从严治党``, a doubled character over a page
               break); the source, its checklist and targets are corrected.
``split``      a project box item printed as one (``printed``) is several projects
               (``into``): the first keeps the item's key, each other one takes the
               next free project number of the chapter (never an existing key).
``duplicate``  the same project printed twice in one box: the ``occurrence``-th
               printing (2 = the second) gives no task of its own; the first one
               stands for both. Its key is not reused.

Standard library only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lctasks.domain import ChecklistDraft, InvalidInputError, PrintCorrection, TaskDraft, TaskKind
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t

CORRECTIONS_ENV = "LCTASKS_CORRECTIONS"
FILE_NAME = "corrections.toml"
KINDS = ("replace", "split", "duplicate")

MESSAGES.add(
    {
        "corrections.bad": (
            "更正文件 {file}：第 {n} 条更正 {detail}",
            "corrections file {file}: correction {n} {detail}",
        ),
        "corrections.bad.hint": (
            "按文件开头的说明修改 {file}",
            "fix {file} as its header explains",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Correction:
    id: str
    kind: str  # replace | split | duplicate
    line: int
    printed: str
    where: str
    why: str
    by: str
    reviewed: str  # the date it was reviewed, as written (2026-12-01)
    corrected: str = ""  # replace
    into: tuple[str, ...] = ()  # split
    occurrence: int = 2  # duplicate


@dataclass(frozen=True, slots=True)
class Applied:
    """What a correction did to this plan: the task keys it touched, or not applied."""

    correction: Correction
    applied: bool
    tasks: tuple[str, ...] = ()
    note: str = ""


def corrections_path(path: str | os.PathLike[str] | None = None) -> Path:
    from lctasks.resources import bundled

    if path is not None:
        return Path(path)
    env = os.environ.get(CORRECTIONS_ENV)
    return Path(env) if env else bundled(FILE_NAME)


def load_corrections(path: str | os.PathLike[str] | None = None) -> tuple[Correction, ...]:
    """Read and check the corrections file (none bundled: no corrections)."""
    from lctasks.resources import read_toml

    file = corrections_path(path)
    if path is None and not file.is_file():
        return ()
    data = read_toml(file)
    out: list[Correction] = []
    for n, entry in enumerate(data.get("correction", []), start=1):
        out.append(_correction(entry, n, file))
    return tuple(out)


def _correction(entry: Any, n: int, file: Path) -> Correction:
    def bad(detail: str) -> InvalidInputError:
        return InvalidInputError(
            t("corrections.bad", file=file, n=n, detail=detail),
            hint=t("corrections.bad.hint", file=file),
        )

    if not isinstance(entry, dict):
        raise bad("is not a table")
    for name in ("id", "kind", "printed", "where", "why", "by", "reviewed"):
        if not isinstance(entry.get(name), str | dt.date) or not str(entry[name]).strip():
            raise bad(f"needs {name}")
    kind = entry["kind"]
    if kind not in KINDS:
        raise bad(f"kind must be one of {', '.join(KINDS)}")
    line = entry.get("line")
    if not isinstance(line, int) or line < 1:
        raise bad("needs line (a line number)")
    into = entry.get("into", [])
    if kind == "split" and (not isinstance(into, list) or len(into) < 2):
        raise bad("split needs into = [two or more texts]")
    corrected = entry.get("corrected", "")
    if kind == "replace" and not (isinstance(corrected, str) and corrected):
        raise bad("replace needs corrected")
    occurrence = entry.get("occurrence", 2)
    if kind == "duplicate" and (not isinstance(occurrence, int) or occurrence < 2):
        raise bad("duplicate needs occurrence ≥ 2")
    return Correction(
        id=entry["id"],
        kind=kind,
        line=line,
        printed=entry["printed"],
        where=entry["where"],
        why=entry["why"],
        by=entry["by"],
        reviewed=str(entry["reviewed"]),
        corrected=corrected,
        into=tuple(str(x) for x in into),
        occurrence=occurrence,
    )


_KEY = re.compile(r"^(C\d+\.P)(\d+)$")


def apply_corrections(
    tasks: tuple[TaskDraft, ...],
    corrections: tuple[Correction, ...],
    start: dt.date,
    end: dt.date,
) -> tuple[tuple[TaskDraft, ...], tuple[Applied, ...]]:
    """The task drafts with the corrections applied, and what each one did."""
    drafts = list(tasks)
    applied: list[Applied] = []
    for c in corrections:
        if c.kind == "replace":
            applied.append(_replace(drafts, c))
        elif c.kind == "split":
            applied.append(_split(drafts, c, start, end))
        else:
            applied.append(_duplicate(drafts, c))
    return tuple(drafts), tuple(applied)


def as_notes(applied: tuple[Applied, ...]) -> tuple[PrintCorrection, ...]:
    return tuple(
        PrintCorrection(
            id=a.correction.id,
            kind=a.correction.kind,
            line=a.correction.line,
            printed=a.correction.printed,
            corrected=a.correction.corrected
            or "、".join(a.correction.into)
            or (f"与{a.tasks[0]}相同，只记一项；{a.note}" if a.tasks else ""),
            where=a.correction.where,
            why=a.correction.why,
            by=a.correction.by,
            reviewed=a.correction.reviewed,
            applied=a.applied,
            tasks=a.tasks,
            note=a.note,
        )
        for a in applied
    )


def _mark(d: TaskDraft, c: Correction, printed: str) -> tuple[tuple[str, str], ...]:
    return (*d.attrs, ("印刷更正", f"{c.id}：{c.why}（{c.by}）"), ("印刷原文", printed))


def _pick(drafts: list[TaskDraft], c: Correction, hit: Any) -> int | None:
    """The draft a correction means: the one holding its words at its line, else the
    only one holding them anywhere (a text with lines added or removed above it)."""
    found = [i for i, d in enumerate(drafts) if hit(d)]
    at_line = [i for i in found if drafts[i].line == c.line]
    if at_line:
        return at_line[0]
    return found[0] if len(found) == 1 else None


def _replace(drafts: list[TaskDraft], c: Correction) -> Applied:
    i = _pick(drafts, c, lambda d: c.printed in d.source_text)
    if i is None:
        return Applied(c, False, note="printed words not found")
    d = drafts[i]

    def fix(s: str) -> str:
        return s.replace(c.printed, c.corrected)

    checklist = tuple(
        ChecklistDraft(
            text=fix(item.text),
            targets=tuple(dataclasses.replace(g, text=fix(g.text)) for g in item.targets),
        )
        for item in d.checklist
    )
    drafts[i] = dataclasses.replace(
        d,
        title=fix(d.title),
        source_text=fix(d.source_text),
        checklist=checklist,
        attrs=_mark(d, c, c.printed),
    )
    return Applied(c, True, (d.key,))


def _split(drafts: list[TaskDraft], c: Correction, start: dt.date, end: dt.date) -> Applied:
    from lctasks.plan.targets import analyse, split_commitments

    i = _pick(drafts, c, lambda d: d.kind is TaskKind.PROJECT and d.source_text == c.printed)
    if i is None:
        return Applied(c, False, note="the printed project was not found")
    d = drafts[i]
    m = _KEY.match(d.key)
    prefix = m.group(1) if m else f"C{d.chapter:02d}.P"
    used = [int(mm.group(2)) for x in drafts if (mm := _KEY.match(x.key)) and mm.group(1) == prefix]
    top = max(used, default=0)
    parts: list[TaskDraft] = []
    for n, text in enumerate(c.into):
        sentences = split_commitments(text) or [text]
        items, due = analyse(sentences, [text], start, end, every_quantity=True)
        key = d.key if n == 0 else f"{prefix}{top + n:02d}"
        parts.append(
            dataclasses.replace(
                d,
                key=key,
                title=text,
                source_text=text,
                checklist=items,
                due=due.date,
                due_basis=due.basis,
                due_text=due.text,
                attrs=_mark(d, c, c.printed),
            )
        )
    drafts[i : i + 1] = parts
    return Applied(c, True, tuple(p.key for p in parts))


def _duplicate(drafts: list[TaskDraft], c: Correction) -> Applied:
    same = [
        (i, d)
        for i, d in enumerate(drafts)
        if d.kind is TaskKind.PROJECT and d.source_text == c.printed
    ]
    if len(same) < c.occurrence:
        return Applied(c, False, note="not printed that often")
    first = same[0][1]
    i, dup = same[c.occurrence - 1]
    del drafts[i]
    return Applied(c, True, (first.key,), note=f"第{c.occurrence}次印刷（{dup.key}）不单列")
