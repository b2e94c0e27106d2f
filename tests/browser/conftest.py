"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server."""

import pytest

from tests.conftest import PASSWORD

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture
def sign_in(live_server, page):
    """sign_in(user) signs the user in through the login form and returns the page."""

    def _sign_in(user, language="en"):
        from django.core.cache import cache

        # The rate limits live in the shared cache, which outlives a test: start every sign-in afresh.
        cache.clear()
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_login", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        return page

    return _sign_in


def htmx_idle(page) -> None:
    """Wait until htmx has no request in flight and has finished swapping and settling the last answer, so the
    next interaction meets the new content, as a person (slower than 20 ms) always does."""
    page.wait_for_function(
        "() => window.htmx !== undefined && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
