"""Settings: warning-light thresholds, report cadence, language, TUI keymap.

Read in layers, each overriding the keys it sets:

1. ``plan_data/settings.toml`` (bundled defaults, documented there);
2. the user's file ``platformdirs.user_config_path("lctasks") / "settings.toml"``
   (``~/.config/lctasks/settings.toml`` on Linux), when it exists;
3. the file named by ``$LCTASKS_CONFIG`` (must exist).

A broken file, an unknown key or a bad value raises InvalidInputError naming the
file and the line. Standard library (the user's folder: ``lctasks.userdirs``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lctasks.domain import InvalidInputError, NotFoundError
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t
from lctasks.resources import bundled, line_of, line_of_key, read_toml

CONFIG_ENV = "LCTASKS_CONFIG"
CADENCES = ("monthly", "quarterly", "weekly")
LANGUAGES = ("zh", "en")

MESSAGES.add(
    {
        "config.bad": (
            "配置文件 {file} 第 {line} 行：{detail}",
            "settings {file}, line {line}: {detail}",
        ),
        "config.bad.hint": (
            "按 {bundled} 中的说明修改该文件",
            "fix the file as explained in {bundled}",
        ),
        "config.unknown": (
            "未知设置项 {name}（可用：{allowed}）",
            "unknown setting {name} (allowed: {allowed})",
        ),
        "config.int": (
            "{name} 必须是不小于 0 的整数，而不是 {value!r}",
            "{name} must be a whole number of at least 0, not {value!r}",
        ),
        "config.fraction": (
            "{name} 必须是 0 到 1 之间的小数（如 0.05 表示 5%），而不是 {value!r}",
            "{name} must be a fraction from 0 to 1 (0.05 = 5 %), not {value!r}",
        ),
        "config.choice": (
            "{name} 必须是 {allowed} 之一，而不是 {value!r}",
            "{name} must be one of {allowed}, not {value!r}",
        ),
        "config.timezone": (
            "{name} 必须是 IANA 时区名（如 Asia/Shanghai），而不是 {value!r}",
            "{name} must be an IANA time zone name (such as Asia/Shanghai), not {value!r}",
        ),
        "config.table": ("[{name}] 必须是一个表", "[{name}] must be a table"),
        "config.keymap": (
            '[keymap] 中 {name} 的值必须是按键字符串，例如 "ctrl+k"',
            '[keymap] {name} must be a key string such as "ctrl+k"',
        ),
        "config.order": (
            "yellow_behind_points（{yellow}）不能大于 red_behind_points（{red}）",
            "yellow_behind_points ({yellow}) cannot exceed red_behind_points ({red})",
        ),
        "config.missing": (
            "找不到 {env} 指定的配置文件：{file}",
            "the settings file named by {env} does not exist: {file}",
        ),
        "config.missing.hint": (
            "检查路径，或删除 {env} 环境变量",
            "check the path, or unset {env}",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. Defaults equal the bundled ``settings.toml``."""

    yellow_days: int = 7
    yellow_behind_points: int = 10
    red_behind_points: int = 30
    report_cadence: str = "monthly"  # monthly | quarterly | weekly
    report_grace_days: int = 0
    about_tolerance: float = 0.05  # 左右: a value within 5 % of the expected one meets it
    language: str = "zh"
    timezone: str = "Asia/Shanghai"  # the office's zone: "today", day/month boundaries
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sources: tuple[str, ...] = ()  # the files read, in order (for `lctasks config`)


# TOML layout: table -> key -> Settings field ("" = top level)
_LAYOUT: dict[str, dict[str, str]] = {
    "": {"language": "language", "timezone": "timezone"},
    "lights": {
        "yellow_days": "yellow_days",
        "yellow_behind_points": "yellow_behind_points",
        "red_behind_points": "red_behind_points",
    },
    "reports": {"cadence": "report_cadence", "grace_days": "report_grace_days"},
    "indicators": {"about_tolerance": "about_tolerance"},
}
_FRACTION_FIELDS = {"about_tolerance"}
_INT_FIELDS = {"yellow_days", "yellow_behind_points", "red_behind_points", "report_grace_days"}


def user_settings_path() -> Path:
    """The user's own settings file (it need not exist)."""
    from lctasks.userdirs import user_dir

    return user_dir("config") / "settings.toml"


