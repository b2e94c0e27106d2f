"""How the portal words the desk's facts for customers: states, history steps, time spent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from servicedesk.tickets.models import EventKind, Ticket, TicketEvent, WorkKind, WorkLogEntry
from servicedesk.tickets.states import State

# The desk's states say who holds the ticket; a customer wants to know whether anyone is on it and whether
# it waits for them.
CUSTOMER_STATE_LABELS: dict[str, Any] = {
    State.NEW: _("Received"),
    State.ASSIGNED: _("We are working on it"),
    State.IN_PROGRESS: _("We are working on it"),
    State.WAITING_CUSTOMER: _("Waiting for your reply"),
    State.WAITING_VENDOR: _("Waiting for a supplier"),
    State.WAITING_PARTS: _("Waiting for spare parts"),
    State.RESOLVED: _("Resolved – please confirm"),
    State.CLOSED: _("Closed"),
    State.CANCELLED: _("Cancelled"),
}


def customer_state(state: str) -> str:
    return str(CUSTOMER_STATE_LABELS.get(state, state))


@dataclass(frozen=True)
class Step:
    """One line of the status timeline."""

    at: dt.datetime
    text: str


def _step_text(event: TicketEvent) -> str:
    if event.kind == EventKind.CREATED:
        return str(_("Ticket received"))
    if event.kind == EventKind.REOPENED:
        return str(_("Reopened"))
    if event.kind == EventKind.MERGED:
        if event.field == "merged_into":
            return str(_("Merged into ticket %(number)s")) % {"number": event.new_value}
        return str(_("Ticket %(number)s was merged into this one")) % {"number": event.new_value}
    if event.kind == EventKind.RATED:
        return str(_("Resolution rated %(score)s of 5")) % {"score": event.new_value}
    if event.kind == EventKind.STATE_CHANGED:
        return str(_("Status: %(state)s")) % {"state": customer_state(event.new_value)}
    return str(event.get_kind_display())


def status_timeline(ticket: Ticket) -> list[Step]:
    """The public steps of the ticket's history, oldest first. Only events marked public, and never their notes:
    a reason an agent typed for a state change was written for colleagues."""
    events = (
        TicketEvent.objects.filter(ticket=ticket, is_public=True)
        .exclude(kind=EventKind.REPLY_ADDED)  # the replies themselves are on the page
        .only("kind", "field", "new_value", "created_at")
    )
    return [Step(event.created_at, _step_text(event)) for event in events]


@dataclass(frozen=True)
class TimeSpent:
    total: int
    by_kind: list[tuple[str, int]]  # (label, minutes) in the order of WorkKind


def time_spent(ticket: Ticket) -> TimeSpent:
    """Minutes of work by kind (remote, on site, phone, workshop); the entries' notes stay on the desk."""
    rows = WorkLogEntry.objects.filter(ticket=ticket).values("kind").annotate(minutes=Sum("minutes"))
    minutes = {row["kind"]: row["minutes"] or 0 for row in rows}
    by_kind = [(str(kind.label), minutes[kind.value]) for kind in WorkKind if minutes.get(kind.value)]
    return TimeSpent(total=sum(minutes.values()), by_kind=by_kind)
