"""Receiving a message: its raw bytes are stored first and committed, then it is processed in its own transaction.

`receive()` is the one door for SMTP/LMTP and uploads; IMAP hands over a fetched batch at once (`store_many()`, one
commit, then `process_many()`, a savepoint per message). Storing is idempotent (same bytes → the same
InboundMessage); processing (threading, tickets, articles, the acknowledgement, quarantine) is `process()`, which
never raises: whatever fails ends in the quarantine with the reason, so nothing is lost and no worker crashes."""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact
from servicedesk.lib import clock
from servicedesk.mail import notify as mail_notify
from servicedesk.mail import ratelimit, senders
from servicedesk.mail import threading as mail_threading
from servicedesk.mail.models import (
    FailingAddress,
    InboundMessage,
    InboundStatus,
    Mailbox,
    OutboundMessage,
    OutboundStatus,
    StrangerPolicy,
    ThreadMessageId,
)
from servicedesk.mail.parsing import ParsedMessage, parse
from servicedesk.mail.threading import Action, Decision
from servicedesk.tickets import actions
from servicedesk.tickets.files import UploadedFile, blob_path, store_blob, store_blobs
from servicedesk.tickets.models import Article, ArticleKind, Channel, Ticket

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

logger = logging.getLogger(__name__)

# Messages processed in one transaction: most of the gain of batching (one commit, batch-wide look-ups) is there
# by 20-25, and the write lock (SQLite: the whole database) is held for a fraction of a second at most.
PROCESS_CHUNK = 25
TOO_LARGE = "too large"
RATE_LIMIT = "rate limit"


def _envelope(raw: bytes) -> dict[str, str]:
    """Message-ID, sender and subject from the headers alone: the quarantine list shows even what is never parsed."""
    try:
        headers = email.message_from_bytes(
            raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0], policy=email.policy.compat32
        )
        _name, address = email.utils.parseaddr(str(headers.get("From", "")))
        message_id = str(headers.get("Message-ID", "")).strip()
        subject = str(email.header.make_header(email.header.decode_header(str(headers.get("Subject", "")))))
    except Exception:  # whatever the headers are, the message is stored
        return {}
    # PostgreSQL's text columns refuse NUL characters: a mangled header must not stop the message being kept.
    message_id, address, subject = (value.replace("\x00", "") for value in (message_id, address, subject))
    return {"message_id": message_id[:998], "sender": address.lower()[:320], "subject": " ".join(subject.split())[:998]}


def store(raw: bytes, *, mailbox: Mailbox | None, source: str) -> tuple[InboundMessage, bool]:
    """The raw message as a content-addressed blob and its InboundMessage row, committed. Returns (row, created).

    A message over MAIL_MAX_MESSAGE_BYTES is kept whole all the same (nothing received is lost) and goes straight
    to the quarantine as "too large"; an agent can download it there."""
    too_large = len(raw) > settings.MAIL_MAX_MESSAGE_BYTES
    blob = store_blob(raw, limit=max(len(raw), settings.MAIL_MAX_MESSAGE_BYTES), content_type="message/rfc822")
    existing = InboundMessage.objects.filter(raw=blob).first()
    if existing is not None:
        return existing, False
    fields: dict[str, object] = {**_envelope(raw)}
    if too_large:
        fields.update(status=InboundStatus.QUARANTINED, reason=TOO_LARGE)
    try:
        with transaction.atomic():
            return (
                InboundMessage.objects.create(
                    raw=blob, mailbox=mailbox, source=source, received_at=clock.now(), **fields
                ),
                True,
            )
    except IntegrityError:  # the same bytes arrived concurrently (two IMAP workers, a retried LMTP delivery)
        return InboundMessage.objects.get(raw=blob), False


def receive(raw: bytes, *, mailbox: Mailbox | None, source: str) -> InboundMessage:
    """Store, then process. Safe to call again with the same bytes: a processed message is not processed twice."""
    message, _created = store(raw, mailbox=mailbox, source=source)
    if message.status == InboundStatus.RECEIVED:
        process(message)
        message.refresh_from_db()
    return message


