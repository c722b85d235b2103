"""No route reveals or changes another jurisdiction's data.

Walks EVERY URL pattern of the site (pages and the JSON API alike) as a
community worker of 常青街道 (340111002001) and fills every id in the route
with the id of an object that belongs to another street (芜湖路街道,
340111003): division codes, case numbers, party organisations, seats,
conferences, meetings, decisions, report-ins, resident units, contacts,
pairings, projects, needs, activities, wishes, case photos, scan tokens,
users. Every method is tried (GET, POST, PUT, PATCH, DELETE; API writes carry
a body built from the OpenAPI schema so validation does not answer first);
every answer must be 403 or 404, or 405 where the route does not allow the
method.

A new route whose id kwarg has no recipe below makes
``test_every_id_in_every_route_has_a_foreign_recipe`` fail: add the recipe
(how to build a foreign object of that kind) when adding the route.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.cases.constants import Action
from gongzhi.cases.models import CaseEvent, CasePhoto, Category, RoutingRule
from gongzhi.cobuild.models import Need, Pairing, Project, ResidentUnit, UnitContact
from gongzhi.intake.models import DuplicateSuggestion, ImportBatch, Outbox, TriageItem
from gongzhi.org.constants import Level
from gongzhi.org.models import Division
from gongzhi.party.models import (
    CommitteeSeat,
    JointConference,
    JointMeeting,
    MeetingDecision,
    PartyMember,
    PartyOrganization,
    ReportIn,
)
from gongzhi.volunteering import services as volunteering_services
from gongzhi.volunteering.constants import PointsEvent, ScanAction
from gongzhi.volunteering.models import Activity, MicroWish
from tests.cases.factories import CaseFactory
from tests.factories import GridFactory, GridMemberFactory, make_user

pytestmark = pytest.mark.django_db

OWN_COMMUNITY = "340111002001"  # 常青街道
OTHER_STREET = "340111003"  # 芜湖路街道, same district

METHODS = ("get", "post", "put", "patch", "delete")

# Routes that take no id of a jurisdiction's object, or are public by design.
EXEMPT_PREFIXES = {
    "accounts/login/": "sign-in form: public, no ids",
    "accounts/logout/": "sign-out: no ids",
    "accounts/password/": "the user's own password: no ids",
    "open311/": "Open311 GeoReport v2 is public by design (any client may read and report)",
    "api/v1/openapi.json": "the API description, no data",
    "api/v1/docs": "the API documentation page, no data",
    "static/": "static files",
    "media/": "served through case_photo with a scope check, not directly",
    "__debug__/": "debug toolbar, development only",
    "intake/webhook/": (
        "source platforms' webhook: authenticated by the platform's HMAC signature "
        "(IntegrationPlatform.webhook_secret), not by a user session; no object ids"
    ),
}

# Kwargs that are not the id of a jurisdiction's object: filled with every
# valid value so the id beside them is what the walk tests.
NON_ID_KWARGS = {
    "action": "the verb of the route (case or wish action)",
    "label": "model label of the reveal route (paired with pk and field)",
    "field": "field name of the reveal route",
    "event": "points rules are province-wide configuration, not a jurisdiction's data",
}

# <pk> kwargs: the static path segment before the pk names the kind of object.
PK_KINDS = {
    "report-ins": "report_in",
    "orgs": "party_org",
    "conferences": "conference",
    "meetings": "meeting",
    "decisions": "decision",
    "seats": "seat",
    "needs": "need",
    "units": "unit",
    "contacts": "contact",
    "pairings": "pairing",
    "projects": "project",
    "activities": "activity",
    "wishes": "wish",
    "photos": "case_photo",
    "reveal": "grid_member",
    "duplicates": "duplicate",
    "import": "import_batch",
    "outbox": "outbox",
    "triage": "triage_item",
    "categories": "category",
    "routing": "routing_rule",
    "routing-rules": "routing_rule",
}

# Every kwarg name that is an id: what it holds (the recipe is in World.ids).
ID_KWARGS = {
    "code": "division codes",
    "number": "case numbers",
    "pk": "primary keys, kind from PK_KINDS",
    "user_id": "user ids (admin screens)",
    "token": "signed check-in tokens",
}

_KWARG = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _exempt(route: str) -> bool:
    return route == "" or any(route.startswith(p) for p in EXEMPT_PREFIXES)


def _kwargs(route: str) -> list[str]:
    return [m.group(2) or m.group(3) for m in _KWARG.finditer(route)]


def _pk_kind(route: str) -> str | None:
    """The kind of object a route's <pk> names: the static segment before it."""
    segments = route.split("/")
    for i, seg in enumerate(segments):
        if re.fullmatch(r"<(?:\w+:)?pk>", seg):
            for prev in reversed(segments[:i]):
                if not prev.startswith("<"):
                    return PK_KINDS.get(prev)
    return None


