"""Issue 5's promise, end to end over the real servers: a customer writes to the support address (Dovecot) and
gets a numbered acknowledgement (aiosmtpd); the agent's reply reaches the customer in the same thread; the
customer's answer lands on the same ticket; an out-of-office reply creates and triggers nothing; an SMTP outage
delays mail and loses none."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from servicedesk.mail import imap
from servicedesk.mail.delivery import deliver_due
from servicedesk.mail.models import Mailbox, OutboundMessage
from servicedesk.tickets import actions
from servicedesk.tickets.models import ArticleKind, Ticket
from tests.test_mail_outbox import SmtpServer, free_port

CUSTOMER = "jana@alfa.cz"


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server = SmtpServer(port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot, imap_user, first_level_team) -> Mailbox:
    user, password = imap_user
    return Mailbox.objects.create(
        name="Support",
        address="podpora@desk.example",
        protocol="imap",
        host=dovecot.host,
        port=dovecot.port,
        username=user,
        password=password,
        team=first_level_team,
    )


def customer_mail(subject: str, body: str, message_id: str, in_reply_to: str = "", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Jana Černá <{CUSTOMER}>"
    message["To"] = "podpora@desk.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Fri, 27 Nov 2026 10:00:00 +0100"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def deliver_from_mailbox(dovecot, mailbox, raw: bytes, capture) -> None:
    dovecot.append(mailbox.username, mailbox.password, [raw])
    with capture(execute=True):
        result = imap.poll(mailbox)
    assert not getattr(result, "error", ""), result


def received(smtp: SmtpServer) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(r.content, policy=email.policy.default) for r in smtp.received]


def test_a_mail_conversation_stays_on_one_ticket(
    dovecot, mailbox, smtp, customer_user, l1_agent, django_capture_on_commit_callbacks
):
    # 1. The customer writes: a ticket, and a numbered acknowledgement.
    first = customer_mail("Tiskárna netiskne", "Dobrý den, tiskárna ve 2. patře hlásí chybu.", "<q1@alfa.cz>")
    deliver_from_mailbox(dovecot, mailbox, first, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    assert ticket.requester == customer_user and ticket.channel == "email"
    deliver_due()
    [ack] = received(smtp)
    assert f"[#{ticket.number}]" in ack["Subject"]
    assert ack["To"].addresses[0].addr_spec == CUSTOMER
    assert ack["Auto-Submitted"] == "auto-generated"
    assert "<q1@alfa.cz>" in ack["In-Reply-To"]
    assert ack["Reply-To"].addresses[0].addr_spec == "podpora@desk.example"

    # 2. The agent answers on the ticket page: the customer's client threads it under their message.
    actions.add_article(ticket, actor=l1_agent, body="Prosím restartujte tiskárnu.", kind=ArticleKind.REPLY)
    deliver_due()
    reply = received(smtp)[-1]
    assert "Prosím restartujte tiskárnu." in reply.get_body(preferencelist=("plain",)).get_content()
    assert "<q1@alfa.cz>" in reply["References"]
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert f"[#{ticket.number}]" in reply["Subject"]

    # 3. The customer answers the agent's mail: it lands on the same ticket, public.
    answer = customer_mail(f"Re: {reply['Subject']}", "Pomohlo, děkuji.", "<q2@alfa.cz>", reply["Message-ID"])
    deliver_from_mailbox(dovecot, mailbox, answer, django_capture_on_commit_callbacks)
    assert Ticket.objects.count() == 1
    last = ticket.articles.order_by("-id").first()
    assert last.kind == ArticleKind.REPLY and "Pomohlo" in last.body and last.author_contact == customer_user

    # 4. An out-of-office reply to the agent's mail: nothing new, nothing sent.
    mails_before = OutboundMessage.objects.count()
    away = customer_mail(
        f"Automatická odpověď: {reply['Subject']}",
        "Jsem mimo kancelář do pondělí.",
        "<ooo@alfa.cz>",
        reply["Message-ID"],
        Auto_Submitted="auto-replied",
    )
    deliver_from_mailbox(dovecot, mailbox, away, django_capture_on_commit_callbacks)
    assert Ticket.objects.count() == 1
    assert OutboundMessage.objects.count() == mails_before
    assert not ticket.articles.filter(kind=ArticleKind.REPLY, body__contains="mimo kancelář").exists()


def test_an_smtp_outage_delays_the_acknowledgement_and_loses_nothing(
    dovecot, mailbox, smtp, customer_user, django_capture_on_commit_callbacks, settings
):
    smtp.stop()
    first = customer_mail("VPN nejde", "Nejde se připojit.", "<v1@alfa.cz>")
    deliver_from_mailbox(dovecot, mailbox, first, django_capture_on_commit_callbacks)
    tally = deliver_due()
    assert tally.sent == 0 and tally.retried == 1
    smtp.start()
    OutboundMessage.objects.update(next_attempt_at=OutboundMessage.objects.get().created_at)  # the backoff ran out
    assert deliver_due().sent == 1
    assert deliver_due().sent == 0
    assert len(smtp.received) == 1
