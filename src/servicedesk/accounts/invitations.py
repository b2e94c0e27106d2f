"""Inviting a contact to the portal: the one door that gives a contact a login.

`invite_contact` creates (or reuses) the contact's login with an unusable password and e-mails a single-use link,
valid INVITATION_VALID_DAYS days, in the contact's language. Following the link lets them choose a password
(`accept`), which also proves they own the address."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, Invitation, User


class InvitationError(Exception):
    """The contact cannot be invited; the message is for the agent."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", args=[token])


def _login_for(contact: Contact) -> User:
    """The contact's login, created when missing; its username is the contact's e-mail."""
    email = contact.email
    user = contact.user
    if user is None:
        # A login already named by, or reached by, this address (sign-in by e-mail must find one user only).
        existing = list(User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email))[:2])
        if len(existing) > 1 or (
            existing and (existing[0].is_staff or Contact.objects.filter(user=existing[0]).exists())
        ):
            # Never hand an agent's login, or another contact's, to this contact.
            raise InvitationError(_("The login %(email)s already belongs to someone else.") % {"email": email})
        user = existing[0] if existing else None
        if user is None:
            first, _sep, last = contact.name.partition(" ")
            user = User(username=email, email=email, first_name=first[:150], last_name=last[:150])
            user.set_unusable_password()
        user.language = contact.language
        user.save()
        contact.user = user
        contact.save(update_fields=["user"])
    if not user.is_active:
        raise InvitationError(_("The login of this contact is disabled; enable it in the administration first."))
    if user.email.lower() != email:
        user.email = email
        user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": False})
    return user


def invite_contact(contact: Contact, *, invited_by: User) -> User:
    """Give the contact a login (if needed) and e-mail them a link to set its password. Inviting again revokes the
    earlier links and sends a new one."""
    if not contact.active:
        raise InvitationError(_("An inactive contact cannot be invited."))
    if not contact.email:
        raise InvitationError(_("The contact has no e-mail address to send the invitation to."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        user = _login_for(contact)
        Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).update(revoked_at=now)
        invitation = Invitation.objects.create(
            contact=contact,
            user=user,
            invited_by=invited_by,
            token_hash=_hash(token),
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        _send(invitation, token)
    return user


def _send(invitation: Invitation, token: str) -> None:
    """The invitation e-mail, written to the outbox in the caller's transaction."""
    contact = invitation.contact
    context = {
        "contact": contact,
        "invited_by": invitation.invited_by,
        "login": invitation.user.username,
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
    }
    with translation.override(contact.language or settings.LANGUAGE_CODE):
        subject = _("Your access to the Servicedesk portal")
        body = render_to_string("accounts/email/invitation.txt", context)
        html = render_to_string("accounts/email/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[contact.email],
        headers={"X-Servicedesk-Kind": "invitation"},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def find(token: str) -> Invitation | None:
    """The invitation the token opens, if it is still usable: not used, not revoked, not expired."""
    invitation = (
        Invitation.objects.select_related("user", "contact")
        .filter(token_hash=_hash(token), accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or not invitation.user.is_active:
        return None
    return invitation


def accept(invitation: Invitation, password: str) -> User:
    """Set the password and use up the invitation; the address is verified since the e-mail reached its owner."""
    with transaction.atomic():
        # Claim the invitation with a compare-and-set, so the same link used twice at once sets one password.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            accepted_at=timezone.now()
        )
        if not claimed:
            raise InvitationError(_("This invitation has already been used."))
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user, email__iexact=invitation.contact.email).update(
            verified=True, primary=True
        )
    return user
