"""Where the bundled data files live, and reading TOML with useful errors.

Standard library only. The editable data (owner units, suggestion rules,
settings, the plan text) lives in ``plan_data/`` beside the package so staff
can correct it without a release.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from lctasks.domain import InvalidInputError, NotFoundError
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t
from lctasks.textsafe import check_toml_shape, read_file_bytes


def _plan_data_dir() -> Path:
    """Where the editable data lives: ``$LCTASKS_PLAN_DATA``; else ``plan_data/`` beside
    the package (a checkout or an editable install: the folder staff edit); else the
    copy a wheel installs as data files, ``<prefix>/share/lctasks/plan_data``."""
    env = os.environ.get("LCTASKS_PLAN_DATA")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent / "plan_data"
    if (checkout / "units.toml").is_file():
        return checkout
    import site
    import sysconfig

    for base in (sysconfig.get_path("data"), site.getuserbase(), sys.prefix):
        installed = Path(base) / "share" / "lctasks" / "plan_data"
        if installed.is_dir():
            return installed
    return checkout  # not found: the error names this path


PLAN_DATA_DIR = _plan_data_dir()

MESSAGES.add(
    {
        "toml.broken": (
            "TOML 文件格式错误：{file} 第 {line} 行：{detail}",
            "malformed TOML in {file} at line {line}: {detail}",
        ),
        "toml.broken.hint": (
            "用文本编辑器打开该文件，修正第 {line} 行"
            "（字符串要加英文双引号，表头写成 [[unit]] 这样的形式）",
            "open the file in a text editor and fix line {line} (strings need double quotes, "
            "tables look like [[unit]])",
        ),
        "toml.missing": ("找不到文件：{file}", "file not found: {file}"),
        "toml.missing.hint": (
            "检查路径，或删除对应的环境变量以使用内置文件",
            "check the path, or unset the environment variable to use the bundled file",
        ),
    }
)

_AT_LINE = r"\(at line (\d+), column \d+\)"  # compiled on first use (an error)


def bundled(name: str) -> Path:
    """The path of a bundled data file, e.g. ``bundled("units.toml")``."""
    return PLAN_DATA_DIR / name


def read_toml(path: Path, memo: dict[str, Any] | None = None) -> dict[str, Any]:
    """Parse a TOML file; a broken file gives InvalidInputError naming file and line.

    With ``memo`` (path -> [text, parsed], e.g. kept in a cache file by the caller), a
    file whose text is what ``memo`` holds is not parsed again: the settings are read
    on every CLI call, and tomllib (with typing and its patterns) is ~3 ms of a
    40 ms ``lctasks show``. A parse whose values JSON cannot hold is not memoised.
    """
    try:
        raw = read_file_bytes(path)  # a FIFO or > 64 MiB: refused before reading
    except FileNotFoundError:
        raise NotFoundError(t("toml.missing", file=path), hint=t("toml.missing.hint")) from None
    except OSError as exc:
        raise InvalidInputError(
            t("toml.broken", file=path, line=0, detail=exc.strerror or str(exc)),
            hint=t("toml.missing.hint"),
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInputError(
            t("toml.broken", file=path, line=line, detail="not UTF-8"),
            hint=t("toml.broken.hint", line=line),
        ) from None
    if memo is not None:
        hit = memo.get(str(path))
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == text:
            found: dict[str, Any] = hit[1]
            return found
    check_toml_shape(text, str(path))
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(_AT_LINE, message)
        if match:
            line = int(match.group(1))
        elif "end of document" in message:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
        else:
            line = 0
        detail = re.sub(_AT_LINE, "", message).replace("(at end of document)", "").strip()
        raise InvalidInputError(
            t("toml.broken", file=path, line=line, detail=detail),
            hint=t("toml.broken.hint", line=line),
        ) from None
    if memo is not None and _plain(data):
        memo[str(path)] = [text, data]
    return data


def _plain(value: Any) -> bool:
    """Values that come back from JSON as they went in (no dates, no NaN)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return value is None or isinstance(value, (str, int, bool))


def line_of(path: Path, needle: str, *, last: bool = False) -> int:
    """1-based line of the first (or last) occurrence of ``needle`` in the file (0 if absent).

    tomllib gives no positions for values, so semantic errors (an unknown unit
    in a rule) locate the offending value this way.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0
    at = text.rfind(needle) if last else text.find(needle)
    return 0 if at < 0 else text.count("\n", 0, at) + 1


def line_of_key(path: Path, key: str) -> int:
    """1-based line where ``key = ...`` is written (0 if absent), for error messages."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=", re.M)
    match = pattern.search(text)
    return 0 if match is None else text.count("\n", 0, match.start()) + 1
