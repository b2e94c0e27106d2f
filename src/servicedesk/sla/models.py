"""What the company promises: service-hour calendars, SLA plans (targets per priority, versioned) and contracts.

The arithmetic lives in clock.py (pure), the timers on the ticket in timers.py and engine.py; docs/sla.md gives
the exact semantics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.sla import clock

WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def validate_ranges(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        clock.parse_ranges(value)
    except ValueError as error:
        raise ValidationError(
            _("Write service hours as 08:00-17:00, several separated by commas (%(error)s).") % {"error": error}
        ) from error


def validate_time_zone(value: str) -> None:
    from zoneinfo import ZoneInfo

    from django.core.exceptions import ValidationError

    try:
        ZoneInfo(value)
    except Exception as error:
        raise ValidationError(_("Unknown time zone “%(zone)s”.") % {"zone": value}) from error


def knows_holidays(country: str, subdivision: str = "") -> bool:
    """Whether the holidays package has public holidays for this country (and region)."""
    try:
        clock.public_holidays([timezone.localdate().year], country, subdivision or None)
    except Exception:  # NotImplementedError for an unknown country, others for an unknown region
        return False
    return True


class ServiceCalendar(models.Model):
    """Weekly service hours in a time zone, minus public holidays and closed days, plus extra working days."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Prague", validators=[validate_time_zone]
    )
    monday = models.CharField(_("Monday"), max_length=200, blank=True, validators=[validate_ranges])
    tuesday = models.CharField(_("Tuesday"), max_length=200, blank=True, validators=[validate_ranges])
    wednesday = models.CharField(_("Wednesday"), max_length=200, blank=True, validators=[validate_ranges])
    thursday = models.CharField(_("Thursday"), max_length=200, blank=True, validators=[validate_ranges])
    friday = models.CharField(_("Friday"), max_length=200, blank=True, validators=[validate_ranges])
    saturday = models.CharField(_("Saturday"), max_length=200, blank=True, validators=[validate_ranges])
    sunday = models.CharField(_("Sunday"), max_length=200, blank=True, validators=[validate_ranges])
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=10,
        blank=True,
        default="CZ",
        help_text=_("Country code for the holidays package (CZ, SK, DE, …); empty: no public holidays."),
    )
    holiday_subdivision = models.CharField(_("region"), max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")

    def __str__(self) -> str:
        return self.name

    def weekly_text(self) -> list[str]:
        return [getattr(self, name) for name in WEEKDAY_FIELDS]

    def to_clock(self, days: list[CalendarDay] | None = None, years: range | None = None) -> clock.Calendar:
        """The pure calendar for the arithmetic: holidays of `years` (by default two years back, five ahead)."""
        if days is None:
            days = list(self.days.all())
        if years is None:
            this_year = timezone.localdate().year
            years = range(this_year - 2, this_year + 6)
        closed: set[dt.date] = set()
        if self.holiday_country:
            closed |= clock.public_holidays(years, self.holiday_country, self.holiday_subdivision or None)
        working = []
        for day in days:
            if day.kind == CalendarDay.Kind.CLOSED:
                closed.add(day.date)
            else:
                working.append(clock.WorkingDate(day.date, clock.parse_ranges(day.ranges)))
        return clock.Calendar(
            weekly=tuple(clock.parse_ranges(text) for text in self.weekly_text()),
            time_zone=self.time_zone,
            closed_dates=frozenset(closed),
            working_dates=tuple(sorted(working, key=lambda w: w.day)),
        )


class CalendarDay(models.Model):
    """An exception to the weekly hours on one date: closed (company holiday) or worked with these hours."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed")
        WORKING = "working", _("Working day")

    calendar = models.ForeignKey(ServiceCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLOSED)
    ranges = models.CharField(
        _("service hours"),
        max_length=200,
        blank=True,
        validators=[validate_ranges],
        help_text=_("For a working day, e.g. 08:00-12:00."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_unique")]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class SlaAction(models.TextChoices):
    """What happens when a timer crosses a warning threshold or its deadline."""

    NOTIFY_TEAM = "notify_team", _("Notify the ticket's team")
    NOTIFY_AGENT = "notify_agent", _("Notify the assigned agent")
    NOTIFY_MANAGERS = "notify_managers", _("Notify the desk managers")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority by one step")
    HAND_OVER = "hand_over", _("Hand the ticket over to the escalation team")


DEFAULT_PAUSE_STATES = ["waiting_customer"]
PAUSABLE_STATES = ("waiting_customer", "waiting_vendor", "waiting_parts")


def default_pause_states() -> list[str]:
    return list(DEFAULT_PAUSE_STATES)


def default_thresholds() -> list[int]:
    return [75, 90]


def default_warning_actions() -> list[str]:
    return [SlaAction.NOTIFY_AGENT, SlaAction.NOTIFY_TEAM]


def default_breach_actions() -> list[str]:
    return [SlaAction.NOTIFY_AGENT, SlaAction.NOTIFY_TEAM, SlaAction.NOTIFY_MANAGERS]


class SlaPlan(models.Model):
    """Targets per priority and the rules around them. What tickets are measured under is a frozen version of it
    (SlaPlanVersion): `publish()` after every change."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default plan"), default=False, help_text=_("Measures tickets that no contract covers.")
    )
    pause_states = models.JSONField(
        _("states that pause the resolution timer"), default=default_pause_states, blank=True
    )
    warning_thresholds = models.JSONField(
        _("warning thresholds (% of a target)"), default=default_thresholds, blank=True
    )
    warning_actions = models.JSONField(_("at a warning"), default=default_warning_actions, blank=True)
    breach_actions = models.JSONField(_("at a breach"), default=default_breach_actions, blank=True)
    escalation_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalation team"),
        help_text=_("Where “hand over” sends the ticket."),
    )
    team_assignment_counts = models.BooleanField(
        _("assignment to a resolver team stops the reaction timer"),
        default=False,
        help_text=_("Otherwise only an agent taking the ticket (or being assigned) does."),
    )
    current_version = models.ForeignKey(
        "SlaPlanVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA plan")
        verbose_name_plural = _("SLA plans")
        permissions = [("manage", "Can manage calendars, SLA plans and contracts")]

    def __str__(self) -> str:
        return self.name

    def definition(self) -> dict[str, Any]:
        """The plan as a frozen version stores it."""
        targets = {}
        for target in self.targets.all():
            targets[str(target.priority)] = {
                "reaction_minutes": target.reaction_minutes,
                "reaction_calendar": target.reaction_calendar_id,
                "resolution_minutes": target.resolution_minutes,
                "resolution_calendar": target.resolution_calendar_id,
            }
        return {
            "targets": targets,
            "pause_states": sorted(set(self.pause_states)),
            "warning_thresholds": sorted({int(p) for p in self.warning_thresholds if 0 < int(p) < 100}),
            "warning_actions": list(self.warning_actions),
            "breach_actions": list(self.breach_actions),
            "escalation_team": self.escalation_team_id,
            "team_assignment_counts": self.team_assignment_counts,
        }

    @transaction.atomic
    def publish(self, by: Any = None) -> SlaPlanVersion:
        """Freeze the current definition as the next version, unless it equals the current one. A plan marked
        default becomes the only default."""
        if self.is_default:  # one default plan: the one marked last
            SlaPlan.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
        definition = self.definition()
        plan = SlaPlan.objects.select_for_update().get(pk=self.pk)
        current = plan.current_version
        if current is not None and current.definition == definition:
            return current
        number = (current.number if current else 0) + 1
        version = SlaPlanVersion.objects.create(
            plan=plan, number=number, definition=definition, created_by=by if getattr(by, "pk", None) else None
        )
        SlaPlan.objects.filter(pk=self.pk).update(current_version=version)
        self.current_version = version
        from servicedesk.sla import config

        config.forget()
        return version


