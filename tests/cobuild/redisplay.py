"""The check shared by the form tests of party, cobuild and volunteering: a
bad post re-renders the page holding the form, not an error page."""

from __future__ import annotations


def assert_redisplayed(response, form: str, message: str, *kept: str, status: int = 400) -> str:
    """The page came back with ``status``, ``message`` (or a part of it) in
    the error beside the form ``form``, and each of ``kept`` (fragments of the
    user's input) in it."""
    body = response.content.decode()
    assert response.status_code == status
    marker = f'data-form-error="{form}">'
    assert marker in body
    shown = body.split(marker, 1)[1].split("</p>", 1)[0]
    assert message in shown
    assert "error-card" not in body
    for fragment in kept:
        assert fragment in body, fragment
    return body
