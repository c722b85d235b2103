"""The triage page offers every active category, the machine's guess
pre-selected, and files the case under the category the officer chose."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cases.models import Case, Category
from gongzhi.intake import classify
from gongzhi.intake.channels import ADAPTERS, ingest
from gongzhi.intake.classify import Prediction
from gongzhi.intake.models import TriageItem
from gongzhi.org.models import Building
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SCOPE = "340111002"
TEXT = "孩子学校乱收费,每个学期都要交几百块的资料费,也不给收据。"


class EducationModel:
    def predict(self, texts, threshold=None):
        return [Prediction("教育文体", 0.93, False) for _ in texts]


@pytest.fixture
def item(monkeypatch, client):
    monkeypatch.setattr(classify, "load_current", lambda *a, **k: EducationModel())
    row = {"msgId": "WX-EDU-1", "groupDivision": SCOPE, "sender": "家长", "text": TEXT,
           "sentAt": "2026-11-20 20:00:00"}  # fmt: skip
    out = ingest(ADAPTERS["chat_group"], row)
    assert out.kind == "triaged" and out.item.guesses["category"] == "T14"
    client.force_login(make_user(SCOPE, Role.STREET_STAFF))
    return out.item


def building() -> Building:
    return Building.objects.filter(code__startswith=SCOPE).order_by("code").first()


def confirm(client, item, category):
    return client.post(
        f"/intake/triage/{item.pk}/",
        {"action": "confirm", "place": f"b:{building().code}", "category": category,
         "urgency": "normal"},
    )  # fmt: skip


def test_every_active_category_is_offered_with_the_guess_selected(client, item):
    page = client.get(f"/intake/triage/{item.pk}/").content.decode()
    select = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert '<option value="T14" selected>T14 教育文体</option>' in select
    assert select.count(" selected>") == 1  # the guess only, not T01
    offered = Category.objects.filter(is_active=True).exclude(code__in=["U", "UC", "UE", "T"])
    assert offered.count() > 400
    assert all(f'<option value="{c}"' in select for c in offered.values_list("code", flat=True))
    assert '<optgroup label="T14 教育文体">' in select


def test_confirmed_case_gets_the_chosen_category(client, item):
    r = confirm(client, item, "T15")
    assert r.status_code == 302, r.content.decode()[:500]
    item.refresh_from_db()
    assert item.state == TriageItem.State.ACCEPTED and item.case.category.code == "T15"


@pytest.mark.parametrize("category", ["T", "UC", "T99", ""])
def test_category_outside_the_list_is_refused_and_nothing_written(client, item, category):
    r = confirm(client, item, category)
    assert r.status_code == 400 and "请从列表中选择事项分类" in r.content.decode()
    item.refresh_from_db()
    assert item.state == TriageItem.State.PENDING
    assert not Case.objects.filter(source_ref="WX-EDU-1").exists()


def test_inactive_category_is_neither_offered_nor_accepted(client, item):
    Category.objects.filter(code="T15").update(is_active=False)
    page = client.get(f"/intake/triage/{item.pk}/").content.decode()
    assert '<option value="T15"' not in page
    r = confirm(client, item, "T15")
    assert r.status_code == 400 and "请从列表中选择事项分类" in r.content.decode()
    assert not Case.objects.filter(source_ref="WX-EDU-1").exists()
