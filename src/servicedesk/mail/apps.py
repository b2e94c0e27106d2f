from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "servicedesk.mail"
    label = "mail"
