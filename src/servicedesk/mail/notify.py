"""Which e-mails a ticket event causes, and to whom. Called for every history event (tickets/actions.py `_event`),
in the transaction of the change: most events send nothing and are dismissed before any query.

Customers (the requester; an agent's reply also goes to the CCs): the acknowledgement of a new ticket, an agent's
reply, "waiting for you", resolved, closed and, once per ticket, the satisfaction request. Agents: assigned to you,
the ticket came back to your team, escalated to your team, the customer replied, and the SLA warnings and breaches
(from notifications/service.notify).

Nobody gets mail about a change they made themselves — except the acknowledgement of a ticket a customer opened,
which is the receipt they expect. An address that bounced before (FailingAddress) is still mailed: the row is
marked (outbound.py) and the ticket page shows it, and a delivered mail is what proves the address works again."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import transaction

from servicedesk.mail import muting, outbound
from servicedesk.mail.models import OutboundMessage
from servicedesk.mail.outbound import Recipient
from servicedesk.tickets.models import Channel, EventKind
from servicedesk.tickets.states import State

if TYPE_CHECKING:
    from servicedesk.accounts.models import Contact, User
    from servicedesk.tickets.models import Ticket, TicketEvent

_CANDIDATE_KINDS = frozenset(
    {EventKind.CREATED, EventKind.REPLY_ADDED, EventKind.STATE_CHANGED, EventKind.ASSIGNED, EventKind.ESCALATED}
    | {EventKind.HANDED_BACK}
)
_STATE_MAILS: dict[str, str] = {
    State.WAITING_CUSTOMER: "waiting_for_you",
    State.RESOLVED: "resolved",
    State.CLOSED: "closed",
}
# Set while the ingest opens a ticket: it acknowledges the received mail itself (acknowledged_by_caller).
_ingest_acknowledges: ContextVar[bool] = ContextVar("ingest_acknowledges", default=False)


def on_event(event: TicketEvent) -> None:
    kind = event.kind
    if kind not in _CANDIDATE_KINDS or muting.is_muted():
        return
    if kind == EventKind.STATE_CHANGED and event.new_value not in _STATE_MAILS:
        return
    ticket = event.ticket
    if kind == EventKind.ASSIGNED and (ticket.assigned_to_id is None or ticket.assigned_to_id == event.actor_id):
        return  # taken away, or taken by the agent himself
    if kind in (EventKind.CREATED, EventKind.STATE_CHANGED) and ticket.requester_id is None:
        return
    handler = _HANDLERS[kind]
    handler(event, ticket)


# --- Recipients ---------------------------------------------------------------------------------------------


def _contact(contact: Contact | None, event: TicketEvent, *, author_too: bool = False) -> Recipient | None:
    if contact is None or not contact.email:
        return None
    if not author_too and contact.user_id is not None and contact.user_id == event.actor_id:
        return None
    return outbound.contact_recipient(contact)


def _agents(ids: Iterable[int], event: TicketEvent) -> list[User]:
    from servicedesk.accounts.models import User

    wanted = {pk for pk in ids if pk != event.actor_id}
    if not wanted:
        return []
    return list(User.objects.filter(pk__in=wanted, is_active=True, is_staff=True).exclude(email="").order_by("pk"))


def _team_member_ids(ticket: Ticket) -> list[int]:
    from servicedesk.notifications.service import team_member_ids

    return team_member_ids(ticket.team_id)


def _to_agents(ticket: Ticket, key: str, agents: Iterable[User], **context: Any) -> None:
    for agent in agents:
        outbound.queue(ticket, key=key, to=outbound.user_recipient(agent), context=context)


# --- Handlers -----------------------------------------------------------------------------------------------


def _created(event: TicketEvent, ticket: Ticket) -> None:
    if ticket.channel == Channel.MONITORING and ticket.requester_id is None:
        return
    if ticket.channel == Channel.FORM:
        return  # the Ask us intake confirms with its own mail (number, consent, the visitor's language)
    if ticket.channel == Channel.EMAIL:
        if _ingest_acknowledges.get():
            return  # the ingest calls acknowledge() itself once the received mail is linked to the ticket
        # Opened by e-mail elsewhere (the demo data, a test): whoever opened it links the mail in the same
        # transaction; the acknowledgement answers that mail, so it is written once that commits.
        ticket_pk = ticket.pk
        transaction.on_commit(lambda: _acknowledge(ticket_pk, event))
        return
    recipient = _contact(ticket.requester, event, author_too=True)
    if recipient is not None:
        # A ticket opened just now by phone, web or API has no thread to answer yet.
        outbound.queue(ticket, key="ticket_received", to=recipient, threaded=False)


@contextlib.contextmanager
def acknowledged_by_caller() -> Iterator[None]:
    """Tickets opened by e-mail inside this block get no acknowledgement from the CREATED event: the caller (the
    ingest) writes it with acknowledge(), in its own transaction, once it has linked the received mail."""
    token = _ingest_acknowledges.set(True)
    try:
        yield
    finally:
        _ingest_acknowledges.reset(token)


def acknowledge(ticket: Ticket, *, references: Sequence[str], reply_to: str | None) -> None:
    """The receipt of a ticket the customer opened by e-mail, answering that mail (its Message-ID in references,
    Reply-To the mailbox it came through). Written in the caller's transaction: it commits with the ticket."""
    requester = ticket.requester
    if requester is None or not requester.email or muting.is_muted():
        return
    outbound.queue(
        ticket,
        key="ticket_received",
        to=outbound.contact_recipient(requester),
        references=references,
        reply_to=reply_to,
    )


