"""The demo's lean bulk insert writes rows the ORM reads back exactly:
encrypted values (a fresh nonce each) with their blind index, defaults and
timestamps."""

from __future__ import annotations

from django.db import connection

from gongzhi.cobuild.models import ResidentUnit, UnitContact
from gongzhi.core import crypto
from gongzhi.core.bulk import fast_insert, fast_insert_objects
from tests.cobuild.conftest import communities


def _raw_phones(keys):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_bidx FROM cobuild_unitcontact WHERE id IN (%s, %s) ORDER BY id",
            keys,
        )
        return cursor.fetchall()


def test_fast_insert_encrypts_fills_blind_index_defaults_and_timestamps(db):
    unit = ResidentUnit.objects.create(name="测试单位", kind="agency", division=communities(1)[0])
    keys = fast_insert(
        UnitContact,
        [
            {"unit_id": unit.pk, "name": "李四", "phone": "13800001111"},
            {"unit_id": unit.pk, "name": "王五", "phone": "13800001111"},
        ],
    )
    a, b = UnitContact.objects.filter(pk__in=keys).order_by("pk")
    assert (a.name, a.phone, a.title, a.user_id) == ("李四", "13800001111", "", None)
    assert a.created_at is not None and a.updated_at is not None
    assert list(UnitContact.objects.filter(phone="13800001111").order_by("pk")) == [a, b]
    (cipher_a, index_a), (cipher_b, index_b) = _raw_phones(keys)
    assert crypto.is_ciphertext(cipher_a) and cipher_a != cipher_b
    assert index_a == index_b != ""


def test_fast_insert_objects_sets_primary_keys(db):
    unit = ResidentUnit(name="测试单位", kind="school", division=communities(1)[0])
    fast_insert_objects(ResidentUnit, [unit])
    assert ResidentUnit.objects.get(pk=unit.pk).name == "测试单位"
