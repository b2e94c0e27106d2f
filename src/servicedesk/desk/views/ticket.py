"""The agent's ticket page, its actions, and the "new ticket" page.

Every action is a small form posting to its own URL; the view parses it, calls one function of
servicedesk.tickets.actions and answers: htmx gets the refreshed ticket (or the form with its error), a plain
POST is redirected back to the ticket (POST/redirect/GET)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db import models, transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from servicedesk.desk import forms as desk_forms
from servicedesk.desk.access import agent_required
from servicedesk.sla import presentation as sla_presentation
from servicedesk.tickets import actions
from servicedesk.tickets.files import AttachmentTooLarge, UploadedFile
from servicedesk.tickets.models import (
    SLA_EVENT_KINDS,
    Article,
    ArticleKind,
    Attachment,
    Channel,
    EventKind,
    Level,
    Ticket,
    TicketEvent,
    TicketType,
    WorkKind,
    WorkLogEntry,
)
from servicedesk.tickets.states import IllegalTransition, label

if TYPE_CHECKING:
    from servicedesk.accounts.models import User


# --- Reading the ticket ----------------------------------------------------------------------------------------

# Shown by their article or work-log entry instead; the event would only repeat it.
EVENTS_SHOWN_ELSEWHERE = (EventKind.REPLY_ADDED, EventKind.NOTE_ADDED, EventKind.WORK_LOGGED)


def _labelled(choices: type[models.TextChoices]) -> Callable[[str], str]:
    def show(value: str) -> str:
        return str(choices(value).label) if value in choices.values else value

    return show


# Stored raw values of these fields are shown with their labels ("channel": the new value of "created").
VALUE_LABELS: dict[str, Callable[[str], str]] = {
    "state": label,
    "type": _labelled(TicketType),
    "impact": _labelled(Level),
    "urgency": _labelled(Level),
    "channel": _labelled(Channel),
}


# What the field of an event is called on the page.
FIELD_LABELS: dict[str, Any] = {
    "subject": gettext_lazy("Subject"),
    "description": gettext_lazy("Description"),
    "type": gettext_lazy("Type"),
    "impact": gettext_lazy("Impact"),
    "urgency": gettext_lazy("Urgency"),
    "priority": gettext_lazy("Priority"),
    "category": gettext_lazy("Category"),
    "organization": gettext_lazy("Organization"),
    "requester": gettext_lazy("Requester"),
    "tags": gettext_lazy("Tags"),
    "team": gettext_lazy("Team"),
    "assigned_to": gettext_lazy("Agent"),
    "related": gettext_lazy("Related to"),
    "parent": gettext_lazy("Parent"),
    "child": gettext_lazy("Child"),
    "merged_into": gettext_lazy("Merged into"),
    "merged_from": gettext_lazy("Merged from"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "article", "event" or "work"
    item: Any
    field: str = ""
    old: str = ""
    new: str = ""
    sentence: bool = False  # `new` is a whole sentence (SLA events); the raw note is not shown


# The SLA panel shows the whole SLA timeline; the history keeps what changes the course of the ticket.
SLA_KINDS_IN_HISTORY = frozenset(
    {
        EventKind.SLA_WARNING,
        EventKind.SLA_BREACHED,
        EventKind.SLA_RECOMPUTED,
        EventKind.SLA_CONTRACT_CHANGED,
        EventKind.SLA_PLAN_REAPPLIED,
    }
)


def _ticket_queryset(user: Any) -> Any:
    return (
        Ticket.objects.visible_to(user)
        .select_related(
            "organization", "requester", "category", "team", "assigned_to", "merged_into", "parent", "created_by"
        )
        .prefetch_related("cc", "items", "tags", "children", "related", "merged")
    )


def _get_ticket(request: HttpRequest, number: str) -> Ticket:
    return get_object_or_404(_ticket_queryset(request.user), number=number)


def _event_entry(event: TicketEvent) -> TimelineEntry:
    if event.kind in SLA_EVENT_KINDS:
        return TimelineEntry(event.created_at, "event", event, new=sla_presentation.timeline_text(event), sentence=True)
    show = VALUE_LABELS.get("channel" if event.kind == EventKind.CREATED else event.field, str)
    old = show(event.old_value) if event.old_value else ""
    new = show(event.new_value) if event.new_value else ""
    field = "" if event.field == "state" else str(FIELD_LABELS.get(event.field, event.field))
    return TimelineEntry(event.created_at, "event", event, field, old, new)


def timeline(ticket: Ticket) -> list[TimelineEntry]:
    """Articles, events and work, oldest first: one query each, however long the history."""
    articles = (
        Article.objects.filter(ticket=ticket)
        .select_related("author", "author_contact")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.select_related("blob")))
    )
    events = (
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(kind__in=EVENTS_SHOWN_ELSEWHERE)
        .exclude(kind__in=SLA_EVENT_KINDS - SLA_KINDS_IN_HISTORY)
        .select_related("actor")
    )
    work = WorkLogEntry.objects.filter(ticket=ticket).select_related("agent")
    entries = [TimelineEntry(article.created_at, "article", article) for article in articles]
    entries += [_event_entry(event) for event in events]
    entries += [TimelineEntry(entry.created_at, "work", entry) for entry in work]
    entries.sort(key=lambda entry: entry.at)  # stable: within one instant the order above holds
    return entries


@dataclass(frozen=True)
class WorkTotals:
    minutes: int
    billable: int
    by_kind: list[tuple[str, int]]


def work_totals(entries: Iterable[TimelineEntry]) -> WorkTotals:
    work = [entry.item for entry in entries if entry.kind == "work"]
    by_kind: Counter[str] = Counter()
    for item in work:
        by_kind[item.kind] += item.minutes
    return WorkTotals(
        minutes=sum(item.minutes for item in work),
        billable=sum(item.minutes for item in work if item.billable),
        by_kind=[(str(WorkKind(kind).label), minutes) for kind, minutes in sorted(by_kind.items())],
    )


# --- Actions ---------------------------------------------------------------------------------------------------


def _uploads(files: Iterable[Any]) -> list[UploadedFile]:
    """Read every upload before anything is written, so a file over the limit leaves nothing half-created."""
    return [UploadedFile.from_django(upload) for upload in files]


def _reply(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.add_article(
        ticket, actor=user, body=data["body"], kind=ArticleKind.REPLY, files=_uploads(data["attachments"])
    )
    return _("The reply was sent.")


def _note(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.add_article(
        ticket, actor=user, body=data["body"], kind=ArticleKind.NOTE, files=_uploads(data["attachments"])
    )
    return _("The internal note was added.")


def _resolve(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.resolve(ticket, actor=user, resolution=data["resolution"])
    return _("The ticket is resolved.")


def _work(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.log_work(
        ticket,
        actor=user,
        minutes=data["minutes"],
        kind=data["kind"],
        billable=data["billable"],
        note=data["note"],
        date=data["date"],
    )
    minutes = data["minutes"]
    return ngettext("%(minutes)d minute was logged.", "%(minutes)d minutes were logged.", minutes) % {
        "minutes": minutes
    }


def _state(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.transition(ticket, actor=user, to_state=data["to_state"], reason=data["reason"])
    return _("The ticket is now %(state)s.") % {"state": label(data["to_state"])}


def _take(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.take(ticket, actor=user)
    return _("The ticket is yours.")


def _assign(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    agent = data["agent"]
    actions.assign(ticket, actor=user, agent=agent)
    if agent is None:
        return _("The ticket has no agent now.")
    return _("The ticket was assigned to %(agent)s.") % {"agent": agent.display_name()}


def _escalate(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.escalate(ticket, actor=user, team=data["team"], reason=data["reason"], agent=data["agent"])
    return _("The ticket was escalated to %(team)s.") % {"team": data["team"].name}


def _hand_back(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.hand_back(ticket, actor=user, reason=data["reason"])
    return _("The ticket was handed back to the first level.")


def _edit(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    fields = ("subject", "type", "impact", "urgency", "category", "tags")
    actions.update_fields(ticket, actor=user, **{field: data[field] for field in fields})
    return _("The ticket was saved.")


def _link(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.link(ticket, actor=user, other=data["number"], relation=data["relation"])
    return _("The tickets were linked.")


def _merge(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    actions.merge(ticket, actor=user, into=data["number"])
    return _("The ticket was merged into %(number)s.") % {"number": data["number"].number}


def _attach(ticket: Ticket, user: User, data: dict[str, Any]) -> str:
    uploads = _uploads(data["attachments"])
    with transaction.atomic():  # all the files or none
        for upload in uploads:
            actions.attach(ticket, actor=user, upload=upload)
    return _("The files were attached.")


@dataclass(frozen=True)
class Action:
    name: str  # URL segment, form id and key of the form in the page's context
    title: Any  # lazy text
    form_class: type[desk_forms.TicketActionForm]
    perform: Callable[[Ticket, User, dict[str, Any]], str]
    accesskey: str = ""
    multipart: bool = False
    inline: bool = False  # a lone button, not a form that opens
    confirm: Any = ""  # lazy text of a browser confirmation, on top of the form's own check


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action("reply", gettext_lazy("Reply"), desk_forms.ArticleForm, _reply, "r", multipart=True),
        Action("note", gettext_lazy("Internal note"), desk_forms.NoteForm, _note, "n", multipart=True),
        Action("take", gettext_lazy("Take it"), desk_forms.TakeForm, _take, "t", inline=True),
        Action("work", gettext_lazy("Log work"), desk_forms.WorkLogForm, _work, "w"),
        Action("state", gettext_lazy("Change state"), desk_forms.StateForm, _state),
        Action("resolve", gettext_lazy("Resolve"), desk_forms.ResolveForm, _resolve),
        Action("assign", gettext_lazy("Assign"), desk_forms.AssignForm, _assign),
        Action("escalate", gettext_lazy("Escalate"), desk_forms.EscalateForm, _escalate),
        Action("hand_back", gettext_lazy("Hand back to first level"), desk_forms.HandBackForm, _hand_back),
        Action("edit", gettext_lazy("Edit fields"), desk_forms.EditForm, _edit),
        Action("link", gettext_lazy("Link"), desk_forms.LinkForm, _link),
        Action(
            "merge",
            gettext_lazy("Merge"),
            desk_forms.MergeForm,
            _merge,
            confirm=gettext_lazy("Merge this ticket into the other one? This cannot be undone."),
        ),
        Action("attach", gettext_lazy("Attach files"), desk_forms.AttachForm, _attach, multipart=True),
    ]
}


@dataclass
class ActionPanel:
    """One action as the page shows it: its form, and the error of the last attempt if it failed."""

    action: Action
    form: desk_forms.TicketActionForm
    url: str
    error: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.error) or self.form.is_bound


def _panels(request: HttpRequest, ticket: Ticket, failed: ActionPanel | None = None) -> dict[str, ActionPanel]:
    user: Any = request.user
    tickets = Ticket.objects.visible_to(user)
    panels = {}
    for name, action in ACTIONS.items():
        if failed is not None and failed.action.name == name:
            panels[name] = failed
            continue
        form = action.form_class(ticket=ticket, user=user, tickets=tickets)
        panels[name] = ActionPanel(action, form, reverse(f"desk:ticket_{name}", args=[ticket.number]))
    return panels


def _page_context(request: HttpRequest, ticket: Ticket, failed: ActionPanel | None = None) -> dict[str, Any]:
    entries = timeline(ticket)
    first_level = ticket.team is not None and ticket.team.is_first_level
    return {
        "ticket": ticket,
        "state_label": label(ticket.state),
        "timeline": entries,
        "work": work_totals(entries),
        "attachments": Attachment.objects.filter(ticket=ticket).select_related("article"),
        "panels": _panels(request, ticket, failed),
        "can_take": ticket.is_open and ticket.assigned_to_id != request.user.pk,
        "can_hand_back": not first_level,
        "is_merged": ticket.merged_into_id is not None,
        **_mail_context(ticket),
    }


def _mail_context(ticket: Ticket) -> dict[str, Any]:
    """The ticket's e-mails and their delivery state (mail/templates/mail/_ticket_mail.html)."""
    from servicedesk.mail.models import OutboundMessage, OutboundStatus

    mails = list(OutboundMessage.objects.filter(ticket=ticket).defer("raw").order_by("-created_at", "-id")[:50])
    return {"ticket_mails": mails, "failed_mails": [m for m in mails if m.status == OutboundStatus.FAILED]}


