"""Forms of the SLA desk pages: calendars and their exceptions, plans with their P1–P4 targets, contracts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organization, Team
from servicedesk.assets.models import ConfigurationItem
from servicedesk.sla.durations import format_duration, parse_duration
from servicedesk.sla.models import (
    PAUSABLE_STATES,
    WEEKDAY_FIELDS,
    CalendarDay,
    Contract,
    ServiceCalendar,
    SlaAction,
    SlaPlan,
    SlaTarget,
    knows_holidays,
)
from servicedesk.tickets.models import Category
from servicedesk.tickets.states import State

PRIORITIES = (1, 2, 3, 4)


class CalendarForm(forms.ModelForm[ServiceCalendar]):
    class Meta:
        model = ServiceCalendar
        fields = ["name", "time_zone", *WEEKDAY_FIELDS, "holiday_country", "holiday_subdivision"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in WEEKDAY_FIELDS:
            self.fields[name].widget.attrs["placeholder"] = "08:00-17:00"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        country = (data.get("holiday_country") or "").strip().upper()
        subdivision = (data.get("holiday_subdivision") or "").strip().upper()
        data["holiday_country"], data["holiday_subdivision"] = country, subdivision
        if subdivision and not country:
            self.add_error("holiday_subdivision", _("A region needs a country."))
        elif country and not knows_holidays(country, subdivision):
            self.add_error(
                "holiday_subdivision" if subdivision else "holiday_country",
                _("The holidays package knows no such country or region."),
            )
        return data


class CalendarDayForm(forms.ModelForm[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "ranges", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, calendar: ServiceCalendar, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        self.fields["ranges"].widget.attrs["placeholder"] = "08:00-12:00"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == CalendarDay.Kind.WORKING and not data.get("ranges"):
            self.add_error("ranges", _("A working day needs its service hours."))
        if data.get("kind") == CalendarDay.Kind.CLOSED:
            data["ranges"] = ""
        day = data.get("date")
        if day and self.calendar.days.filter(date=day).exists():
            self.add_error("date", _("This date already has an exception."))
        return data

    def save(self, commit: bool = True) -> CalendarDay:
        self.instance.calendar = self.calendar
        return super().save(commit)


def _parse_thresholds(text: str) -> list[int]:
    values = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            value = int(part.strip().rstrip("%"))
        except ValueError:
            raise forms.ValidationError(_("Write the thresholds as whole percents, e.g. 75, 90.")) from None
        if not 0 < value < 100:
            raise forms.ValidationError(_("A threshold lies between 1 and 99 %."))
        values.append(value)
    return sorted(set(values))


class PlanForm(forms.ModelForm[SlaPlan]):
    pause_states = forms.MultipleChoiceField(
        label=_("States that pause the resolution timer"),
        choices=[(state, State(state).label) for state in PAUSABLE_STATES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    warning_thresholds = forms.CharField(
        label=_("Warning thresholds (% of a target)"),
        required=False,
        help_text=_("e.g. 75, 90"),
    )
    warning_actions = forms.MultipleChoiceField(
        label=_("At a warning"), choices=SlaAction.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    breach_actions = forms.MultipleChoiceField(
        label=_("At a breach"), choices=SlaAction.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = SlaPlan
        fields = [
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
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["warning_thresholds"] = ", ".join(str(p) for p in self.instance.warning_thresholds or [])
        team = self.fields["escalation_team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.order_by("name")

    def clean_warning_thresholds(self) -> list[int]:
        return _parse_thresholds(self.cleaned_data.get("warning_thresholds") or "")


class DurationField(forms.CharField):
    """Minutes, written as "4h", "1d 2h", "90m" or a number of minutes."""

    def prepare_value(self, value: Any) -> Any:
        return format_duration(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return parse_duration(text or "")
        except ValueError:
            raise forms.ValidationError(_("Write a duration as 4h, 1d 2h, 90m or minutes."), code="invalid") from None


class TargetForm(forms.Form):
    """One priority's row of the targets table; both durations empty means no target for the priority."""

    reaction = DurationField(label=_("Reaction"), required=False)
    reaction_calendar = forms.ModelChoiceField(label=_("Reaction calendar"), queryset=ServiceCalendar.objects.all())
    resolution = DurationField(label=_("Resolution"), required=False)
    resolution_calendar = forms.ModelChoiceField(label=_("Resolution calendar"), queryset=ServiceCalendar.objects.all())

    def __init__(self, *args: Any, priority: int, **kwargs: Any) -> None:
        kwargs["prefix"] = f"p{priority}"
        super().__init__(*args, **kwargs)
        self.priority = priority
        labels = {
            "reaction": gettext("P%(priority)s reaction"),
            "reaction_calendar": gettext("P%(priority)s reaction calendar"),
            "resolution": gettext("P%(priority)s resolution"),
            "resolution_calendar": gettext("P%(priority)s resolution calendar"),
        }
        for name, label in labels.items():
            self.fields[name].widget.attrs["aria-label"] = label % {"priority": priority}

    def row(self) -> dict[str, Any] | None:
        """The target as a plan definition stores it, None when the priority has no target."""
        data = self.cleaned_data
        if data.get("reaction") is None and data.get("resolution") is None:
            return None
        return {
            "reaction_minutes": data.get("reaction"),
            "reaction_calendar": data["reaction_calendar"].pk,
            "resolution_minutes": data.get("resolution"),
            "resolution_calendar": data["resolution_calendar"].pk,
        }


