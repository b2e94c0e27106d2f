"""Durations of SLA targets as managers write them, and back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.sla.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("4h", 240), ("1d 2h", 1560), ("90m", 90), ("90", 90), (" 1h30m ", 90), ("2D", 2880), ("", None), ("0", 0)],
)
def test_parses_what_managers_write(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["4 hours", "h", "1h 1h", "-5", "1.5h", "4h x", "x 4h"])
def test_refuses_anything_else(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_formats_the_largest_units():
    assert format_duration(1560) == "1d 2h"
    assert format_duration(90) == "1h 30m"
    assert format_duration(240) == "4h"
    assert format_duration(0) == "0m"
    assert format_duration(None) == ""


@given(st.integers(min_value=0, max_value=10**7))
def test_format_then_parse_gives_the_same_minutes(minutes):
    assert parse_duration(format_duration(minutes)) == minutes
