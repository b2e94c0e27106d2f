"""Who wrote a received message: a contact found by address (and other addresses), or a new one."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, Organization
from servicedesk.lib.text import fold
from servicedesk.tickets.actions import ActionError


def find_contact(address: str) -> Contact | None:
    """The contact with this address as e-mail or one of its other addresses; active ones first."""
    address = address.strip().lower()
    if not address:
        return None
    contact = Contact.objects.filter(email=address).order_by("-active", "pk").first()
    if contact is not None:
        return contact
    # JSON containment is not portable (SQLite): narrow by the folded search text, then check exactly.
    for candidate in Contact.objects.filter(search_text__contains=fold(address)).order_by("-active", "pk"):
        if address in [other.strip().lower() for other in candidate.other_emails]:
            return candidate
    return None


def contact_for(address: str, name: str = "") -> Contact:
    """The sender's contact, created when unknown: its organization by the address's domain, else none (an agent
    places it later)."""
    contact = find_contact(address)
    if contact is not None:
        return contact
    address = address.strip().lower()
    if "@" not in address:
        raise ActionError(_("The message has no sender address."))
    display = " ".join(name.split())[:200] or address.split("@", 1)[0][:200] or address[:200]
    return Contact.objects.create(email=address, name=display, organization=Organization.for_email(address))


def cc_contacts(
    addresses: Iterable[str], *, organization: Organization | None, exclude: Iterable[str]
) -> list[Contact]:
    """The CC of a new ticket: known contacts, or new contacts of the requester's organization (by domain)."""
    skip = {address.lower() for address in exclude}
    domains = {domain.lower() for domain in organization.email_domains} if organization is not None else set()
    contacts: list[Contact] = []
    for address in addresses:
        address = address.lower()
        if address in skip or "@" not in address:
            continue
        skip.add(address)
        contact = find_contact(address)
        if contact is None and address.rsplit("@", 1)[1] in domains:
            contact = Contact.objects.create(email=address, name=address.split("@", 1)[0], organization=organization)
        if contact is not None:
            contacts.append(contact)
    return contacts
