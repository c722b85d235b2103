"""Re-encrypt personal data under the newest field-encryption key, or
recompute the blind indexes under a new blind-index key.

Encryption key: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old
ones after it), restart, run this command, then drop the old keys once
`--status` shows no stale values.

Blind-index key (``--blind-index``): the index is an HMAC, it cannot carry a
key id, so there is one key at a time. Set FIELD_BLIND_INDEX_KEY to the new
key, run ``rotate_keys --blind-index`` (every ``*_bidx`` column recomputed from
the decrypted plaintext, one transaction per model), restart the app, and run
it once more to catch rows the old processes wrote in between (it only
rewrites what differs). Exact look-ups on encrypted fields miss rows not yet
recomputed, so do it in a maintenance window; see docs/security.md.
"""

from django.core.management.base import BaseCommand

from gongzhi.accounts.audit import audit_record
from gongzhi.accounts.constants import AuditAction
from gongzhi.core.keyrotation import key_status, recompute_blind_indexes, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the newest key (FIELD_ENCRYPTION_KEYS); "
        "--blind-index recomputes every blind index under FIELD_BLIND_INDEX_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="Only report per-key counts.")
        parser.add_argument(
            "--blind-index",
            action="store_true",
            help="Recompute every *_bidx column under FIELD_BLIND_INDEX_KEY.",
        )

    def handle(self, *args, status=False, blind_index=False, **options):
        def log(m):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {m}")

        if blind_index:
            changed = recompute_blind_indexes(dry_run=status, log=log)
            if not status:
                audit_record(
                    action=AuditAction.KEY_ROTATION,
                    username="manage.py",
                    detail={"kind": "blind_index", "rewritten": sum(changed.values())},
                )
            verb = "stale" if status else "rewritten"
            for column, n in changed.items():
                self.stdout.write(f"{column}: {verb}={n}")
            self.stdout.write(self.style.SUCCESS(f"blind indexes {verb}: {sum(changed.values())}"))
            return
        if not status:
            count = rotate(log=log)
            self.stdout.write(self.style.SUCCESS(f"re-encrypted {count} values"))
        for row in key_status():
            self.stdout.write(f"{row['column']}: {row['counts']} stale={row['stale']}")
