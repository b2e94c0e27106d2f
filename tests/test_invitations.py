"""Inviting a contact to the portal: a login named by their e-mail, a single-use link in their language that
expires, re-inviting resends, and only agents may invite."""

from __future__ import annotations

import datetime as dt
import email
import re
from urllib.parse import urlparse

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone, translation
from django.utils.formats import date_format

from servicedesk.accounts.invitations import InvitationError, invite_contact
from servicedesk.accounts.models import Invitation, User
from servicedesk.mail.models import OutboundMessage
from tests.conftest import make_contact

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-new-portal-password"


@pytest.fixture(autouse=True)
def _mail_to_the_outbox(settings):
    """Django's test set-up swaps in the locmem backend; the product writes mail to the outbox table."""
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"


@pytest.fixture
def newcomer(customer_org):
    """A contact without a login yet, who reads Czech."""
    contact = make_contact(customer_org, "Karel Veselý", "karel@alfa.cz", login=False)
    contact.language = "cs"
    contact.save()
    return contact


def text_of(message: OutboundMessage) -> str:
    parsed = email.message_from_bytes(bytes(message.raw))
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def link_in(message: OutboundMessage) -> str:
    found = re.search(r"https?://\S+/accounts/invitation/\S+/", text_of(message))
    assert found is not None
    return urlparse(found.group(0)).path


def last_invitation_mail() -> OutboundMessage:
    return OutboundMessage.objects.filter(kind="invitation").latest("id")


def accept(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_inviting_creates_a_login_and_mails_a_link_in_the_contacts_language(newcomer, l1_agent):
    user = invite_contact(newcomer, invited_by=l1_agent)
    newcomer.refresh_from_db()
    assert newcomer.user == user
    assert user.username == "karel@alfa.cz" and user.email == "karel@alfa.cz"
    assert user.language == "cs"
    assert not user.has_usable_password()
    assert not user.is_staff
    message = last_invitation_mail()
    assert message.to == ["karel@alfa.cz"]
    assert "Servicedesk" in message.subject
    invitation = Invitation.objects.get(user=user)
    with translation.override("cs"):  # rendered in Czech: the validity date is in Czech format
        assert date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT") in text_of(message)
    assert "karel@alfa.cz" in text_of(message)
    assert link_in(message).startswith("/accounts/invitation/")
    assert Invitation.objects.get(user=user).invited_by == l1_agent


def test_the_invitation_is_english_for_an_english_contact(customer_user, l1_agent):
    invite_contact(customer_user, invited_by=l1_agent)
    message = last_invitation_mail()
    assert message.subject == "Your access to the Servicedesk portal"
    assert "Choose your password" in text_of(message)


def test_the_token_is_not_stored(newcomer, l1_agent):
    invite_contact(newcomer, invited_by=l1_agent)
    token = link_in(last_invitation_mail()).rstrip("/").rsplit("/", 1)[-1]
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_the_link_sets_the_password_signs_in_and_lands_in_the_portal(client, newcomer, l1_agent):
    invite_contact(newcomer, invited_by=l1_agent)
    path = link_in(last_invitation_mail())
    form = client.get(path)
    assert form.status_code == 200
    assert "karel@alfa.cz" in form.content.decode()
    response = accept(client, path)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/portal/"
    user = User.objects.get(username="karel@alfa.cz")
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/start/").wsgi_request.user == user
    assert EmailAddress.objects.get(user=user).verified


def test_the_link_works_once(client, newcomer, l1_agent):
    invite_contact(newcomer, invited_by=l1_agent)
    path = link_in(last_invitation_mail())
    accept(client, path)
    client.logout()
    assert client.get(path).status_code == 404
    assert accept(client, path, "another-long-password-9").status_code == 404
    assert User.objects.get(username="karel@alfa.cz").check_password(NEW_PASSWORD)


def test_opening_the_link_does_not_use_it_up(client, newcomer, l1_agent):
    invite_contact(newcomer, invited_by=l1_agent)
    path = link_in(last_invitation_mail())
    client.get(path)  # a mail scanner's prefetch
    client.get(path)
    assert accept(client, path).status_code == 302


def test_the_link_expires(client, settings, newcomer, l1_agent):
    settings.INVITATION_VALID_DAYS = 3
    invite_contact(newcomer, invited_by=l1_agent)
    path = link_in(last_invitation_mail())
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        page = client.get(path)
        assert page.status_code == 404
        assert "invitation-invalid" in page.content.decode()
        assert accept(client, path).status_code == 404
    assert not User.objects.get(username="karel@alfa.cz").has_usable_password()


def test_a_made_up_link_is_refused(client):
    assert client.get("/accounts/invitation/not-a-real-token/").status_code == 404


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, newcomer, l1_agent):
    invite_contact(newcomer, invited_by=l1_agent)
    path = link_in(last_invitation_mail())
    refused = accept(client, path, "12345678")
    assert refused.status_code == 200
    assert 'class="error"' in refused.content.decode()
    assert accept(client, path).status_code == 302


