"""Resolve 10,000 typed unit names; compare with a plain dict lookup of the same names.

Run on purpose (not part of the tests):

    PYTHONPATH=. .venv/bin/python benchmarks/bench_units.py

The typed names mix what scripts and people send: short names, full names,
aliases, pinyin, initials, full-width and padded text. The baseline is a dict
``{text: unit}`` built for exactly those strings, i.e. the cost of a lookup
with no normalisation at all.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import time

from lctasks.units import UnitDirectory, load_units

N = 10_000


def typed_names(directory: UnitDirectory) -> list[str]:
    forms: list[str] = []
    for unit in directory.units:
        forms += [unit.short, unit.name, f"  {unit.short} ", *unit.aliases]
    forms += [
        "kjj",
        "skjj",
        "fgw",
        "shi ke ji ju",
        "shikejiju",
        "ＫＪＪ",
        "在平区",
        "荏平",
        "wjw",
        "dongexian",
        "市教体局",
        "聊城经济开发区",
        "科学技术",
    ]
    rng = random.Random(14)
    return [rng.choice(forms) for _ in range(N)]


def best_of(fn: object, repeat: int = 7) -> float:
    assert callable(fn)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    start = time.perf_counter()
    units = load_units()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    directory = UnitDirectory(units)  # includes the pypinyin import and all pinyin keys
    built = time.perf_counter() - start
    names = typed_names(directory)
    baseline_map = {text: directory.resolve(text) for text in set(names)}

    def resolve_all() -> None:
        for text in names:
            directory.resolve(text)

    def dict_all() -> None:
        for text in names:
            _ = baseline_map[text]

    def resolve_all_cold() -> None:
        memo = directory._memo
        for text in names:
            memo.clear()  # every name normalised and matched as if seen the first time
            directory.resolve(text)

    t_cold = best_of(resolve_all_cold)
    t_resolve = best_of(resolve_all)
    t_dict = best_of(dict_all)
    per = t_resolve / N * 1e6
    print(f"load units.toml ({len(units)} units):   {loaded * 1e3:7.1f} ms")
    print(f"build directory (pinyin keys):  {built * 1e3:7.1f} ms")
    print(f"resolve {N:,} names, no memo:   {t_cold * 1e3:7.1f} ms")
    print(f"resolve {N:,} typed names:      {t_resolve * 1e3:7.1f} ms  ({per:.2f} µs each)")
    print(f"dict lookup of the same names:  {t_dict * 1e3:7.1f} ms")
    print(f"ratio resolve / dict:           {t_resolve / t_dict:7.1f} x")
    print(f"ratio resolve (no memo) / dict: {t_cold / t_dict:7.1f} x")
    misses = [f"市科学局{i % 7}" for i in range(200)]
    start = time.perf_counter()
    for text in misses:
        with contextlib.suppress(LookupError, ValueError, Exception):
            directory.resolve(text)
    t_miss = time.perf_counter() - start
    print(f"unknown names (fuzzy nearest):  {t_miss / len(misses) * 1e3:7.2f} ms each")
    search_times = [best_of(lambda: directory.search("kj", 10), 3) for _ in range(5)]
    print(f"search('kj', 10) for a picker:  {statistics.median(search_times) * 1e3:7.2f} ms")


if __name__ == "__main__":
    main()
