"""The portal's tenancy matrix: every page and every write × persona (customer user, customer manager, a colleague,
another organization's user, agent, anonymous). Another organization's ticket is a 404; a user never sees a
colleague's ticket unless they are a manager or copied on it; internal notes and their files never reach a customer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.accounts.models import ContactRole
from servicedesk.portal.models import SatisfactionRating
from servicedesk.tickets import actions
from servicedesk.tickets.files import UploadedFile
from servicedesk.tickets.models import Article, ArticleKind, Ticket, TicketEvent
from servicedesk.tickets.states import State
from tests.conftest import make_contact

SECRET = "Heslo k serveru je Tajne123"  # the internal note's text: must never appear on a portal page


@pytest.fixture
def colleague(customer_org):
    """Another user of Jana's organization: sees their own tickets only."""
    return make_contact(customer_org, "Karel Veselý", "karel@alfa.cz")


@pytest.fixture
def world(ticket, l1_agent, customer_user, colleague, other_customer):
    """Jana's ticket with a public reply and an internal note (each with a file), Karel's ticket, Beta's ticket."""
    reply = actions.add_article(
        ticket,
        actor=l1_agent,
        body="Please restart the printer.",
        files=[UploadedFile("steps.txt", b"public steps")],
    )
    note = actions.add_article(
        ticket,
        actor=l1_agent,
        body=SECRET,
        kind=ArticleKind.NOTE,
        files=[UploadedFile("internal-only.txt", b"secret file")],
    )
    colleagues = actions.open_ticket(actor=l1_agent, subject="Karlův notebook nebootuje", requester=colleague)
    beta = actions.open_ticket(actor=l1_agent, subject="Beta: sklad bez sítě", requester=other_customer)
    return {
        "jana": ticket,
        "karel": colleagues,
        "beta": beta,
        "public_file": reply.attachments.get(),
        "note_file": note.attachments.get(),
    }


def login(client, contact):
    client.force_login(contact.user)
    return client


def page(client, path: str):
    response = client.get(path)
    return response.status_code, response.content.decode()


# --- Who may enter at all -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/portal/", "/portal/tickets/new/"])
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/portal/")


def test_anonymous_cannot_see_or_write_a_ticket(client, world):
    number = world["jana"].number
    assert client.get(f"/portal/tickets/{number}/").status_code == 302
    for write in ["reply", "confirm", "reopen", "rate"]:
        response = client.post(f"/portal/tickets/{number}/{write}/", {"body": "x", "score": 5})
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    response = client.post("/portal/tickets/new/", {"subject": "x", "description": "y", "severity": "blocked"})
    assert response.status_code == 302
    assert Article.objects.filter(author_contact__isnull=False).count() == 0
    assert Ticket.objects.count() == 3


@pytest.mark.parametrize("path", ["/portal/", "/portal/tickets/new/"])
def test_agents_are_sent_to_the_desk(client, l1_agent, path):
    client.force_login(l1_agent)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_agents_ticket_links_go_to_the_desk_too(client, l1_agent, world):
    client.force_login(l1_agent)
    response = client.get(f"/portal/tickets/{world['jana'].number}/")
    assert response.status_code == 302
    response = client.post(f"/portal/tickets/{world['jana'].number}/reply/", {"body": "as a customer?"})
    assert response.status_code == 302
    assert not Article.objects.filter(body="as a customer?").exists()


def test_a_login_without_an_active_contact_gets_403(client, customer_user):
    customer_user.active = False
    customer_user.save()
    client.force_login(customer_user.user)
    assert client.get("/portal/").status_code == 403
    assert client.get("/portal/tickets/new/").status_code == 403


# --- Ticket pages per persona ---------------------------------------------------------------------------------

# (persona, ticket) → status of its page
MATRIX = [
    ("customer_user", "jana", 200),
    ("customer_user", "karel", 404),
    ("customer_user", "beta", 404),
    ("colleague", "jana", 404),
    ("colleague", "karel", 200),
    ("customer_manager", "jana", 200),
    ("customer_manager", "karel", 200),
    ("customer_manager", "beta", 404),
    ("other_customer", "jana", 404),
    ("other_customer", "karel", 404),
    ("other_customer", "beta", 200),
]


@pytest.mark.parametrize(("persona", "which", "status"), MATRIX)
def test_ticket_page_per_persona(client, request, world, persona, which, status):
    login(client, request.getfixturevalue(persona))
    code, html = page(client, f"/portal/tickets/{world[which].number}/")
    assert code == status
    if status == 200:
        assert world[which].subject in html
    assert SECRET not in html
    assert "internal-only.txt" not in html


@pytest.mark.parametrize(("persona", "which", "status"), [row for row in MATRIX if row[2] == 404])
@pytest.mark.parametrize("write", ["reply", "confirm", "reopen", "rate"])
def test_writes_on_an_invisible_ticket_are_404_and_change_nothing(
    client, request, world, persona, which, status, write
):
    target = world[which]
    actions.resolve(target, actor=None)  # so confirm, reopen and rate would be allowed if it were visible
    before = TicketEvent.objects.filter(ticket=target).count()
    login(client, request.getfixturevalue(persona))
    response = client.post(f"/portal/tickets/{target.number}/{write}/", {"body": "sneaky", "score": "1"})
    assert response.status_code == 404
    assert TicketEvent.objects.filter(ticket=target).count() == before
    assert Ticket.objects.get(pk=target.pk).state == State.RESOLVED
    assert not Article.objects.filter(body="sneaky").exists()
    assert not SatisfactionRating.objects.exists()


