"""The intake demo: the channels' sample files imported, demo platforms whose
printed keys sign webhooks; running it again changes nothing."""

from __future__ import annotations

import pytest

from gongzhi.cases.models import Case
from gongzhi.intake.demo import demo_platform_code, intake_generate
from gongzhi.intake.models import ImportBatch, SourceChannel

from .signing import hotline_order, post_signed

pytestmark = pytest.mark.django_db


def test_samples_imported_and_demo_keys_sign_webhooks(client):
    first = intake_generate()
    assert first.files >= 13 and first.created > 0 and first.failed > 0
    assert ImportBatch.objects.count() == first.files
    assert set(first.platforms) == {demo_platform_code(c) for c in SourceChannel.values}
    cases = Case.objects.count()

    again = intake_generate()
    assert (again.files, again.created) == (0, 0)
    assert again.platforms == first.platforms and Case.objects.count() == cases

    code = demo_platform_code("hotline_12345")
    r = post_signed(client, hotline_order("HLWDEMO1"), platform=code, secret=first.platforms[code])
    assert r.status_code == 201, r.content
