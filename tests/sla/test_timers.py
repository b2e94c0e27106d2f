import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicedesk.sla.models import CalendarDay, Contract, CoveredItem, SlaPlan, SlaTarget
from servicedesk.sla.sweep import sweep
from servicedesk.tickets import actions
from servicedesk.tickets.models import Category, EventKind, Level
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


# --- Entry and the choice of contract ------------------------------------------------------------------------


def open_at(moment, user, **fields):
    with time_machine.travel(moment, tick=False):
        return actions.open_ticket(actor=user.user, subject="Help", requester=user, **fields)


def test_friday_afternoon_is_due_on_monday_unless_monday_is_closed(contract, customer_user, office_hours):
    ticket = open_at(at(2026, 11, 27, 16, 55), customer_user)
    assert ticket.reaction_due_at == at(2026, 11, 30, 11, 55)
    CalendarDay.objects.create(calendar=office_hours, date=dt.date(2026, 11, 30), note="Company day")
    ticket = open_at(at(2026, 11, 27, 16, 55), customer_user)
    assert ticket.reaction_due_at == at(2026, 12, 1, 11, 55)


def test_p1_counts_around_the_clock(contract, customer_user):
    ticket = open_at(at(2026, 11, 28, 10, 0), customer_user, impact=Level.HIGH, urgency=Level.HIGH)
    assert ticket.priority == 1
    assert ticket.reaction_due_at == at(2026, 11, 28, 11, 0)
    assert ticket.resolution_due_at == at(2026, 11, 28, 14, 0)


def test_without_contract_or_default_plan_there_are_no_timers(business_plan, customer_user):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    assert ticket.sla_plan is None and ticket.reaction_due_at is None and ticket.sla_next_check_at is None
    assert not ticket.events.filter(kind__startswith="sla_").exists()


def test_the_default_plan_measures_tickets_no_contract_covers(business_plan, customer_user):
    business_plan.is_default = True
    business_plan.save()
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    assert ticket.contract is None
    assert ticket.sla_plan == business_plan.current_version
    assert ticket.reaction_due_at == at(2026, 11, 30, 13, 0)


def test_the_most_specific_valid_contract_wins(
    business_plan, customer_user, customer_org, server_item, around_the_clock
):
    premium = SlaPlan.objects.create(name="Premium")
    for priority in (1, 2, 3, 4):
        SlaTarget.objects.create(
            plan=premium,
            priority=priority,
            reaction_minutes=30,
            reaction_calendar=around_the_clock,
            resolution_minutes=120,
            resolution_calendar=around_the_clock,
        )
    premium.publish()
    general = Contract.objects.create(
        organization=customer_org, name="General", plan=business_plan, valid_from=dt.date(2026, 1, 1)
    )
    for_servers = Contract.objects.create(
        organization=customer_org, name="Servers", plan=premium, valid_from=dt.date(2026, 1, 1)
    )
    CoveredItem.objects.create(contract=for_servers, item=server_item, availability_target=99.9)
    Contract.objects.create(  # expired: never chosen
        organization=customer_org,
        name="Old",
        plan=premium,
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 12, 31),
    )
    plain = open_at(at(2026, 11, 30, 9, 0), customer_user)
    about_server = open_at(at(2026, 11, 30, 9, 0), customer_user, items=[server_item])
    assert plain.contract == general
    assert about_server.contract == for_servers
    assert about_server.reaction_due_at == at(2026, 11, 30, 9, 30)
    assert "Servers · Premium v1" in about_server.events.get(kind=EventKind.SLA_STARTED).new_value


def test_a_contract_for_some_categories_covers_only_those(business_plan, customer_user, customer_org):
    network = Category.objects.create(slug="test-network", name_cs="Síť", name_en="Network")
    printers = Category.objects.create(slug="test-printers", name_cs="Tiskárny", name_en="Printers")
    contract = Contract.objects.create(
        organization=customer_org, name="Network only", plan=business_plan, valid_from=dt.date(2026, 1, 1)
    )
    contract.categories.add(network)
    assert open_at(at(2026, 11, 30, 9, 0), customer_user, category=network).contract == contract
    assert open_at(at(2026, 11, 30, 9, 0), customer_user, category=printers).contract is None


# --- Versions ---------------------------------------------------------------------------------------------------


def test_a_ticket_keeps_its_plan_version_until_an_agent_reapplies_the_current_one(contract, customer_user, l1_agent):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    first_version = ticket.sla_plan
    target = contract.plan.targets.get(priority=3)
    target.reaction_minutes = 60
    target.save()
    contract.plan.publish()
    ticket.refresh_from_db()
    assert ticket.sla_plan == first_version and ticket.reaction_due_at == at(2026, 11, 30, 13, 0)
    with time_machine.travel(at(2026, 11, 30, 9, 10), tick=False):
        actions.reapply_sla_plan(ticket, actor=l1_agent)
    ticket.refresh_from_db()
    assert ticket.sla_plan.number == 2
    assert ticket.reaction_due_at == at(2026, 11, 30, 10, 0)
    assert ticket.events.filter(kind=EventKind.SLA_PLAN_REAPPLIED).count() == 1
    with pytest.raises(actions.ActionError):
        actions.reapply_sla_plan(ticket, actor=l1_agent)


