"""The intake demo: the channels' sample files imported, demo platforms whose
printed keys sign webhooks; running it again changes nothing."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cases.models import Case
from gongzhi.intake.demo import demo_platform_code, intake_generate
from gongzhi.intake.models import ImportBatch, SourceChannel
from tests.factories import make_user

from .signing import hotline_order, post_signed

pytestmark = pytest.mark.django_db


def test_samples_imported_and_demo_keys_sign_webhooks(client):
    officer = make_user("340111", Role.DISTRICT_OFFICER, username="demo_officer")
    first = intake_generate(user=officer)
    assert first.files >= 13 and first.created > 0 and first.failed > 0
    assert ImportBatch.objects.filter(uploaded_by=officer).count() == first.files
    # the demo officer finds them on the import page (batches are the uploader's)
    client.force_login(officer)
    listing = client.get("/intake/import/").content.decode()
    assert all(f"/intake/import/{b.pk}/" in listing for b in ImportBatch.objects.all()[:20])
    client.logout()
    assert set(first.platforms) == {demo_platform_code(c) for c in SourceChannel.values}
    cases = Case.objects.count()

    again = intake_generate(user=officer)
    assert (again.files, again.created) == (0, 0)
    assert again.platforms == first.platforms and Case.objects.count() == cases

    code = demo_platform_code("hotline_12345")
    r = post_signed(client, hotline_order("HLWDEMO1"), platform=code, secret=first.platforms[code])
    assert r.status_code == 201, r.content
