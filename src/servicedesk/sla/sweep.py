"""The SLA sweep: fires every warning and breach exactly once.

`Ticket.sla_next_check_at` holds the instant a running timer crosses its next level, indexed; the sweep reads only
the tickets whose instant has come, in batches of SLA_SWEEP_BATCH. Each batch is one transaction that locks its
rows (PostgreSQL: FOR UPDATE SKIP LOCKED, so several workers share the work; SQLite: the write lock taken at BEGIN),
raises the fired levels, writes the events, the notifications and the webhook deliveries, and moves
sla_next_check_at on. A worker that dies mid-batch commits nothing, and the next sweep does that batch again; a
level is fired only by the transaction that raises it, so never twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.lib import clock
from servicedesk.notifications.models import NotificationKind
from servicedesk.notifications.service import Note, desk_manager_ids, notify_many, team_members
from servicedesk.sla import engine, timers
from servicedesk.sla.models import SlaAction
from servicedesk.tickets.models import EventKind, Ticket, TicketEvent
from servicedesk.webhooks import outbox

logger = logging.getLogger(__name__)

_COLUMNS = (
    "id",
    "number",
    "subject",
    "state",
    "priority",
    "created_at",
    "team_id",
    "assigned_to_id",
    "organization_id",
    "sla_plan_id",
    "contract_id",
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
)
_UPDATED = [
    "reaction_breached",
    "reaction_level",
    "resolution_breached",
    "resolution_level",
    "sla_next_check_at",
]


@dataclass(frozen=True)
class Fired:
    ticket: Ticket
    timer: str  # reaction | resolution
    breach: bool
    percent: int
    actions: tuple[str, ...]


@dataclass
class SweepResult:
    tickets: int = 0
    warnings: int = 0
    breaches: int = 0


def sweep(now: dt.datetime | None = None, batch_size: int | None = None) -> SweepResult:
    """Fire what is due at `now` (the domain clock by default). Returns what was done."""
    now = now or clock.now()
    batch_size = batch_size or settings.SLA_SWEEP_BATCH
    result = SweepResult()
    while True:
        count = _sweep_batch(now, batch_size, result)
        if count < batch_size:
            return result


@transaction.atomic
def _sweep_batch(now: dt.datetime, batch_size: int, result: SweepResult) -> int:
    queryset = Ticket.objects.filter(sla_next_check_at__lte=now).order_by("sla_next_check_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    batch = list(queryset.only(*_COLUMNS)[:batch_size])
    fired: list[Fired] = []
    for ticket in batch:
        fired += _advance(ticket, now)
    # One plain UPDATE per ticket: bulk_update's CASE WHEN over hundreds of rows is several times slower on SQLite.
    for ticket in batch:
        Ticket.objects.filter(pk=ticket.pk).update(**{field: getattr(ticket, field) for field in _UPDATED})
    _record(fired, now)
    result.tickets += len(batch)
    result.warnings += sum(1 for f in fired if not f.breach)
    result.breaches += sum(1 for f in fired if f.breach)
    _act(fired)
    return len(batch)


def _advance(ticket: Ticket, now: dt.datetime) -> list[Fired]:
    """Raise the ticket's levels to what `now` has crossed; what was newly crossed is fired."""
    terms = engine.terms_of(ticket)
    fired: list[Fired] = []
    if terms is not None:
        if terms.reaction is not None and engine.reaction_running(ticket):
            crossed = timers.crossed_level(terms, terms.reaction, ticket.created_at, now)
            for level in range(ticket.reaction_level + 1, crossed + 1):
                fired.append(_fire(ticket, terms, engine.REACTION, level))
            if crossed > ticket.reaction_level:
                ticket.reaction_level = crossed
                ticket.reaction_breached = ticket.reaction_breached or crossed >= terms.breach_level
        if terms.resolution is not None and engine.resolution_running(ticket):
            crossed = timers.crossed_level(terms, terms.resolution, ticket.created_at, now, ticket.paused_seconds)
            for level in range(ticket.resolution_level + 1, crossed + 1):
                fired.append(_fire(ticket, terms, engine.RESOLUTION, level))
            if crossed > ticket.resolution_level:
                ticket.resolution_level = crossed
                ticket.resolution_breached = ticket.resolution_breached or crossed >= terms.breach_level
    engine._schedule(ticket)
    return fired


