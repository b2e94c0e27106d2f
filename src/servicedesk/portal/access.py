"""Who may use the portal: signed-in users linked to an active contact."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from servicedesk.accounts.models import Contact


def current_contact(user: Any) -> Contact | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return Contact.objects.filter(user=user, active=True).select_related("organization").first()


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Contacts only; the view gets the contact as its second argument.

    Anonymous users go to sign-in; agents belong on the desk (their view of a ticket shows internal notes, the
    portal's never does), so they are sent there; any other login (a contact switched off) gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.is_staff:
            return redirect("desk:home")
        contact = current_contact(user)
        if contact is None:
            raise PermissionDenied
        return view(request, contact, *args, **kwargs)

    return wrapper
