"""Cases and categories → Open311 items, public fields only.

What an anonymous reader may see is decided in docs/decisions/0040: no
reporter data of any kind (name, phone, account, e-mail, device), numbers,
e-mail addresses and self-introduced names inside the description masked
(``redaction.public_text``), the address given to community level, the point
rounded to about 100 m, no staff notes.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from gongzhi.cases.constants import OPEN_STATUSES, Status, UnitType, Urgency
from gongzhi.cases.models import Case, Category
from gongzhi.org.models import Division

from .redaction import public_text

TZ = ZoneInfo("Asia/Shanghai")
# Rounding of public coordinates: 3 decimals ≈ 100 m.
PUBLIC_DECIMALS = 3
URGENCY_ATTRIBUTE = "urgency"


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in China Standard Time, e.g. 2026-11-29T12:54:00+08:00."""
    if value is None:
        return None
    return value.astimezone(TZ).isoformat(timespec="seconds")


def public_media_url(url: str) -> str:
    """The platform's own media URL without any ``user:password@`` in it."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


# --- services -------------------------------------------------------------------------------


def service_categories() -> list[tuple[Category, list[Category]]]:
    """The active leaves of the catalogue with their ancestors (root first)."""
    cats = list(Category.objects.filter(is_active=True).order_by("code"))
    by_pk = {c.pk: c for c in cats}
    parents = {c.parent_id for c in cats if c.parent_id}
    out = []
    for c in cats:
        if c.pk in parents or c.parent_id is None:
            continue
        chain: list[Category] = []
        p = by_pk.get(c.parent_id)
        while p is not None:
            chain.insert(0, p)
            p = by_pk.get(p.parent_id)
        if not chain or chain[0].parent_id is not None:
            continue  # under an inactive class
        out.append((c, chain))
    return out


def service_item(category: Category, ancestors: list[Category]) -> dict:
    names = [a.name for a in ancestors]
    # The group is the first class under the catalogue's root (部件, 事件, 城乡建设 …).
    group = names[1] if len(names) > 1 else (names[0] if names else "")
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": " > ".join([*names, category.name]),
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join([*names[1:], category.name]) if len(names) > 1 else category.name,
        "group": group,
    }


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": URGENCY_ATTRIBUTE,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("不填为一般件。"),
                "order": 1,
                "description": _("紧急程度"),
                "values": [{"key": u.value, "name": str(u.label)} for u in Urgency],
            }
        ],
    }


# --- requests -------------------------------------------------------------------------------


def division_names(cases: list[Case]) -> dict[str, str]:
    """code → name for every county, street and community above the cases."""
    codes = set()
    for case in cases:
        path = case.division_path
        codes.update(path[:n] for n in (6, 9, 12) if len(path) >= n)
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def public_address(case: Case, names: dict[str, str]) -> str:
    path = case.division_path
    return "".join(names.get(path[:n], "") for n in (6, 9, 12) if len(path) >= n)


def agency_responsible(case: Case) -> str:
    if not case.unit_type:
        return ""
    if case.unit_type == UnitType.DEPARTMENT and case.unit_department is not None:
        return f"{case.unit_department.division.name}{case.unit_department.name}"
    if case.unit_type == UnitType.OWNER and case.unit_owner is not None:
        return case.unit_owner.name
    return case.unit_division.name if case.unit_division is not None else ""


def status_notes(case: Case) -> str:
    label = str(Status(case.status).label)
    if case.status == Status.MERGED and case.master_id:
        return _("%(label)s:与其他相同诉求合并办理") % {"label": label}
    return label


def request_item(case: Case, names: dict[str, str], media_url: str = "") -> dict:
    return {
        "service_request_id": case.number,
        "status": open311_status(case.status),
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": public_text(case.description),
        "agency_responsible": agency_responsible(case),
        "service_notice": "",
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": iso(case.handle_due),
        "address": public_address(case, names),
        "address_id": "",
        "zipcode": "",
        "lat": round(case.lat, PUBLIC_DECIMALS),
        "long": round(case.lng, PUBLIC_DECIMALS),
        "media_url": public_media_url(media_url),
    }
