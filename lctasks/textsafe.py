"""Text from the data, made safe to show on a terminal; size limits on input.

A note, a person's name or an applied file may hold control characters: ESC
starts terminal sequences (set the window title, clear the screen, move the
cursor), a carriage return overwrites a line, U+202E reverses what follows.
lctasks stores what was entered unchanged, and shows every such character as a
visible escape (``\\x1b``, ``\\r``, ``\\u202e``) in every human output: CLI
tables and messages, errors, previews, the TUI. Newlines and tabs stay (a
single-line cell shows them as ``\\n`` / ``\\t`` with ``one_line``).

JSON output stays JSON: ``json.dumps`` already escapes C0 controls; ``json_text``
also escapes C1 controls and direction overrides (the decoded value is equal).

Standard library only (the CLI fast path imports it).
"""

from __future__ import annotations

import os
import re
import stat
from typing import BinaryIO, TypeVar

from lctasks.domain import InvalidInputError
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t

T = TypeVar("T")

# C0 controls but newline and tab, DEL, C1 controls (U+0080-U+009F: U+009B is a
# one-character CSI on some terminals), and the bidirectional overrides/isolates
_CONTROLS = [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F] + list(range(0x80, 0xA0))
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_NAMED = {0x0D: "\\r", 0x1B: "\\x1b"}


def _escape(code: int) -> str:
    if code in _NAMED:
        return _NAMED[code]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_VISIBLE = {c: _escape(c) for c in [*_CONTROLS, *_BIDI]}
_ONE_LINE = {**_VISIBLE, 0x0A: "\\n", 0x09: "\\t"}
_JSON = {c: f"\\u{c:04x}" for c in [*range(0x7F, 0xA0), *_BIDI, 0x2028, 0x2029]}


_FOUND: dict[int, re.Pattern[str]] = {}


def _translate(text: str, table: dict[int, str]) -> str:
    """``text.translate(table)``, after a regular-expression look for any of its
    characters: translating a 20 MB JSON document character by character through a
    dict takes seconds, searching it a few milliseconds (and it almost never holds one)."""
    found = _FOUND.get(id(table))
    if found is None:
        chars = "".join(re.escape(chr(c)) for c in table)
        found = _FOUND[id(table)] = re.compile(f"[{chars}]")
    return text.translate(table) if found.search(text) else text


def visible(text: str) -> str:
    """``text`` with every control character shown as an escape; newlines and tabs kept."""
    return _translate(text, _VISIBLE)


def one_line(text: str) -> str:
    """Like :func:`visible`, and newlines and tabs shown too (table cells, titles)."""
    return _translate(text, _ONE_LINE)


def json_text(serialized: str) -> str:
    """A ``json.dumps(..., ensure_ascii=False)`` result with C1/bidi characters escaped.

    Those characters only occur inside JSON strings, where ``\\uXXXX`` means the
    same character, so the document decodes to the same value.
    """
    return _translate(serialized, _JSON)


# ---------------------------------------------------------------------------
# Size limits (documented in README, "Limits"): refused before parsing
# ---------------------------------------------------------------------------

MAX_TEXT_CHARS = 10_000  # one note, reason, report text, evidence (the plan's longest line: 576)
MAX_FILE_BYTES = 64 * 1024 * 1024  # a snapshot, settings, ID list or plan file
MAX_NESTING = 32  # arrays / inline tables inside each other in a TOML file
MAX_KEY_PARTS = 16  # parts of one dotted TOML key (a.b.c has 3)

MESSAGES.add(
    {
        "limit.not_regular": (
            "{path} 不是普通文件（管道、设备或目录），lctasks 不读取它",
            "{path} is not a regular file (a pipe, device or directory); lctasks does not read it",
        ),
        "limit.not_regular.hint": (
            "给出普通文件；要从管道读入请用 -（标准输入）",
            "give a regular file; to read from a pipe use - (standard input)",
        ),
        "limit.file": (
            "{path} 有 {size} 字节，超过上限 {limit} 字节",
            "{path} has {size} bytes, more than the limit of {limit}",
        ),
        "limit.file.hint": (
            "lctasks 读取的文件最大 64 MiB；检查是不是选错了文件",
            "files lctasks reads are at most 64 MiB; check that this is the right file",
        ),
        "limit.nesting": (
            "{where}：数组或表嵌套超过 {limit} 层",
            "{where}: arrays or tables nested more than {limit} deep",
        ),
        "limit.key_parts": (
            "{where}：一个键由超过 {limit} 段（a.b.c…）组成",
            "{where}: a key with more than {limit} dotted parts (a.b.c…)",
        ),
        "limit.toml.hint": (
            "lctasks 写出的文件远在这些上限之内；检查文件是否被改坏",
            "files lctasks writes stay far inside these limits; check the file was not damaged",
        ),
        "limit.field": ("文字", "the text"),
        "limit.text": (
            "{field}有 {size} 个字符，超过上限 {limit}",
            "{field} has {size} characters, more than the limit of {limit}",
        ),
        "limit.text.hint": (
            "写要点，长材料请作为附件另行保存，在文字中注明编号",
            "keep it short; file long material separately and cite its number",
        ),
    }
)


