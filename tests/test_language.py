"""Czech and English: the user's choice is kept on the account."""

from servicedesk.accounts.models import User


def test_switching_language_is_kept_on_the_account(client, l1_agent):
    client.force_login(l1_agent)
    response = client.post("/i18n/setlang/", {"language": "cs", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=l1_agent.pk).language == "cs"


def test_a_new_session_follows_the_account_language(client, l1_agent):
    l1_agent.language = "cs"
    l1_agent.save()
    client.force_login(l1_agent)  # no language cookie in this browser
    page = client.get("/login/", headers={"accept-language": "en"})
    assert page.wsgi_request.LANGUAGE_CODE == "cs"


def test_anonymous_switch_uses_the_cookie(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/", headers={"accept-language": "cs"})
    assert page.wsgi_request.LANGUAGE_CODE == "en"


def test_unknown_language_is_ignored(client, l1_agent):
    client.force_login(l1_agent)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert User.objects.get(pk=l1_agent.pk).language == "en"
