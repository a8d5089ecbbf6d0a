"""The cost core alone, in a fresh process: ``python -m benchmarks.cost N``.

Validates the props of N endpoints of the benchmark mix, then times what the library does per
construct at construction and at synth (price, alternatives, ``to_metadata()``, summary) with no
CDK node in the way. Prints one JSON line: microseconds per construct (median of the repeats)
and how many times a price book file was parsed in this process (must be 1). Covers the
real-time and serverless kinds; add a branch in ``_props`` for a new kind.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any


def _props(n: int) -> list[tuple[Any, Any]]:
    from constructs_lib import AutoscalingOptions, ModelSpec, TrafficHint
    from constructs_lib.realtime import RealTimeEndpoint, RealTimeEndpointProps
    from constructs_lib.serverless import ServerlessEndpoint, ServerlessEndpointProps

    from .kinds import IMAGE, artifact, realtime_settings, serverless_settings

    out = []
    for i in range(n):
        bucket, key = artifact(i)
        model = ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}")
        if i % 2 == 0:
            s = realtime_settings(i)
            out.append((RealTimeEndpoint, RealTimeEndpointProps(
                model=model, instance_type=s["instance_type"],
                traffic=TrafficHint(requests_per_month=s["requests"],
                                    avg_duration_ms=s["duration_ms"],
                                    peak_requests_per_second=20, busy_hours_per_day=10),
                autoscaling=AutoscalingOptions(min_instances=s["min"], max_instances=s["max"],
                                               target_invocations_per_instance=s["target"]))))
        else:
            s = serverless_settings(i)
            out.append((ServerlessEndpoint, ServerlessEndpointProps(
                model=model, memory_mb=s["memory_mb"], max_concurrency=s["max_concurrency"],
                traffic=TrafficHint(requests_per_month=s["requests"],
                                    avg_duration_ms=s["duration_ms"]))))
    return out


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 500
    repeats = 5
    from constructs_lib.cost.model import PricingContext
    from constructs_lib.pricing.price_book import _load_file, load_price_book

    items = _props(n)
    per_construct = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for cls, props in items:
            # What a construct does: price at construction (check_priceable) and at synth.
            ctx = PricingContext(book=load_price_book(None, {}), region="us-east-1")
            cls._price(props, ctx)
            estimate = cls._price(props, ctx)
            json.dumps(estimate.to_metadata())
            estimate.summary()
        per_construct.append((time.perf_counter() - t0) / n)
    sys.stdout.write(json.dumps({
        "n": n, "us_per_construct": statistics.median(per_construct) * 1e6,
        "us_per_construct_max": max(per_construct) * 1e6,
        "price_book_parses": _load_file.cache_info().misses,
    }) + "\n")


if __name__ == "__main__":
    main()
