"""The cost core alone, in a fresh process: ``python -m benchmarks.cost N``.

Validates the props of N constructs of the benchmark mix (every kind in
:mod:`benchmarks.kinds`), then times what the library does per construct: the estimate with its
advice (every feasible alternative priced, with its break-even volume) from the kind's cost
model, built from the props as its construct builds it (a construct prices once, at
construction, and reuses the estimate at synth), then ``to_metadata()`` and the summary, with
no CDK node in the way. Prints one JSON line: microseconds per construct over the mix and per
kind (medians of the repeats), and how many times a price book file was parsed (must be 1).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from constructs_lib.cost.advice import advise
from constructs_lib.cost.async_endpoint import AsyncCost
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.batch_transform import BatchCost
from constructs_lib.cost.estimate import CostEstimate
from constructs_lib.cost.fleet import VariantSpec
from constructs_lib.cost.multimodel import multimodel_estimate
from constructs_lib.cost.realtime import RealTimeCost
from constructs_lib.cost.serverless import ServerlessCost
from constructs_lib.cost.workload import Workload

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

Price = Callable[[PricingContext], CostEstimate]
"""``ctx -> CostEstimate``: one construct's estimate, its props bound."""


def _realtime(i: int) -> Price:
    from constructs_lib.spec.model import ModelSpec
    from constructs_lib.spec.realtime import RealTimeEndpointProps
    from constructs_lib.spec.scaling import AutoscalingOptions
    from constructs_lib.spec.traffic import TrafficHint

    s = realtime_settings(i)
    bucket, key = artifact(i)
    p = RealTimeEndpointProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"],
                            peak_requests_per_second=20, busy_hours_per_day=10),
        autoscaling=AutoscalingOptions(min_instances=s["min"], max_instances=s["max"],
                                       target_invocations_per_instance=s["target"]))
    return lambda ctx: advise(
        RealTimeCost(p.traffic, ctx, instance_type=p.instance_type,
                     instance_count=p.initial_instance_count, autoscaling=p.autoscaling),
        Workload(p.traffic, p.instance_type))


def _serverless(i: int) -> Price:
    from constructs_lib.spec.model import ModelSpec
    from constructs_lib.spec.serverless import ServerlessEndpointProps
    from constructs_lib.spec.traffic import TrafficHint

    s = serverless_settings(i)
    bucket, key = artifact(i)
    p = ServerlessEndpointProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        memory_mb=s["memory_mb"], max_concurrency=s["max_concurrency"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"]))
    return lambda ctx: advise(
        ServerlessCost(p.traffic, ctx, memory_mb=p.memory_mb,
                       provisioned_concurrency=p.provisioned_concurrency,
                       max_concurrency=p.max_concurrency),
        Workload(p.traffic, memory_mb=p.memory_mb))


def _async(i: int) -> Price:
    from constructs_lib.spec.async_endpoint import AsyncEndpointProps
    from constructs_lib.spec.model import ModelSpec
    from constructs_lib.spec.traffic import TrafficHint

    s = async_settings(i)
    bucket, key = artifact(i)
    p = AsyncEndpointProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"], max_instances=s["max"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"],
                            payload_kb=2048, busy_hours_per_day=10))
    itype = p.instance_type
    assert itype is not None  # required (the props' validator says so)
    return lambda ctx: advise(
        AsyncCost(p.traffic, ctx, instance_type=itype, min_instances=p.min_instances,
                  max_instances=p.max_instances, concurrency_per_instance=p.concurrency_for_cost,
                  scale_in_cooldown_s=p.scale_in_cooldown_s),
        Workload(p.traffic, itype))


def _batch(i: int) -> Price:
    from constructs_lib.spec.batch_transform import BatchTransformProps
    from constructs_lib.spec.model import ModelSpec
    from constructs_lib.spec.traffic import TrafficHint

    s = batch_settings(i)
    bucket, key = artifact(i)
    p = BatchTransformProps(
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"], instance_count=s["count"],
        input_s3_uri=f"s3://bench-data/job{i}/in/", output_s3_uri=f"s3://bench-data/job{i}/out/",
        schedule=f"cron(0 {s['hour']} * * ? *)",
        traffic=TrafficHint(records_per_run=s["records"], runs_per_month=s["runs"],
                            avg_duration_ms=s["duration_ms"], payload_kb=0, response_kb=0))
    return lambda ctx: advise(
        BatchCost(p.traffic, ctx, instance_type=p.instance_type, instance_count=p.instance_count,
                  max_concurrent_transforms=p.concurrency_for_cost,
                  timeout_hours=p.timeout_hours),
        Workload(p.traffic, p.instance_type))


def _multimodel(i: int) -> Price:
    from constructs_lib.spec.multimodel import MultiModelEndpointProps
    from constructs_lib.spec.scaling import AutoscalingOptions
    from constructs_lib.spec.traffic import TrafficHint

    s = multimodel_settings(i)
    p = MultiModelEndpointProps(
        image_uri=IMAGE, models_s3_prefix=f"s3://bench-models/mme{i}/",
        instance_type=s["instance_type"],
        models={name: TrafficHint(requests_per_month=r, avg_duration_ms=40, busy_hours_per_day=14)
                for name, r in s["models"].items()},
        autoscaling=AutoscalingOptions(min_instances=s["min"], max_instances=s["max"],
                                       target_invocations_per_instance=s["target"]))
    variants = [VariantSpec(p.variant_name, p.instance_type, p.variant_weight,
                            p.initial_instance_count, p.autoscaling)] + [
        VariantSpec(v.name, v.instance_type or p.instance_type, v.weight,
                    v.initial_instance_count, v.autoscaling, v.shadow) for v in p.variants]
    return lambda ctx: multimodel_estimate(
        instance_type=p.instance_type, instance_count=p.initial_instance_count,
        autoscaling=p.autoscaling, variants=variants, traffic=p.fleet_traffic, models=p.models,
        ctx=ctx)


PRICES: dict[str, Callable[[int], Price]] = {
    "realtime+autoscaling": _realtime, "serverless": _serverless, "async": _async,
    "batch": _batch, "multimodel+autoscaling": _multimodel,
}
"""One props builder per kind of :data:`benchmarks.kinds.KINDS` (same settings, same index)."""


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 500
    repeats = 5
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
            # What a construct does: price once (at construction), serialise at synth.
            ctx = PricingContext(book=load_price_book(None, {}), region="us-east-1")
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
