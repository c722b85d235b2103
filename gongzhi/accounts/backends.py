"""The backend that loads the signed-in user on every request.

Credentials are still checked by Django's ModelBackend (listed after this one
in AUTHENTICATION_BACKENDS): ``authenticate`` here answers None, so a wrong
password costs one hash, not two. What differs is ``get_user``: the user
comes with the node it is attached to (``select_related("division")``), so
``user.scope_code`` — read by every scoped selector — costs no second query.
The login view stores this backend in the session; sessions stored with
ModelBackend keep working through it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ScopedUserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("division").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
