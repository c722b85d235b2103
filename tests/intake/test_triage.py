"""Chat messages → cases when sure, the triage queue otherwise (real buildings)."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cases.constants import Channel
from gongzhi.cases.models import Case
from gongzhi.intake import classify, locate
from gongzhi.intake.channels import ADAPTERS, ingest
from gongzhi.intake.classify import Prediction
from gongzhi.intake.models import TriageItem
from gongzhi.intake.triage import triage_confirm, triage_dismiss
from gongzhi.org.models import Building
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SCOPE = "340111002"


class FakeModel:
    def __init__(self, confidence):
        self.confidence = confidence

    def predict(self, texts, threshold=None):
        return [Prediction("城乡建设", self.confidence, self.confidence < 0.6) for _ in texts]


@pytest.fixture
def confident(monkeypatch):
    monkeypatch.setattr(classify, "load_current", lambda *a, **k: FakeModel(0.92))


@pytest.fixture
def unsure(monkeypatch):
    monkeypatch.setattr(classify, "load_current", lambda *a, **k: FakeModel(0.31))


def building() -> Building:
    b = Building.objects.filter(code__startswith=SCOPE).order_by("code")[3]
    assert locate.building_number(b.name) is not None
    return b


def msg(ref, text):
    # the group belongs to 常青街道: its staff see its triage items (a county
    # group's items are for county officers, tests/intake/test_triage_scope.py)
    return {"msgId": ref, "groupDivision": SCOPE, "sender": "业主", "text": text,
            "sentAt": "2026-11-20 20:00:00"}  # fmt: skip


def test_building_found_and_confident_becomes_a_case(confident):
    b = building()
    n = locate.building_number(b.name)
    out = ingest(ADAPTERS["chat_group"], msg("WX-1", f"{b.estate}{n}栋楼道灯坏了好几天了"))
    assert out.kind == "created"
    case = out.case
    assert case.channel == Channel.CHAT_GROUP and case.grid_id == b.grid_id
    assert case.category.name == "城乡建设"
    again = ingest(ADAPTERS["chat_group"], msg("WX-1", f"{b.estate}{n}栋楼道灯坏了好几天了"))
    assert again.kind == "existing" and again.case.pk == case.pk


def test_urgent_words_raise_urgency(confident):
    b = building()
    n = locate.building_number(b.name)
    out = ingest(ADAPTERS["chat_group"], msg("WX-2", f"{b.estate}{n}栋楼道里有燃气味,快来人"))
    assert out.case.urgency == "critical"


def test_low_confidence_goes_to_triage_with_guesses(unsure):
    b = building()
    n = locate.building_number(b.name)
    out = ingest(ADAPTERS["chat_group"], msg("WX-3", f"{b.estate}{n}栋有个事想问问"))
    assert out.kind == "triaged" and out.case is None
    item = out.item
    assert "置信度" in item.reason
    assert item.guesses["place"]["candidates"][0]["building_code"] == b.code
    assert not Case.objects.filter(source_ref="WX-3").exists()


def test_unknown_place_goes_to_triage(confident):
    out = ingest(ADAPTERS["chat_group"], msg("WX-4", "楼道灯坏了好几天了,没人管"))
    assert out.kind == "triaged" and "位置不确定" in out.item.reason


def test_missing_building_number_is_not_routed(confident):
    b = building()
    out = ingest(ADAPTERS["chat_group"], msg("WX-5", f"{b.estate}的路灯坏了"))
    loc = locate.locate_text(f"{b.estate}的路灯坏了", scope=SCOPE[:6])
    assert (out.kind == "triaged") == (not loc.sure)


def test_staff_confirms_with_correction_then_case_exists(unsure, client):
    b = building()
    n = locate.building_number(b.name)
    item = ingest(ADAPTERS["chat_group"], msg("WX-6", f"{b.estate}{n}栋有个事想问问")).item
    officer = make_user(SCOPE, Role.STREET_STAFF)
    client.force_login(officer)
    page = client.get(f"/intake/triage/{item.pk}/")
    assert page.status_code == 200 and b.estate in page.content.decode()
    r = client.post(
        f"/intake/triage/{item.pk}/",
        {"action": "confirm", "place": f"b:{b.code}", "category": "UC05", "urgency": "urgent"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    item.refresh_from_db()
    assert item.state == TriageItem.State.ACCEPTED and item.decided_by == officer
    case = item.case
    assert case.category.code == "UC05" and case.urgency == "urgent"
    assert case.grid_id == b.grid_id and case.source_ref == "WX-6"
    # re-import of the same message gives the same case
    again = ingest(ADAPTERS["chat_group"], msg("WX-6", "whatever text"))
    assert again.case.pk == case.pk


def test_dismiss(unsure):
    item = ingest(ADAPTERS["chat_group"], msg("WX-7", "大家晚上好,今天天气不错")).item
    officer = make_user(SCOPE, Role.STREET_STAFF)
    triage_dismiss(item=item, actor=officer, reason="闲聊")
    item.refresh_from_db()
    assert item.state == TriageItem.State.DISMISSED
    with pytest.raises(Exception, match="已处理"):
        triage_confirm(item=item, actor=officer, category="UC01", building_code=building().code)


def test_queue_page_lists_pending(unsure, client):
    ingest(ADAPTERS["chat_group"], msg("WX-8", "楼道灯坏了好几天了"))
    client.force_login(make_user(SCOPE, Role.STREET_STAFF))
    r = client.get("/intake/triage/")
    assert r.status_code == 200 and "楼道灯坏了" in r.content.decode()