def _fire(ticket: Ticket, terms: timers.Terms, timer: str, level: int) -> Fired:
    breach = level >= terms.breach_level
    return Fired(
        ticket=ticket,
        timer=timer,
        breach=breach,
        percent=terms.percent_of_level(level),
        actions=terms.breach_actions if breach else terms.warning_actions,
    )


def _record(fired: list[Fired], now: dt.datetime) -> None:
    """The history events (bulk), their webhook deliveries and the agents' notifications."""
    events = [
        TicketEvent(
            ticket=f.ticket,
            kind=EventKind.SLA_BREACHED if f.breach else EventKind.SLA_WARNING,
            actor_label="SLA",
            field=f.timer,
            old_value=f"{f.percent}",
            new_value=_due_text(f),
            created_at=now,
        )
        for f in fired
    ]
    TicketEvent.objects.bulk_create(events)
    for event in events:
        outbox.record(event)
    members = team_members({f.ticket.team_id for f in fired if f.ticket.team_id and SlaAction.NOTIFY_TEAM in f.actions})
    managers = desk_manager_ids() if any(SlaAction.NOTIFY_MANAGERS in f.actions for f in fired) else []
    recipients_of: list[tuple[Fired, set[int]]] = []
    for f in fired:
        recipients: set[int] = set()
        if SlaAction.NOTIFY_TEAM in f.actions and f.ticket.team_id:
            recipients.update(members.get(f.ticket.team_id, ()))
        if SlaAction.NOTIFY_AGENT in f.actions and f.ticket.assigned_to_id:
            recipients.add(f.ticket.assigned_to_id)
        if SlaAction.NOTIFY_MANAGERS in f.actions:
            recipients.update(managers)
        if recipients:
            recipients_of.append((f, recipients))
    # Each agent reads the title in their own language (one query for the whole batch).
    languages = _languages({pk for _, recipients in recipients_of for pk in recipients})
    notes = []
    for f, recipients in recipients_of:
        kind = NotificationKind.SLA_BREACHED if f.breach else NotificationKind.SLA_WARNING
        by_language: dict[str, set[int]] = {}
        for pk in recipients:
            by_language.setdefault(languages.get(pk) or settings.LANGUAGE_CODE, set()).add(pk)
        for language, ids in sorted(by_language.items()):
            with translation.override(language):
                notes.append(Note(frozenset(ids), kind, _title(f), f.ticket))
    notify_many(notes)


def _languages(user_ids: set[int]) -> dict[int, str]:
    from servicedesk.accounts.models import User

    if not user_ids:
        return {}
    return dict(User.objects.filter(pk__in=user_ids).values_list("pk", "language"))


def _due_text(f: Fired) -> str:
    due_at = f.ticket.reaction_due_at if f.timer == engine.REACTION else f.ticket.resolution_due_at
    return due_at.isoformat() if due_at else ""


def _title(f: Fired) -> str:
    timer = _("reaction") if f.timer == engine.REACTION else _("resolution")
    if f.breach:
        return _("%(number)s: %(timer)s deadline passed") % {"number": f.ticket.number, "timer": timer}
    return _("%(number)s: %(percent)s %% of the %(timer)s time used") % {
        "number": f.ticket.number,
        "percent": f.percent,
        "timer": timer,
    }


def _act(fired: list[Fired]) -> None:
    """Actions that change the ticket itself go through the ticket actions (their own events, same transaction)."""
    from servicedesk.accounts.models import Team
    from servicedesk.tickets import actions

    for f in fired:
        if SlaAction.RAISE_PRIORITY in f.actions:
            actions.raise_priority(f.ticket, actor=None, actor_label="SLA", reason=_title(f))
        if SlaAction.HAND_OVER in f.actions:
            terms = engine.terms_of(f.ticket)
            team = Team.objects.filter(pk=terms.escalation_team_id or 0).first() if terms else None
            if team is not None:
                ticket = Ticket.objects.get(pk=f.ticket.pk)
                if ticket.team_id != team.pk and ticket.is_open:
                    actions.escalate(ticket, actor=None, team=team, reason=_title(f))