def test_reinviting_resends_and_revokes_the_earlier_link(client, newcomer, l1_agent):
    first_user = invite_contact(newcomer, invited_by=l1_agent)
    first = link_in(last_invitation_mail())
    again = invite_contact(newcomer, invited_by=l1_agent)
    second = link_in(last_invitation_mail())
    assert again == first_user
    assert first != second
    assert OutboundMessage.objects.filter(kind="invitation", to=["karel@alfa.cz"]).count() == 2
    assert client.get(first).status_code == 404
    assert accept(client, second).status_code == 302


def test_reinviting_a_contact_who_has_a_password_lets_them_set_a_new_one(client, customer_user, l1_agent):
    invite_contact(customer_user, invited_by=l1_agent)
    accept(client, link_in(last_invitation_mail()))
    assert User.objects.get(pk=customer_user.user.pk).check_password(NEW_PASSWORD)


def test_a_login_with_a_second_factor_is_not_signed_in_by_the_link_alone(client, customer_user, l1_agent):
    TOTP.activate(customer_user.user, generate_totp_secret())
    invite_contact(customer_user, invited_by=l1_agent)
    response = accept(client, link_in(last_invitation_mail()))
    assert response["Location"] == "/login/"
    assert client.get("/start/")["Location"].startswith("/login/")


def test_a_contact_without_email_cannot_be_invited(customer_org, l1_agent):
    contact = make_contact(customer_org, "Bez Mailu", "", login=False)
    with pytest.raises(InvitationError):
        invite_contact(contact, invited_by=l1_agent)
    assert not OutboundMessage.objects.exists()


def test_an_inactive_contact_cannot_be_invited(newcomer, l1_agent):
    newcomer.active = False
    newcomer.save()
    with pytest.raises(InvitationError):
        invite_contact(newcomer, invited_by=l1_agent)
    assert not User.objects.filter(username="karel@alfa.cz").exists()


def test_an_agents_login_is_never_handed_to_a_contact(customer_org, l1_agent):
    impostor = make_contact(customer_org, "Impostor", "lucie@desk.example", login=False)
    with pytest.raises(InvitationError):
        invite_contact(impostor, invited_by=l1_agent)
    impostor.refresh_from_db()
    assert impostor.user is None
    assert not OutboundMessage.objects.exists()


def test_a_disabled_login_is_not_reenabled_by_an_invitation(customer_user, l1_agent):
    User.objects.filter(pk=customer_user.user.pk).update(is_active=False)
    customer_user.refresh_from_db()
    with pytest.raises(InvitationError):
        invite_contact(customer_user, invited_by=l1_agent)


class TestTheContactPage:
    def test_an_agent_invites_from_the_contact_page(self, client, newcomer, l1_agent):
        client.force_login(l1_agent)
        page = client.get(f"/contacts/{newcomer.pk}/").content.decode()
        assert f"/contacts/{newcomer.pk}/invite/" in page
        response = client.post(f"/contacts/{newcomer.pk}/invite/", follow=True)
        assert response.redirect_chain[-1][0] == f"/contacts/{newcomer.pk}/"
        assert "karel@alfa.cz" in response.content.decode()
        assert OutboundMessage.objects.filter(kind="invitation", to=["karel@alfa.cz"]).count() == 1

    def test_a_refusal_is_a_message_not_an_error_page(self, client, customer_org, l1_agent):
        contact = make_contact(customer_org, "Bez Mailu", "", login=False)
        client.force_login(l1_agent)
        response = client.post(f"/contacts/{contact.pk}/invite/", follow=True)
        assert response.status_code == 200
        assert 'class="message error"' in response.content.decode()

    @pytest.mark.parametrize("persona", ["customer_user", "customer_manager", "other_customer"])
    def test_customers_may_not_invite(self, client, request, newcomer, persona):
        client.force_login(request.getfixturevalue(persona).user)
        assert client.post(f"/contacts/{newcomer.pk}/invite/").status_code == 403
        assert not OutboundMessage.objects.exists()

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, newcomer):
        assert client.post(f"/contacts/{newcomer.pk}/invite/")["Location"].startswith("/login/")
        assert not OutboundMessage.objects.exists()

    def test_inviting_needs_a_post(self, client, newcomer, l1_agent):
        client.force_login(l1_agent)
        assert client.get(f"/contacts/{newcomer.pk}/invite/").status_code == 405
        assert not OutboundMessage.objects.exists()
