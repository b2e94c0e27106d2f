"""Django e-mail backend that writes into the outbox instead of talking SMTP.

Everything that sends mail through Django (send_mail, allauth's password reset and invitations, the Ask us
confirmation) lands in the outbox in the caller's transaction; `mail.tasks.deliver_due_mail` sends it. Ticket mail
does not pass here: mail/outbound.py writes its rows itself, to be composed by the worker."""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import make_msgid

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from servicedesk.mail.models import OutboundMessage


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        rows = []
        for message in email_messages:
            if "Message-ID" not in message.extra_headers:
                message.extra_headers["Message-ID"] = make_msgid(domain="servicedesk")
            rows.append(
                OutboundMessage(
                    kind=message.extra_headers.pop("X-Servicedesk-Kind", ""),
                    from_email=message.from_email,
                    to=list(message.to) + list(message.bcc),
                    cc=list(message.cc),
                    subject=str(message.subject),
                    raw=message.message().as_bytes(),
                    message_id=message.extra_headers["Message-ID"],
                )
            )
        OutboundMessage.objects.bulk_create(rows)
        return len(rows)
