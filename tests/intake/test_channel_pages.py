"""Officer pages of the channels: file import with its per-record report,
the mapping editor and the outbox retry button."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.accounts.constants import Role
from gongzhi.cases.models import Category
from gongzhi.intake.models import ChannelMapping, ImportBatch, Outbox
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data" / "channels"


def upload(client, channel, name):
    path = DATA / channel / name
    return client.post(
        "/intake/import/",
        {"channel": channel, "file": SimpleUploadedFile(name, path.read_bytes())},
    )


@pytest.fixture
def officer(client):
    user = make_user("340111", Role.DISTRICT_OFFICER)
    client.force_login(user)
    return user


def test_import_good_file_reports_created_records(client, officer):
    assert client.get("/intake/import/").status_code == 200
    r = upload(client, "urban_management", "good.csv")
    assert r.status_code == 302
    batch = ImportBatch.objects.get(uploaded_by=officer)
    assert r["Location"].endswith(f"/intake/import/{batch.pk}/")
    assert (batch.total, batch.created, batch.failed) == (3, 3, 0)
    html = client.get(r["Location"]).content.decode()
    assert "共 3 条:新建案件 3,重复 0,转人工研判 0,错误 0。" in html
    # the upload page lists the officer's batches
    assert "good.csv" in client.get("/intake/import/").content.decode()


def test_import_broken_file_lists_each_bad_record(client, officer):
    r = upload(client, "urban_management", "broken.csv")
    batch = ImportBatch.objects.get(uploaded_by=officer)
    assert (batch.total, batch.created, batch.failed) == (8, 1, 7)
    html = client.get(r["Location"]).content.decode()
    assert "错误记录(未导入)" in html
    for line in range(3, 10):
        assert f"<td>{line}</td>" in html
    assert "UX99" in html and "紧急程度" in html
    # the raw refused record is stored encrypted and never shown
    assert all(e.raw for e in batch.errors.all())


def test_import_batches_are_private_to_the_uploader(client, officer):
    r = upload(client, "hotline_12345", "good.json")
    url = r["Location"]
    client.force_login(make_user("340111", Role.DISTRICT_OFFICER, username="other_officer"))
    assert client.get(url).status_code == 404


def test_import_is_for_officers_only(client):
    client.force_login(make_user("340111002001", Role.COMMUNITY_WORKER))
    assert client.get("/intake/import/").status_code == 403
    assert upload(client, "urban_management", "good.csv").status_code == 403
    assert not ImportBatch.objects.exists()


def test_import_refuses_a_wrong_channel_and_a_missing_file(client, officer):
    r = client.post("/intake/import/", {"channel": "nope"})
    assert r.status_code == 200 and not ImportBatch.objects.exists()


def test_mapping_editor_add_edit_deactivate(client, officer):
    uc05 = Category.objects.get(code="UC05")
    r = client.post(
        "/intake/mappings/",
        {
            "channel": "urban_management",
            "kind": "category",
            "source_code": "UC0101",
            "source_label": "上水井盖",
            "category": uc05.pk,
        },
    )
    assert r.status_code == 302
    row = ChannelMapping.objects.get(source_code="UC0101")
    assert row.category == uc05 and row.is_active
    page = client.get("/intake/mappings/?channel=urban_management").content.decode()
    assert "上水井盖" in page
    edit = client.get(f"/intake/mappings/?edit={row.pk}")
    assert edit.status_code == 200 and 'value="UC0101"' in edit.content.decode()
    r = client.post(
        f"/intake/mappings/?edit={row.pk}",
        {
            "channel": "urban_management",
            "kind": "category",
            "source_code": "UC0101",
            "source_label": "井盖(改)",
            "category": uc05.pk,
        },
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.source_label == "井盖(改)" and ChannelMapping.objects.count() == 1
    client.post("/intake/mappings/", {"delete": row.pk})
    row.refresh_from_db()
    assert not row.is_active


def test_mapping_editor_rejects_bad_input(client, officer):
    r = client.post("/intake/mappings/", {"channel": "urban_management", "kind": "category"})
    assert r.status_code == 400 and not ChannelMapping.objects.exists()
    assert client.get("/intake/mappings/?edit=abc").status_code == 404
    assert client.get("/intake/mappings/?edit=999999").status_code == 404
    assert client.post("/intake/mappings/", {"delete": "1 OR 1=1"}).status_code == 404


def test_mapping_edits_are_for_officers_only(client):
    client.force_login(make_user("340111002", Role.STREET_STAFF))
    assert client.get("/intake/mappings/").status_code == 200
    r = client.post(
        "/intake/mappings/",
        {"channel": "urban_management", "kind": "urgency", "source_code": "急", "target": "x"},
    )
    assert r.status_code == 403 and not ChannelMapping.objects.exists()


def _failed_row(grid_street="340111002"):
    from gongzhi.cases.constants import Action
    from gongzhi.cases.models import CaseEvent
    from tests.cases.factories import CaseFactory, first_grid

    case = CaseFactory(grid=first_grid(grid_street))
    event = CaseEvent.objects.create(
        case=case, action=Action.ACCEPT, from_status="", to_status=case.status
    )
    row, _ = Outbox.objects.update_or_create(
        event=event,
        defaults={
            "case": case,
            "channel": "urban_management",
            "source_ref": "UM-1",
            "state": Outbox.State.FAILED,
            "attempts": 5,
            "last_error": "HTTP 503",
        },
    )
    return row


def test_outbox_retry_button_requeues_a_failed_row(
    client, officer, django_capture_on_commit_callbacks
):
    row = _failed_row()
    page = client.get("/intake/outbox/").content.decode()
    assert f"/intake/outbox/{row.pk}/retry/" in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = client.post(f"/intake/outbox/{row.pk}/retry/")
    assert r.status_code == 302 and r["Location"].endswith("/intake/outbox/")
    row.refresh_from_db()
    assert row.state == Outbox.State.PENDING and row.next_attempt_at is not None
    assert len(callbacks) == 1  # delivery enqueued after commit
    assert client.get(f"/intake/outbox/{row.pk}/retry/").status_code == 405


def test_outbox_retry_of_another_jurisdiction_is_404(client):
    row = _failed_row("340111003")
    client.force_login(make_user("340111002", Role.STREET_STAFF))
    assert client.post(f"/intake/outbox/{row.pk}/retry/").status_code == 404
    row.refresh_from_db()
    assert row.state == Outbox.State.FAILED
    assert "HTTP 503" not in client.get("/intake/outbox/").content.decode()
