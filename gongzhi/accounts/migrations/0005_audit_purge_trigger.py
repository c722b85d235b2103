"""PostgreSQL: the append-only trigger lets ``manage.py audit_purge`` delete
rows past retention.

A DELETE passes only when the transaction has set ``gongzhi.audit_purge`` to
``on`` (``SET LOCAL``, done by ``accounts.audit.audit_purge`` only) **and**
the row is older than 180 days, the legal minimum (GB/T 22239-2019 8.1.4.3),
enforced here whatever the setting says. UPDATE is still always refused.
SQLite's trigger refuses UPDATE only and is unchanged.
"""

from django.db import migrations

PG_UP = [
    "CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN "
    "IF TG_OP = 'DELETE' "
    "AND coalesce(current_setting('gongzhi.audit_purge', true), '') = 'on' "
    "AND OLD.created_at < now() - interval '180 days' THEN RETURN OLD; END IF; "
    "RAISE EXCEPTION 'audit log is append-only'; "
    "END $$ LANGUAGE plpgsql",
]
PG_DOWN = [
    "CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$ LANGUAGE plpgsql",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_security_fields")]

    operations = [migrations.RunPython(_run(PG_UP), _run(PG_DOWN))]
