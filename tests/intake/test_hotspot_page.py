"""The hotspot pages (/intake/hotspots/, /intake/hotspots/hard-problems/):
scope, the one-click proactive case (idempotent) and the messages source."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cases.models import Case
from gongzhi.intake.views import hotspots as hotspot_views
from tests.cases.factories import CaseFactory, first_grid
from tests.factories import make_user

pytestmark = pytest.mark.django_db

OWN_STREET = "340111002"  # 常青街道
OTHER_STREET = "340111003"  # 芜湖路街道
OWN_TITLE = "常青小区垃圾站臭气熏天无人清运"
OTHER_TITLE = "芜湖路口夜间施工噪音扰民严重"
NOISE = ["学校门口交通拥堵", "社保卡补办流程咨询", "公园健身器材损坏"]


@pytest.fixture
def clusters():
    own, other = first_grid(OWN_STREET), first_grid(OTHER_STREET)
    for i in range(3):
        CaseFactory(grid=own, title=OWN_TITLE, description=f"{OWN_TITLE},第{i}次反映")
        CaseFactory(grid=other, title=OTHER_TITLE, description=f"{OTHER_TITLE},第{i}次反映")
    for t in NOISE:
        CaseFactory(grid=own, title=t, description=t)
    return own, other


def _login(client, code, role):
    user = make_user(code, role)
    client.force_login(user)
    return user


def _keys(html: str) -> list[str]:
    import re

    return re.findall(r'data-key="([^"]+)"', html)


def test_street_staff_sees_only_clusters_of_their_own_subtree(client, clusters):
    _login(client, OWN_STREET, Role.STREET_STAFF)
    r = client.get("/intake/hotspots/")
    assert r.status_code == 200
    html = r.content.decode()
    assert OWN_TITLE in html
    assert OTHER_TITLE not in html
    assert len(_keys(html)) == 1


def test_district_officer_sees_both_streets(client, clusters):
    _login(client, "340111", Role.DISTRICT_OFFICER)
    html = client.get("/intake/hotspots/").content.decode()
    assert OWN_TITLE in html and OTHER_TITLE in html


def test_hard_problems_page_is_scoped_too(client, clusters):
    _login(client, OWN_STREET, Role.STREET_STAFF)
    r = client.get("/intake/hotspots/hard-problems/")
    assert r.status_code == 200
    html = r.content.decode()
    assert OWN_TITLE in html and OTHER_TITLE not in html


def test_residents_and_department_staff_are_refused(client, clusters):
    _login(client, "340111002001", Role.RESIDENT)
    assert client.get("/intake/hotspots/").status_code == 403
    assert client.get("/intake/hotspots/hard-problems/").status_code == 403


def test_one_click_case_is_idempotent(client, clusters):
    _login(client, OWN_STREET, Role.STREET_STAFF)
    key = _keys(client.get("/intake/hotspots/").content.decode())[0]
    before = Case.objects.count()
    r = client.post("/intake/hotspots/open-case/", {"key": key, "source": "cases"})
    assert r.status_code == 302
    case = Case.objects.get(source_ref=f"hotspot-{key}")
    assert r["Location"].endswith(f"/{case.number}/")
    assert case.division_path.startswith(OWN_STREET)
    assert Case.objects.count() == before + 1
    again = client.post("/intake/hotspots/open-case/", {"key": key, "source": "cases"})
    assert again.status_code == 302 and again["Location"] == r["Location"]
    assert Case.objects.count() == before + 1
    # the page now marks the hotspot as opened, and the proactive case does
    # not feed back into the clusters
    html = client.get("/intake/hotspots/").content.decode()
    assert "已立案" in html and _keys(html) == [key]


def test_a_foreign_cluster_cannot_be_opened_by_key(client, clusters):
    _login(client, "340111", Role.DISTRICT_OFFICER)
    html = client.get("/intake/hotspots/").content.decode()
    foreign_keys = set(_keys(html))
    client.force_login(make_user(OWN_STREET, Role.STREET_STAFF))
    own_keys = set(_keys(client.get("/intake/hotspots/").content.decode()))
    (foreign,) = foreign_keys - own_keys
    before = Case.objects.count()
    r = client.post("/intake/hotspots/open-case/", {"key": foreign, "source": "cases"})
    assert r.status_code == 404
    assert Case.objects.count() == before


def test_messages_source(client, tmp_path, monkeypatch):
    rows = ["留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数"]
    for i in range(3):
        rows.append(
            f"{i},u{i},A3区某小区垃圾站臭气熏天联系13812345678,2019/5/{i + 1} 10:00:00,臭,0,{i}"
        )
    rows.append("9,u9,出租车拒载,2019/5/3 10:00:00,拒载,0,0")
    src = tmp_path / "messages_with_votes.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(hotspot_views, "messages_file", lambda: src)
    _login(client, OWN_STREET, Role.STREET_STAFF)
    html = client.get("/intake/hotspots/?source=messages").content.decode()
    assert "A3区某小区垃圾站臭气熏天" in html
    # a phone number in a message title is masked on the page
    assert "13812345678" not in html and "138****5678" in html
    assert len(_keys(html)) == 1
    monthly = client.get("/intake/hotspots/hard-problems/?source=messages").content.decode()
    assert "2019-05" in monthly and "13812345678" not in monthly


def test_unknown_source_falls_back_to_cases(client, clusters):
    _login(client, OWN_STREET, Role.STREET_STAFF)
    html = client.get("/intake/hotspots/?source=../../etc").content.decode()
    assert OWN_TITLE in html