def _refused(request: HttpRequest, ticket: Ticket, panel: ActionPanel, status: int) -> HttpResponse:
    """The action was refused: show the form again, as typed, with the reason beside it."""
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "desk/ticket/action_form.html", {"panel": panel, "ticket": ticket}, status=status)
        return reswap(retarget(response, f"#form-{panel.action.name}"), "outerHTML")
    return render(request, "desk/ticket.html", _page_context(request, ticket, failed=panel), status=status)


def _run(request: HttpRequest, number: str, action: Action) -> HttpResponse:
    ticket = _get_ticket(request, number)
    user: Any = request.user
    form = action.form_class(
        request.POST, request.FILES, ticket=ticket, user=user, tickets=Ticket.objects.visible_to(user)
    )
    panel = ActionPanel(action, form, reverse(f"desk:ticket_{action.name}", args=[ticket.number]))
    if not form.is_valid():
        return _refused(request, ticket, panel, 400)
    try:
        message = action.perform(ticket, user, form.cleaned_data)
    except AttachmentTooLarge as error:
        panel.error = error.message
        return _refused(request, ticket, panel, 413)
    except IllegalTransition as error:
        panel.error = error.message
        return _refused(request, ticket, panel, 409)
    except actions.ActionError as error:
        panel.error = error.message
        return _refused(request, ticket, panel, 400)
    messages.success(request, message)
    if request.htmx:  # type: ignore[attr-defined]
        ticket = _get_ticket(request, number)
        return render(request, "desk/ticket/main.html", _page_context(request, ticket))
    return redirect(ticket.get_absolute_url())


