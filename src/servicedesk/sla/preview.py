"""“A P2 ticket entered at … would be due …”: the deadlines a plan promises, for the desk's preview and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from servicedesk.sla import config, timers


@dataclass(frozen=True)
class Preview:
    priority: int
    start: dt.datetime
    reaction_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None


def preview(definition: dict[str, Any], priority: int, start: dt.datetime) -> Preview:
    """Deadlines under a plan definition (a version's, or SlaPlan.definition() of unsaved edits) from `start`."""
    terms = config.terms_from_definition(definition, priority, config.snapshot().calendars)
    reaction = resolution = None
    if terms is not None and terms.reaction is not None:
        reaction = timers.due(terms.reaction, start)
    if terms is not None and terms.resolution is not None:
        resolution = timers.due(terms.resolution, start)
    return Preview(priority, start, reaction, resolution)


def version_for_organization(organization_id: int, start: dt.datetime) -> int | None:
    """The plan version a ticket of this organization entered at `start` (no category, no items) would be measured
    under: its contract's plan, else the default plan; None when neither exists."""
    from django.utils import timezone

    snapshot = config.snapshot()
    rule = snapshot.contract_for(organization_id, None, (), timezone.localdate(start))
    return snapshot.current_version_of_plan[rule.plan_id] if rule else snapshot.default_version_id
