"""The bell: an agent's own notifications. Nobody sees or marks another person's (404); customers get 403."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from servicedesk.desk.access import agent_required
from servicedesk.lib import clock
from servicedesk.notifications.models import Notification
from servicedesk.notifications.service import unread_count

PAGE_SIZE = 25


@agent_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = (
        Notification.objects.filter(recipient_id=request.user.pk)
        .select_related("ticket")
        .only("kind", "title", "body", "created_at", "read_at", "ticket", "ticket__number", "ticket__subject")
    )
    page_obj = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page_obj, "unread": unread_count(request.user)},
    )


@agent_required
@require_GET
@never_cache
def bell(request: HttpRequest) -> HttpResponse:
    """The fragment the bell polls: one COUNT query."""
    return render(request, "notifications/_bell_count.html", {"count": unread_count(request.user)})


@agent_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Click-through: marks the notification read and goes to its ticket."""
    notification = get_object_or_404(
        Notification.objects.select_related("ticket").only("read_at", "ticket", "ticket__number"),
        pk=pk,
        recipient_id=request.user.pk,
    )
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=clock.now())
    if notification.ticket is not None:
        return HttpResponseRedirect(notification.ticket.get_absolute_url())
    return redirect("notifications:list")


@agent_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(read_at=clock.now())
    return HttpResponseRedirect(reverse("notifications:list"))


urlpatterns: list[URLPattern] = [
    path("", notification_list, name="list"),
    path("bell/", bell, name="bell"),
    path("<int:pk>/open/", open_notification, name="open"),
    path("read-all/", mark_all_read, name="read_all"),
]
