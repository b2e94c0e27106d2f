from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organization
from servicedesk.webhooks import events
from servicedesk.webhooks.models import Subscription


class SubscriptionForm(forms.ModelForm[Subscription]):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Events are POSTed here as JSON (http or https)."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=events.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "event_types", "organization", "include_internal", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = Organization.objects.filter(active=True).order_by("name")
        organization.empty_label = _("All organizations")
        self.fields["url"].widget.attrs["placeholder"] = "https://example.com/hooks/servicedesk"
