"""Re-encrypt personal data under the newest field-encryption key.

Put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it),
restart, run this command, then drop the old keys once `--status` shows no
stale values.
"""

from django.core.management.base import BaseCommand

from gongzhi.core.keyrotation import key_status, rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column under the newest key (FIELD_ENCRYPTION_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="Only report per-key counts.")

    def handle(self, *args, status=False, **options):
        if not status:
            count = rotate(
                log=lambda m: self.stdout.write(f"  {m}") if options["verbosity"] > 1 else None
            )
            self.stdout.write(self.style.SUCCESS(f"re-encrypted {count} values"))
        for row in key_status():
            self.stdout.write(f"{row['column']}: {row['counts']} stale={row['stale']}")
