"""The case state machine: ONE transition table.

``TRANSITIONS[(from_status, action)]`` says where the action leads and who
may take it. Services (``cases.services``) look every action up here, so an
action missing from the table cannot happen. ``to_status`` None means the
action leaves the status unchanged (supervision, whistle, me-too, …).

Who may act (``party``), checked by ``cases.services.base.check_party``:

- dispatcher: community worker, street staff or district officer whose
  jurisdiction contains the case (registers, dispatches, verifies, closes);
- unit: a member of the unit responsible now (``cases.units.is_member``);
- reporter: the resident who reported, or anyone who said "me too" or whose
  duplicate was merged into the case;
- officer: district/city/province officer whose jurisdiction contains the case;
- ruler: staff of the node one level above the dispatcher, while the case
  waits for a ruling (退单拉锯);
- summoner: street or community staff whose jurisdiction contains the case (吹哨);
- summoned: staff of a department summoned onto the case (报到, 子任务);
- anyone: any signed-in resident — 居民, 在职党员, 驻区单位联络员 — (我也遇到):
  staff do not say "me too"; the count it raises (反映人数, priority) is
  the residents'.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.accounts.constants import OFFICER_ROLES, Role
from gongzhi.core.errors import Conflict

from .constants import Action, Status

DISPATCHER = "dispatcher"
UNIT = "unit"
REPORTER = "reporter"
OFFICER = "officer"
RULER = "ruler"
SUMMONER = "summoner"
SUMMONED = "summoned"
ANYONE = "anyone"

DISPATCH_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DISTRICT_OFFICER})
UNIT_ROLES = frozenset(
    {Role.GRID_MEMBER, Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DEPARTMENT_STAFF}
)
RULE_ROLES = frozenset(
    {Role.STREET_STAFF, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER}
)
SUMMON_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_WORKER})
SUMMONED_ROLES = frozenset({Role.DEPARTMENT_STAFF})
REPORTING_ROLES = frozenset(
    {
        Role.RESIDENT,
        Role.GRID_MEMBER,
        Role.COMMUNITY_WORKER,
        Role.STREET_STAFF,
        Role.DEPARTMENT_STAFF,
        *OFFICER_ROLES,
        Role.PARTY_MEMBER,
        Role.COBUILD_LIAISON,
    }
)

# Who says "me too": people who live or work in the place, not its staff.
RESIDENT_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.COBUILD_LIAISON})

ROLES_BY_PARTY: dict[str, frozenset[str] | None] = {
    DISPATCHER: DISPATCH_ROLES,
    UNIT: UNIT_ROLES,
    REPORTER: None,  # the relation to the case decides, not a role
    OFFICER: frozenset(OFFICER_ROLES),
    RULER: RULE_ROLES,
    SUMMONER: SUMMON_ROLES,
    SUMMONED: SUMMONED_ROLES,
    ANYONE: RESIDENT_ROLES,
}


@dataclass(frozen=True)
class Transition:
    from_status: str
    action: str
    to_status: str | None
    party: str

    @property
    def roles(self) -> frozenset[str] | None:
        return ROLES_BY_PARTY[self.party]

    def target(self, current: str) -> str:
        return self.to_status or current


# Actions allowed in every state where the case is still being worked on.
_WATCH = [(Action.SUPERVISE, None, OFFICER), (Action.ME_TOO, None, ANYONE)]
# A joint case's departments report in and finish their sub-tasks while it runs.
_JOINT = [(Action.REPORT_IN, None, SUMMONED), (Action.COMPLETE_TASK, None, SUMMONED)]

_TABLE: dict[str, list[tuple[str, str | None, str]]] = {
    Status.SUBMITTED: [
        (Action.REGISTER, Status.REGISTERED, DISPATCHER),
        (Action.VOID, Status.VOIDED, DISPATCHER),
        (Action.MERGE, Status.MERGED, DISPATCHER),
        *_WATCH,
    ],
    Status.REGISTERED: [
        (Action.DISPATCH, Status.DISPATCHED, DISPATCHER),
        (Action.VOID, Status.VOIDED, DISPATCHER),
        (Action.MERGE, Status.MERGED, DISPATCHER),
        *_WATCH,
    ],
    Status.DISPATCHED: [
        (Action.ACCEPT, Status.IN_PROGRESS, UNIT),
        # After CASES_MAX_REJECTIONS the rejection leads to RULING instead
        # (see REJECT_ESCALATES_TO below): the one conditional target.
        (Action.REJECT, Status.REJECTED, UNIT),
        (Action.WHISTLE, None, SUMMONER),
        *_JOINT,
        *_WATCH,
    ],
    Status.REJECTED: [
        (Action.DISPATCH, Status.DISPATCHED, DISPATCHER),
        (Action.VOID, Status.VOIDED, DISPATCHER),
        *_WATCH,
    ],
    Status.RULING: [
        (Action.RULE, Status.DISPATCHED, RULER),
        *_WATCH,
    ],
    Status.IN_PROGRESS: [
        (Action.HANDLE, Status.HANDLED, UNIT),
        (Action.REQUEST_EXTENSION, Status.EXTENSION_REQUESTED, UNIT),
        (Action.SUSPEND, Status.SUSPENDED, DISPATCHER),
        (Action.WHISTLE, None, SUMMONER),
        *_JOINT,
        *_WATCH,
    ],
    Status.EXTENSION_REQUESTED: [
        (Action.APPROVE_EXTENSION, Status.IN_PROGRESS, DISPATCHER),
        (Action.DENY_EXTENSION, Status.IN_PROGRESS, DISPATCHER),
        *_JOINT,
        *_WATCH,
    ],
    Status.SUSPENDED: [
        (Action.RESUME, Status.IN_PROGRESS, DISPATCHER),
        *_WATCH,
    ],
    Status.HANDLED: [
        (Action.VERIFY, Status.VERIFIED, DISPATCHER),
        (Action.VERIFY_FAIL, Status.IN_PROGRESS, DISPATCHER),
        (Action.ME_TOO, None, ANYONE),
    ],
    Status.VERIFIED: [
        (Action.CLOSE, Status.CLOSED, DISPATCHER),
    ],
    Status.CLOSED: [
        (Action.RATE, Status.RATED, REPORTER),
        (Action.REOPEN, Status.IN_PROGRESS, REPORTER),
    ],
    Status.RATED: [
        (Action.REOPEN, Status.IN_PROGRESS, REPORTER),
    ],
    Status.VOIDED: [],
    Status.MERGED: [],
}

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (str(status), str(action)): Transition(str(status), str(action), to, party)
    for status, rows in _TABLE.items()
    for action, to, party in rows
}
REJECT_ESCALATES_TO = Status.RULING


def allowed_actions(status: str) -> list[str]:
    """Actions the table allows in ``status``, in table order."""
    return [action for (s, action) in TRANSITIONS if s == status]


def action_labels(actions: list[str]) -> str:
    return "、".join(str(Action(a).label) for a in actions)


def transition_for(status: str, action: str) -> Transition:
    """The transition, or Conflict (409) listing what is allowed instead."""
    transition = TRANSITIONS.get((status, action))
    if transition is not None:
        return transition
    allowed = allowed_actions(status)
    status_label = Status(status).label
    action_label = Action(action).label if action in Action.values else action
    if allowed:
        message = _("案件当前状态为“%(status)s”,不能执行“%(action)s”;当前可执行:%(allowed)s。") % {
            "status": status_label,
            "action": action_label,
            "allowed": action_labels(allowed),
        }
    else:
        message = _(
            "案件当前状态为“%(status)s”,不能执行“%(action)s”;该状态下没有可执行的操作。"
        ) % {
            "status": status_label,
            "action": action_label,
        }
    raise ActionNotAllowed(message, allowed_actions=allowed)


class ActionNotAllowed(Conflict):
    code = "action_not_allowed"

    def __init__(self, message: str, *, allowed_actions: list[str]):
        super().__init__(message)
        self.allowed_actions = allowed_actions

    def as_dict(self) -> dict:
        return {**super().as_dict(), "allowed_actions": self.allowed_actions}
