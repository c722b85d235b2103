"""Key rotation and key status over every encrypted column of every model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.apps import apps
from django.db import connection, transaction

from . import crypto
from .fields import BlindIndexField, EncryptedMixin

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


def _blind_index_columns() -> Iterator[tuple[type, list[tuple[BlindIndexField, EncryptedMixin]]]]:
    for model in apps.get_models():
        pairs = [
            (field, field.source_field())
            for field in model._meta.concrete_fields
            if isinstance(field, BlindIndexField)
        ]
        if pairs:
            yield model, pairs


def recompute_blind_indexes(*, dry_run: bool = False, log=None) -> dict[str, int]:
    """Recompute every ``*_bidx`` column from the decrypted plaintext under
    the blind-index key in force (``FIELD_BLIND_INDEX_KEY``); returns, per
    column, how many values differed (and were rewritten unless ``dry_run``).

    One transaction per model, read in primary-key batches of ``BATCH``: a
    model's look-ups never see a mix of old and new indexes. Idempotent: a
    second run rewrites only rows written meanwhile under the old key."""
    qn = connection.ops.quote_name
    changed: dict[str, int] = {}
    for model, pairs in _blind_index_columns():
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        cols = ", ".join(f"{qn(s.column)}, {qn(b.column)}" for b, s in pairs)
        for bidx, _source in pairs:
            changed[f"{model._meta.label}.{bidx.name}"] = 0
        last = None
        with transaction.atomic():
            while True:
                with connection.cursor() as cursor:
                    where = f" WHERE {pk} > %s" if last is not None else ""
                    cursor.execute(
                        f"SELECT {pk}, {cols} FROM {table}{where} "  # nosec B608
                        f"ORDER BY {pk} LIMIT {BATCH}",
                        [last] if last is not None else [],
                    )
                    batch = cursor.fetchall()
                    if not batch:
                        break
                    last = batch[-1][0]
                    for row in batch:
                        for i, (bidx, source) in enumerate(pairs):
                            stored, current = row[1 + 2 * i], row[2 + 2 * i]
                            if stored is None or stored == "":
                                wanted = ""
                            else:
                                plain = (
                                    crypto.decrypt(stored, context=source.crypto_context)
                                    if crypto.is_ciphertext(stored)
                                    else stored
                                )
                                wanted = source.blind_index_for(plain)
                            if wanted == (current or ""):
                                continue
                            changed[f"{model._meta.label}.{bidx.name}"] += 1
                            if not dry_run:
                                cursor.execute(
                                    f"UPDATE {table} SET {qn(bidx.column)} = %s "  # nosec B608
                                    f"WHERE {pk} = %s",
                                    [wanted, row[0]],
                                )
        if log:
            log(model._meta.label)
    return changed
