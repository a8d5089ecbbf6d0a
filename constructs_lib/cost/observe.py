"""``python -m constructs_lib.cost observe CDK_OUT --out FILE``: measure each priced
construct's traffic from what SageMaker publishes, and write it as a usage file.

For every construct of the cloud assembly that carries ``Metadata.CostEstimate`` (its path and
class in ``Metadata.ConstructsLib``, its kind in ``CostEstimate.kind``), CloudFormation names
the deployed resource (``DescribeStackResource``: stack name and logical ID → physical ID);
then, over the window (``--days``, to ``--end``; from the resource's creation if later):

- endpoints (real-time, serverless, multi-model): ``AWS/SageMaker`` ``Invocations`` (Sum) per
  production variant, hourly and per minute, and ``ModelLatency`` (Sum and SampleCount,
  microseconds);
- async endpoints: ``InvocationsProcesssed`` (SageMaker's spelling; async endpoints publish no
  ``Invocations``) and ``ModelLatency`` per variant, ``ApproximateBacklogSize`` (Maximum) per
  endpoint;
- batch transforms: the state machine's executions (Step Functions) and the transform jobs
  they ran (``<job name prefix>-<execution name>``, SageMaker).

``cost/measured.py`` turns those into hint fields scaled to a 730-hour month. boto3 is the
client (imported here only: ``pip install 'sagemaker-endpoint-constructs[observe]'``); the
credentials and endpoint are boto3's own (profile, environment, ``AWS_ENDPOINT_URL``). No
credentials, no region, or a stack that is not deployed: one clear line and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any

from ..errors import ConfigurationError
from .measured import Measured, Runs, Window, batch_fields, online_fields
from .report import ReportRow, collect, format_value
from .usage import dump_usage, merge_usage, read_usage_file

__all__ = ["EXIT_ERROR", "ObserveError", "add_arguments", "observe", "run"]

EXIT_ERROR = 2
NAMESPACE = "AWS/SageMaker"
HOURLY_S, MINUTE_S = 3600, 60
MAX_DAYS = 455
"""CloudWatch keeps hourly datapoints 455 days."""
_JOB_NAME = re.compile(r"States\.Format\('([A-Za-z0-9-]+)-\{\}', ?\$\$\.Execution\.Name\)")
_AUTH_CODES = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
               "UnrecognizedClientException", "AccessDenied", "AccessDeniedException",
               "SignatureDoesNotMatch", "InvalidSignatureException"}
_PERMISSIONS = ("cloudformation:DescribeStackResource, sagemaker:ListEndpoints, "
                "sagemaker:DescribeEndpoint, cloudwatch:GetMetricData, "
                "states:DescribeStateMachine, states:ListExecutions, "
                "sagemaker:DescribeTransformJob")


class ObserveError(Exception):
    """Observe cannot go on; the message says what to do next (exit code 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cdk_out", help="the cloud assembly of what is deployed (cdk.out)")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="the usage file to write (.json, or .yaml/.yml)")
    parser.add_argument("--days", type=float, default=30.0,
                        help="the window, days before --end (default 30; at most 455)")
    parser.add_argument("--end", metavar="ISO8601",
                        help="the window's end, UTC (default: now, to the minute)")
    parser.add_argument("--region", help="region of environment-agnostic stacks (default: "
                                         "AWS_REGION or your profile's); a stack whose "
                                         "environment names one is observed there")
    parser.add_argument("--stack", action="append", default=[], metavar="NAME",
                        help="observe only this stack (repeatable; default: every stack)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the existing file's other entries (and fields not measured)")


def run(args: argparse.Namespace, *, log: IO[str] | None = None) -> int:
    """The command: observe, write ``--out``; exit 2 with what to do next on a failure.
    Progress and errors go to ``log`` (stderr)."""
    log = log or sys.stderr
    try:
        end = _end(args.end)
        if not 0 < args.days <= MAX_DAYS:
            raise ObserveError(f"--days {args.days:g}: give a number of days in (0, {MAX_DAYS}] "
                               "(CloudWatch keeps hourly data 455 days)")
        existing = _existing(Path(args.out)) if args.merge else None
        rows = [r for r in collect(args.cdk_out) if not args.stack or r.stack in args.stack
                or (r.artifact is not None and r.artifact.stack_name in args.stack)]
        if not rows:
            raise ObserveError(f"no priced construct in {args.cdk_out}"
                               + (f" for --stack {', '.join(args.stack)}" if args.stack else "")
                               + ": synthesize the app that is deployed (`cdk synth`) first")
        usage, observed = observe(rows, session=_session(), days=args.days, end=end,
                                  region=args.region, log=log)
    except ObserveError as error:
        print(f"observe: {error}", file=log)
        return EXIT_ERROR
    except SystemExit as error:  # the assembly could not be read
        print(f"observe: {error}", file=log)
        return EXIT_ERROR
    content = merge_usage(existing, usage, observed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(dump_usage(content, out), encoding="utf-8")
    os.replace(partial, out)
    kept = len(content["usage"]) - len(usage)
    print(f"observe: wrote {out}: {len(usage)} construct(s) observed"
          + (f", {kept} other entr{'y' if kept == 1 else 'ies'} kept" if kept else "")
          + f"; price with it: cdk synth -c cost:usage-file={out}", file=log)
    return 0


def _end(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        end = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ObserveError(f"--end {text!r}: give an ISO 8601 time, e.g. "
                           "2026-12-01T00:00:00Z") from None
    return (end if end.tzinfo else end.replace(tzinfo=UTC)).astimezone(UTC)


def _existing(path: Path) -> dict[str, Any] | None:
    """The file ``--merge`` keeps entries of (validated); None when it does not exist yet."""
    if not path.exists():
        return None
    try:
        return dict(read_usage_file(path, base=Path.cwd()).content)
    except ConfigurationError as error:
        raise ObserveError(f"{error}\nFix the file, or run without --merge to replace it"
                           ) from None


def _session() -> Any:
    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError:
        raise ObserveError("observe needs boto3: pip install "
                           "'sagemaker-endpoint-constructs[observe]'") from None
    session = boto3.session.Session()
    if session.get_credentials() is None:
        raise ObserveError(
            "no AWS credentials found. observe reads the deployed stacks' CloudFormation "
            "resources and CloudWatch metrics: configure credentials for their account (a "
            "profile with AWS_PROFILE, `aws sso login`, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            f"or a role in CI) allowing {_PERMISSIONS}, then run again")
    return session


def observe(rows: Sequence[ReportRow], *, session: Any, days: float, end: datetime,
            region: str | None, log: IO[str]) -> tuple[dict[str, dict[str, float]],
                                                       dict[str, dict[str, Any]]]:
    """Measure every row's construct: (usage entries, where each came from), by path."""
    clients: dict[tuple[str, str], Any] = {}

    def client(service: str, where: str) -> Any:
        if (service, where) not in clients:
            clients[(service, where)] = session.client(service, region_name=where)
        return clients[(service, where)]

    usage: dict[str, dict[str, float]] = {}
    observed: dict[str, dict[str, Any]] = {}
    for done, row in enumerate(rows, start=1):
        artifact = row.artifact
        stack_name = artifact.stack_name if artifact is not None else row.stack
        where = (artifact.region if artifact is not None else None) or region or (
            session.region_name)
        if not where:
            raise ObserveError(f"stack {stack_name} is environment-agnostic and no region is "
                               "set: pass --region R (or set AWS_REGION)")
        kind = str(row.estimate.get("kind"))
        call = _guarded(stack_name, row, where)
        detail = call(partial(client("cloudformation", where).describe_stack_resource,
                              StackName=stack_name, LogicalResourceId=row.logical_id)
                      )["StackResourceDetail"]
        physical = str(detail["PhysicalResourceId"])
        if kind == "batch":
            resource, window, measured = _batch(physical, client, where, call, days, end)
        else:
            resource, window, measured = _endpoint(physical, kind, client, where, call, days, end)
        if kind == "multimodel":
            measured.notes.append("multi-model: CloudWatch counts invocations per endpoint, not "
                                  "per model; at synth the fleet's figures are spread over the "
                                  "models in the code's request shares")
        usage[row.path] = measured.fields
        observed[row.path] = {
            "source": f"CloudWatch {NAMESPACE} and the deployed resources "
                      "(python -m constructs_lib.cost observe)",
            "stack": stack_name, "region": where, "resource": resource, "kind": kind,
            "window": window.to_json(), "fields": list(measured.fields),
            "notes": measured.notes}
        _progress(log, done, len(rows), row.path, kind, resource, measured)
    return usage, observed


def _guarded(stack: str, row: ReportRow, region: str) -> Callable[[Callable[[], Any]], Any]:
    """Run an AWS call; its failures as one line each, saying what to do next."""
    from botocore.exceptions import (  # type: ignore[import-untyped]
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    def call(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = error.response.get("Error", {}).get("Message", str(error))
            if code == "ValidationError" and "does not exist" in message:
                if "Resource" in message:
                    raise ObserveError(
                        f"{row.path} ({row.logical_id}) is not deployed in stack {stack} "
                        f"({region}): deploy the stack's current version (`cdk deploy "
                        f"{stack}`), or observe the cdk.out of what is deployed") from None
                raise ObserveError(
                    f"stack {stack} is not deployed in {region}: deploy it (`cdk deploy "
                    f"{stack}`), leave it out with --stack, or check the region and account "
                    "of your credentials") from None
            if code in _AUTH_CODES:
                raise ObserveError(f"AWS refused the credentials ({code}: {message}): use "
                                   f"credentials for the stacks' account allowing "
                                   f"{_PERMISSIONS}") from None
            raise ObserveError(f"{row.path}: AWS error {code}: {message}") from None
        except NoCredentialsError:
            raise ObserveError("no AWS credentials found: configure a profile or "
                               "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and run again") from None
        except EndpointConnectionError as error:
            raise ObserveError(f"cannot reach AWS in {region} ({error}): check the network, "
                               "the region, and AWS_ENDPOINT_URL if set") from None
        except BotoCoreError as error:
            raise ObserveError(f"{row.path}: {error}") from None
        except Exception as error:  # an unreadable response, a proxy's error page...
            raise ObserveError(f"{row.path}: unexpected answer from AWS in {region} "
                               f"({type(error).__name__}: {str(error)[:300]}); try again, and "
                               "check AWS_ENDPOINT_URL and any proxy if it persists") from None

    return call


def _window(created: datetime, days: float, end: datetime) -> Window:
    return Window(max(end - timedelta(days=days), created.astimezone(UTC)), end)


def _endpoint(arn: str, kind: str, client: Callable[[str, str], Any], region: str,
              call: Callable[[Callable[[], Any]], Any], days: float, end: datetime
              ) -> tuple[str, Window, Measured]:
    sm = client("sagemaker", region)
    name = _endpoint_name(sm, arn, call)
    described = call(lambda: sm.describe_endpoint(EndpointName=name))
    variants = [v["VariantName"] for v in described.get("ProductionVariants") or []]
    if not variants:  # not yet reported by the endpoint: the config has them
        config = call(lambda: sm.describe_endpoint_config(
            EndpointConfigName=described["EndpointConfigName"]))
        variants = [v["VariantName"] for v in config["ProductionVariants"]]
    window = _window(described["CreationTime"], days, end)
    if window.hours <= 0:
        return name, window, online_fields(window, requests_hourly={}, requests_minutely={},
                                           latency_sum_us=[], latency_samples=[])
    cw = client("cloudwatch", region)
    is_async = kind == "async"
    metric = "InvocationsProcesssed" if is_async else "Invocations"

    def query(qid: str, metric_name: str, stat: str, period: int, variant: str | None
              ) -> dict[str, Any]:
        dims = [{"Name": "EndpointName", "Value": name}]
        if variant is not None:
            dims.append({"Name": "VariantName", "Value": variant})
        return {"Id": qid, "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric_name, "Dimensions": dims},
            "Period": period, "Stat": stat}}

    hourly = [q for i, v in enumerate(variants) for q in (
        query(f"r{i}", metric, "Sum", HOURLY_S, v),
        query(f"s{i}", "ModelLatency", "Sum", HOURLY_S, v),
        query(f"c{i}", "ModelLatency", "SampleCount", HOURLY_S, v))]
    if is_async:
        hourly.append(query("b", "ApproximateBacklogSize", "Maximum", HOURLY_S, None))
    data = call(lambda: _metric_data(cw, hourly, window.start, window.end))
    minutes: dict[str, dict[datetime, float]] = {}
    if not is_async:
        minutely = [query(f"m{i}", metric, "Sum", MINUTE_S, v) for i, v in enumerate(variants)]
        found = call(lambda: _metric_data(cw, minutely, window.minute_start, window.end))
        minutes = {v: found.get(f"m{i}", {}) for i, v in enumerate(variants)}
    measured = online_fields(
        window, metric=metric,
        requests_hourly={v: data.get(f"r{i}", {}) for i, v in enumerate(variants)},
        requests_minutely=minutes,
        latency_sum_us=[data.get(f"s{i}", {}) for i in range(len(variants))],
        latency_samples=[data.get(f"c{i}", {}) for i in range(len(variants))],
        backlog_hourly=data.get("b", {}) if is_async else None)
    return name, window, measured


def _endpoint_name(sm: Any, arn: str, call: Callable[[Callable[[], Any]], Any]) -> str:
    """The endpoint's name as CloudWatch's ``EndpointName`` dimension takes it: SageMaker's
    ARNs are lower case, the name keeps its case, so it is looked up by ARN."""
    def names() -> dict[str, str]:
        return {e["EndpointArn"].lower(): e["EndpointName"]
                for page in sm.get_paginator("list_endpoints").paginate()
                for e in page["Endpoints"]}

    found = call(names).get(arn.lower())
    if found is None:
        raise ObserveError(f"endpoint {arn} is in the stack but not in SageMaker: it may be "
                           "failing or deleted; check its CloudFormation events")
    return str(found)


def _metric_data(cw: Any, queries: list[dict[str, Any]], start: datetime, end: datetime
                 ) -> dict[str, dict[datetime, float]]:
    """GetMetricData, every page: query id → period start → value."""
    out: dict[str, dict[datetime, float]] = {}
    pages = cw.get_paginator("get_metric_data").paginate(
        MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    for page in pages:
        for result in page["MetricDataResults"]:
            series = out.setdefault(result["Id"], {})
            for stamp, value in zip(result["Timestamps"], result["Values"], strict=True):
                series[stamp] = series.get(stamp, 0.0) + float(value)
    return out


def _batch(arn: str, client: Callable[[str, str], Any], region: str,
           call: Callable[[Callable[[], Any]], Any], days: float, end: datetime
           ) -> tuple[str, Window, Measured]:
    sfn, sm = client("stepfunctions", region), client("sagemaker", region)
    machine = call(lambda: sfn.describe_state_machine(stateMachineArn=arn))
    match = _JOB_NAME.search(str(machine.get("definition", "")))
    prefix = match.group(1) if match else None
    window = _window(machine["creationDate"], days, end)

    def executions() -> list[dict[str, Any]]:
        return [e for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
                for e in page["executions"]
                if window.start <= e["startDate"].astimezone(UTC) < window.end]

    found = call(executions) if window.hours > 0 else []
    hours: list[float] = []
    if prefix is not None:
        for execution in found:
            job = call(partial(_transform_job, sm, f"{prefix}-{execution['name']}"))
            if job is not None:
                hours.append(job)
    return arn, window, batch_fields(window, Runs(len(found), hours, prefix))


def _transform_job(sm: Any, name: str) -> float | None:
    """A job's billed instance-hours (None: the execution started no job)."""
    from botocore.exceptions import ClientError

    try:
        job = sm.describe_transform_job(TransformJobName=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("ValidationException",
                                                            "ValidationError"):
            return None
        raise
    start, stop = job.get("TransformStartTime"), job.get("TransformEndTime")
    count = int(job.get("TransformResources", {}).get("InstanceCount", 1))
    if start is None or stop is None:
        return 0.0
    return float(max((stop - start).total_seconds(), 0.0)) / 3600.0 * count


def _progress(log: IO[str], done: int, total: int, path: str, kind: str, resource: str,
              measured: Measured) -> None:
    """One line per construct: a bar, the construct and what was measured."""
    bar = "#" * round(20 * done / total)
    fields = ", ".join(f"{k} {format_value(v)}" for k, v in measured.fields.items()
                       ) or "nothing measured"
    print(f"observe [{bar:<20}] {done}/{total} {path} ({kind}, {resource}): {fields}",
          file=log, flush=True)
