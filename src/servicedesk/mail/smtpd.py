"""Receiving mail over SMTP or LMTP (`servicedesk smtpd`): a mail server (Postfix, or the world) hands a message
to us and is told 250 only once its raw bytes are stored and committed. A failure to store answers 451, so the
sender keeps the message and tries again: nothing is lost. Recipients map to mailboxes by their address or an
alias (case-insensitive); anyone else is refused with 550.

aiosmtpd runs the protocol on an asyncio loop; every database access happens in a worker thread (sync_to_async)."""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from servicedesk.mail import ingest
from servicedesk.mail.models import InboundStatus, Mailbox

logger = logging.getLogger(__name__)


def mailbox_for(address: str) -> Mailbox | None:
    """The active mailbox whose address or one of whose aliases is `address`, ignoring case."""
    wanted = address.strip().lower()
    if not wanted:
        return None
    exact = Mailbox.objects.filter(active=True, address__iexact=wanted).first()
    if exact is not None:
        return exact
    # Aliases are a short JSON list per mailbox and there are few mailboxes: compare in Python, portably.
    for mailbox in Mailbox.objects.filter(active=True).exclude(aliases=[]):
        if wanted in {str(alias).strip().lower() for alias in mailbox.aliases}:
            return mailbox
    return None


def _lookup(address: str) -> Mailbox | None:
    close_old_connections()
    return mailbox_for(address)


def _store_and_process(raw: bytes, mailbox: Mailbox, source: str) -> None:
    """Raises if the message could not be stored; processing never makes the delivery fail (it is stored)."""
    close_old_connections()
    message, _created = ingest.store(raw, mailbox=mailbox, source=source)
    if message.status != InboundStatus.RECEIVED:
        return
    try:
        ingest.process(message)
    except Exception:  # process() quarantines what fails; this is only a last guard, the message is stored
        logger.exception("smtpd: processing message %s failed", message.pk)


class Handler:
    def __init__(self, source: str = "smtp") -> None:
        self.source = source

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        try:
            mailbox = await sync_to_async(_lookup)(address)
        except Exception:
            logger.exception("smtpd: looking up %s failed", address)
            return "451 4.3.0 Temporary failure, try again later"
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        mailboxes: list[Mailbox] = getattr(envelope, "mailboxes", [])
        mailboxes.append(mailbox)
        envelope.mailboxes = mailboxes  # type: ignore[attr-defined]
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mailboxes: list[Mailbox] = getattr(envelope, "mailboxes", [])
        if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES:
            reply = "552 5.3.4 Message too big"
        elif not mailboxes:
            reply = "554 5.5.1 No valid recipients"
        else:
            # One message is one stored row (same bytes → same row), filed under its first recipient's mailbox.
            try:
                await sync_to_async(_store_and_process)(raw, mailboxes[0], self.source)
            except Exception:
                logger.exception("smtpd: storing a message failed; the sender will retry")
                reply = "451 4.3.0 Could not store the message, try again later"
            else:
                reply = "250 2.0.0 Message accepted"
        if self.source == "lmtp":
            # LMTP answers DATA once per accepted recipient.
            return "\r\n".join([reply] * max(1, len(envelope.rcpt_tos)))
        return reply


class ReceiverController(Controller):
    """aiosmtpd's threaded controller, speaking LMTP instead of SMTP when asked."""

    def __init__(self, host: str, port: int, *, lmtp: bool = False) -> None:
        self.lmtp = lmtp
        super().__init__(
            Handler("lmtp" if lmtp else "smtp"),
            hostname=host,
            port=port,
            data_size_limit=settings.MAIL_MAX_MESSAGE_BYTES,
            # Bytes as received: what we store is what the sender sent.
            decode_data=False,
        )

    def factory(self) -> Any:
        if self.lmtp:
            return LMTP(self.handler, **self.SMTP_kwargs)
        return super().factory()
