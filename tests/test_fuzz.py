"""Generated configurations, valid and near-valid (one field or one rule broken at a time).

Valid ones must build, synthesize and lint clean (cfn-lint, in-process), and every capacity
shortfall of their estimate must be a ``constructs-lib:capacity`` synth warning on the
construct; invalid ones must raise ``ConfigurationError``; nothing else may ever be raised.
Example counts come from the Hypothesis profile (``ci``: 25 per construct;
``HYPOTHESIS_PROFILE=dev`` for more). Constructs: RealTimeEndpoint, ServerlessEndpoint,
AsyncEndpoint, BatchTransform, MultiModelEndpoint, variants added one by one (against an
oracle of SageMaker's variant rules), and InferenceComponentEndpoint (its components against
the instance type's facts).
"""

from __future__ import annotations

import math
import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template
from hypothesis import given, note, settings
from hypothesis import strategies as st

from constructs_lib import (
    AsyncEndpoint,
    BatchTransform,
    ConfigurationError,
    InferenceComponentEndpoint,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
    load_price_book,
)
from constructs_lib.spec.inference_components import instance_capacity, instance_problems
from constructs_lib.spec.instances import burstable, instance_facts

from .conftest import ARTIFACT, IMAGE
from .hardening import cfn_lint

HOSTING_TYPES = sorted(load_price_book().known_instance_types("us-east-1"))
UNPRICED_TYPES = ["ml.r5.large", "ml.c6i.xlarge"]
"""Types SageMaker sells (in CloudFormation's enum, which cfn-lint checks) that the packaged book
has no price for: valid configs, unpriced (they synthesize)."""
SCALABLE_TYPES = [t for t in HOSTING_TYPES if not burstable(t)]
"""What SageMaker scales: not the burstable types (ml.t2...)."""
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
        # (A refused variant leaves its endpoint as it was: checked where it is added.)
        assert stack.node.try_find_child("Ep") is None or error.kind == "Variant"
        return
    assert valid, "an invalid configuration was accepted"
    template = Template.from_stack(stack).to_json()
    assert cfn_lint(template) == []
    annotations = Annotations.from_stack(stack)
    for child in stack.node.find_all():
        estimate = getattr(child, "cost_estimate", None)
        for shortfall in estimate.warnings if estimate is not None else ():
            # add_warning_v2 appends its id: "<text> [ack: constructs-lib:capacity]"
            annotations.has_warning(f"/{child.node.path}", Match.string_like_regexp(
                "^" + re.escape(shortfall)))


RT_BREAKS = ["instance_type", "instance_count", "autoscaling", "endpoint_name",
             "sampling", "traffic.requests_per_month", "traffic.avg_duration_ms",
             "traffic.payload_kb", "traffic.busy_hours_per_day", "count_outside_scaling",
             "volume_size_gb", "concurrency", "burstable_autoscaling"]


@st.composite
def realtime_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    broken = draw(st.none() | st.sampled_from(RT_BREAKS))  # about half valid
    props: dict[str, Any] = {
        "model": {"image_uri": IMAGE, "model_data_url": ARTIFACT},
        "instance_type": draw(st.sampled_from(HOSTING_TYPES + UNPRICED_TYPES)),
        "traffic": draw(traffic(6144, 60_000, broken.split(".")[1] if broken and
                                broken.startswith("traffic.") else None)),
    }
    if draw(st.booleans()) and not burstable(props["instance_type"]):
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
    if not nvme(props["instance_type"]) and draw(st.booleans()):
        props["volume_size_gb"] = draw(st.integers(1, 512))
    if draw(st.booleans()):
        props["max_concurrent_requests_per_instance"] = draw(st.integers(1, 1000))
    if broken == "volume_size_gb":
        props["volume_size_gb"] = draw(st.sampled_from([0, 513, -1, True]))
    elif broken == "concurrency":
        props["max_concurrent_requests_per_instance"] = draw(st.sampled_from([0, 1001, 2.5]))
    if broken == "instance_type":
        props["instance_type"] = draw(st.sampled_from(["m5.large", "ml.M5.large",
                                                       "ml.m5"]))
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
    elif broken == "burstable_autoscaling":
        props["instance_type"] = "ml.t2.medium"
        props.pop("volume_size_gb", None)
        props["autoscaling"] = {"min_instances": 1, "max_instances": 2}
        props.pop("instance_count", None)
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


