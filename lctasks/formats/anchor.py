"""The history anchor: which point of the hash-chained event log a file was made from.

Every workbook, meeting pack and notice carries the anchor line of
``lctasks.services.chain`` (engineer G's ``log --verify --against FILE`` reads it)::

    lctasks-anchor 1234 9f2c…(the whole 64-hex hash)

without the optional time field (the files are deterministic: the same data give
the same bytes), and always followed by a line end, a quote or ``<`` so that nothing
after it is read as that field. Where it is:

* workbook (.xlsx): cell B2 of the very hidden sheet ``_lctasks`` (key ``anchor``,
  next to ``history_seq`` / ``history_hash``) and the custom document property
  ``lctasks-anchor``;
* meeting pack (.html): ``<meta name="lctasks-anchor" content="…">``, the cover and the
  footer;
* notice (.docx): the core property *comments* and the document's last line.

``read_anchor(path)`` returns the first anchor in any of them (through
``chain.read_anchor_file``). ``seq=0`` with an empty hash (an empty ledger) writes no
line.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from lctasks.domain import InvalidInputError
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

MESSAGES.add(
    {
        "formats.anchor.none": (
            "{file} 中没有台账历史锚点（lctasks-anchor）",
            "{file} carries no ledger history anchor (lctasks-anchor)",
        ),
    }
)

TAG = "lctasks-anchor"  # = lctasks.services.chain.ANCHOR_TAG (a test checks)
META_NAME = TAG  # the HTML <meta name> and the workbook's custom property


@dataclass(frozen=True, slots=True)
class Anchor:
    plan: str
    seq: int
    hash: str
    as_of: dt.date | None = None

    def text(self) -> str:
        """The anchor line (empty ledger: an empty string)."""
        return f"{TAG} {self.seq} {self.hash}" if self.hash else ""


def read_anchor(path: str | os.PathLike[str]) -> Anchor:
    """The first anchor a pack (.html), workbook (.xlsx) or notice (.docx) carries.

    Only seq and hash: plan and date are not part of the line. Raises
    InvalidInputError when the file has none.
    """
    from lctasks.services.chain import read_anchor_file

    found = read_anchor_file(path)
    if not found:
        raise InvalidInputError(t("formats.anchor.none", file=os.path.basename(os.fspath(path))))
    return Anchor("", found[0].seq, found[0].hash)


__all__ = ["META_NAME", "TAG", "Anchor", "read_anchor"]
