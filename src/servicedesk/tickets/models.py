"""Tickets and everything recorded on them: articles, attachments, events, work log, team stints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, ContactRole, Organization, Team
from servicedesk.assets.models import ConfigurationItem
from servicedesk.tickets.states import OPEN_STATES, State

if TYPE_CHECKING:
    from servicedesk.accounts.models import User


class Category(models.Model):
    """The service catalogue."""

    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name_cs = models.CharField(_("Czech name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    default_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("default resolver team")
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "cs").startswith("en") else self.name_cs


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request")
    CHANGE_REQUEST = "change_request", _("Change request")
    ACCESS_REQUEST = "access_request", _("Access request")
    QUESTION = "question", _("Question")


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 – critical")
    P2 = 2, _("P2 – high")
    P3 = 3, _("P3 – normal")
    P4 = 4, _("P4 – low")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    FORM = "form", _("Form")
    MONITORING = "monitoring", _("Monitoring")
    API = "api", _("API")


def priority_for(impact: str, urgency: str) -> int:
    """Priority from the impact × urgency matrix (settings.PRIORITY_MATRIX)."""
    return int(settings.PRIORITY_MATRIX[impact][urgency])


class TicketNumberSequence(models.Model):
    """The last number handed out in a year: numbers are never reused, even when a ticket is deleted."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user: Any) -> TicketQuerySet:
        """The one door through which views and the API read tickets: scoped by who is asking."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        contact = Contact.objects.filter(user=user, active=True).first()
        if contact is None:
            return self.none()
        if contact.role == ContactRole.MANAGER and contact.organization_id is not None:
            return self.filter(organization_id=contact.organization_id)
        return self.filter(Q(requester=contact) | Q(cc=contact)).distinct()

    def open(self) -> TicketQuerySet:
        return self.filter(state__in=OPEN_STATES)


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=TicketType.choices, default=TicketType.INCIDENT)
    impact = models.CharField(_("impact"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,  # covered by a composite index of Meta.indexes that starts with it
        verbose_name=_("organization"),
    )
    requester = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_tickets",
        db_index=False,  # covered by a composite index of Meta.indexes that starts with it
        verbose_name=_("requester"),
    )
    cc = models.ManyToManyField(Contact, blank=True, related_name="cc_tickets", verbose_name=_("CC"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category"))
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,  # covered by a composite index of Meta.indexes that starts with it
        verbose_name=_("team"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,  # covered by a composite index of Meta.indexes that starts with it
        verbose_name=_("agent"),
    )
    items = models.ManyToManyField(
        ConfigurationItem, blank=True, related_name="tickets", verbose_name=_("affected items")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("related tickets"))
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    assigned_at = models.DateTimeField(_("first assigned"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # SLA (sla/engine.py keeps these; docs/sla.md gives their exact meaning).
    contract = models.ForeignKey(
        "sla.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("contract"),
    )
    sla_plan = models.ForeignKey(
        "sla.SlaPlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("SLA plan"),
    )
    reaction_due_at = models.DateTimeField(_("reaction due"), null=True, blank=True)
    reacted_at = models.DateTimeField(_("reacted"), null=True, blank=True)
    reaction_breached = models.BooleanField(_("reaction breached"), default=False)
    reaction_level = models.PositiveSmallIntegerField(default=0, help_text="Warning levels fired; last = breach.")
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)
    resolution_level = models.PositiveSmallIntegerField(default=0, help_text="Warning levels fired; last = breach.")
    paused_seconds = models.PositiveIntegerField(_("paused business seconds"), default=0)
    sla_paused_since = models.DateTimeField(null=True, blank=True)
    sla_next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["state", "priority", "created_at"]),
            models.Index(fields=["team", "state"]),
            models.Index(fields=["assigned_to", "state"]),
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["requester", "state"]),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["reaction_due_at"]),
            models.Index(fields=["resolution_due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("desk:ticket", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ArticleKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")


class Article(models.Model):
    """A message on a ticket: a public reply the customer sees, or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="articles")
    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.REPLY)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    author_contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    body = models.TextField(_("text"))
    # From e-mail: the sanitized HTML part (nh3), and the quoted history of a reply, shown folded.
    body_html = models.TextField(blank=True)
    quoted = models.TextField(blank=True)
    # A note written from mail by someone outside the ticket: an agent should look before anything is public.
    needs_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def is_public(self) -> bool:
        return self.kind == ArticleKind.REPLY

    def author_name(self) -> str:
        if self.author is not None:
            return self.author.display_name()
        if self.author_contact is not None:
            return self.author_contact.name
        return str(_("System"))


