"""The hotline: a phone call logged as a ticket, with the caller created on the spot when they are new.

Everything a call writes — a new organization, a new contact, the ticket, the work log and the resolution — happens
in one transaction through servicedesk.tickets.actions, so a call that fails half-way leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, ContactQuerySet, Organization
from servicedesk.assets.models import ConfigurationItem
from servicedesk.tickets import actions
from servicedesk.tickets.models import Category, Channel, Level, Ticket, TicketType, WorkKind

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

# A caller look-up shows at most this many contacts: the agent narrows the search rather than scrolls.
MAX_CALLERS = 8


@dataclass(frozen=True)
class NewCaller:
    """A caller not yet in the directory. Belongs to an existing organization, a new one (by name), or none."""

    name: str
    phone: str = ""
    email: str = ""
    organization: Organization | None = None
    organization_name: str = ""


@dataclass(frozen=True)
class Call:
    """What the caller says."""

    subject: str
    description: str = ""
    type: str = TicketType.INCIDENT
    impact: str = Level.MEDIUM
    urgency: str = Level.MEDIUM
    category: Category | None = None
    item: ConfigurationItem | None = None


@dataclass(frozen=True)
class SpotResolution:
    """The call ended with the problem solved: the customer's answer and the time it took."""

    text: str
    minutes: int


def open_tickets_count(user: User, field: str) -> Coalesce:
    """An annotation: open tickets (as the user may see them) whose `field` points at the annotated row."""
    tickets = (
        Ticket.objects.visible_to(user)
        .open()
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(tickets, output_field=IntegerField()), 0)


def find_callers(user: User, text: str) -> ContactQuerySet:
    """Active contacts matching what the agent typed (phone in any spelling, e-mail, name), with open tickets."""
    return (
        Contact.objects.matching(text)
        .filter(active=True)
        .select_related("organization")
        .annotate(open_tickets=open_tickets_count(user, "requester"))
        .order_by("name", "pk")[:MAX_CALLERS]
    )


def _organization_for(caller: NewCaller) -> Organization | None:
    if caller.organization is not None:
        return caller.organization
    name = caller.organization_name.strip()
    if not name:
        return None
    # The agent may not have noticed the organization exists; a second one of the same name cannot (unique name).
    existing = Organization.objects.filter(name__iexact=name).first()
    return existing or Organization.objects.create(name=name)


def create_caller(caller: NewCaller) -> Contact:
    name = caller.name.strip()
    if not name:
        raise actions.ActionError(_("A new caller needs a name."))
    return Contact.objects.create(
        name=name,
        phone=caller.phone.strip(),
        email=caller.email.strip(),
        organization=_organization_for(caller),
    )


@transaction.atomic
def log_call(
    *,
    actor: User,
    caller: Contact | NewCaller,
    call: Call,
    resolution: SpotResolution | None = None,
) -> Ticket:
    """Log a phone call as a ticket; resolve it at once when the agent solved it during the call."""
    requester = caller if isinstance(caller, Contact) else create_caller(caller)
    ticket = actions.open_ticket(
        actor=actor,
        subject=call.subject,
        description=call.description,
        type=call.type,
        impact=call.impact,
        urgency=call.urgency,
        channel=Channel.PHONE,
        organization=requester.organization,
        requester=requester,
        category=call.category,
        items=[call.item] if call.item is not None else [],
    )
    if resolution is not None:
        actions.log_work(ticket, actor=actor, minutes=resolution.minutes, kind=WorkKind.PHONE)
        ticket = actions.resolve(ticket, actor=actor, resolution=resolution.text)
    return ticket
