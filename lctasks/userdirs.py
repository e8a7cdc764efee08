"""The user's own folders for lctasks: settings, the default database, caches.

platformdirs decides where they are. On Linux its rule is the XDG one — the
``XDG_*_HOME`` variable when it holds an absolute path, else the folder under an
absolute ``$HOME`` — and every CLI call needs the settings folder: importing
platformdirs costs ~4 ms there (it pulls in ``tempfile``, ``random`` and
``shutil``), a tenth of what a ``lctasks show`` may take. So on Linux with an
absolute ``$HOME`` or XDG variable the same rule is applied here with ``os.path``;
everywhere else (macOS, Windows, a relative or missing ``$HOME``) platformdirs
answers. tests/unit/test_userdirs.py checks that both give the same folders.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "lctasks"

# kind -> (XDG variable, the folder under $HOME without it)
_XDG = {
    "config": ("XDG_CONFIG_HOME", ".config"),
    "data": ("XDG_DATA_HOME", ".local/share"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
}


def _linux(kind: str) -> Path | None:
    """The folder by the XDG rule, or None where platformdirs must decide."""
    if not sys.platform.startswith("linux"):
        return None
    var, under_home = _XDG[kind]
    base = os.environ.get(var, "")
    if os.path.isabs(base):
        return Path(base, APP)
    home = os.environ.get("HOME", "")
    if not os.path.isabs(home):
        return None  # unset or relative: platformdirs asks the password database
    return Path(home, under_home, APP)


def _platformdirs(kind: str) -> Path:
    import platformdirs

    find = {
        "config": platformdirs.user_config_path,
        "data": platformdirs.user_data_path,
        "cache": platformdirs.user_cache_path,
    }[kind]
    return find(APP, appauthor=False)


def user_dir(kind: str) -> Path:
    """The user's ``config``, ``data`` or ``cache`` folder for lctasks (not created)."""
    return _linux(kind) or _platformdirs(kind)


def read_cache_json(name: str) -> object:
    """The JSON document kept as ``name`` in the user's cache folder; None when it is
    missing or unreadable (a cache only ever saves time)."""
    import json

    try:
        value: object = json.loads((user_dir("cache") / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value


def write_cache_json(name: str, value: object) -> None:
    """Keep ``value`` as ``name`` in the user's cache folder, whole or not at all; a
    read-only folder is no error (the work is done again next time)."""
    import json

    from lctasks.atomic import atomic_write

    text = json.dumps(value, ensure_ascii=False)
    path = user_dir("cache") / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), durable=False)
    except OSError:
        pass
