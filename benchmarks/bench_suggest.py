"""Suggest owners for every task of the bundled plan; print the time per task.

PYTHONPATH=. .venv/bin/python benchmarks/bench_suggest.py
"""

from __future__ import annotations

import collections
import time

from lctasks.plan import load_plan
from lctasks.suggest import default_rules


def main() -> None:
    tree = load_plan()
    start = time.perf_counter()
    rules = default_rules()  # loads units + rules, builds pinyin keys
    loaded = time.perf_counter() - start
    titles = {c.number: c.title for c in tree.chapters()}
    best = float("inf")
    results = []
    for _ in range(5):
        start = time.perf_counter()
        results = [rules.suggest(d.title, d.source_text, titles[d.chapter]) for d in tree.tasks]
        best = min(best, time.perf_counter() - start)
    n = len(tree.tasks)
    leads = collections.Counter(s.lead for s in results)
    print(f"load rules + units:        {loaded * 1e3:7.1f} ms")
    print(f"suggest {n} plan tasks:   {best * 1e3:7.1f} ms ({best / n * 1e3:.2f} ms per task)")
    print(f"tasks with a lead:         {n - leads[None]} of {n}")
    print(f"projected 100,000 tasks:   {best / n * 100_000:7.1f} s")


if __name__ == "__main__":
    main()
