"""One notification for one agent: shown under the bell until read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    ASSIGNED = "assigned", _("Assigned to you")
    TEAM_ASSIGNED = "team_assigned", _("Assigned to your team")
    ESCALATED = "escalated", _("Escalated to your team")
    CUSTOMER_REPLIED = "customer_replied", _("The customer replied")
    MAIL_FAILED = "mail_failed", _("An e-mail could not be delivered")
    OTHER = "other", _("Other")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail beside it is still to be written: the worker does it after the change committed
    # (notifications/tasks.py), so a sweep firing a thousand warnings does not render a thousand mails inline.
    email_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"]),
            models.Index(fields=["id"], condition=models.Q(email_pending=True), name="notification_email_pending"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title
