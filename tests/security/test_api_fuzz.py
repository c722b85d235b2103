"""schemathesis over the whole OpenAPI surface: no server error (issue 6, item 9).

Every operation of /api/v1/openapi.json gets generated requests (positive
mode, a few examples each, derandomised so a run is reproducible) through
Django's test client, signed in as a community worker and as a district
officer (roles with the TOTP step: the session is the one a completed sign-in
creates). Any 5xx fails, naming the operation and the request.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings

from gongzhi.accounts.constants import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 5


def _api_schema():
    from config.api import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _send(client, case):
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    method = case.method.lower()
    media = case.media_type or ""
    if case.body is None or isinstance(case.body, schemathesis.core.NotSet):
        return client.generic(case.method, path)
    if media.startswith("multipart/"):
        data = {
            k: SimpleUploadedFile(k, v) if isinstance(v, bytes) else v
            for k, v in (case.body or {}).items()
            if k and v is not None
        }
        return (
            client.post(path, data=data) if method == "post" else client.generic(case.method, path)
        )
    if media == "application/json" or not media:
        return client.generic(
            case.method, path, json.dumps(case.body), content_type="application/json"
        )
    body = case.body if isinstance(case.body, bytes | str) else json.dumps(case.body)
    return client.generic(case.method, path, body, content_type=media)


def _fuzz(client) -> list[str]:
    errors: list[str] = []
    operations = 0
    for result in _api_schema().get_all_operations():
        operations += 1
        _fuzz_operation(client, result.ok(), errors)
    assert operations >= 40
    return errors


def _fuzz_operation(client, operation, errors: list[str]) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = _send(client, case)
        if response.status_code >= 500:
            errors.append(
                f"{operation.method.upper()} {operation.path} → {response.status_code}: "
                f"path={case.path_parameters} query={case.query} body={case.body!r:.200}"
            )

    run()


@pytest.mark.parametrize(
    "code, role",
    [("340111002001", Role.COMMUNITY_WORKER), ("340111", Role.DISTRICT_OFFICER)],
    ids=["community_worker", "district_officer"],
)
def test_no_server_error_anywhere_in_the_api(client, code, role):
    client.raise_request_exception = False  # a 500 is an answer to report, not a crash
    client.force_login(make_user(code, role))
    errors = _fuzz(client)
    assert errors == [], "\n".join(errors[:30])
