"""Webhook subscriptions and their outbox: one Delivery row per (event, subscription), written in the
transaction of the ticket change; the task worker sends it and logs every attempt."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organization


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Subscription(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Events are POSTed here as JSON (http or https)."),
    )
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret, editable=False)
    event_types = models.JSONField(_("events"), default=list)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("only tickets of"),
        help_text=_("Leave empty to receive events of every organization's tickets."),
    )
    include_internal = models.BooleanField(
        _("include internal notes"),
        default=False,
        help_text=_("Send internal notes and escalation reasons too. Only for receivers inside the company."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        permissions = [("manage", _("Can manage webhook subscriptions"))]
        # The intake reads the active subscriptions on every ticket event.
        indexes = [models.Index(fields=["active"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("webhooks:subscription", args=[self.pk])

    def wants(self, event_type: str, organization_id: int | None) -> bool:
        if event_type not in self.event_types:
            return False
        return self.organization_id is None or self.organization_id == organization_id


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")  # claimed by a worker until due_at (the lease)
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")  # gave up after WEBHOOK_MAX_ATTEMPTS


class Delivery(models.Model):
    """One event for one subscription. `body` is the exact JSON sent (every attempt sends the same bytes).

    Due when status is pending or sending and due_at <= now: a claim sets status=sending and moves due_at to the
    end of a lease, so a row whose worker died becomes due again when the lease runs out."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event_type = models.CharField(max_length=60)
    ticket_number = models.CharField(max_length=20, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The last attempt, copied here so the log page is one query.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["subscription", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: what came back and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["number", "id"]

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
