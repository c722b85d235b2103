"""Committee seats are edited from the organisation's page: the seat's form
opens on the same page (holder masked, flags as stored), saves the holder,
role, unit and cross-appointments (一肩挑, 兼任居务监督委员会主任), redisplays
bad input with nothing changed, and a seat outside the user's subtree is 404."""

from __future__ import annotations

import pytest

from gongzhi.party.models import CommitteeSeat, PartyOrganization
from tests.cobuild.redisplay import assert_redisplayed


@pytest.fixture
def seat(place):
    org = PartyOrganization.objects.create(
        name="社区大党委", kind="community_committee", division=place["a"], is_joint_committee=True
    )
    return CommitteeSeat.objects.create(organization=org, holder_name="欧阳明", role="secretary")


def test_the_edit_form_opens_on_the_organisation_page_with_the_name_masked(client, place, seat):
    client.force_login(place["worker_a"])
    page = client.get(f"/party/orgs/{seat.organization_id}/").content.decode()
    assert f'href="/party/seats/{seat.pk}/edit/#seat-edit"' in page
    r = client.get(f"/party/seats/{seat.pk}/edit/")
    body = r.content.decode()
    assert r.status_code == 200 and 'id="seat-edit"' in body and "社区大党委" in body
    assert 'placeholder="欧**"' in body and "欧阳明" not in body
    assert '<option value="secretary" selected>' in body


def test_secretary_takes_both_cross_appointments_and_keeps_the_holder(client, place, seat):
    client.force_login(place["worker_a"])
    r = client.post(
        f"/party/seats/{seat.pk}/edit/",
        {
            "holder_name": "",
            "role": "secretary",
            "also_director": "on",
            "also_supervision_chair": "on",
        },
    )
    assert r.status_code == 302 and r.url == f"/party/orgs/{seat.organization_id}/"
    seat.refresh_from_db()
    assert (seat.holder_name, seat.also_director, seat.also_supervision_chair) == (
        "欧阳明",
        True,
        True,
    )
    page = client.get(r.url).content.decode()
    assert "兼任居委会主任" in page and "兼任居务监督委员会主任" in page


def test_new_holder_and_part_time_seat_from_a_unit(client, place, seat):
    client.force_login(place["worker_a"])
    r = client.post(
        f"/party/seats/{seat.pk}/edit/",
        {
            "holder_name": "赵刚",
            "role": "member",
            "resident_unit": str(place["unit"].pk),
            "is_part_time": "on",
        },
    )
    assert r.status_code == 302
    seat.refresh_from_db()
    assert (seat.holder_name, seat.role, seat.resident_unit, seat.is_part_time) == (
        "赵刚",
        "member",
        place["unit"],
        True,
    )


def test_cross_appointment_of_a_member_redisplays_the_edit_form(client, place, seat):
    seat.role = "member"
    seat.save()
    client.force_login(place["worker_a"])
    r = client.post(
        f"/party/seats/{seat.pk}/edit/",
        {"holder_name": "李华", "role": "deputy", "also_supervision_chair": "on"},
    )
    assert_redisplayed(
        r,
        "seat_edit",
        "只有书记可以兼任居委会主任或居务监督委员会主任。",
        'id="seat-edit"',
        'value="李华"',
        '<option value="deputy" selected>',
        'name="also_supervision_chair" checked',
    )
    seat.refresh_from_db()
    assert (seat.holder_name, seat.role, seat.also_supervision_chair) == ("欧阳明", "member", False)


def test_part_time_without_a_unit_redisplays_the_edit_form(client, place, seat):
    client.force_login(place["worker_a"])
    r = client.post(f"/party/seats/{seat.pk}/edit/", {"role": "member", "is_part_time": "on"})
    assert_redisplayed(r, "seat_edit", "兼职委员须来自驻区单位,请选择单位。")
    assert not CommitteeSeat.objects.get().is_part_time


def test_a_seat_outside_the_subtree_is_not_found(client, place, seat):
    client.force_login(place["worker_b"])
    assert client.get(f"/party/seats/{seat.pk}/edit/").status_code == 404
    r = client.post(f"/party/seats/{seat.pk}/edit/", {"role": "member", "holder_name": "X"})
    assert r.status_code == 404
    seat.refresh_from_db()
    assert (seat.holder_name, seat.role) == ("欧阳明", "secretary")


def test_a_resident_may_not_open_the_edit_form(client, place, seat):
    client.force_login(place["resident"])
    assert client.get(f"/party/seats/{seat.pk}/edit/").status_code == 403
