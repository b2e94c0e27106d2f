"""The desk's home page: the agent's ticket queues with filters, search, sorting and pages."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from servicedesk.accounts.models import Organization, Team
from servicedesk.desk import queues
from servicedesk.desk.access import agent_required
from servicedesk.lib import clock
from servicedesk.tickets.models import Category, Channel, Priority, Ticket, TicketType, agents
from servicedesk.tickets.states import State

# Which template answers an htmx request, by the element the request swaps.
PARTIALS = {
    "queue-main": "desk/queue/main.html",
    "queue-results": "desk/queue/results.html",
}


def _filter_options() -> dict[str, list[tuple[str, str]]]:
    """The choices of the filter selects; one query per related list."""
    return {
        "state": [(value, str(label)) for value, label in State.choices],
        "priority": [(str(value), str(label)) for value, label in Priority.choices],
        "team": [(str(team.pk), team.name) for team in Team.objects.only("id", "name")],
        "agent": [
            (queues.UNASSIGNED, gettext("— nobody —")),
            *(
                (str(agent.pk), agent.display_name())
                for agent in agents().only("id", "username", "first_name", "last_name")
            ),
        ],
        "organization": [(str(org.pk), org.name) for org in Organization.objects.only("id", "name")],
        "type": [(value, str(label)) for value, label in TicketType.choices],
        "category": [(str(category.pk), category.name) for category in Category.objects.all()],
        "channel": [(value, str(label)) for value, label in Channel.choices],
    }


def _choices(options: dict[str, list[tuple[str, str]]]) -> queues.FilterChoices:
    def values(name: str) -> frozenset[str]:
        return frozenset(value for value, _label in options[name])

    return queues.FilterChoices(
        teams=values("team"),
        agents=values("agent"),
        organizations=values("organization"),
        categories=values("category"),
    )


def _filter_fields(options: dict[str, list[tuple[str, str]]], filters: queues.Filters) -> list[dict[str, Any]]:
    labels = {
        "state": gettext("State"),
        "priority": gettext("Priority"),
        "team": gettext("Team"),
        "agent": gettext("Agent"),
        "organization": gettext("Organization"),
        "type": gettext("Type"),
        "category": gettext("Category"),
        "channel": gettext("Channel"),
    }
    return [
        {"name": name, "label": labels[name], "options": options[name], "selected": filters.values.get(name, "")}
        for name in queues.FILTER_FIELDS
    ]


def _wants_partial(request: HttpRequest) -> str | None:
    """The partial template for an htmx swap; None for a full page (first load, boost, history restore)."""
    htmx: Any = getattr(request, "htmx", None)
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return None
    return PARTIALS.get(htmx.target or "", PARTIALS["queue-results"])


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    now = clock.now()
    visible = Ticket.objects.visible_to(user)
    counts = queues.queue_counts(visible, user, now)
    current = queues.choose_queue(request.GET.get("queue"), counts)
    options = _filter_options()
    filters = queues.parse_filters(request.GET, _choices(options))
    # No column chosen: the queue's own order ("Breaching soon": the nearest deadline first), shown as the active sort.
    sort = queues.parse_sort(request.GET.get("sort") or (None if filters.search else current.default_sort))
    tickets = queues.queue_tickets(visible, queue=current, user=user, now=now, filters=filters, sort=sort)
    paginator = Paginator(tickets, queues.PAGE_SIZE)
    if not filters and not filters.search:
        paginator.count = counts[current.slug]  # counted already, through the indexes
    # get_page clamps: "abc" is the first page, 999 the last.
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "queues": [(q, counts[q.slug]) for q in queues.QUEUES],
        "current": current,
        "filters": filters,
        "filter_fields": _filter_fields(options, filters),
        "sort": sort,
        "columns": _columns(sort),
        "page": page,
    }
    template = _wants_partial(request) or "desk/queue.html"
    response = render(request, template, context)
    # The same URL answers with a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _columns(sort: queues.Sort) -> dict[str, dict[str, Any]]:
    """The sortable column headers by field, with the sort parameter each one links to."""
    headers = [
        ("number", gettext("Number"), ""),
        ("subject", gettext("Subject"), ""),
        ("priority", gettext("Priority"), ""),
        ("state", gettext("State"), ""),
        ("due", gettext("SLA"), ""),
        ("created", gettext("Created"), "hide-narrow hide-medium"),
        ("updated", gettext("Updated"), "hide-narrow"),
    ]
    return {
        field: {
            "field": field,
            "label": label,
            "css": css,
            "link": sort.toggled_for(field),
            "active": sort.field == field,
            "aria_sort": ("descending" if sort.descending else "ascending") if sort.field == field else "none",
        }
        for field, label, css in headers
    }


urlpatterns = [
    path("", queue, name="home"),
]
