"""Raw bulk INSERT/UPDATE for the province-sized writes, and the code-prefix
filter every query of a run is scoped by."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.utils import timezone


def prefix_q(codes: list[str]) -> Q:
    q = Q()
    for code in codes:
        q |= Q(code__startswith=code)
    return q


def _db_now(model) -> object:
    """``now`` as the database wants it for ``updated_at`` (prepared once)."""
    field = model._meta.get_field("updated_at")
    return field.get_db_prep_save(timezone.now(), connection)


def insert_rows(model, rows: list[dict]) -> None:
    """INSERT many rows with one executemany per batch.

    Django's bulk_create prepares every value of every row through the field
    machinery; for the ~200,000 rows of a province that alone took longer than
    the whole 60-second budget. The values here are plain numbers, strings and
    bytes, so they go to the driver as they are (same SQL on SQLite and
    PostgreSQL)."""
    if not rows:
        return
    now = _db_now(model)
    names = [*rows[0], "created_at", "updated_at"]
    columns = [model._meta.get_field(n).column for n in names]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [(*r.values(), now, now) for r in rows[start : start + 5000]])


def update_rows(model, rows: list[dict]) -> None:
    """UPDATE many rows by id with executemany (see :func:`insert_rows`;
    bulk_update builds a CASE expression per row and field, which is slower
    still). Every row has the same keys, ``id`` first."""
    if not rows:
        return
    now = _db_now(model)
    names = [k for k in rows[0] if k != "id"]
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(model._meta.get_field(n).column)} = %s" for n in names)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets}, {qn('updated_at')} = %s WHERE id = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                sql,
                [(*(r[n] for n in names), now, r["id"]) for r in rows[start : start + 5000]],
            )


def apply_rows(model, *, delete: list[int], create: list[dict], update: list[dict]) -> None:
    """Delete the stale rows by id, then insert the new ones and update the
    changed ones."""
    if delete:
        model.objects.filter(id__in=delete).delete()
    insert_rows(model, create)
    update_rows(model, update)
