from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "servicedesk.webhooks"
    label = "webhooks"
