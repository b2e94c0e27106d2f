"""The desk's home page: an agent's ticket queues, filtered, searched, sorted and paged."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from servicedesk.desk import queues
from servicedesk.lib import clock
from servicedesk.tickets import actions
from servicedesk.tickets.models import Category, Channel, Level, Ticket, TicketType
from servicedesk.tickets.states import State
from tests.conftest import make_agent, make_contact

HOME = reverse("desk:home")


@pytest.fixture
def world(l1_agent, resolver, servers_team, first_level_team, customer_user, other_customer):
    """Tickets in every corner of the desk, all made through the actions, as Lucie (first level) sees them."""
    now = clock.now()

    def open_(subject, **kwargs):
        kwargs.setdefault("requester", customer_user)
        return actions.open_ticket(actor=l1_agent, subject=subject, **kwargs)

    mine = open_("Mine: printer jams")
    actions.take(mine, actor=l1_agent)
    waiting = open_("Mine, waiting: VPN token", impact=Level.HIGH, urgency=Level.HIGH)
    actions.take(waiting, actor=l1_agent)
    actions.transition(waiting, actor=l1_agent, to_state=State.WAITING_CUSTOMER)
    team_unassigned = open_("Team, unassigned: new laptop", type=TicketType.SERVICE_REQUEST, channel=Channel.EMAIL)
    servers = open_("Servers, assigned: disk full", requester=other_customer)
    actions.escalate(servers, actor=l1_agent, team=servers_team, reason="Needs a server admin", agent=resolver)
    servers_unassigned = open_("Servers, unassigned: backup failed")
    actions.escalate(servers_unassigned, actor=l1_agent, team=servers_team, reason="Backups are theirs")
    resolved = open_("Resolved yesterday: password reset")
    actions.take(resolved, actor=l1_agent)  # once mine, but no longer open
    with clock.frozen_at(now - dt.timedelta(days=1)):
        actions.resolve(resolved, actor=l1_agent)
    closed = open_("Closed today: monitor flicker")
    actions.resolve(closed, actor=l1_agent)
    actions.transition(closed, actor=l1_agent, to_state=State.CLOSED)
    old = open_("Resolved long ago: mouse")
    with clock.frozen_at(now - dt.timedelta(days=10)):
        actions.resolve(old, actor=l1_agent)
    cancelled = open_("Cancelled: duplicate")
    actions.transition(cancelled, actor=l1_agent, to_state=State.CANCELLED)
    return {
        "mine": mine,
        "waiting": waiting,
        "team_unassigned": team_unassigned,
        "servers": servers,
        "servers_unassigned": servers_unassigned,
        "resolved": resolved,
        "closed": closed,
        "old": old,
        "cancelled": cancelled,
    }


def listed(client, **params) -> set[str]:
    response = client.get(HOME, params)
    assert response.status_code == 200
    return {ticket.subject for ticket in response.context["page"].object_list}


def ordered(client, **params) -> list[str]:
    response = client.get(HOME, params)
    assert response.status_code == 200
    return [ticket.subject for ticket in response.context["page"].object_list]


def subjects(world, *keys) -> set[str]:
    return {world[key].subject for key in keys}


# --- Who may look ---------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_customer_gets_403(client, customer_manager):
    client.force_login(customer_manager.user)
    assert client.get(HOME).status_code == 403


# --- What each queue holds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("mine", {"mine", "waiting"}),
        ("team", {"mine", "waiting", "team_unassigned"}),
        ("unassigned", {"team_unassigned", "servers_unassigned"}),
        ("open", {"mine", "waiting", "team_unassigned", "servers", "servers_unassigned"}),
        ("waiting", {"waiting"}),
        ("resolved", {"resolved", "closed"}),
    ],
)
def test_each_queue_holds_exactly_its_tickets(client, world, l1_agent, queue, expected):
    client.force_login(l1_agent)
    assert listed(client, queue=queue) == subjects(world, *expected)


def test_my_teams_queue_is_the_teams_i_am_in(client, world, resolver):
    client.force_login(resolver)
    assert listed(client, queue="team") == subjects(world, "servers", "servers_unassigned")
    assert listed(client, queue="mine") == subjects(world, "servers")


def test_counts_of_every_queue_match_the_lists(client, world, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME)
    counts = {queue.slug: count for queue, count in response.context["queues"]}
    assert counts == {"mine": 2, "team": 3, "unassigned": 2, "open": 5, "waiting": 1, "resolved": 2, "breaching": 0}
    html = response.content.decode()
    assert 'data-queue="open"' in html
    assert 'data-count="5"' in html


def test_counts_are_one_query(world, l1_agent, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = queues.queue_counts(Ticket.objects.all(), l1_agent, clock.now())
    assert counts["open"] == 5


def test_default_queue_is_mine_when_i_have_open_tickets(client, world, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME)
    assert response.context["current"].slug == "mine"
    assert 'aria-current="page"' in response.content.decode()


def test_default_queue_is_my_teams_when_nothing_is_mine(client, world, servers_team):
    newcomer = make_agent("nina", "Nina", "Nová", servers_team)
    client.force_login(newcomer)
    response = client.get(HOME)
    assert response.context["current"].slug == "team"
    assert {t.subject for t in response.context["page"].object_list} == subjects(world, "servers", "servers_unassigned")


def test_unknown_queue_falls_back_to_the_default(client, world, l1_agent):
    client.force_login(l1_agent)
    assert listed(client, queue="nonsense") == subjects(world, "mine", "waiting")


# --- Filters ------------------------------------------------------------------------------------------------


def test_filters_narrow_any_queue(client, world, l1_agent, resolver, other_org, first_level_team):
    client.force_login(l1_agent)
    assert listed(client, queue="open", priority="1") == subjects(world, "waiting")
    assert listed(client, queue="mine", state=State.WAITING_CUSTOMER) == subjects(world, "waiting")
    assert listed(client, queue="open", team=str(first_level_team.pk)) == subjects(
        world, "mine", "waiting", "team_unassigned"
    )
    assert listed(client, queue="open", agent=str(resolver.pk)) == subjects(world, "servers")
    assert listed(client, queue="open", agent="none") == subjects(world, "team_unassigned", "servers_unassigned")
    assert listed(client, queue="open", organization=str(other_org.pk)) == subjects(world, "servers")
    assert listed(client, queue="open", type=TicketType.SERVICE_REQUEST) == subjects(world, "team_unassigned")
    assert listed(client, queue="open", channel=Channel.EMAIL) == subjects(world, "team_unassigned")
    assert listed(client, queue="resolved", priority="1") == set()


def test_filters_combine(client, world, l1_agent, first_level_team):
    client.force_login(l1_agent)
    assert listed(client, queue="open", team=str(first_level_team.pk), agent="none") == subjects(
        world, "team_unassigned"
    )


def test_category_filter(client, world, l1_agent, customer_user):
    printers = Category.objects.create(slug="printers", name_cs="Tiskárny", name_en="Printers")
    in_category = actions.open_ticket(actor=l1_agent, subject="Toner empty", category=printers, requester=customer_user)
    client.force_login(l1_agent)
    assert listed(client, queue="open", category=str(printers.pk)) == {in_category.subject}


@pytest.mark.parametrize(
    "params",
    [
        {"priority": "abc"},
        {"priority": "9"},
        {"state": "on_fire"},
        {"team": "999999"},
        {"agent": "x"},
        {"organization": "-1"},
        {"category": "1 OR 1=1"},
        {"type": "<script>"},
        {"channel": ""},
        {"sort": "password"},
        {"sort": "--number"},
        {"page": "abc"},
        {"page": "999"},
        {"page": "-3"},
    ],
)
def test_invalid_parameters_are_ignored_not_errors(client, world, l1_agent, params):
    client.force_login(l1_agent)
    assert listed(client, queue="open", **params) == subjects(
        world, "mine", "waiting", "team_unassigned", "servers", "servers_unassigned"
    )


def test_selected_filters_are_shown_in_the_form(client, world, l1_agent):
    client.force_login(l1_agent)
    html = client.get(HOME, {"queue": "open", "priority": "2", "q": "vpn"}).content.decode()
    assert '<option value="2" selected>' in html
    assert 'value="vpn"' in html


# --- Search -----------------------------------------------------------------------------------------------


def test_search_looks_through_all_tickets_not_only_the_queue(client, world, l1_agent):
    client.force_login(l1_agent)
    assert listed(client, queue="mine", q="password") == subjects(world, "resolved")
    assert listed(client, queue="mine", q="mouse") == subjects(world, "old")


def test_search_combines_with_filters(client, world, l1_agent):
    client.force_login(l1_agent)
    assert listed(client, q="unassigned") == subjects(world, "team_unassigned", "servers_unassigned")
    assert listed(client, q="unassigned", type=TicketType.SERVICE_REQUEST) == subjects(world, "team_unassigned")


def test_search_by_number(client, world, l1_agent):
    client.force_login(l1_agent)
    assert listed(client, q=world["servers"].number) == subjects(world, "servers")


# --- Sorting ------------------------------------------------------------------------------------------------


def test_sort_by_each_column_both_ways(client, world, l1_agent):
    client.force_login(l1_agent)
    by_subject = ordered(client, queue="open", sort="subject")
    assert by_subject == sorted(by_subject)
    assert ordered(client, queue="open", sort="-subject") == list(reversed(by_subject))
    numbers = [world[k].number for k in ("mine", "waiting", "team_unassigned", "servers", "servers_unassigned")]
    response = client.get(HOME, {"queue": "open", "sort": "-number"})
    assert [t.number for t in response.context["page"].object_list] == sorted(numbers, reverse=True)
    assert ordered(client, queue="open", sort="priority")[0] == world["waiting"].subject  # P1 first
    assert ordered(client, queue="open", sort="-priority")[-1] == world["waiting"].subject
    assert ordered(client, queue="open", sort="created")[0] == world["mine"].subject
    assert ordered(client, queue="open", sort="-created")[0] == world["servers_unassigned"].subject


def test_states_sort_in_lifecycle_order(client, world, l1_agent):
    client.force_login(l1_agent)
    states = [t.state for t in client.get(HOME, {"queue": "open", "sort": "state"}).context["page"].object_list]
    lifecycle = list(State.values)
    assert states == sorted(states, key=lifecycle.index)
    assert states[0] == State.NEW
    assert states[-1] == State.WAITING_CUSTOMER


def test_recently_updated_first_by_default(client, world, l1_agent):
    client.force_login(l1_agent)
    actions.add_article(world["team_unassigned"], actor=l1_agent, body="Ordered from the vendor.")
    assert ordered(client, queue="open")[0] == world["team_unassigned"].subject
    assert ordered(client, queue="open", sort="updated")[-1] == world["team_unassigned"].subject


def test_column_headers_flip_the_sort_and_keep_filters(client, world, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME, {"queue": "open", "priority": "3", "sort": "subject", "page": "1"})
    columns = response.context["columns"]
    assert columns["subject"]["link"] == "-subject"
    assert columns["subject"]["aria_sort"] == "ascending"
    assert columns["number"]["link"] == "number"
    html = response.content.decode()
    assert 'href="?queue=open&amp;priority=3&amp;sort=-subject"' in html
    assert 'aria-sort="ascending"' in html


def test_sort_parsing():
    assert queues.parse_sort("-priority") == queues.Sort("priority", True)
    assert queues.parse_sort("state") == queues.Sort("state", False)
    assert queues.parse_sort("bogus") == queues.parse_sort(queues.DEFAULT_SORT)
    assert queues.parse_sort(None).param == queues.DEFAULT_SORT
    assert queues.Sort("number", False).toggled_for("number") == "-number"
    assert queues.Sort("number", True).toggled_for("number") == "number"
    assert queues.Sort("number", True).toggled_for("subject") == "subject"


# --- Pages --------------------------------------------------------------------------------------------------


@pytest.fixture
def many(l1_agent, customer_user):
    return [
        actions.open_ticket(actor=l1_agent, subject=f"Bulk {n:02d}", requester=customer_user)
        for n in range(queues.PAGE_SIZE + 5)
    ]


def test_fifty_rows_a_page_and_page_links_keep_filters(client, many, l1_agent):
    client.force_login(l1_agent)
    first = client.get(HOME, {"queue": "unassigned", "priority": "3", "sort": "subject"})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 55
    html = first.content.decode()
    assert "Page 1 of 2" in html
    next_link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    query = parse_qs(urlsplit(next_link.replace("&amp;", "&")).query)
    assert query == {"queue": ["unassigned"], "priority": ["3"], "sort": ["subject"], "page": ["2"]}
    second = client.get(HOME, {"queue": "unassigned", "priority": "3", "sort": "subject", "page": "2"})
    assert [t.subject for t in second.context["page"].object_list] == [f"Bulk {n:02d}" for n in range(50, 55)]


def test_page_beyond_the_end_shows_the_last_page(client, many, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME, {"queue": "unassigned", "page": "999"})
    assert response.context["page"].number == 2


# --- Rows -------------------------------------------------------------------------------------------------


def test_rows_show_what_agents_need(client, world, l1_agent, resolver):
    client.force_login(l1_agent)
    html = client.get(HOME, {"queue": "open"}).content.decode()
    servers = world["servers"]
    assert f'<a href="{servers.get_absolute_url()}">{servers.number}</a>' in html
    assert "Beta Logistika a.s." in html  # organization
    assert "Eva Malá" in html  # requester
    assert "Radek Novák" in html  # agent
    assert "Servers" in html  # team
    assert 'class="badge prio-1"' in html
    assert "Waiting for customer" in html
    assert 'class="hide-narrow"' in html
    assert 'tabindex="0"' in html
    assert "queue.js" in html
    assert "<time datetime=" in html


def test_query_count_does_not_grow_with_rows(client, l1_agent, django_assert_max_num_queries):
    """Three tickets or forty, with distinct organizations, requesters, teams and agents: the same queries."""
    from servicedesk.accounts.models import Organization, Team

    client.force_login(l1_agent)
    made = 0
    for rows in (3, 40):
        while made < rows:
            org = Organization.objects.create(name=f"Org {made}")
            contact = make_contact(org, f"Person {made}", f"p{made}@org{made}.cz", login=False)
            team = Team.objects.create(name=f"Team {made}", slug=f"team-{made}")
            agent = make_agent(f"agent{made}", "Agent", str(made), team)
            ticket = actions.open_ticket(actor=l1_agent, subject=f"Row {made}", requester=contact, team=team)
            actions.assign(ticket, actor=l1_agent, agent=agent)
            made += 1
        with django_assert_max_num_queries(10):
            response = client.get(HOME, {"queue": "open"})
        assert len(response.context["page"].object_list) == rows


# --- htmx -----------------------------------------------------------------------------------------------------


def test_htmx_filter_request_returns_only_the_table(client, world, l1_agent):
    client.force_login(l1_agent)
    response = client.get(
        HOME, {"queue": "open", "priority": "1"}, headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="queue-filters"' not in html  # the form stays as it is in the page
    assert world["waiting"].number in html
    assert world["mine"].number not in html
    assert 'name="sort"' in html and 'form="queue-filters"' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_queue_switch_returns_the_queue_area(client, world, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME, {"queue": "waiting"}, headers={"HX-Request": "true", "HX-Target": "queue-main"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="queue-main"' in html
    assert 'id="queue-filters"' in html
    assert world["waiting"].number in html


def test_full_load_of_the_same_url_renders_the_same_state(client, world, l1_agent):
    client.force_login(l1_agent)
    params = {"queue": "open", "priority": "1", "sort": "-subject"}
    partial = client.get(HOME, params, headers={"HX-Request": "true", "HX-Target": "queue-results"})
    full = client.get(HOME, params)
    assert "<html" in full.content.decode()
    assert [t.pk for t in partial.context["page"].object_list] == [t.pk for t in full.context["page"].object_list]
    assert '<option value="1" selected>' in full.content.decode()


def test_history_restore_gets_the_full_page(client, world, l1_agent):
    client.force_login(l1_agent)
    response = client.get(HOME, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


# --- Empty states -------------------------------------------------------------------------------------------


def test_empty_queue_says_so(client, l1_agent):
    client.force_login(l1_agent)
    html = client.get(HOME, {"queue": "waiting"}).content.decode()
    assert "No tickets in this queue." in html
    assert "Clear filters" not in html


def test_empty_filtered_queue_offers_to_clear_filters(client, world, l1_agent):
    client.force_login(l1_agent)
    html = client.get(HOME, {"queue": "waiting", "priority": "4"}).content.decode()
    assert "No tickets in this queue." in html
    assert 'href="?queue=waiting"' in html
    assert "Clear filters" in html


def test_search_without_hits_says_so(client, world, l1_agent):
    client.force_login(l1_agent)
    html = client.get(HOME, {"q": "zzzyx"}).content.decode()
    assert "No tickets match your search." in html
