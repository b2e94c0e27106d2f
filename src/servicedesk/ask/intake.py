"""The one write of the "Ask us" form: a visitor's question becomes a ticket, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, Organization
from servicedesk.ask.models import ConsentRecord, ConsentText
from servicedesk.lib import clock
from servicedesk.lib.text import fold
from servicedesk.mail.models import OutboundMessage
from servicedesk.tickets import actions
from servicedesk.tickets.models import Category, Channel, Ticket, TicketType

SUBJECT_LENGTH = 80


@dataclass(frozen=True)
class Question:
    """What the visitor sent, already validated by the form."""

    category: Category
    question: str
    name: str
    email: str
    language: str
    consent_text: ConsentText
    ip_address: str | None


def find_contact(email: str) -> Contact | None:
    """The contact with this address as its e-mail or one of its other addresses, ignoring case."""
    email = email.strip().lower()
    by_main = Contact.objects.filter(email=email).order_by("-active", "id").first()  # stored lower-cased
    if by_main is not None:
        return by_main
    # search_text holds every address folded; confirm the candidates exactly in Python.
    for contact in Contact.objects.filter(search_text__contains=fold(email)).order_by("-active", "id"):
        if email in (address.strip().lower() for address in contact.other_emails):
            return contact
    return None


def subject_of(question: str) -> str:
    first_line = next((line.strip() for line in question.splitlines() if line.strip()), "")
    if len(first_line) <= SUBJECT_LENGTH:
        return first_line
    return first_line[: SUBJECT_LENGTH - 1].rstrip() + "…"


@transaction.atomic
def submit(question: Question) -> Ticket:
    """Contact (matched or created), ticket, consent record and confirmation e-mail in one transaction."""
    contact = find_contact(question.email)
    if contact is None:
        contact = Contact.objects.create(
            name=question.name.strip(),
            email=question.email,
            organization=Organization.for_email(question.email),
            language=question.language,
        )
    organization = contact.organization or Organization.for_email(question.email)
    ticket = actions.open_ticket(
        actor=None,
        actor_label="ask form",
        subject=subject_of(question.question),
        description=question.question.strip(),
        type=TicketType.QUESTION,
        channel=Channel.FORM,
        category=question.category,
        requester=contact,
        organization=organization,
    )
    ConsentRecord.objects.create(
        ticket=ticket,
        contact=contact,
        consent_text=question.consent_text,
        agreed_at=ticket.created_at or clock.now(),
        ip_address=question.ip_address or None,
        language=question.language,
    )
    _send_confirmation(ticket, question)
    return ticket


def _send_confirmation(ticket: Ticket, question: Question) -> None:
    """The confirmation e-mail in the visitor's language; the outbox backend stores it in this transaction.

    It does not repeat the question or the name: anybody can type anybody's address into the form."""
    with translation.override(question.language):
        message_id = make_msgid(domain="servicedesk")
        context = {"ticket": ticket, "category": question.category.name, "site_url": settings.SITE_URL}
        message = EmailMessage(
            subject=_("We have received your question %(number)s") % {"number": ticket.number},
            body=render_to_string("ask/email/confirmation.txt", context),
            to=[question.email],
            headers={
                "Message-ID": message_id,
                "X-Servicedesk-Kind": "ask_confirmation",
                "Content-Language": question.language,
            },
        )
        message.send()
    # Link the outbox row to the ticket, so the ticket shows whether its confirmation went out.
    OutboundMessage.objects.filter(message_id=message_id).update(ticket=ticket)
