"""The customer's ticket page: what it shows, and each write (reply, confirm, reopen, rate) through its form,
with and without htmx. Each write goes through the actions and leaves its event in the history."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.portal.models import SatisfactionRating
from servicedesk.tickets import actions
from servicedesk.tickets.files import UploadedFile
from servicedesk.tickets.models import Article, ArticleKind, Channel, EventKind, Ticket, TicketEvent, WorkKind
from servicedesk.tickets.states import State

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def jana(client, customer_user):
    client.force_login(customer_user.user)
    return client


def url(ticket: Ticket, write: str = "") -> str:
    return f"/portal/tickets/{ticket.number}/{write + '/' if write else ''}"


def refreshed(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def kinds(ticket: Ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


# --- What the page shows --------------------------------------------------------------------------------------


def test_page_shows_public_replies_steps_and_time_but_no_internal_text(jana, ticket, l1_agent):
    actions.add_article(ticket, actor=l1_agent, body="We are sending a technician.")
    actions.add_article(ticket, actor=l1_agent, body="Customer is grumpy", kind=ArticleKind.NOTE)
    actions.escalate(
        ticket,
        actor=l1_agent,
        team=ticket.team.__class__.objects.create(name="Printer squad", slug="printers"),
        reason="Escalation reason nobody outside reads",
    )
    actions.transition(ticket, actor=l1_agent, to_state=State.IN_PROGRESS, reason="Reason typed for colleagues")
    actions.log_work(ticket, actor=l1_agent, minutes=45, kind=WorkKind.REMOTE, note="work note for the desk")
    actions.log_work(ticket, actor=l1_agent, minutes=90, kind=WorkKind.ONSITE)
    actions.log_work(ticket, actor=l1_agent, minutes=15, kind=WorkKind.REMOTE)
    html = jana.get(url(ticket)).content.decode()
    assert "We are sending a technician." in html
    assert "Printer in accounting prints blank pages." in html  # the description
    for internal in [
        "Customer is grumpy",
        "Escalation reason",
        "Reason typed for colleagues",
        "work note",
        "Printer squad",
    ]:
        assert internal not in html
    assert "Ticket received" in html
    assert "We are working on it" in html  # the state, in the customer's words
    assert "1:00" in html  # remote: 45 + 15 minutes
    assert "1:30" in html  # on site
    assert "2:30" in html  # total


def test_status_history_lists_only_public_events(jana, ticket, l1_agent, servers_team):
    actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="needs a server admin")
    actions.take(ticket, actor=l1_agent)
    html = jana.get(url(ticket)).content.decode()
    steps = html.split('class="steps"')[1].split("</ol>")[0]
    assert steps.count("<li>") == TicketEvent.objects.filter(ticket=ticket, is_public=True).count()
    assert "Servers" not in steps and "Lucie" not in steps


# --- Reply --------------------------------------------------------------------------------------------------------


def test_reply_with_attachment(jana, ticket, customer_user):
    response = jana.post(
        url(ticket, "reply"),
        {"body": "Restarted, still blank.", "attachments": [SimpleUploadedFile("photo.png", b"\x89PNG fake")]},
    )
    assert response.status_code == 302
    assert response["Location"] == url(ticket)
    article = Article.objects.get(body="Restarted, still blank.")
    assert article.kind == ArticleKind.REPLY
    assert article.author == customer_user.user
    assert article.author_contact == customer_user
    assert article.channel == Channel.WEB
    assert [a.filename for a in article.attachments.all()] == ["photo.png"]
    assert EventKind.REPLY_ADDED in kinds(ticket)
    html = jana.get(url(ticket)).content.decode()
    assert "Restarted, still blank." in html
    assert article.attachments.get().get_absolute_url() in html


def test_reply_without_reload_answers_the_page_body(jana, ticket):
    response = jana.post(url(ticket, "reply"), {"body": "Přes htmx"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-main"')
    assert "Přes htmx" in html
    assert "Your reply was sent." in html


def test_a_reply_on_a_ticket_waiting_for_the_customer_moves_it_back(jana, ticket, l1_agent):
    actions.take(ticket, actor=l1_agent)
    actions.transition(ticket, actor=l1_agent, to_state=State.WAITING_CUSTOMER)
    jana.post(url(ticket, "reply"), {"body": "Here is the serial number."})
    assert refreshed(ticket).state == State.IN_PROGRESS
    assert kinds(ticket)[-2:] == [EventKind.REPLY_ADDED, EventKind.STATE_CHANGED]


def test_a_reply_on_a_ticket_in_progress_leaves_the_state(jana, ticket, l1_agent):
    actions.take(ticket, actor=l1_agent)
    jana.post(url(ticket, "reply"), {"body": "Any news?"})
    assert refreshed(ticket).state == State.ASSIGNED


def test_an_empty_reply_is_refused(jana, ticket):
    response = jana.post(url(ticket, "reply"), {"body": "  "})
    assert response.status_code == 400
    assert "Write something or attach a file." in response.content.decode()
    assert not Article.objects.exists()


def test_a_reply_on_a_closed_ticket_is_refused_and_the_text_kept(jana, ticket, l1_agent):
    actions.resolve(ticket, actor=l1_agent)
    actions.transition(ticket, actor=l1_agent, to_state=State.CLOSED)
    response = jana.post(url(ticket, "reply"), {"body": "Late thought"}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This ticket is closed" in html
    assert not Article.objects.filter(body="Late thought").exists()


def test_a_too_large_attachment_is_refused_and_the_text_kept(jana, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = jana.post(
        url(ticket, "reply"), {"body": "My long text", "attachments": [SimpleUploadedFile("big.bin", b"x" * 50)]}
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "My long text" in html
    assert "too large" in html
    assert not Article.objects.exists()


# --- Confirm and reopen -------------------------------------------------------------------------------------------


def test_confirming_the_resolution_closes_the_ticket(jana, ticket, l1_agent):
    actions.resolve(ticket, actor=l1_agent, resolution="Toner replaced.")
    assert "Is the problem solved?" in jana.get(url(ticket)).content.decode()
    response = jana.post(url(ticket, "confirm"))
    assert response.status_code == 302
    ticket = refreshed(ticket)
    assert ticket.state == State.CLOSED
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATE_CHANGED).last()
    assert event is not None and event.new_value == State.CLOSED and event.actor == jana_user(ticket)


def jana_user(ticket: Ticket):
    return ticket.requester.user


def test_confirm_is_refused_unless_resolved(jana, ticket):
    response = jana.post(url(ticket, "confirm"))
    assert response.status_code == 409
    assert refreshed(ticket).state == State.NEW


def test_reopen_a_resolved_ticket_with_a_message(jana, ticket, l1_agent):
    actions.resolve(ticket, actor=l1_agent)
    response = jana.post(url(ticket, "reopen"), {"body": "Blank pages again."}, **HTMX)
    assert response.status_code == 200
    assert refreshed(ticket).state == State.IN_PROGRESS
    assert EventKind.REOPENED in kinds(ticket)
    assert Article.objects.filter(body="Blank pages again.", kind=ArticleKind.REPLY).exists()


def test_reopen_window(jana, ticket, l1_agent, settings):
    settings.REOPEN_WINDOW_DAYS = 14
    start = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        actions.resolve(ticket, actor=l1_agent)
        actions.transition(ticket, actor=l1_agent, to_state=State.CLOSED)
    with time_machine.travel(start + dt.timedelta(days=15), tick=False):
        html = jana.get(url(ticket)).content.decode()
        assert "closed too long ago" in html
        assert url(ticket, "reopen") not in html
        response = jana.post(url(ticket, "reopen"), {"body": "Again!"})
        assert response.status_code == 409
        assert "cannot be reopened" in response.content.decode()
        assert refreshed(ticket).state == State.CLOSED
        assert not Article.objects.filter(body="Again!").exists()
    with time_machine.travel(start + dt.timedelta(days=13), tick=False):
        assert url(ticket, "reopen") in jana.get(url(ticket)).content.decode()
        assert jana.post(url(ticket, "reopen"), {"body": ""}).status_code == 302
        assert refreshed(ticket).state == State.IN_PROGRESS


def test_an_open_ticket_cannot_be_reopened(jana, ticket):
    assert jana.post(url(ticket, "reopen")).status_code == 409
    assert refreshed(ticket).state == State.NEW


# --- Rating -------------------------------------------------------------------------------------------------------


def test_rating_is_stored_and_can_be_changed(jana, ticket, l1_agent, customer_user):
    actions.resolve(ticket, actor=l1_agent)
    response = jana.post(url(ticket, "rate"), {"score": "4", "comment": "Quick, thanks."})
    assert response.status_code == 302
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment, rating.contact) == (4, "Quick, thanks.", customer_user)
    first_rated_at = rating.created_at
    jana.post(url(ticket, "confirm"))  # a closed ticket can still be rated again
    response = jana.post(url(ticket, "rate"), {"score": "5", "comment": "Works perfectly now."}, **HTMX)
    assert response.status_code == 200
    assert "5 of 5" in response.content.decode()
    rating = SatisfactionRating.objects.get(ticket=ticket)  # still one
    assert (rating.score, rating.comment) == (5, "Works perfectly now.")
    assert rating.created_at == first_rated_at and rating.updated_at >= first_rated_at
    rated = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.RATED)
    assert [(e.old_value, e.new_value) for e in rated] == [("", "4"), ("4", "5")]
    assert rated.last().actor == customer_user.user


def test_agents_see_the_rating_in_the_desk_history(jana, ticket, l1_agent):
    actions.resolve(ticket, actor=l1_agent)
    jana.post(url(ticket, "rate"), {"score": "2", "comment": "Took three days."})
    jana.force_login(l1_agent)
    html = jana.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Resolution rated" in html
    assert "Took three days." in html


def test_a_manager_rates_a_colleagues_ticket_in_their_own_name(client, ticket, l1_agent, customer_manager):
    actions.resolve(ticket, actor=l1_agent)
    client.force_login(customer_manager.user)
    client.post(url(ticket, "rate"), {"score": "3"})
    assert SatisfactionRating.objects.get(ticket=ticket).contact == customer_manager


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_a_score_outside_1_to_5_is_refused(jana, ticket, l1_agent, score):
    actions.resolve(ticket, actor=l1_agent)
    response = jana.post(url(ticket, "rate"), {"score": score, "comment": "kept"})
    assert response.status_code == 400
    assert "kept" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_an_unresolved_ticket_cannot_be_rated(jana, ticket):
    assert url(ticket, "rate") not in jana.get(url(ticket)).content.decode()
    response = jana.post(url(ticket, "rate"), {"score": "5"})
    assert response.status_code == 400
    assert "Only a resolved ticket can be rated." in response.content.decode()
    assert not SatisfactionRating.objects.exists()
    assert EventKind.RATED not in kinds(ticket)


# --- Reading never writes; GET never changes state ------------------------------------------------------------------


def test_writes_refuse_get(jana, ticket):
    for write in ["reply", "confirm", "reopen", "rate"]:
        assert jana.get(url(ticket, write)).status_code == 405


def test_ticket_page_query_count_does_not_grow_with_history(jana, ticket, l1_agent, django_assert_max_num_queries):
    def grow(count: int) -> None:
        for n in range(count):
            actions.add_article(ticket, actor=l1_agent, body=f"Reply {n}", files=[UploadedFile(f"f{n}.txt", b"x")])
            actions.log_work(ticket, actor=l1_agent, minutes=5)

    grow(3)
    with django_assert_max_num_queries(12):
        assert jana.get(url(ticket)).status_code == 200
    grow(27)
    with django_assert_max_num_queries(12):
        response = jana.get(url(ticket))
    assert response.content.decode().count("Reply ") >= 30
