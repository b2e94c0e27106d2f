"""The hotline screen: log a phone call while the customer talks.

The agent finds the caller as they type (an htmx look-up by phone, e-mail or name), picks them or enters a new
caller, writes down what the caller says and saves; servicedesk.desk.hotline.log_call does the writing. Each
htmx helper below also answers a plain GET, so the screen works without JavaScript too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from servicedesk.accounts.models import Contact, Organization
from servicedesk.assets.models import ConfigurationItem
from servicedesk.desk.access import agent_required
from servicedesk.desk.hotline import Call, NewCaller, SpotResolution, find_callers, log_call
from servicedesk.lib import clock
from servicedesk.sla.models import Contract
from servicedesk.tickets import actions
from servicedesk.tickets.models import Category, Level, Ticket, TicketType
from servicedesk.tickets.states import IllegalTransition, State

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

# The caller's open tickets shown once picked: enough to spot the one the call is about.
MAX_CALLER_TICKETS = 10


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CallForm(forms.Form):
    """The caller (picked, or new) and what they say. Only parses; log_call applies the rules."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.filter(active=True).select_related("organization"),
        required=False,
        widget=forms.HiddenInput,
    )
    new_name = forms.CharField(label=gettext_lazy("Name and surname"), max_length=200, required=False)
    new_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=100, required=False)
    new_email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    new_organization = forms.ModelChoiceField(
        queryset=Organization.objects.filter(active=True),
        label=gettext_lazy("Organization"),
        required=False,
        # Picking the organization refreshes the affected-item choices.
        widget=forms.Select(
            attrs={"hx-get": reverse_lazy("desk:hotline_items"), "hx-target": "#hotline-item", "hx-swap": "outerHTML"}
        ),
    )
    new_organization_name = forms.CharField(
        label=gettext_lazy("…or a new organization"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Created together with the ticket."),
    )

    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=255)
    description = forms.CharField(
        label=gettext_lazy("What the caller says"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=TicketType.choices, initial=TicketType.INCIDENT)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(active=True), label=gettext_lazy("Category"), required=False
    )
    impact = forms.ChoiceField(label=gettext_lazy("Impact"), choices=Level.choices, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Level.choices, initial=Level.MEDIUM)
    item = forms.ModelChoiceField(
        queryset=ConfigurationItem.objects.none(), label=gettext_lazy("Affected item"), required=False
    )

    resolved = forms.BooleanField(label=gettext_lazy("Resolved on the spot"), required=False)
    resolution = forms.CharField(
        label=gettext_lazy("Resolution (sent to the customer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.IntegerField(label=gettext_lazy("Minutes worked"), min_value=1, max_value=24 * 60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id = self._organization_id()
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)
        # Only the items of the caller's organization: an item of another customer cannot be picked.
        item.queryset = (
            ConfigurationItem.objects.filter(organization_id=self.organization_id, active=True)
            if self.organization_id is not None
            else ConfigurationItem.objects.none()
        )

    def _organization_id(self) -> int | None:
        source = self.data if self.is_bound else self.initial
        contact = source.get("contact")
        if isinstance(contact, Contact):
            return contact.organization_id
        contact_id = _int(contact)
        if contact_id is not None:
            return Contact.objects.filter(pk=contact_id).values_list("organization_id", flat=True).first()
        organization = source.get("new_organization")
        return organization.pk if isinstance(organization, Organization) else _int(organization)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("contact") is None and "contact" not in self.errors:
            if not data.get("new_name", "").strip():
                self.add_error("new_name", _("Pick the caller from the search, or enter a new caller's name."))
            if data.get("new_organization") is not None and data.get("new_organization_name", "").strip():
                self.add_error("new_organization_name", _("Pick an organization or type a new one, not both."))
        if data.get("resolved"):
            if not data.get("resolution", "").strip():
                self.add_error("resolution", _("Say how the problem was resolved."))
            if data.get("minutes") is None:
                self.add_error("minutes", _("How many minutes did the call take?"))
        return data

    def caller(self) -> Contact | NewCaller:
        data = self.cleaned_data
        if data["contact"] is not None:
            contact: Contact = data["contact"]
            return contact
        return NewCaller(
            name=data["new_name"],
            phone=data["new_phone"],
            email=data["new_email"],
            organization=data["new_organization"],
            organization_name=data["new_organization_name"],
        )

    def call(self) -> Call:
        data = self.cleaned_data
        return Call(
            subject=data["subject"],
            description=data["description"],
            type=data["type"],
            impact=data["impact"],
            urgency=data["urgency"],
            category=data["category"],
            item=data["item"],
        )

    def spot_resolution(self) -> SpotResolution | None:
        data = self.cleaned_data
        if not data["resolved"]:
            return None
        return SpotResolution(text=data["resolution"], minutes=data["minutes"])


def _new_caller_initial(text: str) -> dict[str, str]:
    """What the agent searched for, put where it belongs in the new caller's fields."""
    text = text.strip()
    if "@" in text:
        return {"new_email": text}
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 3 and digits >= len(text.replace(" ", "")) - 1:  # allow a leading "+"
        return {"new_phone": text}
    return {"new_name": text} if text else {}


def _picked(form: CallForm) -> Contact | None:
    if form.is_bound:
        return getattr(form, "cleaned_data", {}).get("contact")
    contact = form.initial.get("contact")
    return contact if isinstance(contact, Contact) else None


def _caller_context(user: User, form: CallForm) -> dict[str, Any]:
    caller = _picked(form)
    tickets: list[Ticket] = []
    contracts: list[Contract] = []
    if caller is not None and caller.organization_id is not None:
        # What the caller's company bought: the agent sees at once whether a night call is covered (24/7 hotline).
        contracts = list(
            Contract.objects.valid_on(timezone.localdate(clock.now()))
            .filter(organization_id=caller.organization_id)
            .select_related("plan")
        )
    if caller is not None:
        tickets = list(
            Ticket.objects.visible_to(user)
            .open()
            .filter(requester=caller)
            .order_by("priority", "-created_at")[:MAX_CALLER_TICKETS]
        )
    return {"form": form, "caller": caller, "caller_tickets": tickets, "caller_contracts": contracts}


def _contact_or_404(value: Any) -> Contact:
    pk = _int(value)
    contact = None
    if pk is not None:
        contact = Contact.objects.filter(pk=pk, active=True).select_related("organization").first()
    if contact is None:
        raise Http404
    return contact


def _unbound_form(query: QueryDict) -> CallForm:
    """The form as a GET asks for it: a picked caller (?contact=), or a new one from what was searched (?new=1&q=)."""
    if query.get("contact"):
        return CallForm(initial={"contact": _contact_or_404(query["contact"])})
    if query.get("new"):
        return CallForm(initial=_new_caller_initial(query.get("q", "")))
    return CallForm()


def _page(request: HttpRequest, form: CallForm, *, q: str = "", error: str = "", status: int = 200) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = _caller_context(user, form)
    context.update({"q": q, "callers": find_callers(user, q) if q.strip() else [], "error": error})
    return render(request, "desk/hotline.html", context, status=status)


@agent_required
def hotline(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, _unbound_form(request.GET), q=request.GET.get("q", ""))
    form = CallForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    user: User = request.user  # type: ignore[assignment]
    try:
        ticket = log_call(actor=user, caller=form.caller(), call=form.call(), resolution=form.spot_resolution())
    except actions.ActionError as failure:
        return _page(request, form, error=failure.message, status=400)
    except IllegalTransition as failure:
        return _page(request, form, error=failure.message, status=409)
    if ticket.state == State.RESOLVED:
        messages.success(request, _("Call logged and resolved as %(number)s.") % {"number": ticket.number})
    else:
        messages.success(request, _("Call logged as %(number)s.") % {"number": ticket.number})
    return redirect(ticket.get_absolute_url())


@agent_required
@require_GET
def callers(request: HttpRequest) -> HttpResponse:
    """The live results of the caller look-up (htmx)."""
    q = request.GET.get("q", "")
    user: User = request.user  # type: ignore[assignment]
    return render(request, "desk/hotline/results.html", {"q": q, "callers": find_callers(user, q) if q.strip() else []})


@agent_required
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    """The caller part of the form (htmx): the picked caller with their open tickets, or a new caller's fields."""
    user: User = request.user  # type: ignore[assignment]
    context = _caller_context(user, _unbound_form(request.GET))
    return render(request, "desk/hotline/caller_swap.html", context)


@agent_required
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    """The affected-item choices of the organization picked for a new caller (htmx)."""
    pk = _int(request.GET.get("new_organization"))
    organization = Organization.objects.filter(pk=pk).first() if pk is not None else None
    form = CallForm(initial={"new_organization": organization})
    return render(request, "desk/hotline/item_field.html", {"form": form})


urlpatterns: list[URLPattern] = [
    path("hotline/", hotline, name="hotline"),
    path("hotline/callers/", callers, name="hotline_callers"),
    path("hotline/caller/", caller, name="hotline_caller"),
    path("hotline/items/", items, name="hotline_items"),
]
