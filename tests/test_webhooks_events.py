"""Ticket actions write webhook deliveries in their own transaction, with the right event types and payloads."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from servicedesk.tickets import actions
from servicedesk.tickets.models import ArticleKind, TicketEvent
from servicedesk.tickets.states import State
from servicedesk.webhooks import events, outbox
from servicedesk.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

ALL_TICKET_EVENTS = [
    "ticket.created",
    "ticket.updated",
    "ticket.state_changed",
    "ticket.assigned",
    "ticket.escalated",
    "ticket.article_added",
]


def subscribe(name: str = "Everything", **fields) -> Subscription:
    fields.setdefault("event_types", ALL_TICKET_EVENTS)
    return Subscription.objects.create(name=name, url="http://127.0.0.1:9/hook", **fields)


def payloads(subscription: Subscription) -> list[dict]:
    return [json.loads(d.body) for d in subscription.deliveries.order_by("id")]


def test_opening_a_ticket_sends_ticket_created_with_the_ticket_summary(l1_agent, customer_user, settings):
    settings.SITE_URL = "https://desk.example.com"
    subscription = subscribe()
    ticket = actions.open_ticket(actor=l1_agent, subject="Printer jams", requester=customer_user, channel="phone")
    [delivery] = subscription.deliveries.all()
    payload = json.loads(delivery.body)
    assert delivery.event_type == payload["type"] == "ticket.created"
    assert delivery.ticket_number == ticket.number
    assert payload["id"] == str(delivery.event_id)
    assert payload["occurred_at"].startswith(ticket.created_at.isoformat()[:19])
    assert payload["actor"] == "Lucie Dvořáková"
    assert payload["ticket"] == {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": "Printer jams",
        "state": "new",
        "priority": 3,
        "type": "incident",
        "organization": {"id": customer_user.organization.pk, "name": "Alfa Strojírny s.r.o."},
        "team": {"id": ticket.team.pk, "name": "Servicedesk"},
        "agent": None,
        "url": f"https://desk.example.com/tickets/{ticket.number}/",
        "updated_at": payload["ticket"]["updated_at"],
    }


def test_each_action_produces_its_event_type(ticket, l1_agent, resolver, servers_team):
    subscription = subscribe()
    actions.assign(ticket, actor=l1_agent, agent=l1_agent)
    actions.update_fields(ticket, actor=l1_agent, subject="Printer jams in accounting")
    actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Driver problem", agent=resolver)
    actions.add_article(ticket, actor=resolver, body="We are on it.")
    actions.transition(ticket, actor=resolver, to_state=State.RESOLVED)
    types = [p["type"] for p in payloads(subscription)]
    assert types == [
        "ticket.assigned",
        "ticket.state_changed",  # new -> assigned
        "ticket.updated",
        "ticket.escalated",
        "ticket.assigned",
        "ticket.article_added",
        "ticket.state_changed",
    ]
    last = payloads(subscription)[-1]
    assert (last["change"]["field"], last["change"]["new"]) == ("state", State.RESOLVED)
    assert last["ticket"]["state"] == State.RESOLVED
    assert last["ticket"]["team"]["name"] == "Servers"
    assert last["ticket"]["agent"] == {"id": resolver.pk, "name": "Radek Novák"}


def test_a_subscription_gets_only_the_event_types_it_asked_for(ticket, l1_agent):
    subscription = subscribe(event_types=["ticket.state_changed"])
    actions.update_fields(ticket, actor=l1_agent, subject="Another subject")
    actions.transition(ticket, actor=l1_agent, to_state=State.CANCELLED)
    assert [p["type"] for p in payloads(subscription)] == ["ticket.state_changed"]
    assert payloads(subscription)[0]["change"]["new"] == State.CANCELLED


def test_a_public_reply_is_sent_with_its_text(ticket, l1_agent):
    subscription = subscribe(event_types=["ticket.article_added"])
    article = actions.add_article(ticket, actor=l1_agent, body="Please restart the printer.")
    [payload] = payloads(subscription)
    assert payload["article"]["id"] == article.pk
    assert payload["article"]["body"] == "Please restart the printer."
    assert payload["article"]["public"] is True
    assert payload["article"]["author"] == "Lucie Dvořáková"


def test_internal_notes_and_reasons_reach_only_subscriptions_marked_internal(ticket, l1_agent, servers_team):
    public = subscribe("Customer portal mirror")
    internal = subscribe("Our own ERP", include_internal=True)
    actions.add_article(ticket, actor=l1_agent, body="Customer is grumpy, be nice.", kind=ArticleKind.NOTE)
    actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Secret server password expired")
    assert [p["type"] for p in payloads(public)] == ["ticket.escalated"]
    assert "Secret server" not in public.deliveries.get().body
    assert "note" not in payloads(public)[0]["change"]
    internal_payloads = payloads(internal)
    assert [p["type"] for p in internal_payloads] == ["ticket.article_added", "ticket.escalated"]
    assert internal_payloads[0]["article"]["body"] == "Customer is grumpy, be nice."
    assert internal_payloads[0]["article"]["public"] is False
    assert internal_payloads[1]["change"]["note"] == "Secret server password expired"
    # One event, one id, for every subscription that got it.
    assert payloads(public)[0]["id"] == internal_payloads[1]["id"]


def test_a_subscription_restricted_to_one_organization_gets_only_its_tickets(
    l1_agent, customer_user, other_customer, customer_org
):
    alfa_only = subscribe(organization=customer_org)
    actions.open_ticket(actor=l1_agent, subject="Beta's problem", requester=other_customer)
    actions.open_ticket(actor=l1_agent, subject="No organization yet")
    mine = actions.open_ticket(actor=l1_agent, subject="Alfa's problem", requester=customer_user)
    assert [p["ticket"]["number"] for p in payloads(alfa_only)] == [mine.number]


def test_an_inactive_subscription_gets_nothing(ticket, l1_agent):
    paused = subscribe(active=False)
    actions.assign(ticket, actor=l1_agent, agent=l1_agent)
    assert not paused.deliveries.exists()


def test_a_rolled_back_change_leaves_no_delivery(l1_agent, customer_user):
    subscribe()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.open_ticket(actor=l1_agent, subject="Never happened", requester=customer_user)
        assert Delivery.objects.count() == 1  # written beside the ticket, inside its transaction
        raise RuntimeError("the caller fails after the action")
    assert Delivery.objects.count() == 0


def test_a_refused_action_leaves_no_delivery(ticket, l1_agent):
    subscribe()
    before = Delivery.objects.count()
    with pytest.raises(actions.ActionError):
        actions.escalate(ticket, actor=l1_agent, team=ticket.team, reason="Same team")
    assert Delivery.objects.count() == before


def test_without_subscriptions_an_event_costs_one_query(ticket, django_assert_num_queries):
    event = TicketEvent.objects.filter(ticket=ticket).first()
    with django_assert_num_queries(1):
        assert outbox.record(event) == []


def test_the_subscription_list_is_cached_and_forgotten_on_change(ticket, settings, django_assert_num_queries):
    settings.WEBHOOK_SUBSCRIPTION_CACHE_SECONDS = 60
    event = TicketEvent.objects.filter(ticket=ticket).first()
    outbox._cache.forget()
    outbox.record(event)
    with django_assert_num_queries(0):  # busy desks pay nothing per event
        assert outbox.record(event) == []
    subscribe()  # a save in this process forgets the list at once
    assert len(outbox.record(event)) == 1
    outbox._cache.forget()


def test_a_committed_change_wakes_a_worker_once(
    ticket, l1_agent, resolver, servers_team, django_capture_on_commit_callbacks
):
    subscribe()
    with django_capture_on_commit_callbacks() as callbacks:
        actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Driver", agent=resolver)
    assert Delivery.objects.count() == 3  # escalated, assigned, state changed
    assert callbacks == [outbox.wake_worker]


def test_later_issues_can_add_event_types():
    assert [name for name, _ in events.choices()][: len(ALL_TICKET_EVENTS)] == ALL_TICKET_EVENTS
    events.register("monitoring.down", "Monitored item down")
    try:
        assert "monitoring.down" in dict(events.choices())
    finally:
        del events.EVENT_TYPES["monitoring.down"]


def test_the_sla_app_registers_its_event_types():
    assert {"sla.warning", "sla.breached", "sla.changed"} <= set(events.EVENT_TYPES)


def test_every_ticket_history_event_kind_has_a_webhook_event_type():
    from servicedesk.tickets.models import EventKind

    assert set(EventKind.values) <= set(events.FOR_TICKET_EVENT)
    assert set(events.FOR_TICKET_EVENT.values()) <= set(events.EVENT_TYPES)
