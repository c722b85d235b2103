"""Domain errors, each with a stable code and a Chinese message.

Views map them once: pages show ``message``; the API answers with a 4xx and
``{"code": ..., "message": ...}``.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ValidationFailed(DomainError):
    code = "invalid"
    status = 400


class NotFound(DomainError):
    """Also raised for objects outside the user's jurisdiction, so that the
    existence of another jurisdiction's records is not revealed."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class RateLimited(DomainError):
    """Too many requests of one kind from one account or address."""

    code = "rate_limited"
    status = 429


class ImportFailed(DomainError):
    """A data import was rejected; nothing was written."""

    code = "import_failed"
    status = 400
