"""The SLA timers on a ticket: started at entry, stopped, paused and resumed by the ticket actions.

tickets/actions.py calls these functions inside its transactions; each changes the ticket's SLA fields in memory
and returns the history events to write (the caller writes them with its own `_event`, so they land in the same
transaction and the same webhook outbox). The sweep (sla/sweep.py) fires warnings and breaches.

Ticket fields (docs/sla.md, "Timers"):
- sla_plan (the plan version), contract
- reaction_due_at, reacted_at, reaction_breached, reaction_level
- resolution_due_at, resolution_breached, resolution_level, paused_seconds, sla_paused_since
- sla_next_check_at: the earliest instant a running timer crosses its next level; the sweep's index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servicedesk.sla import config, timers
from servicedesk.sla.clock import business_seconds_between
from servicedesk.sla.timers import Target, Terms
from servicedesk.tickets.states import DONE_STATES, OPEN_STATES, State

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket

REACTION = "reaction"
RESOLUTION = "resolution"

SLA_FIELDS = [
    "contract",
    "sla_plan",
    "reaction_due_at",
    "reacted_at",
    "reaction_breached",
    "reaction_level",
    "resolution_due_at",
    "resolution_breached",
    "resolution_level",
    "paused_seconds",
    "sla_paused_since",
    "sla_next_check_at",
]


@dataclass(frozen=True)
class Change:
    """A history event to write: kind is an EventKind value (sla_started, sla_paused, …)."""

    kind: str
    field: str = ""
    old: str = ""
    new: str = ""
    note: str = ""


def terms_of(ticket: Ticket) -> Terms | None:
    return config.terms(ticket.sla_plan_id, ticket.priority)


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment else ""


# --- Entry ----------------------------------------------------------------------------------------------------


def start(ticket: Ticket, item_ids: Iterable[int], now: dt.datetime) -> list[Change]:
    """Choose the contract and plan version and set the deadlines of a ticket being entered at `now`.

    Call before the ticket is first saved: the fields go into its INSERT."""
    snapshot = config.snapshot()
    from django.utils import timezone

    rule = snapshot.contract_for(
        ticket.organization_id, ticket.category_id, item_ids, timezone.localdate(ticket.created_at)
    )
    if rule is not None:
        ticket.contract_id = rule.id
        ticket.sla_plan_id = snapshot.current_version_of_plan[rule.plan_id]
    else:
        ticket.contract_id = None
        ticket.sla_plan_id = snapshot.default_version_id
    ticket.paused_seconds = 0
    ticket.sla_paused_since = None
    ticket.reaction_level = ticket.resolution_level = 0
    ticket.reaction_breached = ticket.resolution_breached = False
    _set_due_times(ticket)
    _schedule(ticket)
    if ticket.sla_plan_id is None:
        return []
    return [
        Change(
            "sla_started",
            field="plan",
            new=_plan_label(ticket),
            note=_due_note(ticket),
        )
    ]


def _plan_label(ticket: Ticket) -> str:
    """ "Support 2026 · Standard v3": from the remembered configuration, a query only for an old plan version."""
    snapshot = config.snapshot()
    label = snapshot.version_labels.get(ticket.sla_plan_id or 0, "")
    if not label and ticket.sla_plan_id is not None:
        from servicedesk.sla.models import SlaPlanVersion

        version = SlaPlanVersion.objects.select_related("plan").filter(pk=ticket.sla_plan_id).first()
        label = str(version) if version else ""
    contract = snapshot.contract_names.get(ticket.contract_id or 0, "")
    return f"{contract} · {label}" if contract else label


def _due_note(ticket: Ticket) -> str:
    parts = []
    if ticket.reaction_due_at:
        parts.append(f"reaction_due_at={_iso(ticket.reaction_due_at)}")
    if ticket.resolution_due_at:
        parts.append(f"resolution_due_at={_iso(ticket.resolution_due_at)}")
    return " ".join(parts)


def _set_due_times(ticket: Ticket) -> None:
    terms = terms_of(ticket)
    start_at = ticket.created_at
    if terms is not None and terms.reaction is not None:
        ticket.reaction_due_at = timers.due(terms.reaction, start_at)
    else:
        ticket.reaction_due_at = None
    if terms is not None and terms.resolution is not None:
        ticket.resolution_due_at = timers.due(terms.resolution, start_at, ticket.paused_seconds)
    else:
        ticket.resolution_due_at = None


# --- Which timers run, and when the sweep must look next ---------------------------------------------------


def reaction_running(ticket: Ticket) -> bool:
    return ticket.reaction_due_at is not None and ticket.reacted_at is None and ticket.state in OPEN_STATES


def resolution_running(ticket: Ticket) -> bool:
    return ticket.resolution_due_at is not None and ticket.sla_paused_since is None and ticket.state in OPEN_STATES


def _schedule(ticket: Ticket) -> None:
    """Set sla_next_check_at: the earliest next level of a running timer."""
    terms = terms_of(ticket)
    candidates = []
    if terms is not None:
        if terms.reaction is not None and reaction_running(ticket):
            candidates.append(
                timers.next_level_instant(terms, terms.reaction, ticket.created_at, ticket.reaction_level)
            )
        if terms.resolution is not None and resolution_running(ticket):
            candidates.append(
                timers.next_level_instant(
                    terms, terms.resolution, ticket.created_at, ticket.resolution_level, ticket.paused_seconds
                )
            )
    ticket.sla_next_check_at = min((c for c in candidates if c is not None), default=None)


# --- Reaction -------------------------------------------------------------------------------------------------


def on_reaction(ticket: Ticket, now: dt.datetime, *, by_team: bool = False) -> list[Change]:
    """An agent took the ticket or was assigned (by_team=False), or a resolver team got it (by_team=True)."""
    if not reaction_running(ticket):
        return []
    terms = terms_of(ticket)
    if by_team and (terms is None or not terms.team_assignment_counts):
        return []
    return _stop_reaction(ticket, now)


def _stop_reaction(ticket: Ticket, now: dt.datetime) -> list[Change]:
    ticket.reacted_at = now
    assert ticket.reaction_due_at is not None
    late = now > ticket.reaction_due_at
    changes = []
    if late and not ticket.reaction_breached:
        # Reacted late before the sweep noticed: the breach is recorded now (and fired once, here).
        ticket.reaction_breached = True
        terms = terms_of(ticket)
        ticket.reaction_level = terms.breach_level if terms else ticket.reaction_level
        changes.append(Change("sla_breached", field=REACTION, new=_iso(ticket.reaction_due_at)))
    changes.append(
        Change("sla_stopped" if late else "sla_met", field=REACTION, old=_iso(ticket.reaction_due_at), new=_iso(now))
    )
    _schedule(ticket)
    return changes


# --- State changes: pause, resume, stop --------------------------------------------------------------------


def on_state_change(ticket: Ticket, old_state: str, new_state: str, now: dt.datetime) -> list[Change]:
    """Pause, resume or stop the timers for a state change (already applied to ticket.state)."""
    if ticket.sla_plan_id is None:
        return []
    terms = terms_of(ticket)
    changes: list[Change] = []
    pausing = frozenset(terms.pause_states) if terms else frozenset()
    # Resolving or cancelling counts as the reaction when nobody was assigned (e.g. solved on the hotline).
    if new_state in DONE_STATES and ticket.reaction_due_at is not None and ticket.reacted_at is None:
        if new_state == State.RESOLVED:
            changes += _stop_reaction(ticket, now)
        else:
            changes.append(Change("sla_stopped", field=REACTION, new=new_state))
    if ticket.resolution_due_at is None or terms is None or terms.resolution is None:
        _schedule(ticket)
        return changes
    was_paused = ticket.sla_paused_since is not None
    pauses = new_state in pausing or new_state in DONE_STATES
    if pauses and not was_paused:
        ticket.sla_paused_since = now
        if new_state == State.RESOLVED:
            late = now > ticket.resolution_due_at
            if late and not ticket.resolution_breached:
                ticket.resolution_breached = True
                ticket.resolution_level = terms.breach_level
                changes.append(Change("sla_breached", field=RESOLUTION, new=_iso(ticket.resolution_due_at)))
            changes.append(
                Change(
                    "sla_stopped" if late else "sla_met",
                    field=RESOLUTION,
                    old=_iso(ticket.resolution_due_at),
                    new=_iso(now),
                )
            )
        elif new_state in DONE_STATES:
            changes.append(Change("sla_stopped", field=RESOLUTION, new=new_state))
        else:
            changes.append(Change("sla_paused", field=RESOLUTION, new=new_state))
    elif not pauses and was_paused and new_state in OPEN_STATES:
        assert ticket.sla_paused_since is not None
        paused = business_seconds_between(terms.resolution.calendar, ticket.sla_paused_since, now)
        ticket.paused_seconds += paused
        ticket.sla_paused_since = None
        old_due = ticket.resolution_due_at
        ticket.resolution_due_at = timers.due(terms.resolution, ticket.created_at, ticket.paused_seconds)
        changes.append(
            Change(
                "sla_resumed",
                field=RESOLUTION,
                old=_iso(old_due),
                new=_iso(ticket.resolution_due_at),
                note=f"paused_seconds={paused}",
            )
        )
    elif pauses and was_paused and new_state in OPEN_STATES:
        changes.append(Change("sla_paused", field=RESOLUTION, new=new_state))
    _schedule(ticket)
    return changes


# --- Recomputing: priority, contract, re-applying the current plan ----------------------------------------------


def recompute(ticket: Ticket, now: dt.datetime, reason: str) -> list[Change]:
    """Deadlines again from the entry time under the ticket's (new) priority, plan version or contract.

    Levels already fired stay fired while they are still crossed; a level no longer crossed may fire again later;
    levels newly crossed fire at the next sweep."""
    old_reaction, old_resolution = ticket.reaction_due_at, ticket.resolution_due_at
    _set_due_times(ticket)
    terms = terms_of(ticket)
    if terms is not None and terms.reaction is not None and ticket.reaction_due_at is not None:
        moment = ticket.reacted_at or now
        crossed = timers.crossed_level(terms, terms.reaction, ticket.created_at, moment)
        ticket.reaction_level = min(ticket.reaction_level, crossed)
        ticket.reaction_breached = ticket.reaction_level >= terms.breach_level or (
            ticket.reacted_at is not None and ticket.reacted_at > ticket.reaction_due_at
        )
    else:
        ticket.reaction_level, ticket.reaction_breached = 0, False
    if terms is not None and terms.resolution is not None and ticket.resolution_due_at is not None:
        moment = ticket.sla_paused_since or now
        crossed = timers.crossed_level(terms, terms.resolution, ticket.created_at, moment, ticket.paused_seconds)
        ticket.resolution_level = min(ticket.resolution_level, crossed)
        ticket.resolution_breached = ticket.resolution_level >= terms.breach_level or (
            ticket.state in DONE_STATES
            and ticket.resolved_at is not None
            and ticket.resolved_at > ticket.resolution_due_at
        )
    else:
        ticket.resolution_level, ticket.resolution_breached = 0, False
    _schedule(ticket)
    if (old_reaction, old_resolution) == (ticket.reaction_due_at, ticket.resolution_due_at):
        return []
    return [
        Change(
            "sla_recomputed",
            field="due",
            old=f"reaction_due_at={_iso(old_reaction)} resolution_due_at={_iso(old_resolution)}",
            new=_due_note(ticket),
            note=reason,
        )
    ]


def reselect_contract(ticket: Ticket, item_ids: Iterable[int], now: dt.datetime) -> list[Change]:
    """After the organization, category or items changed: the contract that covers the ticket now.

    The plan version stays when the plan stays; another plan brings its current version."""
    from django.utils import timezone

    snapshot = config.snapshot()
    rule = snapshot.contract_for(
        ticket.organization_id, ticket.category_id, item_ids, timezone.localdate(ticket.created_at)
    )
    new_contract = rule.id if rule else None
    if new_contract == ticket.contract_id:
        return []
    old_label = _plan_label(ticket)
    old_plan = _plan_of_version(ticket.sla_plan_id)
    ticket.contract_id = new_contract
    new_plan = rule.plan_id if rule else None
    if rule is None:
        ticket.sla_plan_id = snapshot.default_version_id
    elif new_plan != old_plan:
        ticket.sla_plan_id = snapshot.current_version_of_plan[rule.plan_id]
    changes = [Change("sla_contract_changed", field="contract", old=old_label, new=_plan_label(ticket))]
    return changes + recompute(ticket, now, reason="contract")


def reapply_current(ticket: Ticket, now: dt.datetime) -> list[Change]:
    """Measure the ticket under the current version of its plan (an agent's explicit choice)."""
    plan_id = _plan_of_version(ticket.sla_plan_id)
    if plan_id is None:
        return []
    current = config.snapshot().current_version_of_plan.get(plan_id)
    if current is None or current == ticket.sla_plan_id:
        return []
    old_label = _plan_label(ticket)
    ticket.sla_plan_id = current
    changes = [Change("sla_plan_reapplied", field="plan", old=old_label, new=_plan_label(ticket))]
    return changes + recompute(ticket, now, reason="plan")


def _plan_of_version(version_id: int | None) -> int | None:
    if version_id is None:
        return None
    from servicedesk.sla.models import SlaPlanVersion

    return SlaPlanVersion.objects.filter(pk=version_id).values_list("plan_id", flat=True).first()


# --- What a person sees --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerStatus:
    """One timer as a badge shows it."""

    name: str  # reaction | resolution
    due_at: dt.datetime
    target_seconds: int
    left_seconds: int  # business time; negative: overdue by that much
    used_percent: int
    state: str  # running | paused | met | breached | stopped
    level: str  # ok | warning | breached (for the colour)


def timer_status(ticket: Ticket, name: str, now: dt.datetime) -> TimerStatus | None:
    terms = terms_of(ticket)
    if terms is None:
        return None
    target: Target | None = terms.reaction if name == REACTION else terms.resolution
    due_at = ticket.reaction_due_at if name == REACTION else ticket.resolution_due_at
    if target is None or due_at is None:
        return None
    if name == REACTION:
        stopped_at = ticket.reacted_at
        breached = ticket.reaction_breached
        paused = False
    else:
        stopped_at = ticket.resolved_at if ticket.state in (State.RESOLVED, State.CLOSED) else None
        breached = ticket.resolution_breached
        paused = ticket.sla_paused_since is not None and stopped_at is None
    reference = stopped_at or (ticket.sla_paused_since if paused else None) or now
    left = timers.left_seconds(target, due_at, reference)
    used = timers.used_percent(target, due_at, reference)
    if stopped_at is not None:
        state = "breached" if stopped_at > due_at else "met"
    elif ticket.state in DONE_STATES:
        state = "stopped"
    elif paused:
        state = "paused"
    else:
        state = "breached" if reference > due_at else "running"
    if breached or state == "breached":
        level = "breached"
    elif state in ("running", "paused") and terms.thresholds and used >= terms.thresholds[0]:
        level = "warning"
    else:
        level = "ok"
    return TimerStatus(name, due_at, target.seconds, left, used, state, level)
