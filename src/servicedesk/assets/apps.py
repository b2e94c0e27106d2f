from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "servicedesk.assets"
    label = "assets"
