"""Signing up over capacity is impossible under concurrency (real threads)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.core.errors import Conflict
from gongzhi.org.models import Division
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity, SignUp
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
CAPACITY = 3


def test_concurrent_sign_ups_never_exceed_capacity(territory_live):
    community = Division.objects.get(code="340111002001")
    users = [make_user(community.code, Role.PARTY_MEMBER, username=f"v{i}") for i in range(THREADS)]
    now = timezone.now()
    activity = Activity.objects.create(
        division=community,
        title="抢名额",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
        capacity=CAPACITY,
    )
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def worker(user):
        close_old_connections()
        try:
            barrier.wait()
            services.activity_sign_up(activity=activity, user=user)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("full")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert SignUp.objects.filter(activity=activity).count() == CAPACITY
    assert outcomes.count("ok") == CAPACITY
    assert outcomes.count("full") == THREADS - CAPACITY
