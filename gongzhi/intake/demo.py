"""Demo data for the intake pages: the seven channels' sample files imported
(cases, triage items, a batch with per-record errors) and one platform per
channel with a known demo webhook key, so a demo user can post a signed
webhook at once (docs/channels.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .auth import platform_configure
from .channels import ADAPTERS, import_file
from .models import ImportBatch, IntegrationPlatform, SourceChannel

SAMPLES_DIR = "data/channels"
SAMPLE_SUFFIXES = (".csv", ".json", ".xlsx")


def demo_secret(channel: str) -> str:
    """Known keys, like the demo passwords: never for a real platform."""
    return f"gongzhi-demo-{channel}"


def demo_platform_code(channel: str) -> str:
    return f"demo-{channel.replace('_', '-')}"[:24]


@dataclass
class IntakeDemo:
    files: int = 0
    created: int = 0
    triaged: int = 0
    failed: int = 0
    platforms: dict[str, str] = field(default_factory=dict)  # platform code → secret


def intake_generate(*, user=None) -> IntakeDemo:
    """Idempotent: a sample file already imported is not imported again, a
    demo platform keeps its key. ``user`` uploads the files (the demo district
    officer: the batches are on that officer's import page)."""
    out = IntakeDemo()
    root = settings.BASE_DIR / SAMPLES_DIR
    for channel, adapter in ADAPTERS.items():
        for path in sorted((root / channel).glob("*")):
            if path.suffix not in SAMPLE_SUFFIXES:
                continue
            if ImportBatch.objects.filter(channel=channel, file_name=path.name).exists():
                continue
            batch = import_file(adapter, path.name, path.read_bytes(), user=user)
            out.files += 1
            out.created += batch.created
            out.triaged += batch.triaged
            out.failed += batch.failed
    with transaction.atomic():
        for channel in SourceChannel.values:
            code = demo_platform_code(channel)
            existing = IntegrationPlatform.objects.filter(code=code).first()
            if existing is None or not existing.webhook_secret:
                name = _("%(label)s(演示)") % {"label": SourceChannel(channel).label}
                platform_configure(
                    code=code, name=name, channel=channel, secret=demo_secret(channel)
                )
            out.platforms[code] = IntegrationPlatform.objects.get(code=code).webhook_secret
    return out
