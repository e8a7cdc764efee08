"""The history anchor: which point of the hash-chained event log a file was made from.

Every workbook, meeting pack and notice carries one line of text::

    lctasks-history: plan=LC-14-5 seq=1234 hash=9f2c…(64 hex) as_of=2025-06-30

* workbook (.xlsx): cell B2 of the very hidden sheet ``_lctasks`` (key ``anchor`` in
  A2) and the custom document property ``lctasks-history``;
* meeting pack (.html): ``<meta name="lctasks-history" content="…">`` and the cover;
* notice (.docx): the document's core property *comments* and its last paragraph.

``read_anchor(path)`` finds it in any of the three; ``lctasks log --verify --against
FILE`` can then check that event ``seq`` still has ``hash``. ``seq=0`` and an empty
hash mean "made from an empty ledger".
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lctasks.domain import InvalidInputError
from lctasks.i18n import MESSAGES, t

MESSAGES.update(
    {
        "anchor.none": (
            "{file} 中没有台账历史锚点（lctasks-history）",
            "{file} carries no ledger history anchor (lctasks-history)",
        ),
    }
)

PREFIX = "lctasks-history"
META_NAME = PREFIX  # the HTML <meta name> and the workbook's custom property
_RE = re.compile(
    r"lctasks-history:\s*plan=(?P<plan>\S*)\s+seq=(?P<seq>\d+)\s+hash=(?P<hash>[0-9a-f]*)"
    r"(?:\s+as_of=(?P<as_of>\d{4}-\d{2}-\d{2}))?"
)


@dataclass(frozen=True, slots=True)
class Anchor:
    plan: str
    seq: int
    hash: str
    as_of: dt.date | None = None

    def text(self) -> str:
        day = f" as_of={self.as_of.isoformat()}" if self.as_of else ""
        return f"{PREFIX}: plan={self.plan} seq={self.seq} hash={self.hash}{day}"


def parse_anchor(text: str) -> Anchor | None:
    """The first anchor line in ``text`` (None when there is none)."""
    m = _RE.search(text)
    if m is None:
        return None
    day = dt.date.fromisoformat(m["as_of"]) if m["as_of"] else None
    return Anchor(m["plan"], int(m["seq"]), m["hash"], day)


def read_anchor(path: str | os.PathLike[str]) -> Anchor:
    """The anchor a pack (.html), workbook (.xlsx) or notice (.docx) carries.

    Raises InvalidInputError when the file has none.
    """
    p = Path(path)
    found: Anchor | None = None
    if zipfile.is_zipfile(p):
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
        if "xl/workbook.xml" in names:
            found = _xlsx_anchor(p)
        elif "word/document.xml" in names:
            import docx  # python-docx: only for a notice

            found = parse_anchor(docx.Document(str(p)).core_properties.comments or "")
    else:
        found = parse_anchor(p.read_text(encoding="utf-8", errors="replace"))
    if found is None:
        raise InvalidInputError(t("anchor.none", file=p.name))
    return found


def _xlsx_anchor(p: Path) -> Anchor | None:
    import openpyxl  # only for a workbook

    wb = openpyxl.load_workbook(p, read_only=True)
    try:
        for prop in wb.custom_doc_props.props:
            if prop.name == META_NAME:
                return parse_anchor(str(prop.value))
        if "_lctasks" in wb.sheetnames:
            for row in wb["_lctasks"].iter_rows(min_row=1, max_row=20, values_only=True):
                if row and row[0] == "anchor":
                    return parse_anchor(str(row[1]))
        return None
    finally:
        wb.close()


__all__ = ["META_NAME", "PREFIX", "Anchor", "parse_anchor", "read_anchor"]
