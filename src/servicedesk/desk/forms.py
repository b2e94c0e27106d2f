"""Forms of the agent's ticket page and of the "new ticket" page. They only parse input; the rules live in
servicedesk.tickets.actions, which the views call with the cleaned data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, Organization, Team
from servicedesk.assets.models import ConfigurationItem
from servicedesk.tickets.models import Category, Channel, Level, Ticket, TicketQuerySet, TicketType, WorkKind, agents
from servicedesk.tickets.states import State, allowed_targets

if TYPE_CHECKING:
    from servicedesk.accounts.models import User


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); the size limit is checked by the view."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _textarea(rows: int = 5, autofocus: bool = False) -> forms.Textarea:
    attrs: dict[str, Any] = {"rows": rows}
    if autofocus:
        # Focused when its form opens (the page's script) or comes back from the server with an error (htmx).
        attrs["autofocus"] = True
    return forms.Textarea(attrs=attrs)


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name())


class TeamAgentChoiceField(AgentChoiceField):
    """Agents with their teams, so the one to escalate to is easy to pick."""

    def label_from_instance(self, obj: Any) -> str:
        teams = ", ".join(team.name for team in obj.teams.all())
        return f"{obj.display_name()} ({teams})" if teams else str(obj.display_name())


class TicketActionForm(forms.Form):
    """A form of one action on one ticket. Field ids carry the action's name: the page holds them all at once."""

    action_name = "action"

    def __init__(self, *args: Any, ticket: Ticket, user: User, tickets: TicketQuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.action_name}_%s")
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.user = user
        self.tickets = tickets  # what the user may see: linked and merged tickets are looked up here


class ArticleForm(TicketActionForm):
    action_name = "reply"
    body = forms.CharField(label=_("Text"), required=False, widget=_textarea(6, autofocus=True), strip=False)
    attachments = MultipleFileField(label=_("Attachments"))


class NoteForm(ArticleForm):
    action_name = "note"


class ResolveForm(TicketActionForm):
    action_name = "resolve"
    resolution = forms.CharField(
        label=_("Resolution (sent to the customer as a public reply)"),
        required=False,
        widget=_textarea(4, autofocus=True),
    )


class WorkLogForm(TicketActionForm):
    action_name = "work"
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkKind.choices, initial=WorkKind.REMOTE)
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)
    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(2))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes"].widget.attrs["autofocus"] = True


class StateForm(TicketActionForm):
    action_name = "state"
    to_state = forms.ChoiceField(label=_("New state"), choices=State.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=_textarea(2))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the moves the state machine offers are listed; any state is accepted, so a stale page meets the
        # state machine (409) instead of a bare form error.
        offered = allowed_targets(self.ticket.state) - {State.ASSIGNED}
        self.fields["to_state"].widget.choices = [(value, text) for value, text in State.choices if value in offered]

    @property
    def has_targets(self) -> bool:
        return bool(self.fields["to_state"].widget.choices)


class TakeForm(TicketActionForm):
    action_name = "take"


class AssignForm(TicketActionForm):
    action_name = "assign"
    agent = AgentChoiceField(label=_("Agent"), queryset=agents(), required=False, empty_label=_("— nobody —"))


class EscalateForm(TicketActionForm):
    action_name = "escalate"
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all())
    reason = forms.CharField(label=_("Reason"), widget=_textarea(3, autofocus=True))
    agent = TeamAgentChoiceField(
        label=_("Agent of that team (optional)"),
        queryset=agents().prefetch_related("teams"),
        required=False,
        empty_label=_("— the team —"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.ticket.team_id is not None:
            _choices(self, "team").queryset = Team.objects.exclude(pk=self.ticket.team_id)


class HandBackForm(TicketActionForm):
    action_name = "hand_back"
    reason = forms.CharField(label=_("Reason"), widget=_textarea(3, autofocus=True))


class EditForm(TicketActionForm):
    action_name = "edit"
    subject = forms.CharField(label=_("Subject"), max_length=255)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), required=False
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            ticket = self.ticket
            self.initial.update(
                subject=ticket.subject,
                type=ticket.type,
                impact=ticket.impact,
                urgency=ticket.urgency,
                category=ticket.category_id,
                tags=", ".join(tag.name for tag in ticket.tags.all()),
            )

    def clean_tags(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]


class OtherTicketForm(TicketActionForm):
    number = forms.CharField(label=_("Ticket number"), max_length=20)

    def clean_number(self) -> Ticket:
        number = self.cleaned_data["number"].strip()
        other = self.tickets.filter(number=number).first()
        if other is None:
            raise forms.ValidationError(_("There is no ticket %(number)s."), params={"number": number})
        return other


class LinkForm(OtherTicketForm):
    action_name = "link"
    relation = forms.ChoiceField(
        label=_("Relation"),
        choices=[
            ("related", _("Related to")),
            ("parent", _("Child of (the other ticket is the parent)")),
            ("child", _("Parent of (the other ticket is a child)")),
        ],
    )
    field_order = ["relation", "number"]


class MergeForm(OtherTicketForm):
    action_name = "merge"
    confirm = forms.BooleanField(
        label=_("Yes, merge: this ticket is closed and its messages move to the other ticket."), required=True
    )


class AttachForm(TicketActionForm):
    action_name = "attach"
    attachments = MultipleFileField(label=_("Files"), required=True)


# --- New ticket --------------------------------------------------------------------------------------------

NEW_TICKET_CHANNELS = [(value, label) for value, label in Channel.choices if value in {"web", "phone", "email"}]


class NewTicketForm(forms.Form):
    """An agent opens a ticket on behalf of a customer. Requester and items follow the chosen organization."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.filter(active=True))
    requester = forms.ModelChoiceField(
        label=_("Requester"), queryset=Contact.objects.none(), required=False, empty_label=_("— not known —")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=NEW_TICKET_CHANNELS, initial=Channel.WEB)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial=TicketType.INCIDENT)
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices, initial=Level.MEDIUM)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("— by category, else first level —"),
    )
    items = forms.ModelMultipleChoiceField(
        label=_("Affected items"), queryset=ConfigurationItem.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea(8))
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        requester = self._initial_requester()
        if requester is not None and not self.initial.get("organization"):
            # e.g. from the hotline: the caller is known, and so is the organization
            self.initial["organization"] = requester.organization_id
        organization_id = self._organization_id()
        if organization_id is not None:
            _choices(self, "requester").queryset = Contact.objects.filter(organization_id=organization_id, active=True)
            _choices(self, "items").queryset = ConfigurationItem.objects.filter(
                organization_id=organization_id, active=True
            )

    def _initial_requester(self) -> Contact | None:
        raw = None if self.is_bound else self.initial.get("requester")
        if not raw or not str(raw).isdigit():
            return None
        return Contact.objects.filter(pk=int(raw), active=True).first()

    def _organization_id(self) -> int | None:
        raw = self.data.get("organization") if self.is_bound else self.initial.get("organization")
        if isinstance(raw, Organization):
            return raw.pk
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None
