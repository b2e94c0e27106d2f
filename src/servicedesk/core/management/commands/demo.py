"""`servicedesk demo`: load realistic demo data (customers, agents, items and three months of tickets)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.demo import DEMO_PASSWORD
from servicedesk.demo.directory import demo_present, logins
from servicedesk.demo.loader import DEFAULT_SEED, DEFAULT_TICKETS, load
from servicedesk.demo.people import ADMIN_USERNAME

PROGRESS_EVERY = 20


class Command(BaseCommand):
    help = "Load demo data: five customer organizations, eight agents in their teams and three months of tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS, help="How many tickets (default 300).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed: the same seed, the same data.")
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins; load nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_logins"]:
            self._print_logins()
            return
        if demo_present():
            self.stdout.write(_("Demo data already present; nothing was added."))
            self._print_logins()
            return
        if options["tickets"] < 1:
            self.stderr.write(_("--tickets must be at least 1."))
            return
        started = time.monotonic()
        result = load(tickets=options["tickets"], seed=options["seed"], progress=self._progress)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Loaded %(organizations)d organizations, %(contacts)d contacts, %(agents)d agents and "
                    "%(tickets)d tickets in %(seconds).1f s."
                )
                % {
                    "organizations": result.organizations,
                    "contacts": result.contacts,
                    "agents": result.agents,
                    "tickets": result.tickets,
                    "seconds": time.monotonic() - started,
                }
            )
        )
        self._print_logins()

    def _progress(self, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            self.stdout.write(_("tickets %(done)d/%(total)d") % {"done": done, "total": total})

    def _print_logins(self) -> None:
        self.stdout.write(_("Logins (login / password):"))
        for who, login, password in logins():
            if login == ADMIN_USERNAME and not _admin_has_demo_password():
                password = _("(an existing account: its own password)")
            self.stdout.write(f"  {login} / {password}    {who}")
        self.stdout.write(
            self.style.WARNING(
                _("These are demo passwords, known to anyone who reads the code: do not use this data in production.")
            )
        )


def _admin_has_demo_password() -> bool:
    """True when there is no admin yet (the demo will create it) or it uses the demo password."""
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    return admin is None or admin.check_password(DEMO_PASSWORD)
