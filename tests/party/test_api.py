from __future__ import annotations

import json

from gongzhi.party.models import ReportIn


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_register_twice_is_409_with_chinese_message(client, place):
    client.force_login(place["member"])
    body = {"community_code": place["a"].code, "name": "王建国", "phone": "13855556666"}
    assert _post(client, "/api/v1/party/report-ins", body).status_code == 201
    second = _post(client, "/api/v1/party/report-ins", body)
    assert second.status_code == 409
    assert second.json()["code"] == "already_reported"
    assert "重复报到" in second.json()["message"]
    assert ReportIn.objects.count() == 1


def test_api_masks_personal_data_and_scopes_confirmation(client, place):
    client.force_login(place["member"])
    _post(
        client,
        "/api/v1/party/report-ins",
        {
            "community_code": place["a"].code,
            "name": "王建国",
            "phone": "13855556666",
            "id_number": "340104199001011239",
        },
    )
    r = ReportIn.objects.get()
    client.force_login(place["worker_b"])
    refused = _post(client, f"/api/v1/party/report-ins/{r.pk}/confirm", {})
    assert refused.status_code == 404
    client.force_login(place["worker_a"])
    ok = _post(client, f"/api/v1/party/report-ins/{r.pk}/confirm", {"tasks": ["环境整治"]})
    assert ok.status_code == 200
    data = ok.json()
    assert (data["member_name"], data["member_phone"]) == ("王**", "138****6666")
    assert data["member_id_number"] == "340104********1239"
    assert "13855556666" not in ok.content.decode()