def test_publishing_an_unchanged_plan_makes_no_new_version(business_plan):
    assert business_plan.publish().number == 1
    assert business_plan.versions.count() == 1


# --- Stopping the reaction timer ---------------------------------------------------------------------------


def test_escalation_to_a_team_stops_the_reaction_only_when_the_plan_says_so(
    contract, customer_user, l1_agent, servers_team
):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 30), tick=False):
        actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Disk")
    ticket.refresh_from_db()
    assert ticket.reacted_at is None

    contract.plan.team_assignment_counts = True
    contract.plan.save()
    contract.plan.publish()
    other = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 30), tick=False):
        actions.escalate(other, actor=l1_agent, team=servers_team, reason="Disk")
    other.refresh_from_db()
    assert other.reacted_at == at(2026, 11, 30, 9, 30)
    assert other.events.filter(kind=EventKind.SLA_MET, field="reaction").exists()


def test_resolving_on_the_spot_counts_as_the_reaction(contract, customer_user, l1_agent):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 5), tick=False):
        actions.resolve(ticket, actor=l1_agent, resolution="Restarted the print spooler")
    ticket.refresh_from_db()
    assert ticket.reacted_at == at(2026, 11, 30, 9, 5)
    assert set(ticket.events.filter(kind=EventKind.SLA_MET).values_list("field", flat=True)) == {
        "reaction",
        "resolution",
    }
    assert ticket.sla_next_check_at is None


def test_a_late_reaction_is_breached_even_before_the_sweep_noticed(contract, customer_user, resolver):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 14, 0), tick=False):
        actions.take(ticket, actor=resolver)
    ticket.refresh_from_db()
    assert ticket.reaction_breached
    assert ticket.events.filter(kind=EventKind.SLA_BREACHED, field="reaction").count() == 1
    with time_machine.travel(at(2026, 11, 30, 14, 1), tick=False):
        assert sweep().breaches == 0


def test_cancelling_stops_both_timers(contract, customer_user, l1_agent):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 5), tick=False):
        actions.transition(ticket, actor=l1_agent, to_state=State.CANCELLED)
    ticket.refresh_from_db()
    assert ticket.sla_next_check_at is None
    assert ticket.events.filter(kind=EventKind.SLA_STOPPED).count() == 2


# --- Pauses ----------------------------------------------------------------------------------------------------


def test_waiting_for_a_vendor_pauses_only_when_the_plan_says_so(contract, customer_user, resolver):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 10), tick=False):
        actions.take(ticket, actor=resolver)
        actions.transition(ticket, actor=resolver, to_state=State.WAITING_VENDOR)
    ticket.refresh_from_db()
    assert ticket.sla_paused_since is None  # default plan: only waiting for the customer pauses
    contract.plan.pause_states = ["waiting_customer", "waiting_vendor"]
    contract.plan.save()
    contract.plan.publish()
    other = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 10), tick=False):
        actions.take(other, actor=resolver)
        actions.transition(other, actor=resolver, to_state=State.WAITING_VENDOR)
    with time_machine.travel(at(2026, 11, 30, 11, 10), tick=False):
        actions.transition(other, actor=resolver, to_state=State.WAITING_CUSTOMER)  # still paused: one pause
    with time_machine.travel(at(2026, 12, 1, 9, 10), tick=False):
        actions.transition(other, actor=resolver, to_state=State.IN_PROGRESS)
    other.refresh_from_db()
    # Mon 09:10 → Tue 09:10 is 9 business hours (Mon 7 h 50 min + Tue 1 h 10 min).
    assert other.paused_seconds == 9 * 3600
    # 16 h + 9 h paused from Mon 09:00: Mon 8 h, Tue 9 h, Wed 8 h → Wed 16:00.
    assert other.resolution_due_at == at(2026, 12, 2, 16, 0)
    kinds = list(other.events.filter(kind__startswith="sla_").values_list("kind", flat=True))
    assert kinds == ["sla_started", "sla_met", "sla_paused", "sla_paused", "sla_resumed"]


def test_the_sweep_does_not_fire_while_paused(contract, customer_user, resolver):
    ticket = open_at(at(2026, 11, 30, 9, 0), customer_user)
    with time_machine.travel(at(2026, 11, 30, 9, 10), tick=False):
        actions.take(ticket, actor=resolver)
        actions.transition(ticket, actor=resolver, to_state=State.WAITING_CUSTOMER)
    ticket.refresh_from_db()
    assert ticket.sla_next_check_at is None
    with time_machine.travel(at(2026, 12, 10, 9, 0), tick=False):
        assert sweep().tickets == 0
