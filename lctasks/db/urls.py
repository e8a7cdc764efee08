"""Where the database is: ``--db`` / ``LCTASKS_DB`` → a SQLAlchemy URL, and back to
something fit for a message.

Standard library only (``lctasks.userdirs`` for the default place): the CLI's fast path
resolves the URL without loading SQLAlchemy or the engine's module.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_db_path() -> Path:
    """The embedded database in the user's data directory (``lctasks.userdirs``)."""
    from lctasks.userdirs import user_dir

    return user_dir("data") / "lctasks.db"


def resolve_url(db: str | os.PathLike[str] | None) -> str:
    """Turn ``--db`` / ``LCTASKS_DB`` (a path or a SQLAlchemy URL) into a URL."""
    value = str(db) if db is not None else os.environ.get("LCTASKS_DB", "")
    if not value:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" in value:
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship (extra: postgres)
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    path = Path(value).expanduser()
    return f"sqlite:///{path.resolve()}"


def display_url(url: str) -> str:
    """A URL or path fit for a message: the password hidden, SQLite as a path."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///") or url
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        user = cred.split(":", 1)[0]
        return f"{scheme}://{user}{':***' if ':' in cred else ''}@{host}"
    return url
