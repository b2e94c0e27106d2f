"""The SMTP/LMTP receiver with a real client (smtplib): 250 only once the message is stored, 550 for strangers'
addresses, 451 (so the sender retries) when the database fails, 552 above the size limit."""

from __future__ import annotations

import email.policy
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from django.db import OperationalError

from servicedesk.mail import ingest
from servicedesk.mail.models import InboundMessage, InboundStatus, Mailbox
from servicedesk.mail.smtpd import ReceiverController, mailbox_for
from servicedesk.tickets.files import blob_path
from tests.mail.dovecot import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def fake_process(message: InboundMessage) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.PROCESSED, outcome="test")


@pytest.fixture(autouse=True)
def only_storing(monkeypatch):
    monkeypatch.setattr(ingest, "process", fake_process)


@pytest.fixture
def mailbox(db) -> Mailbox:
    return Mailbox.objects.create(
        name="Support", address="support@desk.example", aliases=["Helpdesk@desk.example"], protocol="none"
    )


def start(lmtp: bool = False) -> ReceiverController:
    controller = ReceiverController("127.0.0.1", free_port(), lmtp=lmtp)
    controller.start()
    return controller


@pytest.fixture
def receiver(mailbox) -> Iterator[ReceiverController]:
    controller = start()
    yield controller
    controller.stop()


def message(subject: str = "Printer broken", to: str = "support@desk.example") -> bytes:
    mail = EmailMessage()
    mail["From"] = "jana@customer.example"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{abs(hash(subject))}@customer.example>"
    mail.set_content("It prints nothing.\n")
    return mail.as_bytes(policy=email.policy.SMTP)  # CRLF line ends: the bytes on the wire


def send(controller: ReceiverController, raw: bytes, to: list[str]) -> dict:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as client:
        return client.sendmail("jana@customer.example", to, raw)


def test_a_message_for_the_mailbox_is_stored_byte_for_byte_and_answered_250(receiver, mailbox):
    raw = message()

    refused = send(receiver, raw, ["support@desk.example"])

    assert refused == {}
    stored = InboundMessage.objects.get()
    assert stored.mailbox == mailbox and stored.source == "smtp"
    assert stored.status == InboundStatus.PROCESSED
    assert blob_path(stored.raw).read_bytes() == raw


def test_an_alias_in_any_case_reaches_the_mailbox(receiver, mailbox):
    send(receiver, message(), ["HELPDESK@Desk.Example"])

    assert InboundMessage.objects.get().mailbox == mailbox
    assert mailbox_for("helpdesk@desk.example") == mailbox


def test_an_unknown_recipient_is_refused_with_550(receiver):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(receiver, message(), ["nobody@desk.example"])

    assert refused.value.recipients["nobody@desk.example"][0] == 550
    assert not InboundMessage.objects.exists()


def test_an_inactive_mailbox_receives_nothing(receiver, mailbox):
    mailbox.active = False
    mailbox.save()

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, message(), ["support@desk.example"])


def test_when_the_database_fails_while_storing_the_sender_gets_451_and_a_retry_stores_it_once(
    receiver, mailbox, monkeypatch
):
    raw = message()
    real_create = InboundMessage.objects.create

    def database_down(**fields):
        raise OperationalError("database is locked")

    monkeypatch.setattr(InboundMessage.objects, "create", database_down)
    with pytest.raises(smtplib.SMTPDataError) as error:
        send(receiver, raw, ["support@desk.example"])
    assert error.value.smtp_code == 451
    assert not InboundMessage.objects.exists()  # no half-stored message

    monkeypatch.setattr(InboundMessage.objects, "create", real_create)
    assert send(receiver, raw, ["support@desk.example"]) == {}
    assert InboundMessage.objects.count() == 1


def test_a_message_over_the_size_limit_is_refused_with_552(receiver, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 200
    with pytest.raises(smtplib.SMTPDataError) as error:
        send(receiver, message() + b"x" * 500, ["support@desk.example"])

    assert error.value.smtp_code == 552
    assert not InboundMessage.objects.exists()


def test_lmtp_mode_stores_the_message_as_lmtp(mailbox):
    controller = start(lmtp=True)
    try:
        with smtplib.LMTP(controller.hostname, controller.port, timeout=30) as client:
            assert client.sendmail("jana@customer.example", ["support@desk.example"], message()) == {}
    finally:
        controller.stop()

    stored = InboundMessage.objects.get()
    assert stored.source == "lmtp" and stored.mailbox == mailbox


def test_lmtp_answers_data_once_per_recipient(mailbox):
    controller = start(lmtp=True)
    try:
        with smtplib.LMTP(controller.hostname, controller.port, timeout=30) as client:
            client.ehlo_or_helo_if_needed()
            client.mail("jana@customer.example")
            assert client.rcpt("support@desk.example")[0] == 250
            assert client.rcpt("helpdesk@desk.example")[0] == 250
            assert client.data(message())[0] == 250
            assert client.getreply()[0] == 250  # the second recipient's reply
    finally:
        controller.stop()

    assert InboundMessage.objects.count() == 1


def test_servicedesk_run_starts_the_receiver_only_when_smtpd_port_is_set(settings):
    from servicedesk.core.management.commands.run import children

    settings.SMTPD_PORT = 0
    assert "smtpd" not in [child.name for child in children("127.0.0.1", 8000, 1)]
    settings.SMTPD_PORT = 2525
    smtpd = next(child for child in children("127.0.0.1", 8000, 1) if child.name == "smtpd")
    assert smtpd.argv[-3:] == ["smtpd", f"--host={settings.SMTPD_HOST}", "--port=2525"]
