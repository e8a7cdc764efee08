"""Suggest owners from a task's wording, by an editable rule set (plan_data/rules.toml).

``suggest(title, text, chapter_title, directory)`` returns a
:class:`~lctasks.domain.Suggestion`: a lead unit, co-units, and the ids of the
rules that fired (kept for the audit log and shown by the TUI). It never assigns
anything; staff accept or change suggestions.

How a lead is chosen (the file's header says the same for the people who edit it):

* a topic rule fires where its words appear: the task title, the chapter title,
  or the body text (two hits needed there);
* title beats chapter title beats body; within one place the score is
  ``weight × total length of the distinct words found``;
* the best rule gives the lead; its own ``co`` units and the leads of the other
  rules that fired on the title or chapter title (for a ``chapter`` task, whose text
  is the whole chapter, also on the body) — at most 3 — are co-units;
* a ``cross_cutting`` rule never leads: its unit is a co-unit wherever one of its
  words appears (质量/标准/品牌 → 市市场监管局, 安全生产 → 市应急局);
* counties and zones named in the title or body are co-units too — whole names
  before abbreviations, with the 茌平 typos repaired; a zone's bare short name
  counts only when it stands alone (冠县经济开发区, 国家级高新区, 开发区域 are not zones);
* 属地负责: a task of a kind listed in ``[places] local_lead`` (``project``) whose
  title names exactly one county or zone is led by that county's government or
  zone's committee; the topic rule's lead becomes its first co-unit.

Standard library only (units are resolved through a UnitDirectory).
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lctasks.domain import InvalidInputError, LctasksError, Suggestion
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t
from lctasks.resources import bundled, line_of, read_toml
from lctasks.units import UnitDirectory, default_directory, normalise_place_names

RULES_ENV = "LCTASKS_RULES"
MAX_RULE_CO_UNITS = 3

MESSAGES.add(
    {
        "rules.bad": (
            "规则文件 {file} 第 {line} 行：{detail}",
            "rules file {file}, line {line}: {detail}",
        ),
        "rules.bad.hint": (
            "按文件开头的说明修改 {file}，然后运行 python -m lctasks.suggest 检查",
            "fix {file} as its header explains, then check it with: python -m lctasks.suggest",
        ),
        "rules.bad.unit": (
            "规则 {rule} 的单位“{unit}”不在单位名录中：{detail}",
            "rule {rule} names the unit '{unit}', which is not in the unit list: {detail}",
        ),
        "rules.bad.field": (
            "规则 {rule} 的 {name} 无效：{expected}",
            "rule {rule}: invalid {name}: {expected}",
        ),
        "rules.bad.key": (
            "规则 {rule} 有未知字段 {name}（可用：{allowed}）",
            "rule {rule} has an unknown field {name} (allowed: {allowed})",
        ),
        "rules.bad.top": (
            "未知的顶层项 {name}（只允许 [places]、[[rule]]、[[place]]）",
            "unknown top-level key {name} (only [places], [[rule]], [[place]])",
        ),
        "rules.bad.duplicate": ("规则 id {rule} 重复", "duplicate rule id {rule}"),
        "rules.expect.text": ("必须是非空字符串", "must be a non-empty string"),
        "rules.expect.list": ("必须是非空字符串列表", "must be a list of non-empty strings"),
        "rules.expect.weight": ("必须是大于 0 的数", "must be a number greater than 0"),
        "suggest.where.title": ("标题", "title"),
        "suggest.where.chapter": ("章标题", "chapter title"),
        "suggest.where.text": ("正文", "text"),
        "suggest.role.lead": ("牵头", "lead"),
        "suggest.role.co": ("配合", "co-unit"),
        "suggest.reason": (
            "{role}：{unit} ← 规则 {rule}（{where}含“{words}”）",
            "{role}: {unit} <- rule {rule} ({where} has '{words}')",
        ),
        "suggest.reason.rule_co": (
            "配合：{unit} ← 规则 {rule} 的固定配合单位",
            "co-unit: {unit} <- fixed co-unit of rule {rule}",
        ),
        "suggest.none": (
            "没有规则命中：请人工指定责任单位",
            "no rule fired: assign the owner by hand",
        ),
    }
)

_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WHERE = ("title", "chapter", "text")


@dataclass(frozen=True, slots=True)
class Rule:
    """A topic rule: words in a task -> a lead unit (short name)."""

    id: str
    match: tuple[str, ...]
    lead: str
    co: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    weight: float = 10.0
    line: int = 0
    cross_cutting: bool = False  # never leads; its unit is a co-unit wherever a word appears


@dataclass(frozen=True, slots=True)
class PlaceRule:
    """A county or zone named in a task -> a co-unit."""

    id: str
    unit: str
    match: tuple[str, ...]
    standalone: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class RuleHit:
    """Why a unit was suggested: which rule, where, on which words."""

    rule: str
    unit: str
    role: str  # "lead" | "co"
    where: str  # "title" | "chapter" | "text" | "rule" (a rule's fixed co-unit)
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SuggestionDetail:
    suggestion: Suggestion
    hits: tuple[RuleHit, ...]

    def reasons(self) -> list[str]:
        """One line per suggested unit, e.g. 牵头：市科技局 ← 规则 tech（标题含“创新平台”）."""
        if not self.hits:
            return [t("suggest.none")]
        lines = []
        for hit in self.hits:
            if hit.where == "rule":
                lines.append(t("suggest.reason.rule_co", unit=hit.unit, rule=hit.rule))
            else:
                lines.append(
                    t(
                        "suggest.reason",
                        role=t(f"suggest.role.{hit.role}"),
                        unit=hit.unit,
                        rule=hit.rule,
                        where=t(f"suggest.where.{hit.where}"),
                        words="、".join(hit.words),
                    )
                )
        return lines


def prepare(text: str) -> str:
    """The form text is matched in: NFKC, no whitespace, 茌平 typos repaired."""
    return normalise_place_names(_SPACES.sub("", unicodedata.normalize("NFKC", text)))


class RuleSet:
    """Validated rules; ``suggest()`` / ``explain()`` apply them to one task."""

    def __init__(
        self,
        rules: Sequence[Rule],
        places: Sequence[PlaceRule],
        *,
        allowed_before: Sequence[str] = (),
        local_lead: Sequence[str] = (),
        path: Path | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.places = tuple(places)
        self.allowed_before = tuple(allowed_before)
        self.local_lead = tuple(local_lead)
        self.path = path
        # every place word, longest first: whole names claim text before abbreviations
        words = [(w, p) for p in self.places for w in p.match]
        self._place_words = sorted(words, key=lambda item: -len(item[0]))

    # -- topic rules ---------------------------------------------------------

    def _scores(
        self, texts: dict[str, str]
    ) -> list[tuple[tuple[float, float, float], Rule, dict[str, tuple[str, ...]]]]:
        scored = []
        for rule in self.rules:
            if rule.cross_cutting:
                continue
            found: dict[str, tuple[str, ...]] = {}
            score = [0.0, 0.0, 0.0]
            for n, where in enumerate(_WHERE):
                text = texts[where]
                for word in rule.exclude:
                    if word in text:
                        text = text.replace(word, "|")
                counts = {w: text.count(w) for w in rule.match if w in text}
                if not counts:
                    continue
                if where == "text" and sum(counts.values()) < 3 and len(counts) < 2:
                    continue  # one passing mention in the body is not a topic
                cap = 3 if where == "text" else 1
                score[n] = rule.weight * sum(len(w) * min(c, cap) for w, c in counts.items())
                found[where] = tuple(counts)
            if found:
                scored.append(((score[0], score[1], score[2]), rule, found))
        scored.sort(key=lambda item: item[0], reverse=True)
        return scored

    # -- places --------------------------------------------------------------

    def _places_in(self, text: str) -> list[tuple[int, PlaceRule, str]]:
        claimed = [False] * len(text)
        hits: list[tuple[int, PlaceRule, str]] = []
        for word, place in self._place_words:
            start = text.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(claimed[start:end]) and self._stands(text, start, end, word, place):
                    for i in range(start, end):
                        claimed[i] = True
                    hits.append((start, place, word))
                start = text.find(word, start + 1)
        hits.sort(key=lambda item: item[0])
        return hits

    def _stands(self, text: str, start: int, end: int, word: str, place: PlaceRule) -> bool:
        if any(text.startswith(after, end) for after in place.not_followed_by):
            return False
        if word not in place.standalone or start == 0:
            return True
        if not _HAN.match(text[start - 1]):
            return True
        return any(text.endswith(before, 0, start) for before in self.allowed_before)

    # -- public --------------------------------------------------------------

    def explain(
        self, title: str, text: str = "", chapter_title: str = "", kind: str = ""
    ) -> SuggestionDetail:
        texts = {"title": prepare(title), "chapter": prepare(chapter_title), "text": prepare(text)}
        hits: list[RuleHit] = []
        lead: str | None = None
        co: list[str] = []
        fired: list[str] = []

        scored = self._scores(texts)
        if scored:
            _key, best, found = scored[0]
            lead = best.lead
            where = next(w for w in _WHERE if w in found)
            hits.append(RuleHit(best.id, lead, "lead", where, found[where]))
            fired.append(best.id)
            for unit in best.co:
                if unit != lead and unit not in co:
                    co.append(unit)
                    hits.append(RuleHit(best.id, unit, "co", "rule", ()))
            taken = 0
            # a chapter task is the chapter's whole prose: every topic of it counts
            body_counts = kind == "chapter"
            for (title_score, chapter_score, body), rule, found in scored[1:]:
                if taken >= MAX_RULE_CO_UNITS or not (
                    title_score or chapter_score or (body_counts and body)
                ):
                    break
                if rule.lead == lead or rule.lead in co:
                    continue
                where = next(w for w in _WHERE if w in found)
                co.append(rule.lead)
                hits.append(RuleHit(rule.id, rule.lead, "co", where, found[where]))
                fired.append(rule.id)
                taken += 1

        for rule in self.rules:
            # cross-cutting measures (质量/标准/品牌 → 市市场监管局): one mention anywhere
            if not rule.cross_cutting or rule.lead == lead or rule.lead in co:
                continue
            for where in _WHERE:
                text = texts[where]
                for word in rule.exclude:
                    text = text.replace(word, "|")
                words = tuple(w for w in rule.match if w in text)
                if words:
                    co.append(rule.lead)
                    hits.append(RuleHit(rule.id, rule.lead, "co", where, words))
                    fired.append(rule.id)
                    break
        in_title = self._places_in(texts["title"])
        local = {place.unit for _pos, place, _word in in_title}
        if kind and kind in self.local_lead and len(local) == 1:
            # 属地负责: a task of this kind located in one county or zone is led by it;
            # the sector department the topic rules chose becomes the first co-unit
            _pos, place, word = in_title[0]
            if lead is not None:
                co.insert(0, lead)
                hits = [
                    RuleHit(h.rule, h.unit, "co", h.where, h.words) if h.role == "lead" else h
                    for h in hits
                ]
            co = [u for u in co if u != place.unit]
            lead = place.unit
            hits.insert(0, RuleHit(place.id, place.unit, "lead", "title", (word,)))
            fired.insert(0, place.id)
        for where in ("title", "text"):
            for _pos, place, word in self._places_in(texts[where]):
                if place.unit == lead or place.unit in co:
                    continue
                co.append(place.unit)
                hits.append(RuleHit(place.id, place.unit, "co", where, (word,)))
                fired.append(place.id)

        suggestion = Suggestion(lead=lead, co_units=tuple(co), rules=tuple(fired))
        return SuggestionDetail(suggestion, tuple(hits))

    def suggest(
        self, title: str, text: str = "", chapter_title: str = "", kind: str = ""
    ) -> Suggestion:
        return self.explain(title, text, chapter_title, kind).suggestion


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def rules_path(path: str | os.PathLike[str] | None = None) -> Path:
    if path is not None:
        return Path(path)
    env = os.environ.get(RULES_ENV)
    return Path(env) if env else bundled("rules.toml")


_RULE_KEYS = ("id", "match", "lead", "co", "exclude", "weight", "cross_cutting")
_PLACE_KEYS = ("id", "unit", "match", "standalone", "not_followed_by")


def load_rules(
    path: str | os.PathLike[str] | None = None, directory: UnitDirectory | None = None
) -> RuleSet:
    """Read and validate a rule file; every unit must resolve in ``directory``."""
    file = rules_path(path)
    data = read_toml(file)
    units = directory if directory is not None else default_directory()

    def bad(detail: str, needle: str | None) -> InvalidInputError:
        return InvalidInputError(
            t("rules.bad", file=file, line=line_of(file, needle) if needle else 0, detail=detail),
            hint=t("rules.bad.hint", file=file),
        )

    for key in data:
        if key not in ("places", "rule", "place"):
            raise bad(t("rules.bad.top", name=key), key)

    def text_field(entry: dict[str, Any], name: str, rule: str, needle: str) -> str:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise bad(
                t("rules.bad.field", rule=rule, name=name, expected=t("rules.expect.text")), needle
            )
        return value.strip()

    def list_field(
        entry: dict[str, Any], name: str, rule: str, needle: str, *, required: bool = False
    ) -> tuple[str, ...]:
        value = entry.get(name, None if required else [])
        if (
            not isinstance(value, list)
            or (required and not value)
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise bad(
                t("rules.bad.field", rule=rule, name=name, expected=t("rules.expect.list")), needle
            )
        return tuple(dict.fromkeys(prepare(v) for v in value))

    def unit_of(name: str, rule: str, needle: str) -> str:
        try:
            return units.resolve(name).short
        except LctasksError as exc:
            raise bad(
                t("rules.bad.unit", rule=rule, unit=name, detail=exc.message), needle
            ) from None

    def entries(key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            raise bad(t("rules.bad.top", name=key), key)
        return value

    seen: set[str] = set()

    def ident(entry: dict[str, Any], number: int, kind: str, allowed: tuple[str, ...]) -> str:
        rule_id = text_field(entry, "id", f"#{number}", f"[[{kind}]]")
        needle = f'"{rule_id}"'
        if rule_id in seen:
            raise InvalidInputError(
                t(
                    "rules.bad",
                    file=file,
                    line=line_of(file, needle, last=True),
                    detail=t("rules.bad.duplicate", rule=rule_id),
                ),
                hint=t("rules.bad.hint", file=file),
            )
        seen.add(rule_id)
        for key in entry:
            if key not in allowed:
                raise bad(
                    t("rules.bad.key", rule=rule_id, name=key, allowed=", ".join(allowed)), needle
                )
        return rule_id

    rules = []
    for number, entry in enumerate(entries("rule"), start=1):
        rule_id = ident(entry, number, "rule", _RULE_KEYS)
        needle = f'"{rule_id}"'
        weight = entry.get("weight", 10)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise bad(
                t(
                    "rules.bad.field",
                    rule=rule_id,
                    name="weight",
                    expected=t("rules.expect.weight"),
                ),
                needle,
            )
        lead_name = text_field(entry, "lead", rule_id, needle)
        rules.append(
            Rule(
                id=rule_id,
                match=list_field(entry, "match", rule_id, needle, required=True),
                lead=unit_of(lead_name, rule_id, f'"{lead_name}"'),
                co=tuple(
                    unit_of(u, rule_id, f'"{u}"') for u in list_field(entry, "co", rule_id, needle)
                ),
                exclude=list_field(entry, "exclude", rule_id, needle),
                weight=float(weight),
                line=line_of(file, needle),
                cross_cutting=entry.get("cross_cutting") is True,
            )
        )

    places = []
    for number, entry in enumerate(entries("place"), start=1):
        place_id = ident(entry, number, "place", _PLACE_KEYS)
        needle = f'"{place_id}"'
        unit_name = text_field(entry, "unit", place_id, needle)
        match = list_field(entry, "match", place_id, needle, required=True)
        places.append(
            PlaceRule(
                id=place_id,
                unit=unit_of(unit_name, place_id, f'"{unit_name}"'),
                match=match,
                standalone=list_field(entry, "standalone", place_id, needle),
                not_followed_by=list_field(entry, "not_followed_by", place_id, needle),
                line=line_of(file, needle),
            )
        )

    section = data.get("places", {})
    if not isinstance(section, dict) or set(section) - {"allowed_before", "local_lead"}:
        raise bad(t("rules.bad.top", name="places"), "[places]")
    allowed_before = list_field(section, "allowed_before", "[places]", "allowed_before")
    local_lead = list_field(section, "local_lead", "[places]", "local_lead")
    return RuleSet(rules, places, allowed_before=allowed_before, local_lead=local_lead, path=file)


# (file, mtime, id(directory)) -> (directory, rules); holding the directory keeps its id unique
_CACHE: dict[tuple[str, int, int], tuple[UnitDirectory, RuleSet]] = {}


def default_rules(directory: UnitDirectory | None = None) -> RuleSet:
    """The rule set in effect (``$LCTASKS_RULES`` or the bundled file), loaded once per version."""
    units = directory if directory is not None else default_directory()
    file = rules_path()
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        mtime = 0
    key = (str(file), mtime, id(units))
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) > 8:
            _CACHE.clear()
        hit = _CACHE[key] = (units, load_rules(file, units))
    return hit[1]


def suggest(
    title: str,
    text: str = "",
    chapter_title: str = "",
    directory: UnitDirectory | None = None,
    *,
    rules: RuleSet | None = None,
    kind: str = "",
) -> Suggestion:
    """Suggested lead and co-units for a task, with the ids of the rules that fired."""
    return (rules or default_rules(directory)).suggest(title, text, chapter_title, kind)


def explain_suggestion(
    title: str,
    text: str = "",
    chapter_title: str = "",
    directory: UnitDirectory | None = None,
    *,
    rules: RuleSet | None = None,
    kind: str = "",
) -> SuggestionDetail:
    """Like ``suggest`` with the rule, place and words behind each unit."""
    return (rules or default_rules(directory)).explain(title, text, chapter_title, kind)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lctasks.suggest [FILE]``: check a rule file; ``--try TITLE`` tries one title."""
    args = list(sys.argv[1:] if argv is None else argv)
    trial = None
    if "--try" in args:
        at = args.index("--try")
        trial = args[at + 1] if at + 1 < len(args) else ""
        del args[at : at + 2]
    try:
        ruleset = load_rules(args[0] if args else None)
    except LctasksError as exc:
        print(f"{t('error')}: {exc.message}\n{t('hint')}: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    if trial is not None:
        for line in ruleset.explain(trial).reasons():
            print(line)
        return 0
    for rule in ruleset.rules:
        extra = f" + {'、'.join(rule.co)}" if rule.co else ""
        print(f"{rule.id}\t{rule.lead}{extra}\t{'、'.join(rule.match)}")
    for place in ruleset.places:
        print(f"{place.id}\t{place.unit}\t{'、'.join(place.match)}")
    print(
        f"# {len(ruleset.rules)} rules, {len(ruleset.places)} places from {ruleset.path}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
