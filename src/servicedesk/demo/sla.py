"""The demo's service levels: two calendars, the "Standard" and "Premium 24×7" plans (published, Standard the
default), a contract for most customers and a desk manager who may change them. Created before the history is
replayed, so every replayed ticket is measured: due times, pauses, met and breached timers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Permission

from servicedesk.accounts.models import User
from servicedesk.assets.models import ItemKind
from servicedesk.demo.directory import CustomerSide, Directory
from servicedesk.sla import config
from servicedesk.sla.models import Contract, CoveredItem, ServiceCalendar, SlaPlan, SlaTarget

BUSINESS_HOURS = "Mon–Fri 8:00–17:00"
AROUND_THE_CLOCK = "24×7"
MANAGER_USERNAME = "tereza"  # leads the first-level desk: she may change the SLA setup

# priority: (reaction minutes, reaction in business hours?, resolution minutes, resolution in business hours?)
STANDARD = {1: (60, False, 4 * 60, False), 2: (2 * 60, True, 8 * 60, True), 3: (4 * 60, True, 16 * 60, True)}
STANDARD[4] = (8 * 60, True, 40 * 60, True)
PREMIUM = {1: (30, False, 2 * 60, False), 2: (60, False, 4 * 60, False), 3: (2 * 60, False, 8 * 60, False)}
PREMIUM[4] = (4 * 60, False, 24 * 60, False)

# Which customer buys what (by position in people.ORGANIZATIONS); the last one has no contract: the default plan.
PREMIUM_CUSTOMER = 0  # the engineering works: Premium for its servers and network only, Standard for the rest
STANDARD_CUSTOMERS = (0, 1, 2, 3)
PREMIUM_CATEGORIES = ("servers", "network")


def create_service_levels(directory: Directory, today: dt.date) -> None:
    business = _calendar(BUSINESS_HOURS, "08:00-17:00", weekend="", holidays="CZ")
    always = _calendar(AROUND_THE_CLOCK, "00:00-24:00", weekend="00:00-24:00", holidays="")
    standard = _plan(
        "Standard",
        STANDARD,
        business,
        always,
        is_default=True,
        description="P1 around the clock, P2–P4 in business hours (Mon–Fri 8:00–17:00).",
    )
    premium = _plan("Premium 24×7", PREMIUM, business, always, description="Every priority around the clock.")
    # Valid from a year back: the replayed history (up to 90 days old) is measured too.
    valid_from = today - dt.timedelta(days=365)
    for index in STANDARD_CUSTOMERS:
        customer = directory.customers[index]
        Contract.objects.create(
            organization=customer.organization,
            name=f"{customer.organization.name}: Standard",
            plan=standard,
            valid_from=valid_from,
        )
    _premium_contract(directory.customers[PREMIUM_CUSTOMER], premium, directory, valid_from)
    _grant_manager()
    config.forget()


def _calendar(name: str, weekdays: str, *, weekend: str, holidays: str) -> ServiceCalendar:
    calendar, _created = ServiceCalendar.objects.get_or_create(
        name=name,
        defaults={
            "time_zone": "Europe/Prague",
            **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), weekdays),
            "saturday": weekend,
            "sunday": weekend,
            "holiday_country": holidays,
        },
    )
    return calendar


def _plan(
    name: str,
    targets: dict[int, tuple[int, bool, int, bool]],
    business: ServiceCalendar,
    always: ServiceCalendar,
    *,
    description: str,
    is_default: bool = False,
) -> SlaPlan:
    plan, created = SlaPlan.objects.get_or_create(name=name, defaults={"description": description})
    if created:
        SlaTarget.objects.bulk_create(
            SlaTarget(
                plan=plan,
                priority=priority,
                reaction_minutes=reaction,
                reaction_calendar=business if reaction_business else always,
                resolution_minutes=resolution,
                resolution_calendar=business if resolution_business else always,
            )
            for priority, (reaction, reaction_business, resolution, resolution_business) in targets.items()
        )
    if is_default and not SlaPlan.objects.filter(is_default=True).exists():
        plan.is_default = True
        plan.save(update_fields=["is_default"])
    plan.publish()
    return plan


def _premium_contract(customer: CustomerSide, plan: SlaPlan, directory: Directory, valid_from: dt.date) -> None:
    """Premium for some categories and the servers and network gear, each with an availability target."""
    contract = Contract.objects.create(
        organization=customer.organization,
        name=f"{customer.organization.name}: Premium servers and network",
        plan=plan,
        valid_from=valid_from,
        hotline_24x7=True,
        notes="Production servers and the plant network, around the clock.",
    )
    contract.categories.set([directory.categories[slug] for slug in PREMIUM_CATEGORIES])
    targets = {ItemKind.SERVER: Decimal("99.900"), ItemKind.NETWORK: Decimal("99.500")}
    CoveredItem.objects.bulk_create(
        CoveredItem(contract=contract, item=item, availability_target=target)
        for kind, target in targets.items()
        for item in customer.items_by_kind.get(kind, [])
    )


def _grant_manager() -> None:
    manager = User.objects.filter(username=MANAGER_USERNAME).first()
    if manager is not None:
        manager.user_permissions.add(Permission.objects.get(codename="manage", content_type__app_label="sla"))
