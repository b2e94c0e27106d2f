"""The SLA in the API: calendars, plans and contracts (read by persona, written by SLA managers only), the ticket's
SLA fields and timeline, and the deadline preview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission

from servicedesk.accounts.models import ContactRole, User
from servicedesk.assets.models import ConfigurationItem
from servicedesk.sla.models import Contract, CoveredItem, ServiceCalendar, SlaPlan
from servicedesk.tickets import actions
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import State
from tests.conftest import make_agent, make_contact
from tests.sla import conftest as sla_fixtures
from tests.test_api_support import assert_problem, client_for

pytestmark = pytest.mark.django_db

PERSONAS = ["sla_manager", "agent", "customer_user", "customer_manager", "other_customer", "anonymous"]
FRIDAY_AFTERNOON = "2026-11-27T16:55:00+01:00"

# The SLA set-up of tests/sla/: office hours, 24×7, the Business plan and Alfa's contract.
office_hours = sla_fixtures.office_hours
around_the_clock = sla_fixtures.around_the_clock
business_plan = sla_fixtures.business_plan
contract = sla_fixtures.contract


@pytest.fixture
def sla_manager(first_level_team) -> User:
    """A desk manager: an agent with the sla.manage permission."""
    user = make_agent("marta", "Marta", "Vedoucí", first_level_team)
    user.user_permissions.add(Permission.objects.get(codename="manage", content_type__app_label="sla"))
    return User.objects.get(pk=user.pk)  # without the cached permissions


@pytest.fixture
def users(sla_manager, l1_agent, customer_user, customer_manager, other_customer) -> dict[str, User | None]:
    return {
        "sla_manager": sla_manager,
        "agent": l1_agent,
        "customer_user": customer_user.user,
        "customer_manager": customer_manager.user,
        "other_customer": other_customer.user,
        "anonymous": None,
    }


# --- Who may read and write ----------------------------------------------------------------------------------

READ_TERMS = {
    "sla_manager": 200,
    "agent": 200,
    "customer_user": 200,
    "customer_manager": 200,
    "other_customer": 200,
    "anonymous": 401,
}
WRITE = {
    "sla_manager": "ok",
    "agent": 403,
    "customer_user": 403,
    "customer_manager": 403,
    "other_customer": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", ["calendars", "sla-plans"])
def test_calendars_and_plans_are_the_companys_terms_readable_by_everybody_signed_in(
    users, business_plan, office_hours, persona, resource
):
    pk = business_plan.pk if resource == "sla-plans" else office_hours.pk
    client = client_for(users[persona])
    listing = client.get(f"/api/v1/{resource}/")
    detail = client.get(f"/api/v1/{resource}/{pk}/")
    assert listing.status_code == detail.status_code == READ_TERMS[persona], listing.content
    if persona == "anonymous":
        assert_problem(listing, 401, "not_authenticated")
    else:
        assert pk in {row["id"] for row in listing.json()["results"]}


def _calendar_body(name: str = "Weekdays 7–19") -> dict:
    return {
        "name": name,
        "time_zone": "Europe/Prague",
        **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "07:00-19:00"),
        "saturday": "",
        "sunday": "",
        "holiday_country": "CZ",
        "days": [{"date": "2026-12-31", "kind": "closed", "note": "Inventory"}],
    }


def _plan_body(calendar: ServiceCalendar, name: str = "Gold") -> dict:
    return {
        "name": name,
        "targets": [
            {
                "priority": 1,
                "reaction_minutes": 30,
                "reaction_calendar": calendar.pk,
                "resolution_minutes": 240,
                "resolution_calendar": calendar.pk,
            }
        ],
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_sla_managers_write_calendars(users, office_hours, persona):
    client = client_for(users[persona])
    responses = [
        client.post("/api/v1/calendars/", _calendar_body(), format="json"),
        client.patch(f"/api/v1/calendars/{office_hours.pk}/", {"saturday": "08:00-12:00"}, format="json"),
    ]
    expected = WRITE[persona]
    if expected == "ok":
        assert [r.status_code for r in responses] == [201, 200], [r.content for r in responses]
        return
    for response in responses:
        assert_problem(response, expected)
    assert not ServiceCalendar.objects.filter(name="Weekdays 7–19").exists()
    assert ServiceCalendar.objects.get(pk=office_hours.pk).saturday == ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_sla_managers_write_plans(users, office_hours, business_plan, persona):
    client = client_for(users[persona])
    created = client.post("/api/v1/sla-plans/", _plan_body(office_hours), format="json")
    changed = client.patch(f"/api/v1/sla-plans/{business_plan.pk}/", {"description": "x"}, format="json")
    expected = WRITE[persona]
    if expected == "ok":
        assert (created.status_code, changed.status_code) == (201, 200), created.content
        return
    assert_problem(created, expected)
    assert_problem(changed, expected)
    assert not SlaPlan.objects.filter(name="Gold").exists()
    assert SlaPlan.objects.get(pk=business_plan.pk).description == ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_sla_managers_write_contracts(users, business_plan, contract, customer_org, persona):
    client = client_for(users[persona])
    body = {"organization": customer_org.pk, "name": "Extra", "plan": business_plan.pk, "valid_from": "2026-01-01"}
    created = client.post("/api/v1/contracts/", body, format="json")
    deleted = client.delete(f"/api/v1/contracts/{contract.pk}/")
    expected = WRITE[persona]
    if expected == "ok":
        assert (created.status_code, deleted.status_code) == (201, 204), created.content
        assert not Contract.objects.filter(pk=contract.pk).exists()
        return
    # A customer manager reads the contract, but may not delete it; others do not see it, or may not write.
    assert_problem(created, expected)
    assert deleted.status_code == expected
    assert Contract.objects.filter(pk=contract.pk).exists() and not Contract.objects.filter(name="Extra").exists()


@pytest.fixture
def beta_contract(business_plan, other_org) -> Contract:
    return Contract.objects.create(
        organization=other_org, name="Beta basic", plan=business_plan, valid_from=dt.date(2026, 1, 1), notes="cheap"
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_contracts_are_read_by_agents_and_by_their_customers_manager(users, contract, beta_contract, persona):
    Contract.objects.filter(pk=contract.pk).update(notes="Discount 20 %, do not tell")
    client = client_for(users[persona])
    listing = client.get("/api/v1/contracts/")
    detail = client.get(f"/api/v1/contracts/{contract.pk}/")
    expected_ids = {
        "sla_manager": {contract.pk, beta_contract.pk},
        "agent": {contract.pk, beta_contract.pk},
        "customer_manager": {contract.pk},
        "other_customer": {beta_contract.pk},  # Beta's manager
    }
    if persona == "anonymous":
        assert_problem(listing, 401)
        assert_problem(detail, 401)
    elif persona == "customer_user":
        assert_problem(listing, 403, "permission_denied")
        assert_problem(detail, 403, "permission_denied")
    else:
        rows = listing.json()["results"]
        assert {row["id"] for row in rows} == expected_ids[persona]
        if persona == "other_customer":
            assert_problem(detail, 404, "not_found")
        else:
            assert detail.status_code == 200
            notes = detail.json().get("notes")
            assert notes == (None if persona == "customer_manager" else "Discount 20 %, do not tell")


def test_another_organizations_manager_gets_404_for_alfas_contract(contract, other_org):
    beta_manager = make_contact(other_org, "Boss", "boss@beta.cz", role=ContactRole.MANAGER)
    assert_problem(client_for(beta_manager.user).get(f"/api/v1/contracts/{contract.pk}/"), 404, "not_found")


# --- Writes: nested lists, publishing, validation -------------------------------------------------------------


def test_calendar_with_its_exception_days(sla_manager):
    client = client_for(sla_manager)
    response = client.post("/api/v1/calendars/", _calendar_body(), format="json")
    assert response.status_code == 201, response.content
    calendar = ServiceCalendar.objects.get(pk=response.json()["id"])
    assert [(d.date, d.kind, d.note) for d in calendar.days.all()] == [(dt.date(2026, 12, 31), "closed", "Inventory")]
    replaced = client.patch(
        f"/api/v1/calendars/{calendar.pk}/",
        {"days": [{"date": "2026-12-27", "kind": "working", "ranges": "09:00-12:00"}]},
        format="json",
    ).json()
    assert replaced["days"] == [{"date": "2026-12-27", "kind": "working", "ranges": "09:00-12:00", "note": ""}]
    assert replaced["monday"] == "07:00-19:00"


def test_calendar_validation(sla_manager):
    client = client_for(sla_manager)
    body = {
        **_calendar_body(),
        "monday": "eight to five",
        "time_zone": "Mars/Olympus",
        "holiday_country": "XX",
        "days": [{"date": "2026-12-27", "kind": "working", "ranges": ""}],
    }
    problem = assert_problem(client.post("/api/v1/calendars/", body, format="json"), 400, "invalid")
    assert {"monday", "time_zone"} <= {error["field"] for error in problem["errors"]}
    body = {**_calendar_body(), "holiday_country": "XX"}
    problem = assert_problem(client.post("/api/v1/calendars/", body, format="json"), 400, "invalid")
    assert {error["field"] for error in problem["errors"]} == {"holiday_country"}


def test_a_calendar_in_use_is_not_deleted(sla_manager, business_plan, office_hours):
    response = client_for(sla_manager).delete(f"/api/v1/calendars/{office_hours.pk}/")
    assert_problem(response, 409, "in_use")
    assert ServiceCalendar.objects.filter(pk=office_hours.pk).exists()


def test_every_plan_write_publishes_a_version(sla_manager, office_hours, around_the_clock):
    client = client_for(sla_manager)
    created = client.post("/api/v1/sla-plans/", _plan_body(office_hours), format="json")
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["current_version"]["number"] == 1
    assert plan["targets"][0]["reaction_minutes"] == 30
    url = f"/api/v1/sla-plans/{plan['id']}/"

    body = _plan_body(around_the_clock)
    changed = client.patch(url, {"targets": body["targets"]}, format="json").json()
    assert changed["current_version"]["number"] == 2
    assert changed["targets"][0]["reaction_calendar"] == around_the_clock.pk
    # Nothing the tickets are measured by changed: no new version.
    assert client.patch(url, {"description": "Our best"}, format="json").json()["current_version"]["number"] == 2

    versions = client.get(url + "versions/").json()["results"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["definition"]["targets"]["1"]["reaction_calendar"] == office_hours.pk
    assert versions[1]["created_by"] == sla_manager.pk
    assert SlaPlan.objects.get(pk=plan["id"]).current_version.number == 2


def test_plan_validation(sla_manager, office_hours):
    body = _plan_body(office_hours)
    body["targets"] = body["targets"] * 2
    body["pause_states"] = ["in_progress"]
    body["warning_thresholds"] = [150]
    problem = assert_problem(client_for(sla_manager).post("/api/v1/sla-plans/", body, format="json"), 400, "invalid")
    fields = {error["field"] for error in problem["errors"]}
    assert {"targets", "pause_states", "warning_thresholds"} <= fields


def test_plans_are_deactivated_not_deleted(sla_manager, business_plan):
    response = client_for(sla_manager).delete(f"/api/v1/sla-plans/{business_plan.pk}/")
    assert_problem(response, 405)


def test_one_default_plan(sla_manager, business_plan, office_hours):
    SlaPlan.objects.filter(pk=business_plan.pk).update(is_default=True)
    response = client_for(sla_manager).post(
        "/api/v1/sla-plans/", {**_plan_body(office_hours), "is_default": True}, format="json"
    )
    assert response.status_code == 201
    assert list(SlaPlan.objects.filter(is_default=True).values_list("name", flat=True)) == ["Gold"]


def test_contract_with_categories_and_items(sla_manager, business_plan, customer_org, server_item):
    from servicedesk.tickets.models import Category

    category = Category.objects.create(slug="srv", name_cs="Servery", name_en="Servers")
    body = {
        "organization": customer_org.pk,
        "name": "Servers 2027",
        "plan": business_plan.pk,
        "valid_from": "2027-01-01",
        "valid_until": "2027-12-31",
        "categories": [category.pk],
        "items": [{"item": server_item.pk, "availability_target": "99.900"}],
        "notes": "renewal",
    }
    response = client_for(sla_manager).post("/api/v1/contracts/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["categories"] == [category.pk]
    assert data["items"] == [{"item": server_item.pk, "availability_target": "99.900"}]
    assert CoveredItem.objects.get(contract_id=data["id"]).availability_target == Decimal("99.900")


def test_contract_validation(sla_manager, business_plan, contract, customer_org, other_org):
    beta_item = ConfigurationItem.objects.create(organization=other_org, name="BETA-FW", kind="firewall")
    client = client_for(sla_manager)
    body = {
        "organization": customer_org.pk,
        "name": "Wrong",
        "plan": business_plan.pk,
        "valid_from": "2027-01-01",
        "valid_until": "2026-12-31",
        "items": [{"item": beta_item.pk}],
    }
    problem = assert_problem(client.post("/api/v1/contracts/", body, format="json"), 400, "invalid")
    assert {error["field"] for error in problem["errors"]} >= {"valid_until", "items.0.item"}
    # Partial changes are checked against what is stored.
    problem = assert_problem(
        client.patch(f"/api/v1/contracts/{contract.pk}/", {"valid_until": "2025-12-31"}, format="json"), 400
    )
    assert [error["field"] for error in problem["errors"]] == ["valid_until"]


# --- Lists cost the same whatever their length ---------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_sla_lists_query_count_is_constant(
    sla_manager, office_hours, customer_org, server_item, count, django_assert_max_num_queries
):
    plans = []
    for index in range(count):
        calendar = ServiceCalendar.objects.create(name=f"Cal {index}")
        calendar.days.create(date=dt.date(2026, 12, 24), kind="closed")
        plan = SlaPlan.objects.create(name=f"Plan {index}")
        plan.targets.create(priority=1, reaction_minutes=60, reaction_calendar=calendar, resolution_calendar=calendar)
        plan.publish()
        plans.append(plan)
        covering = Contract.objects.create(
            organization=customer_org, name=f"C {index}", plan=plan, valid_from=dt.date(2026, 1, 1)
        )
        CoveredItem.objects.create(contract=covering, item=server_item)
    client = client_for(sla_manager)
    client.get("/api/v1/calendars/")  # the token's last use is written once
    for resource, queries in (("calendars", 3), ("sla-plans", 3), ("contracts", 4)):
        with django_assert_max_num_queries(queries):
            response = client.get(f"/api/v1/{resource}/?page_size=100")
        assert len(response.json()["results"]) >= count


@pytest.mark.parametrize("count", [2, 20])
def test_ticket_list_with_sla_fields_stays_one_query(
    l1_agent, customer_user, contract, count, django_assert_max_num_queries
):
    for index in range(count):
        actions.open_ticket(actor=l1_agent, subject=f"T{index}", requester=customer_user)
    client = client_for(l1_agent)
    client.get("/api/v1/tickets/")
    with django_assert_max_num_queries(3):  # token, tickets page (with plan and contract joined)
        response = client.get("/api/v1/tickets/")
    rows = response.json()["results"]
    assert len(rows) == count and all(row["contract"]["name"] == "Support 2026" for row in rows)


# --- The ticket's SLA ----------------------------------------------------------------------------------------


@pytest.fixture
def measured_ticket(l1_agent, customer_user, contract) -> Ticket:
    with time_machine.travel(dt.datetime.fromisoformat(FRIDAY_AFTERNOON), tick=False):
        ticket = actions.open_ticket(
            actor=l1_agent, subject="Printer", requester=customer_user, impact="low", urgency="medium"
        )
    return ticket


def test_ticket_shows_its_sla_fields(l1_agent, customer_user, measured_ticket, business_plan, contract):
    with time_machine.travel(dt.datetime.fromisoformat(FRIDAY_AFTERNOON), tick=False):
        agent_view = client_for(l1_agent).get(f"/api/v1/tickets/{measured_ticket.number}/").json()
        customer_view = client_for(customer_user.user).get(f"/api/v1/tickets/{measured_ticket.number}/").json()
    version = business_plan.current_version
    assert agent_view["sla_plan"] == {"id": version.pk, "plan": business_plan.pk, "name": "Business", "version": 1}
    assert agent_view["contract"] == {"id": contract.pk, "name": "Support 2026"}
    assert customer_view["contract"] == {"id": None, "name": "Support 2026"}
    ticket = Ticket.objects.get(pk=measured_ticket.pk)
    assert (
        agent_view["reaction_due_at"]
        == ticket.reaction_due_at.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat()
    )
    assert agent_view["reacted_at"] is None
    assert agent_view["reaction_breached"] is False and agent_view["resolution_breached"] is False
    assert agent_view["paused_seconds"] == 0 and agent_view["sla_paused"] is False


def test_ticket_sla_timeline(l1_agent, customer_user, measured_ticket):
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), tick=False):
        actions.assign(measured_ticket, actor=l1_agent, agent=l1_agent)  # the reaction, in time
        actions.transition(measured_ticket, actor=l1_agent, to_state=State.WAITING_CUSTOMER)
        agent = client_for(l1_agent).get(f"/api/v1/tickets/{measured_ticket.number}/sla/")
        customer = client_for(customer_user.user).get(f"/api/v1/tickets/{measured_ticket.number}/sla/")
    assert agent.status_code == customer.status_code == 200, agent.content
    data = agent.json()
    kinds = [event["kind"] for event in data["events"]]
    assert kinds[0] == "sla_started" and "sla_paused" in kinds
    assert data["events"][0]["note"]  # the due times, for the desk
    assert data["resolution"]["state"] == "paused"
    assert data["reaction"]["state"] == "met" and data["reaction"]["level"] == "ok"
    assert set(data["reaction"]) == {"due_at", "target_seconds", "left_seconds", "used_percent", "state", "level"}
    customer_data = customer.json()
    assert [event["kind"] for event in customer_data["events"]] == kinds
    assert all(event["note"] == "" for event in customer_data["events"])
    assert customer_data["contract"]["id"] is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_ticket_sla_follows_the_tickets_visibility(users, measured_ticket, persona):
    expected = {**READ_TERMS, "other_customer": 404}[persona]
    response = client_for(users[persona]).get(f"/api/v1/tickets/{measured_ticket.number}/sla/")
    assert response.status_code == expected, response.content


# --- Preview -------------------------------------------------------------------------------------------------


def test_preview_under_a_plan_counts_business_hours(l1_agent, business_plan):
    response = client_for(l1_agent).post(
        "/api/v1/sla/preview/", {"plan": business_plan.pk, "priority": 3, "start": FRIDAY_AFTERNOON}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    # 4 business hours from Friday 16:55: five minutes on Friday, then Monday 8:00 + 3 h 55 min.
    assert dt.datetime.fromisoformat(data["reaction_due_at"]) == dt.datetime(2026, 11, 30, 10, 55, tzinfo=dt.UTC)
    assert data["reaction_due_at"] == "2026-11-30T11:55:00+01:00"
    # 16 business hours: 5 min Fri, 9 h Mon, 6 h 55 min Tue.
    assert data["resolution_due_at"] == "2026-12-01T14:55:00+01:00"
    assert data["plan_version"]["plan"] == business_plan.pk and data["plan_version"]["version"] == 1


def test_customer_previews_their_organizations_terms(customer_user, customer_org, other_org, contract):
    client = client_for(customer_user.user)
    own = client.post(
        "/api/v1/sla/preview/",
        {"organization": customer_org.pk, "priority": 3, "start": FRIDAY_AFTERNOON},
        format="json",
    )
    assert own.status_code == 200, own.content
    assert own.json()["reaction_due_at"] == "2026-11-30T11:55:00+01:00"
    other = client.post(
        "/api/v1/sla/preview/",
        {"organization": other_org.pk, "priority": 3, "start": FRIDAY_AFTERNOON},
        format="json",
    )
    assert_problem(other, 404, "not_found")
    by_plan = client.post(
        "/api/v1/sla/preview/", {"plan": contract.plan_id, "priority": 3, "start": FRIDAY_AFTERNOON}, format="json"
    )
    assert_problem(by_plan, 403, "permission_denied")


def test_preview_of_an_organization_without_terms_is_empty(l1_agent, other_org):
    response = client_for(l1_agent).post(
        "/api/v1/sla/preview/",
        {"organization": other_org.pk, "priority": 1, "start": FRIDAY_AFTERNOON},
        format="json",
    )
    assert response.json() == {"reaction_due_at": None, "resolution_due_at": None, "plan_version": None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": 3, "start": "2026-11-27T16:55:00"}, "start"),  # naive: which zone?
        ({"priority": 5, "start": FRIDAY_AFTERNOON}, "priority"),
        ({"start": FRIDAY_AFTERNOON}, "priority"),
    ],
)
def test_preview_input_is_checked(l1_agent, business_plan, body, field):
    response = client_for(l1_agent).post("/api/v1/sla/preview/", {"plan": business_plan.pk, **body}, format="json")
    problem = assert_problem(response, 400, "invalid")
    assert [error["field"] for error in problem["errors"]] == [field]


def test_preview_needs_a_plan_or_an_organization(l1_agent, business_plan, customer_org):
    client = client_for(l1_agent)
    neither = client.post("/api/v1/sla/preview/", {"priority": 3, "start": FRIDAY_AFTERNOON}, format="json")
    assert_problem(neither, 400, "invalid")
    both = {"plan": business_plan.pk, "organization": customer_org.pk, "priority": 3, "start": FRIDAY_AFTERNOON}
    assert_problem(client.post("/api/v1/sla/preview/", both, format="json"), 400, "invalid")
    assert_problem(client_for(None).post("/api/v1/sla/preview/", both, format="json"), 401)
