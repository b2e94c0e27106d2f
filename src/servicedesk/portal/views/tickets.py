"""The customer's list of tickets: their own (a manager: the organization's), filtered, searched, paginated."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from servicedesk.accounts.models import Contact
from servicedesk.portal.access import contact_required
from servicedesk.portal.forms import TicketFilterForm
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.search import filter_tickets
from servicedesk.tickets.states import DONE_STATES, OPEN_STATES

PAGE_SIZE = 20


@contact_required
@require_GET
def ticket_list(request: HttpRequest, contact: Contact) -> HttpResponse:
    filters = TicketFilterForm(request.GET, contact=contact)
    tickets: QuerySet[Ticket] = Ticket.objects.visible_to(request.user)
    state = filters.value("state")
    if state == "open":
        tickets = tickets.filter(state__in=OPEN_STATES)
    elif state == "resolved":
        tickets = tickets.filter(state__in=DONE_STATES)
    # The field exists for managers only; the choices are their organization's contacts, so a user cannot use it
    # to look past visible_to, and a manager cannot name another organization's contact.
    requester = filters.value("requester") if "requester" in filters.fields else None
    if requester is not None:
        tickets = tickets.filter(requester=requester)
    query = filters.value("q") or ""
    if query.strip():
        tickets = filter_tickets(tickets, query, user=request.user)
    tickets = tickets.select_related("requester", "category").order_by("-updated_at", "-id")
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = state != "all" or requester is not None or bool(query.strip())
    return render(
        request,
        "portal/tickets.html",
        {"contact": contact, "filters": filters, "page": page, "filtered": filtered},
    )


urlpatterns: list[URLPattern] = [path("", ticket_list, name="tickets")]
