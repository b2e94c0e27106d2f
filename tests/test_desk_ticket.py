"""The agent's ticket page: what it shows, and every action through its own form, with and without htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.accounts.models import Team
from servicedesk.tickets import actions
from servicedesk.tickets.models import (
    Article,
    Attachment,
    Blob,
    EventKind,
    Ticket,
    TicketEvent,
    WorkLogEntry,
)
from servicedesk.tickets.states import State

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def agent_client(client, l1_agent):
    client.force_login(l1_agent)
    return client


def url(ticket: Ticket, action: str = "") -> str:
    base = f"/tickets/{ticket.number}/"
    return f"{base}{action}/" if action else base


def events(ticket: Ticket, kind: str) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind))


def refreshed(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- Who may see it -----------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, ticket):
    response = client.get(url(ticket))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    response = client.post(url(ticket, "reply"), {"body": "hello"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Article.objects.exists()


def test_customer_gets_403_even_for_their_own_ticket(client, customer_user, ticket):
    client.force_login(customer_user.user)
    assert client.get(url(ticket)).status_code == 403
    assert client.post(url(ticket, "reply"), {"body": "hello"}).status_code == 403
    assert client.get("/tickets/new/").status_code == 403
    assert not Article.objects.exists()


def test_unknown_number_is_404(agent_client, ticket):
    assert agent_client.get("/tickets/2000-999999/").status_code == 404
    assert agent_client.post("/tickets/2000-999999/note/", {"body": "x"}).status_code == 404


def test_actions_accept_only_post(agent_client, ticket):
    assert agent_client.get(url(ticket, "take")).status_code == 405
    assert refreshed(ticket).assigned_to is None


# --- What the page shows --------------------------------------------------------------------------------------


def test_page_shows_the_header(agent_client, ticket, customer_org, customer_user, server_item, l1_agent):
    actions.update_fields(ticket, actor=l1_agent, tags=["printer", "vip"])
    ticket.items.add(server_item)
    response = agent_client.get(url(ticket))
    assert response.status_code == 200
    html = response.content.decode()
    assert ticket.number in html
    assert "Tiskárna v účtárně netiskne" in html
    assert 'data-state="new"' in html and ">New<" in html
    assert "P3 – normal" in html
    assert "Phone" in html  # channel
    assert f'href="/customers/{customer_org.pk}/"' in html
    assert "Jana Černá" in html
    assert "Servicedesk" in html  # the first-level team holds it
    assert "SRV-DC01" in html
    assert "vip" in html


def test_public_reply_and_internal_note_look_different(agent_client, ticket, l1_agent):
    actions.add_article(ticket, actor=l1_agent, body="We are on it.", kind="reply")
    actions.add_article(ticket, actor=l1_agent, body="Toner is empty, order one.", kind="note")
    html = agent_client.get(url(ticket)).content.decode()
    assert 'class="entry article article-reply"' in html
    assert 'class="entry article article-note"' in html
    assert html.index("We are on it.") < html.index("Toner is empty")  # oldest first


def test_events_show_actor_labels_and_old_to_new(agent_client, ticket, l1_agent):
    actions.transition(ticket, actor=l1_agent, to_state=State.IN_PROGRESS, reason="Calling the customer")
    html = agent_client.get(url(ticket)).content.decode()
    assert "State changed" in html
    assert '<span class="old">New</span>' in html
    assert '<span class="new">In progress</span>' in html
    assert "Calling the customer" in html
    assert "Lucie Dvořáková" in html


def test_page_query_count_does_not_grow_with_history(agent_client, ticket, l1_agent, django_assert_max_num_queries):
    from servicedesk.tickets.files import UploadedFile

    def add(count: int) -> None:
        for index in range(count):
            actions.add_article(
                ticket, actor=l1_agent, body=f"message {index}", files=[UploadedFile(f"f{index}.txt", b"x%d" % index)]
            )
            actions.log_work(ticket, actor=l1_agent, minutes=5)
            actions.update_fields(ticket, actor=l1_agent, subject=f"Subject {index}")

    add(3)
    with django_assert_max_num_queries(40) as few:
        assert agent_client.get(url(ticket)).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = agent_client.get(url(ticket))
    assert response.content.decode().count('class="entry article article-reply"') == 30


# --- Actions ------------------------------------------------------------------------------------------------


def test_public_reply_with_several_attachments(agent_client, ticket):
    files = [SimpleUploadedFile("a.txt", b"first"), SimpleUploadedFile("b.txt", b"second")]
    response = agent_client.post(url(ticket, "reply"), {"body": "Here you go", "attachments": files})
    assert response.status_code == 302
    assert response["Location"] == url(ticket)
    article = Article.objects.get(ticket=ticket)
    assert (article.kind, article.body) == ("reply", "Here you go")
    assert sorted(article.attachments.values_list("filename", flat=True)) == ["a.txt", "b.txt"]
    assert len(events(ticket, EventKind.REPLY_ADDED)) == 1
    page = agent_client.get(response["Location"]).content.decode()
    assert "The reply was sent." in page
    for attachment in article.attachments.all():
        assert f'href="{attachment.get_absolute_url()}"' in page


def test_internal_note(agent_client, ticket):
    response = agent_client.post(url(ticket, "note"), {"body": "Only for us"})
    assert response.status_code == 302
    assert Article.objects.get(ticket=ticket).kind == "note"
    assert len(events(ticket, EventKind.NOTE_ADDED)) == 1


def test_empty_reply_is_refused_with_400(agent_client, ticket):
    response = agent_client.post(url(ticket, "reply"), {"body": "  "})
    assert response.status_code == 400
    assert "Write something or attach a file." in response.content.decode()
    assert not Article.objects.exists()


def test_log_work_and_totals(agent_client, ticket, l1_agent):
    actions.log_work(ticket, actor=l1_agent, minutes=15, kind="phone", billable=False)
    response = agent_client.post(
        url(ticket, "work"),
        {"minutes": "30", "kind": "remote", "billable": "on", "note": "Driver reinstalled", "date": "2026-03-02"},
    )
    assert response.status_code == 302
    entry = WorkLogEntry.objects.get(ticket=ticket, kind="remote")
    assert (entry.minutes, entry.billable, entry.note, entry.date) == (
        30,
        True,
        "Driver reinstalled",
        dt.date(2026, 3, 2),
    )
    assert len(events(ticket, EventKind.WORK_LOGGED)) == 2
    page = agent_client.get(url(ticket)).content.decode()
    assert '<dd class="work-total">45 min</dd>' in page
    assert '<dd class="work-billable">30 min</dd>' in page
    assert "Driver reinstalled" in page


def test_work_with_bad_minutes_is_a_form_error(agent_client, ticket):
    response = agent_client.post(url(ticket, "work"), {"minutes": "0", "kind": "remote", "date": "2026-03-02"})
    assert response.status_code == 400
    assert not WorkLogEntry.objects.exists()


def test_change_state_offers_only_allowed_targets(agent_client, ticket):
    html = agent_client.get(url(ticket)).content.decode()
    state_form = html[html.index('id="form-state"') :]
    state_form = state_form[: state_form.index("</form>")]
    assert 'value="in_progress"' in state_form
    assert 'value="cancelled"' in state_form
    assert 'value="assigned"' not in state_form  # reached by assigning an agent
    assert 'value="waiting_customer"' not in state_form  # not from "new"

    response = agent_client.post(url(ticket, "state"), {"to_state": "in_progress", "reason": "Looking at it"})
    assert response.status_code == 302
    assert refreshed(ticket).state == State.IN_PROGRESS
    (event,) = events(ticket, EventKind.STATE_CHANGED)
    assert (event.old_value, event.new_value, event.note) == ("new", "in_progress", "Looking at it")


def test_illegal_transition_is_409_and_changes_nothing(agent_client, ticket):
    before = TicketEvent.objects.count()
    response = agent_client.post(url(ticket, "state"), {"to_state": "waiting_customer", "reason": "Asked for logs"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "cannot go from “New” to “Waiting for customer”" in html
    assert "Asked for logs" in html  # what was typed stays
    assert refreshed(ticket).state == State.NEW
    assert TicketEvent.objects.count() == before


def test_illegal_transition_over_htmx_returns_the_form_with_the_error(agent_client, ticket):
    response = agent_client.post(url(ticket, "state"), {"to_state": "closed", "reason": "done?"}, **HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#form-state"
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="form-state"')
    assert "done?" in html and "cannot go from" in html
    assert refreshed(ticket).state == State.NEW


def test_take_assigns_to_me(agent_client, ticket, l1_agent):
    response = agent_client.post(url(ticket, "take"))
    assert response.status_code == 302
    ticket = refreshed(ticket)
    assert ticket.assigned_to == l1_agent
    assert ticket.state == State.ASSIGNED
    (event,) = events(ticket, EventKind.ASSIGNED)
    assert event.new_value == "Lucie Dvořáková"


def test_take_button_has_accesskey_and_forms_have_theirs(agent_client, ticket):
    html = agent_client.get(url(ticket)).content.decode()
    assert 'accesskey="t"' in html
    assert 'accesskey="r"' in html
    assert 'accesskey="n"' in html
    assert "autofocus" in html


def test_assign_to_an_agent(agent_client, ticket, resolver):
    response = agent_client.post(url(ticket, "assign"), {"agent": resolver.pk})
    assert response.status_code == 302
    assert refreshed(ticket).assigned_to == resolver
    assert len(events(ticket, EventKind.ASSIGNED)) == 1


def test_escalate_to_a_team_with_a_reason_and_agent(agent_client, ticket, servers_team, resolver):
    response = agent_client.post(
        url(ticket, "escalate"), {"team": servers_team.pk, "reason": "Server side", "agent": resolver.pk}
    )
    assert response.status_code == 302
    ticket = refreshed(ticket)
    assert (ticket.team, ticket.assigned_to) == (servers_team, resolver)
    (event,) = events(ticket, EventKind.ESCALATED)
    assert (event.old_value, event.new_value, event.note) == ("Servicedesk", "Servers", "Server side")


def test_escalate_to_an_agent_outside_the_team_is_400(agent_client, ticket, network_team, resolver):
    response = agent_client.post(
        url(ticket, "escalate"), {"team": network_team.pk, "reason": "Switch port", "agent": resolver.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a member of Network" in html
    assert "Switch port" in html
    assert refreshed(ticket).team.slug == "servicedesk"
    assert not events(ticket, EventKind.ESCALATED)


def test_escalate_needs_a_reason(agent_client, ticket, servers_team):
    response = agent_client.post(url(ticket, "escalate"), {"team": servers_team.pk, "reason": ""})
    assert response.status_code == 400
    assert refreshed(ticket).team.slug == "servicedesk"


def test_hand_back_to_first_level(agent_client, ticket, l1_agent, servers_team):
    actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Server side")
    response = agent_client.post(url(ticket, "hand-back"), {"reason": "Not a server problem"})
    assert response.status_code == 302
    assert refreshed(ticket).team.is_first_level
    (event,) = events(ticket, EventKind.HANDED_BACK)
    assert event.note == "Not a server problem"


def test_edit_fields_recomputes_priority_and_sets_tags(agent_client, ticket):
    response = agent_client.post(
        url(ticket, "edit"),
        {"subject": "Printer broken", "type": "incident", "impact": "high", "urgency": "high", "tags": "printer, VIP"},
    )
    assert response.status_code == 302
    ticket = refreshed(ticket)
    assert (ticket.subject, ticket.priority) == ("Printer broken", 1)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["printer", "vip"]
    fields = {event.field for event in events(ticket, EventKind.FIELD_CHANGED)}
    assert {"subject", "impact", "urgency", "tags"} <= fields
    assert len(events(ticket, EventKind.PRIORITY_CHANGED)) == 1


def test_link_related_parent_and_unknown(agent_client, ticket, l1_agent, customer_user):
    other = actions.open_ticket(actor=l1_agent, subject="Second printer", requester=customer_user)
    assert agent_client.post(url(ticket, "link"), {"relation": "parent", "number": other.number}).status_code == 302
    assert refreshed(ticket).parent == other
    assert events(ticket, EventKind.LINKED)[0].field == "parent"
    response = agent_client.post(url(ticket, "link"), {"relation": "related", "number": "2000-000999"})
    assert response.status_code == 400
    assert "There is no ticket 2000-000999." in response.content.decode()


def test_merge_needs_confirmation(agent_client, ticket, l1_agent, customer_user):
    target = actions.open_ticket(actor=l1_agent, subject="Same printer", requester=customer_user)
    response = agent_client.post(url(ticket, "merge"), {"number": target.number})
    assert response.status_code == 400
    assert refreshed(ticket).merged_into is None
    response = agent_client.post(url(ticket, "merge"), {"number": target.number, "confirm": "on"})
    assert response.status_code == 302
    ticket = refreshed(ticket)
    assert (ticket.merged_into, ticket.state) == (target, State.CLOSED)
    assert len(events(ticket, EventKind.MERGED)) == 1
    html = agent_client.get(url(ticket)).content.decode()
    assert f'href="{target.get_absolute_url()}"' in html
    assert 'id="form-reply"' not in html  # write in the ticket it was merged into


def test_attach_files(agent_client, ticket):
    response = agent_client.post(url(ticket, "attach"), {"attachments": [SimpleUploadedFile("log.txt", b"log")]})
    assert response.status_code == 302
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.filename, attachment.article) == ("log.txt", None)
    assert len(events(ticket, EventKind.ATTACHMENT_ADDED)) == 1


def test_resolve_with_a_public_reply(agent_client, ticket):
    response = agent_client.post(url(ticket, "resolve"), {"resolution": "Replaced the toner."})
    assert response.status_code == 302
    assert refreshed(ticket).state == State.RESOLVED
    assert Article.objects.get(ticket=ticket).body == "Replaced the toner."


def test_oversized_upload_is_413_and_nothing_is_half_created(agent_client, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    blobs_before = Blob.objects.count()
    events_before = TicketEvent.objects.count()
    files = [SimpleUploadedFile("small.txt", b"ok"), SimpleUploadedFile("big.bin", b"x" * 500)]
    response = agent_client.post(url(ticket, "reply"), {"body": "See the dump", "attachments": files})
    assert response.status_code == 413
    html = response.content.decode()
    assert "The file is too large" in html
    assert "See the dump" in html
    assert not Article.objects.exists()
    assert not Attachment.objects.exists()
    assert Blob.objects.count() == blobs_before
    assert TicketEvent.objects.count() == events_before

    files = [SimpleUploadedFile("small.txt", b"ok"), SimpleUploadedFile("big.bin", b"x" * 500)]
    response = agent_client.post(url(ticket, "attach"), {"attachments": files}, **HTMX)
    assert response.status_code == 413
    assert response["HX-Retarget"] == "#form-attach"
    assert not Attachment.objects.exists()


# --- htmx -----------------------------------------------------------------------------------------------------


def test_htmx_action_swaps_the_ticket_without_a_reload(agent_client, ticket):
    response = agent_client.post(url(ticket, "note"), {"body": "Checked the cable"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-main"')
    assert "<html" not in html
    assert "Checked the cable" in html  # the timeline
    assert "The internal note was added." in html  # the message comes with it
    assert 'id="ticket-header"' in html


def test_action_forms_post_with_htmx_and_without(agent_client, ticket):
    html = agent_client.get(url(ticket)).content.decode()
    reply = url(ticket, "reply")
    assert f'action="{reply}"' in html
    assert f'hx-post="{reply}"' in html
    assert 'hx-target="#ticket-main"' in html


# --- New ticket -----------------------------------------------------------------------------------------------


def test_new_ticket_on_behalf_of_a_customer(agent_client, customer_org, customer_user, server_item, servers_team):
    response = agent_client.post(
        "/tickets/new/",
        {
            "organization": customer_org.pk,
            "requester": customer_user.pk,
            "channel": "phone",
            "type": "incident",
            "impact": "high",
            "urgency": "medium",
            "team": servers_team.pk,
            "items": [server_item.pk],
            "subject": "Server down",
            "description": "DC01 does not answer",
            "attachments": [SimpleUploadedFile("screen.txt", b"screen")],
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Server down")
    assert response["Location"] == url(ticket)
    assert (ticket.requester, ticket.organization, ticket.channel, ticket.team) == (
        customer_user,
        customer_org,
        "phone",
        servers_team,
    )
    assert list(ticket.items.all()) == [server_item]
    assert ticket.created_by.username == "lucie"
    assert ticket.attachments.get().filename == "screen.txt"
    assert len(events(ticket, EventKind.CREATED)) == 1


def test_new_ticket_defaults_to_web_and_first_level(agent_client, customer_org, first_level_team):
    response = agent_client.post(
        "/tickets/new/",
        {
            "organization": customer_org.pk,
            "channel": "web",
            "type": "question",
            "impact": "low",
            "urgency": "low",
            "subject": "How do I?",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.team, ticket.priority) == ("web", first_level_team, 4)


def test_new_ticket_refuses_a_requester_of_another_organization(agent_client, customer_org, other_customer):
    response = agent_client.post(
        "/tickets/new/",
        {
            "organization": customer_org.pk,
            "requester": other_customer.pk,
            "channel": "web",
            "type": "incident",
            "impact": "low",
            "urgency": "low",
            "subject": "Sneaky",
        },
    )
    assert response.status_code == 400
    assert "Sneaky" in response.content.decode()
    assert not Ticket.objects.exists()


def test_new_ticket_oversized_attachment_creates_nothing(agent_client, customer_org, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = agent_client.post(
        "/tickets/new/",
        {
            "organization": customer_org.pk,
            "channel": "web",
            "type": "incident",
            "impact": "low",
            "urgency": "low",
            "subject": "With a big file",
            "attachments": [SimpleUploadedFile("big.bin", b"x" * 100)],
        },
    )
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_new_ticket_requester_choices_follow_the_organization(
    agent_client, customer_org, customer_user, other_customer
):
    response = agent_client.get("/tickets/new/people/", {"organization": customer_org.pk})
    html = response.content.decode()
    assert "Jana Černá" in html
    assert "Eva Malá" not in html
    page = agent_client.get("/tickets/new/").content.decode()
    assert 'hx-get="/tickets/new/people/"' in page
    assert 'id="new-ticket-people"' in page


def test_new_ticket_page_lists_teams(agent_client, first_level_team):
    Team.objects.create(name="Databases", slug="db")
    assert ">Databases</option>" in agent_client.get("/tickets/new/").content.decode()


def test_new_ticket_from_a_known_caller_preselects_requester_and_organization(agent_client, customer_user):
    html = agent_client.get("/tickets/new/", {"requester": customer_user.pk}).content.decode()
    assert f'<option value="{customer_user.pk}" selected>Jana Černá' in html
    assert f'<option value="{customer_user.organization_id}" selected>' in html


def test_escalation_lists_agents_with_their_teams(agent_client, ticket, resolver):
    html = agent_client.get(url(ticket)).content.decode()
    assert "Radek Novák (Servers)" in html
