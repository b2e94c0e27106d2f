"""Fetching over IMAP from a real Dovecot: every message is stored before it leaves the folder, a dropped server
loses nothing and duplicates nothing, errors are shown on the mailbox and never crash the worker."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
import time
from email.message import EmailMessage

import pytest
import time_machine

from servicedesk.mail import imap, ingest
from servicedesk.mail.models import InboundMessage, InboundStatus, Mailbox, ProcessedAction
from tests.mail.dovecot import Dovecot

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def message(number: int, subject: str = "Printer broken") -> bytes:
    mail = EmailMessage()
    mail["From"] = "jana@customer.example"
    mail["To"] = "support@desk.example"
    mail["Subject"] = f"{subject} #{number}"
    mail["Message-ID"] = f"<m{number}@customer.example>"
    mail.set_content(f"Message number {number}.\n")
    return bytes(mail)


def fake_process(message: InboundMessage) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.PROCESSED, outcome="test")
    message.status = InboundStatus.PROCESSED


def fake_process_many(messages: list[InboundMessage]) -> None:
    for message in messages:
        if message.status == InboundStatus.RECEIVED:
            fake_process(message)


@pytest.fixture
def only_storing(monkeypatch):
    """These tests are about fetching; threading into tickets is tested with process() itself."""
    monkeypatch.setattr(ingest, "process", fake_process)
    monkeypatch.setattr(ingest, "process_many", fake_process_many)


@pytest.fixture
def mailbox(dovecot: Dovecot, imap_user) -> Mailbox:
    user, password = imap_user
    return Mailbox.objects.create(
        name=f"Support {user}",
        address=f"{user}@desk.example",
        protocol="imap",
        host=dovecot.host,
        port=dovecot.port,
        username=user,
        password=password,
    )


def test_a_poll_stores_every_message_and_moves_it_to_processed(dovecot, mailbox, only_storing):
    dovecot.append(mailbox.username, mailbox.password, [message(n) for n in range(3)])

    result = imap.poll(mailbox)

    assert result == imap.PollResult(fetched=3, error="")
    stored = InboundMessage.objects.filter(mailbox=mailbox, source="imap")
    assert stored.count() == 3
    assert dovecot.uids(mailbox.username, mailbox.password, "INBOX") == []
    assert len(dovecot.uids(mailbox.username, mailbox.password, "Processed")) == 3
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.last_polled_at is not None and mailbox.uid_validity
    # Nothing new: the next poll fetches nothing and stores nothing twice.
    assert imap.poll(mailbox).fetched == 0
    assert stored.count() == 3


def test_in_flag_mode_messages_stay_in_the_folder_marked_seen_and_are_not_fetched_again(dovecot, mailbox, only_storing):
    mailbox.processed_action = ProcessedAction.FLAG
    mailbox.save()
    dovecot.append(mailbox.username, mailbox.password, [message(1), message(2)])

    assert imap.poll(mailbox).fetched == 2

    assert len(dovecot.uids(mailbox.username, mailbox.password, "INBOX", ["SEEN"])) == 2
    assert dovecot.uids(mailbox.username, mailbox.password, "Processed") == []
    assert imap.poll(mailbox).fetched == 0
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 2


def test_when_the_server_dies_mid_fetch_nothing_is_lost_and_nothing_duplicated(dovecot, mailbox, monkeypatch):
    dovecot.append(mailbox.username, mailbox.password, [message(n) for n in range(3)])
    calls = []
    clients = []
    real_connect = imap.connect

    def connect(mailbox: Mailbox):
        clients.append(real_connect(mailbox))
        return clients[-1]

    def process_then_server_dies(messages: list[InboundMessage]) -> None:
        for stored in messages:
            if stored.status == InboundStatus.RECEIVED:
                fake_process(stored)
                calls.append(stored.pk)
        if len(clients) == 1:
            # After the batch is committed, before it could be moved: the server goes away (its running
            # sessions may outlive the master for a moment, so our end of the connection is cut as well).
            dovecot.stop()
            clients[-1].socket().shutdown(socket.SHUT_RDWR)

    monkeypatch.setattr(imap, "connect", connect)

    monkeypatch.setattr(ingest, "process_many", process_then_server_dies)
    try:
        result = imap.poll(mailbox)
    finally:
        if dovecot.process is None:
            dovecot.start()

    assert result.error  # the connection broke
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error

    assert imap.poll(mailbox).error == ""

    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 3
    assert len(calls) == 3  # a message fetched again after the crash is not processed again
    assert dovecot.uids(mailbox.username, mailbox.password, "INBOX") == []
    assert len(dovecot.uids(mailbox.username, mailbox.password, "Processed")) == 3
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_a_wrong_password_is_shown_on_the_mailbox_and_does_not_raise(dovecot, mailbox, only_storing):
    mailbox.password = "wrong"
    mailbox.save()
    dovecot.append(mailbox.username, "secret", [message(1)])

    result = imap.poll(mailbox)

    assert "LoginError" in result.error
    mailbox.refresh_from_db()
    assert "LoginError" in mailbox.last_error
    assert not InboundMessage.objects.filter(mailbox=mailbox).exists()
    assert dovecot.uids(mailbox.username, "secret", "INBOX") != []


def test_an_unreachable_server_is_an_error_on_the_mailbox(mailbox, only_storing):
    from tests.mail.dovecot import free_port

    mailbox.port = free_port()
    mailbox.save()

    assert imap.poll(mailbox).error
    mailbox.refresh_from_db()
    assert "ConnectionRefused" in mailbox.last_error


def test_a_changed_uidvalidity_is_recorded_and_the_folder_fetched_again_without_duplicates(
    dovecot, mailbox, only_storing
):
    mailbox.processed_action = ProcessedAction.FLAG
    mailbox.folder = "Support"
    mailbox.save()
    dovecot.append(mailbox.username, mailbox.password, [message(1)], folder="Support")
    imap.poll(mailbox)
    mailbox.refresh_from_db()
    first_validity = mailbox.uid_validity
    # The folder is recreated (a server migration): same messages, new UIDs, new UIDVALIDITY, all unseen again.
    client = dovecot.client(mailbox.username, mailbox.password)
    client.delete_folder("Support")
    client.logout()
    dovecot.append(mailbox.username, mailbox.password, [message(1), message(2)], folder="Support")

    result = imap.poll(mailbox)

    assert result.error == ""
    mailbox.refresh_from_db()
    assert mailbox.uid_validity != first_validity
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 2  # message 1 is not stored twice


def test_two_workers_never_poll_one_mailbox_at_once(mailbox):
    with time_machine.travel(NOW, tick=False):
        Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=NOW)
        first, second = Mailbox.objects.get(pk=mailbox.pk), Mailbox.objects.get(pk=mailbox.pk)
        assert imap.claim(first, NOW) is True
        assert imap.claim(second, NOW) is False
        mailbox.refresh_from_db()
        assert mailbox.next_poll_at == NOW + dt.timedelta(seconds=mailbox.poll_seconds)


def test_poll_due_polls_only_due_active_imap_mailboxes(dovecot, mailbox, only_storing):
    dovecot.append(mailbox.username, mailbox.password, [message(1)])
    smtp_only = Mailbox.objects.create(name="Via smtpd", address="in@desk.example", protocol="none")
    inactive = Mailbox.objects.create(
        name="Old", address="old@desk.example", protocol="imap", host="127.0.0.1", port=1, active=False
    )

    assert imap.poll_due() == 1
    assert imap.poll_due() == 0  # claimed for poll_seconds

    smtp_only.refresh_from_db()
    inactive.refresh_from_db()
    assert smtp_only.last_polled_at is None and inactive.last_polled_at is None


def test_the_periodic_task_is_scheduled():
    from servicedesk.core.scheduler import PERIODIC
    from servicedesk.mail import tasks

    assert any(periodic.task is tasks.fetch_due_mail for periodic in PERIODIC)


def test_end_to_end_with_the_real_process_a_fetched_message_becomes_a_ticket(dovecot, mailbox):
    """LEAD CHECK: uses the real ingest.process() (written by the ingest helper in parallel)."""
    dovecot.append(mailbox.username, mailbox.password, [message(1, "Server down")])

    result = imap.poll(mailbox)

    assert result.error == ""
    stored = InboundMessage.objects.get(mailbox=mailbox)
    assert stored.status == InboundStatus.PROCESSED
    assert stored.ticket is not None


def test_fetchmail_fetches_every_active_imap_mailbox_once(dovecot, mailbox, only_storing):
    from django.core.management import call_command

    dovecot.append(mailbox.username, mailbox.password, [message(1), message(2)])
    out = io.StringIO()

    call_command("fetchmail", stdout=out)

    assert f"{mailbox.name}: 2 fetched" in out.getvalue()
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 2


def test_watching_with_idle_fetches_new_mail_as_soon_as_it_arrives(dovecot, mailbox, only_storing):
    mailbox.poll_seconds = 3600  # only IDLE can explain a fetch within seconds
    mailbox.save()
    stop = threading.Event()
    watcher = threading.Thread(target=imap.watch, args=(mailbox, stop))
    watcher.start()
    try:
        time.sleep(1)  # connected and idling
        dovecot.append(mailbox.username, mailbox.password, [message(7)])
        deadline = time.monotonic() + 15
        while not InboundMessage.objects.filter(mailbox=mailbox).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        watcher.join(timeout=10)

    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 1
    assert not watcher.is_alive()
