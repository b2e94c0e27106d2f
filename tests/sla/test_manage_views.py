"""A desk manager edits service calendars, SLA plans and contracts; nobody else may."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from servicedesk.assets.models import ConfigurationItem
from servicedesk.sla.models import CalendarDay, Contract, CoveredItem, ServiceCalendar, SlaPlan, SlaTarget
from tests.conftest import make_agent

PRAGUE = dt.timezone(dt.timedelta(hours=1))  # November: CET


@pytest.fixture
def manager(first_level_team):
    """A desk manager: an agent holding sla.manage."""
    user = make_agent("marta", "Marta", "Manažerová", first_level_team)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="sla", codename="manage"))
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _pages(office_hours, business_plan, contract):
    """Every page and action: (method, url)."""
    day = CalendarDay.objects.create(calendar=office_hours, date=dt.date(2026, 12, 31))
    return [
        ("get", reverse("sla:calendars")),
        ("get", reverse("sla:calendar_new")),
        ("get", reverse("sla:calendar", args=[office_hours.pk])),
        ("post", reverse("sla:calendar_day_add", args=[office_hours.pk])),
        ("post", reverse("sla:calendar_day_delete", args=[office_hours.pk, day.pk])),
        ("post", reverse("sla:calendar_delete", args=[office_hours.pk])),
        ("get", reverse("sla:plans")),
        ("get", reverse("sla:plan_new")),
        ("get", reverse("sla:plan", args=[business_plan.pk])),
        ("post", reverse("sla:plan_preview")),
        ("get", reverse("sla:contracts")),
        ("get", reverse("sla:contract_new")),
        ("get", reverse("sla:contract", args=[contract.pk])),
        ("get", reverse("sla:contract_items") + f"?organization={contract.organization_id}"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, office_hours, business_plan, contract):
    for method, url in _pages(office_hours, business_plan, contract):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["customer_user", "customer_manager", "l1_agent", "resolver"])
def test_customers_and_plain_agents_are_refused(request, client, persona, office_hours, business_plan, contract):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))
    for method, url in _pages(office_hours, business_plan, contract):
        assert getattr(client, method)(url).status_code == 403, url
    assert CalendarDay.objects.filter(calendar=office_hours).count() == 1
    assert ServiceCalendar.objects.filter(pk=office_hours.pk).exists()


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_superusers_open_every_page(request, client, persona, office_hours, business_plan, contract):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _pages(office_hours, business_plan, contract):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_the_sla_link_shows_only_to_managers(client, manager, l1_agent):
    client.force_login(manager)
    assert f'href="{reverse("sla:calendars")}"' in client.get(reverse("sla:plans")).content.decode()
    client.force_login(l1_agent)
    assert f'href="{reverse("sla:calendars")}"' not in client.get(reverse("desk:home")).content.decode()


# Calendars

WEEK = {"monday": "08:00-17:00", "tuesday": "08:00-17:00", "wednesday": "08:00-17:00", "thursday": "08:00-17:00"}


def test_a_calendar_with_bad_ranges_shows_the_error_and_saves_nothing(manager_client):
    before = ServiceCalendar.objects.count()
    response = manager_client.post(
        reverse("sla:calendar_new"),
        {"name": "Broken", "time_zone": "Europe/Prague", **WEEK, "friday": "08:00-25:00", "holiday_country": "CZ"},
    )
    assert response.status_code == 400
    assert "Write service hours as 08:00-17:00" in response.content.decode()
    assert ServiceCalendar.objects.count() == before


def test_an_unknown_holiday_country_is_refused(manager_client):
    response = manager_client.post(
        reverse("sla:calendar_new"), {"name": "Nowhere", "time_zone": "Europe/Prague", "holiday_country": "XX"}
    )
    assert response.status_code == 400
    assert not ServiceCalendar.objects.filter(name="Nowhere").exists()


@time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False)
def test_a_manager_creates_a_calendar_and_sees_its_holidays(manager_client):
    response = manager_client.post(
        reverse("sla:calendar_new"),
        {
            "name": "Evenings",
            "time_zone": "Europe/Prague",
            **WEEK,
            "friday": "08:00-12:00, 18:00-20:00",
            "holiday_country": "cz",
        },
    )
    calendar = ServiceCalendar.objects.get(name="Evenings")
    assert response.url == reverse("sla:calendar", args=[calendar.pk])
    assert calendar.friday == "08:00-12:00, 18:00-20:00"
    assert calendar.holiday_country == "CZ"
    page = manager_client.get(response.url).content.decode()
    assert "Public holidays 2026 and 2027" in page
    assert "Fri 25. 12. 2026" in page  # Christmas Day, this year
    assert "Fri 1. 1. 2027" in page  # New Year, next year


def test_exceptions_are_added_and_removed_with_htmx(manager_client, office_hours):
    url = reverse("sla:calendar_day_add", args=[office_hours.pk])
    response = manager_client.post(
        url, {"date": "2026-12-31", "kind": "closed", "note": "Company holiday"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Company holiday" in response.content.decode()
    assert "<html" not in response.content.decode()
    response = manager_client.post(url, {"date": "2026-12-19", "kind": "working"}, HTTP_HX_REQUEST="true")
    assert "A working day needs its service hours." in response.content.decode()
    manager_client.post(url, {"date": "2026-12-19", "kind": "working", "ranges": "09:00-12:00"}, HTTP_HX_REQUEST="true")
    assert list(office_hours.days.values_list("date", "kind", "ranges")) == [
        (dt.date(2026, 12, 19), "working", "09:00-12:00"),
        (dt.date(2026, 12, 31), "closed", ""),
    ]
    closed = office_hours.days.get(kind="closed")
    response = manager_client.post(
        reverse("sla:calendar_day_delete", args=[office_hours.pk, closed.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Company holiday" not in response.content.decode()
    assert office_hours.days.count() == 1


def test_a_calendar_is_deleted_only_when_unused(manager_client, business_plan, office_hours):
    spare = ServiceCalendar.objects.create(name="Spare")
    manager_client.post(reverse("sla:calendar_delete", args=[office_hours.pk]))
    assert ServiceCalendar.objects.filter(pk=office_hours.pk).exists()
    # Only the frozen version still counts in it: tickets measured under that version need it.
    SlaTarget.objects.filter(plan=business_plan).delete()
    manager_client.post(reverse("sla:calendar_delete", args=[office_hours.pk]))
    assert ServiceCalendar.objects.filter(pk=office_hours.pk).exists()
    manager_client.post(reverse("sla:calendar_delete", args=[spare.pk]))
    assert not ServiceCalendar.objects.filter(pk=spare.pk).exists()


def test_the_calendar_list_costs_few_queries(manager_client, django_assert_max_num_queries):
    for number in range(10):
        ServiceCalendar.objects.create(name=f"Calendar {number}")
    with django_assert_max_num_queries(8):
        assert manager_client.get(reverse("sla:calendars")).status_code == 200


# Plans


def _plan_data(office_hours, around_the_clock, **changes):
    data = {
        "name": "Gold",
        "description": "",
        "active": "on",
        "pause_states": ["waiting_customer"],
        "warning_thresholds": "75, 90",
        "warning_actions": ["notify_agent"],
        "breach_actions": ["notify_team", "notify_managers"],
        "escalation_team": "",
        "p1-reaction": "30m",
        "p1-reaction_calendar": around_the_clock.pk,
        "p1-resolution": "4h",
        "p1-resolution_calendar": around_the_clock.pk,
        "p2-reaction": "2h",
        "p2-reaction_calendar": office_hours.pk,
        "p2-resolution": "1d 2h",
        "p2-resolution_calendar": office_hours.pk,
        "p3-reaction": "240",
        "p3-reaction_calendar": office_hours.pk,
        "p3-resolution": "",
        "p3-resolution_calendar": office_hours.pk,
        "p4-reaction": "",
        "p4-reaction_calendar": office_hours.pk,
        "p4-resolution": "",
        "p4-resolution_calendar": office_hours.pk,
    }
    return {**data, **changes}


def test_creating_a_plan_publishes_version_one_with_its_targets(
    manager_client, manager, office_hours, around_the_clock
):
    response = manager_client.post(reverse("sla:plan_new"), _plan_data(office_hours, around_the_clock))
    plan = SlaPlan.objects.get(name="Gold")
    assert response.url == reverse("sla:plan", args=[plan.pk])
    assert plan.current_version.number == 1
    assert plan.current_version.created_by == manager
    assert plan.warning_thresholds == [75, 90]
    targets = plan.current_version.definition["targets"]
    assert targets["2"]["resolution_minutes"] == 26 * 60
    assert targets["3"] == {
        "reaction_minutes": 240,
        "reaction_calendar": office_hours.pk,
        "resolution_minutes": None,
        "resolution_calendar": office_hours.pk,
    }
    assert "4" not in targets
    page = manager_client.get(response.url).content.decode()
    assert 'value="1d 2h"' in page and 'value="4h"' in page and 'value="30m"' in page


def test_saving_a_plan_twice_with_a_change_gives_version_two_without_stays_one(
    manager_client, office_hours, around_the_clock
):
    manager_client.post(reverse("sla:plan_new"), _plan_data(office_hours, around_the_clock))
    plan = SlaPlan.objects.get(name="Gold")
    url = reverse("sla:plan", args=[plan.pk])
    manager_client.post(url, _plan_data(office_hours, around_the_clock))
    plan.refresh_from_db()
    assert plan.current_version.number == 1
    assert plan.versions.count() == 1
    manager_client.post(url, _plan_data(office_hours, around_the_clock, **{"p2-reaction": "3h"}))
    plan.refresh_from_db()
    assert plan.current_version.number == 2
    assert plan.current_version.definition["targets"]["2"]["reaction_minutes"] == 180
    assert "Version 2" in manager_client.get(url).content.decode()


def test_bad_durations_and_thresholds_save_nothing(manager_client, office_hours, around_the_clock):
    data = _plan_data(office_hours, around_the_clock, **{"p1-reaction": "soon", "warning_thresholds": "120"})
    response = manager_client.post(reverse("sla:plan_new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write a duration as 4h, 1d 2h, 90m or minutes." in page
    assert "A threshold lies between 1 and 99" in page
    assert not SlaPlan.objects.filter(name="Gold").exists()


def test_only_one_plan_is_the_default(manager_client, business_plan, office_hours, around_the_clock):
    business_plan.is_default = True
    business_plan.save()
    manager_client.post(reverse("sla:plan_new"), _plan_data(office_hours, around_the_clock, is_default="on"))
    assert list(SlaPlan.objects.filter(is_default=True).values_list("name", flat=True)) == ["Gold"]


def test_the_preview_shows_the_due_times_of_unsaved_targets(manager_client, office_hours, around_the_clock):
    data = _plan_data(
        office_hours, around_the_clock, preview_priority="3", preview_start="2026-11-27T16:55", **{"p3-reaction": "4h"}
    )
    response = manager_client.post(reverse("sla:plan_preview"), data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "A P3 ticket entered Fri 27 Nov 16:55 would be due:" in page
    assert '<strong class="preview-reaction">Mon 30 Nov 11:55</strong>' in page
    assert "no resolution target" in page
    assert not SlaPlan.objects.exists()


def test_the_preview_asks_for_correct_targets(manager_client, office_hours, around_the_clock):
    data = _plan_data(office_hours, around_the_clock, preview_priority="2", preview_start="2026-11-27T16:55")
    data["p2-reaction"] = "later"
    response = manager_client.post(reverse("sla:plan_preview"), data)
    assert "Correct the targets to see a preview." in response.content.decode()


def test_the_plan_list_costs_few_queries(manager_client, business_plan, contract, django_assert_max_num_queries):
    for number in range(10):
        SlaPlan.objects.create(name=f"Plan {number}").publish()
    with django_assert_max_num_queries(8):
        page = manager_client.get(reverse("sla:plans")).content.decode()
    assert "Business" in page


# Contracts


@pytest.fixture
def other_item(other_org):
    return ConfigurationItem.objects.create(organization=other_org, name="Their server")


def _contract_data(organization, plan, **changes):
    data = {
        "organization": organization.pk,
        "name": "Support 2027",
        "plan": plan.pk,
        "valid_from": "2027-01-01",
        "valid_until": "2027-12-31",
        "notes": "",
        "active": "on",
    }
    return {**data, **changes}


def test_a_manager_creates_a_contract_with_covered_items(manager_client, customer_org, business_plan, server_item):
    data = _contract_data(
        customer_org, business_plan, items=[server_item.pk], **{f"availability_{server_item.pk}": "99,9"}
    )
    response = manager_client.post(reverse("sla:contract_new"), data)
    contract = Contract.objects.get(name="Support 2027")
    assert response.url == reverse("sla:contract", args=[contract.pk])
    coverage = CoveredItem.objects.get(contract=contract)
    assert coverage.item == server_item
    assert str(coverage.availability_target) == "99.900"
    page = manager_client.get(response.url).content.decode()
    assert 'value="99.9"' in page


def test_an_item_of_another_organization_is_refused(manager_client, customer_org, business_plan, other_item):
    response = manager_client.post(
        reverse("sla:contract_new"), _contract_data(customer_org, business_plan, items=[other_item.pk])
    )
    assert response.status_code == 400
    assert "Covered items must belong to the contract" in response.content.decode()
    assert not Contract.objects.filter(name="Support 2027").exists()


def test_a_contract_cannot_end_before_it_starts(manager_client, customer_org, business_plan):
    data = _contract_data(customer_org, business_plan, valid_until="2026-12-31")
    response = manager_client.post(reverse("sla:contract_new"), data)
    assert "A contract cannot end before it starts." in response.content.decode()
    assert not Contract.objects.filter(name="Support 2027").exists()


def test_editing_a_contract_replaces_its_items(manager_client, contract, server_item):
    CoveredItem.objects.create(contract=contract, item=server_item, availability_target=99)
    data = _contract_data(contract.organization, contract.plan, name="Support 2026", valid_from="2026-01-01")
    del data["valid_until"]
    response = manager_client.post(reverse("sla:contract", args=[contract.pk]), data)
    assert response.status_code == 302
    assert not contract.covered_items.exists()


def test_the_items_of_the_chosen_organization_are_listed(manager_client, customer_org, server_item, other_item):
    page = manager_client.get(reverse("sla:contract_items"), {"organization": customer_org.pk}).content.decode()
    assert server_item.name in page
    assert other_item.name not in page


@time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False)
def test_the_contract_list_filters_by_organization_and_tells_validity(
    manager_client, contract, business_plan, other_org, django_assert_max_num_queries
):
    Contract.objects.create(
        organization=other_org,
        name="Expired",
        plan=business_plan,
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2025, 12, 31),
    )
    with django_assert_max_num_queries(8):
        page = manager_client.get(reverse("sla:contracts")).content.decode()
    assert "Support 2026" in page and "Expired" in page
    assert page.count('<span class="badge">yes</span>') == 1
    page = manager_client.get(reverse("sla:contracts"), {"organization": other_org.pk}).content.decode()
    assert "Expired" in page and "Support 2026" not in page


def test_the_organization_page_lists_its_contracts(client, l1_agent, contract):
    client.force_login(l1_agent)
    page = client.get(reverse("desk:organization", args=[contract.organization_id])).content.decode()
    assert f'href="{reverse("sla:contract", args=[contract.pk])}"' in page
