"""Small helpers shared by the apps' django-ninja routers.

Errors are mapped once in ``config/api.py`` (a ``DomainError`` becomes its
4xx with ``{"code", "message"}``); output schemas read ORM objects
themselves (``Field(alias="division.code")``, ``resolve_<field>``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def scoped_or_none(get_for_user: Callable[..., T], *, user, pk: int | None) -> T | None:
    """The object an optional id in a payload names, read through the app's
    scoped selector (``get_for_user(user=…, pk=…)``, which answers not-found
    outside the user's subtree), or None when the payload left it out."""
    return get_for_user(user=user, pk=pk) if pk else None
