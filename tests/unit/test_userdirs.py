"""The user's folders: lctasks.userdirs gives the folders platformdirs gives.

On Linux the XDG rule is applied without importing platformdirs (start-up time);
these tests hold the two to the same answers for every shape of the environment
that path takes, and check that the other shapes are left to platformdirs."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from lctasks import userdirs

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule")

VARS = {"config": "XDG_CONFIG_HOME", "data": "XDG_DATA_HOME", "cache": "XDG_CACHE_HOME"}
LIBRARY = {
    "config": platformdirs.user_config_path,
    "data": platformdirs.user_data_path,
    "cache": platformdirs.user_cache_path,
}


@linux_only
@pytest.mark.parametrize("kind", sorted(VARS))
@pytest.mark.parametrize("xdg", [None, "", "relative/dir", "/srv/xdg"])
def test_the_xdg_rule_gives_the_folders_platformdirs_gives(
    kind: str, xdg: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if xdg is None:
        monkeypatch.delenv(VARS[kind], raising=False)
    else:
        monkeypatch.setenv(VARS[kind], xdg)
    assert userdirs._linux(kind) is not None  # the fast rule answered, not the library
    assert userdirs.user_dir(kind) == LIBRARY[kind]("lctasks", appauthor=False)


@linux_only
def test_the_folders_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/staff")
    for var in VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/staff")
    assert userdirs.user_dir("config") == Path("/home/staff/.config/lctasks")
    assert userdirs.user_dir("data") == Path("/home/staff/.local/share/lctasks")
    assert userdirs.user_dir("cache") == Path("/var/cache/staff/lctasks")


@pytest.mark.parametrize("home", [None, "relative-home"])
def test_a_missing_or_relative_home_is_left_to_platformdirs(
    home: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
    else:
        monkeypatch.setenv("HOME", home)
    assert userdirs._linux("config") is None
    assert userdirs.user_dir("config") == platformdirs.user_config_path("lctasks", appauthor=False)


def test_other_systems_are_left_to_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(userdirs.sys, "platform", "darwin")
    monkeypatch.setenv("XDG_CONFIG_HOME", "/srv/xdg")
    assert userdirs._linux("config") is None
