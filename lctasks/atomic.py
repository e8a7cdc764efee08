"""Writing a file whole or not at all: the one atomic writer (snapshots, workbooks,
meeting packs, notices, backups).

The content goes to a temporary file in the target's directory, which is fsynced and
renamed over the target with ``os.replace``; then the directory is fsynced so the
rename itself survives a power cut. A reader sees the old file or the new one, never
half of one; on any failure the temporary file is removed and the old file is left
as it was. A new file gets the mode any new file gets (0o666 minus the umask), an
existing one keeps its mode.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(
    path: str | os.PathLike[str],
    write: Callable[[Path], object],
    *,
    suffix: str = ".tmp",
    prefix: str | None = None,
    mode: int | None = None,
    durable: bool = True,
) -> None:
    """``write(tmp)`` fills a temporary file beside ``path``, which then replaces ``path``.

    ``prefix`` names the temporary file (default ``.NAME.``); ``mode`` is a new file's
    mode (default: 0o666 minus the umask). ``durable=False`` skips both fsyncs: for a
    cache that may be lost but must never be read half-written. The caller's
    exceptions pass through unchanged after the temporary file is removed.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, name = tempfile.mkstemp(
        prefix=prefix if prefix is not None else f".{target.name}.", suffix=suffix, dir=directory
    )
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        if durable:
            fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(directory)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, suffix: str = ".tmp") -> int:
    """Write ``data`` to ``path`` atomically; return the number of bytes written."""
    return write_chunks(path, (data,), suffix=suffix)


def write_chunks(
    path: str | os.PathLike[str], chunks: Iterable[bytes | memoryview], *, suffix: str = ".tmp"
) -> int:
    """``write_bytes`` of the chunks one after the other, never joined in memory
    (small chunks are gathered into writes of about 1 MB)."""
    total = 0

    def fill(tmp: Path) -> None:
        nonlocal total
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            gathered = bytearray()
            for chunk in chunks:
                total += len(chunk)
                if len(chunk) >= _GATHER:
                    _write_all(fd, gathered)
                    gathered.clear()
                    _write_all(fd, chunk)
                    continue
                gathered += chunk
                if len(gathered) >= _GATHER:
                    _write_all(fd, gathered)
                    gathered.clear()
            _write_all(fd, gathered)
        finally:
            os.close(fd)

    atomic_write(path, fill, suffix=suffix)
    return total


_GATHER = 1 << 20


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_file(path: Path) -> None:
    """Flush a written file's content to the disk."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable; not possible (nor needed) everywhere."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
