from django.apps import AppConfig


class AskConfig(AppConfig):
    name = "servicedesk.ask"
    label = "ask"