def _acknowledge(ticket_pk: int, event: TicketEvent) -> None:
    from servicedesk.tickets.models import Ticket

    with transaction.atomic():
        ticket = Ticket.objects.select_related("requester__user").filter(pk=ticket_pk).first()
        recipient = _contact(ticket.requester, event, author_too=True) if ticket is not None else None
        if ticket is not None and recipient is not None:
            outbound.queue(ticket, key="ticket_received", to=recipient)


def _reply_added(event: TicketEvent, ticket: Ticket) -> None:
    from servicedesk.tickets.models import Article

    def article() -> Article | None:
        return Article.objects.select_related("author", "author_contact").filter(pk=event.new_value).first()

    # add_article() makes the actor the article's author: with no actor (a customer's mail) it is nobody's reply
    # of an agent, and the article is read only if some agent is to be told (a busy mailbox saves the query).
    written = article() if event.actor_id is not None else None
    if event.actor_id is not None and written is None:
        return
    if written is not None and written.author is not None and written.author.is_staff:
        _agent_replied(event, ticket, written)
        return
    # add_article() is handed the caller's ticket, which may predate an assignment: ask the database.
    assigned_id, team_id = type(ticket).objects.filter(pk=ticket.pk).values_list("assigned_to_id", "team_id").get()
    if assigned_id:
        agent_ids = [assigned_id]
    else:
        from servicedesk.notifications.service import team_member_ids

        agent_ids = team_member_ids(team_id)
    agents = _agents(agent_ids, event)
    if agents and written is None:
        written = article()
    if written is not None:
        _to_agents(ticket, "customer_replied", agents, article=written)


def _agent_replied(event: TicketEvent, ticket: Ticket, article: Any) -> None:
    """The reply itself: one mail to the requester with the CCs, the article's files attached."""
    recipients: list[Recipient] = []
    seen: set[str] = set()
    for contact in [ticket.requester, *ticket.cc.exclude(email="").select_related("user").order_by("pk")]:
        recipient = _contact(contact, event)
        if recipient is not None and recipient.address.lower() not in seen:
            seen.add(recipient.address.lower())
            recipients.append(recipient)
    if not recipients:
        return
    outbound.queue(
        ticket,
        key="public_reply",
        to=recipients[0],
        cc=recipients[1:],
        automatic=False,
        article=article,
        context={"article": article, "author_name": article.author_name()},
        attach_article=True,
    )


def _state_changed(event: TicketEvent, ticket: Ticket) -> None:
    recipient = _contact(ticket.requester, event)
    if recipient is None:
        return
    outbound.queue(ticket, key=_STATE_MAILS[event.new_value], to=recipient, context={"reason": event.note})
    if event.new_value == State.CLOSED and not _already_sent(ticket, "satisfaction_request"):
        outbound.queue(ticket, key="satisfaction_request", to=recipient)


def _already_sent(ticket: Ticket, kind: str) -> bool:
    return OutboundMessage.objects.filter(ticket=ticket, kind=kind).exists()


def _assigned(event: TicketEvent, ticket: Ticket) -> None:
    _to_agents(ticket, "assigned_to_you", _agents([ticket.assigned_to_id or 0], event), actor=event.actor)


def _escalated(event: TicketEvent, ticket: Ticket) -> None:
    agents = _agents(_team_member_ids(ticket), event)
    _to_agents(ticket, "escalated_to_team", agents, reason=event.note, team=ticket.team, actor=event.actor)


def _handed_back(event: TicketEvent, ticket: Ticket) -> None:
    agents = _agents(_team_member_ids(ticket), event)
    _to_agents(ticket, "assigned_to_team", agents, reason=event.note, team=ticket.team, actor=event.actor)


_HANDLERS: dict[str, Callable[[TicketEvent, Ticket], None]] = {
    EventKind.CREATED: _created,
    EventKind.REPLY_ADDED: _reply_added,
    EventKind.STATE_CHANGED: _state_changed,
    EventKind.ASSIGNED: _assigned,
    EventKind.ESCALATED: _escalated,
    EventKind.HANDED_BACK: _handed_back,
}
