"""The customer's ticket page and what they can do there: reply, confirm the resolution, reopen, rate.

Every write is a small form posting to its own URL; the view parses it, calls servicedesk.tickets.actions (or
portal.actions for the rating) and answers: htmx gets the refreshed page body, a plain POST is redirected back to
the ticket (POST/redirect/GET). A refused write shows the form again, as typed, with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.models import Contact
from servicedesk.portal import actions as portal_actions
from servicedesk.portal.access import contact_required
from servicedesk.portal.forms import RatingForm, ReopenForm, ReplyForm
from servicedesk.portal.models import SatisfactionRating
from servicedesk.portal.presentation import customer_state, status_timeline, time_spent
from servicedesk.tickets import actions
from servicedesk.tickets.files import AttachmentTooLarge, UploadedFile
from servicedesk.tickets.models import Article, ArticleKind, Attachment, Channel, Ticket
from servicedesk.tickets.states import IllegalTransition, State

# Where a reply is no longer the way to talk about the ticket.
NO_REPLY_STATES = frozenset({State.CLOSED, State.CANCELLED})


def ticket_url(ticket: Ticket) -> str:
    return reverse("portal:ticket", args=[ticket.number])


def _get_ticket(request: HttpRequest, number: str) -> Ticket:
    """The one way to a ticket here: another organization's ticket (or a colleague's, for a user) is a 404."""
    tickets = Ticket.objects.visible_to(request.user).select_related("requester", "category", "merged_into")
    return get_object_or_404(tickets.prefetch_related("items"), number=number)


def _rating_form(rating: SatisfactionRating | None) -> RatingForm:
    initial = {"score": rating.score, "comment": rating.comment} if rating is not None else None
    return RatingForm(initial=initial)


def _context(
    request: HttpRequest,
    contact: Contact,
    ticket: Ticket,
    bound: dict[str, forms.Form] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    # Public replies only, and their attachments: internal notes and their files never reach this page.
    articles = (
        Article.objects.filter(ticket=ticket, kind=ArticleKind.REPLY)
        .select_related("author", "author_contact")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.only("id", "filename", "article_id")))
    )
    # Files attached to the ticket itself (with the ticket, or by an agent without a message) are public too.
    ticket_files = Attachment.objects.filter(ticket=ticket, article__isnull=True).only("id", "filename")
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    merged_into = ticket.merged_into
    if merged_into is not None and not Ticket.objects.visible_to(request.user).filter(pk=merged_into.pk).exists():
        merged_into = None
    forms_by_name: dict[str, forms.Form] = {
        "reply": ReplyForm(),
        "reopen": ReopenForm(),
        "rate": _rating_form(rating),
        **(bound or {}),
    }
    is_merged = ticket.merged_into_id is not None
    allowed = {
        "reply": not is_merged and ticket.state not in NO_REPLY_STATES,
        "confirm": not is_merged and ticket.state == State.RESOLVED,
        "reopen": not is_merged and actions.can_reopen(ticket),
        "rate": portal_actions.can_rate(ticket),
    }
    # A refused form stays on the page with its reason and what was typed, even if it would not be offered now.
    show = {name: permitted or name in (bound or {}) for name, permitted in allowed.items()}
    return {
        "contact": contact,
        "ticket": ticket,
        "state_label": customer_state(ticket.state),
        "articles": articles,
        "ticket_files": ticket_files,
        "steps": status_timeline(ticket),
        "time_spent": time_spent(ticket),
        "rating": rating,
        "is_merged": is_merged,
        "merged_into": merged_into,
        "show": show,
        "reopen_expired": not show["reopen"] and not is_merged and ticket.state == State.CLOSED,
        "forms": forms_by_name,
        "errors": errors or {},
    }


@contact_required
@require_GET
def ticket_detail(request: HttpRequest, contact: Contact, number: str) -> HttpResponse:
    ticket = _get_ticket(request, number)
    return render(request, "portal/ticket.html", _context(request, contact, ticket))


# --- Writes ----------------------------------------------------------------------------------------------------

Perform = Callable[[Ticket, Any, Contact, dict[str, Any]], str]


def _reply(ticket: Ticket, user: Any, contact: Contact, data: dict[str, Any]) -> str:
    if ticket.merged_into_id is not None or ticket.state in NO_REPLY_STATES:
        raise actions.ActionError(_("This ticket is closed. Reopen it, or report a new problem."))
    # Read every file before anything is written: a file over the limit leaves nothing half-created.
    uploads = [UploadedFile.from_django(upload) for upload in data["attachments"]]
    with transaction.atomic():
        current = Ticket.objects.select_for_update().only("state").get(pk=ticket.pk)
        actions.add_article(
            ticket,
            actor=user,
            author_contact=contact,
            body=data["body"],
            kind=ArticleKind.REPLY,
            channel=Channel.WEB,
            files=uploads,
        )
        # The agent asked and the customer answered: the ball is back with the desk.
        if current.state == State.WAITING_CUSTOMER:
            actions.transition(ticket, actor=user, to_state=State.IN_PROGRESS)
    return _("Your reply was sent.")


def _confirm(ticket: Ticket, user: Any, contact: Contact, data: dict[str, Any]) -> str:
    if ticket.state != State.RESOLVED:
        raise IllegalTransition(_("Only a resolved ticket can be confirmed."))
    actions.transition(ticket, actor=user, to_state=State.CLOSED, reason=_("Resolution confirmed by the customer."))
    return _("Thank you. The ticket is closed.")


def _reopen(ticket: Ticket, user: Any, contact: Contact, data: dict[str, Any]) -> str:
    if ticket.state not in {State.RESOLVED, State.CLOSED}:
        raise IllegalTransition(_("Only a resolved or closed ticket can be reopened."))
    with transaction.atomic():
        actions.reopen(ticket, actor=user)  # refuses outside the reopen window
        if data["body"].strip():
            actions.add_article(
                ticket,
                actor=user,
                author_contact=contact,
                body=data["body"],
                kind=ArticleKind.REPLY,
                channel=Channel.WEB,
            )
    return _("The ticket is open again; we are on it.")


def _rate(ticket: Ticket, user: Any, contact: Contact, data: dict[str, Any]) -> str:
    portal_actions.rate(ticket, actor=user, contact=contact, score=data["score"], comment=data["comment"])
    return _("Thank you for your rating.")


WRITES: dict[str, tuple[type[forms.Form], Perform]] = {
    "reply": (ReplyForm, _reply),
    "confirm": (forms.Form, _confirm),
    "reopen": (ReopenForm, _reopen),
    "rate": (RatingForm, _rate),
}


def _answer(request: HttpRequest, context: dict[str, Any], status: int = 200, notice: str = "") -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "portal/ticket/main.html", {**context, "notice": notice}, status=status)
    return render(request, "portal/ticket.html", context, status=status)


def _write(request: HttpRequest, contact: Contact, number: str, name: str) -> HttpResponse:
    ticket = _get_ticket(request, number)
    form_class, perform = WRITES[name]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _answer(request, _context(request, contact, ticket, bound={name: form}), 400)
    try:
        message = perform(ticket, request.user, contact, form.cleaned_data)
    except AttachmentTooLarge as error:
        failure, status = error.message, 413
    except IllegalTransition as error:
        failure, status = error.message, 409
    except actions.ActionError as error:
        failure, status = error.message, 400
    else:
        if request.htmx:  # type: ignore[attr-defined]
            return _answer(request, _context(request, contact, _get_ticket(request, number)), notice=message)
        messages.success(request, message)
        return redirect(ticket_url(ticket))
    context = _context(request, contact, ticket, bound={name: form}, errors={name: failure})
    return _answer(request, context, status)


def _write_view(name: str) -> Callable[..., HttpResponse]:
    @contact_required
    @require_POST
    def view(request: HttpRequest, contact: Contact, number: str) -> HttpResponse:
        return _write(request, contact, number, name)

    view.__name__ = f"ticket_{name}"
    return view


urlpatterns: list[URLPattern] = [
    path("tickets/<str:number>/", ticket_detail, name="ticket"),
    *[path(f"tickets/<str:number>/{name}/", _write_view(name), name=name) for name in WRITES],
]
