"""The home redirect and the Chinese error pages (handler403/404/500)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from .context_processors import nav_items


@login_required
def home(request):
    """Send a user to the first page of their navigation: staff to the
    territory of their own node, residents to their cases, admins to their
    own screen (the menu already encodes who may see what)."""
    items = nav_items(request.user, "")
    if request.user.division_id and items:
        return redirect(items[0].url)
    return render(request, "web/no_division.html")


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def error_500(request):
    # No request context: whatever broke the request (database, a context
    # processor) must not break the error page too.
    return HttpResponseServerError(loader.get_template("500.html").render())
