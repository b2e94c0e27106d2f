"""People and organizations: customers (organizations and their contacts), agents and their teams."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.lib.memo import TimedMemo
from servicedesk.lib.text import fold


class Language(models.TextChoices):
    CZECH = "cs", _("Czech")
    ENGLISH = "en", _("English")


class User(AbstractUser):
    """A login. Agents are staff users; a contact that may sign in has a user whose login is its e-mail."""

    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)

    @property
    def is_agent(self) -> bool:
        return self.is_active and self.is_staff

    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_first_level = models.BooleanField(
        _("first-level team"), default=False, help_text=_("The team that takes new tickets first.")
    )
    members = models.ManyToManyField(User, related_name="teams", blank=True, verbose_name=_("members"))

    class Meta:
        ordering = ["-is_first_level", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def first_level(cls) -> Team | None:
        return cls.objects.filter(is_first_level=True).first()

    @classmethod
    def first_level_id(cls) -> int | None:
        """The first-level team's id, remembered for a while: every new ticket asks for it."""
        return _first_level_memo.get()


class Organization(models.Model):
    """A customer."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    company_id = models.CharField(_("company ID (IČO)"), max_length=20, blank=True)
    vat_id = models.CharField(_("VAT ID (DIČ)"), max_length=20, blank=True)
    email_domains = models.JSONField(
        _("e-mail domains"), default=list, blank=True, help_text=_("Senders from these domains belong here.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Folded name, IČO and DIČ: SQLite's LIKE ignores case only for ASCII, so "čez" must find "ČEZ" here.
    search_text = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold(" ".join([self.name, self.company_id, self.vat_id]))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @classmethod
    def for_email(cls, address: str) -> Organization | None:
        domain = address.rsplit("@", 1)[-1].lower()
        for organization in cls.objects.filter(active=True).only("id", "email_domains", "name"):
            if domain in [d.lower() for d in organization.email_domains]:
                return organization
        return None


class ContactRole(models.TextChoices):
    USER = "user", _("User (sees own tickets)")
    MANAGER = "manager", _("Manager (sees all tickets of the organization)")


class ContactQuerySet(models.QuerySet["Contact"]):
    def matching(self, text: str) -> ContactQuerySet:
        """Contacts whose name, e-mail or phone contains the text: the hotline's caller look-up."""
        text = text.strip()
        if not text:
            return self.none()
        digits = "".join(ch for ch in text if ch.isdigit())
        folded = fold(text)
        condition = Q(search_text__contains=folded) | Q(organization__search_text__contains=folded)
        if len(digits) >= 3:
            # "+420 601 234 567" finds a number stored without the country prefix, and the reverse.
            condition |= Q(phone_digits__contains=digits[-9:])
        return self.filter(condition)


class Contact(models.Model):
    """A person of a customer organization."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="contacts",
        null=True,
        blank=True,
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name and surname"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    other_emails = models.JSONField(_("other e-mail addresses"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    # The digits of every phone number, space-separated: the hotline finds "+420 601 234 567" by "601234".
    phone_digits = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    # Folded name and e-mail addresses, for look-ups that ignore case and diacritics on every database.
    search_text = models.CharField(max_length=500, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.CZECH)
    role = models.CharField(_("role"), max_length=10, choices=ContactRole.choices, default=ContactRole.USER)
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name=_("login"),
    )
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        self.phone_digits = " ".join(
            "".join(ch for ch in number if ch.isdigit()) for number in self.phone.replace(";", ",").split(",")
        ).strip()
        self.search_text = fold(" ".join([self.name, self.email, *self.other_emails]))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "phone_digits", "email"}
        super().save(*args, **kwargs)

    @property
    def is_manager(self) -> bool:
        return self.role == ContactRole.MANAGER


class Invitation(models.Model):
    """A link that lets a contact set the password of their new login (accounts/invitations.py).

    Only a hash of the token is stored: the link in the e-mail is the one copy of the secret. Single use, valid until
    `expires_at`; inviting again revokes the links sent before."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_sent"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.contact} ({self.created_at:%Y-%m-%d})"


# Every new ticket asks which team is first level; teams change a few times a year.
_first_level_memo: TimedMemo[int | None] = TimedMemo(
    lambda: Team.objects.filter(is_first_level=True).values_list("pk", flat=True).first(),
    lambda: settings.TEAM_CACHE_SECONDS,
)
models.signals.post_save.connect(_first_level_memo.forget, sender=Team, weak=False)
models.signals.post_delete.connect(_first_level_memo.forget, sender=Team, weak=False)
