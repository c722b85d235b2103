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

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.utils import timezone

from gongzhi.core.fields import BlindIndexField


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
    blind = {f.attname: f for f in fields if isinstance(f, BlindIndexField)}
    cache: dict[tuple[str, Any], Any] = {}

    def prep(field, value):
        if getattr(field, "encrypted", False):
            return field.get_db_prep_save(value, connection)
        key = (field.attname, value)
        try:
            return cache[key]
        except KeyError:
            cache[key] = field.get_db_prep_save(value, connection)
            return cache[key]
        except TypeError:  # unhashable
            return field.get_db_prep_save(value, connection)

    def value_of(field, row):
        if field.attname in blind:
            source = blind[field.attname].source_field()
            return source.blind_index_for(row.get(source.attname, source.get_default()))
        name = field.attname if field.attname in row else field.name
        if name in row:
            return row[name]
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            return now
        return field.get_default()

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
            chunk = rows[start : start + batch]
            cursor.executemany(sql, [tuple(prep(f, value_of(f, r)) for f in fields) for r in chunk])
        # One writer (the demo command): new keys are the ones above `before`.
        cursor.execute(
            f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}",  # nosec B608
            [before],
        )
        keys = [k for (k,) in cursor.fetchall()]
    assert len(keys) == len(rows), "concurrent writes during the demo insert"
    return keys


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
