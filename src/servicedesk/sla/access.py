"""Who may manage calendars, SLA plans and contracts: superusers and agents with the `sla.manage` permission
(the desk managers, who also receive the SLA breach notifications)."""

from servicedesk.desk.access import manager_check, manager_only

PERMISSION = "sla.manage"
can_manage = manager_check(PERMISSION)
manager_required = manager_only(PERMISSION)
