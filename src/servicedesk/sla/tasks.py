"""The SLA task: the scheduler enqueues the sweep every SLA_SWEEP_SECONDS (core/scheduler.py)."""

from __future__ import annotations

from django_tasks import task

from servicedesk.sla import sweep


@task()
def sweep_sla() -> int:
    """Fire due SLA warnings and breaches; returns how many. Safe to run several at once (sla/sweep.py)."""
    result = sweep.sweep()
    return result.warnings + result.breaches