def _routes() -> list[str]:
    return sorted({p for p in _patterns() if not _exempt(p)})


def _fill(route: str, values: dict[str, str]) -> str:
    def sub(m):
        return str(values[m.group(2) or m.group(3)])

    return "/" + _KWARG.sub(sub, route).lstrip("^").rstrip("$").replace("\\", "")


@dataclass
class World:
    codes: list[str]
    numbers: list[str]
    pks: dict[str, int]
    user_ids: list[int]
    tokens: list[str]
    reveal: list[tuple[str, str]] = field(default_factory=lambda: [("org.gridmember", "phone")])

    def kwarg_sets(self, route: str) -> list[dict[str, str]]:
        """Every combination of foreign ids (and valid non-id values) for a route."""
        names = _kwargs(route)
        combos: list[dict[str, str]] = [{}]

        def extend(name, values):
            nonlocal combos
            combos = [{**c, name: v} for c in combos for v in values]

        for name in names:
            if name == "code":
                extend(name, self.codes)
            elif name == "number":
                extend(name, self.numbers)
            elif name == "pk":
                extend(name, [self.pks[_pk_kind(route)]])
            elif name == "user_id":
                extend(name, self.user_ids)
            elif name == "token":
                extend(name, self.tokens)
            elif name == "action":
                if route.startswith(("cases/", "api/v1/cases/")):
                    extend(name, [a.value for a in Action])
                else:
                    extend(name, ["claim", "fulfil", "confirm"])
            elif name == "event":
                extend(name, [e.value for e in PointsEvent])
            elif name in ("label", "field"):
                pass
        if "label" in names:
            combos = [{**c, "label": lab, "field": f} for c in combos for lab, f in self.reveal]
        return combos


