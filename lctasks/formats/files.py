"""Writing a file whole or not at all, with the permissions a normal file gets."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], object], suffix: str) -> None:
    """``write(tmp)`` fills a temporary file beside ``path``, which then replaces ``path``.

    A reader never sees half a file; the file gets the mode of any new file (umask),
    not the private mode of a temporary one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".lctasks-", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes, suffix: str = ".tmp") -> int:
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data), suffix)
    return len(data)
