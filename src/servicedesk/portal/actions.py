"""Writes of the portal that are not changes of the ticket itself. Ticket changes go through
servicedesk.tickets.actions; this module records the customer's satisfaction rating (and its history event)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.lib import clock
from servicedesk.portal.models import SatisfactionRating
from servicedesk.tickets import actions
from servicedesk.tickets.models import EventKind, Ticket
from servicedesk.tickets.states import State

if TYPE_CHECKING:
    from servicedesk.accounts.models import Contact, User

# A resolution can be rated once there is one: resolved, or resolved and then closed.
RATEABLE_STATES = frozenset({State.RESOLVED, State.CLOSED})


def can_rate(ticket: Ticket) -> bool:
    return ticket.state in RATEABLE_STATES and ticket.merged_into_id is None


@transaction.atomic
def rate(ticket: Ticket, *, actor: User | None, contact: Contact, score: int, comment: str = "") -> SatisfactionRating:
    """Store the contact's rating of the resolution (1–5), replacing an earlier one, and note it in the history."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)  # two quick clicks make one rating
    if not can_rate(ticket):
        raise actions.ActionError(_("Only a resolved ticket can be rated."))
    if not 1 <= score <= 5:
        raise actions.ActionError(_("Choose from 1 to 5 stars."))
    comment = comment.strip()
    now = clock.now()
    rating, created = SatisfactionRating.objects.get_or_create(
        ticket=ticket,
        defaults={"contact": contact, "score": score, "comment": comment, "created_at": now, "updated_at": now},
    )
    old_score = "" if created else str(rating.score)
    if not created:
        rating.contact = contact
        rating.score = score
        rating.comment = comment
        rating.updated_at = now
        rating.save(update_fields=["contact", "score", "comment", "updated_at"])
    # Public: the customer's own words about the ticket, shown on the portal's timeline as well as the desk's.
    actions.record_event(
        ticket,
        EventKind.RATED,
        actor,
        actor_label=contact.name if actor is None else "",
        field="rating",
        old=old_score,
        new=str(score),
        note=comment,
        public=True,
        at=now,
    )
    return rating
