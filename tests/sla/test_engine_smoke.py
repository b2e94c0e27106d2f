import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from servicedesk.sla.sweep import sweep
from servicedesk.tickets import actions
from servicedesk.tickets.models import EventKind, Level
from servicedesk.tickets.states import State

PRAGUE = ZoneInfo("Europe/Prague")


def at(*args):
    return dt.datetime(*args, tzinfo=PRAGUE)


def test_a_ticket_entered_before_christmas_is_due_after_it(contract, customer_user, l1_agent, resolver):
    requester = customer_user
    with time_machine.travel(at(2026, 12, 23, 15, 0), tick=False):
        ticket = actions.open_ticket(actor=customer_user.user, subject="Printer", requester=requester)
    assert ticket.priority == 3 and ticket.contract == contract
    # 4 h reaction: 2 h on Wed 23 Dec, 24–26 holidays, weekend → Mon 28 Dec 10:00
    assert ticket.reaction_due_at == at(2026, 12, 28, 10, 0)
    # 16 h resolution: 2 h Wed, then Mon 28 9 h, Tue 29 5 h → 13:00
    assert ticket.resolution_due_at == at(2026, 12, 29, 13, 0)
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert EventKind.SLA_STARTED in kinds

    # 75 % of 4 h = 3 h: Mon 09:00; 90 % = 3.6 h: Mon 09:36
    with time_machine.travel(at(2026, 12, 28, 9, 40), tick=False):
        result = sweep()
    assert result.warnings == 2 and result.breaches == 0
    with time_machine.travel(at(2026, 12, 28, 9, 50), tick=False):
        assert sweep().warnings == 0
    with time_machine.travel(at(2026, 12, 28, 10, 0, 1), tick=False):
        result = sweep()
    assert result.breaches == 1
    ticket.refresh_from_db()
    assert ticket.reaction_breached
    with time_machine.travel(at(2026, 12, 28, 10, 30), tick=False):
        assert sweep().breaches == 0
        actions.take(ticket, actor=resolver)
    ticket.refresh_from_db()
    assert ticket.reacted_at == at(2026, 12, 28, 10, 30)
    # Waiting for the customer pauses the resolution timer for 2 business hours.
    with time_machine.travel(at(2026, 12, 28, 11, 0), tick=False):
        actions.transition(ticket, actor=resolver, to_state=State.WAITING_CUSTOMER)
    with time_machine.travel(at(2026, 12, 28, 13, 0), tick=False):
        actions.transition(ticket, actor=resolver, to_state=State.IN_PROGRESS)
    ticket.refresh_from_db()
    assert ticket.paused_seconds == 7200
    assert ticket.resolution_due_at == at(2026, 12, 29, 15, 0)
    with time_machine.travel(at(2026, 12, 29, 9, 0), tick=False):
        actions.resolve(ticket, actor=resolver, resolution="Done")
    ticket.refresh_from_db()
    assert not ticket.resolution_breached
    assert ticket.sla_next_check_at is None
    with time_machine.travel(at(2026, 12, 29, 10, 0), tick=False):
        actions.reopen(ticket, actor=customer_user.user)
    ticket.refresh_from_db()
    assert ticket.paused_seconds == 7200 + 3600
    assert ticket.resolution_due_at == at(2026, 12, 29, 16, 0)


def test_raising_impact_recomputes_from_entry(contract, customer_user, l1_agent):
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        ticket = actions.open_ticket(actor=customer_user.user, subject="Down", requester=customer_user)
    assert ticket.reaction_due_at == at(2026, 11, 30, 13, 0)
    with time_machine.travel(at(2026, 11, 30, 9, 30), tick=False):
        actions.update_fields(ticket, actor=l1_agent, impact=Level.HIGH, urgency=Level.HIGH)
    ticket.refresh_from_db()
    assert ticket.priority == 1
    assert ticket.reaction_due_at == at(2026, 11, 30, 10, 0)
    assert ticket.events.filter(kind=EventKind.SLA_RECOMPUTED).count() == 1
