"""Service-level agreements: calendars, plans, contracts; clock.py is the pure business-time arithmetic."""
