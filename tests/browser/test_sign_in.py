import re

import pytest
from playwright.sync_api import expect

from servicedesk.mail.models import OutboundMessage
from tests.conftest import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _mail_to_the_outbox(settings):
    """Django's test set-up swaps in the locmem backend; the product writes mail to the outbox table."""
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"


def test_agent_signs_in_and_sees_the_desk(sign_in, l1_agent, live_server):
    page = sign_in(l1_agent)
    expect(page.locator(".username")).to_have_text("Lucie Dvořáková")
    assert page.url == f"{live_server.url}/"


def test_wrong_password_is_explained(page, live_server, l1_agent):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_login", l1_agent.username)
    page.fill("#id_password", "nope")
    page.click("button[type=submit].primary")
    expect(page.locator(".error")).to_be_visible()
    expect(page.locator(".username")).to_have_count(0)


def test_invited_contact_sets_a_password_and_lands_in_the_portal(sign_in, live_server, l1_agent, customer_org):
    newcomer = make_contact(customer_org, "Karel Veselý", "karel@alfa.cz", login=False)
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}/contacts/{newcomer.pk}/")
    page.get_by_role("button", name="Invite to the portal").click()
    expect(page.locator(".message.success")).to_contain_text("karel@alfa.cz")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")

    message = OutboundMessage.objects.get(kind="invitation")
    link = re.search(rb"/accounts/invitation/[\w-]+/", bytes(message.raw))
    assert link is not None
    page.goto(live_server.url + link.group(0).decode())
    expect(page.locator(".login-name")).to_have_text("karel@alfa.cz")
    page.fill("#id_new_password1", "a-long-and-new-portal-password")
    page.fill("#id_new_password2", "a-long-and-new-portal-password")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/portal/")
    # Signed in as the contact: the landing page sends them back to the portal, not to sign-in.
    start = page.request.get(f"{live_server.url}/start/", max_redirects=0)
    assert start.headers["location"] == "/portal/"

    # The link was single use.
    page.goto(live_server.url + link.group(0).decode())
    expect(page.locator(".invitation-invalid")).to_be_visible()
