"""The outbox: every e-mail the desk sends is first a row here, written in the transaction of the change that
caused it; the worker delivers it (mail/delivery.py). A dead worker or an SMTP outage delays mail and loses none."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
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
    article = models.ForeignKey(
        "tickets.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_messages"
    )
    # Automatic mail (acknowledgements, notifications) as opposed to an agent's reply: never answered by us.
    automatic = models.BooleanField(default=False)
    # A ticket mail is written here with the change as what to say (template key, recipients, context); the worker
    # renders it into `raw` just before sending (mail/outbound.compose), so a busy desk does not render mail inline.
    compose = models.JSONField(null=True, blank=True)
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


# --- Inbound -------------------------------------------------------------------------------------------------


class MailboxProtocol(models.TextChoices):
    IMAP = "imap", _("IMAP (STARTTLS when offered)")
    IMAPS = "imaps", _("IMAPS (TLS)")
    NONE = "none", _("None: mail arrives over SMTP/LMTP (servicedesk smtpd)")


class ProcessedAction(models.TextChoices):
    MOVE = "move", _("Move to a folder")
    FLAG = "flag", _("Flag as seen")


class StrangerPolicy(models.TextChoices):
    """A reply to a ticket from someone who is not its requester, a CC or a contact of its organization."""

    NOTE = "note", _("Internal note flagged for review")
    NEW_TICKET = "new_ticket", _("A new ticket")


class Mailbox(models.Model):
    """A support address: fetched over IMAP, or delivered to `servicedesk smtpd` (SMTP/LMTP)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(_("address"), unique=True, help_text=_("Replies go here (Reply-To)."))
    aliases = models.JSONField(
        _("other addresses"), default=list, blank=True, help_text=_("Recipients smtpd maps to this mailbox.")
    )
    protocol = models.CharField(
        _("protocol"), max_length=10, choices=MailboxProtocol.choices, default=MailboxProtocol.IMAPS
    )
    host = models.CharField(_("host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True, help_text=_("Empty: 143 or 993."))
    username = models.CharField(_("user"), max_length=255, blank=True)
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    poll_seconds = models.PositiveIntegerField(_("poll interval (seconds)"), default=60)
    processed_action = models.CharField(
        _("processed messages"), max_length=10, choices=ProcessedAction.choices, default=ProcessedAction.MOVE
    )
    processed_folder = models.CharField(_("move to folder"), max_length=255, default="Processed", blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team for new tickets"),
    )
    stranger_policy = models.CharField(
        _("replies from outsiders"), max_length=20, choices=StrangerPolicy.choices, default=StrangerPolicy.NOTE
    )
    active = models.BooleanField(_("active"), default=True)
    # Polling state: the worker claims a poll with compare-and-set on next_poll_at.
    next_poll_at = models.DateTimeField(default=timezone.now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        permissions = [("manage", "Can manage mailboxes, mail templates and the quarantine")]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("In quarantine")
    RELEASED = "released", _("Released from quarantine")
    DISCARDED = "discarded", _("Discarded")


class InboundMessage(models.Model):
    """One received message: its raw bytes (a content-addressed Blob) are stored before anything else happens.

    Same bytes → the same row (raw is unique); same Message-ID → processed once (the second is recorded as a
    duplicate of the first)."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    raw = models.OneToOneField("tickets.Blob", on_delete=models.PROTECT, related_name="inbound_message")
    source = models.CharField(max_length=10, default="imap")  # imap | smtp | lmtp | upload
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    sender = models.CharField(max_length=320, blank=True)  # lower-case address from From:
    subject = models.CharField(max_length=998, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    # What processing did: new_ticket | article | note | duplicate | ignored | bounce | …
    outcome = models.CharField(max_length=30, blank=True)
    reason = models.TextField(blank=True, help_text="Why it is in quarantine, or why it was ignored.")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    article = models.ForeignKey(
        "tickets.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["sender", "received_at"]),
        ]
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class ThreadMessageId(models.Model):
    """A Message-ID we received or sent, and the ticket (and article) it belongs to: replies thread by these."""

    message_id = models.CharField(max_length=998, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="thread_message_ids")
    article = models.ForeignKey("tickets.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)


class FailingAddress(models.Model):
    """An address mail to which bounced: shown on the contact and the ticket until it works again."""

    address = models.CharField(max_length=320, unique=True)
    reason = models.TextField(blank=True)
    since = models.DateTimeField(default=timezone.now)
    bounces = models.PositiveIntegerField(default=1)


class MailTemplate(models.Model):
    """A manager's version of one outbound mail in one language; without a row the built-in template is used."""

    key = models.CharField(_("mail"), max_length=50)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["key", "language"]
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="mail_template_unique")]
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
