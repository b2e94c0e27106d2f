"""The quarantine: received mail that was held back (too large, rate limit, errors) or ignored (automatic mail).
Agents read it safely, download the raw message, release it (into a new ticket or onto a chosen one) or discard it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.desk.access import agent_required
from servicedesk.lib import clock
from servicedesk.mail import ingest
from servicedesk.mail.models import InboundMessage, InboundStatus
from servicedesk.mail.parsing import parse
from servicedesk.tickets.files import blob_path
from servicedesk.tickets.models import Ticket

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

PER_PAGE = 50

FILTERS = {
    "quarantined": Q(status=InboundStatus.QUARANTINED),
    "ignored": Q(status=InboundStatus.PROCESSED, outcome="ignored"),
    "all": Q(),
}


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


@agent_required
def quarantine_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "quarantined")
    if show not in FILTERS:
        show = "quarantined"
    rows = InboundMessage.objects.filter(FILTERS[show]).select_related("ticket", "mailbox").defer("raw__storage_name")
    page = Paginator(rows.order_by("-received_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "mail/quarantine.html", {"page_obj": page, "show": show})


@agent_required
def quarantine_count(request: HttpRequest) -> HttpResponse:
    """The number in the desk navigation, loaded by htmx so other pages pay no query for it."""
    count = InboundMessage.objects.filter(status=InboundStatus.QUARANTINED).count()
    return HttpResponse(str(count) if count else "", content_type="text/plain; charset=utf-8")


@agent_required
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(InboundMessage.objects.select_related("raw", "ticket", "handled_by"), pk=pk)
    parsed = None
    error = ""
    if message.reason != ingest.TOO_LARGE:
        try:
            parsed = parse(blob_path(message.raw).read_bytes())
        except Exception as failure:  # shown to the agent: the quarantine must open whatever the message is
            error = f"{type(failure).__name__}: {failure}"
    return render(request, "mail/quarantine_detail.html", {"message": message, "parsed": parsed, "error": error})


@agent_required
def quarantine_raw(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(InboundMessage.objects.select_related("raw"), pk=pk)
    response = HttpResponse(blob_path(message.raw).read_bytes(), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@agent_required
def quarantine_release(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(InboundMessage, pk=pk, status=InboundStatus.QUARANTINED)
    number = request.POST.get("ticket", "").strip().lstrip("#")
    ticket = None
    if number:
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is None:
            messages.error(request, _("There is no ticket %(number)s.") % {"number": number})
            return redirect("mail:quarantine_detail", pk=message.pk)
    ingest.process(message, release=ingest.Release(actor=_user(request), ticket=ticket))
    message.refresh_from_db()
    if message.status != InboundStatus.RELEASED:
        messages.error(request, _("The message could not be released: %(reason)s") % {"reason": message.reason})
        return redirect("mail:quarantine_detail", pk=message.pk)
    messages.success(request, _("Released."))
    if message.ticket is not None:
        return redirect("desk:ticket", number=message.ticket.number)
    return redirect("mail:quarantine")


@require_POST
@agent_required
def quarantine_discard(request: HttpRequest, pk: int) -> HttpResponse:
    updated = InboundMessage.objects.filter(
        pk=pk, status__in=[InboundStatus.QUARANTINED, InboundStatus.RECEIVED]
    ).update(status=InboundStatus.DISCARDED, handled_by=_user(request), processed_at=clock.now(), outcome="discarded")
    if not updated:
        get_object_or_404(InboundMessage, pk=pk)
        messages.error(request, _("Only a message in the quarantine can be discarded."))
        return redirect("mail:quarantine_detail", pk=pk)
    messages.success(request, _("Discarded."))
    return redirect("mail:quarantine")


urlpatterns: list[URLPattern] = [
    path("quarantine/", quarantine_list, name="quarantine"),
    path("quarantine/count/", quarantine_count, name="quarantine_count"),
    path("quarantine/<int:pk>/", quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/raw/", quarantine_raw, name="quarantine_raw"),
    path("quarantine/<int:pk>/release/", quarantine_release, name="quarantine_release"),
    path("quarantine/<int:pk>/discard/", quarantine_discard, name="quarantine_discard"),
]
