"""Nearest matches — the one "did you mean" ranker (task IDs, unit names).

Through rapidfuzz (C, already needed for the unit picker), imported only on the
error path, so a command that finds what it was given never loads it.
``loose=False`` scores by edit similarity (``fuzz.ratio``: typos, a missing zero in
an ID); ``loose=True`` by ``fuzz.WRatio`` (a part of a name, words in another order).
"""

from __future__ import annotations

from collections.abc import Sequence


def nearest(
    query: str, choices: Sequence[str], *, limit: int | None, cutoff: float, loose: bool = False
) -> list[tuple[int, float]]:
    """``(index into choices, score 0–100)`` of the choices most like ``query``, best first."""
    from rapidfuzz import fuzz, process

    scorer = fuzz.WRatio if loose else fuzz.ratio
    found = process.extract(query, choices, scorer=scorer, limit=limit, score_cutoff=cutoff)
    return [(int(pos), float(score)) for _choice, score, pos in found]
