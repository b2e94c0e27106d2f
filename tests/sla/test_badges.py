"""The SLA badge of a queue row: time left on the nearer running timer, its colour, paused, met or breached."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from servicedesk.sla.presentation import badge, duration
from servicedesk.tickets import actions
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import State

PRAGUE = ZoneInfo("Europe/Prague")


def at(*args):
    return dt.datetime(*args, tzinfo=PRAGUE)


def render(ticket):
    # The texts asserted here are the English ones; the desk's default language is Czech.
    with translation.override("en"):
        return Template("{% load sla_tags %}{% sla_badge ticket %}").render(Context({"ticket": ticket}))


@pytest.fixture
def p3_ticket(contract, customer_user, l1_agent):
    """Entered Monday 30 Nov 2026 9:00 (P3, office hours): reaction due 13:00, resolution due Tue 1 Dec 16:00."""
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        ticket = actions.open_ticket(actor=l1_agent, subject="Printer", requester=customer_user)
    assert ticket.reaction_due_at == at(2026, 11, 30, 13, 0)
    return ticket


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (8100, "2 h 15 min"),
        (7200, "2 h"),
        (45 * 60, "45 min"),
        (1, "1 min"),  # never "0 min" while time is left
        (0, "0 min"),
        (-35 * 60, "\u221235 min"),
        (-(26 * 3600 + 60), "\u221226 h 1 min"),
    ],
)
def test_durations_read_as_hours_and_minutes(seconds, text):
    assert duration(seconds) == text


def test_a_fresh_ticket_shows_the_reaction_time_left_in_green(p3_ticket):
    with time_machine.travel(at(2026, 11, 30, 10, 45), tick=False):
        html = render(p3_ticket)
        shown = badge(p3_ticket, at(2026, 11, 30, 10, 45))
    assert shown.timer == "reaction" and shown.level == "ok"
    assert "sla-ok" in html and "2 h 15 min" in html
    assert "⏸" not in html


def test_past_75_percent_the_badge_turns_to_warning(p3_ticket):
    with time_machine.travel(at(2026, 11, 30, 12, 5), tick=False):  # 3 h 5 min of 4 h used
        html = render(p3_ticket)
    assert "sla-warning" in html and "55 min" in html


def test_an_overdue_reaction_shows_minus_and_breached(p3_ticket):
    with time_machine.travel(at(2026, 11, 30, 13, 35), tick=False):
        html = render(p3_ticket)
    assert "sla-breached" in html and "\u221235 min" in html


def test_after_the_reaction_the_badge_shows_the_resolution(p3_ticket, resolver):
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        actions.take(p3_ticket, actor=resolver)
    p3_ticket.refresh_from_db()
    # Resolution 16 h of office hours from Mon 9:00: due Tue 1 Dec 16:00; at Mon 17:00, 8 h are used.
    with time_machine.travel(at(2026, 11, 30, 17, 0), tick=False):
        shown = badge(p3_ticket, at(2026, 11, 30, 17, 0))
        html = render(p3_ticket)
    assert shown.timer == "resolution"
    assert "8 h" in html and 'data-timer="resolution"' in html


def test_waiting_for_the_customer_shows_the_paused_marker(p3_ticket, resolver):
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        actions.take(p3_ticket, actor=resolver)
        actions.transition(p3_ticket, actor=resolver, to_state=State.WAITING_CUSTOMER)
    p3_ticket.refresh_from_db()
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):  # two days later: the time left has not moved
        html = render(p3_ticket)
    assert "⏸" in html and 'title="paused: waiting for customer"' in html
    assert "15 h" in html  # 16 h target, 1 h used before the pause


def test_resolved_in_time_shows_met_and_late_shows_breached(p3_ticket, resolver, contract, customer_user, l1_agent):
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        actions.take(p3_ticket, actor=resolver)
        actions.resolve(p3_ticket, actor=resolver, resolution="Done")
    p3_ticket.refresh_from_db()
    html = render(p3_ticket)
    assert "met" in html and "sla-state-met" in html

    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        late = actions.open_ticket(actor=l1_agent, subject="Late", requester=customer_user)
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):
        actions.take(late, actor=resolver)
        actions.resolve(late, actor=resolver, resolution="Finally")
    late.refresh_from_db()
    html = render(late)
    assert "sla-breached" in html and "breached" in html


def test_a_ticket_without_sla_shows_a_dash(ticket):
    assert ticket.sla_plan_id is None
    assert "sla-none" in render(ticket)


def test_badges_cost_no_query_per_row(p3_ticket, contract, customer_user, l1_agent, django_assert_num_queries):
    with time_machine.travel(at(2026, 11, 30, 9, 30), tick=False):
        for number in range(5):
            actions.open_ticket(actor=l1_agent, subject=f"Row {number}", requester=customer_user)
    tickets = list(Ticket.objects.all())
    with time_machine.travel(at(2026, 11, 30, 11, 0), tick=False):
        render(tickets[0])  # the first badge may load the remembered SLA configuration
        with django_assert_num_queries(0):
            for row in tickets:
                render(row)
