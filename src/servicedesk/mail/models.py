"""The outbox: every e-mail the desk sends is first a row here, written in the transaction of the change that
caused it; the worker delivers it. A dead worker or an SMTP outage delays mail and loses none."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboundStatus(models.TextChoices):
    PENDING = "pending", "pending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"  # permanently: shown on the ticket


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

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
