"""Owner units (责任单位): the editable list, and resolving what people type.

``load_units()`` reads ``plan_data/units.toml`` (or ``$LCTASKS_UNITS``).
``UnitDirectory(units).resolve(text)`` turns a full name, short name, alias,
pinyin (``shi ke ji ju`` / ``shikejiju``) or pinyin initials (``kjj``, ``skjj``)
into exactly one :class:`~lctasks.domain.Unit`, or raises an error that lists
the candidates (ambiguous) or the nearest names (unknown). Nothing here ever
creates a unit: an unknown name is an error.

Matching tiers, first tier with a hit decides (so an exact name always wins):

0. full name or short name            聊城市科学技术局 / 市科技局
1. alias (from the file, or derived)  科技局 / 市教体局 / 发改委
2. pinyin of a tier 0/1 name          shikejiju / ke ji ju
3. pinyin initials of a tier 0/1 name skjj / kjj / fgw
4. a unique substring of a name       科学技术 (two characters or more)

Input is normalised first: NFKC (full-width letters, digits and spaces become
ASCII), case folded, spaces removed, and the 茌平 typos 在平/荏平/茬平 repaired.

Standard library + pypinyin + rapidfuzz; those two are imported inside the
functions that need them (the CLI's cold start is measured), and the pinyin of the
units' names is kept in the user's cache folder (``pinyin_keys``), so a warm call
does not import pypinyin at all.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lctasks.domain import InvalidInputError, NotFoundError, Unit, UnitKind
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t
from lctasks.nearest import nearest
from lctasks.resources import bundled, line_of, read_toml

UNITS_ENV = "LCTASKS_UNITS"

MESSAGES.add(
    {
        "unit.empty": ("单位名称为空", "the unit name is empty"),
        "unit.empty.hint": (
            "输入单位全称、简称、拼音或拼音首字母，例如 市科技局 或 kjj",
            "type a full or short name, pinyin or pinyin initials, e.g. 市科技局 or kjj",
        ),
        "unit.ambiguous": (
            "“{text}”对应多个单位：{candidates}",
            "'{text}' matches more than one unit: {candidates}",
        ),
        "unit.ambiguous.hint": (
            "请输入其中一个单位的简称或全称，例如 {example}",
            "type the short or full name of one of them, e.g. {example}",
        ),
        "unit.unknown": (
            "未知单位：“{text}”。最接近的：{candidates}",
            "unknown unit '{text}'. Nearest: {candidates}",
        ),
        "unit.unknown.none": ("未知单位：“{text}”", "unknown unit '{text}'"),
        "unit.unknown.hint": (
            "用 lctasks units --find {text} 查找单位；确实缺少的单位请加到 {file}",
            "look it up with: lctasks units --find {text}; add a missing unit to {file}",
        ),
        "units.bad": (
            "单位名录 {file} 第 {line} 行：{detail}",
            "units file {file}, line {line}: {detail}",
        ),
        "units.bad.hint": (
            "按文件开头的说明修改 {file}，然后运行 python -m lctasks.units 检查",
            "fix {file} as its header explains, then check it with: python -m lctasks.units",
        ),
        "units.bad.none": ("没有任何 [[unit]] 条目", "no [[unit]] entries"),
        "units.bad.key": (
            "未知字段 {name}（可用：name, short, kind, confirmed, aliases）",
            "unknown field {name} (allowed: name, short, kind, confirmed, aliases)",
        ),
        "units.bad.top": (
            "未知的顶层项 {name}（只允许 [[unit]]）",
            "unknown top-level key {name} (only [[unit]] is allowed)",
        ),
        "units.bad.field": (
            "单位 {unit} 的 {field} 必须是非空字符串",
            "{field} of unit {unit} must be a non-empty string",
        ),
        "units.bad.kind": (
            "单位 {unit} 的 kind “{value}”无效（可用：department, county, zone）",
            "unit {unit}: invalid kind '{value}' (allowed: department, county, zone)",
        ),
        "units.bad.confirmed": (
            '单位 {unit} 的 confirmed 必须是 "V" 或 "I"',
            'unit {unit}: confirmed must be "V" or "I"',
        ),
        "units.bad.aliases": (
            "单位 {unit} 的 aliases 必须是字符串列表",
            "unit {unit}: aliases must be a list of strings",
        ),
        "units.bad.duplicate": (
            "名称“{value}”同时属于 {first} 和 {second}",
            "the name '{value}' belongs to both {first} and {second}",
        ),
    }
)

# 茌平 is misspelt 在平 / 荏平 in the plan (and 茬平 by hurried typists).
_CHIPING_TYPOS = ("在平", "荏平", "茬平")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SPACES = re.compile(r"[\s\u3000·'’]+")
# 在平 as a place name: followed by 区/县 (not 区域), list punctuation, 高铁 or the end.
# Elsewhere 在平 is ordinary Chinese: 在平台上, 在平原地区, 在平等基础上.
_ZAIPING_PLACE = re.compile(r"在平(?=区(?!域)|县|[、，。；：）)]|高铁|新城|镇|$)")

TIER_EXACT, TIER_ALIAS, TIER_PINYIN, TIER_INITIALS, TIER_SUBSTRING = range(5)


def normalise_place_names(text: str) -> str:
    """Repair the 茌平 typos of the plan text: 荏平, 聊荏东 always; 在平 where it names the place.

    The plan has ``高铁新区和在平、莘县、阳谷高铁新城``, ``支持荏平区发展铝精深加工`` and
    three ``聊荏东都市区`` (聊城-茌平-东阿, spelt 聊茌东 elsewhere). 在平 stays when it
    is 在 + a word (在平台上, 在平等基础上).
    """
    text = text.replace("荏平", "茌平").replace("聊荏东", "聊茌东")
    return _ZAIPING_PLACE.sub("茌平", text)


def normalise_key(text: str) -> str:
    """The form names are compared in: NFKC, case-folded, no spaces, 茌平 repaired."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()
    for typo in _CHIPING_TYPOS:
        if typo in key:
            key = key.replace(typo, "茌平")
    return key


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def units_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The units file in effect: ``path``, else ``$LCTASKS_UNITS``, else the bundled one."""
    if path is not None:
        return Path(path)
    env = os.environ.get(UNITS_ENV)
    return Path(env) if env else bundled("units.toml")


def load_units(path: str | os.PathLike[str] | None = None) -> list[Unit]:
    """Read and validate the units file. Mistakes raise InvalidInputError with file and line."""
    file = units_path(path)
    data = read_toml(file)

    def bad(detail: str, needle: str | None = None, *, last: bool = False) -> InvalidInputError:
        line = line_of(file, needle, last=last) if needle else 0
        return InvalidInputError(
            t("units.bad", file=file, line=line, detail=detail),
            hint=t("units.bad.hint", file=file),
        )

    for key in data:
        if key != "unit":
            raise bad(t("units.bad.top", name=key), key)
    entries = data.get("unit")
    if not isinstance(entries, list) or not entries:
        raise bad(t("units.bad.none"))

    units: list[Unit] = []
    owner: dict[str, tuple[int, str]] = {}  # normalised name/short/alias -> (entry, short)
    allowed = {"name", "short", "kind", "confirmed", "aliases"}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise bad(t("units.bad.none"))
        label = str(entry.get("short") or entry.get("name") or f"#{number}")
        for key in entry:
            if key not in allowed:
                raise bad(t("units.bad.key", name=key), f"{key} ")
        for key in ("name", "short"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise bad(t("units.bad.field", unit=label, field=key), label)
        name, short = entry["name"].strip(), entry["short"].strip()
        kind_value = entry.get("kind")
        if kind_value not in {k.value for k in UnitKind}:
            raise bad(t("units.bad.kind", unit=short, value=kind_value), f'"{name}"')
        confirmed_value = entry.get("confirmed", "V")
        if confirmed_value in ("V", True):
            confirmed = True
        elif confirmed_value in ("I", False):
            confirmed = False
        else:
            raise bad(t("units.bad.confirmed", unit=short), f'"{name}"')
        aliases_value = entry.get("aliases", [])
        if not isinstance(aliases_value, list) or not all(
            isinstance(a, str) and a.strip() for a in aliases_value
        ):
            raise bad(t("units.bad.aliases", unit=short), f'"{name}"')
        aliases = tuple(dict.fromkeys(a.strip() for a in aliases_value))
        for value in dict.fromkeys((name, short, *aliases)):
            key = normalise_key(value)
            first = owner.get(key)
            if first is not None and first[0] != number:
                raise bad(
                    t("units.bad.duplicate", value=value, first=first[1], second=short),
                    f'"{value}"',
                    last=True,
                )
            owner[key] = (number, short)
        units.append(
            Unit(
                name=name,
                short=short,
                kind=UnitKind(kind_value),
                confirmed=confirmed,
                aliases=aliases,
            )
        )
    return units


# ---------------------------------------------------------------------------
# Resolving
# ---------------------------------------------------------------------------


class AmbiguousUnitError(InvalidInputError):
    """The text fits several units; ``candidates`` lists them (file order)."""

    def __init__(self, message: str, *, hint: str, candidates: tuple[Unit, ...]) -> None:
        super().__init__(message, hint=hint, ids=tuple(u.short for u in candidates))
        self.candidates = candidates


class UnitNotFoundError(NotFoundError):
    """No unit fits; ``candidates`` are the nearest names (best first)."""

    def __init__(self, message: str, *, hint: str, candidates: tuple[Unit, ...]) -> None:
        super().__init__(message, hint=hint, ids=tuple(u.short for u in candidates))
        self.candidates = candidates


def _derived_aliases(unit: Unit) -> list[str]:
    """Names people use that the file need not spell out."""
    out: list[str] = []
    for prefix in ("聊城市", "聊城"):
        if unit.name.startswith(prefix) and len(unit.name) > len(prefix) + 1:
            bare = unit.name[len(prefix) :]
            out += [bare, "市" + bare] if prefix == "聊城市" else [bare]
            break
    if unit.short.startswith("市") and len(unit.short) > 2:
        out.append(unit.short[1:])  # 市科技局 -> 科技局
    return out


class UnitDirectory:
    """All units, with every key people may type precomputed once."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units: tuple[Unit, ...] = tuple(units)
        self._by_short = {u.short: u for u in self.units}
        # key -> (tier, unit indexes); the lowest tier claims a key.
        index: dict[str, tuple[int, set[int]]] = {}
        # every searchable string per unit, for substring and fuzzy matching
        self._han_keys: list[tuple[str, int]] = []
        self._search_keys: list[tuple[str, int]] = []

        def add(key: str, tier: int, i: int) -> None:
            if not key:
                return
            have = index.get(key)
            if have is None or tier < have[0]:
                index[key] = (tier, {i})
            elif tier == have[0]:
                have[1].add(i)

        named = []
        for unit in self.units:
            names = [(unit.name, TIER_EXACT), (unit.short, TIER_EXACT)]
            names += [(a, TIER_ALIAS) for a in unit.aliases]
            names += [(a, TIER_ALIAS) for a in _derived_aliases(unit)]
            named.append([(normalise_key(text), tier) for text, tier in names])
        spelt = pinyin_keys(sorted({k for keys in named for k, _t in keys if _HAN.search(k)}))
        for i, keys in enumerate(named):
            for key, tier in keys:
                add(key, tier, i)
                if _HAN.search(key):
                    self._han_keys.append((key, i))
                    full, first = spelt[key]
                    add(full, TIER_PINYIN, i)
                    add(first, TIER_INITIALS, i)
                    self._search_keys += [(key, i), (full, i), (first, i)]
                else:
                    self._search_keys.append((key, i))
        self._index: dict[str, tuple[int, tuple[int, ...]]] = {
            k: (tier, tuple(sorted(ids))) for k, (tier, ids) in index.items()
        }
        # Raw text -> unit for names already resolved: scripts repeat the same few names.
        self._memo: dict[str, Unit] = {}

    # -- lookups -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Any:
        return iter(self.units)

    def get(self, short: str) -> Unit | None:
        """The unit with exactly this short name (as stored in the database)."""
        return self._by_short.get(short)

    def collisions(self) -> dict[str, tuple[Unit, ...]]:
        """Keys that fit several units (e.g. initials shared by two departments)."""
        return {
            k: tuple(self.units[i] for i in ids)
            for k, (_tier, ids) in self._index.items()
            if len(ids) > 1
        }

    def match(self, text: str) -> tuple[int, tuple[Unit, ...]]:
        """The deciding tier and the units it gives (empty when nothing fits)."""
        key = normalise_key(text)
        hit = self._index.get(key)
        if hit is not None:
            return hit[0], tuple(self.units[i] for i in hit[1])
        if len(key) >= 2 and _HAN.search(key):
            ids = sorted({i for k, i in self._han_keys if key in k})
            if ids:
                return TIER_SUBSTRING, tuple(self.units[i] for i in ids)
        return TIER_SUBSTRING, ()

    def resolve(self, text: str) -> Unit:
        """Exactly one unit for ``text``, or AmbiguousUnitError / UnitNotFoundError."""
        unit = self._memo.get(text)
        if unit is not None:
            return unit
        key = normalise_key(text)
        if not key:
            raise InvalidInputError(t("unit.empty"), hint=t("unit.empty.hint"))
        hit = self._index.get(key)
        if hit is not None and len(hit[1]) == 1:
            return self._remember(text, self.units[hit[1][0]])
        _tier, found = self.match(text)
        if len(found) == 1:
            return self._remember(text, found[0])
        shown = text.strip()
        if found:
            raise AmbiguousUnitError(
                t("unit.ambiguous", text=shown, candidates=_listing(found)),
                hint=t("unit.ambiguous.hint", example=found[0].short),
                candidates=found,
            )
        nearest = tuple(u for u, _score in self._fuzzy(key, 5, cutoff=40.0))
        if len(nearest) < 3:
            nearest = tuple(u for u, _score in self._fuzzy(key, 3, cutoff=0.0))
        message = (
            t("unit.unknown", text=shown, candidates=_listing(nearest))
            if nearest
            else t("unit.unknown.none", text=shown)
        )
        raise UnitNotFoundError(
            message,
            hint=t("unit.unknown.hint", text=_shell_word(shown), file=units_path()),
            candidates=nearest,
        )

    def _remember(self, text: str, unit: Unit) -> Unit:
        if len(self._memo) < 10_000:
            self._memo[text] = unit
        return unit

    def search(self, text: str, limit: int = 10) -> list[tuple[Unit, float]]:
        """Units for a picker, best first, with a 0–100 score.

        Empty text lists every unit in file order (score 0). An exact, alias,
        pinyin or initials hit scores 100, a prefix of one 95, a substring 90;
        the rest are ranked by rapidfuzz WRatio.
        """
        key = normalise_key(text)
        if not key:
            return [(u, 0.0) for u in self.units[: max(limit, 0)]]
        best: dict[int, float] = {}

        def raise_to(i: int, score: float) -> None:
            if score > best.get(i, -1.0):
                best[i] = score

        hit = self._index.get(key)
        if hit is not None:
            for i in hit[1]:
                raise_to(i, 100.0)
        for k, i in self._search_keys:
            if k.startswith(key):
                raise_to(i, 95.0)
            elif len(key) >= 2 and key in k:
                raise_to(i, 90.0)
        by_unit = {u.short: n for n, u in enumerate(self.units)}
        for unit, score in self._fuzzy(key, len(self.units), cutoff=0.0):
            raise_to(by_unit[unit.short], min(score, 89.0))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [(self.units[i], round(score, 1)) for i, score in ranked[: max(limit, 0)]]

    def _fuzzy(self, key: str, limit: int, *, cutoff: float) -> list[tuple[Unit, float]]:
        # rapidfuzz is imported (by nearest) only when a name did not match exactly.
        choices = [k for k, _i in self._search_keys]
        out: dict[int, float] = {}
        for pos, score in nearest(key, choices, limit=None, cutoff=cutoff, loose=True):
            i = self._search_keys[pos][1]
            if score > out.get(i, -1.0):
                out[i] = float(score)
        ranked = sorted(out.items(), key=lambda item: (-item[1], item[0]))
        return [(self.units[i], score) for i, score in ranked[:limit]]


