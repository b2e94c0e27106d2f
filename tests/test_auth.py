"""Sign-in (django-allauth at /login/): by username or e-mail, wrong passwords explained, failures rate-limited,
landing by role, password reset by e-mail, sign-up closed by default, TOTP as the second factor."""

from __future__ import annotations

import datetime as dt
import email
import re
import time
from urllib.parse import urlparse

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings

from servicedesk.accounts.models import User
from servicedesk.mail.models import OutboundMessage
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_to_the_outbox(settings):
    """Django's test set-up swaps in the locmem backend; the product writes mail to the outbox table."""
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"


def sign_in(client, login: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"login": login, "password": password, **extra})


def signed_in_user(client) -> User | None:
    response = client.get("/start/")
    if response.status_code == 302 and response["Location"].startswith("/login/"):
        return None
    return response.wsgi_request.user


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def text_of(message: OutboundMessage) -> str:
    parsed = email.message_from_bytes(bytes(message.raw))
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def test_the_sign_in_page_asks_for_login_and_password(client):
    page = client.get("/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="id_login"' in html and 'name="password"' in html
    assert "/accounts/signup/" not in html  # sign-up is closed by default


def test_an_agent_signs_in_with_the_username_and_lands_at_the_desk(client, l1_agent):
    response = sign_in(client, "lucie")
    assert response.status_code == 302
    assert response["Location"] == "/start/"
    assert client.get("/start/")["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not OutboundMessage.objects.exists()  # no verification mail on an ordinary sign-in


def test_a_contact_signs_in_with_the_email_and_lands_in_the_portal(client, customer_user):
    response = sign_in(client, "Jana@Alfa.cz")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/portal/"
    assert signed_in_user(client) == customer_user.user


def test_an_agent_may_also_sign_in_with_the_email(client, l1_agent):
    sign_in(client, "lucie@desk.example")
    assert signed_in_user(client) == l1_agent


def test_the_next_address_is_kept(client, l1_agent):
    response = client.post("/login/?next=/hotline/", {"login": "lucie", "password": PASSWORD, "next": "/hotline/"})
    assert response["Location"] == "/hotline/"


def test_a_wrong_password_is_explained_and_signs_nobody_in(client, l1_agent):
    response = sign_in(client, "lucie", "wrong-password")
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert signed_in_user(client) is None


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client):
    assert client.get("/")["Location"].startswith("/login/")
    assert client.get("/start/")["Location"].startswith("/login/")


def test_the_admin_login_goes_through_the_sign_in_page(client, admin_user):
    """The admin's own form would skip the rate limits and the second factor."""
    assert client.get("/admin/login/")["Location"].startswith("/login/")
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert signed_in_user(client) is None
    sign_in(client, "admin")
    assert client.get("/admin/").status_code == 200


def test_signing_out_needs_a_post(client, l1_agent):
    sign_in(client, "lucie")
    client.get("/logout/")  # a link or a prefetch must not sign anybody out
    assert signed_in_user(client) == l1_agent
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert signed_in_user(client) is None


def test_a_session_lasts_the_configured_age(client, l1_agent):
    sign_in(client, "lucie")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert not client.session.get_expire_at_browser_close()


def test_repeated_failures_lock_the_login_for_a_while(client, settings, l1_agent):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    for _ in range(3):
        assert sign_in(client, "lucie", "wrong-password").status_code == 200
    refused = sign_in(client, "lucie")  # even the right password, until the limit expires
    assert refused.status_code == 200
    assert "Too many failed" in refused.content.decode() or "Příliš mnoho" in refused.content.decode()
    assert signed_in_user(client) is None


def test_the_rate_limit_is_per_login(client, settings, l1_agent, resolver):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    for _ in range(3):
        sign_in(client, "lucie", "wrong-password")
    sign_in(client, "radek")
    assert signed_in_user(client) == resolver


def test_password_reset_mails_a_link_that_sets_a_new_password(client, customer_user):
    response = client.post("/accounts/password/reset/", {"email": "jana@alfa.cz"})
    assert response.status_code == 302
    message = OutboundMessage.objects.get(to=["jana@alfa.cz"])
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", text_of(message))
    assert link is not None
    form = client.get(urlparse(link.group(0)).path, follow=True)
    assert form.status_code == 200
    assert 'name="password1"' in form.content.decode()
    new_password = "a-brand-new-long-password"
    done = client.post(form.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    assert User.objects.get(pk=customer_user.user.pk).check_password(new_password)
    client.logout()
    sign_in(client, "jana@alfa.cz", new_password)
    assert signed_in_user(client) == customer_user.user


def test_password_reset_for_an_unknown_address_sends_no_link(client, customer_user):
    client.post("/accounts/password/reset/", {"email": "nobody@alfa.cz"})
    assert not any("/password/reset/key/" in text_of(m) for m in OutboundMessage.objects.all())


def test_a_new_password_must_pass_the_validators(client, customer_user):
    client.force_login(customer_user.user)
    # allauth asks to re-authenticate only for sensitive changes; changing a password asks for the old one.
    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    assert User.objects.get(pk=customer_user.user.pk).check_password(PASSWORD)


def test_sign_up_is_closed_by_default(client):
    response = client.get("/accounts/signup/")
    assert response.status_code in {200, 404}
    assert 'name="password1"' not in response.content.decode()
    client.post(
        "/accounts/signup/",
        {"email": "x@example.com", "password1": "long-pass-phrase-1", "password2": "long-pass-phrase-1"},
    )
    assert not User.objects.filter(email="x@example.com").exists()


def test_sign_up_when_allowed_makes_a_login_named_by_the_email(client, settings):
    settings.ALLOW_SIGNUP = True
    assert 'name="password1"' in client.get("/accounts/signup/").content.decode()
    client.post(
        "/accounts/signup/",
        {"email": "New@Example.com", "password1": "long-pass-phrase-1", "password2": "long-pass-phrase-1"},
    )
    user = User.objects.get(email__iexact="new@example.com")
    assert user.username == "new@example.com"
    assert not user.is_staff


class TestSecondFactor:
    @pytest.fixture(autouse=True)
    def _clock_inside_one_totp_step(self):
        """A code made at 09:00:29.99 and checked at 09:00:30.01 would belong to the next 30-second step."""
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False):
            yield

    def test_totp_is_asked_after_the_password(self, client, l1_agent):
        secret = generate_totp_secret()
        TOTP.activate(l1_agent, secret)
        response = sign_in(client, "lucie")
        assert response["Location"] == "/accounts/2fa/authenticate/"
        assert signed_in_user(client) is None
        wrong_code = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
        wrong = client.post("/accounts/2fa/authenticate/", {"code": wrong_code})
        assert wrong.status_code == 200
        assert signed_in_user(client) is None
        right = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
        assert right.status_code == 302
        assert signed_in_user(client) == l1_agent

    def test_an_agent_turns_on_totp_and_gets_recovery_codes(self, client, l1_agent):
        sign_in(client, "lucie")
        # A sensitive change: allauth asks for the password again first.
        asked = client.get("/accounts/2fa/totp/activate/")
        assert asked["Location"].startswith("/accounts/reauthenticate/")
        client.post(asked["Location"], {"password": PASSWORD})
        page = client.get("/accounts/2fa/totp/activate/")
        assert page.status_code == 200
        secret = client.session[SECRET_SESSION_KEY]
        response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
        assert response.status_code == 302
        types = set(Authenticator.objects.filter(user=l1_agent).values_list("type", flat=True))
        assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}

    def test_a_recovery_code_signs_in_without_the_phone(self, client, l1_agent):
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

        TOTP.activate(l1_agent, generate_totp_secret())
        codes = RecoveryCodes.activate(l1_agent).generate_codes()
        sign_in(client, "lucie")
        client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
        assert signed_in_user(client) == l1_agent

    def test_the_security_page_shows_the_state(self, client, l1_agent):
        sign_in(client, "lucie")
        page = client.get("/accounts/2fa/")
        assert page.status_code == 200
        assert "/accounts/2fa/totp/activate/" in page.content.decode()
        assert "/accounts/2fa/" in client.get("/").content.decode()  # linked from every page


class TestRequiredAgentMfa:
    def test_agents_without_totp_are_sent_to_set_it_up(self, client, settings, l1_agent):
        settings.REQUIRE_AGENT_MFA = True
        sign_in(client, "lucie")
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
        setup = client.get("/accounts/2fa/totp/activate/", follow=True)
        assert setup.status_code == 200
        assert setup.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")  # password again, then TOTP
        assert client.get("/hotline/")["Location"] == "/accounts/2fa/totp/activate/"
        fragment = client.get("/", headers={"HX-Request": "true"})
        assert fragment["HX-Redirect"] == "/accounts/2fa/totp/activate/"

    def test_agents_with_totp_use_the_desk(self, client, settings, l1_agent):
        settings.REQUIRE_AGENT_MFA = True
        TOTP.activate(l1_agent, generate_totp_secret())
        client.force_login(l1_agent)
        assert client.get("/").status_code == 200

    def test_contacts_are_not_asked(self, client, settings, customer_user):
        settings.REQUIRE_AGENT_MFA = True
        client.force_login(customer_user.user)
        assert client.get("/start/")["Location"] == "/portal/"

    def test_off_by_default(self, client, l1_agent):
        client.force_login(l1_agent)
        assert client.get("/").status_code == 200
