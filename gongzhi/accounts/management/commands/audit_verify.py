"""Check the audit log's hash chain; exit non-zero naming the first broken row."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.audit import audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链,指出第一条被篡改或缺失的记录。"

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"审计日志校验失败:序号 {result.broken_seq}(id={result.broken_id})"
                f" — {result.problem};此前 {result.checked} 条完好。"
            )
        self.stdout.write(self.style.SUCCESS(f"审计日志完好:共 {result.checked} 条。"))
