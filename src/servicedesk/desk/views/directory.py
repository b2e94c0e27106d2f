from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from servicedesk.accounts.models import Organization
from servicedesk.desk.access import agent_required


@agent_required
def organizations(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/organizations.html", {"organizations": Organization.objects.all()})


urlpatterns = [
    path("customers/", organizations, name="organizations"),
]
