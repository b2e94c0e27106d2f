"""The ticket resource: what is read, and the input of each write (the actions do the writing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicedesk.accounts.models import Contact, Organization, Team, User
from servicedesk.api.serializers.sla import (
    ContractRefSerializer,
    PlanVersionRefSerializer,
    contract_ref,
    plan_version_ref,
)
from servicedesk.assets.models import ConfigurationItem
from servicedesk.tickets.models import (
    Article,
    Attachment,
    Category,
    Channel,
    Level,
    Priority,
    Ticket,
    TicketEvent,
    TicketType,
    WorkKind,
)
from servicedesk.tickets.states import State

NUMBER_PATTERN = r"\d{4}-\d{6}"


def _datetime(value: dt.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


class TicketSerializer(serializers.Serializer[Ticket]):
    """A ticket as the caller may see it; related objects by id. Customers get null for team and agent.

    The fields document the schema; to_representation reads the row directly, because this runs for every row
    of the list and every write, and DRF's field-by-field path costs more than the rest of such a request."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    subject = serializers.CharField()
    description = serializers.CharField()
    type = serializers.ChoiceField(choices=TicketType.choices)
    impact = serializers.ChoiceField(choices=Level.choices)
    urgency = serializers.ChoiceField(choices=Level.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    state = serializers.ChoiceField(choices=State.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    organization = serializers.IntegerField(allow_null=True)
    requester = serializers.IntegerField(allow_null=True)
    category = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True, help_text="Null for customers.")
    assigned_to = serializers.IntegerField(allow_null=True, help_text="The agent; null for customers.")
    parent = serializers.IntegerField(allow_null=True)
    merged_into = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    assigned_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    # SLA (read-only; GET /tickets/{number}/sla/ adds the timers' status and history).
    sla_plan = PlanVersionRefSerializer(allow_null=True, help_text="The plan version measuring the ticket.")
    contract = ContractRefSerializer(allow_null=True)
    reaction_due_at = serializers.DateTimeField(allow_null=True)
    reacted_at = serializers.DateTimeField(allow_null=True)
    reaction_breached = serializers.BooleanField()
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    resolution_breached = serializers.BooleanField()
    paused_seconds = serializers.IntegerField(help_text="Business seconds the resolution timer was paused.")
    sla_paused = serializers.BooleanField()

    def to_representation(self, ticket: Ticket) -> dict[str, Any]:
        request = self.context.get("request")
        for_agent = bool(request is not None and request.user.is_staff)
        return {
            "id": ticket.pk,
            "number": ticket.number,
            "subject": ticket.subject,
            "description": ticket.description,
            "type": ticket.type,
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "priority": ticket.priority,
            "state": ticket.state,
            "channel": ticket.channel,
            "organization": ticket.organization_id,
            "requester": ticket.requester_id,
            "category": ticket.category_id,
            "team": ticket.team_id if for_agent else None,
            "assigned_to": ticket.assigned_to_id if for_agent else None,
            "parent": ticket.parent_id,
            "merged_into": ticket.merged_into_id,
            "created_at": _datetime(ticket.created_at),
            "updated_at": _datetime(ticket.updated_at),
            "assigned_at": _datetime(ticket.assigned_at),
            "resolved_at": _datetime(ticket.resolved_at),
            "closed_at": _datetime(ticket.closed_at),
            "sla_plan": plan_version_ref(ticket.sla_plan),
            "contract": contract_ref(ticket.contract, for_agent=for_agent),
            "reaction_due_at": _datetime(ticket.reaction_due_at),
            "reacted_at": _datetime(ticket.reacted_at),
            "reaction_breached": ticket.reaction_breached,
            "resolution_due_at": _datetime(ticket.resolution_due_at),
            "resolution_breached": ticket.resolution_breached,
            "paused_seconds": ticket.paused_seconds,
            "sla_paused": ticket.sla_paused_since is not None,
        }


class TicketCreateSerializer(serializers.Serializer[Any]):
    """A new ticket. For a customer, organization and requester are theirs whatever is sent, and team is ignored."""

    subject = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=TicketType.choices, default=TicketType.INCIDENT)
    impact = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    urgency = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API, help_text="Agents only.")
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, help_text="Agents only."
    )
    requester = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.select_related("organization"),  # open_ticket reads its organization
        required=False,
        allow_null=True,
        help_text="Agents only.",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, help_text="Agents only."
    )
    items = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), many=True, required=False, help_text="Affected items."
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, help_text="Agents only.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.context.get("contact")
        if contact is not None:  # a customer: only their own organization's items exist for them
            self.fields["items"].child_relation.queryset = ConfigurationItem.objects.filter(
                organization_id=contact.organization_id
            )

    def validate_subject(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("A ticket needs a subject."))
        return value


