"""Mail about a ticket: our own Message-ID, the thread it answers, the subject tag, automatic or a person's mail,
the mailbox as Reply-To, the recipient's language; and an agent's reply reaching a real SMTP server intact."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage as ParsedEmail

import pytest
import time_machine
from django.utils import timezone

from servicedesk.mail import outbound
from servicedesk.mail.delivery import deliver_batch
from servicedesk.mail.models import FailingAddress, Mailbox, OutboundMessage, OutboundStatus, ThreadMessageId
from servicedesk.tickets import actions
from servicedesk.tickets.files import UploadedFile
from tests.test_mail_outbox import SmtpServer, free_port

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
    settings.MAIL_DOMAIN = "desk.example.cz"
    settings.DEFAULT_FROM_EMAIL = "Servicedesk <servicedesk@example.cz>"
    settings.SITE_URL = "https://desk.example.cz"
    settings.MAIL_MAX_ATTEMPTS = 4
    settings.MAIL_BACKOFF_BASE = 30
    settings.MAIL_BACKOFF_MAX = 3600
    settings.MAIL_BATCH_SIZE = 100
    settings.MAIL_LEASE_SECONDS = 300


def queue(ticket, **kwargs) -> OutboundMessage:
    message_id = outbound.queue(ticket, **kwargs)
    outbound.compose_pending()  # what the delivery worker does before sending
    return OutboundMessage.objects.get(message_id=message_id)


def parsed(row: OutboundMessage) -> ParsedEmail:
    if row.compose is not None:  # queued, not rendered yet: what the delivery worker does before sending
        outbound.compose_pending()
        row.refresh_from_db()
    return email.message_from_bytes(bytes(row.raw), policy=email.policy.default)  # type: ignore[return-value]


def text_of(message: ParsedEmail) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: ParsedEmail) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


def test_acknowledgement_is_automatic_tagged_threaded_and_answers_to_the_mailbox(ticket, customer_user):
    Mailbox.objects.create(name="Support", address="podpora@example.cz", protocol="none")
    ThreadMessageId.objects.create(message_id="<first@customer.example>", ticket=ticket)
    row = queue(ticket, key="ticket_received", to=outbound.contact_recipient(customer_user))
    assert row is not None
    message = parsed(row)
    assert message["Message-ID"].endswith("@desk.example.cz>")
    assert row.message_id == message["Message-ID"]
    assert f"[#{ticket.number}]" in message["Subject"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["X-Loop"] == "servicedesk@desk.example.cz"
    assert message["Reply-To"] == "podpora@example.cz"
    assert message["In-Reply-To"] is not None
    assert "<first@customer.example>" in message["References"]
    # The private headers became columns, and are not in the mail.
    assert not [name for name in message if name.lower().startswith("x-servicedesk")]
    assert (row.ticket_id, row.kind, row.automatic) == (ticket.pk, "ticket_received", True)
    assert ThreadMessageId.objects.get(message_id=row.message_id).outbound is True
    # Text and an HTML alternative.
    assert ticket.number in text_of(message)
    assert ticket.number in html_of(message)


def test_references_follow_the_thread_oldest_first_and_stay_bounded(ticket, customer_user):
    outbound.compose_pending()  # the acknowledgement: sent before this thread grows
    ThreadMessageId.objects.all().delete()
    for i in range(30):
        ThreadMessageId.objects.create(
            message_id=f"<m{i}@customer.example>", ticket=ticket, created_at=START + dt.timedelta(minutes=i)
        )
    row = queue(ticket, key="waiting_for_you", to=outbound.contact_recipient(customer_user))
    assert row is not None
    message = parsed(row)
    references = message["References"].split()
    assert len(references) == outbound.MAX_REFERENCES
    assert references[0] == "<m0@customer.example>"
    assert references[-1] == "<m29@customer.example>"
    assert message["In-Reply-To"] == "<m29@customer.example>"


def test_a_later_mail_answers_our_earlier_one(ticket, customer_user):
    first = OutboundMessage.objects.get(ticket=ticket, kind="ticket_received")
    row = queue(ticket, key="waiting_for_you", to=outbound.contact_recipient(customer_user))
    assert row is not None
    assert parsed(row)["In-Reply-To"] == first.message_id


def test_reply_to_is_the_mailbox_the_ticket_came_through(ticket, customer_user):
    from servicedesk.mail.models import InboundMessage
    from servicedesk.tickets.files import store_blob

    Mailbox.objects.create(name="A first", address="first@example.cz", protocol="none")
    hardware = Mailbox.objects.create(name="Hardware", address="hw@example.cz", protocol="none")
    InboundMessage.objects.create(mailbox=hardware, raw=store_blob(b"Subject: x\n\nbody"), ticket=ticket)
    ticket.channel = "email"  # a ticket that came by e-mail
    assert outbound.mailbox_address(ticket) == "hw@example.cz"


def test_without_mailboxes_replies_go_to_the_default_sender(ticket):
    assert outbound.mailbox_address(ticket) == "Servicedesk <servicedesk@example.cz>"


def test_czech_or_english_by_the_recipients_language(ticket, customer_user):
    with time_machine.travel(START, tick=False):
        ticket.reaction_due_at = dt.datetime(2026, 3, 2, 12, 30, tzinfo=dt.UTC)
        ticket.save(update_fields=["reaction_due_at"])  # a mail is composed from the ticket as stored
        customer_user.user.language = "cs"
        customer_user.user.save()
        czech = queue(ticket, key="ticket_received", to=outbound.contact_recipient(customer_user))
        customer_user.user.language = "en"
        customer_user.user.save()
        english = queue(ticket, key="ticket_received", to=outbound.contact_recipient(customer_user))
    assert czech is not None and english is not None
    assert "Přijali jsme Váš požadavek" in czech.subject
    # 12:30 UTC is 13:30 in Prague (CET).
    assert "2. 3. 2026 13:30" in text_of(parsed(czech))
    assert "We have received your request" in english.subject
    assert "2 Mar 2026, 13:30" in text_of(parsed(english))


def test_language_falls_back_to_the_contact_then_czech(customer_user):
    customer_user.user.language = ""
    customer_user.language = "en"
    assert outbound.contact_recipient(customer_user).language == "en"
    customer_user.language = ""
    assert outbound.contact_recipient(customer_user).language == "cs"


def test_a_managers_template_overrides_the_built_in_one(ticket, customer_user):
    from servicedesk.mail.models import MailTemplate

    MailTemplate.objects.create(
        key="waiting_for_you", language="en", subject="Ping {{ number }}", body_text="Answer us, {{ recipient_name }}."
    )
    row = queue(ticket, key="waiting_for_you", to=outbound.contact_recipient(customer_user))
    assert row is not None
    assert row.subject == f"[#{ticket.number}] Ping {ticket.number}"
    assert "Answer us, Jana Černá." in text_of(parsed(row))
    assert "Answer us, Jana Černá." in html_of(parsed(row))


def test_a_known_failing_address_is_queued_but_marked(ticket, customer_user):
    FailingAddress.objects.create(address="jana@alfa.cz", reason="550 mailbox unavailable")
    row = queue(ticket, key="waiting_for_you", to=outbound.contact_recipient(customer_user))
    assert row is not None
    assert row.status == OutboundStatus.PENDING
    assert "550 mailbox unavailable" in row.last_error


def agent_reply_with_file(ticket, agent):
    return actions.add_article(
        ticket,
        actor=agent,
        body="Vyměnili jsme toner, zkuste prosím tisk.",
        files=[UploadedFile("protokol.pdf", b"%PDF-1.4 protocol")],
    )


@pytest.fixture
def smtp(settings):
    server = SmtpServer(free_port())
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()


def test_an_agents_reply_reaches_a_real_smtp_server_with_its_headers(smtp, ticket, l1_agent, customer_user):
    with time_machine.travel(START, tick=False):
        OutboundMessage.objects.all().delete()
        agent_reply_with_file(ticket, l1_agent)
        row = OutboundMessage.objects.get(kind="public_reply")
        deliver_batch(START)
    assert len(smtp.received) == 1
    received = email.message_from_bytes(smtp.received[0].content, policy=email.policy.default)
    assert smtp.received[0].rcpt_tos == ["jana@alfa.cz"]
    assert received["Message-ID"] == row.message_id
    assert received["Message-ID"].endswith(f"@{'desk.example.cz'}>")
    assert received["Auto-Submitted"] is None  # a person's reply
    assert received["X-Loop"] == "servicedesk@desk.example.cz"
    assert f"[#{ticket.number}]" in received["Subject"]
    assert "Vyměnili jsme toner" in text_of(received)  # type: ignore[arg-type]
    assert [part.get_filename() for part in received.iter_attachments()] == ["protokol.pdf"]
    assert OutboundMessage.objects.get(pk=row.pk).status == OutboundStatus.SENT


def test_a_refusing_server_gets_the_reply_later_exactly_once(smtp, ticket, l1_agent):
    smtp.data_replies = ["451 4.3.0 Try again later"]
    with time_machine.travel(START, tick=False):
        OutboundMessage.objects.all().delete()
        agent_reply_with_file(ticket, l1_agent)
        deliver_batch(START)
    row = OutboundMessage.objects.get(kind="public_reply")
    assert row.status == OutboundStatus.PENDING and row.attempts == 1
    assert smtp.received == []
    with time_machine.travel(row.next_attempt_at, tick=False):
        deliver_batch(row.next_attempt_at)
        deliver_batch(row.next_attempt_at + dt.timedelta(hours=1))
    assert len(smtp.received) == 1
    assert OutboundMessage.objects.get(pk=row.pk).status == OutboundStatus.SENT


def test_an_email_tickets_acknowledgement_answers_the_customers_mail_through_its_mailbox(
    customer_user, django_capture_on_commit_callbacks
):
    from servicedesk.mail.models import InboundMessage
    from servicedesk.tickets.files import store_blob

    Mailbox.objects.create(name="A first", address="first@example.cz", protocol="none")
    hardware = Mailbox.objects.create(name="Hardware", address="hw@example.cz", protocol="none")
    with django_capture_on_commit_callbacks(execute=True):
        # What the ingest does in one transaction: open the ticket, then link the received mail to it.
        opened = actions.open_ticket(actor=None, subject="Nejde VPN", requester=customer_user, channel="email")
        InboundMessage.objects.create(mailbox=hardware, raw=store_blob(b"Subject: VPN\n\nx"), ticket=opened)
        ThreadMessageId.objects.create(message_id="<vpn@alfa.cz>", ticket=opened)
        assert not OutboundMessage.objects.filter(kind="ticket_received").exists()
    message = parsed(OutboundMessage.objects.get(kind="ticket_received", ticket=opened))
    assert message["In-Reply-To"] == "<vpn@alfa.cz>"
    assert message["Reply-To"] == "hw@example.cz"


def test_the_ticket_page_shows_each_mail_and_warns_of_a_failed_one(client, ticket, l1_agent):
    from django.urls import reverse

    page = reverse("desk:ticket", args=[ticket.number])
    client.force_login(l1_agent)
    html = client.get(page).content.decode()
    assert "jana@alfa.cz" in html and "Waiting to be sent" in html
    assert 'class="message error mail-failed-warning"' not in html

    row = OutboundMessage.objects.get(ticket=ticket, kind="ticket_received")
    row.attempts, row.last_error = 1, "451 4.3.0 Try again later"
    row.next_attempt_at = START
    row.save()
    html = client.get(page).content.decode()
    assert "Delayed, will be retried" in html and "451 4.3.0 Try again later" in html and "next attempt" in html

    row.status, row.last_error = OutboundStatus.FAILED, "550 5.1.1 No such user"
    row.save()
    html = client.get(page).content.decode()
    assert 'class="message error mail-failed-warning"' in html
    assert html.index("mail-failed-warning") < html.index("550 5.1.1 No such user", html.index("mail-failed-warning"))
    assert "Could not be delivered" in html


# --- Composed by the worker, not inside the change ---------------------------------------------------------------


def test_a_change_writes_what_to_say_and_the_worker_renders_it_before_sending(ticket, customer_user):
    from servicedesk.mail.delivery import due

    row = OutboundMessage.objects.get(ticket=ticket, kind="ticket_received")
    assert row.compose is not None and bytes(row.raw) == b""  # nothing rendered inside open_ticket
    assert not due(timezone.now()).filter(pk=row.pk).exists()  # never sent without its bytes
    assert outbound.compose_pending() == 1
    row.refresh_from_db()
    assert row.compose is None and f"[#{ticket.number}]" in row.subject and bytes(row.raw)
    assert due(timezone.now()).filter(pk=row.pk).exists()
    assert ThreadMessageId.objects.filter(message_id=row.message_id, ticket=ticket, outbound=True).exists()
    assert outbound.compose_pending() == 0


def test_a_mail_that_cannot_be_composed_fails_with_the_reason(ticket, customer_user):
    from servicedesk.mail.models import OutboundStatus

    row = OutboundMessage.objects.get(ticket=ticket, kind="ticket_received")
    row.compose = {**row.compose, "key": "no_such_template"}
    row.save(update_fields=["compose"])
    outbound.compose_pending()
    row.refresh_from_db()
    assert row.status == OutboundStatus.FAILED and row.last_error.startswith("Could not be composed")