def store_many(
    raws: Sequence[bytes], *, mailbox: Mailbox | None, source: str
) -> tuple[list[InboundMessage], Exception | None]:
    """Store a fetched batch in order in one transaction: a few queries for the whole batch, one commit.

    Returns the stored messages and the error that stopped the batch, if any: the messages before the failing
    one are committed all the same, the failing one and the rest are not stored (the caller leaves them where
    they are, to be fetched again)."""
    try:
        with transaction.atomic():
            return _store_batch(list(raws), mailbox, source), None
    except Exception:  # a concurrent worker stored some of these bytes, a file could not be written: one by one
        logger.info("Storing a batch of received e-mail at once failed; storing one by one", exc_info=True)
    stored: list[InboundMessage] = []
    error: Exception | None = None
    with transaction.atomic():
        for raw in raws:
            try:
                with transaction.atomic():
                    stored.append(store(raw, mailbox=mailbox, source=source)[0])
            except Exception as failure:  # reported by the caller; what came before is kept
                error = failure
                break
    return stored, error


def _store_batch(raws: list[bytes], mailbox: Mailbox | None, source: str) -> list[InboundMessage]:
    """store() for many: the raw blobs at once, the rows of the new ones in one insert (the same bytes twice in
    the batch are one row). Raises IntegrityError when another worker stored the same bytes meanwhile."""
    blobs = store_blobs(raws, content_type="message/rfc822")
    known = {message.raw_id: message for message in InboundMessage.objects.filter(raw__in=[b.pk for b in blobs])}
    new: dict[int, InboundMessage] = {}
    for raw, blob in zip(raws, blobs, strict=True):
        if blob.pk in known or blob.pk in new:
            continue
        fields: dict[str, object] = {**_envelope(raw)}
        if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES:
            fields.update(status=InboundStatus.QUARANTINED, reason=TOO_LARGE)
        new[blob.pk] = InboundMessage(raw=blob, mailbox=mailbox, source=source, received_at=clock.now(), **fields)
    if new:
        InboundMessage.objects.bulk_create(new.values())
    return [known.get(blob.pk) or new[blob.pk] for blob in blobs]


