"""Parse time of the bundled plan, next to a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_parse.py [-n 21]

Baseline: reading and decoding the file (``read_plan_text``), the least any
import must do. Figures: median wall time of N runs of each, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lctasks.plan import BUNDLED_PLAN, parse_plan, read_plan_text


def median_ms(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=21, help="runs of each measurement (median)")
    args = ap.parse_args()
    text, _ = read_plan_text(BUNDLED_PLAN)
    parse_plan(text)  # warm up (regex compilation, imports)
    read_ms = median_ms(lambda: read_plan_text(BUNDLED_PLAN), args.n)
    parse_ms = median_ms(lambda: parse_plan(text), args.n)
    tree = parse_plan(text)
    print(f"plan: {BUNDLED_PLAN.name} ({len(text)} characters, {text.count(chr(10)) + 1} lines)")
    counts = f"{len(tree.tasks)} tasks, {len(tree.indicators)} indicators"
    print(f"{counts}, {len(tree.unplaced)} unplaced")
    print(f"read+decode (baseline): median {read_ms:8.2f} ms over {args.n} runs")
    print(f"parse_plan:             median {parse_ms:8.2f} ms over {args.n} runs")
    print(f"ratio parse / read:     {parse_ms / read_ms:8.1f}x")


if __name__ == "__main__":
    main()
