import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from gongzhi.core.errors import ImportFailed
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division
from gongzhi.org.services.divisions import divisions_import, read_rows

pytestmark = pytest.mark.django_db
DATA = Path(settings.BASE_DIR) / "data" / "divisions"


def test_all_of_anhui_is_loaded_with_real_counts():
    counts = {
        level: Division.objects.filter(level=level).count()
        for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY)
    }
    assert counts == {
        Level.PROVINCE: 1,
        Level.CITY: 16,
        Level.COUNTY: 119,
        Level.STREET: 1685,
        Level.COMMUNITY: 18334,
    }


def test_seed_places_exist_with_parent_links():
    jianxin = Division.objects.select_related("parent__parent__parent__parent").get(
        code="340302005007"
    )
    assert jianxin.name == "建新社区居委会"
    assert [
        jianxin.parent.name,
        jianxin.parent.parent.name,
        jianxin.parent.parent.parent.name,
        jianxin.parent.parent.parent.parent.name,
    ] == ["解放街道", "龙子湖区", "蚌埠市", "安徽省"]
    assert Division.objects.get(code="340176").kind == Kind.DEV_ZONE
    assert Division.objects.get(code="340111002").kind == Kind.SUBDISTRICT


def test_every_node_code_starts_with_its_parent_code():
    bad = [
        d.code
        for d in Division.objects.select_related("parent").exclude(level=Level.PROVINCE)
        if not d.code.startswith(d.parent.code)
    ]
    assert bad == []


def test_subtree_is_a_code_prefix_match():
    baohe_streets = Division.objects.filter(code__startswith="340111", level=Level.STREET)
    assert set(baohe_streets.values_list("parent__code", flat=True)) == {"340111"}
    assert Division.objects.filter(code__startswith="340111002", level=Level.COMMUNITY).count() == (
        Division.objects.filter(parent__code="340111002").count()
    )


def test_reimport_changes_nothing(capsys):
    before = Division.objects.count()
    call_command("import_divisions")
    out = capsys.readouterr().out
    assert "社区(村):新增 0,更新 0,未变 18334" in out
    assert Division.objects.count() == before


def _broken_copy(tmp_path: Path, filename: str, old: str, new: str) -> Path:
    for f in DATA.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / filename
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


def test_code_of_wrong_length_names_the_line_and_writes_nothing(tmp_path):
    directory = _broken_copy(
        tmp_path, "anhui_streets.csv", "340102001,明光路街道", "34010200,明光路街道"
    )
    before = Division.objects.count()
    with pytest.raises(CommandError, match=r"anhui_streets.csv:2:代码“34010200”应为 9 位数字"):
        call_command("import_divisions", dir=str(directory))
    assert Division.objects.count() == before


def test_missing_column_is_reported(tmp_path):
    directory = _broken_copy(tmp_path, "anhui_areas.csv", "code,name,cityCode", "code,name,city")
    with pytest.raises(ImportFailed, match=r"anhui_areas\.csv 缺少列:cityCode"):
        read_rows(directory, province_code="34", province_name="安徽省")


def test_gbk_file_is_read_and_undecodable_file_is_named(tmp_path):
    directory = _broken_copy(tmp_path, "anhui_areas.csv", "code", "code")
    path = directory / "anhui_areas.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    rows = read_rows(directory, province_code="34", province_name="安徽省")
    assert any(r.name == "蜀山区" for r in rows)
    path.write_bytes(b"code,name,cityCode\n340102,\xff\xfe\x81,3401\n")
    with pytest.raises(ImportFailed, match=r"anhui_areas\.csv 既不是 UTF-8 也不是 GBK"):
        read_rows(directory, province_code="34", province_name="安徽省")


def test_undecodable_file_fails_the_command_with_its_name_and_writes_nothing(tmp_path):
    # A good rename in an earlier file must not be written when a later file
    # cannot be decoded.
    directory = _broken_copy(tmp_path, "anhui_cities.csv", "3401,合肥市", "3401,合肥新市")
    (directory / "anhui_villages.csv").write_bytes(
        b"code,name,streetCode\n340102001001,\xff\xfe\x81,340102001\n"
    )
    with pytest.raises(CommandError, match=r"文件 anhui_villages\.csv 既不是 UTF-8 也不是 GBK"):
        call_command("import_divisions", dir=str(directory), verbosity=0)
    assert Division.objects.get(code="3401").name == "合肥市"


def test_parent_that_does_not_exist_rejects_the_whole_batch(tmp_path):
    directory = _broken_copy(
        tmp_path,
        "anhui_villages.csv",
        "340102001001,填海巷社区居委会,340102001",
        "340102999001,填海巷社区居委会,340102999",
    )
    rows = read_rows(directory, province_code="34", province_name="安徽省")
    renamed = [r for r in rows if r.code != "340102001002"]
    with pytest.raises(ImportFailed, match=r"anhui_villages.csv:2:上级 340102999 不存在"):
        divisions_import(rows=renamed)
    assert not Division.objects.filter(code="340102999001").exists()
    assert Division.objects.filter(code="340102001002").exists()


def test_a_renamed_community_is_updated_in_place(tmp_path):
    directory = _broken_copy(
        tmp_path,
        "anhui_villages.csv",
        "340102001002,金大塘社区居委会",
        "340102001002,金大塘社区居民委员会",
    )
    original = Division.objects.get(code="340102001002")
    report = divisions_import(rows=read_rows(directory, province_code="34", province_name="安徽省"))
    assert report.updated[Level.COMMUNITY] == 1
    renamed = Division.objects.get(code="340102001002")
    assert (renamed.pk, renamed.name) == (original.pk, "金大塘社区居民委员会")
