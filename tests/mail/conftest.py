"""Fixtures of the mail tests: a real Dovecot IMAP server (one per session, a fresh user per test)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.mail.dovecot import Dovecot, available

USERS = 200
_users = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not available():
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    server = Dovecot()
    # Accounts are made before it starts: dovecot re-reads a users file changed within the same second unreliably.
    for number in range(1, USERS + 1):
        server.add_user(f"desk{number}", "secret")
    server.start()
    yield server
    server.remove()


@pytest.fixture
def imap_user(dovecot: Dovecot) -> tuple[str, str]:
    """A fresh, empty IMAP account on the session's Dovecot: (user, password)."""
    number = next(_users)
    assert number <= USERS, "raise USERS in tests/mail/conftest.py"
    return f"desk{number}", "secret"
