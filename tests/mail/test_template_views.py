"""The mail template editor: managers only; a preview on a sample ticket; a broken template is refused with the
reason; reset brings the built-in text back."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from servicedesk.mail.models import MailTemplate

pytestmark = pytest.mark.django_db

LIST = reverse("mail:templates")
EDIT = reverse("mail:template_edit", args=["waiting_for_you", "cs"])


@pytest.fixture
def mail_manager(l1_agent):
    l1_agent.user_permissions.add(Permission.objects.get(codename="manage", content_type__app_label="mail"))
    return l1_agent


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302
    assert client.get(EDIT).status_code == 302


@pytest.mark.parametrize("persona", ["resolver", "customer_user"])
def test_agents_and_customers_without_the_permission_are_refused(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    assert client.get(LIST).status_code == 403
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, {"subject": "x", "body_text": "y", "save": "1"}).status_code == 403
    assert not MailTemplate.objects.exists()


def test_a_superuser_and_a_mail_manager_see_every_key_and_language(
    client, admin_user, mail_manager, django_assert_max_num_queries
):
    for user in (admin_user, mail_manager):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            response = client.get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        for key in ("ticket_received", "public_reply", "satisfaction_request", "assigned_to_you", "sla_breached"):
            assert reverse("mail:template_edit", args=[key, "cs"]) in html
            assert reverse("mail:template_edit", args=[key, "en"]) in html


def test_the_editor_starts_from_the_built_in_template_with_its_preview(client, admin_user):
    client.force_login(admin_user)
    response = client.get(EDIT)
    assert response.status_code == 200
    assert "Čekáme na Vaši odpověď" in response.content.decode()
    assert "-000123" in response.context["preview"].text


def test_preview_renders_the_typed_template_on_a_sample_ticket_without_saving(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        EDIT, {"subject": "Čekáme: {{ number }}", "body_text": "Dobrý den, {{ recipient_name }}.", "preview": "1"}
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.subject.startswith("Čekáme: ") and preview.subject.endswith("-000123")
    assert "Dobrý den, Jana Černá." in preview.text
    assert not MailTemplate.objects.exists()


def test_save_then_reset(client, mail_manager):
    client.force_login(mail_manager)
    response = client.post(EDIT, {"subject": "Vlastní {{ number }}", "body_text": "Text", "save": "1"})
    assert response.status_code == 302
    row = MailTemplate.objects.get(key="waiting_for_you", language="cs")
    assert (row.subject, row.updated_by) == ("Vlastní {{ number }}", mail_manager)
    client.post(EDIT, {"reset": "1"})
    assert not MailTemplate.objects.exists()


def test_a_template_syntax_error_is_a_form_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(EDIT, {"subject": "ok", "body_text": "{% if %}broken", "save": "1"})
    assert response.status_code == 400
    assert "body_text" in response.context["form"].errors
    assert not MailTemplate.objects.exists()


def test_unknown_keys_and_languages_are_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("mail:template_edit", args=["nonsense", "cs"])).status_code == 404
    assert client.get(reverse("mail:template_edit", args=["closed", "de"])).status_code == 404
