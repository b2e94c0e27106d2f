"""How long each team held a ticket, in business time: the internal OLA figure on the agent's ticket panel.

The spans come from the ticket's TeamStints (escalation and hand-back close one and open the next). They are counted
in the calendar of the ticket's resolution target (around the clock when no plan measures it), so a team that
held the ticket over a weekend is not charged for the weekend the customer does not pay for either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servicedesk.sla import clock, engine
from servicedesk.tickets.states import DONE_STATES

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket


@dataclass(frozen=True)
class Span:
    team: Hashable
    started_at: dt.datetime
    ended_at: dt.datetime | None  # None: the team still holds the ticket


def business_seconds_by_team(
    spans: Iterable[Span], calendar: clock.Calendar, until: dt.datetime
) -> dict[Hashable, int]:
    """The business seconds of every team's spans, summed per team, in the order the teams first held the ticket.

    An open span counts until `until`; a span (or its part) after `until` counts nothing."""
    totals: dict[Hashable, int] = {}
    for span in spans:
        end = min(span.ended_at or until, until)
        seconds = clock.business_seconds_between(calendar, span.started_at, end) if end > span.started_at else 0
        totals[span.team] = totals.get(span.team, 0) + seconds
    return totals


@dataclass(frozen=True)
class TeamTime:
    team: str
    seconds: int


def ticket_team_time(ticket: Ticket, now: dt.datetime) -> list[TeamTime]:
    """Per team, the business time it held the ticket; a done ticket stops counting when it was resolved (or
    closed, or last touched when cancelled)."""
    from servicedesk.tickets.models import TeamStint

    terms = engine.terms_of(ticket)
    calendar = terms.resolution.calendar if terms is not None and terms.resolution is not None else None
    until = now
    if ticket.state in DONE_STATES:
        until = min(now, ticket.resolved_at or ticket.closed_at or ticket.updated_at)
    stints = TeamStint.objects.filter(ticket=ticket).select_related("team").order_by("started_at", "id")
    totals = business_seconds_by_team(
        (Span(stint.team.name, stint.started_at, stint.ended_at) for stint in stints),
        calendar or clock.TWENTY_FOUR_SEVEN,
        until,
    )
    return [TeamTime(str(team), seconds) for team, seconds in totals.items()]
