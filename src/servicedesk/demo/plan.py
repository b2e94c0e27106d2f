"""What each demo ticket will go through: scenario, requester, channel, final state and when it starts.

Planning is pure (a seeded `random.Random` over plain data), so the same seed plans the same history; the
replay in `history.py` then writes it through the ticket actions.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from servicedesk.accounts.models import Contact
from servicedesk.demo.directory import CustomerSide
from servicedesk.demo.scenarios import SCENARIOS, Scenario
from servicedesk.tickets.models import Channel, TicketType
from servicedesk.tickets.states import WAITING_STATES, State

# Every state and every channel appears even in a small demo: the first tickets are planned to cover them,
# paired so that a scenario fits each pair (a customer-waiting ticket from the form, a vendor wait from
# monitoring, an API-opened request that is resolved).
COVERED_STATES: tuple[str, ...] = (
    State.NEW,
    State.ASSIGNED,
    State.IN_PROGRESS,
    State.WAITING_CUSTOMER,
    State.WAITING_VENDOR,
    State.RESOLVED,
    State.WAITING_PARTS,
    State.CLOSED,
    State.CANCELLED,
)
COVERED_CHANNELS: tuple[str, ...] = (
    Channel.WEB,
    Channel.EMAIL,
    Channel.PHONE,
    Channel.FORM,
    Channel.MONITORING,
    Channel.API,
)

# How the rest is spread: a desk with most of its past closed and a healthy open queue.
STATE_WEIGHTS: dict[str, int] = {
    State.CLOSED: 50,
    State.RESOLVED: 9,
    State.CANCELLED: 4,
    State.NEW: 6,
    State.ASSIGNED: 6,
    State.IN_PROGRESS: 11,
    State.WAITING_CUSTOMER: 6,
    State.WAITING_VENDOR: 4,
    State.WAITING_PARTS: 4,
}

# How long ago (in days) a ticket that ends in a state was opened: open tickets are recent, resolved ones
# are not yet auto-closed, closed ones spread over the whole window.
AGE_DAYS: dict[str, tuple[float, float]] = {
    State.NEW: (0.05, 1.2),
    State.ASSIGNED: (0.1, 3),
    State.IN_PROGRESS: (0.2, 10),
    State.WAITING_CUSTOMER: (1, 20),
    State.WAITING_VENDOR: (1, 15),
    State.WAITING_PARTS: (1, 15),
    State.RESOLVED: (1, 6),
    State.CLOSED: (4, 90),
    State.CANCELLED: (1, 90),
}
DAYS_BACK = 90


@dataclass
class TicketPlan:
    scenario: Scenario
    customer: CustomerSide
    requester: Contact | None
    channel: str
    target: str
    created_at: dt.datetime
    escalate: bool = False
    reopen: bool = False
    duplicate: bool = False
    link: bool = False

    @property
    def language(self) -> str:
        if self.requester is None:  # monitoring alerts speak English
            return "en"
        return self.requester.language


def plan_tickets(rng: random.Random, customers: list[CustomerSide], count: int, now: dt.datetime) -> list[TicketPlan]:
    plans = [_plan_one(rng, customers, index, now) for index in range(count)]
    _mark_specials(rng, plans)
    plans.sort(key=lambda plan: plan.created_at)  # numbers follow the order tickets were opened in
    return plans


def _plan_one(rng: random.Random, customers: list[CustomerSide], index: int, now: dt.datetime) -> TicketPlan:
    if index < len(COVERED_STATES):
        target = COVERED_STATES[index]
    else:
        target = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
    wanted_channel = COVERED_CHANNELS[index] if index < len(COVERED_CHANNELS) else None
    scenario = _scenario_for(rng, target, wanted_channel)
    channel = wanted_channel if wanted_channel in scenario.channels else rng.choice(scenario.channels)
    if target == State.WAITING_CUSTOMER and channel == Channel.MONITORING:
        channel = Channel.EMAIL  # a question needs someone to ask
    customer = rng.choice(customers)
    requester = None
    if channel != Channel.MONITORING:
        people = customer.contacts
        if channel == Channel.WEB:  # the portal needs a login
            people = [contact for contact in people if contact.user_id is not None] or people
        requester = rng.choice(people)
    return TicketPlan(
        scenario=scenario,
        customer=customer,
        requester=requester,
        channel=channel,
        target=target,
        created_at=_opened_at(rng, target, channel, now),
        escalate=scenario.team is not None and rng.random() < 0.85,
    )


def _scenario_for(rng: random.Random, target: str, channel: str | None) -> Scenario:
    candidates = list(SCENARIOS)
    if target in WAITING_STATES - {State.WAITING_CUSTOMER}:
        candidates = [scenario for scenario in candidates if scenario.waiting == target]
    if channel is not None:
        candidates = [scenario for scenario in candidates if channel in scenario.channels] or candidates
    return rng.choice(candidates)


def _opened_at(rng: random.Random, target: str, channel: str, now: dt.datetime) -> dt.datetime:
    low, high = AGE_DAYS[target]
    moment = now - dt.timedelta(days=rng.uniform(low, min(high, DAYS_BACK)))
    if channel != Channel.MONITORING and moment < now - dt.timedelta(days=1):
        # People write during office hours on weekdays; monitoring alerts at any time.
        local = timezone.localtime(moment)
        if local.weekday() >= 5:
            monday = local + dt.timedelta(days=7 - local.weekday())
            local = monday if monday < now - dt.timedelta(days=1) else local - dt.timedelta(days=local.weekday() - 4)
        local = local.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59), second=rng.randint(0, 59))
        moment = local
    return min(moment, now - dt.timedelta(minutes=rng.randint(20, 90))).replace(microsecond=0)


def _mark_specials(rng: random.Random, plans: list[TicketPlan]) -> None:
    """Reopens, duplicates to merge and links, a few of each even in a small demo."""
    worked = [plan for plan in plans if plan.target not in {State.NEW, State.ASSIGNED, State.CANCELLED}]
    for plan in rng.sample(worked, min(len(worked), max(1, len(plans) // 40))):
        plan.duplicate = True
    for plan in rng.sample(worked, min(len(worked), max(2, len(plans) // 25))):
        plan.link = True
    # A reopen says "it broke again": only incidents break.
    closed = [plan for plan in plans if plan.target == State.CLOSED and plan.scenario.type == TicketType.INCIDENT]
    for plan in rng.sample(closed, min(len(closed), max(1, len(plans) // 25))):
        plan.reopen = True
