"""A customer reports a problem: the portal's "new ticket" page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact
from servicedesk.portal.access import contact_required
from servicedesk.portal.forms import NewTicketForm
from servicedesk.portal.views.ticket import ticket_url
from servicedesk.tickets import actions
from servicedesk.tickets.files import AttachmentTooLarge, UploadedFile
from servicedesk.tickets.models import Channel, Ticket


def _open(user: Any, contact: Contact, form: NewTicketForm) -> Ticket:
    data = form.cleaned_data
    # How badly it hurts → impact and urgency: the mapping is documented at forms.SEVERITY_LEVELS.
    impact, urgency = form.impact_and_urgency()
    item = data.get("item")
    uploads = [UploadedFile.from_django(upload) for upload in data["attachments"]]  # all read before any write
    with transaction.atomic():  # the ticket and its files, or nothing
        ticket = actions.open_ticket(
            actor=user,
            subject=data["subject"],
            description=data["description"],
            type=data["type"],
            impact=impact,
            urgency=urgency,
            channel=Channel.WEB,
            organization=contact.organization,
            requester=contact,
            category=data["category"],
            items=[item] if item is not None else [],
        )
        for upload in uploads:
            actions.attach(ticket, actor=user, upload=upload)
    return ticket


@contact_required
def new_ticket(request: HttpRequest, contact: Contact) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/ticket_new.html", {"form": NewTicketForm(contact=contact)})
    form = NewTicketForm(request.POST, request.FILES, contact=contact)
    if not form.is_valid():
        return render(request, "portal/ticket_new.html", {"form": form}, status=400)
    try:
        ticket = _open(request.user, contact, form)
    except AttachmentTooLarge as error:
        return render(request, "portal/ticket_new.html", {"form": form, "error": error.message}, status=413)
    except actions.ActionError as error:
        return render(request, "portal/ticket_new.html", {"form": form, "error": error.message}, status=400)
    messages.success(
        request,
        _("Thank you. Your ticket number is %(number)s; we will get back to you.") % {"number": ticket.number},
    )
    return redirect(ticket_url(ticket))


urlpatterns: list[URLPattern] = [path("tickets/new/", new_ticket, name="new_ticket")]
