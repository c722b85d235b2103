"""Source-platform adapters (issue 4 item 1); formats in docs/channels.md.

``ADAPTERS`` maps each intake channel to its adapter; ``ingest`` turns one row
into a case (or a triage item), ``import_file`` a whole export file into an
:class:`ImportBatch` with a per-record error report.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from ..models import ImportBatch, ImportRowError
from ..triage import Outcome, submit_or_triage
from .base import Adapter, Record, RecordError, read_rows
from .chat_group import ChatGroupAdapter
from .grid_patrol import GridPatrolAdapter
from .hotline_12345 import Hotline12345Adapter
from .petition import PetitionAdapter
from .police_110 import Police110Adapter
from .skynet import SkynetAdapter
from .urban_management import UrbanManagementAdapter

ADAPTERS: dict[str, Adapter] = {
    a.channel: a
    for a in (
        UrbanManagementAdapter(),
        Hotline12345Adapter(),
        PetitionAdapter(),
        SkynetAdapter(),
        Police110Adapter(),
        GridPatrolAdapter(),
        ChatGroupAdapter(),
    )
}

# case channel + source_ref prefix → adapter (for the outbox)
BY_CASE_CHANNEL: dict[tuple[str, str], Adapter] = {
    (a.case_channel, a.ref_prefix): a for a in ADAPTERS.values()
}

MAX_FILE_BYTES = 20 * 1024 * 1024


def get_adapter(channel: str) -> Adapter:
    try:
        return ADAPTERS[channel]
    except KeyError as exc:
        raise RecordError(_("未知的渠道:%(c)s") % {"c": channel}) from exc


def adapter_for_case(case) -> Adapter | None:
    """The adapter a case came through (longest matching source_ref prefix)."""
    best = None
    for (case_channel, prefix), adapter in BY_CASE_CHANNEL.items():
        matches = case.channel == case_channel and case.source_ref.startswith(prefix)
        if matches and (best is None or len(prefix) > len(best.ref_prefix)):
            best = adapter
    return best


def ingest(adapter: Adapter, row: dict) -> Outcome:
    """One row → a case (created or the existing one) or a triage item.

    Raises RecordError (Chinese reason) when the row is unusable. Runs in a
    savepoint: a record is written whole or not at all.
    """
    record: Record = adapter.to_record(row)
    try:
        with transaction.atomic():
            return submit_or_triage(
                channel=adapter.channel,
                case_channel=adapter.case_channel,
                source_ref=record.source_ref,
                text=record.description,
                title=record.title,
                scope=record.extra.get("scope", ""),
                sender=record.reporter_name,
                sender_phone=record.reporter_phone,
                received_at=record.occurred_at,
                category=record.category,
                urgency=record.urgency if not record.text_only else "",
                lng=None if record.text_only else record.lng,
                lat=None if record.text_only else record.lat,
                crs=record.crs,
                address=record.address,
            )
    except DomainError as exc:
        raise RecordError(str(exc)) from exc


def is_empty(data: bytes) -> bool:
    """Nothing but a byte-order mark and white space."""
    return not data.removeprefix(b"\xef\xbb\xbf").strip()


def import_file(adapter: Adapter, name: str, data: bytes, *, user=None) -> ImportBatch:
    """Import every good record of a file; list the bad ones with line and reason.

    A file that cannot be read at all is one error on line 0 (the file itself),
    counted in ``failed`` like a bad record, so the batch never reads as clean.
    """
    batch = ImportBatch.objects.create(
        channel=adapter.channel, file_name=name[:200], uploaded_by=user
    )
    errors: list[ImportRowError] = []
    if len(data) > MAX_FILE_BYTES:
        errors.append(ImportRowError(batch=batch, line=0, reason=_("文件超过 20 MB")))
        rows = []
    elif is_empty(data):
        errors.append(ImportRowError(batch=batch, line=0, reason=_("所提交的是空文件。")))
        rows = []
    else:
        try:
            batch.encoding, rows = read_rows(name, data)
        except RecordError as exc:
            errors.append(ImportRowError(batch=batch, line=0, reason=str(exc)[:300]))
            rows = []
    batch.total = len(rows)
    for line, row in rows:
        try:
            outcome = ingest(adapter, row)
        except RecordError as exc:
            ref = str(row.get(adapter.ref_field, "") or "")[:64] if adapter.ref_field else ""
            errors.append(
                ImportRowError(
                    batch=batch, line=line, source_ref=ref, reason=str(exc)[:300], raw=_raw(row)
                )
            )
            continue
        if outcome.kind == "created":
            batch.created += 1
        elif outcome.kind == "triaged":
            batch.triaged += 1
        else:
            batch.duplicates += 1
    ImportRowError.objects.bulk_create(errors)
    batch.failed = len(errors)
    batch.finished_at = timezone.now()
    batch.save()
    return batch


def _raw(row: dict) -> str:
    import json

    return json.dumps(row, ensure_ascii=False, default=str)[:2000]


__all__ = [
    "ADAPTERS",
    "Adapter",
    "Record",
    "RecordError",
    "get_adapter",
    "import_file",
    "ingest",
    "is_empty",
]
