"""Composing one e-mail about a ticket and putting it in the outbox.

Every mail gets our own Message-ID (recorded in ThreadMessageId, so the answer threads back to the ticket),
In-Reply-To/References to the ticket's thread, the `[#2026-000123]` subject tag, `X-Loop` and the mailbox as
Reply-To. Automatic mail (acknowledgements, notifications) also says so (RFC 3834 `Auto-Submitted`), so that
auto-responders stay quiet; an agent's reply is a person's mail and does not.

The texts are Django templates, per key and language: built in under `mail/templates/mail/<key>.<lang>.*`, or a
manager's `MailTemplate` row. The ticket, the article and the row go out through Django's mail API and the outbox
backend (mail/backend.py) in the caller's transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.template import Context, Engine, Template, TemplateDoesNotExist
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from servicedesk.lib.memo import TimedMemo
from servicedesk.mail.models import (
    FailingAddress,
    Mailbox,
    MailTemplate,
    OutboundMessage,
    OutboundStatus,
    ThreadMessageId,
)
from servicedesk.tickets.files import blob_path

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from servicedesk.accounts.models import Contact, User
    from servicedesk.tickets.models import Article, Ticket

# key → what it is, for the template editor. Customers get the first six, agents the rest.
CUSTOMER_TEMPLATES: dict[str, _StrPromise] = {
    "ticket_received": _("Ticket received (number and SLA targets)"),
    "public_reply": _("An agent's reply"),
    "waiting_for_you": _("Waiting for the customer"),
    "resolved": _("Resolved (confirm or reopen)"),
    "closed": _("Closed"),
    "satisfaction_request": _("How satisfied were you?"),
}
AGENT_TEMPLATES: dict[str, _StrPromise] = {
    "assigned_to_you": _("Assigned to you"),
    "assigned_to_team": _("Assigned to your team"),
    "escalated_to_team": _("Escalated to your team"),
    "customer_replied": _("The customer replied"),
    "sla_warning": _("SLA warning"),
    "sla_breached": _("SLA breached"),
}
TEMPLATES: dict[str, _StrPromise] = {**CUSTOMER_TEMPLATES, **AGENT_TEMPLATES}
LANGUAGES = ("cs", "en")
DEFAULT_LANGUAGE = "cs"
# References keeps the thread's first Message-ID and the latest ones (RFC 5322 §3.6.4 allows trimming the middle).
MAX_REFERENCES = 20

logger = logging.getLogger(__name__)
_TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
# Subjects and plain text must not be HTML-escaped; the HTML part must.
TEXT_ENGINE = Engine(dirs=[str(_TEMPLATE_DIR)], autoescape=False)
HTML_ENGINE = Engine(dirs=[str(_TEMPLATE_DIR)], autoescape=True)


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""
    language: str = DEFAULT_LANGUAGE

    def formatted(self) -> str:
        """`Name <address>`, readable (Django encodes the header when it builds the mail)."""
        if not self.name:
            return self.address
        name = self.name.replace('"', "").replace("\\", "")
        return f'"{name}" <{self.address}>' if _SPECIALS.search(name) else f"{name} <{self.address}>"


_SPECIALS = re.compile(r'[()<>@,;:\\".\[\]]')


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _language(value: str | None) -> str | None:
    code = (value or "").split("-")[0].lower()
    return code if code in LANGUAGES else None


def user_recipient(user: User) -> Recipient:
    return Recipient(user.email, user.display_name(), _language(user.language) or DEFAULT_LANGUAGE)


def contact_recipient(contact: Contact) -> Recipient:
    """The contact's own sign-in decides the language first, then the contact's record, then Czech."""
    user = contact.user if contact.user_id else None
    language = _language(user.language if user is not None else "") or _language(contact.language)
    return Recipient(contact.email, contact.name, language or DEFAULT_LANGUAGE)


# --- Templates ----------------------------------------------------------------------------------------------


def builtin_source(key: str, language: str, part: str) -> str:
    """The built-in template text of one part (subject, txt, html); "" when there is none."""
    path = _TEMPLATE_DIR / "mail" / f"{key}.{language}.{part}"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def compile_parts(subject: str, text: str, html: str) -> tuple[Template, Template, Template | None]:
    """Raises TemplateSyntaxError: the template editor shows it as a form error."""
    return (
        TEXT_ENGINE.from_string(subject),
        TEXT_ENGINE.from_string(text),
        HTML_ENGINE.from_string(html) if html.strip() else None,
    )


# Every mail asks whether a manager overrode its template, and which mailbox answers: both change a few times a
# year, so a process remembers them for MAIL_CONFIG_CACHE_SECONDS (a change in this process is seen at once).
_overridden: TimedMemo[frozenset[tuple[str, str]]] = TimedMemo(
    lambda: frozenset(MailTemplate.objects.values_list("key", "language")),
    lambda: settings.MAIL_CONFIG_CACHE_SECONDS,
)
_first_mailbox: TimedMemo[str | None] = TimedMemo(
    lambda: Mailbox.objects.filter(active=True).order_by("pk").values_list("address", flat=True).first(),
    lambda: settings.MAIL_CONFIG_CACHE_SECONDS,
)
for _model, _memo in ((MailTemplate, _overridden), (Mailbox, _first_mailbox)):
    post_save.connect(_memo.forget, sender=_model, weak=False)
    post_delete.connect(_memo.forget, sender=_model, weak=False)


def forget_remembered() -> None:
    _overridden.forget()
    _first_mailbox.forget()


def _templates(key: str, language: str) -> tuple[Template, Template, Template | None]:
    row = None
    if (key, language) in _overridden.get():
        row = MailTemplate.objects.filter(key=key, language=language).first()
    if row is not None:
        return compile_parts(row.subject, row.body_text, row.body_html)
    try:
        html: Template | None = HTML_ENGINE.get_template(f"mail/{key}.{language}.html")
    except TemplateDoesNotExist:
        html = None
    return (
        TEXT_ENGINE.get_template(f"mail/{key}.{language}.subject"),
        TEXT_ENGINE.get_template(f"mail/{key}.{language}.txt"),
        html,
    )


def render_parts(
    templates: tuple[Template, Template, Template | None], language: str, context: dict[str, Any]
) -> Rendered:
    """Times in the desk's time zone (Europe/Prague), texts in the recipient's language."""
    subject_template, text_template, html_template = templates
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(settings.TIME_ZONE)):
        subject = " ".join(subject_template.render(Context(context)).split())
        text = text_template.render(Context(context)).strip() + "\n"
        if html_template is not None:
            html = html_template.render(Context(context))
        else:
            html = HTML_ENGINE.get_template("mail/_layout.html").render(
                Context({**context, "language": language, "body": linebreaks(text, autoescape=True)})
            )
    return Rendered(subject, text, html)


def render(key: str, language: str, context: dict[str, Any]) -> Rendered:
    return render_parts(_templates(key, language), language, context)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def ticket_context(ticket: Ticket, recipient: Recipient, **extra: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "number": ticket.number,
        "subject": ticket.subject,
        "recipient_name": recipient.name,
        "portal_url": _absolute(reverse("portal:ticket", args=[ticket.number])),
        "desk_url": _absolute(reverse("desk:ticket", args=[ticket.number])),
        "site_url": settings.SITE_URL,
        "reaction_due": ticket.reaction_due_at,
        "resolution_due": ticket.resolution_due_at,
        **extra,
    }


# --- Threading ----------------------------------------------------------------------------------------------


def subject_tag(ticket: Ticket) -> str:
    return f"[#{ticket.number}]"


def tagged_subject(ticket: Ticket, subject: str) -> str:
    tag = subject_tag(ticket)
    return subject if tag in subject else f"{tag} {subject}".strip()


def thread_references(ticket: Ticket) -> list[str]:
    """The ticket's Message-IDs, oldest first: the first one and the latest, at most MAX_REFERENCES."""
    ids = list(
        ThreadMessageId.objects.filter(ticket=ticket).order_by("created_at", "id").values_list("message_id", flat=True)
    )
    if len(ids) > MAX_REFERENCES:
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    return ids


