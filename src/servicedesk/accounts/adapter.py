"""django-allauth adapted to the desk: sign-up only when ALLOW_SIGNUP is on, the login of a new account is its
e-mail (as for invited contacts)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.ALLOW_SIGNUP)

    def populate_username(self, request: HttpRequest, user: Any) -> None:
        # Contacts sign in with their e-mail, which is also their username; self sign-up follows the same rule.
        user.username = (user.email or "").strip().lower()
