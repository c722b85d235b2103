"""POST /api/v1/intake/analyse: place, category and urgency of a message,
nothing written; scope limited to the caller's subtree."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cases.models import Case
from gongzhi.intake import classify, locate
from gongzhi.intake.classify import Prediction
from gongzhi.intake.models import TriageItem
from gongzhi.org.models import Building
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SCOPE = "340111002"  # 常青街道
URL = "/api/v1/intake/analyse"


class FakeModel:
    def predict(self, texts, threshold=None):
        return [
            Prediction("城乡建设", 0.9, False, alternatives=[("环境保护", 0.05)]) for _ in texts
        ]


@pytest.fixture
def staff(client, monkeypatch):
    monkeypatch.setattr(classify, "load_current", lambda *a, **k: FakeModel())
    client.force_login(make_user(SCOPE, Role.STREET_STAFF))
    return client


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_building_category_and_urgency_without_writing(staff):
    b = Building.objects.filter(code__startswith=SCOPE).order_by("code")[3]
    n = locate.building_number(b.name)
    r = post(staff, {"text": f"{b.estate}{n}栋楼道里有燃气味,快来人"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["sure"] is True and body["reasons"] == []
    assert body["place"]["candidates"][0]["building_code"] == b.code
    assert body["category_label"] == "城乡建设" and body["category"].startswith("T")
    assert body["urgency"] == "critical" and body["alternatives"] == [["环境保护", 0.05]]
    assert not Case.objects.exists() and not TriageItem.objects.exists()


def test_unknown_place_is_not_sure_and_says_why(staff):
    body = post(staff, {"text": "楼下垃圾好几天没人收了"}).json()
    assert body["sure"] is False and any("位置不确定" in r for r in body["reasons"])
    assert body["place"]["level"] == "none"


def test_classify_only(staff):
    body = post(staff, {"text": "楼下垃圾好几天没人收了", "locate": False}).json()
    assert body["place"] is None and body["sure"] is True and body["confidence"] == 0.9


def test_scope_outside_the_callers_subtree_is_404(staff):
    r = post(staff, {"text": "路灯坏了", "scope": "340102"})
    assert r.status_code == 404 and r.json()["code"]
    assert "管辖范围" in r.json()["message"]


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 2001}, {"text": "a", "scope": "x;"}])
def test_bad_input_is_422(staff, body):
    r = post(staff, body)
    assert r.status_code == 422 and r.json()["code"] == "invalid"


def test_residents_and_anonymous_are_refused(client):
    assert post(client, {"text": "路灯坏了"}).status_code == 401
    client.force_login(make_user(SCOPE, Role.RESIDENT))
    r = post(client, {"text": "路灯坏了"})
    assert r.status_code == 403 and r.json()["message"]


def test_a_body_that_is_not_json_is_a_chinese_400(staff):
    r = staff.post(URL, "{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {"code": "unparsable_body", "message": "请求体不是有效的 JSON。"}


def test_a_session_call_without_its_csrf_token_is_a_chinese_403(monkeypatch):
    from django.test import Client

    monkeypatch.setattr(classify, "load_current", lambda *a, **k: FakeModel())
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(SCOPE, Role.STREET_STAFF))
    r = post(client, {"text": "路灯坏了"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert "CSRF 校验失败" in r.json()["message"]
