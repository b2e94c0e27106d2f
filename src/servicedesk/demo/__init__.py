"""Demo data: a believable month or three of an IT-services company's service desk.

Plain data lives in `people.py` and `scenarios.py`; `directory.py` creates the customers, agents and their
configuration items; `history.py` replays ticket histories through `servicedesk.tickets.actions` with the
domain clock set to the past; `loader.py` ties it together for the `servicedesk demo` command.
"""

# One password for every demo login: long enough for Django's validators and obviously not a real one.
DEMO_PASSWORD = "servicedesk-demo"  # noqa: S105 - printed on purpose, with a warning
