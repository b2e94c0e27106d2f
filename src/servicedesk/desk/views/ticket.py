from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from servicedesk.desk.access import agent_required
from servicedesk.tickets.models import Ticket


@agent_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), number=number)
    return render(request, "desk/ticket.html", {"ticket": ticket})


@agent_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/ticket_new.html", {})


urlpatterns = [
    path("tickets/new/", new_ticket, name="new_ticket"),
    path("tickets/<str:number>/", ticket_detail, name="ticket"),
]
