"""The event types a subscription can ask for, and which ticket history events produce them.

The list is a registry so later apps (SLA, monitoring) add their own types with `register()` from their
AppConfig.ready() without touching this module."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicedesk.tickets.models import EventKind

PING = "ping"
TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"
TICKET_STATE_CHANGED = "ticket.state_changed"
TICKET_ASSIGNED = "ticket.assigned"
TICKET_ESCALATED = "ticket.escalated"
TICKET_ARTICLE_ADDED = "ticket.article_added"
SLA_WARNING = "sla.warning"
SLA_BREACHED = "sla.breached"
SLA_CHANGED = "sla.changed"

# name -> label shown on the subscription form, in registration order.
EVENT_TYPES: dict[str, str | Promise] = {}


def register(name: str, label: str | Promise) -> None:
    """Make an event type subscribable. Names are `<area>.<what_happened>`, lower case."""
    EVENT_TYPES[name] = label


def choices() -> list[tuple[str, str | Promise]]:
    return list(EVENT_TYPES.items())


register(TICKET_CREATED, _("Ticket created"))
register(TICKET_UPDATED, _("Ticket updated (fields, priority, links, merges, work log)"))
register(TICKET_STATE_CHANGED, _("Ticket state changed (including reopening)"))
register(TICKET_ASSIGNED, _("Ticket assigned"))
register(TICKET_ESCALATED, _("Ticket escalated to another team"))
register(TICKET_ARTICLE_ADDED, _("Reply (or internal note) added"))

# Every ticket history event maps to exactly one webhook event type.
FOR_TICKET_EVENT: dict[str, str] = {
    EventKind.CREATED: TICKET_CREATED,
    EventKind.STATE_CHANGED: TICKET_STATE_CHANGED,
    EventKind.REOPENED: TICKET_STATE_CHANGED,
    EventKind.ASSIGNED: TICKET_ASSIGNED,
    EventKind.ESCALATED: TICKET_ESCALATED,
    EventKind.HANDED_BACK: TICKET_UPDATED,
    EventKind.PRIORITY_CHANGED: TICKET_UPDATED,
    EventKind.FIELD_CHANGED: TICKET_UPDATED,
    EventKind.WORK_LOGGED: TICKET_UPDATED,
    EventKind.ATTACHMENT_ADDED: TICKET_UPDATED,
    EventKind.MERGED: TICKET_UPDATED,
    EventKind.LINKED: TICKET_UPDATED,
    EventKind.REPLY_ADDED: TICKET_ARTICLE_ADDED,
    EventKind.NOTE_ADDED: TICKET_ARTICLE_ADDED,
    "rated": TICKET_UPDATED,  # the portal's satisfaction rating (EventKind.RATED)
    EventKind.SLA_WARNING: SLA_WARNING,  # registered by the sla app
    EventKind.SLA_BREACHED: SLA_BREACHED,
    EventKind.SLA_STARTED: SLA_CHANGED,
    EventKind.SLA_PAUSED: SLA_CHANGED,
    EventKind.SLA_RESUMED: SLA_CHANGED,
    EventKind.SLA_MET: SLA_CHANGED,
    EventKind.SLA_STOPPED: SLA_CHANGED,
    EventKind.SLA_RECOMPUTED: SLA_CHANGED,
    EventKind.SLA_CONTRACT_CHANGED: SLA_CHANGED,
    EventKind.SLA_PLAN_REAPPLIED: SLA_CHANGED,
}
