"""The customer's view of the SLA on the portal: the promised targets and due times, met or overdue; nothing
internal (contract, plan, levels, team time)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from servicedesk.tickets import actions

PRAGUE = ZoneInfo("Europe/Prague")


def at(*args):
    return dt.datetime(*args, tzinfo=PRAGUE)


@pytest.fixture
def sla_ticket(contract, customer_user, servers_team, l1_agent):
    """P3 entered by the customer Monday 30 Nov 2026 9:00: reaction due 13:00, resolution due Tue 1 Dec 16:00."""
    contract.notes = "Internal: discount 20 %, call Karel before any on-site visit"
    contract.save()
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        ticket = actions.open_ticket(actor=customer_user.user, subject="Printer", requester=customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 30), tick=False):
        actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Server")
    return ticket


def portal_page(client, ticket, when):
    with time_machine.travel(when, tick=False):
        return client.get(reverse("portal:ticket", args=[ticket.number]))


def test_the_customer_sees_targets_and_due_times(client, sla_ticket, customer_user):
    client.force_login(customer_user.user)
    response = portal_page(client, sla_ticket, at(2026, 11, 30, 10, 0))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="sla-targets"' in html
    assert "We react within 4 h" in html and "We resolve within 16 h" in html
    assert "11/30/2026 1 p.m." in html and "12/01/2026 4 p.m." in html


def test_nothing_internal_reaches_the_customer(client, sla_ticket, customer_manager):
    client.force_login(customer_manager.user)
    html = portal_page(client, sla_ticket, at(2026, 11, 30, 12, 30)).content.decode()
    assert 'id="sla-targets"' in html
    for internal in ("Support 2026", "discount", "Business v", "sla-warning", "sla-ok", "sla-breached"):
        assert internal not in html, internal
    assert "Team time" not in html and "sla-team-time" not in html and "Servers" not in html
    assert "Re-apply" not in html and "sla-panel" not in html


def test_met_and_overdue_read_plainly(client, sla_ticket, customer_user, resolver):
    client.force_login(customer_user.user)
    html = portal_page(client, sla_ticket, at(2026, 11, 30, 13, 35)).content.decode()
    assert "sla-overdue" in html and "was due" in html
    with time_machine.travel(at(2026, 11, 30, 14, 0), tick=False):
        actions.take(sla_ticket, actor=resolver)
        actions.resolve(sla_ticket, actor=resolver, resolution="Done")
    html = portal_page(client, sla_ticket, at(2026, 11, 30, 14, 0)).content.decode()
    # Reacted late (overdue), resolved in time (met).
    reaction = html.split('class="sla-target-reaction"')[1].split("</div>")[0]
    resolution = html.split('class="sla-target-resolution"')[1].split("</div>")[0]
    assert "overdue" in reaction
    assert "met" in resolution and "overdue" not in resolution


def test_another_customer_gets_404(client, sla_ticket, other_customer):
    client.force_login(other_customer.user)
    assert portal_page(client, sla_ticket, at(2026, 11, 30, 10, 0)).status_code == 404


def test_a_ticket_without_sla_shows_no_targets(client, ticket, customer_user):
    client.force_login(customer_user.user)
    html = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "sla-targets" not in html
