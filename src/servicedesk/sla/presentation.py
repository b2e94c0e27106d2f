"""How the SLA timers read to a person: durations, the badge of a queue row, the ticket panel's lines, the SLA
timeline's sentences. Nothing here queries the database per ticket except the panel and timeline builders, which run
once per ticket page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from servicedesk.sla import engine
from servicedesk.sla.engine import REACTION, RESOLUTION, TimerStatus
from servicedesk.tickets.states import OPEN_STATES, State, label

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket, TicketEvent

MINUS = "\u2212"  # a real minus sign: "−35 min"


def duration(seconds: int) -> str:
    """Business time as a person reads it: "2 h 15 min", "45 min", "3 h"; negative gets a minus sign."""
    sign = MINUS if seconds < 0 else ""
    # Whole minutes, rounded towards zero's far side so that "1 s left" does not read "0 min".
    minutes_total = -(-abs(seconds) // 60)
    hours, minutes = divmod(minutes_total, 60)
    if hours and minutes:
        text = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    elif hours:
        text = _("%(hours)s h") % {"hours": hours}
    else:
        text = _("%(minutes)s min") % {"minutes": minutes}
    return sign + text


def moment(value: dt.datetime | None) -> str:
    """A due instant in the site's time zone (Europe/Prague), in the active language's short format."""
    if value is None:
        return ""
    return date_format(localtime(value), "SHORT_DATETIME_FORMAT")


def state_label(state: str) -> str:
    return {
        "running": _("running"),
        "paused": _("paused"),
        "met": _("met"),
        "breached": _("breached"),
        "stopped": _("stopped"),
    }.get(state, state)


def timer_label(name: str) -> str:
    return _("Reaction") if name == REACTION else _("Resolution")


# --- The badge ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    timer: str  # reaction | resolution
    text: str  # "2 h 15 min", "−35 min", "met", "breached"
    level: str  # ok | warning | breached
    state: str  # running | paused | met | breached | stopped
    title: str  # the tooltip: which timer, due when
    pause_reason: str = ""  # "paused: waiting for customer"; empty while the timer is not paused

    @property
    def paused(self) -> bool:
        return self.state == "paused"


def nearer_timer(ticket: Ticket, now: dt.datetime) -> TimerStatus | None:
    """The reaction timer while nobody reacted (and the ticket is open), otherwise the resolution timer."""
    if ticket.reaction_due_at is not None and ticket.reacted_at is None and ticket.state in OPEN_STATES:
        status = engine.timer_status(ticket, REACTION, now)
        if status is not None:
            return status
    return engine.timer_status(ticket, RESOLUTION, now)


def badge(ticket: Ticket, now: dt.datetime) -> Badge | None:
    """The row badge; None when no SLA measures the ticket. Costs no query: the terms are remembered per process."""
    if ticket.sla_plan_id is None:
        return None
    status = nearer_timer(ticket, now)
    if status is None:
        return None
    if status.state in ("met", "stopped"):
        text = state_label(status.state)
    elif status.state == "breached" and status.left_seconds >= 0:
        text = state_label("breached")  # stopped late: nothing is left to count
    else:
        text = duration(status.left_seconds)
    title = _("%(timer)s due %(due)s") % {"timer": timer_label(status.name), "due": moment(status.due_at)}
    if status.state in ("met", "breached", "stopped"):
        title = f"{title} · {state_label(status.state)}"
    reason = pause_reason(ticket) if status.state == "paused" else ""
    return Badge(status.name, text, status.level, status.state, title, reason)


def pause_reason(ticket: Ticket) -> str:
    """Why the resolution timer stands: the ticket's state (a plan may pause in other waiting states too)."""
    if ticket.state == State.WAITING_CUSTOMER:
        return _("paused: waiting for customer")
    return _("paused: %(state)s") % {"state": label(ticket.state)}


# --- The ticket panel -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerLine:
    name: str
    label: str
    target: str  # the promised duration
    due: str
    due_at: dt.datetime
    left: str  # "2 h 15 min" or "−35 min"
    overdue: bool
    state: str
    state_label: str
    level: str


