"""The public "Ask us" form (/ask/), its embeddable twin (/ask/embed/), the confirmation page and the embed script.

No sign-in, no session and no CSRF cookie: in an iframe on another site the browser sends no cookies of ours
(SameSite), so the page language travels in ?lang= and the confirmation in a signed token. The one-time captcha
does what the CSRF token would: a forged cross-site POST cannot answer it."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from captcha.models import CaptchaStore
from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from servicedesk.ask import intake, limits
from servicedesk.ask.embedding import allow_framing, deny_framing
from servicedesk.ask.forms import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, AskForm
from servicedesk.ask.models import ConsentText
from servicedesk.tickets.actions import ActionError
from servicedesk.tickets.models import Category

LANGUAGES = ("cs", "en")
CONFIRMATION_SALT = "servicedesk.ask.confirmation"
CONFIRMATION_MAX_AGE = 24 * 3600
# A question of ASK_QUESTION_MAX_LENGTH characters, even all multi-byte and percent-encoded, fits in this many bytes.
MAX_BODY_FACTOR = 12
MAX_BODY_EXTRA = 8 * 1024


def page_language(request: HttpRequest) -> str:
    """?lang= (the switch on the page, or the embedding site's choice), else the language cookie, else Czech."""
    for candidate in (
        request.GET.get("lang", ""),
        request.POST.get("lang", "") if request.method == "POST" else "",
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
    ):
        if candidate in LANGUAGES:
            return candidate
    return "cs"


def _activate(request: HttpRequest) -> str:
    language = page_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _frame(response: HttpResponse, embed: bool) -> HttpResponse:
    return allow_framing(response) if embed else deny_framing(response)


def _render_form(request: HttpRequest, form: AskForm, *, embed: bool, language: str, status: int = 200) -> HttpResponse:
    if form.consent_text is None:
        form.consent_text = ConsentText.current()
    # A new code every time the form is shown: a code is good for one attempt only.
    captcha_key = CaptchaStore.generate_key()
    context = {
        "form": form,
        "categories": Category.objects.filter(active=True),
        "selected_category": str(form["category"].value() or ""),
        "question_max_length": settings.ASK_QUESTION_MAX_LENGTH,
        "name_max_length": NAME_MAX_LENGTH,
        "email_max_length": EMAIL_MAX_LENGTH,
        "captcha_key": captcha_key,
        "captcha_image": reverse("captcha-image", args=[captcha_key]),
        "embed": embed,
        "language": language,
        "consent_text": form.consent_text.text(language),
        "consent_version": form.consent_text.version,
        "action": reverse("ask:embed" if embed else "ask:ask"),
    }
    return _frame(render(request, "ask/form.html", context, status=status), embed)


def _refuse(request: HttpRequest, message: str, *, embed: bool, language: str, status: int) -> HttpResponse:
    context = {
        "message": message,
        "embed": embed,
        "language": language,
        "again": reverse("ask:embed" if embed else "ask:ask"),
    }
    return _frame(render(request, "ask/refused.html", context, status=status), embed)


def purge_expired_captchas() -> None:
    """Expired codes are deleted now and then when the form is shown, not on every check (forms.OneTimeCaptchaField)."""
    if random.random() < 0.02:
        CaptchaStore.remove_expired()


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    return _ask(request, embed=False)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def embed(request: HttpRequest) -> HttpResponse:
    return _ask(request, embed=True)


def _ask(request: HttpRequest, *, embed: bool) -> HttpResponse:
    language = _activate(request)
    if request.method != "POST":
        purge_expired_captchas()
        return _render_form(request, AskForm(), embed=embed, language=language)

    # Cheap refusals first, without touching the database.
    body_limit = settings.ASK_QUESTION_MAX_LENGTH * MAX_BODY_FACTOR + MAX_BODY_EXTRA
    if int(request.META.get("CONTENT_LENGTH") or 0) > body_limit:
        message = _("Your question is too long. Please shorten it to %(count)d characters.")
        return _refuse(
            request, message % {"count": settings.ASK_QUESTION_MAX_LENGTH}, embed=embed, language=language, status=400
        )
    form = AskForm(request.POST)
    if form.honeypot_filled():
        message = _("Your message looks automated and was not sent. If you are a person, please call or e-mail us.")
        return _refuse(request, message, embed=embed, language=language, status=400)
    # The captcha is cleaned first (forms.AskForm): a wrong code costs one SELECT and no other query writes.
    if not form.is_valid():
        return _render_form(request, form, embed=embed, language=language, status=400)

    data = form.cleaned_data
    ip_address = limits.client_ip(request)
    within, scope = limits.allowed(ip_address, data["email"])
    if not within:
        if scope == "ip":
            form.add_error(None, _("Too many questions from your network. Please try again later."))
        else:
            form.add_error(None, _("Too many questions from this e-mail address. Please try again later."))
        return _render_form(request, form, embed=embed, language=language, status=429)
    question = intake.Question(
        category=data["category"],
        question=data["question"],
        name=data["name"],
        email=data["email"],
        language=language,
        consent_text=data["consent_text"],
        ip_address=ip_address or None,
    )
    try:
        ticket = intake.submit(question)
    except ActionError as error:
        form.add_error(None, str(error))
        return _render_form(request, form, embed=embed, language=language, status=400)
    token = signing.dumps({"number": ticket.number, "language": language}, salt=CONFIRMATION_SALT, compress=True)
    target = reverse("ask:embed_thanks" if embed else "ask:thanks", args=[token])
    return redirect(f"{target}?lang={language}")


@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    return _thanks(request, token, embed=False)


@require_GET
def embed_thanks(request: HttpRequest, token: str) -> HttpResponse:
    return _thanks(request, token, embed=True)


def _thanks(request: HttpRequest, token: str, *, embed: bool) -> HttpResponse:
    """The confirmation after the redirect: a reload shows it again and sends nothing; the number is signed."""
    try:
        confirmation = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature as error:  # also an expired token
        raise Http404 from error
    language = _activate(request) if request.GET.get("lang") in LANGUAGES else confirmation["language"]
    translation.activate(language)
    context = {
        "number": confirmation["number"],
        "embed": embed,
        "language": language,
        "again": reverse("ask:embed" if embed else "ask:ask"),
    }
    return _frame(render(request, "ask/thanks.html", context), embed)


@cache
def _embed_script() -> bytes:
    return (Path(__file__).parent / "static" / "ask" / "embed.js").read_bytes()


@require_GET
def embed_js(request: HttpRequest) -> HttpResponse:
    """The script a web site includes to insert the form in an iframe (static/ask/embed.js)."""
    response = HttpResponse(_embed_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