def _action_view(action: Action) -> Callable[..., HttpResponse]:
    @agent_required
    @require_POST
    def view(request: HttpRequest, number: str) -> HttpResponse:
        return _run(request, number, action)

    view.__name__ = f"ticket_{action.name}"
    return view


@agent_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _get_ticket(request, number)
    return render(request, "desk/ticket.html", _page_context(request, ticket))


# --- New ticket ------------------------------------------------------------------------------------------------


def _open(user: User, data: dict[str, Any]) -> Ticket:
    uploads = _uploads(data["attachments"])
    with transaction.atomic():  # the ticket and its files, or nothing
        ticket = actions.open_ticket(
            actor=user,
            subject=data["subject"],
            description=data["description"],
            type=data["type"],
            impact=data["impact"],
            urgency=data["urgency"],
            channel=data["channel"],
            organization=data["organization"],
            requester=data["requester"],
            category=data["category"],
            team=data["team"],
            items=data["items"],
        )
        for upload in uploads:
            actions.attach(ticket, actor=user, upload=upload)
    return ticket


def _new_ticket_form(*args: Any, **kwargs: Any) -> desk_forms.NewTicketForm:
    form = desk_forms.NewTicketForm(*args, **kwargs)
    # Picking the organization reloads its contacts and items (htmx); without JavaScript a failed submit does.
    form.fields["organization"].widget.attrs.update(
        {
            "hx-get": reverse("desk:new_ticket_people"),
            "hx-target": "#new-ticket-people",
            "hx-swap": "outerHTML",
            "autofocus": True,
        }
    )
    return form


