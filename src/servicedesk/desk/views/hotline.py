from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from servicedesk.desk.access import agent_required


@agent_required
def hotline(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/hotline.html", {})


urlpatterns = [
    path("hotline/", hotline, name="hotline"),
]
