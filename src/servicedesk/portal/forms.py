"""Forms of the portal. They only parse; the rules are in servicedesk.tickets.actions and portal.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact
from servicedesk.assets.models import ConfigurationItem
from servicedesk.desk.forms import MultipleFileField
from servicedesk.tickets.models import Category, Level, TicketType

# --- "How badly does it hurt you?" -----------------------------------------------------------------------------
# A customer cannot be asked for ITIL's impact and urgency, so they answer one plain question, and each answer
# stands for an (impact, urgency) pair; with the default settings.PRIORITY_MATRIX the four answers give the four
# priorities:
#   "I cannot work at all"      → impact high,   urgency high   → P1
#   "My work is limited"        → impact medium, urgency high   → P2
#   "It is an inconvenience"    → impact medium, urgency low    → P3
#   "Just a question"           → impact low,    urgency low    → P4
# The first-level agent re-grades the ticket when the answer overstates (or understates) it.
SEVERITY_LEVELS: dict[str, tuple[str, str]] = {
    "blocked": (Level.HIGH, Level.HIGH),
    "limited": (Level.MEDIUM, Level.HIGH),
    "inconvenience": (Level.MEDIUM, Level.LOW),
    "question": (Level.LOW, Level.LOW),
}
SEVERITY_CHOICES = [
    ("blocked", _("I cannot work at all")),
    ("limited", _("My work is limited")),
    ("inconvenience", _("It is an inconvenience")),
    ("question", _("Just a question")),
]


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class NewTicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255, widget=forms.TextInput(attrs={"autofocus": True}))
    severity = forms.ChoiceField(
        label=_("How badly does it hurt you?"), choices=SEVERITY_CHOICES, widget=forms.RadioSelect, initial="limited"
    )
    type = forms.ChoiceField(label=_("What is it?"), choices=TicketType.choices, initial=TicketType.INCIDENT)
    category = forms.ModelChoiceField(
        label=_("Area"), queryset=Category.objects.none(), required=False, empty_label=_("I don't know")
    )
    item = forms.ModelChoiceField(
        label=_("Affected device or service"),
        queryset=ConfigurationItem.objects.none(),
        required=False,
        empty_label=_("None, or I don't know"),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=_textarea(8),
        help_text=_("What happened, since when, what you already tried; error messages as they read."),
    )
    attachments = MultipleFileField(label=_("Attachments"), help_text=_("Screenshots, documents, logs."))

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["category"].queryset = Category.objects.filter(active=True)
        # Their own organization's items only: a posted id of another organization's item is "not one of the choices".
        if contact.organization_id is None:
            del self.fields["item"]
        else:
            fields["item"].queryset = ConfigurationItem.objects.filter(
                organization_id=contact.organization_id, active=True
            ).order_by("name")

    def impact_and_urgency(self) -> tuple[str, str]:
        return SEVERITY_LEVELS[self.cleaned_data["severity"]]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=_textarea(4), required=False)
    attachments = MultipleFileField(label=_("Attachments"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Write something or attach a file."))
        return data


class ReopenForm(forms.Form):
    body = forms.CharField(
        label=_("What is still wrong?"),
        widget=_textarea(3),
        required=False,
        help_text=_("Your words go to the agent as a reply."),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the resolution?"),
        choices=[
            (5, _("5 – excellent")),
            (4, _("4 – good")),
            (3, _("3 – acceptable")),
            (2, _("2 – poor")),
            (1, _("1 – very poor")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), widget=_textarea(3), required=False, max_length=5000)


class TicketFilterForm(forms.Form):
    """The list's filters, from the query string. Invalid values fall back to the defaults."""

    state = forms.ChoiceField(
        label=_("Show"),
        choices=[("all", _("All tickets")), ("open", _("Open")), ("resolved", _("Resolved and closed"))],
        required=False,
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    requester = forms.ModelChoiceField(
        label=_("Requested by"), queryset=Contact.objects.none(), required=False, empty_label=_("Anyone")
    )

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contact.is_manager and contact.organization_id is not None:
            fields: Any = self.fields
            fields["requester"].queryset = Contact.objects.filter(organization_id=contact.organization_id).only(
                "id", "name", "email"
            )
        else:
            del self.fields["requester"]

    def value(self, name: str) -> Any:
        """The cleaned value, or the default when the field was wrong or missing."""
        self.is_valid()  # keeps the valid fields' values in cleaned_data even when another one is wrong
        return self.cleaned_data.get(name) or ("all" if name == "state" else None)