def target_forms(plan: SlaPlan | None, data: Any = None) -> list[TargetForm]:
    existing = {target.priority: target for target in plan.targets.all()} if plan and plan.pk else {}
    fallback = ServiceCalendar.objects.order_by("pk").values_list("pk", flat=True).first()
    forms_ = []
    for priority in PRIORITIES:
        target = existing.get(priority)
        initial = (
            {
                "reaction": target.reaction_minutes,
                "reaction_calendar": target.reaction_calendar_id,
                "resolution": target.resolution_minutes,
                "resolution_calendar": target.resolution_calendar_id,
            }
            if target
            else {"reaction_calendar": fallback, "resolution_calendar": fallback}
        )
        forms_.append(TargetForm(data, priority=priority, initial=initial))
    return forms_


def definition_from(targets: list[TargetForm], plan_form: PlanForm | None = None) -> dict[str, Any]:
    """The definition valid forms describe, in the shape of SlaPlan.definition(), for the preview of unsaved
    edits. Without the plan form, only the targets (all a deadline depends on)."""
    definition: dict[str, Any] = {
        "targets": {str(form.priority): row for form in targets if (row := form.row()) is not None}
    }
    if plan_form is not None:
        data = plan_form.cleaned_data
        team = data.get("escalation_team")
        definition |= {
            "pause_states": sorted(set(data.get("pause_states") or [])),
            "warning_thresholds": data.get("warning_thresholds") or [],
            "warning_actions": list(data.get("warning_actions") or []),
            "breach_actions": list(data.get("breach_actions") or []),
            "escalation_team": team.pk if team else None,
            "team_assignment_counts": bool(data.get("team_assignment_counts")),
        }
    return definition


def save_targets(plan: SlaPlan, targets: list[TargetForm]) -> None:
    for form in targets:
        row = form.row()
        if row is None:
            SlaTarget.objects.filter(plan=plan, priority=form.priority).delete()
            continue
        SlaTarget.objects.update_or_create(
            plan=plan,
            priority=form.priority,
            defaults={
                "reaction_minutes": row["reaction_minutes"],
                "reaction_calendar_id": row["reaction_calendar"],
                "resolution_minutes": row["resolution_minutes"],
                "resolution_calendar_id": row["resolution_calendar"],
            },
        )


class PreviewForm(forms.Form):
    preview_priority = forms.TypedChoiceField(
        label=_("Priority"), choices=[(p, f"P{p}") for p in PRIORITIES], coerce=int, initial=2
    )
    preview_start = forms.DateTimeField(
        label=_("Entered at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _posted_items(data: Any) -> list[str]:
    """The ids checked in the `items` boxes (a QueryDict when posted)."""
    return [str(v) for v in data.getlist("items")] if hasattr(data, "getlist") else []


class ContractForm(forms.ModelForm[Contract]):
    """The contract with its covered items: checkboxes named `items` and an `availability_<item id>` each."""

    class Meta:
        model = Contract
        fields = [
            "organization",
            "name",
            "plan",
            "valid_from",
            "valid_until",
            "categories",
            "hotline_24x7",
            "notes",
            "active",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "categories": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = Organization.objects.order_by("name")
        organization.widget.attrs.update(
            {"hx-get": reverse("sla:contract_items"), "hx-target": "#covered-items", "hx-trigger": "change"}
        )
        categories = self.fields["categories"]
        assert isinstance(categories, forms.ModelMultipleChoiceField)
        categories.queryset = Category.objects.filter(active=True).order_by("position", "pk")
        self.covered: dict[int, Decimal | None] = {}

    def organization_id(self) -> int | None:
        """The organization the form is about (posted, else the instance's), for listing its items."""
        if self.is_bound:
            value = self.data.get("organization")
            return int(value) if value and str(value).isdigit() else None
        return self.instance.organization_id if self.instance.pk else self.initial.get("organization")

    def item_rows(self) -> list[dict[str, Any]]:
        """The organization's items, each with whether it is covered and its availability target as shown."""
        organization_id = self.organization_id()
        if organization_id is None:
            return []
        if self.is_bound:
            chosen = set(_posted_items(self.data))
            targets = {key: self.data.get(f"availability_{key}", "") for key in chosen}
        else:
            coverage = self.instance.covered_items.all() if self.instance.pk else []
            chosen = {str(c.item_id) for c in coverage}
            targets = {
                str(c.item_id): "" if c.availability_target is None else f"{c.availability_target.normalize():f}"
                for c in coverage
            }
        return [
            {"item": item, "checked": str(item.pk) in chosen, "target": targets.get(str(item.pk), "")}
            for item in ConfigurationItem.objects.filter(organization_id=organization_id).order_by("-active", "name")
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("A contract cannot end before it starts."))
        organization = data.get("organization")
        ids = {int(v) for v in _posted_items(self.data) if str(v).isdigit()}
        if len(ids) != len(_posted_items(self.data)):
            raise forms.ValidationError(_("Unknown configuration item."))
        if organization is not None and ids:
            own = set(
                ConfigurationItem.objects.filter(organization=organization, pk__in=ids).values_list("pk", flat=True)
            )
            if own != ids:
                raise forms.ValidationError(_("Covered items must belong to the contract's organization."))
        for item_id in sorted(ids):
            text = (self.data.get(f"availability_{item_id}") or "").strip().replace(",", ".").rstrip("%")
            if not text:
                self.covered[item_id] = None
                continue
            try:
                target = Decimal(text)
            except InvalidOperation:
                target = Decimal(-1)
            if not Decimal(0) < target <= Decimal(100) or target.as_tuple().exponent < -3:  # type: ignore[operator]
                raise forms.ValidationError(
                    _("An availability target is a percentage such as 99.9 (at most three decimals).")
                )
            self.covered[item_id] = target
        return data

    def save_items(self, contract: Contract) -> None:
        contract.covered_items.exclude(item_id__in=self.covered).delete()
        for item_id, target in self.covered.items():
            contract.covered_items.update_or_create(item_id=item_id, defaults={"availability_target": target})
