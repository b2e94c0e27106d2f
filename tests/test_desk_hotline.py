"""The hotline: an agent logs a phone call while the customer talks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicedesk.accounts.models import Contact, Organization
from servicedesk.assets.models import ConfigurationItem
from servicedesk.desk import hotline
from servicedesk.tickets import actions
from servicedesk.tickets.models import ArticleKind, Channel, Level, Ticket, TicketType, WorkKind
from servicedesk.tickets.states import State
from tests.conftest import make_contact

HOTLINE = reverse("desk:hotline")
CALLERS = reverse("desk:hotline_callers")
CALLER = reverse("desk:hotline_caller")
ITEMS = reverse("desk:hotline_items")


def call_form(**fields):
    data = {"subject": "Outlook will not start", "type": TicketType.INCIDENT, "impact": "medium", "urgency": "medium"}
    data.update({key: "" if value is None else value for key, value in fields.items()})
    return data


@pytest.fixture
def desk(client, l1_agent):
    client.force_login(l1_agent)
    return client


# --- Who may use it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HOTLINE, CALLERS, CALLER, ITEMS])
def test_anonymous_is_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", [HOTLINE, CALLERS, CALLER, ITEMS])
def test_a_customer_is_refused(client, customer_user, url):
    client.force_login(customer_user.user)
    assert client.get(url, {"q": "601"}).status_code == 403


def test_a_customer_cannot_log_a_call(client, customer_user):
    client.force_login(customer_user.user)
    response = client.post(HOTLINE, call_form(contact=customer_user.pk))
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_the_page_opens_with_the_search_box_focused(desk):
    response = desk.get(HOTLINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="caller-q"' in html
    assert "autofocus" in html.split('id="caller-q"')[1].split(">")[0]
    assert 'hx-trigger="input changed delay:200ms, search"' in html


# --- Finding the caller ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["601234567", "601 234 567", "+420 601 234 567", "+420601234567", "00420 601 234 567", "234 56"],
)
def test_the_caller_is_found_by_phone_in_any_spelling(desk, customer_user, other_customer, typed):
    other_customer.phone = "+420 777 000 111"
    other_customer.save()
    response = desk.get(CALLERS, {"q": typed})
    assert response.status_code == 200
    assert customer_user.name in response.content.decode()
    assert other_customer.name not in response.content.decode()


def test_a_number_stored_without_the_prefix_is_found_by_one_with_it(desk, customer_org):
    Contact.objects.create(organization=customer_org, name="Karel Krátký", phone="602 111 222")
    response = desk.get(CALLERS, {"q": "+420 602 111 222"})
    assert "Karel Krátký" in response.content.decode()


def test_the_caller_is_found_by_email_and_by_name(desk, customer_user, other_customer):
    by_email = desk.get(CALLERS, {"q": "eva@beta"}).content.decode()
    assert other_customer.name in by_email
    assert customer_user.name not in by_email
    by_name = desk.get(CALLERS, {"q": "Jana Čer"}).content.decode()
    assert customer_user.name in by_name
    assert other_customer.name not in by_name


def test_results_show_organization_and_open_ticket_count(desk, l1_agent, customer_user):
    for subject in ("One", "Two", "Three"):
        actions.open_ticket(actor=l1_agent, subject=subject, requester=customer_user)
    done = actions.open_ticket(actor=l1_agent, subject="Done", requester=customer_user)
    actions.resolve(done, actor=l1_agent)
    html = desk.get(CALLERS, {"q": "jana"}).content.decode()
    assert customer_user.organization.name in html
    assert "3 open tickets" in html
    assert f'hx-get="{CALLER}?contact={customer_user.pk}"' in html


def test_inactive_contacts_are_not_offered(desk, customer_user):
    customer_user.active = False
    customer_user.save()
    assert customer_user.name not in desk.get(CALLERS, {"q": "jana"}).content.decode()


def test_nobody_matching_offers_a_new_caller_with_what_was_typed(desk, customer_user):
    html = desk.get(CALLERS, {"q": "777 888 999"}).content.decode()
    assert customer_user.name not in html
    assert "New caller “777 888 999”" in html
    new = desk.get(CALLER, {"new": "1", "q": "777 888 999"}).content.decode()
    assert 'name="new_phone" value="777 888 999"' in new
    assert 'name="contact"' not in new


def test_search_results_cost_the_same_queries_for_3_and_30_contacts(desk, customer_org, django_assert_max_num_queries):
    def make(count, start):
        for n in range(start, start + count):
            Contact.objects.create(organization=customer_org, name=f"Caller {n}", phone=f"+420 600 000 {n:03d}")

    make(3, 0)
    with django_assert_max_num_queries(3):
        assert desk.get(CALLERS, {"q": "600 000"}).status_code == 200
    make(27, 3)
    with django_assert_max_num_queries(3):
        response = desk.get(CALLERS, {"q": "600 000"})
    assert response.content.decode().count('class="caller-option"') == hotline.MAX_CALLERS


def test_picking_the_caller_shows_their_open_tickets_and_their_items(desk, l1_agent, customer_user, server_item):
    mine = actions.open_ticket(actor=l1_agent, subject="Printer jams", requester=customer_user)
    done = actions.open_ticket(actor=l1_agent, subject="Old problem", requester=customer_user)
    actions.resolve(done, actor=l1_agent)
    response = desk.get(CALLER, {"contact": customer_user.pk})
    html = response.content.decode()
    assert f'<input type="hidden" name="contact" value="{customer_user.pk}">' in html
    assert mine.get_absolute_url() in html
    assert "Old problem" not in html
    assert server_item.name in html  # the affected-item choices of the caller's organization
    assert 'id="hotline-item"' in html and 'hx-swap-oob="true"' in html


def test_an_unknown_caller_is_404(desk, db):
    assert desk.get(CALLER, {"contact": 999999}).status_code == 404
    assert desk.get(CALLER, {"contact": "x"}).status_code == 404


def test_items_follow_the_organization_picked_for_a_new_caller(desk, customer_org, other_org, server_item):
    ConfigurationItem.objects.create(organization=other_org, name="BETA-FW")
    html = desk.get(ITEMS, {"new_organization": customer_org.pk}).content.decode()
    assert server_item.name in html and "BETA-FW" not in html


def test_a_plain_get_picks_the_caller_without_javascript(desk, customer_user):
    html = desk.get(HOTLINE, {"contact": customer_user.pk}).content.decode()
    assert f'name="contact" value="{customer_user.pk}"' in html
    html = desk.get(HOTLINE, {"q": "jana"}).content.decode()
    assert f"{HOTLINE}?contact={customer_user.pk}" in html


# --- Saving the call ------------------------------------------------------------------------------------------


def test_a_call_from_a_known_contact_becomes_a_phone_ticket(desk, l1_agent, customer_user, server_item):
    response = desk.post(
        HOTLINE,
        call_form(
            contact=customer_user.pk,
            description="Since this morning.",
            impact=Level.HIGH,
            urgency=Level.HIGH,
            item=server_item.pk,
        ),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.channel == Channel.PHONE
    assert ticket.requester == customer_user
    assert ticket.organization == customer_user.organization
    assert ticket.created_by == l1_agent
    assert ticket.priority == 1
    assert list(ticket.items.all()) == [server_item]
    assert ticket.state == State.NEW
    assert ticket.events.filter(kind="created").exists()
    page = desk.get(response["Location"]).content.decode()
    assert f"Call logged as {ticket.number}." in page


def test_a_call_from_a_new_caller_of_a_new_organization(desk):
    response = desk.post(
        HOTLINE,
        call_form(
            new_name="Hana Nová",
            new_phone="+420 731 555 666",
            new_email="Hana@Gama.cz",
            new_organization_name="Gama Stavby s.r.o.",
        ),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    organization = Organization.objects.get(name="Gama Stavby s.r.o.")
    contact = Contact.objects.get(name="Hana Nová")
    assert (contact.organization, contact.email, contact.phone_digits) == (organization, "hana@gama.cz", "420731555666")
    assert (ticket.requester, ticket.organization, ticket.channel) == (contact, organization, Channel.PHONE)
    # The next call finds her by phone.
    assert "Hana Nová" in desk.get(CALLERS, {"q": "731 555"}).content.decode()


def test_a_new_caller_of_an_existing_organization(desk, customer_org, server_item):
    response = desk.post(HOTLINE, call_form(new_name="Ota Malý", new_organization=customer_org.pk, item=server_item.pk))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.requester.organization == customer_org
    assert list(ticket.items.all()) == [server_item]
    assert Organization.objects.count() == 1


def test_a_new_organization_typed_with_an_existing_name_is_not_duplicated(desk, customer_org):
    desk.post(HOTLINE, call_form(new_name="Ota Malý", new_organization_name="alfa strojírny s.r.o."))
    assert Organization.objects.count() == 1
    assert Contact.objects.get(name="Ota Malý").organization == customer_org


def test_resolved_on_the_spot_logs_the_work_and_the_resolution(desk, l1_agent, customer_user):
    response = desk.post(
        HOTLINE,
        call_form(contact=customer_user.pk, resolved="on", resolution="Restarted Outlook in safe mode.", minutes="7"),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.state == State.RESOLVED
    assert ticket.resolved_at is not None
    entry = ticket.work_log.get()
    assert (entry.minutes, entry.kind, entry.agent) == (7, WorkKind.PHONE, l1_agent)
    reply = ticket.articles.get()
    assert (reply.kind, reply.body) == (ArticleKind.REPLY, "Restarted Outlook in safe mode.")
    assert f"Call logged and resolved as {ticket.number}." in desk.get(response["Location"]).content.decode()


def test_resolved_on_the_spot_asks_for_the_resolution_and_minutes(desk, customer_user):
    response = desk.post(HOTLINE, call_form(contact=customer_user.pk, resolved="on"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say how the problem was resolved." in html
    assert "How many minutes did the call take?" in html
    assert not Ticket.objects.exists()


def test_a_failed_save_keeps_what_was_typed_and_creates_nothing(desk, customer_org):
    response = desk.post(
        HOTLINE,
        call_form(
            subject="",
            description="Keeps what I typed",
            new_name="Hana Nová",
            new_phone="731 555 666",
            new_organization_name="Gama Stavby s.r.o.",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Keeps what I typed" in html
    assert 'value="Hana Nová"' in html and 'value="Gama Stavby s.r.o."' in html
    assert not Ticket.objects.exists()
    assert not Contact.objects.exists()
    assert Organization.objects.count() == 1


def test_a_failed_save_keeps_the_picked_caller(desk, customer_user):
    response = desk.post(HOTLINE, call_form(contact=customer_user.pk, subject=""))
    assert response.status_code == 400
    assert f'name="contact" value="{customer_user.pk}"' in response.content.decode()


def test_a_call_needs_a_caller(desk, db):
    response = desk.post(HOTLINE, call_form())
    assert response.status_code == 400
    assert "Pick the caller from the search, or enter a new caller" in response.content.decode()


def test_an_item_of_another_organization_is_refused(desk, customer_user, other_org):
    foreign = ConfigurationItem.objects.create(organization=other_org, name="BETA-FW")
    response = desk.post(HOTLINE, call_form(contact=customer_user.pk, item=foreign.pk))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_a_refused_action_is_shown_and_rolls_everything_back(desk, customer_org, monkeypatch):
    def refuse(*args, **kwargs):
        raise actions.ActionError("The desk refuses.")

    monkeypatch.setattr(actions, "log_work", refuse)
    response = desk.post(
        HOTLINE,
        call_form(new_name="Hana Nová", new_organization_name="Gama", resolved="on", resolution="Done", minutes="5"),
    )
    assert response.status_code == 400
    assert "The desk refuses." in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Contact.objects.exists()
    assert not Organization.objects.filter(name="Gama").exists()


# --- The domain function ---------------------------------------------------------------------------------------


def test_log_call_leaves_no_caller_behind_when_the_ticket_is_refused(l1_agent, db):
    new = hotline.NewCaller(name="Hana Nová", phone="731 555 666", organization_name="Gama Stavby")
    with pytest.raises(actions.ActionError):
        hotline.log_call(actor=l1_agent, caller=new, call=hotline.Call(subject="   "))
    assert not Contact.objects.exists()
    assert not Organization.objects.exists()
    assert not Ticket.objects.exists()


def test_log_call_with_a_known_contact(l1_agent, customer_user):
    ticket = hotline.log_call(
        actor=l1_agent,
        caller=customer_user,
        call=hotline.Call(subject="VPN", type=TicketType.QUESTION),
        resolution=hotline.SpotResolution(text="Sent the guide.", minutes=3),
    )
    assert (ticket.state, ticket.type, ticket.channel) == (State.RESOLVED, TicketType.QUESTION, Channel.PHONE)
    assert ticket.work_log.get().kind == WorkKind.PHONE


def test_another_agents_caller_search_sees_every_customer(client, resolver, customer_user, other_customer):
    client.force_login(resolver)
    html = client.get(CALLERS, {"q": "601 234"}).content.decode()
    assert customer_user.name in html and other_customer.name in html


def test_a_second_contact_of_the_same_number_is_listed_too(desk, customer_org, customer_user):
    make_contact(customer_org, "Jan Černý", "jan@alfa.cz", login=False)  # same switchboard number
    html = desk.get(CALLERS, {"q": "601 234 567"}).content.decode()
    assert customer_user.name in html and "Jan Černý" in html


def test_caller_search_ignores_case_and_diacritics(customer_user):
    from servicedesk.accounts.models import Contact

    assert list(Contact.objects.matching("černá")) == [customer_user]
    assert list(Contact.objects.matching("CERNA")) == [customer_user]
    assert list(Contact.objects.matching("alfa strojirny")) == [customer_user]
