"""The SLA resources: service calendars, SLA plans (targets per priority, versions), contracts, the preview, and
the SLA part of a ticket. Writes replace nested lists (days, targets, items) whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicedesk.accounts.models import Organization, Team
from servicedesk.assets.models import ConfigurationItem
from servicedesk.sla import clock
from servicedesk.sla.models import (
    PAUSABLE_STATES,
    WEEKDAY_FIELDS,
    CalendarDay,
    Contract,
    CoveredItem,
    ServiceCalendar,
    SlaAction,
    SlaPlan,
    SlaPlanVersion,
    SlaTarget,
    knows_holidays,
)
from servicedesk.tickets.models import Category, Priority

# --- References, as a ticket and the preview show them ---------------------------------------------------------


class PlanVersionRefSerializer(serializers.Serializer[Any]):
    """Serializes plan_version_ref()'s dict."""

    id = serializers.IntegerField(help_text="The plan version.")
    plan = serializers.IntegerField(help_text="The plan.")
    name = serializers.CharField(help_text="The plan's name.")
    version = serializers.IntegerField(help_text="The version's number.")


class ContractRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True, help_text="Null for customers.")
    name = serializers.CharField()


def plan_version_ref(version: SlaPlanVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"id": version.pk, "plan": version.plan_id, "name": version.plan.name, "version": version.number}


def contract_ref(contract: Contract | None, *, for_agent: bool) -> dict[str, Any] | None:
    if contract is None:
        return None
    return {"id": contract.pk if for_agent else None, "name": contract.name}


# --- Calendars ------------------------------------------------------------------------------------------------


def _ranges(value: str) -> str:
    try:
        clock.parse_ranges(value)
    except ValueError as error:
        raise serializers.ValidationError(
            _("Write service hours as 08:00-17:00, several separated by commas (%(error)s).") % {"error": error}
        ) from error
    return value


