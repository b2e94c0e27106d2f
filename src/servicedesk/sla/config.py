"""The SLA configuration as the timers need it, remembered per process.

Opening a ticket and the sweep ask for the contract rules, plan terms and calendars on every ticket, and they change
a few times a year: the whole set is loaded in a handful of queries and remembered for SLA_CONFIG_CACHE_SECONDS
(a change made in this process is seen at once; other processes see it within that time). Plan versions are
immutable, so their terms never go stale.

Which contract measures a ticket (docs/sla.md, "Which contract"): among the active contracts of the ticket's
organization valid on its entry date, those whose coverage matches (no categories listed or the ticket's category
listed; no items listed or one of the ticket's items listed); the most specific wins (an item match before a
category match before a contract covering everything), then the latest start of validity, then the lowest id.
With none, the default plan (if one is marked) measures the ticket without a contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from servicedesk.lib.memo import TimedMemo
from servicedesk.sla import clock
from servicedesk.sla.timers import Target, Terms


@dataclass(frozen=True)
class ContractRule:
    id: int
    name: str
    organization_id: int
    plan_id: int
    valid_from: dt.date
    valid_until: dt.date | None
    category_ids: frozenset[int]
    item_ids: frozenset[int]

    def covers(self, day: dt.date, category_id: int | None, item_ids: frozenset[int]) -> int | None:
        """The specificity of the match (higher wins), or None when the contract does not cover the ticket."""
        if day < self.valid_from or (self.valid_until is not None and day > self.valid_until):
            return None
        if self.category_ids and category_id not in self.category_ids:
            return None
        if self.item_ids and not (self.item_ids & item_ids):
            return None
        return (2 if self.item_ids else 0) + (1 if self.category_ids else 0)


@dataclass
class Snapshot:
    calendars: dict[int, clock.Calendar]
    contracts_by_organization: dict[int, list[ContractRule]]
    current_version_of_plan: dict[int, int]
    default_version_id: int | None
    plan_names: dict[int, str]
    version_labels: dict[int, str]  # current versions: "Standard v3"
    contract_names: dict[int, str]
    _terms: dict[tuple[int, int], Terms | None] = field(default_factory=dict)

    def contract_for(
        self, organization_id: int | None, category_id: int | None, item_ids: Iterable[int], day: dt.date
    ) -> ContractRule | None:
        if organization_id is None:
            return None
        items = frozenset(item_ids)
        best: tuple[int, dt.date, int] | None = None
        chosen = None
        for rule in self.contracts_by_organization.get(organization_id, ()):
            specificity = rule.covers(day, category_id, items)
            if specificity is None or rule.plan_id not in self.current_version_of_plan:
                continue
            key = (specificity, rule.valid_from, -rule.id)
            if best is None or key > best:
                best, chosen = key, rule
        return chosen


def _load() -> Snapshot:
    from servicedesk.sla.models import CalendarDay, Contract, CoveredItem, ServiceCalendar, SlaPlan

    days: dict[int, list[CalendarDay]] = {}
    for day in CalendarDay.objects.all():
        days.setdefault(day.calendar_id, []).append(day)
    calendars = {c.pk: c.to_clock(days.get(c.pk, [])) for c in ServiceCalendar.objects.all()}
    plans = list(
        SlaPlan.objects.filter(active=True, current_version__isnull=False).values_list(
            "id", "current_version_id", "is_default", "name", "current_version__number"
        )
    )
    current = {plan_id: version_id for plan_id, version_id, _, _, _ in plans}
    default = next((version_id for _, version_id, is_default, _, _ in plans if is_default), None)
    categories: dict[int, set[int]] = {}
    for contract_id, category_id in Contract.categories.through.objects.values_list("contract_id", "category_id"):
        categories.setdefault(contract_id, set()).add(category_id)
    items: dict[int, set[int]] = {}
    for contract_id, item_id in CoveredItem.objects.values_list("contract_id", "item_id"):
        items.setdefault(contract_id, set()).add(item_id)
    by_organization: dict[int, list[ContractRule]] = {}
    for contract in Contract.objects.filter(active=True).only(
        "id", "name", "organization_id", "plan_id", "valid_from", "valid_until"
    ):
        by_organization.setdefault(contract.organization_id, []).append(
            ContractRule(
                id=contract.pk,
                name=contract.name,
                organization_id=contract.organization_id,
                plan_id=contract.plan_id,
                valid_from=contract.valid_from,
                valid_until=contract.valid_until,
                category_ids=frozenset(categories.get(contract.pk, ())),
                item_ids=frozenset(items.get(contract.pk, ())),
            )
        )
    return Snapshot(
        calendars=calendars,
        contracts_by_organization=by_organization,
        current_version_of_plan=current,
        default_version_id=default,
        plan_names={plan_id: name for plan_id, _, _, name, _ in plans},
        version_labels={version_id: f"{name} v{number}" for _, version_id, _, name, number in plans},
        contract_names={rule.id: rule.name for rules in by_organization.values() for rule in rules},
    )


_memo: TimedMemo[Snapshot] = TimedMemo(_load, lambda: settings.SLA_CONFIG_CACHE_SECONDS)
# Plan versions never change: their definitions are remembered for the life of the process.
_definitions: dict[int, dict[str, Any]] = {}


def snapshot() -> Snapshot:
    return _memo.get()


def forget(**signal_arguments: Any) -> None:
    _memo.forget()


def definition(version_id: int) -> dict[str, Any]:
    if version_id not in _definitions:
        from servicedesk.sla.models import SlaPlanVersion

        _definitions[version_id] = SlaPlanVersion.objects.values_list("definition", flat=True).get(pk=version_id)
    return _definitions[version_id]


def terms(version_id: int | None, priority: int) -> Terms | None:
    """The terms of one priority under a plan version, or None when the plan sets no target for it."""
    if version_id is None:
        return None
    current = snapshot()
    key = (version_id, priority)
    if key not in current._terms:
        current._terms[key] = terms_from_definition(definition(version_id), priority, current.calendars)
    return current._terms[key]


def _target(minutes: int | None, calendar_id: int | None, calendars: dict[int, clock.Calendar]) -> Target | None:
    if minutes is None:
        return None
    calendar = calendars.get(calendar_id or 0, clock.TWENTY_FOUR_SEVEN)
    return Target(seconds=int(minutes) * 60, calendar=calendar)


def terms_from_definition(
    definition: dict[str, Any], priority: int, calendars: dict[int, clock.Calendar]
) -> Terms | None:
    row = definition.get("targets", {}).get(str(priority))
    if not row:
        return None
    reaction = _target(row.get("reaction_minutes"), row.get("reaction_calendar"), calendars)
    resolution = _target(row.get("resolution_minutes"), row.get("resolution_calendar"), calendars)
    if reaction is None and resolution is None:
        return None
    return Terms(
        reaction=reaction,
        resolution=resolution,
        thresholds=tuple(sorted(int(p) for p in definition.get("warning_thresholds", []))),
        pause_states=frozenset(definition.get("pause_states", [])),
        team_assignment_counts=bool(definition.get("team_assignment_counts")),
        warning_actions=tuple(definition.get("warning_actions", [])),
        breach_actions=tuple(definition.get("breach_actions", [])),
        escalation_team_id=definition.get("escalation_team"),
    )


def _connect() -> None:
    from servicedesk.sla import models

    for model in (models.ServiceCalendar, models.CalendarDay, models.SlaPlan, models.Contract, models.CoveredItem):
        post_save.connect(forget, sender=model, weak=False)
        post_delete.connect(forget, sender=model, weak=False)
    m2m_changed.connect(forget, sender=models.Contract.categories.through, weak=False)
