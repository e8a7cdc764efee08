"""Settings: bundled defaults, the user's file, LCTASKS_CONFIG, and broken files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lctasks.config import Settings, load_settings, user_settings_path
from lctasks.domain import InvalidInputError, NotFoundError
from lctasks.resources import bundled


def test_bundled_defaults_match_the_dataclass() -> None:
    settings = load_settings()
    assert settings.yellow_days == 7
    assert settings.yellow_behind_points == 10
    assert settings.red_behind_points == 30
    assert settings.report_cadence == "monthly"
    assert settings.report_grace_days == 0
    assert settings.language == "zh"
    assert dict(settings.keymap) == {}
    assert settings.sources == (str(bundled("settings.toml")),)
    defaults = Settings()
    for name in ("yellow_days", "yellow_behind_points", "red_behind_points", "report_cadence"):
        assert getattr(settings, name) == getattr(defaults, name)


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_settings().yellow_days = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        load_settings().keymap["quit"] = "q"  # type: ignore[index]


def test_user_file_then_env_file_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = user_settings_path()
    assert str(tmp_path) in str(user)  # the test's XDG_CONFIG_HOME, never the real one
    user.parent.mkdir(parents=True)
    user.write_text(
        '[lights]\nyellow_days = 3\nred_behind_points = 50\n[keymap]\nassign = "a"\n',
        encoding="utf-8",
    )
    settings = load_settings()
    assert (settings.yellow_days, settings.red_behind_points) == (3, 50)
    assert settings.yellow_behind_points == 10  # untouched keys keep the default
    assert dict(settings.keymap) == {"assign": "a"}

    office = tmp_path / "office.toml"
    office.write_text(
        'language = "en"\n[reports]\ncadence = "quarterly"\n[keymap]\nclose_task = "ctrl+k"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("LCTASKS_CONFIG", str(office))
    settings = load_settings()
    assert settings.yellow_days == 3  # from the user's file
    assert settings.report_cadence == "quarterly" and settings.language == "en"
    assert dict(settings.keymap) == {"assign": "a", "close_task": "ctrl+k"}
    assert settings.sources[-2:] == (str(user), str(office))


def test_missing_env_file_is_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCTASKS_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(NotFoundError) as err:
        load_settings()
    assert "nope.toml" in err.value.message and "LCTASKS_CONFIG" in err.value.message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[lights]\nyellow_days = 7\nred_behind_points = \n", 3, "Invalid value"),
        ("[lights]\nyellow_dayz = 7\n", 2, "lights.yellow_dayz"),
        ("\n[lights]\nyellow_days = -1\n", 3, "lights.yellow_days"),
        ("[lights]\nyellow_days = true\n", 2, "lights.yellow_days"),
        ('[reports]\ncadence = "daily"\n', 2, "monthly/quarterly/weekly"),
        ('language = "fr"\n', 1, "zh/en"),
        ("[colours]\nred = 1\n", 1, "colours"),
        ("[lights]\nyellow_behind_points = 40\n", 2, "yellow_behind_points（40）"),
        ("[keymap]\nassign = 1\n", 2, "assign"),
    ],
)
def test_broken_settings_name_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: int, words: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LCTASKS_CONFIG", str(path))
    with pytest.raises(InvalidInputError) as err:
        load_settings()
    message = err.value.message
    assert str(path) in message
    assert f"第 {line} 行" in message
    assert words in message


def test_explicit_path_reads_only_that_file_over_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[lights]\nyellow_days = 3\n", encoding="utf-8")
    assert load_settings(path).yellow_days == 3


def test_language_setting_switches_messages_to_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lctasks import i18n
    from lctasks.config import apply_language

    cfg = tmp_path / "settings.toml"
    cfg.write_text('language = "en"\n', encoding="utf-8")
    monkeypatch.setenv("LCTASKS_CONFIG", str(cfg))
    apply_language()  # what the entry points do first
    assert i18n.t("status.closed") == "closed"
    monkeypatch.setenv("LCTASKS_LANG", "zh")
    apply_language()
    assert i18n.t("status.closed") == "已销号"


def test_a_settings_file_whose_text_is_unchanged_is_not_parsed_again(tmp_path: Path) -> None:
    """The settings as last parsed are kept in the cache folder (config.SETTINGS_MEMO)
    and used while the file's text is the same; any edit is parsed afresh."""
    import json

    from lctasks.config import SETTINGS_MEMO
    from lctasks.userdirs import user_dir

    office = tmp_path / "office.toml"
    office.write_text("[lights]\nyellow_days = 3\n", encoding="utf-8")
    assert load_settings(office).yellow_days == 3
    memo_file = user_dir("cache") / SETTINGS_MEMO
    assert str(tmp_path) in str(memo_file)  # the test's XDG_CACHE_HOME
    memo = json.loads(memo_file.read_text(encoding="utf-8"))
    assert sorted(memo) == sorted([str(bundled("settings.toml")), str(office)])
    assert memo[str(office)] == ["[lights]\nyellow_days = 3\n", {"lights": {"yellow_days": 3}}]
    # the memo answers for the same text (a doctored value shows it was used) ...
    memo[str(office)][1] = {"lights": {"yellow_days": 4}}
    memo_file.write_text(json.dumps(memo), encoding="utf-8")
    assert load_settings(office).yellow_days == 4
    # ... and an edit of the file (same size) is read afresh and remembered
    office.write_text("[lights]\nyellow_days = 5\n", encoding="utf-8")
    assert load_settings(office).yellow_days == 5
    memo = json.loads(memo_file.read_text(encoding="utf-8"))
    assert memo[str(office)][1] == {"lights": {"yellow_days": 5}}
    # a broken memo file is ignored, never an error
    memo_file.write_text("{not json", encoding="utf-8")
    assert load_settings(office).yellow_days == 5


def test_values_json_cannot_hold_are_not_memoised(tmp_path: Path) -> None:
    from lctasks.resources import read_toml

    dated = tmp_path / "dated.toml"
    dated.write_text("day = 2026-12-01\nn = 1\n", encoding="utf-8")
    memo: dict[str, object] = {}
    assert read_toml(dated, memo)["n"] == 1
    assert memo == {}
    plain = tmp_path / "plain.toml"
    plain.write_text("n = 1.5\nwords = ['a']\n", encoding="utf-8")
    assert read_toml(plain, memo) == {"n": 1.5, "words": ["a"]}
    assert memo == {str(plain): ["n = 1.5\nwords = ['a']\n", {"n": 1.5, "words": ["a"]}]}
