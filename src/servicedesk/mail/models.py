"""The outbox: every e-mail the desk sends is first a row here, written in the transaction of the change that
caused it; the worker delivers it (mail/delivery.py). A dead worker or an SMTP outage delays mail and loses none."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")  # permanently: shown on the ticket


class DeliveryState(models.TextChoices):
    """What a person is told about one e-mail: the stored status, refined by the attempts made so far."""

    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    RETRYING = "retrying", _("Delayed, will be retried")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be delivered")


class OutboundMessage(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_messages"
    )
    kind = models.CharField(max_length=50, blank=True, help_text="What caused it, e.g. ask_confirmation.")
    from_email = models.CharField(max_length=300)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500)
    # The whole RFC 5322 message as Django built it (alternatives and attachments included).
    raw = models.BinaryField()
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker delivering it: until then no other worker takes the row; a dead worker's lease
    # simply runs out. Only the holder of claim_token may record a failed attempt.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    def delivery_state(self, now: dt.datetime | None = None) -> DeliveryState:
        if self.status == OutboundStatus.SENT:
            return DeliveryState.SENT
        if self.status == OutboundStatus.FAILED:
            return DeliveryState.FAILED
        if self.claimed_until is not None and self.claimed_until > (now or timezone.now()):
            return DeliveryState.SENDING
        return DeliveryState.RETRYING if self.attempts else DeliveryState.QUEUED

    @property
    def delivery_state_label(self) -> str:
        """For the ticket page, e.g. "Delayed, will be retried"; last_error and next_attempt_at give the detail."""
        return str(self.delivery_state().label)
