"""A file that cannot be read is reported as a failure, on the pages and in
``manage.py import_channel``, never as a clean import of nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gongzhi.accounts.constants import Role
from gongzhi.intake.channels import ADAPTERS, import_file
from gongzhi.intake.models import ImportBatch
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CORRUPT_XLSX = b"PK\x03\x04 this is not a workbook"


@pytest.fixture
def officer(client):
    user = make_user("340111", Role.DISTRICT_OFFICER, username="imp_officer")
    client.force_login(user)
    return user


def test_an_unreadable_file_counts_as_a_failed_batch():
    batch = import_file(ADAPTERS["hotline_12345"], "x.xlsx", CORRUPT_XLSX)
    assert (batch.total, batch.failed) == (0, 1)
    assert batch.errors.get().reason == "无法读取 XLSX 文件"


def test_a_file_of_white_space_is_an_empty_file():
    batch = import_file(ADAPTERS["hotline_12345"], "x.csv", b"\xef\xbb\xbf \r\n")
    assert (batch.total, batch.failed) == (0, 1)
    assert batch.errors.get().reason == "所提交的是空文件。"


def test_the_batch_page_says_the_file_could_not_be_read(client, officer):
    response = client.post(
        "/intake/import/",
        {"channel": "hotline_12345", "file": SimpleUploadedFile("x.xlsx", CORRUPT_XLSX)},
    )
    html = client.get(response["Location"]).content.decode()
    assert "文件无法读取,未导入任何记录。 原因:无法读取 XLSX 文件" in html
    assert "共 0 条" not in html
    assert "<td>0</td>" not in html  # no error row on "line 0"


def test_the_recent_imports_list_marks_the_unreadable_file(client, officer):
    import_file(ADAPTERS["hotline_12345"], "x.xlsx", CORRUPT_XLSX, user=officer)
    html = client.get("/intake/import/").content.decode()
    assert '<td><span class="badge">文件无法读取</span></td>' in html


def test_the_import_page_links_the_mapping_tables(client, officer):
    html = client.get("/intake/import/").content.decode()
    assert '<a href="/intake/mappings/">渠道映射表</a>' in html


def test_the_command_refuses_an_empty_file_as_the_form_does(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError) as refused:
        call_command("import_channel", "--channel", "hotline_12345", str(empty), stdout=StringIO())
    assert str(refused.value) == "所提交的是空文件。"
    assert not ImportBatch.objects.exists()


def test_the_command_fails_on_an_unreadable_file(tmp_path):
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(CORRUPT_XLSX)
    with pytest.raises(CommandError) as refused:
        call_command("import_channel", "--channel", "hotline_12345", str(corrupt))
    assert "文件无法读取,未导入任何记录。原因:无法读取 XLSX 文件" in str(refused.value)
    assert ImportBatch.objects.get().failed == 1
