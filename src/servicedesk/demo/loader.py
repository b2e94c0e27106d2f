"""Loads the whole demo in one transaction: a failure half-way leaves nothing behind, so a rerun starts clean."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from servicedesk.demo.directory import create_directory
from servicedesk.demo.history import TicketStory
from servicedesk.demo.plan import plan_tickets
from servicedesk.demo.sla import create_service_levels
from servicedesk.mail import muting
from servicedesk.sla.sweep import sweep
from servicedesk.tickets.models import Ticket

DEFAULT_TICKETS = 300
DEFAULT_SEED = 2026

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LoadResult:
    organizations: int
    contacts: int
    agents: int
    tickets: int  # including the duplicates that were merged
    admin_created: bool


@transaction.atomic
def load(tickets: int = DEFAULT_TICKETS, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> LoadResult:
    # Three months of replayed history mail nobody: the desk's mail starts with the first real change.
    with muting.muted():
        return _load(tickets, seed, progress)


def _load(tickets: int, seed: int, progress: Progress | None) -> LoadResult:
    rng = random.Random(seed)
    # Whole seconds: the planned moments and the playback agree, and the data does not look machine-made.
    now = timezone.now().replace(microsecond=0)
    directory = create_directory()
    create_service_levels(directory, timezone.localdate(now))
    plans = plan_tickets(rng, directory.customers, tickets, now)
    before = Ticket.objects.count()
    by_organization: dict[int, list[Ticket]] = defaultdict(list)
    for done, plan in enumerate(plans, start=1):
        organization_id = plan.customer.organization.pk
        story = TicketStory(plan, directory, rng, earlier=by_organization[organization_id][-10:])
        by_organization[organization_id].append(story.build().play(now))
        if progress is not None:
            progress(done, len(plans))
    # The replay only records what the actions see (a late reaction, a late resolution); the warnings and breaches
    # of the timers still running are the sweep's, as in production.
    sweep(now)
    return LoadResult(
        organizations=len(directory.customers),
        contacts=sum(len(customer.contacts) for customer in directory.customers),
        agents=len(directory.agents),
        tickets=Ticket.objects.count() - before,
        admin_created=directory.admin is not None,
    )
