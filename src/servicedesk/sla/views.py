"""Desk pages where a desk manager edits service calendars, SLA plans and contracts. Parse, authorise, call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.models import Organization
from servicedesk.lib.clock import now
from servicedesk.sla import clock
from servicedesk.sla.access import manager_required
from servicedesk.sla.forms import (
    CalendarDayForm,
    CalendarForm,
    ContractForm,
    PlanForm,
    PreviewForm,
    TargetForm,
    definition_from,
    save_targets,
    target_forms,
)
from servicedesk.sla.models import CalendarDay, Contract, ServiceCalendar, SlaPlan, SlaPlanVersion, SlaTarget
from servicedesk.sla.preview import preview


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    # Shows the nav link to agents holding the permission (base.html checks only is_superuser by itself).
    return render(request, template, {**context, "can_manage_sla": True}, status=status)


# Calendars


def _calendar_in_use(calendar: ServiceCalendar) -> bool:
    """Used by a plan's target, or by a frozen version (tickets measured under it count in this calendar)."""
    if SlaTarget.objects.filter(Q(reaction_calendar=calendar) | Q(resolution_calendar=calendar)).exists():
        return True
    for definition in SlaPlanVersion.objects.values_list("definition", flat=True).iterator():
        for row in definition.get("targets", {}).values():
            if calendar.pk in (row.get("reaction_calendar"), row.get("resolution_calendar")):
                return True
    return False


@manager_required
def calendars(request: HttpRequest) -> HttpResponse:
    rows = ServiceCalendar.objects.annotate(exceptions=Count("days"))
    return _render(request, "sla/calendars.html", {"calendars": rows})


