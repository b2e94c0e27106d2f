from django import template

from servicedesk.portal.presentation import customer_state

register = template.Library()


@register.filter
def customer_state_label(state: str) -> str:
    """The state as the customer reads it: "Waiting for your reply" rather than "Waiting for customer"."""
    return customer_state(state)


@register.filter
def hours_minutes(minutes: int) -> str:
    """90 → "1:30"."""
    return f"{minutes // 60}:{minutes % 60:02d}"
