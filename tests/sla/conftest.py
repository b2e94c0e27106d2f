"""An SLA set-up as a desk manager would make it: office hours with Czech holidays, a plan, a contract."""

from __future__ import annotations

import datetime as dt

import pytest

from servicedesk.sla.models import Contract, ServiceCalendar, SlaAction, SlaPlan, SlaTarget

# The two calendars migration sla.0002 builds in. A transactional test (threads) flushes the tables afterwards,
# data migrations' rows included: the fixtures make them again when they are gone.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


@pytest.fixture
def office_hours(db) -> ServiceCalendar:
    calendar, _ = ServiceCalendar.objects.get_or_create(
        name="Mon–Fri 8:00–17:00", defaults=dict.fromkeys(WEEKDAYS, "08:00-17:00") | {"holiday_country": "CZ"}
    )
    return calendar


@pytest.fixture
def around_the_clock(db) -> ServiceCalendar:
    days = (*WEEKDAYS, "saturday", "sunday")
    calendar, _ = ServiceCalendar.objects.get_or_create(
        name="24×7", defaults=dict.fromkeys(days, "00:00-24:00") | {"holiday_country": ""}
    )
    return calendar


@pytest.fixture
def business_plan(office_hours, around_the_clock) -> SlaPlan:
    """P1 around the clock (1 h / 4 h), P2–P4 in office hours."""
    plan = SlaPlan.objects.create(
        name="Business",
        warning_actions=[SlaAction.NOTIFY_AGENT, SlaAction.NOTIFY_TEAM],
        breach_actions=[SlaAction.NOTIFY_TEAM, SlaAction.NOTIFY_MANAGERS],
    )
    SlaTarget.objects.create(
        plan=plan,
        priority=1,
        reaction_minutes=60,
        reaction_calendar=around_the_clock,
        resolution_minutes=240,
        resolution_calendar=around_the_clock,
    )
    for priority, reaction, resolution in ((2, 120, 8 * 60), (3, 240, 16 * 60), (4, 480, 40 * 60)):
        SlaTarget.objects.create(
            plan=plan,
            priority=priority,
            reaction_minutes=reaction,
            reaction_calendar=office_hours,
            resolution_minutes=resolution,
            resolution_calendar=office_hours,
        )
    plan.publish()
    return plan


@pytest.fixture
def contract(business_plan, customer_org) -> Contract:
    return Contract.objects.create(
        organization=customer_org, name="Support 2026", plan=business_plan, valid_from=dt.date(2026, 1, 1)
    )
