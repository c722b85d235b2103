"""Bad input on the main forms re-renders the page holding the form with the
user's values and the Chinese message (not an error page), status 4xx, and
nothing is saved: report-in registration, sign-up, 微心愿."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.party.models import ReportIn
from gongzhi.volunteering import services
from gongzhi.volunteering.models import MicroWish, SignUp


def test_report_in_registration_redisplays_with_the_values(client, place):
    client.force_login(place["member"])
    data = {
        "community_code": place["a"].code,
        "name": "张晓东",
        "phone": "1395553",
        "id_number": "",
        "employer": str(place["unit"].pk),
    }
    r = client.post("/party/report-in/", data)
    body = r.content.decode()
    assert r.status_code == 400 and "请输入11位手机号码。" in body
    assert 'id="ri-name"' in body and 'value="张晓东"' in body and 'value="1395553"' in body
    assert f'<option value="{place["unit"].pk}" selected>' in body
    assert not ReportIn.objects.exists()
    # Registering twice: the form again, with the conflict message.
    client.post("/party/report-in/", {**data, "phone": "13955531234"})
    again = client.post("/party/report-in/", {**data, "phone": "13955531234"})
    # The page now shows the pending registration, with the message above it.
    assert again.status_code == 409 and 'data-form-error="report_in"' in again.content.decode()
    assert ReportIn.objects.count() == 1


def test_sign_up_over_capacity_redisplays_the_activity_list(client, place):
    now = timezone.now()
    activity = services.activity_create(
        actor=place["worker_a"],
        division=place["a"],
        title="助老理发",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        capacity=1,
    )
    services.activity_sign_up(activity=activity, user=place["member2"])
    client.force_login(place["member"])
    r = client.post(f"/volunteering/activities/{activity.pk}/signup/")
    body = r.content.decode()
    assert r.status_code == 409 and "名额已满" in body and "助老理发" in body
    assert 'data-form-error="signup"' in body
    assert SignUp.objects.filter(activity=activity).count() == 1
    # htmx keeps its in-place fragment.
    hx = client.post(f"/volunteering/activities/{activity.pk}/signup/", HTTP_HX_REQUEST="true")
    assert hx.status_code == 409 and "名额已满" in hx.content.decode()
    assert 'data-form-error="signup"' not in hx.content.decode()


def test_wish_without_a_title_redisplays_with_the_values(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/volunteering/wishes/",
        {"division_code": place["a"].code, "title": "", "resident_name": "刘奶奶"},
    )
    body = r.content.decode()
    assert r.status_code == 400 and "请填写心愿内容。" in body
    assert 'id="w-title"' in body and 'value="刘奶奶"' in body
    assert not MicroWish.objects.exists()


def test_pairing_and_project_forms_redisplay_on_the_cobuild_page(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/cobuild/projects/",
        {
            "division_code": place["a"].code,
            "title": "",
            "linkage": "welfare",
            "description": "说明",
        },
    )
    body = r.content.decode()
    assert r.status_code == 400 and "请填写项目名称。" in body
    assert 'data-form-error="project"' in body and ">说明</textarea>" in body
    assert '<option value="welfare" selected>' in body
    r = client.post(
        "/cobuild/pairings/",
        {"unit": place["other"].pk, "division_code": place["a"].code, "started_on": "2026-13-01"},
    )
    assert r.status_code == 400 and 'data-form-error="pairing"' in r.content.decode()
    assert 'value="2026-13-01"' in r.content.decode()
