"""Mutation score of the core modules, one module at a time (mutmut 3).

    make mutation MODULE=lights          # or: .venv/bin/python benchmarks/mutation.py lights
    make mutation                        # every module below, one after the other
    make mutation MODULE=table           # every single-cell change of the transition table
    make mutation MODULE="batch --again" # after adding tests: rerun only the mutants the
                                         # last run of that module did not kill

For a module, this writes mutmut's settings (the module to mutate, the tests that
exercise it, SQLite only) into a ``setup.cfg`` beside pyproject.toml, runs
``mutmut run`` (the mutated copy lives in ``mutants/``, the source is never
touched), prints killed / survived / not covered and the score, and removes the
``setup.cfg``. ``mutmut browse`` or ``mutmut show NAME`` then show a survivor.

``--again`` keeps ``mutants/`` of the last run of the same module and reruns
only the mutants it did not kill (survived, no test, timeout) against the tests
as they are now (mutmut copies them afresh and collects coverage for new test
functions); the score is then over all the module's mutants, as before.

One mutmut child at a time (mutmut's default is one per core): the machine is
shared; ``LCTASKS_MUTATION_CHILDREN=2`` on a machine of your own.

Score = killed / all mutants (a mutant no selected test reaches counts as
surviving). Figures and the commands are recorded in docs/testing.md. CPU-heavy:
not part of CI; run one module at a time on a shared machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (file to mutate, tests that exercise it)
MODULES: dict[str, tuple[str, list[str]]] = {
    "lights": ("lctasks/lights.py", ["tests/unit/test_lights.py"]),
    "dates": ("lctasks/dates.py", ["tests/unit/test_dates.py"]),
    "targets": (
        "lctasks/plan/targets.py",
        [
            "tests/unit/test_target_units.py",
            "tests/unit/test_parser_rules.py",
            "tests/unit/test_parser.py",
            "tests/unit/test_parser_targets.py",
            "tests/unit/test_parser_defects.py",
            "tests/unit/test_parser_goals.py",
            "tests/unit/test_corrections.py",
            "tests/unit/test_target_words.py",
        ],
    ),
    "transitions": ("lctasks/domain/__init__.py", ["tests/functional/test_transitions.py"]),
    "batch": (
        "lctasks/services/batch.py",
        [
            "tests/functional/test_batch_engine.py",
            "tests/functional/test_transitions.py",
            "tests/functional/test_workflow.py",
        ],
    ),
    "chain": (
        "lctasks/services/chain.py",
        [
            "tests/functional/test_chain_tamper.py",
            "tests/functional/test_sql_event_log.py",
            "tests/unit/test_anchors.py",
            "tests/functional/test_audit.py",
            "tests/functional/test_verify.py",
            "tests/functional/test_keyed_chain.py",
        ],
    ),
    "access": ("lctasks/services/access.py", ["tests/functional/test_access.py"]),
}

CFG = """[mutmut]
source_paths = lctasks
only_mutate = {module}
also_copy =
    plan_data
pytest_add_cli_args =
    -p
    no:cacheprovider
    -q
    -x
pytest_add_cli_args_test_selection =
{tests}
"""


MARK = ROOT / "mutants" / "lctasks-module.txt"  # which module mutants/ holds


def run(name: str, *, again: bool = False) -> dict[str, int]:
    module, tests = MODULES[name]
    cfg = ROOT / "setup.cfg"
    if cfg.exists():
        sys.exit("setup.cfg exists: this script writes its own; move it away first")
    if again and (not MARK.exists() or MARK.read_text(encoding="utf-8") != name):
        sys.exit(f"--again: mutants/ does not hold a run of {name!r}; run it once without")
    cfg.write_text(
        CFG.format(module=module, tests="\n".join(f"    {t}" for t in tests)), encoding="utf-8"
    )
    if not again:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("LCTASKS_TEST_PG_URL",)}
    env.pop("LCTASKS_REQUIRE_PG", None)
    mutmut = str(Path(sys.executable).parent / "mutmut")
    try:
        names: list[str] = []
        if again:
            listed = subprocess.run(
                [mutmut, "results"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            ).stdout
            names = [
                line.split(":", 1)[0].strip()
                for line in listed.splitlines()
                if line.rsplit(":", 1)[-1].strip() in ("survived", "no tests", "timeout")
            ]
            print(f"--again: {len(names)} mutants not killed by the last run")
        if not again or names:
            children = ["--max-children", env.get("LCTASKS_MUTATION_CHILDREN", "1")]
            subprocess.run([mutmut, "run", *children, *names], cwd=ROOT, env=env, check=False)
        MARK.write_text(name, encoding="utf-8")
        subprocess.run([mutmut, "export-cicd-stats"], cwd=ROOT, env=env, check=True)
    finally:
        cfg.unlink(missing_ok=True)
    stats: dict[str, int] = json.loads(
        (ROOT / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8")
    )
    return stats


def table() -> None:
    """The transition table itself (a module-level dict mutmut leaves alone): every
    single-cell change (a starting status added or removed, a target changed), each
    run against tests/functional/test_transitions.py in this process."""
    import pytest

    from lctasks import domain
    from lctasks.domain import Status

    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.pop("LCTASKS_TEST_PG_URL", None)
    os.environ.pop("LCTASKS_REQUIRE_PG", None)
    mutants = []
    for action, (starts, target) in domain.TRANSITIONS.items():
        for status in Status:
            sign = "-" if status in starts else "+"
            mutants.append((f"{action} {sign}{status.value}", action, (starts ^ {status}, target)))
        if target is not None:
            for status in Status:
                if status != target:
                    mutants.append((f"{action} -> {status.value}", action, (starts, status)))
    survived = []
    transitions = "tests/functional/test_transitions.py"
    args = ["-q", "-x", "-p", "no:cacheprovider", transitions, "-k", "sqlite"]
    for label, action, mutated in mutants:
        original = domain.TRANSITIONS[action]
        domain.TRANSITIONS[action] = mutated  # type: ignore[assignment]
        try:
            code = pytest.main(args)
        finally:
            domain.TRANSITIONS[action] = original
        if code == 0:
            survived.append(label)
    killed = len(mutants) - len(survived)
    print(
        f"\ntransition table: {killed}/{len(mutants)} single-cell mutants killed "
        f"({100.0 * killed / len(mutants):.1f}%); survived: {', '.join(survived) or 'none'}"
    )


def main(argv: list[str]) -> None:
    if argv == ["table"]:
        table()
        return
    again = "--again" in argv
    names = [a for a in argv if a != "--again"] or list(MODULES)
    if again and len(names) != 1:
        sys.exit("--again reruns the last run of ONE module: name it")
    rows = []
    for name in names:
        if name not in MODULES:
            sys.exit(f"unknown module {name!r}; one of: {', '.join(MODULES)}")
        s = run(name, again=again)
        total = s.get("total", 0)
        killed = s.get("killed", 0)
        score = 100.0 * killed / total if total else 0.0
        rows.append((name, MODULES[name][0], s, score))
    print()
    print(
        f"{'module':<12} {'file':<28} {'killed':>6} {'survived':>8} {'no tests':>8} "
        f"{'timeout':>7} {'total':>6} {'score':>6}"
    )
    for name, module, s, score in rows:
        print(
            f"{name:<12} {module:<28} {s.get('killed', 0):>6} {s.get('survived', 0):>8} "
            f"{s.get('no_tests', 0):>8} {s.get('timeout', 0):>7} {s.get('total', 0):>6} "
            f"{score:>5.1f}%"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
