"""Receiving a message: its raw bytes are stored first and committed, then it is processed in its own transaction.

`receive()` is the one door for IMAP, SMTP/LMTP and uploads. Storing is idempotent (same bytes → the same
InboundMessage); processing (threading, tickets, articles, quarantine) is `process()`, which never raises: whatever
fails ends in the quarantine with the reason, so nothing is lost and no worker crashes."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from servicedesk.lib import clock
from servicedesk.mail.models import InboundMessage, InboundStatus, Mailbox
from servicedesk.tickets.files import store_blob


def store(raw: bytes, *, mailbox: Mailbox | None, source: str) -> tuple[InboundMessage, bool]:
    """The raw message as a content-addressed blob and its InboundMessage row, committed. Returns (row, created)."""
    blob = store_blob(raw)  # TODO(mail ingest owner): a limit of its own (MAIL_MAX_MESSAGE_BYTES), not attachments'
    existing = InboundMessage.objects.filter(raw=blob).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return (
                InboundMessage.objects.create(raw=blob, mailbox=mailbox, source=source, received_at=clock.now()),
                True,
            )
    except IntegrityError:  # the same bytes arrived concurrently (two IMAP workers, a retried LMTP delivery)
        return InboundMessage.objects.get(raw=blob), False


def receive(raw: bytes, *, mailbox: Mailbox | None, source: str) -> InboundMessage:
    """Store, then process. Safe to call again with the same bytes: a processed message is not processed twice."""
    message, _ = store(raw, mailbox=mailbox, source=source)
    if message.status == InboundStatus.RECEIVED:
        process(message)
    return message


def process(message: InboundMessage) -> None:
    """Thread and apply one stored message. Placeholder until the ingest owner writes it."""
    raise NotImplementedError
