"""The customer's ticket list: filters, search, a manager's requester filter, pages, wording and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from servicedesk.tickets import actions
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import State
from tests.conftest import make_contact


@pytest.fixture
def colleague(customer_org):
    return make_contact(customer_org, "Karel Veselý", "karel@alfa.cz")


def open_for(contact, subject: str, agent) -> Ticket:
    return actions.open_ticket(actor=agent, subject=subject, requester=contact)


def html_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_state_filter(client, customer_user, l1_agent):
    waiting = open_for(customer_user, "Čeká se na vás", l1_agent)
    done = open_for(customer_user, "Už hotovo", l1_agent)
    actions.resolve(done, actor=l1_agent)
    client.force_login(customer_user.user)
    everything = html_of(client, "/portal/")
    assert waiting.number in everything and done.number in everything
    only_open = html_of(client, "/portal/?state=open")
    assert waiting.number in only_open and done.number not in only_open
    only_resolved = html_of(client, "/portal/?state=resolved")
    assert done.number in only_resolved and waiting.number not in only_resolved
    nonsense = html_of(client, "/portal/?state=bogus&page=abc")  # falls back to all, first page
    assert waiting.number in nonsense and done.number in nonsense


def test_states_are_worded_for_customers(client, customer_user, l1_agent):
    ticket = open_for(customer_user, "Potřebujeme odpověď", l1_agent)
    actions.transition(ticket, actor=l1_agent, to_state=State.IN_PROGRESS)
    actions.transition(ticket, actor=l1_agent, to_state=State.WAITING_CUSTOMER)
    client.force_login(customer_user.user)
    html = html_of(client, "/portal/")
    assert "Waiting for your reply" in html
    assert "Waiting for customer" not in html


def test_search_finds_by_words_without_diacritics(client, customer_user, l1_agent):
    printer = open_for(customer_user, "Tiskárna v účtárně netiskne", l1_agent)
    mail = open_for(customer_user, "Nejde pošta", l1_agent)
    client.force_login(customer_user.user)
    html = html_of(client, "/portal/?q=tiskarna")
    assert printer.number in html
    assert mail.number not in html


def test_a_manager_filters_by_requester(client, customer_manager, customer_user, colleague, l1_agent):
    janas = open_for(customer_user, "Janin problém", l1_agent)
    karels = open_for(colleague, "Karlův problém", l1_agent)
    client.force_login(customer_manager.user)
    html = html_of(client, "/portal/")
    assert janas.number in html and karels.number in html
    assert 'name="requester"' in html
    assert "Karel Veselý" in html  # a requester column and a choice
    filtered = html_of(client, f"/portal/?requester={colleague.pk}")
    assert karels.number in filtered
    assert janas.number not in filtered


def test_empty_list_invites_to_report_a_problem(client, customer_user):
    client.force_login(customer_user.user)
    html = html_of(client, "/portal/")
    assert "You have no tickets yet" in html
    assert 'href="/portal/tickets/new/"' in html
    filtered = html_of(client, "/portal/?q=nothing")
    assert "No ticket matches these filters" in filtered


def test_pages(client, customer_user, l1_agent):
    tickets = [open_for(customer_user, f"Problém {n}", l1_agent) for n in range(25)]
    client.force_login(customer_user.user)
    first = html_of(client, "/portal/")
    second = html_of(client, "/portal/?page=2")
    assert "Page 1 of 2" in first
    newest, oldest = tickets[-1], tickets[0]
    assert newest.number in first and newest.number not in second
    assert oldest.number in second and oldest.number not in first


def test_dates_follow_the_language(client, customer_user, l1_agent):
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC), tick=False):
        open_for(customer_user, "Datum", l1_agent)
    client.force_login(customer_user.user)
    customer_user.user.language = "cs"
    customer_user.user.save()
    assert "05.03.2026" in html_of(client, "/portal/")
    customer_user.user.language = "en"
    customer_user.user.save()
    assert "03/05/2026" in html_of(client, "/portal/")


@pytest.mark.parametrize("persona", ["customer_user", "customer_manager"])
def test_query_count_does_not_grow_with_rows(
    client, request, customer_user, l1_agent, django_assert_max_num_queries, persona
):
    contact = request.getfixturevalue(persona)
    client.force_login(contact.user)

    def make(count: int) -> None:
        for n in range(count):
            ticket = open_for(customer_user, f"Řádek {n}", l1_agent)
            ticket.cc.add(contact)  # the user role's visible_to joins CC: make it count

    make(3)
    with django_assert_max_num_queries(7):
        assert client.get("/portal/?state=all&q=radek").status_code == 200
    make(27)
    with django_assert_max_num_queries(7):
        response = client.get("/portal/?state=all&q=radek")
    assert response.status_code == 200
    assert response.content.decode().count('class="portal-ticket ') == 20
