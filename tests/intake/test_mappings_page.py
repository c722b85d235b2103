"""The mapping page: what a row needs depends on its kind (Chinese errors,
nothing written), readable pickers, and the channel's built-in maps listed."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cases.constants import Status, Urgency
from gongzhi.cases.models import Category
from gongzhi.intake.models import ChannelMapping
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/intake/mappings/"


@pytest.fixture
def officer(client):
    user = make_user("340111", Role.DISTRICT_OFFICER)
    client.force_login(user)
    return user


def post(client, **fields):
    return client.post(URL, {"channel": "urban_management", **fields})


def test_category_row_without_category_is_refused(client, officer):
    r = post(client, kind="category", source_code="UC0101")
    assert r.status_code == 400
    assert "事项分类映射须选择对应的事项分类" in r.content.decode()
    assert not ChannelMapping.objects.exists()


def test_category_row_without_source_code_is_refused(client, officer):
    r = post(client, kind="category", category=Category.objects.get(code="UC05").pk)
    assert r.status_code == 400 and "请填写来源平台的编码或用词" in r.content.decode()
    assert not ChannelMapping.objects.exists()


def test_category_row_cannot_point_at_a_heading(client, officer):
    r = post(client, kind="category", source_code="X1", category=Category.objects.get(code="T").pk)
    assert r.status_code == 400 and "未知的事项分类" in r.content.decode()
    assert not ChannelMapping.objects.exists()


def test_status_row_needs_one_of_our_statuses(client, officer):
    r = post(client, kind="status", status="done-ish", target="已办结")
    assert r.status_code == 400 and "未知的案件状态" in r.content.decode()
    r = post(client, kind="status", source_code="closed", target="已办结")
    assert r.status_code == 400 and "回推状态映射须选择本系统的案件状态" in r.content.decode()
    assert not ChannelMapping.objects.exists()


def test_status_row_needs_the_source_word(client, officer):
    r = post(client, kind="status", status=Status.CLOSED)
    assert r.status_code == 400 and "回推状态映射须填写来源平台的状态值" in r.content.decode()
    assert not ChannelMapping.objects.exists()


def test_status_row_saves_our_status_and_the_source_word(client, officer):
    r = post(client, kind="status", status=Status.CLOSED, target="已办结")
    assert r.status_code == 302
    row = ChannelMapping.objects.get()
    assert (row.kind, row.source_code, row.target, row.category) == (
        "status", "closed", "已办结", None
    )  # fmt: skip
    page = client.get(f"{URL}?channel=urban_management").content.decode()
    assert "已结案(closed)" in page


def test_urgency_row_needs_one_of_our_urgencies(client, officer):
    r = post(client, kind="urgency", source_code="很急", target="very")
    assert r.status_code == 400 and "紧急程度映射须选择对应的紧急程度" in r.content.decode()
    r = post(client, kind="urgency", source_code="很急", urgency="very")
    assert r.status_code == 400 and "未知的紧急程度" in r.content.decode()
    assert not ChannelMapping.objects.exists()
    assert (
        post(client, kind="urgency", source_code="很急", urgency=Urgency.URGENT).status_code == 302
    )
    row = ChannelMapping.objects.get()
    assert (row.source_code, row.target) == ("很急", "urgent")


def test_status_and_urgency_are_picked_from_lists(client, officer):
    page = client.get(URL).content.decode()
    assert '<option value="closed">已结案</option>' in page
    assert '<option value="critical">特急</option>' in page


def test_category_options_show_code_and_parent_of_repeated_names(client, officer):
    page = client.get(URL).content.decode()
    other = Category.objects.filter(name="其他", parent__isnull=False).select_related("parent")[0]
    assert f">{other.code} 其他({other.parent.name})</option>" in page
    t14 = Category.objects.get(code="T14")
    assert f'<optgroup label="T14 {t14.name}">' in page
    assert f'<option value="{Category.objects.get(code="UE05").pk}">UE05 街面秩序</option>' in page


def test_duplicate_active_row_is_refused_and_a_deactivated_one_comes_back(client, officer):
    uc05 = Category.objects.get(code="UC05")
    assert post(client, kind="category", source_code="UC0101", category=uc05.pk).status_code == 302
    r = post(client, kind="category", source_code="UC0101", category=uc05.pk)
    assert r.status_code == 400 and "该渠道已有这一来源编码的映射" in r.content.decode()
    row = ChannelMapping.objects.get()
    client.post(URL, {"delete": row.pk})
    ue01 = Category.objects.get(code="UE01")
    assert post(client, kind="category", source_code="UC0101", category=ue01.pk).status_code == 302
    row.refresh_from_db()
    assert row.is_active and row.category == ue01 and ChannelMapping.objects.count() == 1


def test_builtin_mappings_of_the_channel_are_listed(client, officer):
    page = client.get(f"{URL}?channel=skynet").content.decode()
    assert "内置映射(只读)" in page
    assert "<td>ILLEGAL_PARKING</td><td>UE05 街面秩序</td><td>生效</td>" in page
    assert "未映射的事件类型不予导入" in page


def test_builtin_urgency_words_and_overrides_are_shown(client, officer):
    ChannelMapping.objects.create(
        channel="urban_management", kind="urgency", source_code="紧急", target="critical"
    )
    page = client.get(f"{URL}?channel=urban_management").content.decode()
    assert "<td>UC01</td><td>UC01 市政公用设施</td><td>生效</td>" in page
    assert "<td>加急</td><td>紧急</td><td>生效</td>" in page
    assert "<td>紧急</td><td>紧急</td><td>已被人工映射覆盖</td>" in page


def test_editing_a_row_shows_its_own_channel_and_status(client, officer):
    row = ChannelMapping.objects.create(
        channel="skynet", kind="status", source_code="closed", target="已办结"
    )
    page = client.get(f"{URL}?edit={row.pk}&channel=urban_management").content.decode()
    assert '<option value="skynet" selected>' in page
    assert '<option value="closed" selected>' in page


def test_staff_read_the_tables_without_the_edit_form(client):
    ChannelMapping.objects.create(
        channel="urban_management", kind="urgency", source_code="很急", target="urgent"
    )
    client.force_login(make_user("340111002", Role.STREET_STAFF))
    page = client.get(URL).content.decode()
    assert "很急" in page and "仅区(县)及以上组织部门工作人员可以修改" in page
    assert 'name="delete"' not in page and 'name="kind"' not in page
    assert post(client, kind="urgency", source_code="特别急", urgency="critical").status_code == 403
    assert ChannelMapping.objects.count() == 1


def test_a_row_saved_meanwhile_by_someone_else_is_a_conflict(client, officer, monkeypatch):
    """The form's duplicate check passed, then another officer's identical row
    landed first: the unique constraint decides, the page says so (409)."""
    from gongzhi.intake.views import channels as view

    # both checks ran before the other row was committed: neither sees it
    monkeypatch.setattr(view.MappingForm, "_reuse_or_refuse", lambda self, *a: None)
    monkeypatch.setattr(ChannelMapping, "validate_constraints", lambda self, exclude=None: None)
    ChannelMapping.objects.create(
        channel="urban_management", kind="urgency", source_code="很急", target="urgent"
    )
    r = post(client, kind="urgency", source_code="很急", urgency="critical")
    assert r.status_code == 409 and "该渠道已有这一来源编码的映射" in r.content.decode()
    assert ChannelMapping.objects.get().target == "urgent"
