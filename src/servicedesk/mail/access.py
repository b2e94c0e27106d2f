"""Who may manage mailboxes (and the mail templates and the quarantine): superusers and agents with the
`mail.manage` permission."""

from servicedesk.desk.access import manager_check, manager_only

PERMISSION = "mail.manage"
can_manage = manager_check(PERMISSION)
manager_required = manager_only(PERMISSION)
