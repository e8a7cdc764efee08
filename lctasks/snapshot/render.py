"""Task tables as tomli_w writes them, remembered between exports.

A meeting's snapshot of 100,000 tasks differs from last week's in a few
thousand tasks, yet ``tomli_w`` (which formats strings a character at a time
in Python) spends ~2 s of CPU writing all of them again. Each task table's
text depends only on the task's values, so a ``RenderCache`` keeps the text
``tomli_w`` wrote for each task under a fingerprint of exactly those values
(``fingerprint``: a 128-bit BLAKE2b of the values' ``marshal`` bytes, which
name each value once and so differ whenever the text could) and the next export
writes only the tasks whose values changed. The bytes are the same as one
``tomli_w.dumps`` of the whole document would give (a test checks it):
``tomli_w`` writes the ``tasks`` table as its task tables, each on its own and
separated by one blank line, and nothing of one task's text depends on another.

The cache is a plain file (``load`` / ``save``: a header, the fingerprints, a
BLAKE2b sum of each text, offsets and the UTF-8 texts; no pickle); a missing,
stale or damaged file is an empty cache, and a file that cannot be written is
skipped silently. ``apply`` and ``export --since`` use the same renderings to
find the task tables of a file that still read exactly as the ledger would
write them (``Rendered``: by size and sum, the texts themselves not read).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import struct
import sys
import weakref
from array import array
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from lctasks.atomic import atomic_write
from lctasks.snapshot.model import SnapshotTask

_MAGIC = b"lctasks-render-cache 2\n"
_KEEP = 200_000  # entries kept besides those the last export used


def _tag() -> bytes:
    """What else the texts depend on: the writer's version (a new tomli_w: a cold cache)."""
    import tomli_w

    writer = getattr(tomli_w, "__version__", "?")
    return f"tomli-w {writer}; snapshot 1; {sys.byteorder}\n".encode()


def fingerprint(x: SnapshotTask) -> bytes:
    """16 bytes naming every value the task's table is written from."""
    r = x.latest_report
    c = x.last_change
    values = (
        x.id,
        x.title,
        x.kind.value,
        x.chapter,
        x.lead,
        x.co_units,
        x.person,
        x.due.toordinal(),
        x.due_basis.value,
        None if x.original_due is None else x.original_due.toordinal(),
        x.status.value,
        None if x.light is None else x.light.value,
        x.progress,
        x.version,
        None if c is None else (c.seq, c.at.isoformat()),
        None
        if r is None
        else (r.at.isoformat(), r.actor, r.period, r.percent, r.made, r.problems, r.next_steps),
        x.removed,
        x.note,
        x.evidence,
    )
    # marshal version 2 writes values only (no back-references, no interning marks)
    return hashlib.blake2b(marshal.dumps(values, 2), digest_size=16).digest()


def render_task(x: SnapshotTask) -> str:
    """One task's tables, exactly as they appear inside the whole document's text."""
    import tomli_w

    from lctasks.snapshot.toml_io import _task_doc

    return tomli_w.dumps({"tasks": {x.id: _task_doc(x)}}, multiline_strings=False)


