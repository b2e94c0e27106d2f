"""The SLA panel of the agent's ticket page: contract, plan, both timers, the SLA timeline, team time, re-apply."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from servicedesk.sla.models import SlaTarget
from servicedesk.tickets import actions
from servicedesk.tickets.models import EventKind
from servicedesk.tickets.states import State

PRAGUE = ZoneInfo("Europe/Prague")


def at(*args):
    return dt.datetime(*args, tzinfo=PRAGUE)


@pytest.fixture
def sla_ticket(contract, customer_user, l1_agent):
    """P3 entered Monday 30 Nov 2026 9:00 in office hours: reaction due 13:00, resolution due Tue 1 Dec 16:00."""
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        return actions.open_ticket(actor=l1_agent, subject="Printer", requester=customer_user)


def reapply_url(ticket):
    return reverse("sla:ticket_reapply", args=[ticket.number])


def page(client, ticket, when):
    with time_machine.travel(when, tick=False):
        response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_shows_contract_plan_targets_due_times_and_time_left(client, sla_ticket, l1_agent):
    client.force_login(l1_agent)
    html = page(client, sla_ticket, at(2026, 11, 30, 10, 45))
    assert 'id="sla-panel"' in html
    assert "Support 2026" in html and "Business v1" in html
    # Due times in Prague time (13:00 local is 12:00 UTC), in the agent's language (English here).
    assert "11/30/2026 1 p.m." in html
    assert "12/01/2026 4 p.m." in html
    assert "2 h 15 min" in html  # reaction left
    assert "4 h" in html and "16 h" in html  # the targets


def test_an_overdue_timer_reads_as_overdue(client, sla_ticket, l1_agent):
    client.force_login(l1_agent)
    html = page(client, sla_ticket, at(2026, 11, 30, 13, 35))
    assert "\u221235 min" in html
    assert "sla-timer-reaction sla-breached" in html


def test_paused_since_and_the_sla_timeline_read_as_sentences(client, sla_ticket, l1_agent, resolver):
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        actions.take(sla_ticket, actor=resolver)
        actions.transition(sla_ticket, actor=resolver, to_state=State.WAITING_CUSTOMER)
    client.force_login(l1_agent)
    html = page(client, sla_ticket, at(2026, 11, 30, 11, 0))
    assert "sla-paused-since" in html and "11/30/2026 10 a.m." in html
    assert (
        "SLA started: Support 2026 · Business v1, reaction due 11/30/2026 1 p.m., resolution due 12/01/2026 4 p.m."
        in html
    )
    assert "Reaction met at 11/30/2026 10 a.m. (due 11/30/2026 1 p.m.)" in html
    assert "Resolution paused: the ticket is Waiting for customer" in html

    with time_machine.travel(at(2026, 11, 30, 12, 0), tick=False):
        actions.transition(sla_ticket, actor=resolver, to_state=State.IN_PROGRESS)
    html = page(client, sla_ticket, at(2026, 11, 30, 12, 0))
    # Two office hours paused: due moves from Tue 16:00 to Wed 9:00 (office hours end at 17:00).
    assert "Resolution resumed, now due 12/02/2026 9 a.m." in html
    assert "sla-paused-since" not in html


def test_warnings_breaches_and_recomputations_are_on_the_sla_timeline(client, sla_ticket, l1_agent):
    from servicedesk.sla.sweep import sweep
    from servicedesk.tickets.models import Level

    with time_machine.travel(at(2026, 11, 30, 12, 5), tick=False):
        sweep()
    with time_machine.travel(at(2026, 11, 30, 13, 0, 1), tick=False):
        sweep()
    with time_machine.travel(at(2026, 11, 30, 13, 30), tick=False):
        actions.update_fields(sla_ticket, actor=l1_agent, impact=Level.HIGH, urgency=Level.HIGH)
    assert sla_ticket.events.filter(kind=EventKind.SLA_WARNING).count() == 2  # 75 % and 90 %
    client.force_login(l1_agent)
    html = page(client, sla_ticket, at(2026, 11, 30, 13, 30))
    assert "Reaction warning: 75 % of the time used (due 11/30/2026 1 p.m.)" in html
    assert "Reaction warning: 90 % of the time used" in html
    assert "Reaction breached (was due 11/30/2026 1 p.m.)" in html
    # P1: 1 h reaction around the clock from 9:00.
    assert "Deadlines recomputed: Reaction 11/30/2026 1 p.m. → 11/30/2026 10 a.m." in html
    assert "priority changed" in html


def test_team_time_is_shown_to_agents(client, sla_ticket, l1_agent, servers_team):
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        actions.escalate(sla_ticket, actor=l1_agent, team=servers_team, reason="Server")
    client.force_login(l1_agent)
    html = page(client, sla_ticket, at(2026, 11, 30, 12, 30))
    assert "sla-team-time" in html
    assert "<dt>Servicedesk</dt><dd>1 h</dd>" in html
    assert "<dt>Servers</dt><dd>2 h 30 min</dd>" in html


def test_reapplying_the_current_plan_version(client, sla_ticket, l1_agent, business_plan):
    client.force_login(l1_agent)
    # Already current: refused with a message, nothing recorded.
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        response = client.post(reapply_url(sla_ticket), follow=True)
    assert response.redirect_chain[-1][0] == sla_ticket.get_absolute_url()
    assert "already measured under the current version" in response.content.decode()
    assert not sla_ticket.events.filter(kind=EventKind.SLA_PLAN_REAPPLIED).exists()

    # A new version halves the P3 reaction target: re-applying recomputes from entry (9:00 + 2 h).
    SlaTarget.objects.filter(plan=business_plan, priority=3).update(reaction_minutes=120)
    business_plan.publish()
    html = page(client, sla_ticket, at(2026, 11, 30, 10, 0))
    assert "a newer version exists" in html
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        response = client.post(reapply_url(sla_ticket))
    assert response.status_code == 302
    sla_ticket.refresh_from_db()
    assert sla_ticket.sla_plan.number == 2
    assert sla_ticket.reaction_due_at == at(2026, 11, 30, 11, 0)
    html = page(client, sla_ticket, at(2026, 11, 30, 10, 0))
    assert "Current plan applied: Support 2026 · Business v1 → Support 2026 · Business v2" in html


def test_only_agents_may_reapply(client, sla_ticket, customer_user, customer_manager):
    url = reapply_url(sla_ticket)
    assert client.post(url).status_code == 302  # anonymous: to sign-in
    assert "/login/" in client.post(url)["Location"]
    for contact in (customer_user, customer_manager):
        client.force_login(contact.user)
        assert client.post(url).status_code == 403
    assert not sla_ticket.events.filter(kind=EventKind.SLA_PLAN_REAPPLIED).exists()


def test_reapply_is_post_only_and_unknown_tickets_are_404(client, sla_ticket, l1_agent):
    client.force_login(l1_agent)
    assert client.get(reapply_url(sla_ticket)).status_code == 405
    assert client.post(reverse("sla:ticket_reapply", args=["2026-999999"])).status_code == 404


def test_a_ticket_without_sla_says_so(client, ticket, l1_agent):
    client.force_login(l1_agent)
    response = client.get(ticket.get_absolute_url())
    html = response.content.decode()
    assert "No SLA measures this ticket." in html
    assert "Re-apply current plan" not in html


def test_a_czech_agent_reads_czech_dates_in_prague_time(client, sla_ticket, l1_agent):
    l1_agent.language = "cs"
    l1_agent.save(update_fields=["language"])
    client.force_login(l1_agent)
    html = page(client, sla_ticket, at(2026, 11, 30, 10, 45))
    assert "30.11.2026 13:00" in html and "01.12.2026 16:00" in html


def test_the_sla_timeline_costs_the_same_queries_however_long(
    client, sla_ticket, l1_agent, resolver, django_assert_max_num_queries
):
    client.force_login(l1_agent)

    def queries_of_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            page(client, sla_ticket, at(2026, 11, 30, 12, 0))
        return len(captured)

    page(client, sla_ticket, at(2026, 11, 30, 12, 0))  # the SLA configuration is remembered per process
    before = queries_of_page()
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        actions.take(sla_ticket, actor=resolver)
    for hour in (10, 11):
        with time_machine.travel(at(2026, 11, 30, hour, 10), tick=False):
            actions.transition(sla_ticket, actor=resolver, to_state=State.WAITING_CUSTOMER)
        with time_machine.travel(at(2026, 11, 30, hour, 40), tick=False):
            actions.transition(sla_ticket, actor=resolver, to_state=State.IN_PROGRESS)
    assert sla_ticket.events.filter(kind__startswith="sla_").count() >= 6
    assert queries_of_page() <= before + 1  # + the agent now on the ticket


def test_the_history_tells_warnings_and_breaches_in_words_and_leaves_the_rest_to_the_panel(
    client, sla_ticket, l1_agent
):
    from servicedesk.desk.views.ticket import timeline
    from servicedesk.sla.sweep import sweep

    with time_machine.travel(at(2026, 11, 30, 13, 1), tick=False):
        sweep()
    entries = [entry for entry in timeline(sla_ticket) if entry.kind == "event"]
    kinds = [entry.item.kind for entry in entries]
    assert "sla_started" not in kinds  # on the SLA panel's timeline only
    breach = next(entry for entry in entries if entry.item.kind == "sla_breached")
    assert breach.sentence and "reaction_due_at" not in breach.new and breach.new