class SlaTarget(models.Model):
    """Reaction and resolution targets of one priority, each counted in its own calendar."""

    plan = models.ForeignKey(SlaPlan, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=[(p, f"P{p}") for p in (1, 2, 3, 4)])
    reaction_minutes = models.PositiveIntegerField(_("reaction (business minutes)"), null=True, blank=True)
    reaction_calendar = models.ForeignKey(
        ServiceCalendar, on_delete=models.PROTECT, related_name="+", verbose_name=_("reaction calendar")
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"), null=True, blank=True)
    resolution_calendar = models.ForeignKey(
        ServiceCalendar, on_delete=models.PROTECT, related_name="+", verbose_name=_("resolution calendar")
    )

    class Meta:
        ordering = ["priority"]
        constraints = [models.UniqueConstraint(fields=["plan", "priority"], name="sla_target_unique")]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")


class SlaPlanVersion(models.Model):
    """A plan frozen as it was: tickets keep the version they are measured under."""

    plan = models.ForeignKey(SlaPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="sla_plan_version_unique")]
        verbose_name = _("SLA plan version")
        verbose_name_plural = _("SLA plan versions")

    def __str__(self) -> str:
        return f"{self.plan.name} v{self.number}"


class ContractQuerySet(models.QuerySet["Contract"]):
    def valid_on(self, day: dt.date) -> ContractQuerySet:
        return self.filter(active=True, valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        )


class Contract(models.Model):
    """What one customer bought: a plan, for some or all categories and configuration items, for a period."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="contracts", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=200)
    plan = models.ForeignKey(SlaPlan, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("SLA plan"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    categories = models.ManyToManyField(
        "tickets.Category",
        blank=True,
        related_name="contracts",
        verbose_name=_("categories covered"),
        help_text=_("None selected: all categories."),
    )
    items = models.ManyToManyField(
        "assets.ConfigurationItem",
        through="CoveredItem",
        blank=True,
        related_name="contracts",
        verbose_name=_("items covered"),
    )
    hotline_24x7 = models.BooleanField(_("24/7 hotline"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "-valid_from", "name"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.name


class CoveredItem(models.Model):
    """A configuration item a contract covers, with its availability target (the monitoring measures it)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="covered_items")
    item = models.ForeignKey("assets.ConfigurationItem", on_delete=models.CASCADE, related_name="coverages")
    availability_target = models.DecimalField(
        _("availability target (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "item"], name="sla_covered_item_unique")]
        verbose_name = _("covered item")
        verbose_name_plural = _("covered items")
