"""The demo's lean bulk insert writes rows the ORM reads back exactly:
encrypted values (a fresh nonce each) with their blind index, defaults and
timestamps."""

from __future__ import annotations

from django.db import connection

from gongzhi.core import crypto
from gongzhi.party.bulk import fast_insert, fast_insert_objects
from gongzhi.party.models import JointConference, PartyMember
from tests.party.conftest import communities


def _raw_phones(keys):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_bidx FROM party_partymember WHERE id IN (%s, %s) ORDER BY id",
            keys,
        )
        return cursor.fetchall()


def test_fast_insert_encrypts_fills_blind_index_defaults_and_timestamps(db):
    keys = fast_insert(
        PartyMember,
        [{"name": "李四", "phone": "13800001111"}, {"name": "王五", "phone": "13800001111"}],
    )
    a, b = PartyMember.objects.filter(pk__in=keys).order_by("pk")
    assert (a.name, a.phone, a.political_status, a.id_number) == ("李四", "13800001111", "full", "")
    assert a.created_at is not None and a.updated_at is not None
    assert list(PartyMember.objects.filter(phone="13800001111").order_by("pk")) == [a, b]
    (cipher_a, index_a), (cipher_b, index_b) = _raw_phones(keys)
    assert crypto.is_ciphertext(cipher_a) and cipher_a != cipher_b
    assert index_a == index_b != ""


def test_fast_insert_objects_sets_primary_keys(db):
    conference = JointConference(
        division=communities(1)[0], name="测试联席会议", established_on="2024-01-01"
    )
    fast_insert_objects(JointConference, [conference])
    assert JointConference.objects.get(pk=conference.pk).name == "测试联席会议"
