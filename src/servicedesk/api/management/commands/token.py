"""servicedesk token create <login> [--name N] | list <login> | revoke <login> <prefix>

`create` prints a new personal API token. The login is a username, or the e-mail of a contact without an account
yet: the contact then gets an account (username = e-mail) with no usable password, for automation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from servicedesk.accounts.models import Contact, User
from servicedesk.api import tokens
from servicedesk.api.models import ApiToken


def user_for_login(login: str, *, create: bool) -> User:
    user = User.objects.filter(username=login).first() or User.objects.filter(username__iexact=login).first()
    if user is not None:
        return user
    contact = Contact.objects.filter(email=login.strip().lower(), active=True).order_by("pk").first()
    if contact is None:
        raise CommandError(f"No user or contact “{login}”.")
    if contact.user is not None:
        return contact.user
    if not create:
        raise CommandError(f"The contact “{login}” has no account.")
    user = User(username=contact.email, email=contact.email, language=contact.language)
    user.set_unusable_password()
    user.save()
    contact.user = user
    contact.save(update_fields=["user"])
    return user


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="print a new token for the login")
        create.add_argument("login", help="username, or a contact's e-mail")
        create.add_argument("--name", default="", help="what the token is for")
        listing = commands.add_parser("list", help="the login's active tokens")
        listing.add_argument("login")
        revoke = commands.add_parser("revoke", help="revoke the login's token with this prefix")
        revoke.add_argument("login")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        if command == "create":
            with transaction.atomic():
                user = user_for_login(options["login"], create=True)
                if not user.is_active:
                    raise CommandError(f"The account “{user.username}” is switched off.")
                _token, secret = tokens.create_token(user, options["name"] or "command line")
            self.stdout.write(secret)
            return
        user = user_for_login(options["login"], create=False)
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        if command == "list":
            for token in active:
                used = token.last_used_at.isoformat() if token.last_used_at else "never"
                self.stdout.write(f"{token.prefix}…  {token.name}  created {token.created_at:%Y-%m-%d}  used {used}")
            return
        matching = list(active.filter(prefix__startswith=options["prefix"][: tokens.DISPLAY_PREFIX_LENGTH]))
        if len(matching) != 1:
            raise CommandError(f"{len(matching)} active tokens start with “{options['prefix']}”; give exactly one.")
        tokens.revoke(matching[0])
        self.stdout.write(f"revoked {matching[0].prefix}…")
