"""Personal data of members, unit contacts and 微心愿 residents: encrypted at
rest, found by exact value through the blind index, validated on entry, and
masked on every page and in the API."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.db import connection

from gongzhi.cobuild import services as cobuild_services
from gongzhi.cobuild.models import UnitContact
from gongzhi.core import crypto
from gongzhi.core.errors import Conflict, ValidationFailed
from gongzhi.party import services
from gongzhi.party.models import CommitteeSeat, PartyMember, PartyOrganization, ReportIn
from gongzhi.volunteering import services as volunteering_services
from gongzhi.volunteering.models import MicroWish

VALID_ID = "340104199001011239"
OTHER_ID = "340104198505050026"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _register(place, user="member", **kwargs):
    data = {"name": "王建国", "phone": "13855556666", "id_number": VALID_ID} | kwargs
    return services.report_in_register(user=place[user], community=place["a"], **data)


def test_member_phone_id_number_and_political_status_are_ciphertext_in_the_table(place):
    member = _register(place, political_status="probationary").member
    for column, plain in (
        ("phone", "13855556666"),
        ("id_number", VALID_ID),
        ("political_status", "probationary"),
    ):
        stored = _raw("party_partymember", column, member.pk)
        assert crypto.is_ciphertext(stored)
        assert plain not in stored
    fresh = PartyMember.objects.get(pk=member.pk)
    assert (fresh.phone, fresh.id_number, fresh.get_political_status_display()) == (
        "13855556666",
        VALID_ID,
        "中共预备党员",
    )


def test_member_is_found_by_exact_id_number_and_phone(place):
    member = _register(place, id_number=" 340104 19900101 1239 ").member
    assert PartyMember.objects.get(id_number=VALID_ID) == member
    assert PartyMember.objects.get(phone="13855556666") == member


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "340104199001011234", "校验位"),
        ("id_number", "3401041990", "18位"),
        ("id_number", "340104199013011236", "出生日期"),
        ("phone", "1385555", "11位手机号码"),
        ("political_status", "mass", "政治面貌"),
    ],
)
def test_bad_personal_data_is_refused_in_chinese_and_nothing_is_saved(place, field, value, message):
    with pytest.raises(ValidationFailed, match=message):
        _register(place, **{field: value})
    assert not PartyMember.objects.exists()
    assert not ReportIn.objects.exists()


def test_an_id_number_registered_by_another_account_is_a_conflict(place):
    _register(place)
    with pytest.raises(Conflict, match="身份证号已登记"):
        _register(place, user="member2")
    assert PartyMember.objects.count() == 1


def test_contact_and_wish_phones_are_encrypted_and_validated(place):
    contact = cobuild_services.contact_add(
        actor=place["worker_a"], unit=place["unit"], name="周红", phone="139 0000 2222"
    )
    assert crypto.is_ciphertext(_raw("cobuild_unitcontact", "phone", contact.pk))
    assert UnitContact.objects.get(phone="13900002222") == contact
    with pytest.raises(ValidationFailed, match="11位手机号码"):
        cobuild_services.contact_add(
            actor=place["worker_a"], unit=place["unit"], name="周红", phone="12345"
        )
    wish = volunteering_services.wish_post(
        actor=place["worker_a"],
        division=place["a"],
        title="更换灯泡",
        resident_name="刘奶奶",
        resident_phone="13905531111",
    )
    assert crypto.is_ciphertext(_raw("volunteering_microwish", "resident_phone", wish.pk))
    assert MicroWish.objects.get(resident_phone="13905531111") == wish


def test_migration_encrypts_rows_written_in_plaintext(place):
    member = _register(place).member
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE party_partymember SET phone = %s, id_number = %s, political_status = %s,"
            " phone_bidx = '', id_number_bidx = '' WHERE id = %s",
            ["13800001111", OTHER_ID, "full", member.pk],
        )
    migration = importlib.import_module(
        "gongzhi.party.migrations.0002_party_personal_fields_encrypted"
    )
    # The helper only needs the editor's connection (no DDL runs).
    migration.encrypt_members(global_apps, SimpleNamespace(connection=connection))
    assert crypto.is_ciphertext(_raw("party_partymember", "id_number", member.pk))
    assert crypto.is_ciphertext(_raw("party_partymember", "political_status", member.pk))
    assert PartyMember.objects.get(id_number=OTHER_ID).phone == "13800001111"
    assert PartyMember.objects.get(phone="13800001111").political_status == "full"


def test_pages_and_api_show_names_and_numbers_masked(client, place):
    _register(place)
    org = PartyOrganization.objects.create(
        name="常青社区党委", kind="community_committee", division=place["a"]
    )
    CommitteeSeat.objects.create(organization=org, holder_name="欧阳明华", role="secretary")
    client.force_login(place["worker_a"])
    home = client.get("/party/").content.decode()
    assert "王**" in home and "138****6666" in home and "340104********1239" in home
    assert "王建国" not in home and "13855556666" not in home and VALID_ID not in home
    org_page = client.get(f"/party/orgs/{org.pk}/").content.decode()
    assert "欧***" in org_page and "欧阳明华" not in org_page
    api = client.get(f"/api/v1/party/orgs/{org.pk}").json()
    assert api["seats"][0]["holder_name"] == "欧***"
    listed = client.get("/api/v1/party/report-ins").content.decode()
    assert "13855556666" not in listed and "王建国" not in listed
