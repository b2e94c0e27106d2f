"""Team time: how long each team held a ticket, in the business time of the ticket's resolution calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from servicedesk.sla import clock
from servicedesk.sla.team_time import Span, business_seconds_by_team, ticket_team_time
from servicedesk.tickets import actions
from servicedesk.tickets.states import State

PRAGUE = ZoneInfo("Europe/Prague")
HOUR = 3600


def at(*args):
    return dt.datetime(*args, tzinfo=PRAGUE)


# --- The pure function ----------------------------------------------------------------------------------------


def test_spans_of_one_team_are_summed_and_an_open_span_counts_until_now():
    spans = [
        Span("L1", at(2026, 11, 30, 9, 0), at(2026, 11, 30, 10, 0)),
        Span("Servers", at(2026, 11, 30, 10, 0), at(2026, 11, 30, 12, 30)),
        Span("L1", at(2026, 11, 30, 12, 30), None),
    ]
    totals = business_seconds_by_team(spans, clock.TWENTY_FOUR_SEVEN, until=at(2026, 11, 30, 14, 0))
    assert totals == {"L1": HOUR + 90 * 60, "Servers": 150 * 60}
    assert list(totals) == ["L1", "Servers"]  # in the order the teams first held the ticket


def test_time_after_until_counts_nothing():
    spans = [Span("L1", at(2026, 11, 30, 9, 0), at(2026, 11, 30, 18, 0)), Span("Net", at(2026, 11, 30, 18, 0), None)]
    assert business_seconds_by_team(spans, clock.TWENTY_FOUR_SEVEN, until=at(2026, 11, 30, 12, 0)) == {
        "L1": 3 * HOUR,
        "Net": 0,
    }


def test_office_hours_do_not_charge_the_night_or_the_weekend(office_hours):
    calendar = office_hours.to_clock(list(office_hours.days.all()))
    # Friday 16:00 → Monday 9:00: one hour on Friday and one on Monday.
    spans = [Span("Servers", at(2026, 11, 27, 16, 0), at(2026, 11, 30, 9, 0))]
    assert business_seconds_by_team(spans, calendar, until=at(2026, 12, 1, 0, 0)) == {"Servers": 2 * HOUR}


# --- From the ticket's stints ---------------------------------------------------------------------------------


def test_a_ticket_escalated_and_handed_back_is_counted_per_team(contract, customer_user, l1_agent, servers_team):
    with time_machine.travel(at(2026, 11, 27, 15, 0), tick=False):  # Friday, P3: office hours
        ticket = actions.open_ticket(actor=l1_agent, subject="Server down", requester=customer_user)
    with time_machine.travel(at(2026, 11, 27, 16, 0), tick=False):
        actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Needs a server admin")
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):  # Monday
        actions.hand_back(ticket, actor=l1_agent, reason="Fixed, confirm with the customer")
    ticket.refresh_from_db()
    with time_machine.travel(at(2026, 11, 30, 11, 30), tick=False):
        lines = ticket_team_time(ticket, clock_now())
    # Servicedesk: Fri 15–16 and Mon 10–11:30; Servers: Fri 16–17 and Mon 8–10 (the weekend is not charged).
    assert [(line.team, line.seconds) for line in lines] == [("Servicedesk", HOUR + 90 * 60), ("Servers", 3 * HOUR)]


def test_without_a_plan_the_clock_runs_around_the_clock_and_stops_when_resolved(customer_user, l1_agent):
    with time_machine.travel(at(2026, 11, 28, 22, 0), tick=False):  # Saturday night, no SLA plan at all
        ticket = actions.open_ticket(actor=l1_agent, subject="Noisy fan", requester=customer_user)
    assert ticket.sla_plan_id is None
    with time_machine.travel(at(2026, 11, 29, 1, 0), tick=False):
        actions.transition(ticket, actor=l1_agent, to_state=State.IN_PROGRESS)
        actions.resolve(ticket, actor=l1_agent, resolution="Cleaned")
    ticket.refresh_from_db()
    with time_machine.travel(at(2026, 12, 5, 0, 0), tick=False):
        lines = ticket_team_time(ticket, clock_now())
    assert [(line.team, line.seconds) for line in lines] == [("Servicedesk", 3 * HOUR)]


def clock_now():
    from servicedesk.lib import clock as domain_clock

    return domain_clock.now()
