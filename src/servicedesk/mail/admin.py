"""The outbox for operators: what was sent, what waits and why, and a way to send failed e-mails again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicedesk.mail.models import OutboundMessage, OutboundStatus


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin[OutboundMessage]):
    list_display = ["subject", "recipients", "kind", "status", "attempts", "created_at", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "message_id", "last_error"]
    raw_id_fields = ["ticket"]
    # The stored bytes are what was (or will be) sent: history, not something to edit.
    exclude = ["raw"]
    readonly_fields = [field.name for field in OutboundMessage._meta.fields if field.name != "raw"]
    actions = ["send_again"]

    @admin.display(description=_("recipients"))
    def recipients(self, message: OutboundMessage) -> str:
        return ", ".join([*message.to, *message.cc])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send again now (failed or waiting e-mails)"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        # Only rows nobody is sending: a sent e-mail is never sent twice from here.
        now = timezone.now()
        unleased = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        again = queryset.filter(unleased).exclude(status=OutboundStatus.SENT)
        count = again.update(
            status=OutboundStatus.PENDING, attempts=0, next_attempt_at=now, claimed_until=None, claim_token=None
        )
        self.message_user(
            request,
            ngettext("%(count)d e-mail will be sent again.", "%(count)d e-mails will be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
