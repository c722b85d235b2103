"""Case.warn_at: the near-due moment, stored with the deadline.

The running cases' moment is filled from the stored deadline and limit on
the same working-time clock (``deadlines.near_due_moment``: 20 % of the
limit back from ``handle_due``), exactly what the services now store and
what the clock has always called near due. The override table is read once
and the calendar walk is pure Python (a few microseconds a case, cached per
distinct deadline and limit); rows are read by key and written in batches
of 5,000, with one ``UPDATE … FROM (VALUES …)`` each (SQLite ≥ 3.33 and
PostgreSQL alike). The index is built after the fill (docs/decisions/0052).
"""

from functools import lru_cache

from django.conf import settings
from django.db import migrations, models

# CLOCK_STATUSES as of this migration.
RUNNING = ("dispatched", "in_progress", "extension_requested", "rejected")
BATCH = 5000


def fill_warn_at(apps, schema_editor):
    from gongzhi.cases.deadlines import near_due_moment, working_hours_between

    case_model = apps.get_model("cases", "Case")
    override_model = apps.get_model("cases", "CalendarOverride")
    overrides = dict(override_model.objects.values_list("date", "is_workday"))
    connection = schema_editor.connection
    ops = connection.ops
    table = ops.quote_name(case_model._meta.db_table)
    # PostgreSQL types a VALUES column from its literals: say it is a timestamp.
    stamp = "%s::timestamptz" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"UPDATE {table} SET {ops.quote_name('warn_at')} = v.column2 "
        f"FROM (VALUES {{rows}}) AS v WHERE {table}.{ops.quote_name('id')} = v.column1"
    )

    @lru_cache(maxsize=100_000)
    def moment(due, total):
        return near_due_moment(due=due, total_hours=total, overrides=overrides)

    # Walk every row by primary key and pick the running ones here: a
    # filter on status would let the database sort the whole set by key
    # again for each batch (SQLite does, through case_status_due_idx).
    cases = case_model.objects.order_by("pk").values_list(
        "pk", "status", "handle_due", "limit_hours", "dispatched_at"
    )
    last = 0
    while True:
        chunk = list(cases.filter(pk__gt=last)[:BATCH])
        if not chunk:
            return
        last = chunk[-1][0]
        batch = [r for r in chunk if r[1] in RUNNING and r[2] is not None]
        if not batch:
            continue
        params = []
        for pk, _status, due, limit, dispatched in batch:
            total = limit
            if not total and dispatched is not None:
                total = working_hours_between(dispatched, due, overrides=overrides)
            params += [pk, ops.adapt_datetimefield_value(moment(due, total))]
        values = ", ".join([f"(%s, {stamp})"] * len(batch))
        with connection.cursor() as cursor:
            cursor.execute(sql.format(rows=values), params)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_created_index"),
        ("org", "0002_gridmember_phone_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="warn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="临期时间"),
        ),
        migrations.RunPython(fill_warn_at, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status", "warn_at"], name="case_status_warn_idx"),
        ),
    ]
