"""Residents reporting and community workers acting, against gunicorn.

Sessions come from bench/load/setup_load.py (LOAD_SESSIONS, a JSON file).
At exit LOAD_REFS receives {"acked": {source_ref: number}, "failed": [source_ref]}:
a report counts as submitted only once the server acknowledged it (200/201
with its case number); a report whose request failed (error status, timeout,
connection reset) is listed apart — it may or may not have been stored, but
never twice."""

import itertools
import json
import os
import random
import secrets
import uuid

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["LOAD_SESSIONS"]) as _fh:
    SESSIONS = json.load(_fh)
ACKED: dict[str, str] = {}  # source_ref -> case number, acknowledged by the server
FAILED: list[str] = []  # reports whose request was not acknowledged
_RESIDENT_SEQ = itertools.count()
CSRF = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret


def _login(user, sessionid):
    # FastHttpUser (geventhttpclient): the load generator shares the server's two
    # cores, and costs several times less CPU per request than requests-based
    # HttpUser. Cookies go in a header of every request (one keep-alive
    # connection per user).
    user.h = {
        "Cookie": f"sessionid={sessionid}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Accept": "application/json",
    }


class Resident(FastHttpUser):
    weight = 4
    wait_time = between(1, 3)

    def on_start(self):
        # each simulated resident is its own account (per-account report limit)
        _login(self, SESSIONS["residents"][next(_RESIDENT_SEQ) % len(SESSIONS["residents"])])
        self.mine: list[str] = []

    @task(3)
    def report(self):
        ref = f"load-{uuid.uuid4().hex}"
        lng, lat = SESSIONS["grid"]
        body = {
            "title": "楼道灯不亮",
            "description": "三单元楼道灯连续几晚不亮,老人上下楼不方便。",
            "category": "UC01",
            "lng": lng + random.uniform(-1e-4, 1e-4),
            "lat": lat + random.uniform(-1e-4, 1e-4),
            "source_ref": ref,
        }
        with self.client.post(
            "/api/v1/cases/",
            json=body,
            name="POST /api/v1/cases/",
            catch_response=True,
            headers=self.h,
        ) as r:
            number = None
            if r.status_code in (200, 201):
                try:
                    number = r.json().get("number")
                except ValueError:
                    number = None
            if number:
                ACKED[ref] = number
                self.mine.append(number)
                r.success()
            else:
                FAILED.append(ref)
                r.failure(f"{r.status_code} {(r.text or '')[:200]}")

    @task(1)
    def follow(self):
        if self.mine:
            self.client.get(
                f"/api/v1/cases/{random.choice(self.mine)}",
                name="GET /api/v1/cases/{n}",
                headers=self.h,
            )


class Worker(FastHttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        _login(self, random.choice(SESSIONS["workers"]))

    @task(2)
    def queue(self):
        self.client.get(
            "/api/v1/cases/queue?limit=20", name="GET /api/v1/cases/queue", headers=self.h
        )

    @task(1)
    def browse(self):
        self.client.get("/api/v1/cases/?page_size=20", name="GET /api/v1/cases/", headers=self.h)

    @task(2)
    def act(self):
        r = self.client.get(
            "/api/v1/cases/queue?limit=20", name="GET /api/v1/cases/queue", headers=self.h
        )
        if r.status_code != 200 or not r.json():
            return
        number = random.choice(r.json())["number"]
        detail = self.client.get(
            f"/api/v1/cases/{number}", name="GET /api/v1/cases/{n}", headers=self.h
        )
        if detail.status_code != 200:
            return
        case = detail.json()
        simple = [a for a in case["allowed_actions"] if a in ("register", "accept")]
        if not simple:
            return
        with self.client.post(
            f"/api/v1/cases/{number}/actions/{simple[0]}",
            json={"expected_version": case["version"], "params": {}},
            name="POST /api/v1/cases/{n}/actions/{a}",
            catch_response=True,
            headers=self.h,
        ) as a:
            # 409: another worker moved the case first (the version check working)
            if a.status_code in (200, 409):
                a.success()
            else:
                a.failure(f"{a.status_code} {a.text[:200]}")


from locust import events  # noqa: E402


@events.quitting.add_listener
def _dump_refs(environment, **kwargs):
    with open(os.environ["LOAD_REFS"], "w") as fh:
        json.dump({"acked": ACKED, "failed": FAILED}, fh)
