import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_signs_in_and_sees_the_desk(sign_in, l1_agent, live_server):
    page = sign_in(l1_agent)
    expect(page.locator(".username")).to_have_text("Lucie Dvořáková")


def test_wrong_password_is_explained(page, live_server, l1_agent):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", l1_agent.username)
    page.fill("#id_password", "nope")
    page.click("button[type=submit].primary")
    expect(page.locator(".error")).to_be_visible()
