"""Demo cases: real services, every state, idempotent; reporters encrypted."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from gongzhi.cases.constants import Action, Status
from gongzhi.cases.deadlines import TZ
from gongzhi.cases.demo import REF_PREFIX, cases_generate
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core.masking import mask_phone

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=TZ)


def test_demo_cases_cover_every_state_and_are_idempotent(world):
    report = cases_generate(seed=7, count=260, now=NOW)
    assert report.created >= 200
    states = set(
        Case.objects.filter(source_ref__startswith=REF_PREFIX).values_list("status", flat=True)
    )
    assert states == set(Status.values), set(Status.values) - states
    # Every case has its submit event, and no event is dated after "now".
    cases = Case.objects.filter(source_ref__startswith=REF_PREFIX)
    assert CaseEvent.objects.filter(case__in=cases, action=Action.SUBMIT).count() == cases.count()
    assert not CaseEvent.objects.filter(case__in=cases, created_at__gt=NOW).exists()
    assert CaseEvent.objects.filter(case__in=cases, action=Action.RATE).exists()
    # Place names of the messages are re-mapped to the demo places' districts.
    assert not cases.filter(description__contains="A市").exists()

    again = cases_generate(seed=7, count=260, now=NOW)
    assert again.skipped and again.created == 0
    assert Case.objects.filter(source_ref__startswith=REF_PREFIX).count() == report.created


def test_demo_reporter_phones_are_encrypted_at_rest_and_findable(world):
    cases_generate(seed=3, count=20, now=NOW)
    case = Case.objects.filter(source_ref__startswith=REF_PREFIX).exclude(reporter_phone="").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        raw = cursor.fetchone()[0]
    assert case.reporter_phone not in raw
    assert Case.objects.filter(reporter_phone=case.reporter_phone).filter(pk=case.pk).exists()
    assert mask_phone(case.reporter_phone).count("*") == 4
