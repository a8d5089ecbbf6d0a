"""Generated configurations, valid and near-valid (one field or one rule broken at a time).

Valid ones must build, synthesize and lint clean (cfn-lint, in-process); invalid ones must
raise ``ConfigurationError``; nothing else may ever be raised. Example counts come from the
Hypothesis profile (``ci``: 25 per construct; ``HYPOTHESIS_PROFILE=dev`` for more).
"""

from __future__ import annotations

import math
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template
from hypothesis import given, note, settings
from hypothesis import strategies as st

from constructs_lib import (
    ConfigurationError,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
    load_price_book,
)

from .conftest import ARTIFACT, IMAGE
from .hardening import cfn_lint

HOSTING_TYPES = sorted(load_price_book().known_instance_types("us-east-1"))
EXAMPLES: dict[str, int] = {}
"""Examples run per test in this session (reported by the hardening summary)."""

BAD_FLOATS = st.sampled_from([-1.0, -1e-9, math.nan, math.inf, -math.inf])
NAME = st.from_regex(r"\A[a-zA-Z0-9](-?[a-zA-Z0-9]){0,20}\Z")
BAD_NAME = st.sampled_from(["", "-x", "has space", "under_score", "a" * 64, "x-"])


def traffic(max_payload_kb: float, max_duration_ms: float,
            broken: str | None) -> st.SearchStrategy[dict[str, Any]]:
    """A traffic hint within a kind's limits; ``broken`` names one field to make invalid."""
    fields = {
        "requests_per_month": st.floats(0, 1e10),
        "avg_duration_ms": st.floats(0, max_duration_ms),
        "payload_kb": st.floats(0, max_payload_kb),
        "response_kb": st.floats(0, min(max_payload_kb, 6144)),
        "peak_requests_per_second": st.none() | st.floats(0, 1e4),
        "busy_hours_per_day": st.floats(0.5, 24),
    }
    breaks = {
        "requests_per_month": BAD_FLOATS,
        "avg_duration_ms": BAD_FLOATS | st.floats(max_duration_ms + 1, 1e7),
        "payload_kb": BAD_FLOATS | st.floats(max_payload_kb + 1, 1e7),
        "peak_requests_per_second": BAD_FLOATS,
        "busy_hours_per_day": st.sampled_from([0.0, -1.0, 24.5, math.nan]),
    }
    if broken in breaks:
        fields[broken] = breaks[broken]
    return st.fixed_dictionaries(fields)


def check(build: Any, valid: bool, name: str) -> None:
    """Build in a fresh stack; valid -> synthesizes and lints clean, invalid -> the error."""
    EXAMPLES[name] = EXAMPLES.get(name, 0) + 1
    EXAMPLES[f"{name} valid"] = EXAMPLES.get(f"{name} valid", 0) + int(valid)
    stack = cdk.Stack(cdk.App(), "Fuzz", env=cdk.Environment(region="us-east-1"))
    try:
        build(stack)
    except ConfigurationError as error:
        note(str(error))
        assert not valid, f"a valid configuration was refused: {error}"
        assert stack.node.try_find_child("Ep") is None
        return
    assert valid, "an invalid configuration was accepted"
    template = Template.from_stack(stack).to_json()
    assert cfn_lint(template) == []


RT_BREAKS = ["instance_type", "instance_count", "autoscaling", "endpoint_name",
             "sampling", "traffic.requests_per_month", "traffic.avg_duration_ms",
             "traffic.payload_kb", "traffic.busy_hours_per_day", "count_outside_scaling"]


