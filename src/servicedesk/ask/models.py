"""The public "Ask us" form: the versioned consent text, the consent each ticket was opened with, rate counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact
from servicedesk.tickets.models import Ticket

# The first version, used until an agent publishes another. It is data (what visitors agreed to), not a UI string.
DEFAULT_CONSENT_CS = (
    "Souhlasím se zpracováním svých osobních údajů (jméno, e-mail a obsah dotazu) za účelem vyřízení dotazu. "
    "Údaje uchováváme po dobu nezbytnou k jeho vyřízení a souhlas mohu kdykoli odvolat."
)
DEFAULT_CONSENT_EN = (
    "I agree to the processing of my personal data (name, e-mail address and the content of my question) "
    "in order to answer my question. The data are kept as long as needed to answer it, and I may withdraw "
    "my consent at any time."
)


class ConsentText(models.Model):
    """One published version of the consent text. Versions are never edited: a change is a new version."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    text_cs = models.TextField(_("Czech text"))
    text_en = models.TextField(_("English text"))
    published_at = models.DateTimeField(_("published"), default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self) -> str:
        return str(_("Version %(version)s") % {"version": self.version})

    def text(self, language: str) -> str:
        return self.text_en if language.startswith("en") else self.text_cs

    @classmethod
    def current(cls) -> ConsentText:
        """The newest version; the default one is published on first use so a fresh install has a working form."""
        latest = ConsentText.objects.order_by("-version").first()
        if latest is None:
            latest = ConsentText.publish(text_cs=DEFAULT_CONSENT_CS, text_en=DEFAULT_CONSENT_EN, by=None)
        return latest

    @classmethod
    @transaction.atomic
    def publish(cls, *, text_cs: str, text_en: str, by: object | None) -> ConsentText:
        """Publish a new version, numbered after the newest one."""
        # IMMEDIATE transactions on SQLite and the unique version make two concurrent publishers fail, not collide.
        number = (cls.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        return cls.objects.create(version=number, text_cs=text_cs.strip(), text_en=text_en.strip(), published_by=by)


class ConsentRecord(models.Model):
    """Proof of consent: which text version the visitor agreed to, when, from which address, in which language."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="ask_consent", verbose_name=_("ticket")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, related_name="ask_consents", verbose_name=_("contact")
    )
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="records", verbose_name=_("consent text")
    )
    agreed_at = models.DateTimeField(_("agreed at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5)

    class Meta:
        ordering = ["-agreed_at"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.consent_text}"


class RateCounter(models.Model):
    """Accepted attempts per (scope, key) in one fixed time window; shared by every process through the database.

    The key is a keyed hash of the IP or e-mail address: the counter table holds no personal data."""

    scope = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="ask_ratecounter_unique_window")
        ]
        indexes = [models.Index(fields=["window_start"])]