def read_file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file lctasks is given, refusing non-regular files and big ones.

    Looks first (``os.stat`` does not block on a FIFO, ``open`` would), then
    reads at most the limit. FileNotFoundError and other OSErrors pass on.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInputError(
            t("limit.not_regular", path=path), hint=t("limit.not_regular.hint"), ids=(str(path),)
        )
    if st.st_size > MAX_FILE_BYTES:
        raise InvalidInputError(
            t("limit.file", path=path, size=st.st_size, limit=MAX_FILE_BYTES),
            hint=t("limit.file.hint"),
        )
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # grew while we looked
        raise InvalidInputError(
            t("limit.file", path=path, size=len(data), limit=MAX_FILE_BYTES),
            hint=t("limit.file.hint"),
        )
    return data


def read_stream_bytes(stream: BinaryIO, name: str = "<stdin>") -> bytes:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(
            t("limit.file", path=name, size=f"> {MAX_FILE_BYTES}", limit=MAX_FILE_BYTES),
            hint=t("limit.file.hint"),
        )
    return data


def check_toml_shape(text: str, name: str = "<toml>") -> None:
    """Refuse TOML nested deeper than MAX_NESTING or with keys of more than
    MAX_KEY_PARTS parts, before ``tomllib`` sees it (it recurses, and is slow on
    very long dotted keys). Strings and comments are skipped; a dot between
    two digits (a float) is not a key separator.
    """
    if len(text) > MAX_FILE_BYTES:
        raise InvalidInputError(
            t("limit.file", path=name, size=len(text.encode()), limit=MAX_FILE_BYTES),
            hint=t("limit.file.hint"),
        )
    depth = dots = 0
    line = 1
    for m in re.finditer(_TOML_TOKEN, text):
        tok = m.group()
        if len(tok) > 1:  # a string or a comment
            line += tok.count("\n")
            continue
        if tok == "\n":
            line += 1
            dots = 0
        elif tok in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise InvalidInputError(
                    t("limit.nesting", where=f"{name}:{line}", limit=MAX_NESTING),
                    hint=t("limit.toml.hint"),
                )
        elif tok in "]}":
            depth = max(depth - 1, 0)
        elif tok in "=,":
            dots = 0
        else:  # "."
            i = m.start()
            if not (text[i - 1 : i].isdigit() and text[i + 1 : i + 2].isdigit()):
                dots += 1
                if dots >= MAX_KEY_PARTS:
                    raise InvalidInputError(
                        t("limit.key_parts", where=f"{name}:{line}", limit=MAX_KEY_PARTS),
                        hint=t("limit.toml.hint"),
                    )


# compiled by re on first use (a settings file already parsed is not scanned again)
_TOML_TOKEN = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''[\s\S]*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}=,.\n]"
)


def check_text(value: object, field: str) -> None:
    """Refuse a text longer than MAX_TEXT_CHARS (strings inside lists/dicts too)."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            raise InvalidInputError(
                t("limit.text", field=field, size=len(value), limit=MAX_TEXT_CHARS),
                hint=t("limit.text.hint"),
            )
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text(v, f"{field}.{k}")
    elif isinstance(value, list | tuple):
        for v in value:
            check_text(v, field)


def shown(value: T) -> T:
    """``value`` (a str, or dataclasses / tuples / lists / dicts holding strs) for display.

    Every str inside is passed through :func:`visible`; other values are kept.
    For one object at a time (a task's detail), not for long lists.
    """
    import dataclasses

    v: object = value
    if isinstance(v, str):
        return visible(v)  # type: ignore[return-value]
    if isinstance(v, tuple):
        return type(v)(shown(x) for x in v) if type(v) is tuple else v  # type: ignore[return-value]
    if isinstance(v, list):
        return [shown(x) for x in v]  # type: ignore[return-value]
    if isinstance(v, dict):
        return {k: shown(x) for k, x in v.items()}  # type: ignore[return-value]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        changes = {}
        for f in dataclasses.fields(v):
            if not f.init:
                continue
            old = getattr(v, f.name)
            new = shown(old)
            if new is not old and new != old:
                changes[f.name] = new
        return dataclasses.replace(v, **changes) if changes else value  # type: ignore[type-var,return-value]
    return value
