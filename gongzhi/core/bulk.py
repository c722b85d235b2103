"""A lean bulk insert for the demo generators.

``QuerySet.bulk_create`` builds and prepares every field of every row through
the ORM (~25 µs per value); for the ~100 000 demo rows of party building,
co-building and volunteering that was most of ``seed_demo``'s time. Here rows
are plain dicts: values that repeat (timestamps, foreign keys, choices) are
prepared once per distinct value, and the rows go to ``executemany``.
Encrypted fields are prepared per row (a fresh nonce each) and their blind
indexes are filled from the plaintext, as ``save()`` would.
"""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, models
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.core.fields import BlindIndexField

_MISSING = object()


def _encryptor(field):
    """``field.get_db_prep_save`` for an encrypted field, with the cipher and
    the key set up once: the same ``gz1$<key id>$<nonce+sealed>`` format as
    ``crypto.encrypt``, a fresh nonce per value."""
    ring = crypto.keyring()
    aes = AESGCM(ring.keys[0])
    context = field.crypto_context.encode()
    head = f"{crypto.PREFIX}${ring.primary_id}$"

    def encrypt(value):
        if value is None or value == "":
            return value
        nonce = os.urandom(crypto.NONCE_BYTES)
        sealed = aes.encrypt(nonce, str(value).encode("utf-8"), context)
        return head + base64.b64encode(nonce + sealed).decode("ascii")

    return encrypt


def _blind_indexer(source):
    """``source.blind_index_for`` with the key and context prepared once."""
    key = crypto.keyring().blind_index_key
    prefix = source.crypto_context.encode() + b"\x00"
    normalizer = source.normalizer

    def index(value):
        if value is None or value == "":
            return ""
        message = prefix + normalizer(str(value)).encode("utf-8")
        return hmac.digest(key, message, "sha256").hex()

    return index


def fast_insert(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, batch: int = 5000
) -> list[int]:
    """Insert ``rows`` (field name → value; unset fields take their default)
    and return the new primary keys in insertion order."""
    rows = list(rows)
    if not rows:
        return []
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]

    def default_of(field):
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            return lambda: now
        if field.has_default() and callable(field.default):
            return field.get_default
        value = field.get_default()
        return lambda: value

    # One getter per column, built once: (names to look up in the row, the
    # default, the preparation of a value).
    specs = []
    for field in fields:
        if isinstance(field, BlindIndexField):
            source = field.source_field()
            specs.append(
                ((source.attname, source.name), default_of(source), _blind_indexer(source))
            )
        elif getattr(field, "encrypted", False):
            specs.append(((field.attname, field.name), default_of(field), _encryptor(field)))
        else:
            specs.append(((field.attname, field.name), default_of(field), _cached_prep(field)))

    def row_values(row):
        out = []
        for (attname, name), default, prep in specs:
            value = row.get(attname, _MISSING)
            if value is _MISSING:
                value = row.get(name, _MISSING)
                if value is _MISSING:
                    value = default()
            out.append(prep(value))
        return tuple(out)

    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = qn(model._meta.db_table)
    pk = qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # nosec B608
        before = cursor.fetchone()[0]
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # nosec B608
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, [row_values(r) for r in rows[start : start + batch]])
        # One writer (the demo command): new keys are the ones above `before`.
        cursor.execute(
            f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}",  # nosec B608
            [before],
        )
        keys = [k for (k,) in cursor.fetchall()]
    assert len(keys) == len(rows), "concurrent writes during the demo insert"
    return keys


def _cached_prep(field):
    """``field.get_db_prep_save`` once per distinct value."""
    cache: dict[Any, Any] = {}

    def prep(value):
        try:
            return cache[value]
        except KeyError:
            cache[value] = prepared = field.get_db_prep_save(value, connection)
            return prepared
        except TypeError:  # unhashable
            return field.get_db_prep_save(value, connection)

    return prep


def fast_insert_objects(
    model: type[models.Model], objs: Iterable[models.Model], *, batch: int = 5000
) -> list[int]:
    """``fast_insert`` for unsaved instances; sets their primary keys."""
    objs = list(objs)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not isinstance(f, BlindIndexField)
    ]
    rows = []
    for obj in objs:
        row = {}
        for f in fields:
            value = getattr(obj, f.attname)
            if (
                value is None
                and isinstance(f, models.DateTimeField)
                and (f.auto_now or f.auto_now_add)
            ):
                continue
            row[f.attname] = value
        rows.append(row)
    keys = fast_insert(model, rows, batch=batch)
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
    return keys
