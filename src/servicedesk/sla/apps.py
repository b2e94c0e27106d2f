from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from servicedesk.sla import config
        from servicedesk.webhooks import events

        config._connect()
        events.register(events.SLA_WARNING, _("SLA warning (a timer crossed a warning threshold)"))
        events.register(events.SLA_BREACHED, _("SLA breached (a deadline passed)"))
        events.register(events.SLA_CHANGED, _("SLA timer changed (started, paused, resumed, met, stopped, recomputed)"))
