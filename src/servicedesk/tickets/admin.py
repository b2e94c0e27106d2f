"""Admin of tickets and what is recorded on them.

The admin is a back-office repair tool, not a second desk: a ticket is opened, moved between states, assigned,
escalated and numbered only by servicedesk.tickets.actions, which also writes its history. So here the number,
state and the fields those actions own are read-only, history (events, team stints) is view-only, and nothing
that needs an action to be created can be added."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicedesk.tickets.models import (
    Article,
    Attachment,
    Blob,
    Category,
    Tag,
    TeamStint,
    Ticket,
    TicketEvent,
    TicketNumberSequence,
    TicketSearchDocument,
    WorkLogEntry,
)


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows that are history or derived data: shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_cs", "position", "default_team", "active")
    list_editable = ("position",)
    list_filter = ("active", "default_team")
    list_select_related = ("default_team",)
    search_fields = ("slug", "name_en", "name_cs")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(TicketNumberSequence)
class TicketNumberSequenceAdmin(ViewOnlyAdmin):
    # Lowering a counter would hand out a number twice.
    list_display = ("year", "last")


# What the ticket actions own; changing them here would skip the rules and the history.
TICKET_ACTION_FIELDS = (
    "number",
    "state",
    "priority",
    "channel",
    "team",
    "assigned_to",
    "merged_into",
    "created_by",
    "created_at",
    "updated_at",
    "assigned_at",
    "resolved_at",
    "closed_at",
)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "state", "priority", "organization", "team", "assigned_to", "created_at")
    list_filter = ("state", "priority", "type", "channel", "team")
    list_select_related = ("organization", "team", "assigned_to")
    search_fields = ("number", "subject", "organization__name", "requester__name", "requester__email")
    date_hierarchy = "created_at"
    readonly_fields = TICKET_ACTION_FIELDS
    raw_id_fields = ("organization", "requester", "cc", "items", "parent", "related")
    filter_horizontal = ("tags",)
    fieldsets = (
        (
            None,
            {
                "description": _(
                    "Tickets are worked on the desk. The number, state, priority, team and agent are written only "
                    "by the desk's actions, which keep the ticket's history; change them there."
                ),
                "fields": TICKET_ACTION_FIELDS,
            },
        ),
        (
            _("Request"),
            {
                "fields": (
                    "subject",
                    "description",
                    "type",
                    "impact",
                    "urgency",
                    "category",
                    "organization",
                    "requester",
                    "cc",
                    "items",
                    "tags",
                    "parent",
                    "related",
                )
            },
        ),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a ticket needs a number and its "created" event: open it on the desk


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "channel", "author", "author_contact", "created_at")
    list_filter = ("kind", "channel")
    list_select_related = ("ticket", "author", "author_contact")
    search_fields = ("ticket__number", "body")
    readonly_fields = ("ticket", "kind", "author", "author_contact", "channel", "created_at")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # replies and notes are written on the desk or the portal


@admin.register(Blob)
class BlobAdmin(ViewOnlyAdmin):
    list_display = ("sha256", "size", "content_type", "created_at")
    search_fields = ("sha256",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "ticket", "uploaded_by", "created_at")
    list_select_related = ("ticket", "uploaded_by")
    search_fields = ("filename", "ticket__number")
    readonly_fields = ("ticket", "article", "blob", "uploaded_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TicketEvent)
class TicketEventAdmin(ViewOnlyAdmin):
    list_display = ("ticket", "kind", "actor", "field", "old_value", "new_value", "is_public", "created_at")
    list_filter = ("kind", "is_public")
    list_select_related = ("ticket", "actor")
    search_fields = ("ticket__number", "note", "new_value")
    date_hierarchy = "created_at"


@admin.register(WorkLogEntry)
class WorkLogEntryAdmin(admin.ModelAdmin):
    list_display = ("ticket", "agent", "date", "minutes", "kind", "billable")
    list_filter = ("kind", "billable", "agent")
    list_select_related = ("ticket", "agent")
    search_fields = ("ticket__number", "note")
    raw_id_fields = ("ticket",)
    date_hierarchy = "date"


@admin.register(TeamStint)
class TeamStintAdmin(ViewOnlyAdmin):
    list_display = ("ticket", "team", "started_at", "ended_at")
    list_filter = ("team",)
    list_select_related = ("ticket", "team")
    search_fields = ("ticket__number",)


@admin.register(TicketSearchDocument)
class TicketSearchDocumentAdmin(ViewOnlyAdmin):
    list_display = ("ticket",)
    list_select_related = ("ticket",)
    search_fields = ("ticket__number",)