def mailbox_address(ticket: Ticket) -> str:
    """Replies go to the mailbox the ticket's first e-mail came through, else the first active one."""
    address = None
    if ticket.channel == "email":  # only tickets opened by e-mail have a first e-mail
        address = (
            ticket.inbound_messages.filter(mailbox__isnull=False)
            .order_by("received_at", "id")
            .values_list("mailbox__address", flat=True)
            .first()
        )
    if address is None:
        address = _first_mailbox.get()
    return address or settings.DEFAULT_FROM_EMAIL


# --- Queueing -----------------------------------------------------------------------------------------------


def queue(
    ticket: Ticket,
    *,
    key: str,
    to: Recipient,
    cc: Sequence[Recipient] = (),
    automatic: bool = True,
    article: Article | None = None,
    context: dict[str, Any] | None = None,
    attach_article: bool = False,
    now: dt.datetime | None = None,
    threaded: bool = True,
    references: Sequence[str] | None = None,
    reply_to: str | None = None,
) -> str:
    """Put one mail about the ticket in the outbox, in the caller's transaction. Returns its Message-ID.

    The row says what to write (template key, recipients, context); `compose()` renders it just before it is sent.
    Context values that are rows are kept as references and read again then. references and reply_to: the
    thread's Message-IDs and the mailbox address when the caller knows them already (the ingest answering the mail
    that just opened the ticket); otherwise they are looked up at composing."""
    plain: dict[str, Any] = {}
    refs: dict[str, list[Any]] = {}
    for name, value in (context or {}).items():
        if isinstance(value, models.Model):
            refs[name] = [value._meta.label, value.pk]
        elif value is None or isinstance(value, bool | int | float | str):
            plain[name] = value
        else:
            plain[name] = str(value)
    message_id = make_msgid(domain=settings.MAIL_DOMAIN)
    OutboundMessage.objects.create(
        ticket=ticket,
        article=article,
        kind=key,
        automatic=automatic,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.formatted()],
        cc=[recipient.formatted() for recipient in cc],
        subject=tagged_subject(ticket, ticket.subject)[:500],  # until composed
        raw=b"",
        message_id=message_id,
        created_at=now or timezone.now(),
        compose={
            "key": key,
            "to": dataclasses.asdict(to),
            "cc": [dataclasses.asdict(recipient) for recipient in cc],
            "context": plain,
            "refs": refs,
            "threaded": threaded,
            "references": list(references) if references is not None else None,
            "reply_to": reply_to,
            "attach_article": attach_article,
        },
    )
    return message_id


