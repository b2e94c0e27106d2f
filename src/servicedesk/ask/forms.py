"""The "Ask us" form. Cheap checks first: a bot flood must be refused before anything costs much."""

from __future__ import annotations

import re
from typing import Any

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField
from captcha.models import CaptchaStore
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.ask.models import ConsentText
from servicedesk.tickets.models import Category

NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
# The honeypot: a text field people never see (hidden by CSS, skipped by keyboard and screen readers) but bots fill.
HONEYPOT_FIELD = "website"


class OneTimeCaptchaField(CaptchaField):
    """django-simple-captcha's field with a cheaper check.

    The stock field deletes every expired code on each check: a write, and a table scan, per bot request. Here a
    wrong or unknown key costs one indexed SELECT; a known code is deleted (single use) whether right or wrong.
    Expired codes are purged when the form is shown (views.purge_expired_captchas)."""

    def clean(self, value: Any) -> Any:
        forms.MultiValueField.clean(self, value)  # required parts present
        hashkey = (value[0] or "").strip()
        response = (value[1] or "").strip().lower()
        value[1] = ""  # a re-rendered form never shows the old answer
        if captcha_settings.CAPTCHA_TEST_MODE and response == "passed":
            CaptchaStore.objects.filter(hashkey=hashkey).delete()
            return value
        store = CaptchaStore.objects.filter(hashkey=hashkey, expiration__gt=timezone.now()).first()
        if store is not None:
            store.delete()
        if store is None or store.response != response:
            raise forms.ValidationError(_("The code does not match the picture. Please retype the new code."))
        return value


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)  # Category.name follows the active language


class AskForm(forms.Form):
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), empty_label=_("— choose —")
    )
    question = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 7}))
    name = forms.CharField(label=_("Name and surname"), max_length=NAME_MAX_LENGTH)
    email = forms.EmailField(label=_("E-mail"), max_length=EMAIL_MAX_LENGTH)
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data"),
        error_messages={"required": _("Without your consent we cannot process your question.")},
    )
    captcha = OneTimeCaptchaField(label=_("Retype the code"))
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args: Any, consent_text: ConsentText | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The text shown next to the checkbox; its version travels in a hidden input (the template writes it).
        self.consent_text = consent_text
        question = self.fields["question"]
        question.validators.append(MaxLengthValidator(settings.ASK_QUESTION_MAX_LENGTH))
        question.widget.attrs["maxlength"] = str(settings.ASK_QUESTION_MAX_LENGTH)
        self.fields[HONEYPOT_FIELD].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # Cleaning follows this order: the captcha first, so a bot's wrong code is refused before anything else.
        self.fields = {"captcha": self.fields["captcha"], **self.fields}

    def honeypot_filled(self) -> bool:
        """Checked before validation: a filled honeypot is refused without touching the database."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version = str(self.data.get("consent_version", ""))
        # The visitor agrees to the version they were shown, even if a newer one was published meanwhile.
        valid = re.fullmatch(r"[0-9]{1,9}", version) is not None  # int() of "²" or of 10**30 would fail later
        agreed = ConsentText.objects.filter(version=int(version)).first() if valid else None
        if agreed is None:
            self.add_error("consent", _("The consent text has changed. Please read it and agree again."))
        else:
            cleaned["consent_text"] = agreed
            self.consent_text = agreed
        return cleaned
