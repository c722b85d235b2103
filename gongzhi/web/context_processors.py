"""The shell around every page: who is signed in, where they sit in the tree,
and the navigation their roles give them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.accounts.constants import OFFICER_ROLES, STAFF_ROLES, Role
from gongzhi.core import access
from gongzhi.core.errors import PermissionDenied


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    namespace: str  # URL namespace that marks the item as current ("" for a path item)
    active: bool = False


def _node_label(division) -> str:
    """e.g. 包河区常青街道: the parent's short name, then the node's own."""
    if division.parent_id is None:
        return division.short_name
    return f"{division.parent.short_name}{division.short_name}"


def _role_labels(role_set: frozenset[str]) -> list[str]:
    # Role declaration order gives a stable, meaningful order.
    return [str(label) for value, label in Role.choices if value in role_set]


def nav_items(user, current_namespace: str, current_path: str = "") -> list[NavItem]:
    """Only entries whose pages exist; a role without pages gets no entry."""
    items: list[NavItem] = []
    code = user.scope_code
    if code and user.role_set & STAFF_ROLES:
        candidates = [
            (_("区划与网格"), "org:division", "org"),
            (_("数据看板"), "insights:dashboard", "insights"),
        ]
        for label, url_name, namespace in candidates:
            try:
                url = reverse(url_name, kwargs={"code": code})
            except NoReverseMatch:
                continue
            items.append(NavItem(label, url, namespace, active=current_namespace == namespace))
    items.extend(_work_items(user, current_namespace, current_path))
    # 三员分立: each separated admin role sees only its own screen.
    admin_screens = [
        (Role.SYSTEM_ADMIN, _("账号与角色"), "accounts:admin_users"),
        (Role.SECURITY_ADMIN, _("安全策略"), "accounts:admin_security"),
        (Role.AUDIT_ADMIN, _("审计日志"), "accounts:admin_audit"),
    ]
    for role, label, url_name in admin_screens:
        if role in user.role_set:
            items.append(NavItem(label, reverse(url_name), "accounts"))
    return items


@dataclass(frozen=True)
class WorkEntry:
    """One work page in the menu.

    ``roles`` is who the page is meant for; ``check`` is the view's own access
    check (``core.access``), when it has one beyond the roles: the entry is
    shown only to a user who passes it, so the menu never leads to a 403.
    ``namespace`` marks the item current on every page of that namespace;
    without it the item is current on its own URL and the pages below it
    (``/intake/import/`` and ``/intake/import/7/``), so sibling pages of one
    app are not all highlighted at once.
    """

    label: str
    url_name: str
    roles: frozenset[str]
    check: Callable[..., None] | None = None
    namespace: str = ""


def _roles(*roles) -> frozenset[str]:
    return frozenset(roles)


# Party building, co-building and volunteering pages (issue 5), by role.
WORK_NAV = [
    WorkEntry(
        gettext_noop("党员报到"),
        "party:home",
        _roles(Role.PARTY_MEMBER, Role.COBUILD_LIAISON, *STAFF_ROLES),
        namespace="party",
    ),
    WorkEntry(
        gettext_noop("共建共治"),
        "cobuild:home",
        _roles(Role.COBUILD_LIAISON, *STAFF_ROLES),
        namespace="cobuild",
    ),
    # Intake (issue 4): hotspots (未诉先办) span a whole subtree, so the
    # division's own staff (not a department's) see them.
    WorkEntry(
        gettext_noop("热点发现"),
        "intake:hotspots",
        _roles(Role.COMMUNITY_WORKER, Role.STREET_STAFF, *OFFICER_ROLES),
        check=access.require_territorial_staff,
    ),
    WorkEntry(
        gettext_noop("疑似重复"),
        "intake:dedupe",
        _roles(Role.COMMUNITY_WORKER, Role.STREET_STAFF, *OFFICER_ROLES),
        check=access.require_staff,
    ),
    # Intake channels (issue 4, items 1–2): triage queue, file import, status
    # push-back, mapping tables.
    WorkEntry(
        gettext_noop("人工研判"),
        "intake:triage",
        _roles(Role.COMMUNITY_WORKER, Role.STREET_STAFF, *OFFICER_ROLES),
        check=access.require_staff,
    ),
    # A platform's export files cases anywhere in its area: officers only.
    WorkEntry(
        gettext_noop("渠道导入"),
        "intake:import",
        OFFICER_ROLES,
        check=access.require_officer,
    ),
    WorkEntry(
        gettext_noop("状态回推"),
        "intake:outbox",
        _roles(Role.STREET_STAFF, *OFFICER_ROLES),
        check=access.require_staff,
    ),
    # The mapping tables are province-wide configuration that officers edit
    # (staff may read the page, but its form is the officers').
    WorkEntry(
        gettext_noop("映射表"),
        "intake:mappings",
        OFFICER_ROLES,
        check=access.require_officer,
    ),
    WorkEntry(
        gettext_noop("驻区单位"),
        "cobuild:units",
        _roles(Role.COBUILD_LIAISON, *STAFF_ROLES),
        namespace="cobuild_units",
    ),
    WorkEntry(
        gettext_noop("志愿服务"),
        "volunteering:home",
        _roles(Role.PARTY_MEMBER, Role.RESIDENT, *STAFF_ROLES),
        namespace="volunteering",
    ),
]


def _passes(check: Callable[..., None] | None, user) -> bool:
    if check is None:
        return True
    try:
        check(user)
    except PermissionDenied:
        return False
    return True


def _is_current(entry: WorkEntry, url: str, current_namespace: str, current_path: str) -> bool:
    if entry.namespace:
        return current_namespace == entry.namespace
    return bool(current_path) and current_path.startswith(url)


def _work_items(user, current_namespace: str, current_path: str = "") -> list[NavItem]:
    items = []
    # The case workflow (issue 3): staff work their queue, residents follow
    # what they reported.
    in_cases = current_namespace == "cases"
    if user.role_set & STAFF_ROLES and user.scope_code:
        items.append(NavItem(_("工作台"), reverse("cases:queue"), "cases", in_cases))
    elif Role.RESIDENT in user.role_set:
        items.append(NavItem(_("我的诉求"), reverse("cases:mine"), "cases", in_cases))
    # The officer's overview of their node (party building, co-building,
    # volunteering counts per child node, with the dashboard link).
    if user.role_set & OFFICER_ROLES and user.scope_code:
        url = reverse("party:overview", kwargs={"code": user.scope_code})
        items.append(NavItem(_("党建概览"), url, "party", False))
        # The case catalogue and routing rules (issue 3): officers maintain them.
        items.append(NavItem(_("分类与派遣"), reverse("cases:admin_routing"), "cases", False))
    for entry in WORK_NAV:
        if not user.role_set & entry.roles or not _passes(entry.check, user):
            continue
        url = reverse(entry.url_name)
        active = _is_current(entry, url, current_namespace, current_path)
        items.append(NavItem(_(entry.label), url, entry.namespace, active))
    return items


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shell": {"authenticated": False, "nav": []}}
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    division = user.division if user.division_id else None
    return {
        "shell": {
            "authenticated": True,
            "name": user.display_name or user.username,
            "node": _node_label(division) if division else "",
            "node_code": division.code if division else "",
            "roles": _role_labels(user.role_set),
            "nav": nav_items(user, namespace, request.path),
        }
    }
