"""`{% sla_badge ticket %}` for queue rows, `{% sla_ticket_panel ticket %}` for the agent's ticket page and
`{% sla_portal_targets ticket %}` for the customer's ticket page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.urls import reverse

from servicedesk.lib import clock
from servicedesk.sla import config, presentation
from servicedesk.sla.engine import REACTION, RESOLUTION
from servicedesk.sla.team_time import ticket_team_time
from servicedesk.tickets.models import SLA_EVENT_KINDS, TicketEvent

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("sla/_badge.html")
def sla_badge(ticket: Ticket) -> dict[str, Any]:
    """The row's nearer running timer. Reads only the ticket's own columns and the remembered plan terms."""
    return {"badge": presentation.badge(ticket, clock.now())}


def _timers(ticket: Ticket) -> list[presentation.TimerLine]:
    now = clock.now()
    lines = (presentation.timer_line(ticket, name, now) for name in (REACTION, RESOLUTION))
    return [line for line in lines if line is not None]


@register.inclusion_tag("sla/_ticket_panel.html", takes_context=True)
def sla_ticket_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """Everything the agent sees about the ticket's SLA; a few queries, once per ticket page."""
    version = ticket.sla_plan
    newer_version = False
    if version is not None:
        current = config.snapshot().current_version_of_plan.get(version.plan_id)
        newer_version = current is not None and current != version.pk
    events = TicketEvent.objects.filter(ticket=ticket, kind__in=SLA_EVENT_KINDS).order_by("created_at", "id")
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "ticket": ticket,
        "contract": ticket.contract,
        "version": version,
        "newer_version": newer_version,
        "timers": _timers(ticket),
        # A done ticket's timer stands too, but "paused" would mislead there: its state says enough.
        "paused_since": ticket.sla_paused_since if ticket.is_open else None,
        "pause_reason": presentation.pause_reason(ticket) if ticket.sla_paused_since and ticket.is_open else "",
        "timeline": [presentation.timeline_line(event) for event in events],
        "team_time": [
            (line.team, presentation.duration(line.seconds)) for line in ticket_team_time(ticket, clock.now())
        ],
        "reapply_url": reverse("sla:ticket_reapply", args=[ticket.number]),
    }


@register.inclusion_tag("sla/_portal_targets.html")
def sla_portal_targets(ticket: Ticket) -> dict[str, Any]:
    """What the customer was promised and by when: targets, due times, met or overdue. Nothing internal."""
    return {"timers": _timers(ticket)}
