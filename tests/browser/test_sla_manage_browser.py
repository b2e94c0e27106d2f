"""A desk manager sets up office hours, a plan and a customer's contract in Chromium, previewing the due times."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from servicedesk.sla.models import Contract, CoveredItem, ServiceCalendar, SlaPlan
from tests.browser.conftest import htmx_idle
from tests.conftest import make_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(first_level_team):
    user = make_agent("marta", "Marta", "Manažerová", first_level_team)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="sla", codename="manage"))
    return user


def test_manager_sets_up_a_calendar_a_plan_and_a_contract(sign_in, live_server, manager, customer_org, server_item):
    page = sign_in(manager)
    page.goto(f"{live_server.url}/desk/sla/")
    page.get_by_role("link", name="New calendar").click()
    page.fill("#id_name", "Office")
    for day in ("monday", "tuesday", "wednesday", "thursday"):
        page.fill(f"#id_{day}", "08:00-17:00")
    page.fill("#id_friday", "8 to 5")
    page.fill("#id_holiday_country", "CZ")
    page.get_by_role("button", name="Create calendar").click()
    expect(page.locator(".errorlist")).to_contain_text("Write service hours as 08:00-17:00")
    page.fill("#id_friday", "08:00-17:00")
    page.get_by_role("button", name="Create calendar").click()
    expect(page.get_by_role("heading", name="Office", exact=True)).to_be_visible()
    office = ServiceCalendar.objects.get(name="Office")
    assert office.friday == "08:00-17:00"

    # A company holiday, added without leaving the page.
    page.fill("#id_date", "2026-12-31")
    page.fill("#id_note", "Company holiday")
    page.get_by_role("button", name="Add exception").click()
    htmx_idle(page)
    expect(page.locator(".sla-days tbody tr")).to_have_count(1)
    expect(page.locator(".sla-days")).to_contain_text("Company holiday")

    page.get_by_role("link", name="SLA plans").click()
    page.get_by_role("link", name="New plan").click()
    page.fill("#id_name", "Business")
    page.get_by_label("P3 reaction", exact=True).fill("4h")
    page.get_by_label("P3 reaction calendar").select_option(label="Office")
    page.get_by_label("P3 resolution", exact=True).fill("2d")
    page.get_by_label("P3 resolution calendar").select_option(label="Office")

    # The preview answers for the targets as typed, before saving.
    page.select_option("#id_preview_priority", "3")
    page.fill("#id_preview_start", "2026-11-27T16:55")
    page.get_by_role("button", name="Show due times").click()
    htmx_idle(page)
    expect(page.locator(".preview-result")).to_contain_text("A P3 ticket entered Fri 27 Nov 16:55 would be due:")
    expect(page.locator(".preview-reaction")).to_have_text("Mon 30 Nov 11:55")
    assert not SlaPlan.objects.exists()

    page.get_by_role("button", name="Create plan").click()
    expect(page.locator(".current-version")).to_have_text("version 1")
    plan = SlaPlan.objects.get(name="Business")
    assert plan.current_version.definition["targets"]["3"]["reaction_minutes"] == 240
    expect(page.get_by_label("P3 resolution", exact=True)).to_have_value("2d")

    page.get_by_role("link", name="Contracts", exact=True).first.click()
    page.get_by_role("link", name="New contract").click()
    page.select_option("#id_organization", label=customer_org.name)
    htmx_idle(page)
    page.get_by_label(server_item.name, exact=True).check()
    page.get_by_label(f"Availability target of {server_item.name}").fill("99.9")
    page.fill("#id_name", "Support 2027")
    page.select_option("#id_plan", label="Business")
    page.fill("#id_valid_from", "2027-01-01")
    page.get_by_role("button", name="Create contract").click()
    expect(page.get_by_role("heading", name="Support 2027")).to_be_visible()
    contract = Contract.objects.get(name="Support 2027")
    assert contract.organization == customer_org and contract.plan == plan
    assert str(CoveredItem.objects.get(contract=contract, item=server_item).availability_target) == "99.900"

    page.get_by_role("link", name=customer_org.name).click()
    expect(page.locator(".organization-contracts")).to_contain_text("Support 2027")
