"""Run inside the load database: users and their session cookies (printed as JSON)."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.test import Client  # noqa: E402

from gongzhi.accounts.constants import Role  # noqa: E402
from gongzhi.accounts.services import user_create  # noqa: E402
from gongzhi.org.models import Division  # noqa: E402

COMMUNITY = "340111002001"
n_residents, n_workers = int(sys.argv[1]), int(sys.argv[2])
division = Division.objects.get(code=COMMUNITY)
grid = Division.objects.filter(parent=division, level="grid").order_by("code").first()
out = {"grid": [grid.center_lng, grid.center_lat], "residents": [], "workers": []}
for kind, n, role in (
    ("residents", n_residents, Role.RESIDENT),
    ("workers", n_workers, Role.COMMUNITY_WORKER),
):
    for i in range(n):
        user = user_create(
            username=f"load_{kind}_{i}",
            password="Load-test-passw0rd-2026",
            division=division,
            roles=[role],
        )
        client = Client()
        client.force_login(user)  # the session a completed sign-in creates, stored server-side
        out[kind].append(client.cookies["sessionid"].value)
print(json.dumps(out))
