"""The cost core alone, in a fresh process: ``python -m benchmarks.cost N``.

Validates the props of N constructs of the benchmark mix (every kind in
:mod:`benchmarks.kinds`), then times what the library does per construct at construction and at
synth: the estimate with its advice (every feasible alternative priced, with its break-even
volume) once for ``check_priceable`` and once at synth, ``to_metadata()`` and the summary, with
no CDK node in the way. Prints one JSON line: microseconds per construct over the mix and per
kind (medians of the repeats), and how many times a price book file was parsed (must be 1).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from constructs_lib._private.memo import price_once

from .kinds import (
    IMAGE,
    KINDS,
    artifact,
    async_settings,
    batch_settings,
    multimodel_settings,
    realtime_settings,
    serverless_settings,
)

Price = Callable[[Any], Any]
"""``ctx -> CostEstimate``: one construct's ``_price`` with its props bound, through
``price_once`` as the constructs call it (construction prices, synth reuses)."""


def _realtime(i: int) -> Price:
    from constructs_lib import AutoscalingOptions, ModelSpec, TrafficHint
    from constructs_lib.realtime import RealTimeEndpoint, RealTimeEndpointProps

    s = realtime_settings(i)
    bucket, key = artifact(i)
    props = RealTimeEndpointProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"],
                            peak_requests_per_second=20, busy_hours_per_day=10),
        autoscaling=AutoscalingOptions(min_instances=s["min"], max_instances=s["max"],
                                       target_invocations_per_instance=s["target"]))
    return lambda ctx: price_once(props, ctx, lambda: RealTimeEndpoint._price(props, ctx))


def _serverless(i: int) -> Price:
    from constructs_lib import ModelSpec, TrafficHint
    from constructs_lib.serverless import ServerlessEndpoint, ServerlessEndpointProps

    s = serverless_settings(i)
    bucket, key = artifact(i)
    props = ServerlessEndpointProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        memory_mb=s["memory_mb"], max_concurrency=s["max_concurrency"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"]))
    return lambda ctx: price_once(props, ctx, lambda: ServerlessEndpoint._price(props, ctx))


def _async(i: int) -> Price:
    from constructs_lib import AsyncEndpoint, ModelSpec, TrafficHint
    from constructs_lib.async_endpoint import AsyncEndpointProps

    s = async_settings(i)
    bucket, key = artifact(i)
    props = AsyncEndpointProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"], max_instances=s["max"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"],
                            payload_kb=2048, busy_hours_per_day=10))
    return lambda ctx: price_once(props, ctx, lambda: AsyncEndpoint._price(props, ctx))


def _batch(i: int) -> Price:
    from constructs_lib import BatchTransform, ModelSpec, TrafficHint
    from constructs_lib.batch_transform import BatchTransformProps

    s = batch_settings(i)
    bucket, key = artifact(i)
    props = BatchTransformProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"], instance_count=s["count"],
        input_s3_uri=f"s3://bench-data/job{i}/in/", output_s3_uri=f"s3://bench-data/job{i}/out/",
        schedule=f"cron(0 {s['hour']} * * ? *)",
        traffic=TrafficHint(records_per_run=s["records"], runs_per_month=s["runs"],
                            avg_duration_ms=s["duration_ms"], payload_kb=0, response_kb=0))
    return lambda ctx: price_once(props, ctx, lambda: BatchTransform._price(props, ctx))


def _multimodel(i: int) -> Price:
    from constructs_lib import AutoscalingOptions, MultiModelEndpoint, TrafficHint
    from constructs_lib.multimodel import MultiModelEndpointProps

    s = multimodel_settings(i)
    props = MultiModelEndpointProps(
        image_uri=IMAGE, models_s3_prefix=f"s3://bench-models/mme{i}/",
        instance_type=s["instance_type"],
        models={name: TrafficHint(requests_per_month=r, avg_duration_ms=40, busy_hours_per_day=14)
                for name, r in s["models"].items()},
        autoscaling=AutoscalingOptions(min_instances=s["min"], max_instances=s["max"],
                                       target_invocations_per_instance=s["target"]))
    specs = MultiModelEndpoint._specs_from_props(props)
    return lambda ctx: price_once(props, ctx, lambda: MultiModelEndpoint._price(props, ctx, specs),
                                  tuple(specs))


PRICES: dict[str, Callable[[int], Price]] = {
    "realtime+autoscaling": _realtime, "serverless": _serverless, "async": _async,
    "batch": _batch, "multimodel+autoscaling": _multimodel,
}
"""One props builder per kind of :data:`benchmarks.kinds.KINDS` (same settings, same index)."""


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 500
    repeats = 5
    from constructs_lib.cost.model import PricingContext
    from constructs_lib.pricing.price_book import _load_file, load_price_book

    names = [k.name for k in KINDS]
    items = [(names[i % len(names)], PRICES[names[i % len(names)]](i)) for i in range(n)]
    per_kind: dict[str, list[float]] = {name: [] for name in names}
    per_construct = []
    for _ in range(repeats):
        spent = dict.fromkeys(names, 0.0)
        t0 = time.perf_counter()
        for name, price in items:
            t = time.perf_counter()
            # What a construct does: price at construction (check_priceable) and at synth.
            ctx = PricingContext(book=load_price_book(None, {}), region="us-east-1")
            price(ctx)
            estimate = price(ctx)
            json.dumps(estimate.to_metadata())
            estimate.summary()
            spent[name] += time.perf_counter() - t
        per_construct.append((time.perf_counter() - t0) / n)
        counts = {name: sum(1 for k, _ in items if k == name) for name in names}
        for name in names:
            per_kind[name].append(spent[name] / counts[name])
    sys.stdout.write(json.dumps({
        "n": n, "us_per_construct": statistics.median(per_construct) * 1e6,
        "us_per_construct_max": max(per_construct) * 1e6,
        "us_per_kind": {name: statistics.median(v) * 1e6 for name, v in per_kind.items()},
        "price_book_parses": _load_file.cache_info().misses,
    }) + "\n")


if __name__ == "__main__":
    main()
