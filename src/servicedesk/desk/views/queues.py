from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from servicedesk.desk.access import agent_required
from servicedesk.tickets.models import Ticket


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    tickets = Ticket.objects.visible_to(request.user).select_related("organization", "team", "assigned_to")[:50]
    return render(request, "desk/queue.html", {"tickets": tickets})


urlpatterns = [
    path("", queue, name="home"),
]