def settings_files() -> list[Path]:
    """The files that ``load_settings()`` reads, in order."""
    files = [bundled("settings.toml")]
    user = user_settings_path()
    if user.is_file():
        files.append(user)
    env = os.environ.get(CONFIG_ENV)
    if env:
        path = Path(env)
        if not path.is_file():
            raise NotFoundError(
                t("config.missing", env=CONFIG_ENV, file=path),
                hint=t("config.missing.hint", env=CONFIG_ENV),
            )
        files.append(path)
    return files


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from the layered files; with ``path``, the bundled file then ``path`` only."""
    files = [bundled("settings.toml"), Path(path)] if path is not None else settings_files()
    settings = Settings()
    memo = _parsed_memo()
    loaded = dict(memo)
    for file in dict.fromkeys(files):
        settings = _apply(settings, file, read_toml(file, memo))
    _check_order(settings, files)
    kept = {str(f): memo[str(f)] for f in files if str(f) in memo}  # these files only
    if kept != loaded:
        _save_parsed_memo(kept)
    return settings


# The settings files as last parsed (path -> [text, values]), in the user's cache folder:
# every CLI call reads them, and a file whose text is unchanged is not parsed again
# (resources.read_toml). Deleting the file is harmless.
SETTINGS_MEMO = "settings.json"


def _parsed_memo() -> dict[str, Any]:
    from lctasks.userdirs import read_cache_json

    memo = read_cache_json(SETTINGS_MEMO)
    return memo if isinstance(memo, dict) else {}


def _save_parsed_memo(memo: dict[str, Any]) -> None:
    from lctasks.userdirs import write_cache_json

    write_cache_json(SETTINGS_MEMO, memo)


def settings_of(holder: Any) -> Settings:
    """``holder.settings`` (a service context's), loaded from the files on first use."""
    if not isinstance(holder.settings, Settings):
        holder.settings = load_settings()
    settings: Settings = holder.settings
    return settings


def apply_language(settings: Settings | None = None) -> str:
    """Set the messages' language for this process (the entry points call it once).

    ``$LCTASKS_LANG`` wins, else the settings' ``language``; a settings file that
    cannot be read leaves Chinese (the error is reported where settings are used).
    """
    from lctasks.domain import LctasksError
    from lctasks.i18n import ZH, language, set_language

    value = os.environ.get("LCTASKS_LANG", "")
    if not value:
        try:
            value = (settings or load_settings()).language
        except LctasksError:
            value = ZH
    set_language(value)
    return language()


def _bad(file: Path, line: int, detail: str) -> InvalidInputError:
    return InvalidInputError(
        t("config.bad", file=file, line=line, detail=detail),
        hint=t("config.bad.hint", bundled=bundled("settings.toml")),
    )


def _apply(settings: Settings, file: Path, data: dict[str, Any]) -> Settings:
    changes: dict[str, Any] = {}
    keymap = dict(settings.keymap)
    allowed_top = sorted([*_LAYOUT[""], *[k for k in _LAYOUT if k], "keymap"])
    for name, value in data.items():
        if name == "keymap":
            if not isinstance(value, dict):
                raise _bad(file, line_of_key(file, name), t("config.table", name=name))
            for action, keys in value.items():
                if not isinstance(keys, str) or not keys.strip():
                    raise _bad(file, line_of_key(file, action), t("config.keymap", name=action))
                keymap[str(action)] = keys.strip()
        elif name in _LAYOUT and name:
            if not isinstance(value, dict):
                raise _bad(file, line_of_key(file, name), t("config.table", name=name))
            for key, item in value.items():
                target = _LAYOUT[name].get(key)
                if target is None:
                    allowed = ", ".join(_LAYOUT[name])
                    raise _bad(
                        file,
                        line_of_key(file, key),
                        t("config.unknown", name=f"{name}.{key}", allowed=allowed),
                    )
                changes[target] = _value(file, f"{name}.{key}", key, target, item)
        elif name in _LAYOUT[""]:
            changes[_LAYOUT[""][name]] = _value(file, name, name, _LAYOUT[""][name], value)
        else:
            line = line_of_key(file, name) or line_of(file, f"[{name}]")
            raise _bad(file, line, t("config.unknown", name=name, allowed=", ".join(allowed_top)))
    return replace(
        settings,
        **changes,
        keymap=MappingProxyType(keymap),
        sources=(*settings.sources, str(file)),
    )


def _value(file: Path, label: str, key: str, target: str, value: Any) -> Any:
    line = line_of_key(file, key)
    if target in _FRACTION_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            raise _bad(file, line, t("config.fraction", name=label, value=value))
        return float(value)
    if target in _INT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _bad(file, line, t("config.int", name=label, value=value))
        return value
    if target == "timezone":
        if not isinstance(value, str) or not _zone_exists(value):
            raise _bad(file, line, t("config.timezone", name=label, value=value))
        return value
    choices = CADENCES if target == "report_cadence" else LANGUAGES
    if value not in choices:
        raise _bad(
            file, line, t("config.choice", name=label, allowed="/".join(choices), value=value)
        )
    return value


def _zone_exists(name: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def _check_order(settings: Settings, files: list[Path]) -> None:
    if settings.yellow_behind_points > settings.red_behind_points:
        # blame the last file that sets either threshold
        for file in reversed(files):
            line = line_of_key(file, "yellow_behind_points") or line_of_key(
                file, "red_behind_points"
            )
            if line:
                break
        raise _bad(
            file,
            line,
            t(
                "config.order",
                yellow=settings.yellow_behind_points,
                red=settings.red_behind_points,
            ),
        )