class ComposeError(Exception):
    pass


def compose(message: OutboundMessage) -> None:
    """Render a queued ticket mail into its final bytes, record its Message-ID in the ticket's thread."""
    from django.apps import apps

    spec = message.compose
    if spec is None:
        return
    ticket = message.ticket
    if ticket is None:
        raise ComposeError("The ticket of this e-mail no longer exists.")
    to = Recipient(**spec["to"])
    cc = [Recipient(**recipient) for recipient in spec["cc"]]
    context = dict(spec["context"])
    for name, (label, pk) in spec["refs"].items():
        context[name] = apps.get_model(label).objects.filter(pk=pk).first()
    key = spec["key"]
    automatic = message.automatic
    rendered = render(key, to.language, ticket_context(ticket, to, **context))
    references = spec["references"]
    if not spec["threaded"]:
        references = []
    elif references is None:
        references = thread_references(ticket)
    headers = {"Message-ID": message.message_id, "X-Loop": f"servicedesk@{settings.MAIL_DOMAIN}"}
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    if automatic:
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=tagged_subject(ticket, rendered.subject),
        body=rendered.text,
        from_email=message.from_email,
        to=list(message.to),
        cc=list(message.cc),
        reply_to=[spec["reply_to"] or mailbox_address(ticket)],
        headers=headers,
    )
    email.attach_alternative(rendered.html, "text/html")
    if spec["attach_article"] and message.article is not None:
        for filename, content, content_type in article_attachments(message.article):
            email.attach(filename, content, content_type)
    message.raw = email.message().as_bytes()
    message.subject = str(email.subject)[:500]
    message.compose = None
    failing = _failing_note([to.address, *(recipient.address for recipient in cc)])
    if failing and not message.last_error:
        message.last_error = failing
    message.save(update_fields=["raw", "subject", "compose", "last_error"])
    ThreadMessageId.objects.get_or_create(
        message_id=message.message_id,
        defaults={"ticket": ticket, "article": message.article, "outbound": True, "created_at": message.created_at},
    )


def compose_pending(limit: int = 500) -> int:
    """Compose queued ticket mails that are due (the delivery worker calls this before sending). A mail that
    cannot be composed (its template broken, its ticket gone) fails with the reason, shown on the ticket."""
    composed = 0
    pending = OutboundMessage.objects.filter(status=OutboundStatus.PENDING, compose__isnull=False).select_related(
        "ticket", "article"
    )
    for message in pending.order_by("id")[:limit]:
        try:
            with transaction.atomic():
                compose(message)
            composed += 1
        except Exception as error:
            logger.exception("mail %s could not be composed", message.pk)
            OutboundMessage.objects.filter(pk=message.pk).update(
                status=OutboundStatus.FAILED, compose=None, last_error=f"Could not be composed: {error}"
            )
    return composed


def article_attachments(article: Article) -> list[tuple[str, bytes, str]]:
    return [
        (attachment.filename, blob_path(attachment.blob).read_bytes(), attachment.blob.content_type)
        for attachment in article.attachments.select_related("blob")
    ]


# A known-bad address is still tried (it may work again, and the try is what clears it), but the row says so
# from the start, and the ticket page shows it beside the mail.
FAILING_NOTE = "Earlier mail to %(address)s bounced: %(reason)s"


def _failing_note(addresses: list[str]) -> str:
    lowered = [address.lower() for address in addresses]
    failing = FailingAddress.objects.filter(address__in=lowered).order_by("address").first()
    if failing is None:
        return ""
    # One line: it travels as a (private) header to the outbox backend.
    return " ".join((FAILING_NOTE % {"address": failing.address, "reason": failing.reason or "-"}).split())
