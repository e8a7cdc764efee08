"""Owner units: the bundled list, and every way staff type a unit's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lctasks.domain import InvalidInputError, NotFoundError, UnitKind
from lctasks.i18n import EN, set_language
from lctasks.resources import bundled
from lctasks.units import (
    AmbiguousUnitError,
    UnitDirectory,
    UnitNotFoundError,
    default_directory,
    load_units,
    main,
    normalise_place_names,
)

PLAN = bundled("liaocheng-14th-five-year-plan-2021-2025.txt")


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return UnitDirectory(load_units(bundled("units.toml")))


def test_bundled_list_holds_the_66_units_of_departments_md() -> None:
    # departments.md: 33 市直部门, 8 counties, 3 zones, then 11 Party bodies, the
    # people's congress, the CPPCC and 9 mass organisations
    units = load_units(bundled("units.toml"))
    assert len(units) == 66
    kinds = [u.kind for u in units]
    assert kinds.count(UnitKind.DEPARTMENT) == 33
    assert kinds.count(UnitKind.COUNTY) == 8
    assert kinds.count(UnitKind.ZONE) == 3
    assert kinds.count(UnitKind.PARTY) == 11
    assert (kinds.count(UnitKind.CONGRESS), kinds.count(UnitKind.CPPCC)) == (1, 1)
    assert kinds.count(UnitKind.MASS) == 9
    by_short = {u.short: u for u in units}
    assert by_short["市科技局"].name == "聊城市科学技术局"
    assert by_short["市科技局"].confirmed is False  # I: still to check
    assert by_short["市大数据局"].confirmed is True  # V
    assert by_short["高新区"].name == "聊城高新技术产业开发区"
    assert "聊城经济开发区" in by_short["开发区"].aliases


@pytest.mark.parametrize(
    ("typed", "short"),
    [
        ("聊城市科学技术局", "市科技局"),  # full name
        ("市科技局", "市科技局"),  # short name
        ("科技局", "市科技局"),  # alias
        ("市科学技术局", "市科技局"),
        ("shi ke ji ju", "市科技局"),  # pinyin with spaces
        ("shikejiju", "市科技局"),
        ("ShiKeJiJu", "市科技局"),  # case-insensitive
        ("kjj", "市科技局"),  # initials of the bare name
        ("skjj", "市科技局"),  # initials of the short name
        ("KJJ", "市科技局"),
        ("ｋｊｊ", "市科技局"),  # full-width letters
        ("  市科技局\u3000", "市科技局"),  # spaces, ideographic space
        ("fgw", "市发展改革委"),
        ("发改委", "市发展改革委"),
        ("市发展和改革委员会", "市发展改革委"),
        ("市教体局", "市教育和体育局"),
        ("教育和体育局", "市教育和体育局"),
        ("高新区", "高新区"),
        ("聊城高新区", "高新区"),
        ("聊城高新技术产业开发区", "高新区"),
        ("聊城经济开发区", "开发区"),
        ("经济技术开发区", "开发区"),
        ("度假区", "度假区"),
        ("在平区", "茌平区"),  # the plan's typos
        ("荏平", "茌平区"),
        ("茌平县", "茌平区"),
        ("shenxian", "莘县"),  # 莘 reads shēn in the county's name
        ("dongexian", "东阿县"),
        ("东阿", "东阿县"),
        ("wjw", "市卫生健康委"),
        ("卫健委", "市卫生健康委"),
        ("人社局", "市人力资源社会保障局"),
        ("科学技术", "市科技局"),  # a unique part of one name
    ],
)
def test_resolve_accepts_what_people_type(units: UnitDirectory, typed: str, short: str) -> None:
    assert units.resolve(typed).short == short


def test_exact_short_name_beats_a_longer_name_containing_it(units: UnitDirectory) -> None:
    # 开发区 is inside 聊城高新技术产业开发区 too, but it is 开发区's own short name.
    assert units.resolve("开发区").short == "开发区"


def test_initials_shared_by_two_units_list_both(units: UnitDirectory) -> None:
    # 教体局 and 交通局 both abbreviate to jtj: never guess, list them.
    with pytest.raises(AmbiguousUnitError) as err:
        units.resolve("jtj")
    shorts = [u.short for u in err.value.candidates]
    assert shorts == ["市教育和体育局", "市交通运输局"]
    assert "市教育和体育局" in err.value.message and "市交通运输局" in err.value.message
    assert err.value.exit_code == InvalidInputError.exit_code
    assert isinstance(err.value, InvalidInputError)


def test_every_collision_is_known(units: UnitDirectory) -> None:
    """A new unit or alias that makes a key ambiguous shows up here first."""
    shared = {k: [u.short for u in v] for k, v in units.collisions().items()}
    assert shared == {
        "jtj": ["市教育和体育局", "市交通运输局"],
        "sjtj": ["市教育和体育局", "市交通运输局"],
    }


def test_a_common_word_lists_all_the_units_it_fits(units: UnitDirectory) -> None:
    with pytest.raises(AmbiguousUnitError) as err:
        units.resolve("管理局")
    assert {u.short for u in err.value.candidates} == {
        "市城管局",
        "市市场监管局",
        "市机关事务管理局",
        "市应急局",
        "市地方金融监管局",
    }


def test_unknown_name_gives_nearest_matches_and_the_find_command(units: UnitDirectory) -> None:
    with pytest.raises(UnitNotFoundError) as err:
        units.resolve("市科学局")
    exc = err.value
    assert isinstance(exc, NotFoundError) and exc.exit_code == 3
    # 市科协 (聊城市科学技术协会, a mass organisation) is as near as its name suggests
    assert [c.short for c in exc.candidates] == [
        "市科技局",
        "市科协",
        "市文联",
        "市工业和信息化局",
        "市行政审批局",
    ]
    assert "市科学局" in exc.message and "市科技局" in exc.message
    assert "lctasks units --find 市科学局" in exc.hint


def test_unknown_latin_text_still_lists_three_to_five(units: UnitDirectory) -> None:
    with pytest.raises(UnitNotFoundError) as err:
        units.resolve("xyz")
    assert len(err.value.candidates) == 5


def test_empty_name_is_invalid_input(units: UnitDirectory) -> None:
    with pytest.raises(InvalidInputError):
        units.resolve("   ")


def test_english_messages(units: UnitDirectory, monkeypatch: pytest.MonkeyPatch) -> None:
    set_language(EN)  # what an entry point does for LCTASKS_LANG=en
    with pytest.raises(UnitNotFoundError) as err:
        units.resolve("市科学局")
    assert err.value.message.startswith("unknown unit '市科学局'")


def test_search_ranks_for_a_picker(units: UnitDirectory) -> None:
    hits = units.search("kj", limit=3)
    assert hits[0][0].short == "市科技局"
    assert hits[0][1] == 95.0  # prefix of kjj
    assert len(hits) == 3
    assert units.search("市水利局", 1)[0] == (units.resolve("slj"), 100.0)
    everything = units.search("", limit=100)
    assert [u.short for u, _ in everything][:2] == ["市政府办公室", "市发展改革委"]
    assert len(everything) == 66
    assert units.search("东阿", 5)[0][0].short == "东阿县"
    # the new bodies by short name, alias, pinyin and initials
    assert units.resolve("纪委").short == "市纪委监委"
    assert units.resolve("组织部").short == "市委组织部"
    assert units.resolve("tsw").short == "团市委"
    assert units.resolve("市政协").short == "市政协办公室"
    assert units.resolve("shi fu lian").short == "市妇联"


def test_get_by_stored_short_name(units: UnitDirectory) -> None:
    unit = units.get("市科技局")
    assert unit is not None and unit.name == "聊城市科学技术局"
    assert units.get("科技局") is None  # get() is exact: aliases go through resolve()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "units.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_env_var_overrides_the_bundled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path,
        '[[unit]]\nname = "聊城市科学技术局"\nshort = "市科技局"\nkind = "department"\n'
        'confirmed = "V"\naliases = ["科技"]\n',
    )
    monkeypatch.setenv("LCTASKS_UNITS", str(path))
    units = load_units()
    assert [u.short for u in units] == ["市科技局"] and units[0].confirmed
    assert default_directory().resolve("科技").short == "市科技局"


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[unit]]\nname = "市科技局\nshort = "x"\n')
    with pytest.raises(InvalidInputError) as err:
        load_units(path)
    assert str(path) in err.value.message
    assert "第 2 行" in err.value.message


@pytest.mark.parametrize(
    ("body", "needle", "line"),
    [
        ('[[unit]]\nname = "聊城市水利局"\nshort = "市水利局"\nkind = "bureau"\n', "kind", 2),
        (
            '[[unit]]\nname = "聊城市水利局"\nshort = "市水利局"\nkind = "department"\n'
            "alias = []\n",
            "alias",
            5,
        ),
        (
            '[[unit]]\nname = "聊城市水利局"\nshort = "市水利局"\nkind = "department"\n'
            '[[unit]]\nname = "聊城市水务局"\nshort = "市水利局"\nkind = "department"\n',
            "市水利局",
            7,
        ),
        ('[[unit]]\nname = "聊城市水利局"\nkind = "department"\n', "short", 2),
        (
            '[[unit]]\nname = "聊城市水利局"\nshort = "市水利局"\nkind = "department"\n'
            'confirmed = "maybe"\n',
            "confirmed",
            2,
        ),
    ],
)
def test_mistakes_in_the_file_are_invalid_input(
    tmp_path: Path, body: str, needle: str, line: int
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(InvalidInputError) as err:
        load_units(path)
    assert needle in err.value.message
    assert f"第 {line} 行" in err.value.message
    assert str(path) in err.value.message


def test_check_command_prints_units_and_collisions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(bundled("units.toml"))]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 66
    assert "# jtj: 市教育和体育局、市交通运输局" in err


def test_check_command_reports_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "[[unit]\n")
    assert main([str(path)]) == 4
    assert str(path) in capsys.readouterr().err


# -- 茌平 in the plan text ---------------------------------------------------


def test_place_name_typos_in_the_plan_are_repaired() -> None:
    text = PLAN.read_text(encoding="utf-8")
    assert text.count("在平") == 1 and text.count("荏平") == 1 and text.count("聊荏东") == 3
    fixed = normalise_place_names(text)
    assert "荏" not in fixed and "在平" not in fixed
    assert fixed.count("茌平") == text.count("茌平") + 2
    assert fixed.count("聊茌东都市区") == text.count("聊茌东都市区") + 3
    assert "高铁新区和茌平、莘县、阳谷高铁新城" in fixed
    assert "支持茌平区发展铝精深加工" in fixed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("在平台上发布", "在平台上发布"),
        ("在平原地区", "在平原地区"),
        ("在平等协商基础上", "在平等协商基础上"),
        ("在平区域内", "在平区域内"),
        ("支持在平区发展", "支持茌平区发展"),
        ("原在平县", "原茌平县"),
        ("荏平", "茌平"),
    ],
)
def test_zaiping_only_changes_where_it_is_the_place(text: str, expected: str) -> None:
    assert normalise_place_names(text) == expected


@given(st.text(max_size=20))
@settings(max_examples=300, deadline=None)
def test_any_text_resolves_or_raises_a_user_error(text: str) -> None:
    directory = default_directory(bundled("units.toml"))
    try:
        unit = directory.resolve(text)
    except (InvalidInputError, NotFoundError) as exc:
        assert exc.message
        return
    assert unit in directory.units


def _keys(d: UnitDirectory) -> list[tuple[str, tuple[int, tuple[int, ...]]]]:
    return sorted(d._index.items())


def test_pinyin_keys_come_back_from_the_cache_as_pypinyin_spells_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directory built from the cached pinyin (no pypinyin import) is the one built
    with pypinyin; a broken or stale cache file is rebuilt, never trusted."""
    from lctasks.units import PINYIN_CACHE, load_units

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cold = UnitDirectory(load_units())
    cache = tmp_path / "cache" / "lctasks" / PINYIN_CACHE
    assert cache.is_file()
    warm = UnitDirectory(load_units())
    assert _keys(warm) == _keys(cold)
    assert warm._search_keys == cold._search_keys
    assert warm.resolve("kjj").short == "市科技局"
    cache.write_text('{"pypinyin": "other", "keys": {"科技局": ["x", "y"]}}', encoding="utf-8")
    assert _keys(UnitDirectory(load_units())) == _keys(cold)  # stale: rebuilt
    cache.write_text("{not json", encoding="utf-8")
    assert _keys(UnitDirectory(load_units())) == _keys(cold)


def test_a_warm_cache_resolves_initials_without_importing_pypinyin(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from lctasks.units import default_directory\n"
        "print(default_directory().resolve('kjj').short, 'pypinyin' in sys.modules)\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["市科技局", "True"], ["市科技局", "False"]]
