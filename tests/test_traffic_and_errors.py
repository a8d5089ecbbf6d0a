import math

import pytest
from pydantic import ValidationError

from constructs_lib import ConfigurationError, TrafficHint


def test_defaults_are_stated_and_non_negative():
    hint = TrafficHint()
    assert hint.requests_per_month == 0
    assert hint.busy_hours_per_day == 24
    assert hint.peak_requests_per_second is None


def test_hint_is_frozen():
    hint = TrafficHint(requests_per_month=10)
    with pytest.raises(ValidationError, match="frozen"):
        hint.requests_per_month = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("requests_per_month", -1, "greater than or equal to 0"),
        ("avg_duration_ms", math.nan, "finite number"),
        ("payload_kb", math.inf, "finite number"),
        ("busy_hours_per_day", 0, "greater than 0"),
        ("busy_hours_per_day", 25, "less than or equal to 24"),
        ("peak_requests_per_second", -0.5, "greater than or equal to 0"),
    ],
)
def test_bad_hint_names_field_value_and_allowed(field, value, allowed):
    with pytest.raises(ConfigurationError,
                       match=rf"'TrafficHint'[\s\S]*{field}={value!r}: .*{allowed}"):
        TrafficHint(**{field: value})


def test_unknown_field_is_refused():
    with pytest.raises(ConfigurationError,
                       match=r"requests_per_day=5: Extra inputs are not permitted"):
        TrafficHint(requests_per_day=5)


def test_error_is_a_value_error_with_problems():
    with pytest.raises(ValueError) as info:
        TrafficHint(requests_per_month=-1, avg_duration_ms=-1)
    error = info.value
    assert isinstance(error, ConfigurationError)
    assert [p.field for p in error.problems] == ["requests_per_month", "avg_duration_ms"]


def test_peak_defaults_to_average_rate_in_busy_hours():
    hint = TrafficHint(requests_per_month=730 * 3600, busy_hours_per_day=12)
    assert hint.effective_peak_rps == pytest.approx(2.0)
