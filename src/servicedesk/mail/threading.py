"""Where a received message belongs: a pure decision over plain data, so it can be property-tested.

Order: In-Reply-To and References against the Message-IDs we received or sent, then the ticket number tag in the
subject ("[#2026-000123]"), else a new ticket. Loops and noise (automatic mail) never open a ticket; replies from
people outside the ticket never become public on their own."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

TAG = re.compile(r"\[#(\d{4}-\d{6})\]")


class Action(enum.StrEnum):
    NEW_TICKET = "new_ticket"
    ARTICLE = "article"  # a public reply on the ticket
    REVIEW_NOTE = "review_note"  # an internal note flagged for review: the sender is outside the ticket
    NOTE = "note"  # an internal note (automatic mail on a thread)
    REOPEN = "reopen"  # reopen the closed ticket, then a public reply
    NEW_LINKED = "new_linked"  # a new ticket linked to the closed one
    BOUNCE = "bounce"  # a delivery report for our mail: an internal note, the address marked failing
    IGNORE = "ignore"  # kept, nothing created
    QUARANTINE = "quarantine"


@dataclass(frozen=True)
class MessageFacts:
    sender: str  # lower-case address, "" when none
    subject: str
    thread_ids: tuple[str, ...]  # In-Reply-To, then References from the newest
    automatic_reason: str = ""
    is_bounce: bool = False
    bounced_message_id: str = ""


@dataclass(frozen=True)
class TicketFacts:
    ticket_id: int
    closed: bool  # resolved or closed
    reopenable: bool  # closed within the reopen window (actions.can_reopen)
    participants: frozenset[str]  # addresses of the requester, the CCs and the organization's contacts
    organization_domains: frozenset[str] = frozenset()  # a new sender of these domains joins the organization


@dataclass(frozen=True)
class Decision:
    action: Action
    ticket_id: int | None = None
    reason: str = ""


def subject_tag(subject: str) -> str | None:
    """The ticket number of the first "[#YYYY-NNNNNN]" tag of the subject."""
    match = TAG.search(subject or "")
    return match.group(1) if match else None


def locate(message: MessageFacts, *, known_ids: Mapping[str, int], numbers: Mapping[str, int]) -> int | None:
    """The ticket the message threads to: by Message-ID first (nearest first), then by the subject tag."""
    for message_id in message.thread_ids:
        if message_id in known_ids:
            return known_ids[message_id]
    tag = subject_tag(message.subject)
    if tag is not None:
        return numbers.get(tag)
    return None


def is_participant(sender: str, ticket: TicketFacts) -> bool:
    if sender in ticket.participants:
        return True
    return "@" in sender and sender.rsplit("@", 1)[1] in ticket.organization_domains


def decide(
    message: MessageFacts,
    *,
    known_ids: Mapping[str, int],
    numbers: Mapping[str, int],
    tickets: Mapping[int, TicketFacts],
    stranger_policy: str = "note",
) -> Decision:
    """What to do with one message. known_ids: Message-ID → ticket id (received and sent); numbers: ticket number →
    ticket id; tickets: the facts of every ticket either names."""
    if message.is_bounce:
        ticket_id = known_ids.get(message.bounced_message_id) if message.bounced_message_id else None
        if ticket_id is None:
            ticket_id = locate(message, known_ids=known_ids, numbers={})
        return Decision(Action.BOUNCE, ticket_id, "bounce")
    ticket_id = locate(message, known_ids=known_ids, numbers=numbers)
    ticket = tickets.get(ticket_id) if ticket_id is not None else None
    if message.automatic_reason:
        if ticket is not None:
            return Decision(Action.NOTE, ticket.ticket_id, message.automatic_reason)
        return Decision(Action.IGNORE, None, message.automatic_reason)
    if not message.sender:
        return Decision(Action.QUARANTINE, None, "no sender")
    if ticket is None:
        return Decision(Action.NEW_TICKET)
    if not is_participant(message.sender, ticket):
        if stranger_policy == "new_ticket":
            return Decision(Action.NEW_LINKED, ticket.ticket_id, "sender outside the ticket")
        return Decision(Action.REVIEW_NOTE, ticket.ticket_id, "sender outside the ticket")
    if ticket.closed:
        if ticket.reopenable:
            return Decision(Action.REOPEN, ticket.ticket_id)
        return Decision(Action.NEW_LINKED, ticket.ticket_id, "closed outside the reopen window")
    return Decision(Action.ARTICLE, ticket.ticket_id)
