"""The ticket state machine: plain data and one check, documented in docs/ticket-lifecycle.md.

new → assigned → in progress ⇄ waiting for customer / vendor / parts → resolved → closed
resolved → in progress (reopen); closed → in progress (reopen, within the reopen window)
any open state → cancelled
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")
    WAITING_VENDOR = "waiting_vendor", _("Waiting for vendor")
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


WAITING_STATES = frozenset({State.WAITING_CUSTOMER, State.WAITING_VENDOR, State.WAITING_PARTS})
WORKING_STATES = frozenset({State.ASSIGNED, State.IN_PROGRESS})
OPEN_STATES = frozenset({State.NEW}) | WORKING_STATES | WAITING_STATES
DONE_STATES = frozenset({State.RESOLVED, State.CLOSED, State.CANCELLED})

# Every allowed move. "assigned" is reached by assigning an agent, not by a bare state change.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.NEW: frozenset({State.ASSIGNED, State.IN_PROGRESS, State.RESOLVED, State.CANCELLED}),
    State.ASSIGNED: frozenset({State.IN_PROGRESS, State.RESOLVED, State.CANCELLED} | WAITING_STATES),
    State.IN_PROGRESS: frozenset({State.RESOLVED, State.CANCELLED} | WAITING_STATES),
    State.WAITING_CUSTOMER: frozenset(
        {State.IN_PROGRESS, State.RESOLVED, State.CANCELLED} | WAITING_STATES - {State.WAITING_CUSTOMER}
    ),
    State.WAITING_VENDOR: frozenset(
        {State.IN_PROGRESS, State.RESOLVED, State.CANCELLED} | WAITING_STATES - {State.WAITING_VENDOR}
    ),
    State.WAITING_PARTS: frozenset(
        {State.IN_PROGRESS, State.RESOLVED, State.CANCELLED} | WAITING_STATES - {State.WAITING_PARTS}
    ),
    State.RESOLVED: frozenset({State.CLOSED, State.IN_PROGRESS}),
    State.CLOSED: frozenset({State.IN_PROGRESS}),
    State.CANCELLED: frozenset(),
}
# Leaving these for "in progress" is a reopen.
REOPENABLE_STATES = frozenset({State.RESOLVED, State.CLOSED})


class IllegalTransition(Exception):
    """A state change the state machine does not allow; the message is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def allowed_targets(state: str) -> frozenset[str]:
    return TRANSITIONS.get(state, frozenset())


def check_transition(old: str, new: str) -> None:
    """Raise IllegalTransition unless the machine allows old → new."""
    if new not in State.values:
        raise IllegalTransition(_("Unknown state “%(state)s”.") % {"state": new})
    if old == new:
        raise IllegalTransition(_("The ticket is already %(state)s.") % {"state": label(new)})
    if new not in allowed_targets(old):
        raise IllegalTransition(
            _("A ticket cannot go from “%(old)s” to “%(new)s”.") % {"old": label(old), "new": label(new)}
        )
