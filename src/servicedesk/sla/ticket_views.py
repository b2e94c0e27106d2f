"""The SLA actions of the agent's ticket page: re-applying the current version of the ticket's plan."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.desk.access import agent_required
from servicedesk.tickets import actions
from servicedesk.tickets.models import Ticket


@agent_required
@require_POST
def reapply_plan(request: HttpRequest, number: str) -> HttpResponse:
    user: Any = request.user
    ticket = get_object_or_404(Ticket.objects.visible_to(user), number=number)
    try:
        actions.reapply_sla_plan(ticket, actor=user)
    except actions.ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The current version of the SLA plan now measures the ticket."))
    return redirect(ticket.get_absolute_url())


urlpatterns: list[URLPattern] = [
    path("tickets/<str:number>/reapply/", reapply_plan, name="ticket_reapply"),
]