def nvme(instance_type: str) -> bool:
    facts = instance_facts(instance_type)
    return facts is not None and facts.local_nvme_storage


def with_key(props: dict[str, Any]) -> Any:
    """A builder that gives the construct a rotated KMS key of its stack when ``kms`` is set."""
    def build(make: Any) -> Any:
        def run(stack: cdk.Stack) -> Any:
            extra = dict(props)
            if extra.pop("kms", False):
                extra["kms_key"] = kms.Key(stack, "Key", enable_key_rotation=True)
            return make(stack, extra)
        return run
    return build


AS_BREAKS = ["min_above_max", "max_instances", "concurrency", "timeout", "duration_over_timeout",
             "prefix", "same_prefixes", "serverless", "instance_type", "traffic.payload_kb",
             "traffic.requests_per_month", "volume_on_nvme"]
BAD_PREFIX = st.sampled_from(["input", "/input/", "in put/", "", "a" * 202 + "/"])


@st.composite
def async_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    broken = draw(st.none() | st.sampled_from(AS_BREAKS))
    timeout = draw(st.integers(1, 3600))
    low = draw(st.integers(0, 3))
    props: dict[str, Any] = {
        "model": {"image_uri": IMAGE, "model_data_url": ARTIFACT},
        "instance_type": draw(st.sampled_from(SCALABLE_TYPES)),
        "traffic": draw(traffic(1_048_576, timeout * 1000, broken.split(".")[1] if broken and
                                broken.startswith("traffic.") else None)),
        "min_instances": low, "max_instances": draw(st.integers(max(low, 1), 10)),
        "invocation_timeout_s": timeout,
    }
    if draw(st.booleans()):
        props["max_concurrent_invocations_per_instance"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        props["input_prefix"], props["output_prefix"], props["failure_prefix"] = draw(
            st.lists(st.from_regex(r"\A[a-z0-9][a-z0-9/_-]{0,20}/\Z"), min_size=3, max_size=3,
                     unique=True))
    props["kms"] = draw(st.integers(0, 3)) == 0
    if not nvme(props["instance_type"]) and draw(st.booleans()):
        props["volume_size_gb"] = draw(st.integers(1, 512))
    if broken == "volume_on_nvme":
        props["instance_type"] = draw(st.sampled_from(["ml.g5.xlarge", "ml.g4dn.xlarge"]))
        props["volume_size_gb"] = draw(st.integers(1, 512))
    elif broken == "min_above_max":
        props["min_instances"] = props["max_instances"] + draw(st.integers(1, 5))
    elif broken == "max_instances":
        props["max_instances"] = draw(st.sampled_from([0, -1, 1001]))
        props["min_instances"] = 0
    elif broken == "concurrency":
        props["max_concurrent_invocations_per_instance"] = draw(st.sampled_from([0, -2, 1001]))
    elif broken == "timeout":
        props["invocation_timeout_s"] = draw(st.sampled_from([0, -1, 3601, 86400]))
    elif broken == "duration_over_timeout":
        props["traffic"]["avg_duration_ms"] = timeout * 1000 + draw(st.floats(1, 1e6))
    elif broken == "prefix":
        props[draw(st.sampled_from(["input_prefix", "output_prefix", "failure_prefix"]))] = \
            draw(BAD_PREFIX)
    elif broken == "same_prefixes":
        props["output_prefix"] = props["failure_prefix"] = "results/"
    elif broken == "serverless":
        props[draw(st.sampled_from(["memory_mb", "max_concurrency", "provisioned_concurrency"]))] \
            = draw(st.integers(1, 6144))
    elif broken == "instance_type":
        props["instance_type"] = draw(st.sampled_from(["m5.large", None,
                                                       "ml.t2.medium"]))  # burstable
    return props, broken is None


@given(async_configs())
def test_async_endpoint_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config
    check(with_key(props)(lambda s, p: AsyncEndpoint(s, "Ep", **p)), valid, "AsyncEndpoint")


BT_BREAKS = ["schedule", "instance_count", "concurrent_payload", "input_s3_uri",
             "output_s3_uri", "same_uris", "records", "timeout_hours", "job_name_prefix",
             "traffic.avg_duration_ms"]
S3_KEY = st.from_regex(r"\A[a-z0-9][a-z0-9/_-]{0,30}/\Z")


@st.composite
def batch_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    broken = draw(st.none() | st.sampled_from(BT_BREAKS))
    keys = draw(st.lists(S3_KEY, min_size=2, max_size=2, unique_by=lambda k: k.rstrip("/")))
    payload = draw(st.none() | st.integers(0, 100))
    props: dict[str, Any] = {
        "model": {"image_uri": IMAGE, "model_data_url": ARTIFACT},
        "instance_type": draw(st.sampled_from(HOSTING_TYPES)),
        "traffic": {"records_per_run": draw(st.floats(0, 1e9)),
                    "runs_per_month": draw(st.floats(0, 1000)),
                    "avg_duration_ms": draw(st.floats(0, 1e4))},
        "input_s3_uri": f"s3://data-bucket/{keys[0]}",
        "output_s3_uri": f"s3://{draw(st.sampled_from(['data-bucket', 'out.bucket-2']))}/"
                         f"{keys[1]}",
        "schedule": draw(st.sampled_from(["cron(0 2 * * ? *)", "rate(1 day)", "rate(6 hours)",
                                          "cron(15 3 ? * MON-FRI *)"])),
        "instance_count": draw(st.integers(1, 100)),
        "max_payload_mb": payload,
        "max_concurrent_transforms": draw(st.none() | st.integers(
            1, max(1, min(100, 100 // max(payload if payload is not None else 6, 1))))),
        "timeout_hours": draw(st.floats(0.1, 48)),
        "kms": draw(st.integers(0, 3)) == 0,
    }
    if draw(st.booleans()):
        props["job_name_prefix"] = draw(st.from_regex(r"\A[a-zA-Z0-9](-?[a-zA-Z0-9]){0,20}\Z"))
    if broken == "schedule":
        props["schedule"] = draw(st.sampled_from(["cron(0 2 * *)", "daily", "rate(0 days)",
                                                  "rate(1 fortnight)", ""]))
    elif broken == "instance_count":
        props["instance_count"] = draw(st.sampled_from([0, -1, 101]))
    elif broken == "concurrent_payload":
        props["max_payload_mb"] = draw(st.integers(6, 100))
        props["max_concurrent_transforms"] = 100 // props["max_payload_mb"] + 1
    elif broken in ("input_s3_uri", "output_s3_uri"):
        props[broken] = draw(st.sampled_from(["https://b/in/", "s3://", "s3://Bad_Bucket/x/",
                                              "data-bucket/in/"]))
    elif broken == "same_uris":
        props["output_s3_uri"] = props["input_s3_uri"].rstrip("/")
    elif broken == "records":
        del props["traffic"][draw(st.sampled_from(["records_per_run", "runs_per_month"]))]
    elif broken == "timeout_hours":
        props["timeout_hours"] = draw(st.sampled_from([0, -1, 24 * 366]))
    elif broken == "job_name_prefix":
        props["job_name_prefix"] = draw(st.sampled_from(["-x", "a_b", "a" * 40, ""]))
    elif broken == "traffic.avg_duration_ms":
        props["traffic"]["avg_duration_ms"] = draw(BAD_FLOATS)
    return props, broken is None


@given(batch_configs())
def test_batch_transform_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config
    check(with_key(props)(lambda s, p: BatchTransform(s, "Ep", **p)), valid, "BatchTransform")


MM_BREAKS = ["prefix", "both", "neither", "model_name", "kms_nvme", "shadow", "single_model",
             "instance_count", "weights_zero", "duplicate_variant"]


@st.composite
def multimodel_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    broken = draw(st.none() | st.sampled_from(MM_BREAKS))
    instance_type = draw(st.sampled_from(HOSTING_TYPES))
    props: dict[str, Any] = {
        "image_uri": IMAGE, "models_s3_prefix": f"s3://tenant-models/{draw(S3_KEY)}",
        "instance_type": instance_type,
        "kms": not nvme(instance_type) and draw(st.integers(0, 3)) == 0,
    }
    if draw(st.booleans()):
        props["models"] = {f"customer-{i:03d}.tar.gz": draw(traffic(6144, 60_000, None))
                           for i in range(draw(st.integers(1, 5)))}
    else:
        props["traffic"] = draw(traffic(6144, 60_000, None))
    if draw(st.booleans()) and not burstable(instance_type):
        low = draw(st.integers(1, 3))
        props["autoscaling"] = {"min_instances": low, "max_instances": draw(st.integers(low, 6))}
    elif draw(st.booleans()):
        props["instance_count"] = draw(st.integers(1, 5))
    variants = draw(st.integers(0, 2))
    props["variants"] = [{"name": f"v{i}", "weight": draw(st.floats(0.1, 5)),
                          "model": {"image_uri": IMAGE,
                                    "model_data_url": f"s3://tenant-models/v{i}/"}}
                         for i in range(variants)]
    if broken == "prefix":
        props["models_s3_prefix"] = draw(st.sampled_from(["s3://tenant-models/scoring",
                                                          "tenant-models/x/", "s3://B_b/x/"]))
    elif broken == "both":
        props["traffic"] = props["models"] = {"a.tar.gz": {}}
        props["traffic"] = {}
    elif broken == "neither":
        props.pop("traffic", None)
        props.pop("models", None)
    elif broken == "model_name":
        props.pop("traffic", None)
        props["models"] = {" leading.tar.gz": {}}
    elif broken == "kms_nvme":
        props["instance_type"] = draw(st.sampled_from([t for t in HOSTING_TYPES if nvme(t)]))
        props["kms"] = True
    elif broken == "shadow":
        props["variants"] = [{"name": "s", "shadow": True}]
    elif broken == "single_model":
        props["variants"] = [{"name": "b", "model": {"image_uri": IMAGE,
                                                     "model_data_url": ARTIFACT}}]
    elif broken == "instance_count":
        props.pop("autoscaling", None)
        props["instance_count"] = draw(st.sampled_from([0, 1001]))
    elif broken == "weights_zero":
        props["variant_weight"] = 0
        props["variants"] = [{**v, "weight": 0} for v in props["variants"]]
    elif broken == "duplicate_variant":
        props["variants"] = [{"name": "AllTraffic"}]
    return props, broken is None


@given(multimodel_configs())
def test_multimodel_endpoint_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config
    check(with_key(props)(lambda s, p: MultiModelEndpoint(s, "Ep", **p)), valid,
          "MultiModelEndpoint")


IC_TYPES = [t for t in HOSTING_TYPES if instance_capacity(t) and not instance_problems(t)]
IC_BREAKS = ["burstable", "accelerators", "memory_mb", "cpu_cores", "copies", "min_above_max",
             "placement", "timeout", "traffic.payload_kb", "traffic.avg_duration_ms"]


@st.composite
def inference_component_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    """An endpoint and 1-3 components that each fit its instance type (facts from
    instance_types.json), with at least as many instances as first copies, so any placement
    fits; or one rule broken, placement included: each first copy then takes a whole
    instance's memory, and there is one instance too few."""
    broken = draw(st.none() | st.sampled_from(IC_BREAKS))
    instance_type = draw(st.sampled_from(IC_TYPES))
    cap = instance_capacity(instance_type)
    assert cap is not None
    components: dict[str, dict[str, Any]] = {}
    for i in range(draw(st.integers(1, 3))):
        low = draw(st.integers(0, 2))
        components[f"m{i}"] = {
            "model": {"image_uri": IMAGE, "model_data_url": f"s3://models-bucket/m{i}/"},
            "traffic": draw(traffic(6144, 60_000, broken.split(".")[1] if broken and
                                    broken.startswith("traffic.") else None)),
            "accelerators": draw(st.integers(0, cap.accelerators)),
            "memory_mb": draw(st.integers(128, cap.memory_mb)),
            "cpu_cores": draw(st.none() | st.sampled_from(
                [c for c in (0.25, 1.0, 2.0, cap.cpu_cores) if c <= cap.cpu_cores])),
            "min_copies": low, "max_copies": draw(st.integers(max(low, 1), 4)),
            "target_concurrent_requests_per_copy": draw(st.floats(0.1, 100)),
            "model_data_download_timeout_s": draw(st.none() | st.integers(60, 3600)),
        }
    first = next(iter(components.values()))
    copies = sum(max(c["min_copies"], 1) for c in components.values())
    low = draw(st.integers(0, 2))
    props: dict[str, Any] = {"instance_type": instance_type, "min_instances": low,
                             "max_instances": draw(st.integers(max(low, copies), copies + 4)),
                             "components": components}
    if broken == "burstable":
        props["instance_type"] = "ml.t2.medium"
    elif broken == "accelerators":
        first["accelerators"] = cap.accelerators + draw(st.integers(1, 4))
    elif broken == "memory_mb":
        first["memory_mb"] = draw(st.sampled_from([cap.memory_mb + 1, 64, 0]))
    elif broken == "cpu_cores":
        first["cpu_cores"] = draw(st.sampled_from([cap.cpu_cores + 1, 0.1]))
    elif broken == "copies":
        first["min_copies"], first["max_copies"] = 3, 2
    elif broken == "min_above_max":
        props["min_instances"] = props["max_instances"] + 1
    elif broken == "timeout":
        first["model_data_download_timeout_s"] = draw(st.sampled_from([0, 59, 3601]))
    elif broken == "placement":
        components["extra"] = {**first, "model": {"image_uri": IMAGE}}
        for c in components.values():
            c.update(memory_mb=cap.memory_mb, min_copies=0)
        props["min_instances"], props["max_instances"] = 0, len(components) - 1
    return props, broken is None


@given(inference_component_configs())
def test_inference_component_endpoint_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config
    check(lambda s: InferenceComponentEndpoint(s, "Ep", **props), valid,
          "InferenceComponentEndpoint")


def fleet_ok(primary_weight: float, variants: list[dict[str, Any]]) -> bool:
    """SageMaker's variant rules, stated independently of the library (the oracle)."""
    names = ["AllTraffic"] + [v["name"] for v in variants]
    production = [primary_weight] + [v["weight"] for v in variants if not v["shadow"]]
    shadows = [v for v in variants if v["shadow"]]
    return (len(names) <= 10 and len(set(names)) == len(names) and sum(production) > 0
            and (not shadows or (len(shadows) == 1 and len(production) == 1)))


@st.composite
def variant_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    """A RealTimeEndpoint and variants added one by one (each addition is checked, so the
    sequence is valid when every prefix of it is)."""
    # Weighted towards valid fleets (Hypothesis favours early choices); each rule is broken
    # now and then.
    primary = draw(st.sampled_from([1.0, 0.5, 1.0, 0.0]))
    count = draw(st.sampled_from([1, 2, 3, 1, 0, 9, 10]))
    variants = [{"name": draw(st.sampled_from([f"v{i}"] * 12 + ["v0", "AllTraffic"])),
                 "weight": draw(st.sampled_from([1.0, 0.2, 3.0, 1.0, 0.0])),
                 "shadow": draw(st.integers(0, 9)) == 9,
                 "instance_type": draw(st.none() | st.sampled_from(HOSTING_TYPES[:8]))}
                for i in range(count)]
    valid = all(fleet_ok(primary, variants[:n]) for n in range(count + 1))
    return {"variant_weight": primary, "variants": variants}, valid


@given(variant_configs())
def test_variant_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config

    def build(stack: cdk.Stack) -> None:
        ep = RealTimeEndpoint(stack, "Ep", model={"image_uri": IMAGE, "model_data_url": ARTIFACT},
                              instance_type="ml.m5.large", traffic=TrafficHint(
                                  requests_per_month=1_000_000, avg_duration_ms=30),
                              variant_weight=props["variant_weight"])
        for v in props["variants"]:
            before = [c.node.id for c in ep.node.children]
            try:
                ep.add_variant(v["name"], weight=v["weight"], shadow=v["shadow"],
                               instance_type=v["instance_type"])
            except ConfigurationError:
                assert [c.node.id for c in ep.node.children] == before  # nothing half-built
                raise

    check(build, valid, "Variant")


LLM_BREAKS = ["startup_timeout", "download_timeout", "routing", "ami", "hostname",
              "duplicate_hostname", "containers", "uncompressed_object"]
GPU_AMIS = ["al2-ami-sagemaker-inference-gpu-2", "al2-ami-sagemaker-inference-gpu-3-1",
            "al2023-ami-sagemaker-inference-gpu-4-1"]
NEURON_AMI = "al2-ami-sagemaker-inference-neuron-2"
PARAMETER = "<a CfnParameter of the stack>"
"""Replaced, when the construct is built, by a parameter's value: a bare token."""


@st.composite
def container_configs(draw: st.DrawFn, hostname: str | None) -> dict[str, Any]:
    image = draw(st.sampled_from(["literal", "dlc", "parameter"]))
    container: dict[str, Any] = {
        "literal": {"image_uri": IMAGE},
        "dlc": {"image": {"kind": "dlc", "framework": "pytorch", "version": "2.6.0",
                          "processor": "cpu"}},
        "parameter": {"image_uri": PARAMETER}}[image]
    data = draw(st.sampled_from(["none", "object", "uncompressed", "parameter"]))
    if data == "object":
        container["model_data_url"] = ARTIFACT
    elif data == "uncompressed":
        container["model_data"] = {"kind": "s3", "url": "s3://llm-weights/llama/",
                                   "uncompressed": True}
    elif data == "parameter":
        container["model_data_url"] = PARAMETER
    if hostname is not None:
        container["hostname"] = hostname
    return container


@st.composite
def llm_configs(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    """A real-time endpoint with sources, token URIs, 1-15 containers and the LLM variant
    options; one rule broken at a time."""
    broken = draw(st.none() | st.sampled_from(LLM_BREAKS))
    instance_type = draw(st.sampled_from(["ml.g5.xlarge", "ml.g5.2xlarge", "ml.inf2.xlarge",
                                          "ml.m5.large", "ml.c5.xlarge"]))
    count = draw(st.sampled_from([1, 1, 2, 3, 15]))
    direct = count > 1 and draw(st.booleans())
    named = direct or (count > 1 and draw(st.booleans()))
    containers = [draw(container_configs(f"c{i}" if named else None)) for i in range(count)]
    props: dict[str, Any] = {
        "instance_type": instance_type,
        "traffic": {"requests_per_month": draw(st.floats(0, 1e7)),
                    "avg_duration_ms": draw(st.floats(1, 60_000))},
        "container_startup_health_check_timeout_s": draw(st.none() | st.integers(60, 3600)),
        "model_data_download_timeout_s": draw(st.none() | st.integers(60, 3600)),
        "routing_strategy": draw(st.sampled_from([None, "LEAST_OUTSTANDING_REQUESTS", "RANDOM"])),
        "enable_ssm_access": draw(st.booleans()),
    }
    if instance_type.startswith("ml.g"):
        props["inference_ami_version"] = draw(st.none() | st.sampled_from(GPU_AMIS))
    elif instance_type.startswith("ml.inf2"):
        props["inference_ami_version"] = draw(st.sampled_from([None, NEURON_AMI]))
    if broken == "startup_timeout":
        props["container_startup_health_check_timeout_s"] = draw(st.sampled_from([0, 59, 3601]))
    elif broken == "download_timeout":
        props["model_data_download_timeout_s"] = draw(st.sampled_from([-1, 59, 7200]))
    elif broken == "routing":
        props["routing_strategy"] = draw(st.sampled_from(["PREFIX_AWARE", "least", ""]))
    elif broken == "ami":
        props["inference_ami_version"] = (GPU_AMIS[0] if not instance_type.startswith("ml.g")
                                          else NEURON_AMI)
    elif broken == "hostname":
        direct = True
        containers = [draw(container_configs(None)) for _ in range(max(count, 2))]
    elif broken == "duplicate_hostname":
        containers = [draw(container_configs("same")) for _ in range(max(count, 2))]
    elif broken == "containers":
        containers = [draw(container_configs(None)) for _ in range(16)]
    elif broken == "uncompressed_object":
        containers[0] = {**containers[0], "model_data_url": None, "model_data": {
            "kind": "s3", "url": "s3://llm-weights/llama/model.safetensors", "uncompressed": True}}
    if len(containers) == 1:
        props["model"] = containers[0]
    else:
        props["model"] = {"containers": containers,
                          "inference_execution_mode": "Direct" if direct else "Serial"}
    return props, broken is None


def with_parameters(value: Any, stack: cdk.Stack) -> Any:
    """``value`` with each :data:`PARAMETER` replaced by a new parameter's value."""
    if value == PARAMETER:
        return cdk.CfnParameter(stack, f"P{len(stack.node.children)}").value_as_string
    if isinstance(value, dict):
        return {k: with_parameters(v, stack) for k, v in value.items()}
    if isinstance(value, list):
        return [with_parameters(v, stack) for v in value]
    return value


@given(llm_configs())
def test_llm_hosting_configs(config: tuple[dict[str, Any], bool]) -> None:
    props, valid = config
    check(lambda s: RealTimeEndpoint(s, "Ep", **with_parameters(props, s)), valid,
          "RealTimeEndpoint (sources, pipelines, LLM options)")


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
