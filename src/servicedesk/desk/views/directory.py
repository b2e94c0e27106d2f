"""The customer directory of the desk: organizations, one organization, one contact.

Tickets are read only through Ticket.objects.visible_to(user); counts are subqueries, so a page costs the same
number of queries whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.invitations import InvitationError, invite_contact
from servicedesk.accounts.models import Contact, Organization
from servicedesk.desk.access import agent_required
from servicedesk.desk.hotline import open_tickets_count
from servicedesk.lib.text import fold
from servicedesk.tickets.models import Ticket, TicketQuerySet
from servicedesk.tickets.states import OPEN_STATES

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

ORGANIZATIONS_PER_PAGE = 50
TICKETS_PER_PAGE = 25

# The "active" filter of the organizations list; customers we no longer serve are hidden by default.
ACTIVE_FILTERS = {"active": Q(active=True), "inactive": Q(active=False), "all": Q()}


def _page(request: HttpRequest, rows: QuerySet[Any], per_page: int) -> Page[Any]:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _open_first(tickets: TicketQuerySet) -> TicketQuerySet:
    """Open tickets before done ones; within each, the most urgent, then the newest."""
    return (
        tickets.annotate(done=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1)))
        .select_related("assigned_to", "requester", "team")
        .order_by("done", "priority", "-created_at", "-pk")
    )


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


@agent_required
def organizations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = request.GET.get("q", "").strip()
    active = request.GET.get("active", "active")
    if active not in ACTIVE_FILTERS:
        active = "active"
    rows = Organization.objects.filter(ACTIVE_FILTERS[active])
    if q:
        rows = rows.filter(search_text__contains=fold(q))
    rows = rows.annotate(
        open_tickets=open_tickets_count(user, "organization"),
        contact_count=Count("contacts", filter=Q(contacts__active=True), distinct=True),
    ).order_by("name")
    context = {
        "page_obj": _page(request, rows, ORGANIZATIONS_PER_PAGE),
        "q": q,
        "active": active,
    }
    return render(request, "desk/organizations.html", context)


@agent_required
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = get_object_or_404(Organization, pk=pk)
    contacts = (
        org.contacts.annotate(open_tickets=open_tickets_count(user, "requester"))
        .select_related("user")
        .order_by("-active", "name")
    )
    tickets = _open_first(Ticket.objects.visible_to(user).filter(organization=org))
    context = {
        "organization": org,
        "contacts": contacts,
        "items": org.items.order_by("-active", "name"),
        "page_obj": _page(request, tickets, TICKETS_PER_PAGE),
        "open_count": Ticket.objects.visible_to(user).open().filter(organization=org).count(),
    }
    return render(request, "desk/organization.html", context)


@agent_required
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = get_object_or_404(Contact.objects.select_related("organization", "user"), pk=pk)
    tickets = _open_first(Ticket.objects.visible_to(user).filter(requester=person))
    context = {
        "contact": person,
        "page_obj": _page(request, tickets, TICKETS_PER_PAGE),
        "open_count": Ticket.objects.visible_to(user).open().filter(requester=person).count(),
    }
    return render(request, "desk/contact.html", context)


@agent_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the contact a portal login and e-mail them the link to set its password (again, when re-invited)."""
    person = get_object_or_404(Contact.objects.select_related("user"), pk=pk)
    try:
        invite_contact(person, invited_by=_user(request))
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": person.email})
    return redirect("desk:contact", pk=person.pk)


urlpatterns: list[URLPattern] = [
    path("customers/", organizations, name="organizations"),
    path("customers/<int:pk>/", organization, name="organization"),
    path("contacts/<int:pk>/", contact, name="contact"),
    path("contacts/<int:pk>/invite/", invite, name="invite_contact"),
]
