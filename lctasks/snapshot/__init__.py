"""TOML status snapshots for review meetings: build, write, read, compare.

Pure: domain types, the standard library and tomli_w (no database, no UI), so other
offices' tools can reuse it and the services stay the only place that talks to
storage. The layout is documented in ``docs/snapshot-format.md``.

Design choices, each for a user-visible reason:

* **Deterministic bytes.** Tables and tasks are written in a stable order, every
  datetime in China Standard Time (+08:00, no daylight saving), no wall-clock
  time unless the caller passes ``stamp``; the same data and as-of date give the
  same file, so snapshots diff cleanly in git.
* **Written by tomli_w, read by tomllib.** ``to_document`` builds plain
  dicts; ``tomli_w`` writes every byte of TOML (``multiline_strings=False``:
  every value on one line), with a header comment and one comment line above
  each top-level table; ``tomllib`` reads. No TOML is formatted or parsed here.
* **Diff reads only what changed.** Two 100,000-task files are cut into task
  tables at the header lines (safe because the writer never spans a string
  over lines); ``tomllib`` reads only the tables whose text differs, or both
  files whole when the cut is not safe (``compare_texts``).
* **Errors name file, key path and line.** Syntax errors carry tomllib's
  line/column; semantic errors (unknown status, bad date) are located by
  scanning the text for the key (``find_key_line``).
"""

from __future__ import annotations

from lctasks.domain import Counts, PlanInfo
from lctasks.snapshot.build import (
    build_snapshot,
    diff_snapshots,
    natural_key,
    snapshot_task,
    tally,
)
from lctasks.snapshot.fastdiff import (
    compare_texts,
    diff_files,
    diff_texts,
)
from lctasks.snapshot.model import (
    CST,
    DIFF_CHANGE_GROUPS,
    DIFF_GROUPS,
    DIFF_ID_GROUPS,
    LIGHTS,
    SCHEMA_VERSION,
    STATUS_WORDS,
    STATUSES,
    UNASSIGNED,
    HistoryPoint,
    LastChange,
    OwnerChange,
    Snapshot,
    SnapshotDiff,
    SnapshotFilter,
    SnapshotTask,
    ValueChange,
    bulk,
)
from lctasks.snapshot.reader import (
    DateParser,
    find_key_line,
    keypath_str,
    parse_snapshot,
    read_snapshot,
    read_text,
    where,
)
from lctasks.snapshot.toml_io import (
    HEADER_COMMENT,
    SECTION_COMMENTS,
    dumps,
    loads,
    snapshot_bytes,
    snapshot_text,
    to_document,
    write_snapshot,
)

__all__ = [
    "CST",
    "DIFF_CHANGE_GROUPS",
    "DIFF_GROUPS",
    "DIFF_ID_GROUPS",
    "HEADER_COMMENT",
    "LIGHTS",
    "SCHEMA_VERSION",
    "SECTION_COMMENTS",
    "STATUSES",
    "STATUS_WORDS",
    "UNASSIGNED",
    "Counts",
    "DateParser",
    "HistoryPoint",
    "LastChange",
    "OwnerChange",
    "PlanInfo",
    "Snapshot",
    "SnapshotDiff",
    "SnapshotFilter",
    "SnapshotTask",
    "ValueChange",
    "build_snapshot",
    "bulk",
    "compare_texts",
    "diff_files",
    "diff_snapshots",
    "diff_texts",
    "dumps",
    "find_key_line",
    "keypath_str",
    "loads",
    "natural_key",
    "parse_snapshot",
    "read_snapshot",
    "read_text",
    "snapshot_bytes",
    "snapshot_task",
    "snapshot_text",
    "tally",
    "to_document",
    "where",
    "write_snapshot",
]
