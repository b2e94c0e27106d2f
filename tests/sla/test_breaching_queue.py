"""The desk's "Breaching soon" queue and the SLA column of every queue."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from servicedesk.desk import queues
from servicedesk.tickets import actions
from servicedesk.tickets.models import Level, Ticket
from servicedesk.tickets.states import State

PRAGUE = ZoneInfo("Europe/Prague")
HOME = reverse("desk:home")
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=PRAGUE)


def at(*args):
    return dt.datetime(*args, tzinfo=PRAGUE)


@pytest.fixture
def desk(contract, customer_user, l1_agent, resolver):
    """Tickets entered on Monday 30 Nov 2026 at different moments, in different SLA situations."""

    def open_(subject, when, **kwargs):
        with time_machine.travel(when, tick=False):
            return actions.open_ticket(actor=l1_agent, subject=subject, requester=customer_user, **kwargs)

    made = {
        # P3: reaction 4 h office hours → due 13:00
        "p3_early": open_("P3 at 9:00", at(2026, 11, 30, 9, 0)),
        # P1: reaction 1 h around the clock → due 10:30, before the P3 one entered earlier
        "p1": open_("P1 at 9:30", at(2026, 11, 30, 9, 30), impact=Level.HIGH, urgency=Level.HIGH),
        # P3 reacted to: its resolution (16 h office hours → Tue 1 Dec 17:00) is what runs
        "reacted": open_("P3 at 8:00, taken", at(2026, 11, 30, 8, 0)),
        # P3 reacted and waiting for the customer: nothing runs
        "paused": open_("P3 at 8:00, waiting", at(2026, 11, 30, 8, 0)),
        # Resolved: nothing runs
        "resolved": open_("P3 at 8:30, resolved", at(2026, 11, 30, 8, 30)),
    }
    with time_machine.travel(at(2026, 11, 30, 9, 45), tick=False):
        actions.take(made["reacted"], actor=resolver)
        actions.take(made["paused"], actor=resolver)
        actions.transition(made["paused"], actor=resolver, to_state=State.WAITING_CUSTOMER)
        actions.take(made["resolved"], actor=resolver)
        actions.resolve(made["resolved"], actor=resolver, resolution="Done")
    return made


def test_the_queue_lists_running_timers_nearest_due_first(client, desk, l1_agent):
    client.force_login(l1_agent)
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        response = client.get(HOME, {"queue": "breaching"})
    assert response.status_code == 200
    rows = [ticket.subject for ticket in response.context["page"].object_list]
    assert rows == ["P1 at 9:30", "P3 at 9:00", "P3 at 8:00, taken"]
    counts = {queue.slug: count for queue, count in response.context["queues"]}
    assert counts["breaching"] == 3
    assert response.context["current"].slug == "breaching"
    html = response.content.decode()
    assert "Breaching soon" in html
    assert 'class="queue-sla' in html and "sla-badge" in html


def test_a_paused_ticket_whose_reaction_still_runs_stays_in_the_queue(desk, l1_agent, customer_user):
    with time_machine.travel(at(2026, 11, 30, 11, 0), tick=False):
        waiting = actions.open_ticket(actor=l1_agent, subject="Waiting, nobody reacted", requester=customer_user)
        actions.transition(waiting, actor=l1_agent, to_state=State.IN_PROGRESS)
        actions.transition(waiting, actor=l1_agent, to_state=State.WAITING_CUSTOMER)
    waiting.refresh_from_db()
    assert waiting.sla_paused_since is not None and waiting.reacted_at is None
    queue = queues.QUEUES_BY_SLUG["breaching"]
    listed = Ticket.objects.filter(queue.condition(l1_agent, MONDAY))
    assert set(listed.values_list("subject", flat=True)) == {
        "P1 at 9:30",
        "P3 at 9:00",
        "P3 at 8:00, taken",
        "Waiting, nobody reacted",
    }


def test_an_explicit_column_sort_still_applies(client, desk, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME, {"queue": "breaching", "sort": "subject"})
    rows = [ticket.subject for ticket in response.context["page"].object_list]
    assert rows == sorted(rows)


def test_sorting_any_queue_by_due_puts_tickets_without_a_running_timer_last(client, desk, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME, {"queue": "open", "sort": "due"})
    rows = [ticket.subject for ticket in response.context["page"].object_list]
    assert rows == ["P1 at 9:30", "P3 at 9:00", "P3 at 8:00, taken", "P3 at 8:00, waiting"]


def test_customers_cannot_open_the_queue(client, customer_user):
    client.force_login(customer_user.user)
    assert client.get(HOME, {"queue": "breaching"}).status_code == 403


def test_the_sla_column_adds_no_query_per_row(client, contract, customer_user, l1_agent, django_assert_max_num_queries):
    client.force_login(l1_agent)
    made = 0
    for rows in (3, 40):
        with time_machine.travel(MONDAY, tick=False):
            while made < rows:
                priority = {0: (Level.HIGH, Level.HIGH), 1: (Level.MEDIUM, Level.MEDIUM)}.get(
                    made % 3, (Level.LOW, Level.LOW)
                )
                actions.open_ticket(
                    actor=l1_agent,
                    subject=f"Row {made}",
                    requester=customer_user,
                    impact=priority[0],
                    urgency=priority[1],
                )
                made += 1
        with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
            client.get(HOME, {"queue": "breaching"})  # the SLA configuration is remembered per process
            for queue in ("breaching", "open"):
                with django_assert_max_num_queries(10):
                    response = client.get(HOME, {"queue": queue})
                assert len(response.context["page"].object_list) == rows
                assert response.content.decode().count("sla-badge") == rows
