"""Channel adapters on their sample files (good and broken), via the import
pipeline and ``manage.py import_channel``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from gongzhi.cases.constants import Channel, Urgency
from gongzhi.cases.models import Case, Category
from gongzhi.intake.channels import ADAPTERS, import_file
from gongzhi.intake.channels.base import RecordError, read_rows
from gongzhi.intake.models import ChannelMapping, SourceChannel

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data" / "channels"


def run(channel: str, name: str):
    path = DATA / channel / name
    return import_file(ADAPTERS[channel], path.name, path.read_bytes())


def reasons(batch) -> dict[int, str]:
    return {e.line: e.reason for e in batch.errors.all()}


def test_urban_management_good_file_maps_gbt_codes():
    batch = run("urban_management", "good.csv")
    assert (batch.total, batch.created, batch.failed) == (3, 3, 0)
    cases = {c.source_ref: c for c in Case.objects.filter(channel=Channel.URBAN_MANAGEMENT)}
    assert cases["UM2026110001"].category.code == "UC01"
    assert cases["UM2026110002"].category.code == "UE01"
    assert cases["UM2026110002"].urgency == Urgency.URGENT
    assert cases["UM2026110003"].category.code == "UE05"  # 事件 + standard's "05"
    assert all(c.grid_id for c in cases.values())


def test_urban_management_gbk_file_is_read():
    encoding, rows = read_rows("gbk.csv", (DATA / "urban_management" / "gbk.csv").read_bytes())
    assert encoding == "gb18030" and rows[0][1]["问题描述"] == "果壳箱破损需要更换。"
    batch = run("urban_management", "gbk.csv")
    assert batch.created == 1 and batch.encoding == "gb18030"


def test_urban_management_broken_file_imports_good_lists_bad():
    batch = run("urban_management", "broken.csv")
    assert (batch.total, batch.created, batch.failed) == (8, 1, 7)
    r = reasons(batch)
    assert "案卷号" in r[3]
    assert "问题描述" in r[4]
    assert "日期格式不正确" in r[5]
    assert "海上" in r[6]
    assert "安徽" in r[7]
    assert "UX99" in r[8]
    assert "紧急程度" in r[9]
    # nothing half-written: exactly the one good case exists
    assert Case.objects.filter(channel=Channel.URBAN_MANAGEMENT).count() == 1


def test_mapping_table_overrides_builtin_mapping():
    ChannelMapping.objects.create(
        channel=SourceChannel.URBAN_MANAGEMENT,
        source_code="UC0101",
        category=Category.objects.get(code="UC05"),
    )
    run("urban_management", "good.csv")
    assert Case.objects.get(source_ref="UM2026110001").category.code == "UC05"


def test_reimport_is_idempotent():
    run("urban_management", "good.csv")
    again = run("urban_management", "good.csv")
    assert (again.created, again.duplicates) == (0, 3)
    assert Case.objects.filter(channel=Channel.URBAN_MANAGEMENT).count() == 3


def test_hotline_12345():
    good = run("hotline_12345", "good.json")
    assert (good.created, good.failed) == (2, 0)
    case = Case.objects.get(channel=Channel.HOTLINE_12345, source_ref="HL202611200001")
    assert case.category.name == "城乡建设"
    bad = run("hotline_12345", "broken.json")
    assert (bad.total, bad.created, bad.failed) == (6, 1, 5)
    r = reasons(bad)
    assert "诉求内容" in r[2] and "日期格式" in r[3] and "海上" in r[4]
    assert "坐标" in r[5] and "电话" in r[6]


def test_petition_xlsx_with_officer_mapping():
    ChannelMapping.objects.create(
        channel=SourceChannel.PETITION,
        source_code="物业管理",
        category=Category.objects.get(code="UC05"),
    )
    good = run("petition", "good.xlsx")
    assert (good.total, good.created, good.failed) == (2, 2, 0)
    assert Case.objects.get(channel=Channel.PETITION, source_ref="XF2026110001").category.code == (
        "UC05"
    )
    bad = run("petition", "broken.xlsx")
    assert (bad.created, bad.failed) == (1, 3)
    r = reasons(bad)  # XLSX lines are sheet rows (header is row 1)
    assert "信访人" in r[3] and "日期格式" in r[4] and "安徽" in r[5]


def test_skynet_alerts():
    good = run("skynet", "good.json")
    assert good.created == 2
    fire = Case.objects.get(channel=Channel.SKYNET, source_ref="SK20261120000002")
    assert fire.category.code == "UE04" and fire.urgency == Urgency.CRITICAL
    assert "太湖路与徽州大道交口" in fire.description
    bad = run("skynet", "broken.json")
    assert (bad.created, bad.failed) == (1, 4)
    r = reasons(bad)
    assert "UFO_SIGHTING" in r[2] and "海上" in r[3] and "日期格式" in r[4] and "摄像机" in r[5]


def test_police_110_gbk_csv():
    good = run("police_110", "good.csv")
    assert (good.created, good.failed) == (2, 0)
    case = Case.objects.get(source_ref="110:J3401112026112000002")
    assert case.channel == Channel.POLICE_110 and case.category.code == "UC01"
    bad = run("police_110", "broken.csv")
    assert (bad.created, bad.failed) == (1, 3)
    r = reasons(bad)
    assert "接警时间" in r[3] and "坐标格式" in r[4] and "海上" in r[5]


def test_grid_patrol_app():
    good = run("grid_patrol", "good.json")
    assert good.created == 2
    bad = run("grid_patrol", "broken.json")
    assert (bad.created, bad.failed) == (1, 4)
    r = reasons(bad)
    assert "ZZ99" in r[2] and "晚于当前时间" in r[3] and "安徽" in r[4] and "记录编号" in r[5]


def test_chat_group_sample_goes_to_triage_or_errors():
    batch = run("chat_group", "sample.csv")
    assert batch.total == 4 and batch.created == 0
    assert batch.triaged == 1  # no estate named: never routed silently
    r = reasons(batch)
    assert "过短" in r[3] and "区划" in r[4] and "消息编号" in r[5]


def test_unreadable_file_is_one_error_not_a_crash():
    batch = import_file(ADAPTERS["hotline_12345"], "x.json", b"[{not json")
    assert batch.total == 0 and batch.errors.get().line == 0


def test_every_record_error_is_chinese():
    with pytest.raises(RecordError, match="缺少字段"):
        ADAPTERS["skynet"].to_record({})


def test_import_channel_command():
    out = StringIO()
    call_command(
        "import_channel",
        "--channel",
        "urban_management",
        str(DATA / "urban_management" / "broken.csv"),
        stdout=out,
    )
    text = out.getvalue()
    assert "新建 1" in text and "错误 7" in text and "第 6 行" in text
