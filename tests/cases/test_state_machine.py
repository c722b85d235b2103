"""Hypothesis drives random action sequences through the services: every
step either follows the table or is refused with nothing changed, and the
timeline always has exactly one event per version bump."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from gongzhi.cases import workflow
from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case
from gongzhi.cases.services import SERVICES, case_act
from gongzhi.core.errors import DomainError

from .factories import case_in
from .test_workflow_table import actor_and_params

ACTIONS = sorted(str(a) for a in SERVICES if a not in ("report_in", "complete_task", "merge"))


def test_random_action_sequences_respect_the_table(world):
    class CaseMachine(RuleBasedStateMachine):
        @initialize()
        def new_case(self):
            self.case = case_in(Status.SUBMITTED, world)
            self.events = 0

        @rule(action=st.sampled_from(ACTIONS))
        def act(self, action):
            before = Case.objects.get(pk=self.case.pk)
            actor, params = actor_and_params(action, before, world)
            allowed = (before.status, action) in workflow.TRANSITIONS
            try:
                case_act(case=before, action=action, actor=actor, params=params)
            except workflow.ActionNotAllowed:
                assert not allowed
            except DomainError:
                # Allowed by the table but refused by a rule (e.g. the
                # verifier handled the case himself): nothing changed.
                assert allowed
            else:
                assert allowed
                self.events += 1
                after = Case.objects.get(pk=self.case.pk)
                expected = workflow.TRANSITIONS[(before.status, action)].target(before.status)
                if not (action == "reject" and after.status == Status.RULING):
                    assert after.status == expected
            self.case = Case.objects.get(pk=self.case.pk)

        @invariant()
        def one_event_per_version(self):
            if hasattr(self, "case"):
                case = Case.objects.get(pk=self.case.pk)
                assert case.events.count() == case.version - 1 == self.events

    run_state_machine_as_test(
        CaseMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
