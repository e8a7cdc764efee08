"""Every message key used exists (in its layer's catalogues, both languages); none is unused.

Keys are found in the source: ``t("key")`` calls (any layer's ``t``) and, for keys
built at run time (``t(f"status.{s.value}")``), the literal prefix. A key counts as
used when its text appears in the package outside its own definition, or when a
prefix used at run time covers it.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import lctasks
from lctasks import i18n

PACKAGE = Path(lctasks.__file__).parent
LAYERS = {
    "db": i18n.DB,
    "services": i18n.SERVICES,
    "formats": i18n.SERVICES,
    "cli": i18n.CLI,
    "tui": i18n.TUI,
}


def _layer(path: Path) -> i18n.Catalogue:
    parts = path.relative_to(PACKAGE).parts
    return LAYERS.get(parts[0], i18n.CORE) if len(parts) > 1 else i18n.CORE


def _import_everything() -> None:
    for info in pkgutil.walk_packages(lctasks.__path__, "lctasks."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def _is_t(func: ast.expr) -> bool:
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name == "t" or name.endswith("_t")


PREFIX = re.compile(r"[a-z_]+(\.[a-z_]+)*\.")


def _prefix(node: ast.AST) -> str | None:
    """``status.`` of ``f"status.{s}"`` or ``"status." + s``: a key made at run time."""
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        head = node.left
    else:
        return None
    if isinstance(head, ast.Constant) and isinstance(head.value, str):
        return head.value if PREFIX.fullmatch(head.value) else None
    return None


def _prefixes() -> list[tuple[Path, int, str]]:
    return [
        (path, node.lineno, prefix)
        for path, tree in _sources()
        for node in ast.walk(tree)
        if (prefix := _prefix(node)) is not None
    ]


def _uses() -> tuple[list[tuple[Path, int, str]], set[str]]:
    """(file, line, key) of every t("literal"), and every key prefix built at run time."""
    literal: list[tuple[Path, int, str]] = []
    prefixes = {prefix for _, _, prefix in _prefixes()}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_t(node.func) and node.args):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                literal.append((path, node.lineno, arg.value))
    return literal, prefixes


def test_every_key_used_exists_in_its_layer_in_both_languages() -> None:
    _import_everything()
    literal, _ = _uses()
    missing = [
        f"{p.relative_to(PACKAGE)}:{line}: {key}"
        for p, line, key in literal
        if key not in _layer(p)
    ]
    assert missing == []
    # a key built at run time (f"action.{code}"): its layer holds keys of that shape
    built = [
        f"{p.relative_to(PACKAGE)}:{line}: {prefix}…"
        for p, line, prefix in _prefixes()
        if not any(k.startswith(prefix) for k in _layer(p))
    ]
    assert built == []
    for catalogue in i18n.Catalogue._all:
        for key, (zh, en) in catalogue.own.items():
            assert zh.strip() and en.strip(), key


def test_no_key_is_unused() -> None:
    _import_everything()
    _, prefixes = _uses()
    counts: dict[str, int] = {}
    for _, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                counts[node.value] = counts.get(node.value, 0) + 1
    unused = sorted(
        f"{c.name}: {key}"
        for c in i18n.Catalogue._all
        for key in c.own
        if counts.get(key, 0) < 2 and not any(key.startswith(p) for p in prefixes)
    )
    assert unused == []


def test_a_layer_refuses_a_key_it_or_a_layer_below_or_above_has() -> None:
    with pytest.raises(i18n.DuplicateKeyError):
        i18n.SERVICES.add({"status.closed": ("已关", "shut")})  # core has it
    with pytest.raises(i18n.DuplicateKeyError):
        i18n.CORE.add({"wf.not_found": ("无", "none")})  # services has it
    cli_only = next(k for k in i18n.CLI.own if k not in i18n.TUI)
    i18n.TUI.add({cli_only: ("界面", "face")})  # the two faces are siblings: allowed
    del i18n.TUI.own[cli_only]
