"""What intake's pages tell a visitor the staff check turns away (the checks
themselves are ``core.access``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

STAFF_ONLY = gettext_noop("该页面仅供工作人员使用。")