# --- Processing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """An agent's release from the quarantine: the policy that held the message is skipped; into a new ticket
    (ticket None) or onto the chosen ticket."""

    actor: User
    ticket: Ticket | None = None


def process(message: InboundMessage, *, release: Release | None = None) -> None:
    """Thread and apply one stored message in one transaction. Never raises: on any error the transaction rolls
    back and the message goes to the quarantine with the reason, in a transaction of its own."""
    try:
        with transaction.atomic():
            locked = (
                InboundMessage.objects.select_for_update(of=("self",))
                .select_related("raw", "mailbox")
                .get(pk=message.pk)
            )
            expected = InboundStatus.QUARANTINED if release is not None else InboundStatus.RECEIVED
            if locked.status != expected:
                return  # processed already (or by another worker meanwhile)
            _process(locked, release)
    except Exception as error:  # the quarantine is the answer to every failure
        with transaction.atomic():
            _quarantine(message, error)
    message.refresh_from_db()


def process_many(messages: Sequence[InboundMessage]) -> None:
    """Process stored messages, PROCESS_CHUNK to a transaction, each message in a savepoint of its own: a message
    that fails rolls back only its own savepoint and goes to the quarantine; the others are kept. Never raises.

    If a chunk as a whole cannot be committed, its messages are processed again one by one (`process`)."""
    pending = sorted({m.pk for m in messages if m.status == InboundStatus.RECEIVED})
    for start in range(0, len(pending), PROCESS_CHUNK):
        _process_chunk(pending[start : start + PROCESS_CHUNK])


def _process_chunk(pks: list[int]) -> None:
    try:
        with transaction.atomic():
            locked = (
                InboundMessage.objects.select_for_update(of=("self",))  # PostgreSQL: not the nullable mailbox
                .select_related("raw", "mailbox")
                .filter(pk__in=pks, status=InboundStatus.RECEIVED)  # not those another worker took meanwhile
                .order_by("pk")
            )
            batch = list(locked)
            fresh_ids = _fresh_message_ids(batch)
            for message in batch:
                try:
                    with transaction.atomic():
                        _process(message, None, fresh_ids=fresh_ids)
                except Exception as error:  # this message's savepoint is rolled back; the chunk goes on
                    _quarantine(message, error)
    except Exception:
        logger.exception("A batch of received e-mail could not be committed; processing one by one")
        for pk in pks:
            process(InboundMessage(pk=pk))


def _fresh_message_ids(batch: Sequence[InboundMessage]) -> frozenset[str]:
    """The batch's Message-IDs that no other received message has and no thread knows: two queries for the batch
    instead of two per message. (Mail processed meanwhile cannot take such an id: a copy in the batch itself
    would be a second row with it, and our own mail gets ids we make up.)"""
    ids = {message.message_id for message in batch if message.message_id}
    if not ids:
        return frozenset()
    rows = Counter(InboundMessage.objects.filter(message_id__in=ids).values_list("message_id", flat=True))
    threaded = set(ThreadMessageId.objects.filter(message_id__in=ids).values_list("message_id", flat=True))
    return frozenset(i for i in ids if rows[i] == 1 and i not in threaded)


def _quarantine(message: InboundMessage, error: Exception) -> None:
    logger.exception("Received e-mail %s could not be processed", message.pk)
    reason = f"error: {type(error).__name__}: {error}"[:2000]
    InboundMessage.objects.filter(pk=message.pk).exclude(status=InboundStatus.DISCARDED).update(
        status=InboundStatus.QUARANTINED, reason=reason, processed_at=clock.now()
    )


def _finish(
    message: InboundMessage,
    *,
    status: str,
    outcome: str = "",
    reason: str = "",
    ticket: Ticket | None = None,
    article: Article | None = None,
    ticket_id: int | None = None,
    article_id: int | None = None,
    release: Release | None = None,
) -> None:
    """ticket_id and article_id: the links when only they are known (a duplicate points where its twin went)."""
    if release is not None and status == InboundStatus.PROCESSED:
        status = InboundStatus.RELEASED
        message.handled_by = release.actor
    message.status = status
    message.outcome = outcome
    message.reason = reason
    message.ticket = ticket
    message.article = article
    if ticket is None and ticket_id is not None:
        message.ticket_id = ticket_id
    if article is None and article_id is not None:
        message.article_id = article_id
    message.processed_at = clock.now()
    message.save()


def _process(message: InboundMessage, release: Release | None, *, fresh_ids: frozenset[str] = frozenset()) -> None:
    """fresh_ids: Message-IDs known to be new (process_many asked for its batch at once): no duplicate to look for."""
    raw = blob_path(message.raw).read_bytes()
    parsed = parse(raw)
    # The batch asked by the id stored from the headers; only that very id counts as known to be new.
    fresh = parsed.message_id == message.message_id and parsed.message_id in fresh_ids
    message.message_id = parsed.message_id[:998]
    message.sender = parsed.from_address[:320]
    message.subject = " ".join(parsed.subject.split())[:998]
    if release is None:
        if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES:
            return _finish(message, status=InboundStatus.QUARANTINED, reason=TOO_LARGE)
        if ratelimit.exceeded(message):
            return _finish(message, status=InboundStatus.QUARANTINED, reason=RATE_LIMIT)
    if parsed.message_id and not fresh:
        own = (
            ThreadMessageId.objects.filter(message_id=parsed.message_id)
            .values_list("outbound", "ticket_id", "article_id")
            .first()
        )
        if own is not None and own[0] and release is None:
            # Our own mail came back to us (a forwarding loop): never answer it.
            return _finish(message, status=InboundStatus.PROCESSED, outcome="ignored", reason="our own message")
        earlier = (own[1], own[2]) if own is not None else _processed_twin(message)
        if earlier is not None:
            return _finish(
                message,
                status=InboundStatus.PROCESSED,
                outcome="duplicate",
                ticket_id=earlier[0],
                article_id=earlier[1],
            )
    if release is not None:
        decision = (
            Decision(Action.ARTICLE, release.ticket.pk) if release.ticket is not None else Decision(Action.NEW_TICKET)
        )
        ticket_facts: Ticket | None = release.ticket
    else:
        decision, ticket_facts = _decide(message, parsed)
    ticket, article, outcome = _apply(message, parsed, decision, ticket_facts, release)
    if decision.action in (Action.QUARANTINE,):
        return _finish(message, status=InboundStatus.QUARANTINED, reason=decision.reason)
    thread: list[str] = []
    if ticket is not None and parsed.message_id:
        # Its Message-ID threads later mail to the ticket. One statement, no savepoint: a row another worker wrote
        # meanwhile for the same Message-ID stays as it is (the first mail with an id keeps it).
        thread.append(parsed.message_id[:998])
        ThreadMessageId.objects.bulk_create(
            [ThreadMessageId(message_id=thread[0], ticket=ticket, article=article)],
            ignore_conflicts=True,
        )
    _finish(
        message,
        status=InboundStatus.PROCESSED,
        outcome=outcome,
        reason=decision.reason if outcome in ("ignored", "note", "review_note", "new_linked") else "",
        ticket=ticket,
        article=article,
        release=release,
    )
    if ticket is not None and outcome in ("new_ticket", "new_linked"):
        # The received mail is linked now: the receipt answers it, in this transaction (nothing can fall between
        # the commit and the receipt).
        mail_notify.acknowledge(
            ticket, references=thread, reply_to=message.mailbox.address if message.mailbox is not None else None
        )


def _processed_twin(message: InboundMessage) -> tuple[int | None, int | None] | None:
    """The ticket and article of an earlier message with the same Message-ID that was processed (the same mail
    delivered twice); None when there is none."""
    if not message.message_id:
        return None
    return (
        InboundMessage.objects.filter(
            message_id=message.message_id, status__in=[InboundStatus.PROCESSED, InboundStatus.RELEASED]
        )
        .exclude(pk=message.pk)
        .order_by("pk")
        .values_list("ticket_id", "article_id")
        .first()
    )


def _decide(message: InboundMessage, parsed: ParsedMessage) -> tuple[Decision, Ticket | None]:
    facts = mail_threading.MessageFacts(
        sender=parsed.from_address,
        subject=parsed.subject,
        thread_ids=parsed.thread_ids,
        automatic_reason=parsed.automatic_reason,
        is_bounce=parsed.is_bounce,
        bounced_message_id=parsed.bounced_message_id,
    )
    wanted = [i for i in (*parsed.thread_ids, parsed.bounced_message_id) if i]
    known_ids: dict[str, int] = {}
    if wanted:  # a new request refers to nothing: no query
        known_ids.update(ThreadMessageId.objects.filter(message_id__in=wanted).values_list("message_id", "ticket_id"))
    unknown = [i for i in wanted if i not in known_ids]
    if unknown:  # our own mail is in ThreadMessageId too; the outbox is asked only for what that did not know
        for message_id, sent_ticket_id in OutboundMessage.objects.filter(
            message_id__in=unknown, ticket__isnull=False
        ).values_list("message_id", "ticket_id"):
            if sent_ticket_id is not None:
                known_ids.setdefault(message_id, sent_ticket_id)
    numbers: dict[str, int] = {}
    tag = mail_threading.subject_tag(parsed.subject)
    if tag is not None:
        numbers = dict(Ticket.objects.filter(number=tag).values_list("number", "pk"))
    ticket_id = mail_threading.locate(facts, known_ids=known_ids, numbers=numbers)
    if parsed.is_bounce and ticket_id is None and parsed.bounced_message_id in known_ids:
        ticket_id = known_ids[parsed.bounced_message_id]
    tickets: dict[int, mail_threading.TicketFacts] = {}
    ticket = None
    if ticket_id is not None:
        ticket = _follow_merges(Ticket.objects.select_related("organization").get(pk=ticket_id))
        tickets[ticket_id] = _ticket_facts(ticket, ticket_id)
    policy = message.mailbox.stranger_policy if message.mailbox is not None else StrangerPolicy.NOTE
    decision = mail_threading.decide(
        facts, known_ids=known_ids, numbers=numbers, tickets=tickets, stranger_policy=policy
    )
    if decision.action == Action.BOUNCE and decision.ticket_id is not None and ticket is None:
        ticket = _follow_merges(Ticket.objects.get(pk=decision.ticket_id))
    return decision, ticket


def _follow_merges(ticket: Ticket) -> Ticket:
    seen = {ticket.pk}
    while ticket.merged_into_id is not None and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.select_related("organization").get(pk=ticket.merged_into_id)
    return ticket


def _ticket_facts(ticket: Ticket, facts_id: int) -> mail_threading.TicketFacts:
    participants: set[str] = set()
    people = Contact.objects.filter(pk__in=[c.pk for c in ticket.cc.all()])
    if ticket.requester_id is not None:
        people = people | Contact.objects.filter(pk=ticket.requester_id)
    if ticket.organization_id is not None:
        people = people | Contact.objects.filter(organization_id=ticket.organization_id)
    for address, others in people.values_list("email", "other_emails"):
        participants.add(address.lower())
        participants.update(str(other).lower() for other in others or [])
    participants.discard("")
    domains = ticket.organization.email_domains if ticket.organization is not None else []
    return mail_threading.TicketFacts(
        ticket_id=facts_id,
        closed=ticket.state in ("resolved", "closed"),
        reopenable=actions.can_reopen(ticket),
        participants=frozenset(participants),
        organization_domains=frozenset(d.lower() for d in domains),
    )


def _files(parsed: ParsedMessage) -> list[UploadedFile]:
    return [
        UploadedFile(filename=(a.filename or "attachment").replace("\x00", "")[:255], content=a.content)
        for a in parsed.attachments
        if a.content
    ]


def _text(parsed: ParsedMessage) -> str:
    return parsed.text if parsed.text.strip() else _("(no text)")


def _new_ticket(message: InboundMessage, parsed: ParsedMessage) -> tuple[Ticket, Article | None]:
    requester = senders.contact_for(parsed.from_address, parsed.from_name)
    own = {message.mailbox.address.lower(), *(a.lower() for a in message.mailbox.aliases)} if message.mailbox else set()
    cc = (
        senders.cc_contacts(
            [*parsed.cc, *(a for a in parsed.to if a not in own)],
            organization=requester.organization,
            exclude={*own, parsed.from_address},
        )
        if parsed.cc or len(parsed.to) > 1
        else []
    )
    with mail_notify.acknowledged_by_caller():
        ticket = actions.open_ticket(
            actor=None,
            actor_label=requester.name,
            subject=" ".join(parsed.subject.split()) or _("(no subject)"),
            description=parsed.text,
            channel=Channel.EMAIL,
            requester=requester,
            organization=requester.organization,
            cc=cc,
            team=message.mailbox.team if message.mailbox is not None else None,
        )
    article = None
    files = _files(parsed)
    if files or parsed.html or parsed.quoted:
        # The description holds the text; the first article carries what a description cannot (HTML, files).
        article = _reply(ticket, parsed, requester)
    return ticket, article


def _reply(ticket: Ticket, parsed: ParsedMessage, contact: Contact) -> Article:
    article = actions.add_article(
        ticket,
        actor=None,
        author_contact=contact,
        channel=Channel.EMAIL,
        body=_text(parsed),
        body_html=parsed.html,
        quoted=parsed.quoted,
        files=_files(parsed),
    )
    _show_inline_images(article, parsed)
    return article


def _show_inline_images(article: Article, parsed: ParsedMessage) -> None:
    """`<img src="cid:…">` in the HTML points at a part of the mail: point it at the stored attachment instead
    (served by the access-checked attachment view), so inline images show where the sender put them."""
    content_ids = [a.content_id for a in parsed.attachments if a.content]
    if not article.body_html or not any(content_ids):
        return
    html = article.body_html
    stored = article.attachments.order_by("id").values_list("pk", flat=True)
    for content_id, pk in zip(content_ids, stored, strict=False):
        if content_id:
            html = html.replace(f"cid:{content_id}", reverse("attachment", args=[pk]))
    if html != article.body_html:
        article.body_html = html
        Article.objects.filter(pk=article.pk).update(body_html=html)


def _note(ticket: Ticket, parsed: ParsedMessage, *, needs_review: bool, heading: str) -> Article:
    sender = f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name else parsed.from_address
    return actions.add_article(
        ticket,
        actor=None,
        author_contact=senders.find_contact(parsed.from_address) if parsed.from_address else None,
        kind=ArticleKind.NOTE,
        channel=Channel.EMAIL,
        # Text only: the heading must show, and the text holds the HTML part's words when there is no text part.
        body=f"{heading}\n{_('From')}: {sender}\n{_('Subject')}: {parsed.subject}\n\n{_text(parsed)}",
        quoted=parsed.quoted,
        files=_files(parsed),
        needs_review=needs_review,
    )


def _apply(
    message: InboundMessage,
    parsed: ParsedMessage,
    decision: Decision,
    ticket: Ticket | None,
    release: Release | None,
) -> tuple[Ticket | None, Article | None, str]:
    """Carry out the decision: (ticket, article, outcome)."""
    action = decision.action
    if action == Action.QUARANTINE:
        return None, None, ""
    if action == Action.IGNORE:
        return None, None, "ignored"
    if action == Action.BOUNCE:
        return _bounce(parsed, ticket)
    if action == Action.NEW_TICKET:
        new, article = _new_ticket(message, parsed)
        return new, article, "new_ticket"
    assert ticket is not None
    if action == Action.NOTE:
        return ticket, _note(ticket, parsed, needs_review=False, heading=_("Automatic e-mail")), "note"
    if action == Action.REVIEW_NOTE:
        heading = _("E-mail from someone outside the ticket: review it before answering.")
        return ticket, _note(ticket, parsed, needs_review=True, heading=heading), "review_note"
    if action == Action.NEW_LINKED:
        new, article = _new_ticket(message, parsed)
        actions.link(new, actor=None, other=ticket)
        return new, article, "new_linked"
    contact = senders.contact_for(parsed.from_address, parsed.from_name)
    reopening = action == Action.REOPEN or (release is not None and ticket.state in ("resolved", "closed"))
    if reopening and actions.can_reopen(ticket):
        ticket = actions.reopen(ticket, actor=None, reason=_("The customer answered by e-mail."))
    return ticket, _reply(ticket, parsed, contact), "reopened" if action == Action.REOPEN else "article"


def _bounce(parsed: ParsedMessage, ticket: Ticket | None) -> tuple[Ticket | None, Article | None, str]:
    now = clock.now()
    reason = parsed.text.strip()[:2000] or parsed.subject
    for address in {a.lower() for a in parsed.bounced_recipients if a}:
        failing, created = FailingAddress.objects.select_for_update().get_or_create(
            address=address[:320], defaults={"reason": reason, "since": now}
        )
        if not created:
            failing.bounces += 1
            failing.reason = reason
            failing.save(update_fields=["bounces", "reason"])
    if parsed.bounced_message_id:
        OutboundMessage.objects.filter(message_id=parsed.bounced_message_id).exclude(
            status=OutboundStatus.FAILED
        ).update(status=OutboundStatus.FAILED, last_error=reason[:2000])
    if ticket is None:
        return None, None, "bounce"
    recipients = ", ".join(parsed.bounced_recipients) or "?"
    heading = _("Our e-mail could not be delivered to: %(recipients)s") % {"recipients": recipients}
    return ticket, _note(ticket, parsed, needs_review=False, heading=heading), "bounce"
