"""Mailbox pages for managers (/desk/mail/mailboxes/): the list with the last poll and error, create and edit,
"test connection" (htmx) and "fetch now". Parse, authorise, call (mail/imap.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from servicedesk.lib import clock
from servicedesk.mail import imap
from servicedesk.mail.access import manager_required
from servicedesk.mail.models import Mailbox, MailboxProtocol


class MailboxForm(forms.ModelForm):
    # Never echoed back into the page; left empty on edit, the stored password stays.
    password = forms.CharField(
        label=gettext_lazy("password"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    aliases = forms.CharField(
        label=gettext_lazy("other addresses"),
        required=False,
        help_text=gettext_lazy("One per line: recipients smtpd maps to this mailbox."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name", "address", "aliases", "protocol", "host", "port", "username", "password", "folder",
            "poll_seconds", "processed_action", "processed_folder", "team", "stranger_policy", "active",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["aliases"] = "\n".join(self.instance.aliases)
            self.fields["password"].help_text = _("Leave empty to keep the current password.")

    def clean_aliases(self) -> list[str]:
        aliases = [line.strip().lower() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]
        validator = forms.EmailField()
        for alias in aliases:
            validator.clean(alias)
        return aliases

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        return password or (self.instance.password if self.instance.pk else "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("protocol") != MailboxProtocol.NONE and not (data.get("host") and data.get("username")):
            raise forms.ValidationError(_("An IMAP mailbox needs a host and a user."))
        return data


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    # Shows the nav link to agents holding the permission (base.html checks only is_superuser by itself).
    return render(request, template, {**context, "can_manage_mail": True}, status=status)


@manager_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    rows = Mailbox.objects.select_related("team")
    return _render(request, "mail/mailboxes.html", {"mailboxes": rows})


@manager_required
def mailbox_new(request: HttpRequest) -> HttpResponse:
    form = MailboxForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mailbox = form.save()
        messages.success(request, _("Mailbox %(name)s created.") % {"name": mailbox.name})
        return redirect("mail:mailbox", mailbox.pk)
    return _render(request, "mail/mailbox_form.html", {"form": form, "mailbox": None}, 400 if form.errors else 200)


@manager_required
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    form = MailboxForm(request.POST or None, instance=mailbox)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Mailbox saved."))
        return redirect("mail:mailbox", mailbox.pk)
    return _render(request, "mail/mailbox_form.html", {"form": form, "mailbox": mailbox}, 400 if form.errors else 200)


@require_POST
@manager_required
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: log in with the stored settings and count the folder's messages; the server's words on failure."""
    mailbox = get_object_or_404(Mailbox, pk=pk)
    count, error = None, ""
    if mailbox.protocol == MailboxProtocol.NONE:
        error = _("This mailbox receives mail over SMTP/LMTP; there is nothing to connect to.")
    else:
        try:
            count = imap.message_count(mailbox)
        except Exception as failure:
            error = imap.describe(failure)
    return _render(request, "mail/mailbox_test.html", {"mailbox": mailbox, "count": count, "error": error})


@require_POST
@manager_required
def mailbox_fetch(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    if mailbox.protocol == MailboxProtocol.NONE:
        messages.error(request, _("This mailbox receives mail over SMTP/LMTP; there is nothing to fetch."))
    elif not imap.claim(mailbox, clock.now(), force=True):
        messages.info(request, _("The mailbox is being fetched right now."))
    else:
        result = imap.poll(mailbox)
        if result.error:
            messages.error(request, _("Fetching failed: %(error)s") % {"error": result.error})
        else:
            text = ngettext("%(count)d message fetched.", "%(count)d messages fetched.", result.fetched)
            messages.success(request, text % {"count": result.fetched})
    return redirect("mail:mailbox", mailbox.pk)


urlpatterns: list[URLPattern] = [
    path("mailboxes/", mailbox_list, name="mailboxes"),
    path("mailboxes/new/", mailbox_new, name="mailbox_new"),
    path("mailboxes/<int:pk>/", mailbox_edit, name="mailbox"),
    path("mailboxes/<int:pk>/test/", mailbox_test, name="mailbox_test"),
    path("mailboxes/<int:pk>/fetch/", mailbox_fetch, name="mailbox_fetch"),
]
