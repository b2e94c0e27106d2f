"""The sweep fires every warning and breach exactly once: with several workers at once, and after a worker died
in the middle of a batch."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from servicedesk.notifications.models import Notification, NotificationKind
from servicedesk.sla import sweep as sweep_module
from servicedesk.sla.models import SlaAction
from servicedesk.sla.sweep import sweep
from servicedesk.tickets import actions
from servicedesk.tickets.models import EventKind, Ticket, TicketEvent
from servicedesk.webhooks.models import Subscription

PRAGUE = ZoneInfo("Europe/Prague")


def at(*args):
    return dt.datetime(*args, tzinfo=PRAGUE)


def open_tickets(requester, count, moment=None):
    with time_machine.travel(moment or at(2026, 11, 30, 9, 0), tick=False):
        return [actions.open_ticket(actor=None, subject=f"T{n}", requester=requester) for n in range(count)]


def sla_events(kind):
    return TicketEvent.objects.filter(kind=kind)


def test_each_level_fires_once_in_order(contract, customer_user):
    [ticket] = open_tickets(customer_user, 1)
    # P3: reaction 4 h → 75 % at 12:00, 90 % at 12:36, due 13:00; resolution 16 h → 75 % = 12 h → Tue 12:00.
    moments = [at(2026, 11, 30, 11, 59), at(2026, 11, 30, 12, 0), at(2026, 11, 30, 12, 40), at(2026, 11, 30, 13, 0)]
    fired = []
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            result = sweep()
        fired.append((result.warnings, result.breaches))
    assert fired == [(0, 0), (1, 0), (1, 0), (0, 0)]  # due at 13:00 exactly is not yet a breach
    with time_machine.travel(at(2026, 11, 30, 13, 0, 1), tick=False):
        assert sweep().breaches == 1
    with time_machine.travel(at(2026, 12, 1, 12, 0), tick=False):
        result = sweep()
    assert (result.warnings, result.breaches) == (1, 0)  # the resolution timer's first warning
    events = list(
        ticket.events.filter(kind__in=["sla_warning", "sla_breached"]).values_list("kind", "field", "old_value")
    )
    assert events == [
        ("sla_warning", "reaction", "75"),
        ("sla_warning", "reaction", "90"),
        ("sla_breached", "reaction", "100"),
        ("sla_warning", "resolution", "75"),
    ]
    ticket.refresh_from_db()
    assert ticket.reaction_breached and not ticket.resolution_breached


def test_a_late_sweep_fires_every_crossed_level_once(contract, customer_user):
    open_tickets(customer_user, 3)
    with time_machine.travel(at(2026, 12, 15, 9, 0), tick=False):
        result = sweep()
        assert sweep().tickets == 0
    # 3 tickets × (2 warnings + breach) × 2 timers
    assert (result.warnings, result.breaches) == (12, 6)
    assert Ticket.objects.filter(sla_next_check_at__isnull=False).count() == 0


def test_batches_cover_every_due_ticket(contract, customer_user):
    open_tickets(customer_user, 7)
    with time_machine.travel(at(2026, 11, 30, 12, 1), tick=False):
        result = sweep(batch_size=2)
    assert result.warnings == 7 and result.tickets == 7


def test_a_worker_dying_mid_batch_loses_nothing_and_fires_nothing_twice(contract, customer_user, monkeypatch):
    open_tickets(customer_user, 4)
    calls = {"n": 0}
    real_record = sweep_module._record

    def dies_on_the_second_batch(fired, now):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        real_record(fired, now)

    monkeypatch.setattr(sweep_module, "_record", dies_on_the_second_batch)
    with time_machine.travel(at(2026, 11, 30, 12, 1), tick=False), pytest.raises(SystemExit):
        sweep(batch_size=2)
    assert sla_events(EventKind.SLA_WARNING).count() == 2  # the first batch committed, the second rolled back
    monkeypatch.setattr(sweep_module, "_record", real_record)
    with time_machine.travel(at(2026, 11, 30, 12, 2), tick=False):
        assert sweep().warnings == 2
    assert sla_events(EventKind.SLA_WARNING).count() == 4
    assert sla_events(EventKind.SLA_WARNING).values("ticket").distinct().count() == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared-cache in-memory test database refuses concurrent writers (table locked) instead of "
    "waiting as the file database does; on PostgreSQL the workers share the rows with SKIP LOCKED",
)
def test_two_workers_sweeping_at_once_fire_each_level_once(customer_user, request):
    contract = request.getfixturevalue("contract")
    assert contract.pk
    open_tickets(customer_user, 30)
    errors = []

    def worker():
        try:
            with time_machine.travel(at(2026, 11, 30, 12, 1), tick=False):
                sweep(batch_size=5)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sla_events(EventKind.SLA_WARNING).count() == 30
    assert sla_events(EventKind.SLA_WARNING).values("ticket").distinct().count() == 30


def test_notifications_go_to_the_agent_the_team_and_at_a_breach_the_managers(
    contract, customer_user, resolver, servers_team, l1_agent, admin_user
):
    resolver.language = "en"
    resolver.save()
    admin_user.language = "cs"
    admin_user.save()
    [ticket] = open_tickets(customer_user, 1)
    with time_machine.travel(at(2026, 11, 30, 9, 5), tick=False):
        actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Disk", agent=None)
    # Reaction still running (team assignment does not count by default).
    with time_machine.travel(at(2026, 11, 30, 12, 1), tick=False):
        sweep()
    warned = set(Notification.objects.filter(kind=NotificationKind.SLA_WARNING).values_list("recipient", flat=True))
    assert warned == {resolver.pk}  # the servers team's member; nobody assigned yet
    with time_machine.travel(at(2026, 11, 30, 13, 1), tick=False):
        sweep()
    breached = set(Notification.objects.filter(kind=NotificationKind.SLA_BREACHED).values_list("recipient", flat=True))
    assert breached == {resolver.pk, admin_user.pk}  # team + desk managers (superusers, sla.manage)
    titles = dict(Notification.objects.filter(kind=NotificationKind.SLA_BREACHED).values_list("recipient", "title"))
    assert titles[resolver.pk] == f"{ticket.number}: reaction deadline passed"  # each in their own language
    assert titles[admin_user.pk] != titles[resolver.pk] and titles[admin_user.pk].startswith(ticket.number)


def test_a_breach_can_raise_the_priority_once_and_hand_over(contract, customer_user, servers_team):
    plan = contract.plan
    plan.breach_actions = [SlaAction.RAISE_PRIORITY, SlaAction.HAND_OVER]
    plan.escalation_team = servers_team
    plan.save()
    plan.publish()
    [ticket] = open_tickets(customer_user, 1)
    with time_machine.travel(at(2026, 11, 30, 13, 1), tick=False):
        sweep()
    ticket.refresh_from_db()
    assert ticket.priority == 2 and ticket.team == servers_team
    # P2: reaction 2 h from 09:00 → 11:00, already breached: recomputed, not fired again.
    assert ticket.reaction_due_at == at(2026, 11, 30, 11, 0)
    with time_machine.travel(at(2026, 11, 30, 13, 2), tick=False):
        sweep()
    ticket.refresh_from_db()
    assert ticket.priority == 2
    assert ticket.events.filter(kind=EventKind.SLA_BREACHED).count() == 1
    assert ticket.events.filter(kind=EventKind.PRIORITY_CHANGED).count() == 1


def test_warnings_and_breaches_are_webhook_events(contract, customer_user):
    subscription = Subscription.objects.create(
        name="Monitoring", url="http://127.0.0.1:9/hook", event_types=["sla.warning", "sla.breached"]
    )
    open_tickets(customer_user, 1)
    with time_machine.travel(at(2026, 11, 30, 13, 1), tick=False):
        sweep()
    types = list(subscription.deliveries.order_by("id").values_list("event_type", flat=True))
    assert types == ["sla.warning", "sla.warning", "sla.breached"]


def test_lowering_the_priority_after_a_warning_lets_it_fire_again_under_the_new_deadline(
    contract, customer_user, l1_agent
):
    [ticket] = open_tickets(customer_user, 1)
    with time_machine.travel(at(2026, 11, 30, 12, 1), tick=False):
        sweep()
        actions.update_fields(ticket, actor=l1_agent, impact="low", urgency="low")  # P4: 8 h reaction
    ticket.refresh_from_db()
    assert ticket.priority == 4 and ticket.reaction_level == 0
    assert ticket.reaction_due_at == at(2026, 11, 30, 17, 0)
    with time_machine.travel(at(2026, 11, 30, 15, 0), tick=False):  # 75 % of 8 h = 6 h: Mon 15:00
        assert sweep().warnings == 1
    assert ticket.events.filter(kind=EventKind.SLA_WARNING, field="reaction", old_value="75").count() == 2