class CalendarDaySerializer(serializers.ModelSerializer[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "ranges", "note"]
        extra_kwargs = {"ranges": {"validators": [_ranges]}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("kind") == CalendarDay.Kind.WORKING and not attrs.get("ranges", "").strip():
            raise serializers.ValidationError({"ranges": _("A working day needs its service hours.")})
        return attrs


class CalendarSerializer(serializers.ModelSerializer[ServiceCalendar]):
    """Weekly hours per weekday (e.g. `08:00-17:00`, empty: closed), the time zone, public holidays of a country,
    and `days`: exceptions on single dates (closed, or worked with their own hours)."""

    days = CalendarDaySerializer(many=True, required=False, help_text="Replaces all exceptions when sent.")

    class Meta:
        model = ServiceCalendar
        fields = ["id", "name", "time_zone", *WEEKDAY_FIELDS, "holiday_country", "holiday_subdivision", "days"]
        read_only_fields = ["id"]
        extra_kwargs = {name: {"validators": [_ranges]} for name in WEEKDAY_FIELDS}

    def validate_time_zone(self, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception as error:
            raise serializers.ValidationError(_("Unknown time zone “%(zone)s”.") % {"zone": value}) from error
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        country = attrs.get("holiday_country", getattr(self.instance, "holiday_country", "CZ"))
        subdivision = attrs.get("holiday_subdivision", getattr(self.instance, "holiday_subdivision", ""))
        if country and not knows_holidays(country, subdivision):
            raise serializers.ValidationError({"holiday_country": _("Unknown country or region for public holidays.")})
        dates = [day["date"] for day in attrs.get("days", [])]
        if len(dates) != len(set(dates)):
            raise serializers.ValidationError({"days": _("Each date may appear once.")})
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> ServiceCalendar:
        days = validated_data.pop("days", [])
        calendar = ServiceCalendar.objects.create(**validated_data)
        self._replace_days(calendar, days)
        return calendar

    @transaction.atomic
    def update(self, instance: ServiceCalendar, validated_data: dict[str, Any]) -> ServiceCalendar:
        days = validated_data.pop("days", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if days is not None:
            self._replace_days(instance, days)
        return instance

    def _replace_days(self, calendar: ServiceCalendar, days: list[dict[str, Any]]) -> None:
        from servicedesk.sla import config

        calendar.days.all().delete()
        CalendarDay.objects.bulk_create(CalendarDay(calendar=calendar, **day) for day in days)
        config.forget()  # bulk_create sends no signals


# --- Plans ----------------------------------------------------------------------------------------------------


class SlaTargetSerializer(serializers.ModelSerializer[SlaTarget]):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reaction_minutes = serializers.IntegerField(min_value=1, max_value=1_000_000, allow_null=True, required=False)
    resolution_minutes = serializers.IntegerField(min_value=1, max_value=1_000_000, allow_null=True, required=False)
    reaction_calendar = serializers.PrimaryKeyRelatedField(queryset=ServiceCalendar.objects.all())
    resolution_calendar = serializers.PrimaryKeyRelatedField(queryset=ServiceCalendar.objects.all())

    class Meta:
        model = SlaTarget
        fields = ["priority", "reaction_minutes", "reaction_calendar", "resolution_minutes", "resolution_calendar"]
        validators: list[Any] = []  # (plan, priority) is checked on the whole list


class PlanVersionSerializer(serializers.ModelSerializer[SlaPlanVersion]):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, allow_null=True)

    class Meta:
        model = SlaPlanVersion
        fields = ["id", "plan", "number", "definition", "created_at", "created_by"]
        read_only_fields = fields


class CurrentVersionSerializer(serializers.ModelSerializer[SlaPlanVersion]):
    class Meta:
        model = SlaPlanVersion
        fields = ["id", "number", "created_at"]
        read_only_fields = fields


class SlaPlanSerializer(serializers.ModelSerializer[SlaPlan]):
    """A plan; every write publishes it as a new version (unless nothing changed), which new tickets use."""

    targets = SlaTargetSerializer(many=True, required=False, help_text="One per priority; replaces all when sent.")
    pause_states = serializers.ListField(
        child=serializers.ChoiceField(choices=PAUSABLE_STATES), required=False, max_length=len(PAUSABLE_STATES)
    )
    warning_thresholds = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=99), required=False, max_length=10
    )
    warning_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=SlaAction.choices), required=False, max_length=len(SlaAction)
    )
    breach_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=SlaAction.choices), required=False, max_length=len(SlaAction)
    )
    escalation_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    current_version = CurrentVersionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SlaPlan
        fields = [
            "id",
            "name",
            "description",
            "active",
            "is_default",
            "pause_states",
            "warning_thresholds",
            "warning_actions",
            "breach_actions",
            "escalation_team",
            "team_assignment_counts",
            "targets",
            "current_version",
            "created_at",
        ]
        read_only_fields = ["id", "current_version", "created_at"]

    def validate_targets(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        priorities = [target["priority"] for target in value]
        if len(priorities) != len(set(priorities)):
            raise serializers.ValidationError(_("One target per priority."))
        return value

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> SlaPlan:
        targets = validated_data.pop("targets", [])
        plan = SlaPlan.objects.create(**validated_data)
        self._after_write(plan, targets)
        return plan

    @transaction.atomic
    def update(self, instance: SlaPlan, validated_data: dict[str, Any]) -> SlaPlan:
        targets = validated_data.pop("targets", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        self._after_write(instance, targets)
        return instance

    def _after_write(self, plan: SlaPlan, targets: list[dict[str, Any]] | None) -> None:
        if targets is not None:
            plan.targets.all().delete()
            SlaTarget.objects.bulk_create(SlaTarget(plan=plan, **target) for target in targets)
        request = self.context.get("request")
        plan.publish(by=request.user if request is not None else None)


# --- Contracts ------------------------------------------------------------------------------------------------


class CoveredItemSerializer(serializers.ModelSerializer[CoveredItem]):
    item = serializers.PrimaryKeyRelatedField(queryset=ConfigurationItem.objects.all())
    availability_target = serializers.DecimalField(
        max_digits=6,
        decimal_places=3,
        min_value=0,  # type: ignore[arg-type]
        max_value=100,  # type: ignore[arg-type]
        allow_null=True,
        required=False,
        help_text="Percent, e.g. 99.900.",
    )

    class Meta:
        model = CoveredItem
        fields = ["item", "availability_target"]
        validators: list[Any] = []


class ContractSerializer(serializers.ModelSerializer[Contract]):
    """What a customer bought. No categories: all categories; no items: all items."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    plan = serializers.PrimaryKeyRelatedField(queryset=SlaPlan.objects.all())
    categories = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), many=True, required=False)
    items = CoveredItemSerializer(
        many=True, source="covered_items", required=False, help_text="Replaces all covered items when sent."
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "organization",
            "name",
            "plan",
            "valid_from",
            "valid_until",
            "categories",
            "items",
            "hotline_24x7",
            "notes",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"notes": {"help_text": _("Internal; not shown to customers.")}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        organization = attrs.get("organization", getattr(instance, "organization", None))
        valid_from: dt.date | None = attrs.get("valid_from", getattr(instance, "valid_from", None))
        valid_until: dt.date | None = attrs.get("valid_until", getattr(instance, "valid_until", None))
        errors = {}
        if valid_from and valid_until and valid_until < valid_from:
            errors["valid_until"] = _("The contract cannot end before it starts.")
        items = attrs.get("covered_items")
        if items is None and instance is not None and "organization" in attrs:
            items = [{"item": covered.item} for covered in instance.covered_items.select_related("item")]
        for index, covered in enumerate(items or []):
            if organization is not None and covered["item"].organization_id != organization.pk:
                errors[f"items.{index}.item"] = _("The item belongs to another organization.")
        seen = [covered["item"].pk for covered in attrs.get("covered_items", [])]
        if len(seen) != len(set(seen)):
            errors["items"] = _("Each item may appear once.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Contract:
        categories = validated_data.pop("categories", [])
        items = validated_data.pop("covered_items", [])
        contract = Contract.objects.create(**validated_data)
        contract.categories.set(categories)
        self._replace_items(contract, items)
        return contract

    @transaction.atomic
    def update(self, instance: Contract, validated_data: dict[str, Any]) -> Contract:
        categories = validated_data.pop("categories", None)
        items = validated_data.pop("covered_items", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if categories is not None:
            instance.categories.set(categories)
        if items is not None:
            self._replace_items(instance, items)
        return instance

    def _replace_items(self, contract: Contract, items: list[dict[str, Any]]) -> None:
        from servicedesk.sla import config

        contract.covered_items.all().delete()
        CoveredItem.objects.bulk_create(CoveredItem(contract=contract, **covered) for covered in items)
        config.forget()  # bulk_create sends no signals


class CustomerContractSerializer(ContractSerializer):
    """A customer manager's view of their organization's contract: without the company's notes."""

    class Meta(ContractSerializer.Meta):
        fields = [name for name in ContractSerializer.Meta.fields if name != "notes"]
        read_only_fields = fields


# --- Preview --------------------------------------------------------------------------------------------------


class AwareDateTimeField(serializers.DateTimeField):
    """An instant with its UTC offset: a naive time is refused rather than guessed."""

    default_error_messages = {"naive": _("Give the time with its UTC offset, e.g. 2026-11-27T16:55:00+01:00.")}

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class PreviewInputSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField(required=False, min_value=1, help_text="Under this plan's current version.")
    organization = serializers.IntegerField(
        required=False, min_value=1, help_text="Under the plan that would measure this organization's ticket."
    )
    priority = serializers.ChoiceField(choices=Priority.choices)
    start = AwareDateTimeField(help_text="ISO 8601 with a UTC offset.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("plan" in attrs) == ("organization" in attrs):
            raise serializers.ValidationError(_("Send either a plan or an organization."))
        return attrs


class PreviewSerializer(serializers.Serializer[Any]):
    reaction_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    plan_version = PlanVersionRefSerializer(allow_null=True, help_text="Null: no plan measures such a ticket.")


# --- A ticket's SLA -------------------------------------------------------------------------------------------


class TimerStatusSerializer(serializers.Serializer[Any]):
    due_at = serializers.DateTimeField()
    target_seconds = serializers.IntegerField()
    left_seconds = serializers.IntegerField(help_text="Business seconds; negative: overdue by that much.")
    used_percent = serializers.IntegerField()
    # Plain strings, not enums: the ticket's `state` owns the StateEnum name in the schema.
    state = serializers.CharField(help_text="running, paused, met, breached or stopped.")
    level = serializers.CharField(help_text="ok, warning or breached (for the colour).")


class SlaEventSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    field = serializers.CharField()
    old = serializers.CharField(source="old_value")
    new = serializers.CharField(source="new_value")
    note = serializers.CharField(help_text="Empty for customers.")
    at = serializers.DateTimeField(source="created_at")


class TicketSlaSerializer(serializers.Serializer[Any]):
    sla_plan = PlanVersionRefSerializer(allow_null=True)
    contract = ContractRefSerializer(allow_null=True)
    reaction = TimerStatusSerializer(allow_null=True, help_text="Null: no reaction target.")
    resolution = TimerStatusSerializer(allow_null=True, help_text="Null: no resolution target.")
    events = SlaEventSerializer(many=True)
