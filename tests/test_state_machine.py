"""The state machine: every allowed and every refused transition."""

import itertools

import pytest

from servicedesk.tickets.states import TRANSITIONS, IllegalTransition, State, check_transition

ALLOWED = {
    ("new", "assigned"),
    ("new", "in_progress"),
    ("new", "resolved"),
    ("new", "cancelled"),
    ("assigned", "in_progress"),
    ("assigned", "resolved"),
    ("assigned", "cancelled"),
    ("assigned", "waiting_customer"),
    ("assigned", "waiting_vendor"),
    ("assigned", "waiting_parts"),
    ("in_progress", "waiting_customer"),
    ("in_progress", "waiting_vendor"),
    ("in_progress", "waiting_parts"),
    ("in_progress", "resolved"),
    ("in_progress", "cancelled"),
    ("resolved", "closed"),
    ("resolved", "in_progress"),
    ("closed", "in_progress"),
}
for waiting in ("waiting_customer", "waiting_vendor", "waiting_parts"):
    ALLOWED |= {(waiting, "in_progress"), (waiting, "resolved"), (waiting, "cancelled")}
    ALLOWED |= {
        (waiting, other) for other in ("waiting_customer", "waiting_vendor", "waiting_parts") if other != waiting
    }


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_allowed_transitions_pass(old, new):
    check_transition(old, new)


REFUSED = sorted(set(itertools.product(State.values, State.values)) - ALLOWED)


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_every_other_transition_is_refused_with_a_message(old, new):
    with pytest.raises(IllegalTransition) as refused:
        check_transition(old, new)
    assert refused.value.message


def test_the_table_is_exactly_the_documented_machine():
    table = {(old, new) for old, targets in TRANSITIONS.items() for new in targets}
    assert table == ALLOWED


def test_cancelled_is_final():
    assert TRANSITIONS[State.CANCELLED] == frozenset()


def test_unknown_state_is_refused():
    with pytest.raises(IllegalTransition):
        check_transition("new", "teleported")