class RenderCache:
    """Task texts by fingerprint, loaded from and saved to ``path`` (or memory only).

    The texts of a loaded file are read when one is first needed (an export);
    comparing a file's task tables with them (``same``) needs only their sizes
    and sums, so ``apply`` of 100,000 tasks does not hold 27 MB of texts.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._index: dict[bytes, int] = {}
        self._digests: list[bytes] = []  # the key of each text, by its number
        self._sums = b""  # the loaded texts' sums (``_sum``), 16 bytes each
        self._blob: memoryview | None = memoryview(b"")  # the loaded texts, once read
        self._file: BinaryIO | None = None  # the loaded file, until its texts are read
        self._blob_at = 0
        self._offsets = array("I", [0])
        self._loaded = 0
        self._new: list[bytes] = []  # rendered here, after the loaded ones
        # the texts used since loading, in their order, and a mark on each: numbers,
        # not a dict of 100,000 keys
        self._used = array("I")
        self._seen = bytearray()
        self._last_task: SnapshotTask | None = None
        self._last_number = 0
        self.hits = 0
        self.misses = 0
        if self.path is not None:
            self._load(self.path)

    def _load(self, path: Path) -> None:
        try:
            f = open(path, "rb")  # noqa: SIM115 (kept open until the texts are read)
        except OSError:
            return
        try:
            if not self._load_index(f):
                f.close()
        except (OSError, struct.error, ValueError):
            f.close()

    def _load_index(self, f: BinaryIO) -> bool:
        """The keys, sums and offsets; the texts stay in ``f`` (same file, even if replaced)."""
        tag = _MAGIC + _tag()
        if f.read(len(tag)) != tag or array("I").itemsize != 4:
            return False
        (n,) = struct.unpack("<I", f.read(4))
        digests = f.read(16 * n)
        sums = f.read(16 * n)
        offsets = array("I")
        offsets.frombytes(f.read(4 * (n + 1)))
        if sys.byteorder == "big":
            offsets.byteswap()
        blob_at = len(tag) + 4 + 32 * n + 4 * (n + 1)
        size = os.fstat(f.fileno()).st_size
        if len(sums) != 16 * n or len(offsets) != n + 1 or blob_at + offsets[n] != size:
            return False
        self._digests = [digests[16 * i : 16 * i + 16] for i in range(n)]
        self._index = {key: i for i, key in enumerate(self._digests)}
        self._sums, self._offsets, self._loaded = sums, offsets, n
        self._seen = bytearray(n)
        self._blob, self._file, self._blob_at = None, f, blob_at
        weakref.finalize(self, f.close)
        return True

    def _texts(self) -> memoryview:
        """The loaded texts, read from the file on first use."""
        if self._blob is None:
            assert self._file is not None
            self._file.seek(self._blob_at)
            data = self._file.read(self._offsets[self._loaded])
            if len(data) != self._offsets[self._loaded]:
                raise OSError(f"render cache {self.path}: file cut short")
            self._file.close()
            self._blob, self._file = memoryview(data), None
        return self._blob

    def _get(self, i: int) -> bytes | memoryview:
        if i < self._loaded:
            return self._texts()[self._offsets[i] : self._offsets[i + 1]]
        return self._new[i - self._loaded]

    def _piece(self, i: int) -> bytes | memoryview:
        """``_get`` without reading all the loaded texts (a save after ``same``)."""
        if i >= self._loaded or self._blob is not None:
            return self._get(i)
        assert self._file is not None
        size = self._size(i)
        self._file.seek(self._blob_at + self._offsets[i])
        data = self._file.read(size)
        if len(data) != size:
            raise OSError(f"render cache {self.path}: file cut short")
        return data

    def _size(self, i: int) -> int:
        if i < self._loaded:
            return self._offsets[i + 1] - self._offsets[i]
        return len(self._new[i - self._loaded])

    def _sum_of(self, i: int) -> bytes:
        if i < self._loaded:
            return self._sums[16 * i : 16 * i + 16]
        return _sum(self._new[i - self._loaded])

    def _number(self, x: SnapshotTask) -> int:
        """The number of the task's text, rendered by tomli_w only when its values are new."""
        if x is self._last_task:  # asked again about the same task (``Rendered.same``)
            return self._last_number
        key = fingerprint(x)
        i = self._index.get(key)
        if i is None:
            self.misses += 1
            i = self._index[key] = len(self._digests)
            self._digests.append(key)
            self._new.append(render_task(x).encode("utf-8"))
            self._seen.append(0)
        else:
            self.hits += 1
        if not self._seen[i]:
            self._seen[i] = 1
            self._used.append(i)
        self._last_task, self._last_number = x, i
        return i

    def text(self, x: SnapshotTask) -> bytes | memoryview:
        """The task's UTF-8 text, rendered by tomli_w only when its values are new."""
        return self._get(self._number(x))

    def same(self, x: SnapshotTask, chunk: bytes) -> bool:
        """Whether ``chunk`` is exactly the task's text (a loaded text: by size and sum)."""
        i = self._number(x)
        if i >= self._loaded:
            return self._new[i - self._loaded] == chunk
        return self._size(i) == len(chunk) and _sum(chunk) == self._sum_of(i)

    def save(self) -> None:
        """Write the texts used since loading (and older ones, up to a bound) back.

        Nothing is written when every text came from the file (the file already
        holds them); errors are ignored: the cache only ever saves time.
        """
        if self.path is None or not self.misses or array("I").itemsize != 4:
            return
        keep = array("I", self._used)
        bound = max(_KEEP, 2 * len(self._used))
        for i, key in enumerate(self._digests):
            if len(keep) >= bound:
                break
            if not self._seen[i] and self._index.get(key) == i:
                keep.append(i)
        self._write(self.path, keep)

    def _write(self, path: Path, keep: array[int]) -> None:
        """The file: header, keys, sums, offsets, then the texts one by one (none copied)."""
        offsets = array("I", [0])
        total = 0
        for i in keep:
            total += self._size(i)
            offsets.append(total)
        if sys.byteorder == "big":
            offsets.byteswap()

        def fill(tmp: Path) -> None:
            with open(tmp, "wb") as f:
                f.write(_MAGIC + _tag())
                f.write(struct.pack("<I", len(keep)))
                f.write(b"".join([self._digests[i] for i in keep]))
                f.write(b"".join([self._sum_of(i) for i in keep]))
                f.write(offsets.tobytes())
                for i in keep:
                    f.write(self._piece(i))

        # a cache: never read half-written, but losing it in a power cut costs nothing
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, fill, durable=False)


def _sum(text: bytes | memoryview) -> bytes:
    """16 bytes standing for a text (``RenderCache.same`` compares them, not the texts)."""
    return hashlib.blake2b(text, digest_size=16).digest()


class Rendered:
    """Whether a task's table in a file reads exactly as the ledger's writer gives it now.

    ``tasks`` maps each ID to what the task is made from; ``task_of`` makes the
    ``SnapshotTask`` (``None``: not written, as a removed task in an export).
    Comparing 100,000 tables this way holds no rendering.
    """

    def __init__(
        self,
        tasks: Mapping[str, Any],
        task_of: Callable[[Any], SnapshotTask | None],
        cache: RenderCache,
    ) -> None:
        self._tasks, self._task_of, self._cache = tasks, task_of, cache
        self._last: tuple[str, SnapshotTask | None] = ("", None)

    def same(self, tid: str, chunk: bytes) -> bool:
        """``chunk`` is task ``tid``'s text (``False`` for a task the writer leaves out)."""
        if self._last[0] != tid or not tid:  # asked twice in a row: the task made once
            source = self._tasks.get(tid)
            self._last = (tid, None if source is None else self._task_of(source))
        x = self._last[1]
        return x is not None and self._cache.same(x, chunk)
