"""Reading a plan file and repairing the defects of its print conversion.

Decoding: UTF-8 (with or without a BOM) first, then GB18030 (a superset of GBK
and GB2312), both strict. No guessing library: a file that is neither is
refused (InvalidInputError) with the encodings that were tried; a missing file
is NotFoundError. Line ends CRLF / CR become LF.

Repairs applied to every line of text the parser keeps (``normalise_line``);
the plan tree holds the repaired words, the file itself is never changed:

- ``**bold**`` markers are removed;
- ``and`` printed between two Chinese characters (three places: ``精神 and
  聊城市委``, ``棚户区 and 老旧小区``, ``规模 and 市场份额``) is the conversion's
  rendering of 和 and becomes 和;
- spaces are removed unless both neighbours are ASCII letters or digits:
  ``到 2025 年`` → ``到2025年``, ``莘 县`` → ``莘县``, ``5G 网络`` → ``5G网络``,
  while a space between Latin words or numbers (``12 34``) is kept;
- the place-name typos 荏平 / 在平 / 聊荏东 for 茌平 / 聊茌东 are corrected
  (``在平`` only when followed by 区, 县, 、, ，or 高铁, because 在平 is also
  ordinary text as in 在平台上 / 在平安; ``荏`` everywhere except in 荏苒).
  In the bundled plan this changes five places, lines 139, 736 and 738.
"""

from __future__ import annotations

import re
from pathlib import Path

from lctasks.domain import InvalidInputError, NotFoundError
from lctasks.i18n import CORE as MESSAGES
from lctasks.i18n import t
from lctasks.textsafe import read_file_bytes

MESSAGES.add(
    {
        "plan.undecodable": (
            "无法解码规划文本 {file}：已尝试 {encodings} 编码",
            "cannot decode the plan text {file}: tried {encodings}",
        ),
        "plan.undecodable.hint": (
            "请将文件另存为 UTF-8 或 GB18030（GBK）编码的纯文本后重试",
            "save the file as plain text in UTF-8 or GB18030 (GBK) and try again",
        ),
        "plan.missing": ("找不到规划文本文件：{file}", "plan text file not found: {file}"),
        "plan.missing.hint": (
            "请检查路径；不给文件时使用内置的聊城市“十四五”规划",
            "check the path; without a file the bundled Liaocheng plan is used",
        ),
        "plan.unreadable": (
            "无法读取规划文本文件 {file}：{detail}",
            "cannot read the plan text file {file}: {detail}",
        ),
        "plan.unreadable.hint": ("请检查文件权限", "check the file's permissions"),
        "plan.not_text": (
            "规划文本必须是已解码的字符串：{file}",
            "the plan text must be a decoded string: {file}",
        ),
        "plan.not_text.hint": (
            "先用 lctasks.plan.read_plan_text() 读取文件",
            "read the file with lctasks.plan.read_plan_text() first",
        ),
        "plan.no_chapters": (
            "这不是可识别的规划文本：没有找到任何“第X章”标题",
            "this is not a plan text: no chapter heading (第X章) was found",
        ),
        "plan.no_chapters.hint": (
            "请确认文件是规划纲要全文（含“第一篇”“第一章”等标题）",
            "check that the file is the full plan text, with its 第一篇 / 第一章 headings",
        ),
    }
)

ENCODINGS = ("utf-8-sig", "gb18030")

_BOLD = re.compile(r"\*\*")
_AND = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000\xa0]*\band\b[ \t\u3000\xa0]*(?=[\u4e00-\u9fff])")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_TYPOS = (
    (re.compile(r"荏(?!苒)"), "茌"),
    (re.compile(r"在平(?=[区县、，]|高铁)"), "茌平"),
)


def decode_plan_bytes(data: bytes, name: str = "") -> tuple[str, list[str]]:
    """Decode and normalise line ends. Returns (text, notes about what was done)."""
    notes: list[str] = []
    text: str | None = None
    for enc in ENCODINGS:
        try:
            text = data.decode(enc, errors="strict")
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            notes.append(
                "encoding=utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else "encoding=utf-8"
            )
        else:
            notes.append(f"encoding={enc}")
        break
    if text is None:
        where = name or "<bytes>"
        raise InvalidInputError(
            t("plan.undecodable", file=where, encodings=", ".join(ENCODINGS)),
            hint=t("plan.undecodable.hint"),
        )
    if "\r" in text:
        crlf = text.count("\r\n")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append(f"line-ends=CRLF→LF ({crlf})" if crlf else "line-ends=CR→LF")
    return text, notes


def read_plan_text(path_or_bytes: str | Path | bytes) -> tuple[str, list[str]]:
    """Read a plan file (or raw bytes) and return (normalised text, notes).

    ``notes`` says which encoding was used and what line-end conversion
    happened, e.g. ``["encoding=gb18030", "line-ends=CRLF→LF (1195)"]``.
    """
    if isinstance(path_or_bytes, bytes):
        return decode_plan_bytes(path_or_bytes)
    path = Path(path_or_bytes)
    try:
        data = read_file_bytes(path)  # a FIFO or > 64 MiB: refused before reading
    except FileNotFoundError as exc:
        raise NotFoundError(t("plan.missing", file=path), hint=t("plan.missing.hint")) from exc
    except OSError as exc:
        raise InvalidInputError(
            t("plan.unreadable", file=path, detail=exc.strerror or exc),
            hint=t("plan.unreadable.hint"),
        ) from exc
    return decode_plan_bytes(data, str(path))


def squeeze_spaces(s: str) -> str:
    """Drop spaces except between two ASCII letters/digits (kept as one space)."""

    def repl(m: re.Match[str]) -> str:
        a = s[m.start() - 1] if m.start() > 0 else ""
        b = s[m.end()] if m.end() < len(s) else ""
        if a and b and a.isascii() and b.isascii() and a.isalnum() and b.isalnum():
            return " "
        return ""

    return _SPACES.sub(repl, s)


def fix_typos(s: str) -> str:
    for pattern, good in _TYPOS:
        s = pattern.sub(good, s)
    return s


def normalise_line(s: str) -> str:
    """All repairs for one line (or a paragraph joined from several lines)."""
    if "*" in s:
        s = _BOLD.sub("", s)
    if "and" in s:
        s = _AND.sub("和", s)
    if _SPACES.search(s):
        s = squeeze_spaces(s)
    if "荏" in s or "在平" in s:
        s = fix_typos(s)
    return s
