"""Mailbox pages: only superusers and holders of mail.manage see or change them; the password never comes back
into the page; "test connection" and "fetch now" talk to a real Dovecot."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from servicedesk.mail import ingest
from servicedesk.mail.models import InboundMessage, InboundStatus, Mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_manager(resolver):
    resolver.user_permissions.add(Permission.objects.get(content_type__app_label="mail", codename="manage"))
    return resolver


@pytest.fixture
def mailbox(db) -> Mailbox:
    return Mailbox.objects.create(
        name="Support",
        address="support@desk.example",
        protocol="imap",
        host="127.0.0.1",
        port=1,
        username="support",
        password="s3cret-Pa55",
        last_error="LoginError: Authentication failed.",
    )


def pages(mailbox: Mailbox) -> list[tuple[str, str]]:
    return [
        ("get", reverse("mail:mailboxes")),
        ("get", reverse("mail:mailbox_new")),
        ("get", reverse("mail:mailbox", args=[mailbox.pk])),
        ("post", reverse("mail:mailbox_test", args=[mailbox.pk])),
        ("post", reverse("mail:mailbox_fetch", args=[mailbox.pk])),
    ]


@pytest.mark.parametrize("persona", ["l1_agent", "customer_user", "customer_manager", "other_customer"])
def test_agents_without_the_permission_and_customers_are_refused(client, request, persona, mailbox):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))

    for method, url in pages(mailbox):
        assert getattr(client, method)(url).status_code == 403, url
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is None  # fetch now did nothing


def test_anonymous_visitors_are_sent_to_sign_in(client, mailbox):
    for method, url in pages(mailbox):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "login" in response["Location"], url


@pytest.mark.parametrize("persona", ["admin_user", "mail_manager"])
def test_superusers_and_mail_managers_see_the_list_with_the_last_error(
    client, request, persona, mailbox, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(persona))
    for number in range(5):
        Mailbox.objects.create(name=f"Box {number}", address=f"box{number}@desk.example", protocol="none")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("mail:mailboxes"))

    assert response.status_code == 200
    assert "Authentication failed." in response.text
    assert "box4@desk.example" in response.text
    assert reverse("mail:mailboxes") in response.text  # the nav link


def test_the_nav_shows_mailboxes_only_to_managers(client, l1_agent, admin_user):
    client.force_login(l1_agent)
    assert 'class="mailboxes-link"' not in client.get(reverse("desk:home")).text
    client.force_login(admin_user)
    assert 'class="mailboxes-link"' in client.get(reverse("desk:home")).text


def test_a_manager_creates_a_mailbox(client, mail_manager):
    client.force_login(mail_manager)

    response = client.post(
        reverse("mail:mailbox_new"),
        {
            "name": "Helpdesk",
            "address": "helpdesk@desk.example",
            "aliases": "Hotline@desk.example\n\nservis@desk.example",
            "protocol": "imaps",
            "host": "imap.desk.example",
            "port": "",
            "username": "helpdesk",
            "password": "hunter2",
            "folder": "INBOX",
            "poll_seconds": "60",
            "processed_action": "move",
            "processed_folder": "Processed",
            "stranger_policy": "note",
            "active": "on",
        },
    )

    mailbox = Mailbox.objects.get(name="Helpdesk")
    assert response.status_code == 302
    assert mailbox.password == "hunter2"
    assert mailbox.aliases == ["hotline@desk.example", "servis@desk.example"]


def test_an_imap_mailbox_without_a_host_is_not_saved(client, mail_manager):
    client.force_login(mail_manager)

    response = client.post(
        reverse("mail:mailbox_new"),
        {"name": "X", "address": "x@desk.example", "protocol": "imap", "folder": "INBOX", "poll_seconds": "60",
         "processed_action": "move", "stranger_policy": "note"},
    )  # fmt: skip

    assert response.status_code == 400
    assert not Mailbox.objects.filter(name="X").exists()


def test_the_password_is_never_shown_and_an_empty_field_keeps_it(client, mail_manager, mailbox):
    client.force_login(mail_manager)

    page = client.get(reverse("mail:mailbox", args=[mailbox.pk]))
    assert page.status_code == 200
    assert "s3cret-Pa55" not in page.text

    response = client.post(
        reverse("mail:mailbox", args=[mailbox.pk]),
        {"name": "Support desk", "address": "support@desk.example", "aliases": "", "protocol": "imap",
         "host": "127.0.0.1", "port": "1", "username": "support", "password": "", "folder": "INBOX",
         "poll_seconds": "120", "processed_action": "flag", "processed_folder": "", "stranger_policy": "note",
         "active": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.poll_seconds, mailbox.password) == ("Support desk", 120, "s3cret-Pa55")


@pytest.mark.django_db(transaction=True)
def test_test_connection_counts_the_messages_of_the_folder(client, admin_user, dovecot, imap_user):
    user, password = imap_user
    dovecot.append(user, password, [b"Subject: one\r\n\r\n1\r\n", b"Subject: two\r\n\r\n2\r\n"])
    mailbox = Mailbox.objects.create(
        name="Real", address="real@desk.example", protocol="imap", host=dovecot.host, port=dovecot.port,
        username=user, password=password,
    )  # fmt: skip
    client.force_login(admin_user)

    response = client.post(reverse("mail:mailbox_test", args=[mailbox.pk]))

    assert response.status_code == 200
    assert "Connected: 2 messages in INBOX." in response.text


@pytest.mark.django_db(transaction=True)
def test_test_connection_shows_the_servers_words_on_a_wrong_password(client, admin_user, dovecot, imap_user):
    user, _password = imap_user
    mailbox = Mailbox.objects.create(
        name="Real", address="real@desk.example", protocol="imap", host=dovecot.host, port=dovecot.port,
        username=user, password="wrong",
    )  # fmt: skip
    client.force_login(admin_user)

    response = client.post(reverse("mail:mailbox_test", args=[mailbox.pk]))

    assert response.status_code == 200
    assert "Connection failed:" in response.text and "Authentication failed" in response.text


@pytest.mark.django_db(transaction=True)
def test_fetch_now_fetches_and_reports(client, admin_user, dovecot, imap_user, monkeypatch):
    def fake_process(message: InboundMessage) -> None:
        InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.PROCESSED)

    monkeypatch.setattr(ingest, "process", fake_process)
    user, password = imap_user
    dovecot.append(user, password, [b"Subject: one\r\nMessage-ID: <fetch-now@x>\r\n\r\n1\r\n"])
    mailbox = Mailbox.objects.create(
        name="Real", address="real@desk.example", protocol="imap", host=dovecot.host, port=dovecot.port,
        username=user, password=password,
    )  # fmt: skip
    client.force_login(admin_user)

    response = client.post(reverse("mail:mailbox_fetch", args=[mailbox.pk]), follow=True)

    assert "1 message fetched." in response.text
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 1