class TicketUpdateSerializer(serializers.Serializer[Any]):
    """The editable fields (actions.update_fields); send only those that change."""

    subject = serializers.CharField(max_length=255, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=TicketType.choices, required=False)
    impact = serializers.ChoiceField(choices=Level.choices, required=False)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
    requester = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)


class TicketFilterSerializer(serializers.Serializer[Any]):
    """The desk's filters, as query parameters of the ticket list."""

    state = serializers.ChoiceField(choices=State.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    team = serializers.IntegerField(required=False, min_value=1)
    agent = serializers.CharField(required=False, help_text="An agent's id, or `none` for unassigned tickets.")
    organization = serializers.IntegerField(required=False, min_value=1)
    type = serializers.ChoiceField(choices=TicketType.choices, required=False)
    category = serializers.IntegerField(required=False, min_value=1)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    q = serializers.CharField(required=False, max_length=200, help_text="Full-text search: every word, as a prefix.")

    def validate_agent(self, value: str) -> str:
        if value != "none" and not value.isdigit():
            raise serializers.ValidationError(_("An agent's id, or “none”."))
        return value


def _staff() -> Any:
    return User.objects.filter(is_staff=True, is_active=True)


class AssignSerializer(serializers.Serializer[Any]):
    agent = serializers.PrimaryKeyRelatedField(
        queryset=_staff(), allow_null=True, help_text="The agent's id; null takes the ticket away."
    )


class EscalateSerializer(serializers.Serializer[Any]):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    reason = serializers.CharField()
    agent = serializers.PrimaryKeyRelatedField(queryset=_staff(), required=False, allow_null=True)


class TransitionSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ArticleInputSerializer(serializers.Serializer[Any]):
    body = serializers.CharField()


class WorklogSerializer(serializers.Serializer[Any]):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    kind = serializers.ChoiceField(choices=WorkKind.choices, default=WorkKind.REMOTE)
    billable = serializers.BooleanField(default=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False)


class WorklogEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    agent = serializers.IntegerField(source="agent_id")
    minutes = serializers.IntegerField()
    kind = serializers.CharField()
    billable = serializers.BooleanField()
    note = serializers.CharField()
    date = serializers.DateField()


class OtherTicketField(serializers.RegexField):
    """Another ticket by its number; looked up among the tickets the caller may see."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(regex=rf"^{NUMBER_PATTERN}$", **kwargs)


class MergeSerializer(serializers.Serializer[Any]):
    into = OtherTicketField(help_text="The number of the ticket this one is merged into.")


class LinkSerializer(serializers.Serializer[Any]):
    other = OtherTicketField(help_text="The number of the other ticket.")
    relation = serializers.ChoiceField(choices=["related", "parent", "child"], default="related")


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    size = serializers.IntegerField(source="blob.size")
    content_type = serializers.CharField(source="blob.content_type")
    article = serializers.IntegerField(source="article_id", allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "size", "content_type", "article", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        from django.urls import reverse

        return reverse("api:attachment-download", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    article = serializers.IntegerField(
        required=False, allow_null=True, help_text="Attach to this article of the ticket."
    )


class ArticleSerializer(serializers.ModelSerializer[Article]):
    author_name = serializers.CharField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["id", "kind", "channel", "author_name", "body", "created_at", "attachments"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_attachments(self, article: Article) -> list[int]:
        return [attachment.pk for attachment in article.attachments.all()]


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    actor_name = serializers.CharField()

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor_name", "field", "old_value", "new_value", "note", "is_public", "created_at"]
        read_only_fields = fields