def timer_line(ticket: Ticket, name: str, now: dt.datetime) -> TimerLine | None:
    status = engine.timer_status(ticket, name, now)
    if status is None:
        return None
    return TimerLine(
        name=name,
        label=timer_label(name),
        target=duration(status.target_seconds),
        due=moment(status.due_at),
        due_at=status.due_at,
        left=duration(status.left_seconds),
        overdue=status.left_seconds < 0,
        state=status.state,
        state_label=state_label(status.state),
        level=status.level,
    )


# --- The SLA timeline -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineLine:
    at: dt.datetime
    kind: str
    text: str
    note: str = ""


def _due_values(text: str) -> dict[str, str]:
    """'reaction_due_at=… resolution_due_at=…' (engine._due_note) → readable instants by field name."""
    values = {}
    for part in text.split():
        name, _sep, value = part.partition("=")
        parsed = parse_datetime(value) if value else None
        values[name] = moment(parsed) if parsed else "—"
    return values


def _instant(text: str) -> str:
    parsed = parse_datetime(text) if text else None
    return moment(parsed) if parsed else text


def _which(event: TicketEvent) -> str:
    return timer_label(event.field) if event.field in (REACTION, RESOLUTION) else ""


def timeline_text(event: TicketEvent) -> str:
    """One SLA event as a sentence."""
    kind, which = event.kind, _which(event)
    if kind == "sla_started":
        due = _due_values(event.note)
        parts = [_("SLA started: %(plan)s") % {"plan": event.new_value or "—"}]
        if "reaction_due_at" in due:
            parts.append(_("reaction due %(due)s") % {"due": due["reaction_due_at"]})
        if "resolution_due_at" in due:
            parts.append(_("resolution due %(due)s") % {"due": due["resolution_due_at"]})
        return ", ".join(parts)
    if kind == "sla_paused":
        return _("%(timer)s paused: the ticket is %(state)s") % {"timer": which, "state": label(event.new_value)}
    if kind == "sla_resumed":
        return _("%(timer)s resumed, now due %(due)s") % {"timer": which, "due": _instant(event.new_value)}
    if kind == "sla_warning":
        # The sweep records the threshold in old_value and the due instant in new_value.
        return _("%(timer)s warning: %(percent)s %% of the time used (due %(due)s)") % {
            "timer": which,
            "percent": event.old_value,
            "due": _instant(event.new_value),
        }
    if kind == "sla_breached":
        return _("%(timer)s breached (was due %(due)s)") % {"timer": which, "due": _instant(event.new_value)}
    if kind == "sla_met":
        return _("%(timer)s met at %(at)s (due %(due)s)") % {
            "timer": which,
            "at": _instant(event.new_value),
            "due": _instant(event.old_value),
        }
    if kind == "sla_stopped":
        if event.old_value:
            return _("%(timer)s stopped late at %(at)s (due %(due)s)") % {
                "timer": which,
                "at": _instant(event.new_value),
                "due": _instant(event.old_value),
            }
        return _("%(timer)s stopped: the ticket is %(state)s") % {"timer": which, "state": label(event.new_value)}
    if kind == "sla_recomputed":
        old, new = _due_values(event.old_value), _due_values(event.new_value)
        parts = []
        for field, name in (("reaction_due_at", REACTION), ("resolution_due_at", RESOLUTION)):
            if old.get(field) != new.get(field):
                parts.append(
                    _("%(timer)s %(old)s → %(new)s")
                    % {"timer": timer_label(name), "old": old.get(field, "—"), "new": new.get(field, "—")}
                )
        return _("Deadlines recomputed: %(changes)s") % {"changes": "; ".join(parts) or "—"}
    if kind == "sla_contract_changed":
        return _("Contract changed: %(old)s → %(new)s") % {"old": event.old_value or "—", "new": event.new_value or "—"}
    if kind == "sla_plan_reapplied":
        return _("Current plan applied: %(old)s → %(new)s") % {"old": event.old_value or "—", "new": event.new_value}
    return str(event.get_kind_display())


def reason_label(reason: str) -> str:
    return {"priority": _("priority changed"), "contract": _("contract changed"), "plan": _("plan re-applied")}.get(
        reason, reason
    )


def timeline_line(event: TicketEvent) -> TimelineLine:
    note = reason_label(event.note) if event.kind == "sla_recomputed" else ""
    return TimelineLine(event.created_at, event.kind, timeline_text(event), note)
