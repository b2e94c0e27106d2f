"""The mail template editor (/desk/mail/templates/): a manager rewrites the texts of the outbound mails per
language, previews them on a sample ticket, and resets them to the built-in version. Parse, authorise, call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateSyntaxError
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.lib import clock
from servicedesk.mail import access, outbound
from servicedesk.mail.models import MailTemplate

# The same managers as the mailboxes (mail/access.py).
can_manage_mail = access.can_manage
_manager_required = access.manager_required


class MailTemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)
    body_text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 16}))
    body_html = forms.CharField(
        label=gettext_lazy("HTML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy("Empty: the text, as simple HTML."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("subject", "body_text", "body_html"):
            try:
                outbound.TEXT_ENGINE.from_string(data.get(name, ""))
            except TemplateSyntaxError as error:
                self.add_error(name, _("Template error: %(error)s") % {"error": error})
        return data


def _sample_context(language: str) -> dict[str, Any]:
    """A made-up ticket: the preview never shows a real customer's data."""
    from servicedesk.tickets.models import Article, Ticket

    now = clock.now()
    ticket = Ticket(
        number=f"{now.year}-000123",
        subject=_("The printer in accounting prints blank pages"),
        priority=2,
        created_at=now,
        reaction_due_at=now + dt.timedelta(hours=2),
        resolution_due_at=now + dt.timedelta(days=1),
    )
    article = Article(ticket=ticket, body=_("We have replaced the toner; please try printing again."))
    recipient = outbound.Recipient("jana.cerna@example.com", "Jana Černá", language)
    return outbound.ticket_context(
        ticket,
        recipient,
        article=article,
        author_name="Lucie Dvořáková",
        reason=_("Sample reason"),
        title=_("%(number)s: resolution deadline passed") % {"number": ticket.number},
    )


def _initial(key: str, language: str) -> dict[str, str]:
    row = MailTemplate.objects.filter(key=key, language=language).first()
    if row is not None:
        return {"subject": row.subject, "body_text": row.body_text, "body_html": row.body_html}
    return {
        "subject": outbound.builtin_source(key, language, "subject").strip(),
        "body_text": outbound.builtin_source(key, language, "txt"),
        "body_html": outbound.builtin_source(key, language, "html"),
    }


@_manager_required
def template_list(request: HttpRequest) -> HttpResponse:
    overridden = set(MailTemplate.objects.values_list("key", "language"))
    rows = [
        {
            "key": key,
            "label": label,
            "for_agents": key in outbound.AGENT_TEMPLATES,
            "languages": [(language, (key, language) in overridden) for language in outbound.LANGUAGES],
        }
        for key, label in outbound.TEMPLATES.items()
    ]
    return render(request, "mail/template_list.html", {"rows": rows})


@_manager_required
def template_edit(request: HttpRequest, key: str, language: str) -> HttpResponse:
    if key not in outbound.TEMPLATES or language not in outbound.LANGUAGES:
        raise Http404
    row = MailTemplate.objects.filter(key=key, language=language).first()
    preview: outbound.Rendered | None = None
    status = 200
    if request.method == "POST" and "reset" in request.POST:
        if row is not None:
            row.delete()
        messages.success(request, _("The built-in template is used again."))
        return redirect("mail:template_edit", key=key, language=language)
    if request.method == "POST":
        form = MailTemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if "preview" in request.POST:
                templates = outbound.compile_parts(data["subject"], data["body_text"], data["body_html"])
                preview = outbound.render_parts(templates, language, _sample_context(language))
            else:
                MailTemplate.objects.update_or_create(
                    key=key,
                    language=language,
                    defaults={**data, "updated_by": request.user},  # type: ignore[misc]
                )
                messages.success(request, _("The template was saved."))
                return redirect("mail:template_edit", key=key, language=language)
        else:
            status = 400
    else:
        form = MailTemplateForm(initial=_initial(key, language))
        preview = outbound.render(key, language, _sample_context(language))
    context = {
        "form": form,
        "key": key,
        "label": outbound.TEMPLATES[key],
        "language": language,
        "overridden": row is not None,
        "preview": preview,
    }
    return render(request, "mail/template_edit.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("templates/", template_list, name="templates"),
    path("templates/<str:key>/<str:language>/", template_edit, name="template_edit"),
]
