"""Delivering the outbox to a real SMTP server (aiosmtpd on loopback): the same bytes arrive, a busy or absent
server means a retry after the backoff, a refusal means failed, and no e-mail is ever sent twice by two workers."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage, send_mail
from django.core.management import call_command
from django.urls import reverse

from servicedesk.core import scheduler
from servicedesk.mail import delivery
from servicedesk.mail.models import DeliveryState, OutboundMessage, OutboundStatus
from servicedesk.mail.tasks import deliver_due_mail

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SmtpServer:
    """A real SMTP server: answers DATA with the scripted replies first (then 250), refuses the listed recipients,
    and keeps every accepted e-mail."""

    port: int
    data_replies: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            reply = self.data_replies.pop(0) if self.data_replies else "250 Message accepted for delivery"
            if reply.startswith("250"):
                self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return reply

    def start(self) -> None:
        # Controller(port=0) fails its own readiness check: the port is picked first.
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port(settings) -> int:
    port = free_port()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def smtp(smtp_port) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    # pytest-django swaps in the locmem backend; these tests are about the real path through the outbox.
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
    settings.MAIL_MAX_ATTEMPTS = 4
    settings.MAIL_BACKOFF_BASE = 30
    settings.MAIL_BACKOFF_MAX = 3600
    settings.MAIL_BATCH_SIZE = 100
    settings.MAIL_LEASE_SECONDS = 300


def queue_mail(subject: str = "Your request", to: str = "jana@customer.example") -> OutboundMessage:
    send_mail(subject, "We have your request.", "Servicedesk <desk@servicedesk.example>", [to])
    return OutboundMessage.objects.get(subject=subject)


def on_the_wire(raw: bytes) -> bytes:
    """What the server receives of stored bytes: every line, the last one too, ends in CRLF."""
    return raw.replace(b"\n", b"\r\n").removesuffix(b"\r\n") + b"\r\n"


def test_mail_sent_through_django_arrives_with_the_same_bytes_and_message_id(smtp):
    email = EmailMessage(
        "Tiskárna nefunguje",
        "Dobrý den,\npřijali jsme Váš požadavek.\n" + "Technik se Vám ozve během dne.\n" * 60,
        "Servicedesk <desk@servicedesk.example>",
        ["jana@customer.example"],
        cc=["petr@customer.example"],
        bcc=["archive@servicedesk.example"],
    )
    email.attach("report.txt", "line one\nline two\n", "text/plain")
    with time_machine.travel(START, tick=False):
        email.send()
    row = OutboundMessage.objects.get()
    assert row.delivery_state() == DeliveryState.QUEUED

    with time_machine.travel(START, tick=False):
        tally = delivery.deliver_due()
    assert (tally.sent, tally.retried, tally.failed) == (1, 0, 0)

    [received] = smtp.received
    assert len(row.raw) > 2000  # longer than an SMTP line may be: the line endings must be right
    assert received.content == on_the_wire(bytes(row.raw))
    assert f"Message-ID: {row.message_id}".encode() in received.content
    assert received.mail_from == "desk@servicedesk.example"
    assert sorted(received.rcpt_tos) == [
        "archive@servicedesk.example",
        "jana@customer.example",
        "petr@customer.example",
    ]
    assert b"archive@servicedesk.example" not in received.content  # Bcc: envelope only
    row.refresh_from_db()
    assert (row.status, row.sent_at, row.attempts, row.last_error) == (OutboundStatus.SENT, START, 1, "")
    assert (row.claimed_until, row.claim_token) == (None, None)
    assert row.delivery_state() == DeliveryState.SENT
    assert row.delivery_state_label == "Sent"

    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert delivery.deliver_due().attempted == 0  # sent once, never again
    assert len(smtp.received) == 1


def test_a_server_answering_451_gets_the_mail_again_after_the_backoff_and_it_arrives_once(smtp):
    smtp.data_replies = ["451 4.3.0 Try again later", "451 4.3.0 Still busy"]
    with time_machine.travel(START, tick=False):
        row = queue_mail()
        assert delivery.deliver_due().retried == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.PENDING, 1)
    assert row.last_error == "451 4.3.0 Try again later"
    assert row.next_attempt_at == START + dt.timedelta(seconds=30)
    assert row.delivery_state(START) == DeliveryState.RETRYING
    assert smtp.received == []

    with time_machine.travel(START + dt.timedelta(seconds=29), tick=False):
        assert delivery.deliver_due().attempted == 0  # not due yet: the server is left alone
    assert smtp.data_replies == ["451 4.3.0 Still busy"]

    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False):
        assert delivery.deliver_due().retried == 1
    row.refresh_from_db()
    assert row.next_attempt_at == START + dt.timedelta(seconds=30 + 60)  # the wait doubled

    with time_machine.travel(row.next_attempt_at, tick=False):
        assert delivery.deliver_due().sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (OutboundStatus.SENT, 3, START + dt.timedelta(seconds=90))
    assert len(smtp.received) == 1


def test_with_the_server_down_mail_waits_with_backoff_and_goes_out_when_it_is_back(smtp_port):
    with time_machine.travel(START, tick=False):
        row = queue_mail()
        tally = delivery.deliver_due()
    assert (tally.sent, tally.retried) == (0, 1)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, START + dt.timedelta(seconds=30))
    assert f"Could not connect to 127.0.0.1:{smtp_port}" in row.last_error
    assert "ConnectionRefusedError" in row.last_error
    assert row.claimed_until is None

    server = SmtpServer(smtp_port)
    server.start()
    try:
        with time_machine.travel(START + dt.timedelta(seconds=31), tick=False):
            assert delivery.deliver_due().sent == 1
    finally:
        server.stop()
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    assert [r.content for r in server.received] == [on_the_wire(bytes(row.raw))]


def test_a_550_for_every_recipient_fails_the_mail_with_the_servers_words(smtp):
    smtp.refuse = {"gone@customer.example": "550 5.1.1 No such user"}
    with time_machine.travel(START, tick=False):
        row = queue_mail(to="gone@customer.example")
        bystander = queue_mail("Another one", to="jana@customer.example")
        tally = delivery.deliver_due()
    assert (tally.sent, tally.failed) == (1, 1)
    row.refresh_from_db()
    assert row.status == OutboundStatus.FAILED
    assert row.last_error == "gone@customer.example: 550 5.1.1 No such user"
    assert row.delivery_state() == DeliveryState.FAILED
    assert row.delivery_state_label == "Could not be delivered"
    bystander.refresh_from_db()  # the same connection carries on after a refusal
    assert bystander.status == OutboundStatus.SENT
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert delivery.deliver_due().attempted == 0


def test_a_550_after_data_fails_the_mail(smtp):
    smtp.data_replies = ["554 5.7.1 Message rejected as spam"]
    with time_machine.travel(START, tick=False):
        row = queue_mail()
        assert delivery.deliver_due().failed == 1
    row.refresh_from_db()
    assert (row.status, row.last_error) == (OutboundStatus.FAILED, "554 5.7.1 Message rejected as spam")


def test_when_only_some_recipients_are_refused_the_mail_is_sent_and_the_refusal_noted(smtp):
    smtp.refuse = {"gone@customer.example": "550 5.1.1 No such user"}
    send_mail("Both", "Body", "desk@servicedesk.example", ["jana@customer.example", "gone@customer.example"])
    assert delivery.deliver_due().sent == 1
    row = OutboundMessage.objects.get()
    assert row.status == OutboundStatus.SENT
    assert row.last_error == "Refused gone@customer.example: 550 5.1.1 No such user"
    assert smtp.received[0].rcpt_tos == ["jana@customer.example"]


def test_a_server_closing_the_connection_mid_batch_delays_only_the_mail_it_refused(smtp):
    smtp.data_replies = ["250 OK", "421 4.3.2 Service shutting down"]
    with time_machine.travel(START, tick=False):
        first, second, third = (queue_mail(f"Mail {n}") for n in range(3))
        delivery.deliver_due()
    for row in (first, second, third):
        row.refresh_from_db()
    assert (first.status, second.status, third.status) == ("sent", "pending", "sent")
    assert (second.attempts, second.last_error) == (1, "421 4.3.2 Service shutting down")
    assert second.next_attempt_at == START + dt.timedelta(seconds=30)
    # The third was handed back untried, then sent over a new connection by the same run: one attempt only.
    assert third.attempts == 1
    assert len(smtp.received) == 2


def test_a_mail_is_given_up_after_the_maximum_number_of_attempts(smtp):
    smtp.data_replies = ["421 4.7.0 Too busy"] * 10
    with time_machine.travel(START, tick=False):
        row = queue_mail()
    for _ in range(4):
        row.refresh_from_db()
        with time_machine.travel(max(START, row.next_attempt_at), tick=False):
            delivery.deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboundStatus.FAILED, 4, "421 4.7.0 Too busy")
    assert len(smtp.data_replies) == 6  # four attempts, then silence
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        assert delivery.deliver_due().attempted == 0


def test_two_workers_reading_the_same_due_rows_send_each_once(smtp):
    with time_machine.travel(START, tick=False):
        rows = [queue_mail(f"Mail {n}") for n in range(6)]
        seen_by_first = delivery.candidates(START)
        seen_by_second = delivery.candidates(START)  # read before either took anything
        first_token, first_rows = delivery.take(seen_by_first, START)
        second_token, second_rows = delivery.take(seen_by_second, START)
        assert len(first_rows) == 6
        assert second_rows == []  # the compare-and-set found every row leased
        assert delivery.claim_batch(START)[1] == []  # nor does a third worker arriving later
        assert delivery.send_batch(first_token, first_rows).sent == 6
        assert delivery.send_batch(second_token, second_rows).attempted == 0
    ids_received = sorted(r.content.split(b"Subject: Mail ")[1][:1] for r in smtp.received)
    assert ids_received == [str(n).encode() for n in range(6)]
    assert OutboundMessage.objects.filter(pk__in=[r.pk for r in rows], status="sent").count() == 6


def test_a_dead_workers_lease_runs_out_and_the_mail_is_due_again(smtp):
    with time_machine.travel(START, tick=False):
        row = queue_mail()
        _dead_token, taken = delivery.claim_batch(START)  # a worker claims, then dies without sending
        assert [m.pk for m in taken] == [row.pk]
        row.refresh_from_db()
        assert row.delivery_state(START) == DeliveryState.SENDING
    with time_machine.travel(START + dt.timedelta(seconds=299), tick=False):
        assert delivery.deliver_due().attempted == 0  # still leased
    with time_machine.travel(START + dt.timedelta(seconds=300), tick=False):
        assert delivery.deliver_due().sent == 1
    assert len(smtp.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.SENT, 1)


def test_a_worker_that_lost_its_lease_leaves_the_row_to_the_new_holder(smtp):
    with time_machine.travel(START, tick=False):
        row = queue_mail()
        slow_token, slow_rows = delivery.claim_batch(START)
    later = START + dt.timedelta(seconds=301)
    with time_machine.travel(later, tick=False):
        fresh_token, fresh_rows = delivery.claim_batch(later)
        assert [m.pk for m in fresh_rows] == [row.pk]
        assert delivery.send_batch(slow_token, slow_rows).attempted == 0  # its lease is gone: it sends nothing
        assert delivery.send_batch(fresh_token, fresh_rows).sent == 1
    assert len(smtp.received) == 1


def test_a_late_success_stops_the_worker_that_took_over(smtp):
    """The server accepted the mail from a worker whose lease had run out: the row is sent, the other worker
    that took it meanwhile does not send it again."""
    with time_machine.travel(START, tick=False):
        row = queue_mail()
        slow_token, [slow_row] = delivery.claim_batch(START)
        assert delivery.begin_attempt(slow_row, slow_token)
    later = START + dt.timedelta(seconds=301)
    with time_machine.travel(later, tick=False):
        fresh_token, fresh_rows = delivery.claim_batch(later)
        delivery.record_sent(slow_row)  # the slow worker's SMTP transaction finished after all
        assert delivery.send_batch(fresh_token, fresh_rows).attempted == 0
    row.refresh_from_db()
    assert (row.status, row.sent_at) == (OutboundStatus.SENT, later)
    assert smtp.received == []


def test_a_last_attempt_that_never_reported_back_is_given_up(smtp, settings):
    settings.MAIL_MAX_ATTEMPTS = 1
    with time_machine.travel(START, tick=False):
        row = queue_mail()
        token, [claimed] = delivery.claim_batch(START)
        assert delivery.begin_attempt(claimed, token)  # then the worker died mid-send
    with time_machine.travel(START + dt.timedelta(seconds=301), tick=False):
        assert delivery.deliver_due().attempted == 0
    row.refresh_from_db()
    assert (row.status, row.last_error) == (OutboundStatus.FAILED, delivery.GAVE_UP_UNREPORTED)
    assert smtp.received == []


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour():
    waits = [delivery.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_batch_larger_than_the_batch_size_is_sent_in_several_batches_by_one_run(smtp, settings):
    settings.MAIL_BATCH_SIZE = 3
    for n in range(7):
        queue_mail(f"Mail {n}")
    assert deliver_due_mail.call() == 7
    assert len(smtp.received) == 7
    assert not OutboundMessage.objects.exclude(status=OutboundStatus.SENT).exists()


def test_the_scheduler_enqueues_mail_delivery_every_few_seconds():
    periodic = {p.name: p for p in scheduler.PERIODIC}["deliver_mail"]
    assert periodic.task is deliver_due_mail
    assert periodic.every <= dt.timedelta(seconds=10)


def test_the_operators_command_delivers_once_and_reports(smtp):
    queue_mail("First")
    queue_mail("Second")
    out = StringIO()
    call_command("deliver_mail", "--once", stdout=out)
    assert out.getvalue().strip() == "sent 2, to be retried 0, failed 0"
    assert len(smtp.received) == 2


def test_an_operator_sees_the_outbox_in_the_admin_and_sends_failed_mail_again(smtp, client, admin_user):
    smtp.refuse = {"jana@customer.example": "550 5.2.2 Mailbox full"}
    row = queue_mail()
    sent = queue_mail("Already sent", to="petr@customer.example")
    delivery.deliver_due()
    row.refresh_from_db()
    assert row.status == OutboundStatus.FAILED
    client.force_login(admin_user)
    changelist = reverse("admin:mail_outboundmessage_changelist")
    page = client.get(changelist, {"q": "Mailbox full"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [row]
    assert client.get(reverse("admin:mail_outboundmessage_change", args=[row.pk])).status_code == 200

    smtp.refuse = {}  # the customer emptied the mailbox
    response = client.post(changelist, {"action": "send_again", "_selected_action": [row.pk, sent.pk]}, follow=True)
    assert "1 e-mail will be sent again." in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.PENDING, 0)
    assert delivery.deliver_due().sent == 1
    assert [r.rcpt_tos for r in smtp.received] == [["petr@customer.example"], ["jana@customer.example"]]