def build_world(community: Division, tag: str) -> World:
    """One of each object kind under ``community`` (and its street)."""
    street = community.parent
    grid = GridFactory(parent=community)
    district = street.parent
    case = CaseFactory(grid=grid, division_path=grid.code, number=f"GZ2026{tag}00001")
    twin = CaseFactory(grid=grid, division_path=grid.code, number=f"GZ2026{tag}00002")
    duplicate = DuplicateSuggestion.objects.create(case=twin, master=case, score=0.9)
    photo = CasePhoto.objects.create(
        case=case,
        kind="before",
        file=f"cases/{tag}.jpg",
        content_type="image/jpeg",
        size=1,
        width=1,
        height=1,
        sha256="0" * 64,
    )
    unit = ResidentUnit.objects.create(name=f"{tag}单位", kind="agency", division=community)
    contact = UnitContact.objects.create(unit=unit, name="王联络", phone="13900002222")
    pairing = Pairing.objects.create(unit=unit, division=community, started_on="2025-01-01")
    need = Need.objects.create(division=community, title="活动场地", category="venue")
    project = Project.objects.create(
        division=community, title="共建项目", linkage="party_work", unit=unit
    )
    org = PartyOrganization.objects.create(
        name=f"{community.name}党委", kind="community_committee", division=community
    )
    member = PartyMember.objects.create(name="李党员", organization=org)
    seat = CommitteeSeat.objects.create(organization=org, holder_name="李党员", role="member")
    conference = JointConference.objects.create(
        division=community, name="联席会议", established_on="2025-01-01"
    )
    meeting = JointMeeting.objects.create(
        conference=conference, title="第一次会议", held_on="2025-02-01", agenda="议程"
    )
    decision = MeetingDecision.objects.create(meeting=meeting, text="议定事项")
    report_in = ReportIn.objects.create(member=member, community=community)
    now = timezone.now()
    activity = Activity.objects.create(
        division=community,
        title="清洁家园",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        capacity=10,
    )
    wish = MicroWish.objects.create(division=community, title="一个书包", resident_name="赵居民")
    grid_member = GridMemberFactory(grid=grid)
    user = make_user(community.code, Role.COMMUNITY_WORKER, username=f"worker_{tag}")
    batch = ImportBatch.objects.create(
        channel="hotline_12345", file_name=f"{tag}.csv", uploaded_by=user
    )
    event = CaseEvent.objects.create(
        case=case, action=Action.ACCEPT, from_status="", to_status=case.status
    )
    outbox_row, _ = Outbox.objects.update_or_create(
        event=event,
        defaults={
            "case": case,
            "channel": "hotline_12345",
            "source_ref": f"{tag}-1",
            "state": Outbox.State.FAILED,
        },
    )
    triage_item = TriageItem.objects.create(
        channel="chat_group",
        source_ref=f"{tag}-msg-1",
        scope=community.code,
        text="3栋楼道灯坏了",
        sender="钱居民",
        sender_phone="13900003333",
    )
    # The catalogue is shared (officers only); a routing rule is the street's.
    category = Category.objects.create(code=f"J{tag}01", name=f"{tag}分类", source="local")
    rule = RoutingRule.objects.create(
        category=category, territory_prefix=street.code, unit_type="community"
    )
    return World(
        codes=[street.code, community.code, grid.code, district.code],
        numbers=[case.number],
        pks={
            "report_in": report_in.pk,
            "party_org": org.pk,
            "conference": conference.pk,
            "meeting": meeting.pk,
            "decision": decision.pk,
            "seat": seat.pk,
            "need": need.pk,
            "unit": unit.pk,
            "contact": contact.pk,
            "pairing": pairing.pk,
            "project": project.pk,
            "activity": activity.pk,
            "wish": wish.pk,
            "case_photo": photo.pk,
            "grid_member": grid_member.pk,
            "duplicate": duplicate.pk,
            "import_batch": batch.pk,
            "outbox": outbox_row.pk,
            "triage_item": triage_item.pk,
            "category": category.pk,
            "routing_rule": rule.pk,
        },
        user_ids=[user.pk],
        tokens=[volunteering_services.scan_token(activity=activity, action=a) for a in ScanAction],
    )


@pytest.fixture
def foreign():
    street = Division.objects.get(code=OTHER_STREET)
    community = Division.objects.filter(parent=street).order_by("code").first()
    assert community.level == Level.COMMUNITY
    world = build_world(community, "F")
    world.codes += ["34", "3401"]  # the province and the city are above the worker too
    return world


@pytest.fixture
def own():
    return build_world(Division.objects.get(code=OWN_COMMUNITY), "O")


@pytest.fixture
def worker_client(client):
    client.force_login(make_user(OWN_COMMUNITY, Role.COMMUNITY_WORKER))
    return client


# --- request bodies for the API's write operations ---------------------------


def _openapi():
    from config.api import api

    return api.get_openapi_schema()


# Plain-string fields the views check against a list before the scope.
FIELD_VALUES = {"role": "member"}
# Page forms: the fields some views validate before they look the object up.
PAGE_FORM = {"reason": "核实身份需要", "note": "测试说明"}


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


def _example(schema: dict, components: dict, depth: int = 0):
    if "$ref" in schema:
        return _example(components[schema["$ref"].split("/")[-1]], components, depth)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example(options[0], components, depth)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    fmt = schema.get("format", "")
    if kind == "object" or "properties" in schema:
        return {
            name: FIELD_VALUES.get(name, _example(sub, components, depth + 1))
            for name, sub in schema.get("properties", {}).items()
            if depth < 4
        }
    if kind == "array":
        return [_example(schema.get("items", {}), components, depth + 1)] if depth < 4 else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if fmt == "date":
        return "2026-03-02"
    if fmt == "date-time":
        return "2026-03-02T09:00:00+08:00"
    return "测试内容" if kind == "string" else None