@agent_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"organization": request.GET.get("organization"), "requester": request.GET.get("requester")}
        form = _new_ticket_form(initial=initial)
        return render(request, "desk/ticket_new.html", {"form": form})
    form = _new_ticket_form(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "desk/ticket_new.html", {"form": form}, status=400)
    try:
        ticket = _open(request.user, form.cleaned_data)  # type: ignore[arg-type]
    except AttachmentTooLarge as error:
        return render(request, "desk/ticket_new.html", {"form": form, "error": error.message}, status=413)
    except actions.ActionError as error:
        return render(request, "desk/ticket_new.html", {"form": form, "error": error.message}, status=400)
    messages.success(request, _("Ticket %(number)s was opened.") % {"number": ticket.number})
    return redirect(ticket.get_absolute_url())


@agent_required
@require_GET
def new_ticket_people(request: HttpRequest) -> HttpResponse:
    """The requester and item choices of the organization picked on the "new ticket" page (htmx)."""
    form = desk_forms.NewTicketForm(initial={"organization": request.GET.get("organization")})
    return render(request, "desk/ticket/new_people.html", {"form": form})


urlpatterns: list[URLPattern] = [
    path("tickets/new/", new_ticket, name="new_ticket"),
    path("tickets/new/people/", new_ticket_people, name="new_ticket_people"),
    path("tickets/<str:number>/", ticket_detail, name="ticket"),
    *[
        path(f"tickets/<str:number>/{name.replace('_', '-')}/", _action_view(action), name=f"ticket_{name}")
        for name, action in ACTIONS.items()
    ],
]
