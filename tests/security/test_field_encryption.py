"""Personal data is encrypted at rest, found by its blind index, rotatable."""

from __future__ import annotations

import base64
import os
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from gongzhi.core import crypto
from gongzhi.org.models import GridMember
from tests.factories import GridMemberFactory

pytestmark = pytest.mark.django_db


def _raw_phone(member_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_bidx FROM org_gridmember WHERE id = %s", [member_id])
        return cursor.fetchone()


def test_phone_is_stored_as_ciphertext_and_read_back_as_plaintext():
    member = GridMemberFactory(phone="13855667788")
    stored, bidx = _raw_phone(member.pk)
    assert "13855667788" not in stored
    assert stored.startswith("gz1$")
    assert len(bidx) == 64
    assert GridMember.objects.get(pk=member.pk).phone == "13855667788"


def test_same_plaintext_encrypts_differently_but_indexes_equally():
    a = GridMemberFactory(phone="13900001111")
    b = GridMemberFactory(phone="13900001111")
    (ca, ia), (cb, ib) = _raw_phone(a.pk), _raw_phone(b.pk)
    assert ca != cb
    assert ia == ib


def test_exact_and_in_lookups_use_the_blind_index():
    member = GridMemberFactory(phone="13912345678")
    GridMemberFactory(phone="13800000000")
    assert list(GridMember.objects.filter(phone=" 13912345678 ")) == [member]
    assert list(GridMember.objects.filter(phone__in=["13912345678", "1"])) == [member]
    assert not GridMember.objects.filter(phone="13912345679").exists()


def test_other_lookups_on_an_encrypted_field_are_refused():
    with pytest.raises(FieldError):
        list(GridMember.objects.filter(phone__contains="1391"))


def test_blank_stays_blank_and_is_filterable():
    member = GridMemberFactory(phone="")
    assert _raw_phone(member.pk)[0] == ""
    assert GridMember.objects.filter(pk=member.pk, phone="").exists()


def test_bulk_create_encrypts_and_indexes():
    grid = GridMemberFactory().grid
    GridMember.objects.bulk_create([GridMember(grid=grid, name="李娜", phone="13711112222")])
    member = GridMember.objects.get(phone="13711112222")
    assert "13711112222" not in _raw_phone(member.pk)[0]


def test_ciphertext_moved_to_another_column_context_does_not_decrypt():
    token = crypto.encrypt("13855667788", context="org.gridmember.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="cases.case.reporter_phone")


def test_tampered_ciphertext_does_not_decrypt():
    token = crypto.encrypt("13855667788", context="x")
    body = bytearray(base64.b64decode(token.split("$")[2]))
    body[-1] ^= 1
    forged = "$".join([*token.split("$")[:2], base64.b64encode(bytes(body)).decode()])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged, context="x")


def test_rotate_keys_reencrypts_under_the_newest_key(settings):
    member = GridMemberFactory(phone="13655556666")
    old_kid = crypto.key_id(settings.FIELD_ENCRYPTION_KEYS[0])
    assert crypto.ciphertext_key_id(_raw_phone(member.pk)[0]) == old_kid
    new_key = os.urandom(32)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *settings.FIELD_ENCRYPTION_KEYS]):
        call_command("rotate_keys", verbosity=0)
        stored, _bidx = _raw_phone(member.pk)
        assert crypto.ciphertext_key_id(stored) == crypto.key_id(new_key)
        assert GridMember.objects.get(pk=member.pk).phone == "13655556666"
        assert GridMember.objects.filter(phone="13655556666").exists()
    # The old key alone no longer reads it: rotation really re-encrypted.
    with pytest.raises(crypto.DecryptionError):
        GridMember.objects.get(pk=member.pk)


def test_data_migration_helper_encrypts_leftover_plaintext():
    from django.apps import apps

    from gongzhi.core.fields import encrypt_existing_rows

    member = GridMemberFactory(phone="13600001234")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE org_gridmember SET phone = %s, phone_bidx = '' WHERE id = %s",
            ["13600001234", member.pk],
        )
    editor = SimpleNamespace(connection=connection)  # the helper only uses .connection
    assert encrypt_existing_rows(apps, editor, model="org.GridMember", field="phone") >= 1
    assert GridMember.objects.get(phone="13600001234").pk == member.pk


def test_rotate_keys_blind_index_recomputes_every_index_under_the_new_key(settings):
    member = GridMemberFactory(phone="13677778888")
    blank = GridMemberFactory(phone="")
    old_bidx = _raw_phone(member.pk)[1]
    new_bidx_key = os.urandom(32)
    with override_settings(FIELD_BLIND_INDEX_KEY=new_bidx_key):
        # Under the new key the old index no longer matches: look-ups miss until recomputed.
        assert not GridMember.objects.filter(phone="13677778888").exists()
        call_command("rotate_keys", "--blind-index", "--status", verbosity=0)
        assert _raw_phone(member.pk)[1] == old_bidx  # --status changes nothing
        call_command("rotate_keys", "--blind-index", verbosity=0)
        stored, bidx = _raw_phone(member.pk)
        assert bidx != old_bidx and len(bidx) == 64
        assert GridMember.objects.filter(phone="13677778888").get().pk == member.pk
        assert GridMember.objects.filter(phone__in=["13677778888"]).count() == 1
        assert _raw_phone(blank.pk)[1] == ""
        from gongzhi.core.keyrotation import recompute_blind_indexes

        assert sum(recompute_blind_indexes(dry_run=True).values()) == 0  # idempotent
    # The ciphertext was not touched, and the old key no longer finds the row.
    assert _raw_phone(member.pk)[0] == stored
    assert not GridMember.objects.filter(phone="13677778888").exists()