@st.composite
def realtime_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    broken = draw(st.none() | st.sampled_from(RT_BREAKS))  # about half valid
    props: dict[str, Any] = {
        "model": {"image_uri": IMAGE, "model_data_url": ARTIFACT},
        "instance_type": draw(st.sampled_from(HOSTING_TYPES)),
        "traffic": draw(traffic(6144, 60_000, broken.split(".")[1] if broken and
                                broken.startswith("traffic.") else None)),
    }
    if draw(st.booleans()):
        low = draw(st.integers(1, 4))
        props["autoscaling"] = {"min_instances": low,
                                "max_instances": draw(st.integers(low, 10)),
                                "target_invocations_per_instance": draw(st.floats(1, 1e5))}
        if draw(st.booleans()):
            props["instance_count"] = draw(st.integers(low, props["autoscaling"]["max_instances"]))
    elif draw(st.booleans()):
        props["instance_count"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        props["endpoint_name"] = draw(NAME)
    if draw(st.integers(0, 3)) == 0:
        props["data_capture"] = {"sampling_percentage": draw(st.integers(0, 100))}
    if broken == "instance_type":
        props["instance_type"] = draw(st.sampled_from(["ml.zz9.huge", "m5.large", "ml.M5.large",
                                                       "ml.t3.medium"]))
    elif broken == "instance_count":
        props.pop("autoscaling", None)
        props["instance_count"] = draw(st.sampled_from([0, -1, 1001, True]))
    elif broken == "autoscaling":
        props["autoscaling"] = draw(st.sampled_from([
            {"min_instances": 3, "max_instances": 2}, {"min_instances": 0},
            {"target_invocations_per_instance": 0}, {"scale_in_cooldown_s": -1}]))
        props.pop("instance_count", None)
    elif broken == "endpoint_name":
        props["endpoint_name"] = draw(BAD_NAME)
    elif broken == "sampling":
        props["data_capture"] = {"sampling_percentage": draw(st.sampled_from([-1, 101, 1.5]))}
    elif broken == "count_outside_scaling":
        props["autoscaling"] = {"min_instances": 2, "max_instances": 3}
        props["instance_count"] = draw(st.sampled_from([1, 4]))
    return props, broken is None


@given(realtime_configs())
def test_realtime_endpoint_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config
    check(lambda s: RealTimeEndpoint(s, "Ep", **props), valid, "RealTimeEndpoint")


SL_BREAKS = ["memory_mb", "max_concurrency", "provisioned_concurrency",
             "provisioned_above_max", "endpoint_name", "traffic.requests_per_month",
             "traffic.avg_duration_ms", "traffic.payload_kb", "traffic.peak_requests_per_second"]


@st.composite
def serverless_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    broken = draw(st.none() | st.sampled_from(SL_BREAKS))
    top = draw(st.integers(1, 200))
    props: dict[str, Any] = {
        "model": {"image_uri": IMAGE, "model_data_url": ARTIFACT},
        "traffic": draw(traffic(4096, 60_000, broken.split(".")[1] if broken and
                                broken.startswith("traffic.") else None)),
        "memory_mb": draw(st.sampled_from([1024, 2048, 3072, 4096, 5120, 6144])),
        "max_concurrency": top,
    }
    if draw(st.booleans()):
        props["provisioned_concurrency"] = draw(st.integers(1, top))
    if draw(st.booleans()):
        props["endpoint_name"] = draw(NAME)
    if broken == "memory_mb":
        props["memory_mb"] = draw(st.sampled_from([0, 512, 1023, 1025, 1536, 7168, 10240]))
    elif broken == "max_concurrency":
        props["max_concurrency"] = draw(st.sampled_from([0, -1, 201, 1000]))
        props.pop("provisioned_concurrency", None)
    elif broken == "provisioned_concurrency":
        props["provisioned_concurrency"] = draw(st.sampled_from([0, -1, 201]))
    elif broken == "provisioned_above_max":
        props["max_concurrency"] = min(top, 199)
        props["provisioned_concurrency"] = props["max_concurrency"] + 1
    elif broken == "endpoint_name":
        props["endpoint_name"] = draw(BAD_NAME)
    return props, broken is None


@given(serverless_configs())
def test_serverless_endpoint_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config
    check(lambda s: ServerlessEndpoint(s, "Ep", **props), valid, "ServerlessEndpoint")


ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10, 10**12)


@settings(max_examples=settings().max_examples * 8)  # no synth: cheap
@given(st.fixed_dictionaries({}, optional={
    "requests_per_month": ANY_FLOAT, "avg_duration_ms": ANY_FLOAT, "payload_kb": ANY_FLOAT,
    "busy_hours_per_day": ANY_FLOAT, "peak_requests_per_second": ANY_FLOAT | st.none(),
}))
def test_traffic_hint_accepts_exactly_the_finite_in_range_values(fields: dict[str, Any]) -> None:
    EXAMPLES["TrafficHint"] = EXAMPLES.get("TrafficHint", 0) + 1

    def ok(name: str, v: Any) -> bool:
        if v is None:
            return name == "peak_requests_per_second"
        if not math.isfinite(v) or v < 0:
            return False
        return 0 < v <= 24 if name == "busy_hours_per_day" else True

    valid = all(ok(k, v) for k, v in fields.items())
    try:
        hint = TrafficHint(**fields)
    except ConfigurationError:
        assert not valid
        return
    assert valid
    assert math.isfinite(hint.avg_requests_per_second_busy)


def teardown_module() -> None:
    print("\nfuzz examples run:", EXAMPLES)


def test_a_near_zero_duration_prices_without_overflow() -> None:
    # Found by the fuzzer: 5.9e-301 ms per request made the break-even volume infinite, and
    # round(inf) crashed the cost metadata half-way through synthesis.
    stack = cdk.Stack(cdk.App(), "Fuzz", env=cdk.Environment(region="us-east-1"))
    ep = ServerlessEndpoint(stack, "Ep", model={"image_uri": IMAGE}, memory_mb=1024,
                            max_concurrency=1, traffic={"avg_duration_ms": 5.8579e-301})
    alt = ep.cost_estimate.alternatives[0]
    assert alt.break_even_requests_per_month is None
    assert Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint")