PINYIN_CACHE = "pinyin.json"


def pinyin_keys(keys: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each (normalised, Han) key's full pinyin and initials, normalised: ``科技局`` →
    ``("kejiju", "kjj")``, as pypinyin's ``lazy_pinyin`` spells them.

    Kept in the user's cache folder (``$XDG_CACHE_HOME/lctasks/pinyin.json``), stamped
    with the pypinyin installed: importing it costs ~0.3 s, which ``list --unit`` and
    ``assign --lead`` would otherwise pay on every call for the same few names. Only
    ever saves time: a missing, unreadable or stale file is rebuilt.
    """
    from lctasks.userdirs import read_cache_json, write_cache_json

    stamp = _pinyin_stamp()
    known: dict[str, list[str]] = {}
    data = read_cache_json(PINYIN_CACHE)
    if isinstance(data, dict) and data.get("pypinyin") == stamp:
        stored = data.get("keys")
        known = stored if isinstance(stored, dict) else {}
    out: dict[str, tuple[str, str]] = {}
    missing = []
    for key in keys:
        hit = known.get(key)
        if isinstance(hit, list) and len(hit) == 2 and all(isinstance(v, str) for v in hit):
            out[key] = (hit[0], hit[1])
        else:
            missing.append(key)
    if not missing:
        return out
    from pypinyin import Style, lazy_pinyin

    for key in missing:
        full = normalise_key("".join(lazy_pinyin(key)))
        first = normalise_key("".join(lazy_pinyin(key, style=Style.FIRST_LETTER)))
        out[key] = (full, first)
    merged = {**known, **{k: list(out[k]) for k in missing}}
    write_cache_json(PINYIN_CACHE, {"pypinyin": stamp, "keys": merged})
    return out


def _pinyin_stamp() -> str:
    """The pypinyin the cache was made with: its place and the time its files were
    installed."""
    import importlib.util

    spec = importlib.util.find_spec("pypinyin")
    origin = spec.origin if spec is not None else None
    try:
        return f"{origin}:{os.stat(origin).st_mtime_ns}" if origin else ""
    except OSError:
        return ""


def _listing(units: Sequence[Unit]) -> str:
    return "、".join(f"{u.short}（{u.name}）" if u.name != u.short else u.short for u in units)


def _shell_word(text: str) -> str:
    return text if text and not re.search(r"[\s'\"$`\\;&|<>*?()]", text) else repr(text)


@functools.lru_cache(maxsize=4)
def _cached_directory(path: str, mtime_ns: int) -> UnitDirectory:
    return UnitDirectory(load_units(path))


def default_directory(path: str | os.PathLike[str] | None = None) -> UnitDirectory:
    """The directory of the units file in effect, built once per file version."""
    file = units_path(path)
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _cached_directory(str(file), mtime)


def resolve_shorts(texts: Iterable[str]) -> set[str]:
    """The short names of units as people type them (kjj, 科技局), by the directory in
    effect (``list --unit``); an unknown or ambiguous name raises its error, with the
    nearest units as a hint."""
    directory = default_directory()
    return {directory.resolve(text).short for text in texts}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lctasks.units [FILE]``: check a units file, print what it holds."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        units = load_units(args[0] if args else None)
        directory = UnitDirectory(units)
    except (InvalidInputError, NotFoundError) as exc:
        print(f"{t('error')}: {exc.message}\n{t('hint')}: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    for unit in units:
        mark = "V" if unit.confirmed else "I"
        print(f"{unit.short}\t{unit.name}\t{unit.kind.value}\t{mark}\t{'、'.join(unit.aliases)}")
    shared = directory.collisions()
    for key, owners in sorted(shared.items()):
        print(f"# {key}: {'、'.join(u.short for u in owners)}", file=sys.stderr)
    print(f"# {len(units)} units from {units_path(args[0] if args else None)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