@manager_required
def calendar_new(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        calendar = form.save()
        messages.success(request, _("Calendar “%(name)s” created.") % {"name": calendar.name})
        return redirect("sla:calendar", calendar.pk)
    return _render(request, "sla/calendar_new.html", {"form": form}, status=400 if form.errors else 200)


def _exceptions_context(calendar: ServiceCalendar, form: CalendarDayForm | None = None) -> dict[str, Any]:
    return {
        "calendar": calendar,
        "days": calendar.days.all(),
        "day_form": form or CalendarDayForm(calendar=calendar),
    }


@manager_required
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(ServiceCalendar, pk=pk)
    form = CalendarForm(request.POST or None, instance=calendar)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Calendar saved."))
        return redirect("sla:calendar", calendar.pk)
    year = timezone.localdate(now()).year
    holidays: list[dt.date] = []
    if calendar.holiday_country:
        holidays = sorted(
            clock.public_holidays([year, year + 1], calendar.holiday_country, calendar.holiday_subdivision or None)
        )
    context = {
        **_exceptions_context(calendar),
        "form": form,
        "holidays": holidays,
        "years": (year, year + 1),
        "in_use": _calendar_in_use(calendar),
    }
    return _render(request, "sla/calendar.html", context, status=400 if form.errors else 200)


@require_POST
@manager_required
def calendar_day_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(ServiceCalendar, pk=pk)
    form = CalendarDayForm(request.POST, calendar=calendar)
    added = form.is_valid()
    if added:
        form.save()
    if not request.htmx:  # type: ignore[attr-defined]
        if not added:
            messages.error(request, _("The exception was not added: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("sla:calendar", calendar.pk)
    # 200 even with errors: htmx swaps only successful answers, and the errors are shown in the swapped form.
    return _render(request, "sla/calendar_days.html", _exceptions_context(calendar, None if added else form))


@require_POST
@manager_required
def calendar_day_delete(request: HttpRequest, pk: int, day_pk: int) -> HttpResponse:
    calendar = get_object_or_404(ServiceCalendar, pk=pk)
    get_object_or_404(CalendarDay, pk=day_pk, calendar=calendar).delete()
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("sla:calendar", calendar.pk)
    return _render(request, "sla/calendar_days.html", _exceptions_context(calendar))


@require_POST
@manager_required
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(ServiceCalendar, pk=pk)
    if _calendar_in_use(calendar):
        messages.error(request, _("The calendar is used by an SLA plan and cannot be deleted."))
        return redirect("sla:calendar", calendar.pk)
    calendar.delete()
    messages.success(request, _("Calendar “%(name)s” deleted.") % {"name": calendar.name})
    return redirect("sla:calendars")


# Plans


@manager_required
def plans(request: HttpRequest) -> HttpResponse:
    rows = SlaPlan.objects.select_related("current_version").annotate(contract_count=Count("contracts"))
    return _render(request, "sla/plans.html", {"plans": rows})


def _save_plan(request: HttpRequest, form: PlanForm, targets: list[TargetForm]) -> SlaPlan:
    with transaction.atomic():
        plan = form.save()
        save_targets(plan, targets)
        previous = plan.current_version_id
        version = plan.publish(by=request.user)
    if version.pk != previous:
        messages.success(request, _("Plan saved as version %(number)s.") % {"number": version.number})
    else:
        messages.success(
            request, _("Plan saved; nothing changed, so it stays version %(number)s.") % {"number": version.number}
        )
    return plan


def _preview_form() -> PreviewForm:
    start = timezone.localtime(now()).replace(second=0, microsecond=0, tzinfo=None)
    return PreviewForm(initial={"preview_priority": 2, "preview_start": start})


@manager_required
def plan_new(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    targets = target_forms(None, request.POST or None)
    if request.method == "POST" and form.is_valid() and all(t.is_valid() for t in targets):
        plan = _save_plan(request, form, targets)
        return redirect("sla:plan", plan.pk)
    context = {"form": form, "targets": targets, "preview_form": _preview_form()}
    return _render(request, "sla/plan_new.html", context, status=400 if request.method == "POST" else 200)


@manager_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(SlaPlan, pk=pk)
    form = PlanForm(request.POST or None, instance=plan)
    targets = target_forms(plan, request.POST or None)
    if request.method == "POST" and form.is_valid() and all(t.is_valid() for t in targets):
        _save_plan(request, form, targets)
        return redirect("sla:plan", plan.pk)
    context = {
        "plan": plan,
        "form": form,
        "targets": targets,
        "preview_form": _preview_form(),
        "versions": plan.versions.select_related("created_by"),
        "contracts": plan.contracts.select_related("organization"),
    }
    return _render(request, "sla/plan.html", context, status=400 if request.method == "POST" else 200)


@require_POST
@manager_required
def plan_preview(request: HttpRequest) -> HttpResponse:
    """The deadlines the plan's targets as edited (not yet saved) would set, for the priority and start asked."""
    targets = target_forms(None, request.POST)
    asked = PreviewForm(request.POST)
    context: dict[str, Any] = {"asked": asked}
    if not asked.is_valid():
        context["problem"] = _("Choose a priority and when the ticket would have entered.")
    elif not all(t.is_valid() for t in targets):
        context["problem"] = _("Correct the targets to see a preview.")
    else:
        data = asked.cleaned_data
        context["result"] = preview(definition_from(targets), data["preview_priority"], data["preview_start"])
    return _render(request, "sla/plan_preview.html", context)


# Contracts


@manager_required
def contracts(request: HttpRequest) -> HttpResponse:
    rows = Contract.objects.select_related("organization", "plan")
    chosen = request.GET.get("organization", "")
    if chosen.isdigit():
        rows = rows.filter(organization_id=int(chosen))
    else:
        chosen = ""
    context = {
        "contracts": rows,
        "organizations": Organization.objects.filter(contracts__isnull=False).distinct().order_by("name"),
        "chosen": chosen,
        "today": timezone.localdate(now()),
        "valid_ids": set(Contract.objects.valid_on(timezone.localdate(now())).values_list("pk", flat=True)),
    }
    return _render(request, "sla/contracts.html", context)


def _save_contract(request: HttpRequest, form: ContractForm) -> Contract:
    with transaction.atomic():
        contract = form.save()
        form.save_items(contract)
    messages.success(request, _("Contract “%(name)s” saved.") % {"name": contract.name})
    return contract


@manager_required
def contract_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"valid_from": timezone.localdate(now())}
    if request.GET.get("organization", "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = ContractForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        contract = _save_contract(request, form)
        return redirect("sla:contract", contract.pk)
    return _render(request, "sla/contract_new.html", {"form": form}, status=400 if form.errors else 200)


@manager_required
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.select_related("organization", "plan"), pk=pk)
    form = ContractForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        _save_contract(request, form)
        return redirect("sla:contract", contract.pk)
    return _render(
        request, "sla/contract.html", {"contract": contract, "form": form}, status=400 if form.errors else 200
    )


@require_GET
@manager_required
def contract_items(request: HttpRequest) -> HttpResponse:
    """The covered-items table for the organization chosen in the contract form (htmx)."""
    form = ContractForm(request.GET)
    return _render(request, "sla/contract_items.html", {"form": form})


urlpatterns: list[URLPattern] = [
    path("", calendars, name="home"),
    path("calendars/", calendars, name="calendars"),
    path("calendars/new/", calendar_new, name="calendar_new"),
    path("calendars/<int:pk>/", calendar, name="calendar"),
    path("calendars/<int:pk>/delete/", calendar_delete, name="calendar_delete"),
    path("calendars/<int:pk>/days/", calendar_day_add, name="calendar_day_add"),
    path("calendars/<int:pk>/days/<int:day_pk>/delete/", calendar_day_delete, name="calendar_day_delete"),
    path("plans/", plans, name="plans"),
    path("plans/new/", plan_new, name="plan_new"),
    path("plans/preview/", plan_preview, name="plan_preview"),
    path("plans/<int:pk>/", plan, name="plan"),
    path("contracts/", contracts, name="contracts"),
    path("contracts/new/", contract_new, name="contract_new"),
    path("contracts/items/", contract_items, name="contract_items"),
    path("contracts/<int:pk>/", contract, name="contract"),
]