def test_a_user_copied_on_a_colleagues_ticket_sees_it(client, world, customer_user):
    world["karel"].cc.add(customer_user)
    login(client, customer_user)
    code, html = page(client, f"/portal/tickets/{world['karel'].number}/")
    assert code == 200
    assert "Karlův notebook" in html
    code, html = page(client, "/portal/")
    assert "Karlův notebook" in html


# --- The list per persona ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees", "does_not_see"),
    [
        ("customer_user", ["jana"], ["karel", "beta"]),
        ("colleague", ["karel"], ["jana", "beta"]),
        ("customer_manager", ["jana", "karel"], ["beta"]),
        ("other_customer", ["beta"], ["jana", "karel"]),
    ],
)
def test_list_per_persona(client, request, world, persona, sees, does_not_see):
    login(client, request.getfixturevalue(persona))
    for query in ["", "?state=open", "?q=a"]:
        code, html = page(client, f"/portal/{query}")
        assert code == 200
        if not query:
            for which in sees:
                assert world[which].number in html
        for which in does_not_see:
            assert world[which].number not in html
            assert world[which].subject not in html
        assert SECRET not in html


@pytest.mark.parametrize("persona", ["customer_user", "colleague", "other_customer"])
def test_search_never_reaches_past_the_door(client, request, world, persona):
    login(client, request.getfixturevalue(persona))
    for word in ["Karlův", "sklad", "Tiskárna"]:
        html = page(client, f"/portal/?q={word}")[1]
        for which in ["jana", "karel", "beta"]:
            visible = Ticket.objects.visible_to(request.getfixturevalue(persona).user).filter(pk=world[which].pk)
            if not visible.exists():
                assert world[which].number not in html


def test_a_user_cannot_filter_by_requester_to_see_colleagues(client, world, customer_user, colleague):
    login(client, customer_user)
    html = page(client, f"/portal/?requester={colleague.pk}")[1]
    assert world["karel"].number not in html
    assert world["jana"].number in html  # the parameter is ignored, not an error
    assert 'name="requester"' not in html


def test_a_manager_cannot_filter_by_another_organizations_contact(client, world, customer_manager, other_customer):
    login(client, customer_manager)
    code, html = page(client, f"/portal/?requester={other_customer.pk}")
    assert code == 200
    assert world["beta"].number not in html
    assert "Eva Malá" not in html


# --- Files -------------------------------------------------------------------------------------------------------


def test_public_files_are_linked_and_downloadable_note_files_are_not(client, world, customer_user):
    login(client, customer_user)
    html = page(client, f"/portal/tickets/{world['jana'].number}/")[1]
    assert world["public_file"].get_absolute_url() in html
    assert world["note_file"].get_absolute_url() not in html
    assert client.get(world["public_file"].get_absolute_url()).status_code == 200
    assert client.get(world["note_file"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("persona", ["colleague", "other_customer"])
def test_files_of_invisible_tickets_are_404(client, request, world, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(world["public_file"].get_absolute_url()).status_code == 404
    assert client.get(world["note_file"].get_absolute_url()).status_code == 404


def test_a_manager_sees_public_files_but_never_note_files(client, world, customer_manager):
    login(client, customer_manager)
    assert client.get(world["public_file"].get_absolute_url()).status_code == 200
    assert client.get(world["note_file"].get_absolute_url()).status_code == 404


# --- New ticket ---------------------------------------------------------------------------------------------------


def test_the_new_ticket_form_offers_only_the_own_organizations_items(client, customer_user, server_item, other_org):
    from servicedesk.assets.models import ConfigurationItem

    ConfigurationItem.objects.create(organization=other_org, name="BETA-FW01", kind="network")
    login(client, customer_user)
    html = page(client, "/portal/tickets/new/")[1]
    assert "SRV-DC01" in html
    assert "BETA-FW01" not in html


def test_another_organizations_item_is_refused(client, customer_user, other_org):
    from servicedesk.assets.models import ConfigurationItem

    foreign = ConfigurationItem.objects.create(organization=other_org, name="BETA-FW01", kind="network")
    login(client, customer_user)
    response = client.post(
        "/portal/tickets/new/",
        {"subject": "Firewall", "description": "down", "severity": "blocked", "type": "incident", "item": foreign.pk},
    )
    assert response.status_code == 400
    assert not Ticket.objects.filter(subject="Firewall").exists()
    assert "Firewall" in response.content.decode()  # what was typed is still there


def test_a_new_ticket_belongs_to_the_contacts_organization_whatever_is_posted(client, customer_user, other_org):
    login(client, customer_user)
    response = client.post(
        "/portal/tickets/new/",
        {
            "subject": "Nejde e-mail",
            "description": "Outlook hlásí chybu.",
            "severity": "limited",
            "type": "incident",
            "organization": other_org.pk,
            "requester": "999",
            "attachments": [SimpleUploadedFile("a.txt", b"x")],
        },
    )
    assert response.status_code == 302
    created = Ticket.objects.get(subject="Nejde e-mail")
    assert created.organization == customer_user.organization
    assert created.requester == customer_user


def test_manager_role_is_what_makes_the_organization_visible(client, world, colleague):
    colleague.role = ContactRole.MANAGER
    colleague.save()
    login(client, colleague)
    assert client.get(f"/portal/tickets/{world['jana'].number}/").status_code == 200
