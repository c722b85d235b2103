"""Key rotation and key status over every encrypted column of every model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.apps import apps
from django.db import connection, transaction

from . import crypto
from .fields import EncryptedMixin

BATCH = 500


def encrypted_columns() -> Iterator[tuple[type, EncryptedMixin]]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedMixin):
                yield model, field


def key_status() -> list[dict]:
    """Per encrypted column: how many values sit under each key id, and how
    many under a key other than the newest (what rotation would rewrite)."""
    primary = crypto.keyring().primary_id
    rows = []
    qn = connection.ops.quote_name
    for model, field in encrypted_columns():
        counts: Counter[str] = Counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn(field.column)} FROM {qn(model._meta.db_table)} "  # nosec B608
                f"WHERE {qn(field.column)} <> ''"
            )
            for (value,) in cursor.fetchall():
                counts[crypto.ciphertext_key_id(value) or "plaintext"] += 1
        rows.append(
            {
                "column": f"{model._meta.label}.{field.name}",
                "counts": dict(counts),
                "stale": sum(n for kid, n in counts.items() if kid != primary),
            }
        )
    return rows


def rotate(*, log=None) -> int:
    """Re-encrypt every value not under the newest key; returns the count.
    Each batch is its own transaction, so a long rotation does not hold the
    write lock and can be resumed."""
    primary = crypto.keyring().primary_id
    qn = connection.ops.quote_name
    total = 0
    for model, field in encrypted_columns():
        table, col, pk = (
            qn(model._meta.db_table),
            qn(field.column),
            qn(model._meta.pk.column),
        )
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"{col} <> ''" + (f" AND {pk} > %s" if last is not None else "")
                cursor.execute(
                    f"SELECT {pk}, {col} FROM {table} WHERE {where} "  # nosec B608
                    f"ORDER BY {pk} LIMIT {BATCH}",
                    [last] if last is not None else [],
                )
                batch = cursor.fetchall()
                if not batch:
                    break
                last = batch[-1][0]
                for key, value in batch:
                    if crypto.ciphertext_key_id(value) == primary:
                        continue
                    plain = (
                        crypto.decrypt(value, context=field.crypto_context)
                        if crypto.is_ciphertext(value)
                        else value
                    )
                    cursor.execute(
                        f"UPDATE {table} SET {col} = %s WHERE {pk} = %s",  # nosec B608
                        [crypto.encrypt(plain, context=field.crypto_context), key],
                    )
                    total += 1
        if log:
            log(f"{model._meta.label}.{field.name}")
    return total
