"""Periodic work: the worker heartbeat, auto-closing resolved tickets, and the scheduler that enqueues them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from servicedesk.core import scheduler, tasks
from servicedesk.core.models import Heartbeat, Schedule
from servicedesk.tickets import actions
from servicedesk.tickets.models import EventKind, TicketEvent
from servicedesk.tickets.states import State

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.AUTO_CLOSE_DAYS = 7


def resolved_at(when: dt.datetime, ticket, agent):
    with time_machine.travel(when, tick=False):
        return actions.transition(ticket, actor=agent, to_state=State.RESOLVED)


def test_worker_heartbeat_records_when_a_worker_ran():
    with time_machine.travel(START, tick=False):
        tasks.worker_heartbeat.call()
    assert Heartbeat.objects.get(component="worker").beat_at == START


# --- Auto-close -------------------------------------------------------------------------------------------


def test_a_ticket_resolved_longer_ago_than_the_setting_is_closed_by_auto_close(ticket, l1_agent):
    resolved_at(START, ticket, l1_agent)
    with time_machine.travel(START + dt.timedelta(days=7, minutes=1), tick=False):
        assert tasks.auto_close_resolved.call() == 1
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert ticket.closed_at == START + dt.timedelta(days=7, minutes=1)
    event = TicketEvent.objects.filter(ticket=ticket, field="state").latest("id")
    assert (event.kind, event.old_value, event.new_value) == (EventKind.STATE_CHANGED, State.RESOLVED, State.CLOSED)
    assert event.actor is None
    assert event.actor_label == "auto-close"


def test_a_recently_resolved_ticket_stays_resolved(ticket, l1_agent, settings):
    settings.AUTO_CLOSE_DAYS = 3
    resolved_at(START, ticket, l1_agent)
    with time_machine.travel(START + dt.timedelta(days=2, hours=23), tick=False):
        assert tasks.auto_close_resolved.call() == 0
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED


def test_open_and_reopened_tickets_are_left_alone(ticket, l1_agent, customer_user):
    old_open = actions.open_ticket(actor=l1_agent, subject="Old but open", requester=customer_user)
    resolved_at(START, ticket, l1_agent)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        actions.reopen(ticket, actor=l1_agent, reason="Still broken")
    with time_machine.travel(START + dt.timedelta(days=30), tick=False):
        assert tasks.auto_close_resolved.call() == 0
    ticket.refresh_from_db()
    old_open.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS
    assert old_open.state == State.NEW


def test_auto_close_is_idempotent(ticket, l1_agent):
    resolved_at(START, ticket, l1_agent)
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        assert tasks.auto_close_resolved.call() == 1
        assert tasks.auto_close_resolved.call() == 0
    assert TicketEvent.objects.filter(ticket=ticket, actor_label="auto-close").count() == 1


def test_a_ticket_reopened_after_being_listed_is_not_closed(ticket, l1_agent):
    """The run that listed it re-checks under the row lock: a reopen in between wins."""
    resolved_at(START, ticket, l1_agent)
    cutoff = START + dt.timedelta(days=1)
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        assert tasks._due_for_closing(cutoff) == [ticket.pk]
        actions.reopen(ticket, actor=l1_agent)
        assert tasks._close_one(ticket.pk, cutoff) is False
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS


# --- Scheduler ---------------------------------------------------------------------------------------------


def enqueued_paths() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_a_new_schedule_is_due_at_once_then_after_its_interval():
    every = scheduler.PERIODIC[0]
    assert every.name == "worker_heartbeat" and every.every == dt.timedelta(seconds=30)
    assert scheduler.claim(every, START) is True
    assert scheduler.claim(every, START + dt.timedelta(seconds=29)) is False
    assert scheduler.claim(every, START + dt.timedelta(seconds=30)) is True
    assert Schedule.objects.get(name="worker_heartbeat").next_due_at == START + dt.timedelta(seconds=60)


def test_two_schedulers_reading_the_same_due_time_enqueue_once():
    """The compare-and-set UPDATE: the second claim of the same run finds next_due_at already moved."""
    periodic = scheduler.PERIODIC[0]
    Schedule.objects.create(name=periodic.name, next_due_at=START)
    stale = Schedule.objects.get(name=periodic.name)  # what a second scheduler read before the first one claimed
    assert scheduler.claim(periodic, START + dt.timedelta(seconds=1)) is True
    second = Schedule.objects.filter(name=periodic.name, next_due_at=stale.next_due_at).update(
        next_due_at=START + dt.timedelta(seconds=31)
    )
    assert second == 0


CORE = tuple(p for p in scheduler.PERIODIC if p.name in {"worker_heartbeat", "auto_close_resolved"})


def test_run_due_enqueues_each_due_task_once():
    assert scheduler.run_due(START, CORE) == ["worker_heartbeat", "auto_close_resolved"]
    assert scheduler.run_due(START + dt.timedelta(seconds=5), CORE) == []
    assert scheduler.run_due(START + dt.timedelta(seconds=31), CORE) == ["worker_heartbeat"]
    assert enqueued_paths() == [
        "servicedesk.core.tasks.auto_close_resolved",
        "servicedesk.core.tasks.worker_heartbeat",
        "servicedesk.core.tasks.worker_heartbeat",
    ]
    assert scheduler.run_due(START + dt.timedelta(minutes=10), CORE) == ["worker_heartbeat", "auto_close_resolved"]


class FlakyQueue:
    """A task whose queue refuses the first enqueue."""

    def __init__(self) -> None:
        self.attempts = 0

    def enqueue(self) -> None:
        self.attempts += 1
        if self.attempts == 1:
            raise ConnectionError("queue down")


def test_a_failed_enqueue_gives_the_run_back():
    periodic = scheduler.Periodic("flaky", dt.timedelta(seconds=30), FlakyQueue())
    with pytest.raises(ConnectionError):
        scheduler.run_due(START, (periodic,))
    assert not Schedule.objects.filter(name="flaky").exists()
    assert scheduler.run_due(START, (periodic,)) == ["flaky"]
    assert periodic.task.attempts == 2


def test_sleep_lasts_until_the_next_due_schedule():
    assert scheduler.seconds_until_next_due(START, 5.0) == 0.0  # nothing claimed yet: due now
    scheduler.run_due(START)
    assert scheduler.seconds_until_next_due(START, 5.0) == 5.0
    shortest = min(periodic.every for periodic in scheduler.PERIODIC)
    assert scheduler.seconds_until_next_due(START + shortest - dt.timedelta(seconds=2), 5.0) == 2.0


def test_the_scheduler_command_beats_and_enqueues():
    call_command("scheduler", "--once")
    assert Heartbeat.objects.get(component="scheduler").beat_at > timezone.now() - dt.timedelta(minutes=1)
    assert enqueued_paths() == sorted(p.task.module_path for p in scheduler.PERIODIC)
