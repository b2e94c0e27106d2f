"""Which e-mails a change causes: the customer hears about their ticket, the agents about theirs, nobody about
what they did themselves, and events that mail nobody cost no query."""

from __future__ import annotations

import email
import email.policy

import pytest

from servicedesk.accounts.models import Contact
from servicedesk.mail import outbound
from servicedesk.mail.models import OutboundMessage
from servicedesk.notifications.service import notify
from servicedesk.tickets import actions
from servicedesk.tickets.files import UploadedFile
from servicedesk.tickets.models import EventKind
from servicedesk.tickets.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
    settings.MAIL_DOMAIN = "desk.example.cz"


def mails(kind: str) -> list[OutboundMessage]:
    outbound.compose_pending()  # what the delivery worker does before sending
    return list(OutboundMessage.objects.filter(kind=kind).order_by("pk"))


def test_a_new_ticket_is_acknowledged_to_its_requester(ticket, customer_user):
    [row] = mails("ticket_received")
    assert row.to == ["Jana Černá <jana@alfa.cz>"]
    assert row.ticket_id == ticket.pk and row.automatic


def test_a_customer_opening_a_ticket_gets_the_receipt_too(customer_user):
    actions.open_ticket(actor=customer_user.user, subject="VPN", requester=customer_user, channel="web")
    assert len(mails("ticket_received")) == 1


def test_no_acknowledgement_for_monitoring_without_requester_or_a_requester_without_address(customer_org):
    actions.open_ticket(actor=None, subject="Disk full", organization=customer_org, channel="monitoring")
    silent = Contact.objects.create(organization=customer_org, name="Bez Adresy", email="")
    actions.open_ticket(actor=None, subject="Phone call", requester=silent, channel="phone")
    assert mails("ticket_received") == []


def test_an_agents_reply_goes_to_the_requester_and_the_ccs_with_its_attachment(ticket, l1_agent, customer_manager):
    ticket.cc.add(customer_manager)
    article = actions.add_article(
        ticket, actor=l1_agent, body="Toner vyměněn.", files=[UploadedFile("foto.png", b"\x89PNG\r\n\x1a\nxx")]
    )
    [row] = mails("public_reply")
    assert row.to == ["Jana Černá <jana@alfa.cz>"]
    assert row.cc == ["Petr Šťastný <petr@alfa.cz>"]
    assert row.article_id == article.pk and not row.automatic
    message = email.message_from_bytes(bytes(row.raw), policy=email.policy.default)
    assert [part.get_filename() for part in message.iter_attachments()] == ["foto.png"]  # type: ignore[attr-defined]
    assert "Toner vyměněn." in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined,union-attr]


def test_an_internal_note_mails_nobody(ticket, l1_agent):
    before = OutboundMessage.objects.count()
    actions.add_article(ticket, actor=l1_agent, body="Interní poznámka", kind="note")
    assert OutboundMessage.objects.count() == before


def test_a_customers_reply_mails_the_assigned_agent(ticket, l1_agent, resolver, customer_user):
    actions.assign(ticket, actor=l1_agent, agent=resolver)
    actions.add_article(ticket, actor=customer_user.user, body="Pořád to netiskne.")
    [row] = mails("customer_replied")
    assert row.to == ["Radek Novák <radek@desk.example>"]
    assert mails("public_reply") == []  # the customer is not sent their own words


def test_a_customers_reply_on_an_unassigned_ticket_mails_the_team(ticket, l1_agent, admin_user, customer_user):
    actions.add_article(ticket, actor=None, author_contact=customer_user, body="Ještě doplňuji.", channel="email")
    assert sorted(row.to[0] for row in mails("customer_replied")) == [
        "Ada Admin <admin@desk.example>",
        "Lucie Dvořáková <lucie@desk.example>",
    ]


def test_assignment_mails_the_agent_but_not_who_took_it_himself(ticket, l1_agent, resolver):
    actions.take(ticket, actor=l1_agent)
    assert mails("assigned_to_you") == []
    actions.assign(ticket, actor=l1_agent, agent=resolver)
    [row] = mails("assigned_to_you")
    assert row.to == ["Radek Novák <radek@desk.example>"]


