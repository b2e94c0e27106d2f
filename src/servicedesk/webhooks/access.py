"""Who may manage webhooks: superusers, and agents given the `webhooks.manage` permission."""

from servicedesk.desk.access import manager_check, manager_only

PERMISSION = "webhooks.manage"
can_manage = manager_check(PERMISSION)
manager_required = manager_only(PERMISSION)
