"""Configuration items: what the company looks after at a customer (the assets issue extends this)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organization


class ItemKind(models.TextChoices):
    SERVER = "server", _("Server")
    WORKSTATION = "workstation", _("Workstation")
    NETWORK = "network", _("Network device")
    PRINTER = "printer", _("Printer")
    APPLICATION = "application", _("Application")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class ConfigurationItem(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="items", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices, default=ItemKind.SERVER)
    hostname = models.CharField(_("hostname"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization__name", "name"]
        unique_together = [("organization", "name")]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")

    def __str__(self) -> str:
        return self.name