def _api_bodies() -> dict[tuple[str, str], tuple[str, bytes]]:
    """(django route, method) → (content type, body) for every API write."""
    spec = _openapi()
    components = spec.get("components", {}).get("schemas", {})
    bodies = {}
    for path, ops in spec["paths"].items():
        route = "api/v1/" + path.removeprefix("/api/v1/")
        route = re.sub(r"\{(\w+)\}", r"<\1>", route)
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _example(content["application/json"]["schema"], components)
                bodies[(route, method)] = ("application/json", json.dumps(body).encode())
            elif "multipart/form-data" in content:
                schema = content["multipart/form-data"]["schema"]
                body = _example(schema, components)
                bodies[(route, method)] = ("multipart", body)
    return bodies


def _request(client, method, url, route, bodies, extra_query):
    key = (route, method)
    if method == "get":
        return client.get(url, extra_query)
    if key in bodies:
        content_type, body = bodies[key]
        if content_type == "multipart":
            from django.core.files.uploadedfile import SimpleUploadedFile

            data = {
                k: SimpleUploadedFile("a.png", _png(), "image/png") if k == "file" else v
                for k, v in body.items()
            }
            data["file"] = SimpleUploadedFile("a.png", _png(), "image/png")
            return client.post(url, data=data) if method == "post" else None
        return getattr(client, method)(url, data=body, content_type=content_type)
    return getattr(client, method)(url, data=PAGE_FORM if method == "post" else "")


# --- the tests ----------------------------------------------------------------


def test_every_id_in_every_route_has_a_foreign_recipe():
    """A new route with an id nobody taught this walk about fails here."""
    missing = []
    for route in _routes():
        for name in _kwargs(route):
            if name not in ID_KWARGS and name not in NON_ID_KWARGS:
                missing.append(f"{route}: kwarg {name!r} has no recipe")
            if name == "pk" and _pk_kind(route) is None:
                missing.append(f"{route}: no PK_KINDS entry for the segment before <pk>")
    assert missing == []


def test_the_walk_covers_pages_and_api_with_every_id_kind():
    routes = _routes()
    seen = {name for route in routes for name in _kwargs(route)}
    assert {"code", "number", "pk", "token"} <= seen
    kinds = {_pk_kind(r) for r in routes if "pk" in _kwargs(r)}
    assert len(kinds) >= 12, kinds
    assert any(r.startswith("api/") for r in routes)
    assert any(not r.startswith("api/") for r in routes)


def test_community_worker_gets_403_or_404_for_every_foreign_id(worker_client, foreign):
    bodies = _api_bodies()
    leaks = []
    walked = 0
    for route in _routes():
        if not _kwargs(route):
            continue
        for values in foreign.kwarg_sets(route):
            url = _fill(route, values)
            query = {"scope": values["code"]} if "code" in values else {}
            for method in METHODS:
                response = _request(worker_client, method, url, route, bodies, query)
                if response is None:
                    continue
                walked += 1
                if response.status_code in (403, 404, 405):
                    continue
                leaks.append(f"{method.upper()} {url} → {response.status_code}")
    assert leaks == [], "\n".join(leaks)
    assert walked > 300


def test_own_ids_are_readable_on_the_same_routes(worker_client, own):
    """The walk above would pass vacuously if every route 404'd; check it does not."""
    ok = []
    for route in _routes():
        names = _kwargs(route)
        if not names or {"action", "token"} & set(names) or _pk_kind(route) == "case_photo":
            continue  # writes, one-time tokens; the photo row has no file on disk
        for values in own.kwarg_sets(route):
            url = _fill(route, values)
            query = {"scope": values["code"]} if "code" in values else {}
            if worker_client.get(url, query).status_code == 200:
                ok.append(url)
                break
    assert len(ok) >= 15, ok