class Blob(models.Model):
    """File content, stored once per distinct content under a random name in the data folder."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("attachment", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.article is None or self.article.is_public


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATE_CHANGED = "state_changed", _("State changed")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated")
    HANDED_BACK = "handed_back", _("Handed back")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    FIELD_CHANGED = "field_changed", _("Field changed")
    REPLY_ADDED = "reply_added", _("Reply added")
    NOTE_ADDED = "note_added", _("Internal note added")
    WORK_LOGGED = "work_logged", _("Work logged")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    MERGED = "merged", _("Merged")
    LINKED = "linked", _("Linked")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Resolution rated")
    SLA_STARTED = "sla_started", _("SLA timers started")
    SLA_PAUSED = "sla_paused", _("SLA timer paused")
    SLA_RESUMED = "sla_resumed", _("SLA timer resumed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    SLA_MET = "sla_met", _("SLA target met")
    SLA_STOPPED = "sla_stopped", _("SLA timer stopped")
    SLA_RECOMPUTED = "sla_recomputed", _("SLA deadlines recomputed")
    SLA_CONTRACT_CHANGED = "sla_contract_changed", _("Contract changed")
    SLA_PLAN_REAPPLIED = "sla_plan_reapplied", _("Current SLA plan applied")


# Events a customer may see on the portal's status timeline.
SLA_EVENT_KINDS = frozenset(kind for kind in EventKind if kind.startswith("sla_"))

PUBLIC_EVENT_KINDS = frozenset(
    {EventKind.CREATED, EventKind.STATE_CHANGED, EventKind.REPLY_ADDED, EventKind.REOPENED, EventKind.MERGED}
)


class ImmutableError(Exception):
    pass


class TicketEvent(models.Model):
    """One immutable step of a ticket's history."""

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # (ticket, created_at) serves it
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True, help_text="Who acted when no user did.")
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("Ticket events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("Ticket events are never deleted.")

    def actor_name(self) -> str:
        if self.actor is not None:
            return self.actor.display_name()
        return self.actor_label or str(_("System"))


class WorkKind(models.TextChoices):
    REMOTE = "remote", _("Remote")
    ONSITE = "onsite", _("On site")
    PHONE = "phone", _("Phone")
    WORKSHOP = "workshop", _("Workshop")


class WorkLogEntry(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="work_log")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="work_log")
    minutes = models.PositiveIntegerField(_("minutes"))
    kind = models.CharField(_("kind"), max_length=20, choices=WorkKind.choices, default=WorkKind.REMOTE)
    billable = models.BooleanField(_("billable"), default=True)
    note = models.TextField(_("note"), blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "created_at"]
        verbose_name = _("work log entry")
        verbose_name_plural = _("work log")


class TeamStint(models.Model):
    """A span during which one team held the ticket: from escalation (or creation) to the next hand-over."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="team_stints")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="stints")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]


def agents() -> models.QuerySet[User]:
    from servicedesk.accounts.models import User

    return User.objects.filter(is_staff=True, is_active=True).order_by("first_name", "last_name")


class TicketSearchDocument(models.Model):
    """The normalized text search runs over; the index itself lives beside it (FTS5 table or GIN index)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    body = models.TextField()  # public: number, subject, description, public replies
    internal = models.TextField(default="", blank=True)  # internal notes: agents only
