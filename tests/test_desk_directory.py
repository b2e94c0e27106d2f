"""The customer directory of the desk: organizations, an organization's page, a contact's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicedesk.accounts.models import Contact, Organization
from servicedesk.assets.models import ConfigurationItem
from servicedesk.tickets import actions
from servicedesk.tickets.states import State

ORGANIZATIONS = reverse("desk:organizations")


@pytest.fixture
def desk(client, l1_agent):
    client.force_login(l1_agent)
    return client


def directory_urls(customer_org, customer_user):
    return [
        ORGANIZATIONS,
        reverse("desk:organization", args=[customer_org.pk]),
        reverse("desk:contact", args=[customer_user.pk]),
    ]


# --- Who may see it -------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, customer_org, customer_user):
    for url in directory_urls(customer_org, customer_user):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_customers_are_refused_even_for_their_own_organization(client, customer_org, customer_manager):
    client.force_login(customer_manager.user)
    for url in directory_urls(customer_org, customer_manager):
        assert client.get(url).status_code == 403


def test_missing_pages_are_404(desk, db):
    assert desk.get(reverse("desk:organization", args=[999999])).status_code == 404
    assert desk.get(reverse("desk:contact", args=[999999])).status_code == 404


# --- The organizations list ----------------------------------------------------------------------------------------


def test_the_list_shows_open_ticket_counts(desk, l1_agent, customer_user, other_customer):
    for subject in ("One", "Two"):
        actions.open_ticket(actor=l1_agent, subject=subject, requester=customer_user)
    done = actions.open_ticket(actor=l1_agent, subject="Done", requester=customer_user)
    actions.resolve(done, actor=l1_agent)
    response = desk.get(ORGANIZATIONS)
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["page_obj"]}
    assert rows[customer_user.organization.name].open_tickets == 2
    assert rows[customer_user.organization.name].contact_count == 1
    assert rows[other_customer.organization.name].open_tickets == 0


def test_the_list_searches_by_name_and_company_id(desk, customer_org, other_org):
    by_id = desk.get(ORGANIZATIONS, {"q": "345678"}).context["page_obj"]
    assert [org.name for org in by_id] == [customer_org.name]
    by_name = desk.get(ORGANIZATIONS, {"q": "Beta"}).context["page_obj"]
    assert [org.name for org in by_name] == [other_org.name]
    nothing = desk.get(ORGANIZATIONS, {"q": "Zeta"})
    assert "No customer matches “Zeta”." in nothing.content.decode()


def test_the_list_hides_inactive_customers_unless_asked(desk, customer_org, other_org):
    other_org.active = False
    other_org.save()

    def names(**query):
        return [org.name for org in desk.get(ORGANIZATIONS, query).context["page_obj"]]

    assert names() == [customer_org.name]
    assert names(active="inactive") == [other_org.name]
    assert names(active="all") == [customer_org.name, other_org.name]
    assert names(active="nonsense") == [customer_org.name]


def test_the_list_costs_the_same_queries_for_3_and_30_organizations(desk, l1_agent, django_assert_max_num_queries):
    def make(count, start):
        for n in range(start, start + count):
            org = Organization.objects.create(name=f"Customer {n:02d}", company_id=f"{n:08d}")
            contact = Contact.objects.create(organization=org, name=f"Person {n}")
            actions.open_ticket(actor=l1_agent, subject="Problem", requester=contact)

    make(3, 0)
    with django_assert_max_num_queries(4):
        assert desk.get(ORGANIZATIONS).status_code == 200
    make(27, 3)
    with django_assert_max_num_queries(4):
        response = desk.get(ORGANIZATIONS)
    assert len(response.context["page_obj"]) == 30
    assert all(org.open_tickets == 1 for org in response.context["page_obj"])


# --- An organization's page -------------------------------------------------------------------------------------------


def test_the_organization_page_shows_details_contacts_items_and_tickets(
    desk, l1_agent, customer_org, customer_user, customer_manager, server_item, other_customer
):
    customer_org.vat_id = "CZ12345678"
    customer_org.phone = "+420 222 333 444"
    customer_org.address = "Dlouhá 1, Praha"
    customer_org.notes = "Call before visiting."
    customer_org.save()
    mine = actions.open_ticket(actor=l1_agent, subject="Alfa's printer", requester=customer_user)
    foreign = actions.open_ticket(actor=l1_agent, subject="Beta's router", requester=other_customer)
    response = desk.get(reverse("desk:organization", args=[customer_org.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("12345678", "CZ12345678", "alfa.cz", "+420 222 333 444", "Dlouhá 1, Praha", "Call before visiting."):
        assert text in html
    assert reverse("desk:contact", args=[customer_user.pk]) in html
    assert reverse("desk:contact", args=[customer_manager.pk]) in html
    assert server_item.name in html
    assert mine.get_absolute_url() in html
    assert foreign.number not in html


def test_the_organizations_tickets_list_open_ones_first(desk, l1_agent, customer_org, customer_user):
    old_open = actions.open_ticket(actor=l1_agent, subject="Old but open", requester=customer_user)
    resolved = actions.open_ticket(actor=l1_agent, subject="New but resolved", requester=customer_user)
    actions.resolve(resolved, actor=l1_agent)
    response = desk.get(reverse("desk:organization", args=[customer_org.pk]))
    assert [ticket.number for ticket in response.context["page_obj"]] == [old_open.number, resolved.number]
    assert response.context["open_count"] == 1


def test_the_organizations_tickets_are_paginated(desk, l1_agent, customer_org, customer_user, settings):
    for n in range(27):
        actions.open_ticket(actor=l1_agent, subject=f"Ticket {n}", requester=customer_user)
    url = reverse("desk:organization", args=[customer_org.pk])
    first = desk.get(url)
    assert len(first.context["page_obj"]) == 25
    assert "page=2" in first.content.decode()
    second = desk.get(url, {"page": 2})
    assert len(second.context["page_obj"]) == 2


def test_the_organization_page_costs_the_same_queries_for_3_and_30_rows(
    desk, l1_agent, customer_org, django_assert_max_num_queries
):
    def make(count, start):
        for n in range(start, start + count):
            contact = Contact.objects.create(organization=customer_org, name=f"Person {n:02d}")
            ConfigurationItem.objects.create(organization=customer_org, name=f"PC-{n:02d}")
            actions.open_ticket(actor=l1_agent, subject="Problem", requester=contact)

    url = reverse("desk:organization", args=[customer_org.pk])
    make(3, 0)
    with django_assert_max_num_queries(9):
        assert desk.get(url).status_code == 200
    make(27, 3)
    with django_assert_max_num_queries(9):
        response = desk.get(url)
    assert response.content.decode().count("PC-") == 30


# --- A contact's page -------------------------------------------------------------------------------------------------


def test_the_contact_page_shows_details_and_requested_tickets(desk, l1_agent, customer_user, customer_manager):
    asked = actions.open_ticket(actor=l1_agent, subject="Jana's laptop", requester=customer_user)
    other = actions.open_ticket(actor=l1_agent, subject="Petr's phone", requester=customer_manager)
    response = desk.get(reverse("desk:contact", args=[customer_user.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert customer_user.email in html and customer_user.phone in html
    assert customer_user.organization.name in html
    assert asked.get_absolute_url() in html
    assert other.number not in html
    assert f"{reverse('desk:hotline')}?contact={customer_user.pk}" in html


def test_the_contact_page_costs_the_same_queries_for_3_and_30_tickets(
    desk, l1_agent, customer_user, django_assert_max_num_queries
):
    def make(count):
        for n in range(count):
            ticket = actions.open_ticket(actor=l1_agent, subject=f"Ticket {n}", requester=customer_user)
            if n % 2:
                actions.take(ticket, actor=l1_agent)

    url = reverse("desk:contact", args=[customer_user.pk])
    make(3)
    with django_assert_max_num_queries(6):
        assert desk.get(url).status_code == 200
    make(20)
    with django_assert_max_num_queries(6):
        response = desk.get(url)
    assert len(response.context["page_obj"]) == 23
    assert response.context["open_count"] == 23


def test_resolved_tickets_are_listed_after_open_ones_on_the_contact_page(desk, l1_agent, customer_user):
    done = actions.open_ticket(actor=l1_agent, subject="Done", requester=customer_user)
    actions.resolve(done, actor=l1_agent)
    open_one = actions.open_ticket(actor=l1_agent, subject="Open", requester=customer_user)
    actions.transition(open_one, actor=l1_agent, to_state=State.IN_PROGRESS)
    response = desk.get(reverse("desk:contact", args=[customer_user.pk]))
    assert [ticket.pk for ticket in response.context["page_obj"]] == [open_one.pk, done.pk]