def test_escalation_mails_the_team_members(ticket, l1_agent, resolver, servers_team):
    actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Server side")
    [row] = mails("escalated_to_team")
    assert row.to == ["Radek Novák <radek@desk.example>"]
    message = email.message_from_bytes(bytes(row.raw), policy=email.policy.default)
    assert "Server side" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined,union-attr]


def test_state_mails_to_the_customer_and_one_satisfaction_request(ticket, l1_agent, customer_user):
    actions.transition(ticket, actor=l1_agent, to_state=State.IN_PROGRESS)
    assert OutboundMessage.objects.exclude(kind="ticket_received").count() == 0
    actions.transition(ticket, actor=l1_agent, to_state=State.WAITING_CUSTOMER)
    assert len(mails("waiting_for_you")) == 1
    actions.transition(ticket, actor=l1_agent, to_state=State.IN_PROGRESS)
    actions.resolve(ticket, actor=l1_agent)
    assert len(mails("resolved")) == 1
    actions.transition(ticket, actor=l1_agent, to_state=State.CLOSED)
    assert len(mails("closed")) == 1
    assert len(mails("satisfaction_request")) == 1
    actions.reopen(ticket, actor=l1_agent)
    actions.resolve(ticket, actor=l1_agent)
    actions.transition(ticket, actor=l1_agent, to_state=State.CLOSED)
    assert len(mails("closed")) == 2
    assert len(mails("satisfaction_request")) == 1  # once per ticket


def test_the_customer_closing_his_own_ticket_gets_no_mail_about_it(ticket, l1_agent, customer_user):
    actions.resolve(ticket, actor=l1_agent)
    actions.transition(ticket, actor=customer_user.user, to_state=State.CLOSED)
    assert mails("closed") == []


def test_events_that_mail_nobody_cost_no_query(ticket, l1_agent, django_assert_num_queries):
    from servicedesk.mail import notify as mail_notify
    from servicedesk.tickets.models import TicketEvent

    quiet = [
        TicketEvent(ticket=ticket, kind=EventKind.NOTE_ADDED, actor=l1_agent),
        TicketEvent(ticket=ticket, kind=EventKind.FIELD_CHANGED, actor=l1_agent, new_value="x"),
        TicketEvent(ticket=ticket, kind=EventKind.SLA_STARTED, actor=None),
        TicketEvent(ticket=ticket, kind=EventKind.STATE_CHANGED, actor=l1_agent, new_value=State.IN_PROGRESS),
        TicketEvent(ticket=ticket, kind=EventKind.WORK_LOGGED, actor=l1_agent),
    ]
    ticket.assigned_to = l1_agent
    quiet.append(TicketEvent(ticket=ticket, kind=EventKind.ASSIGNED, actor=l1_agent, new_value="Lucie"))
    with django_assert_num_queries(0):
        for event in quiet:
            mail_notify.on_event(event)


def test_sla_notifications_also_go_out_by_mail_written_by_the_worker_once(ticket, l1_agent, resolver):
    from servicedesk.notifications.tasks import mail_pending_notifications

    notify([l1_agent.pk, resolver.pk], kind="sla_breached", ticket=ticket, title="2026-000001: deadline passed")
    assert mails("sla_breached") == []  # not inside the change's transaction: the worker writes them
    assert mail_pending_notifications.call() == 2
    assert mail_pending_notifications.call() == 0
    assert sorted(row.to[0] for row in mails("sla_breached")) == [
        "Lucie Dvořáková <lucie@desk.example>",
        "Radek Novák <radek@desk.example>",
    ]
    notify([l1_agent.pk], kind="assigned", ticket=ticket, title="Other kinds stay in-app")
    notify([l1_agent.pk], kind="sla_warning", ticket=ticket, title="80 %", email=False)
    mail_pending_notifications.call()
    assert mails("assigned") == [] and mails("sla_warning") == []
