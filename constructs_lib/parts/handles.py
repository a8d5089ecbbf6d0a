"""What users wire to on every construct with an endpoint, and on an endpoint imported by name or
ARN: its name and ARN, invoke grants, CloudWatch metrics; for the constructs, also the execution
role and the escape hatches to their L1 resources.

Metric names, units and namespaces: SageMaker developer guide "Monitor Amazon SageMaker with
Amazon CloudWatch" (``AWS/SageMaker``: invocations, errors, latency in microseconds, per
``EndpointName`` and ``VariantName``; ``/aws/sagemaker/Endpoints``: instance utilization in
percent, CPU and GPU summed over the instance's cores and GPUs, so 0-400% on four) and "Monitor
Asynchronous Endpoint" (the queue metrics, per ``EndpointName`` only).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker

from .alarms import OperationalAlarms
from .endpoint import EndpointResources
from .iam import ManagedRole

__all__ = ["INSTANCE_NAMESPACE", "INVOCATION_NAMESPACE", "AsyncMetrics", "EndpointHandles",
           "EndpointMetrics"]

INVOCATION_NAMESPACE = "AWS/SageMaker"
"""Invocation, error, latency and queue metrics."""
INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"
"""Instance metrics: CPU, memory, GPU, GPU memory and disk utilization, per variant."""
DEFAULT_PERIOD = cdk.Duration.minutes(5)


class EndpointMetrics:
    """Grants and metrics of an endpoint, for every class that knows its name and ARN (the
    constructs and :class:`~constructs_lib.parts.imported.ImportedEndpoint`). ``_variant_names``:
    the variants metrics default to (the first)."""

    _variant_names: list[str]

    @property
    def endpoint_name(self) -> str:
        raise NotImplementedError

    @property
    def endpoint_arn(self) -> str:
        raise NotImplementedError

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to call InvokeEndpoint on this endpoint (and nothing else)."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=["sagemaker:InvokeEndpoint"],
                                          resource_arns=[self.endpoint_arn])

    def grant_invoke_async(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to call InvokeEndpointAsync on this endpoint (and nothing else:
        the request payload's bucket is granted separately; ``AsyncEndpoint.grant_invoke``
        grants both for its own input prefix)."""
        return iam.Grant.add_to_principal(grantee=grantee,
                                          actions=["sagemaker:InvokeEndpointAsync"],
                                          resource_arns=[self.endpoint_arn])

    def metric(self, metric_name: str, *, namespace: str = INVOCATION_NAMESPACE,
               statistic: str = "Sum", period: cdk.Duration | None = None,
               variant_name: str | None = None, dimensions_map: dict[str, str] | None = None,
               **props: Any) -> cloudwatch.Metric:
        """``metric_name`` of this endpoint: in ``namespace`` [``AWS/SageMaker``; the instance
        metrics are in ``/aws/sagemaker/Endpoints``], ``statistic`` [Sum], ``period`` [5
        minutes], per ``EndpointName`` and ``VariantName`` (``variant_name`` [the endpoint's own
        variant]); ``dimensions_map`` replaces those dimensions (the queue metrics have
        ``EndpointName`` only). Every other ``cloudwatch.Metric`` option passes through
        (``label``, ``unit``, ``color``, ``account``, ``region``...)."""
        dimensions = dimensions_map if dimensions_map is not None else {
            "EndpointName": self.endpoint_name,
            "VariantName": variant_name or self._variant_names[0]}
        return cloudwatch.Metric(namespace=namespace, metric_name=metric_name,
                                 dimensions_map=dimensions, statistic=statistic,
                                 period=period or DEFAULT_PERIOD, **props)

    def _average(self, metric_name: str, namespace: str, props: dict[str, Any]
                 ) -> cloudwatch.Metric:
        props.setdefault("statistic", "Average")
        return self.metric(metric_name, namespace=namespace, **props)

    # --- invocations and errors (AWS/SageMaker, Sum) ------------------------------------------

    def metric_invocations(self, **props: Any) -> cloudwatch.Metric:
        """Requests sent to the variant (``Invocations``; asynchronous endpoints publish
        ``InvocationsProcessed`` instead)."""
        return self.metric("Invocations", **props)

    def metric_invocations_per_instance(self, **props: Any) -> cloudwatch.Metric:
        """Invocations normalized by the variant's instance count: what
        ``SageMakerVariantInvocationsPerInstance`` target tracking holds (per minute)."""
        return self.metric("InvocationsPerInstance", **props)

    def metric_invocation_4xx_errors(self, **props: Any) -> cloudwatch.Metric:
        return self.metric("Invocation4XXErrors", **props)

    def metric_invocation_5xx_errors(self, **props: Any) -> cloudwatch.Metric:
        return self.metric("Invocation5XXErrors", **props)

    def metric_invocation_5xx_error_rate(self, **props: Any) -> cloudwatch.Metric:
        """The share of requests answered 5XX, 0-1: ``Invocation5XXErrors`` Average (SageMaker
        sends 1 per 5XX answer and 0 otherwise)."""
        return self._average("Invocation5XXErrors", INVOCATION_NAMESPACE, props)

    # --- latency (AWS/SageMaker, microseconds, Average) ---------------------------------------

    def metric_model_latency(self, **props: Any) -> cloudwatch.Metric:
        """Time the model takes to answer as SageMaker sees it, in microseconds (Average by
        default; ``statistic="p99"`` for a percentile)."""
        return self._average("ModelLatency", INVOCATION_NAMESPACE, props)

    def metric_overhead_latency(self, **props: Any) -> cloudwatch.Metric:
        """Time SageMaker adds to each request beyond the model's, in microseconds (Average)."""
        return self._average("OverheadLatency", INVOCATION_NAMESPACE, props)

    def metric_model_setup_time(self, **props: Any) -> cloudwatch.Metric:
        """Serverless endpoints only: time to launch compute for a cold start, microseconds."""
        return self._average("ModelSetupTime", INVOCATION_NAMESPACE, props)

    # --- instance utilization (/aws/sagemaker/Endpoints, percent, Average) --------------------

    def metric_cpu_utilization(self, **props: Any) -> cloudwatch.Metric:
        """CPU utilization summed over the instance's vCPUs: 0-100% × vCPUs."""
        return self._average("CPUUtilization", INSTANCE_NAMESPACE, props)

    def metric_memory_utilization(self, **props: Any) -> cloudwatch.Metric:
        """Memory used by the containers, 0-100%."""
        return self._average("MemoryUtilization", INSTANCE_NAMESPACE, props)

    def metric_gpu_utilization(self, **props: Any) -> cloudwatch.Metric:
        """GPU utilization summed over the instance's GPUs: 0-100% × GPUs."""
        return self._average("GPUUtilization", INSTANCE_NAMESPACE, props)

    def metric_gpu_memory_utilization(self, **props: Any) -> cloudwatch.Metric:
        """GPU memory used, summed over the instance's GPUs: 0-100% × GPUs."""
        return self._average("GPUMemoryUtilization", INSTANCE_NAMESPACE, props)

    def metric_disk_utilization(self, **props: Any) -> cloudwatch.Metric:
        """Disk space used by the containers, 0-100%."""
        return self._average("DiskUtilization", INSTANCE_NAMESPACE, props)


class AsyncMetrics(EndpointMetrics):
    """The queue metrics of an asynchronous endpoint (``AWS/SageMaker``, dimension
    ``EndpointName`` only; Average over 1 minute by default)."""

    def endpoint_metric(self, metric_name: str, *, statistic: str = "Average",
                        period: cdk.Duration | None = None, **props: Any) -> cloudwatch.Metric:
        """An endpoint-level metric (dimension ``EndpointName`` only), as the queue metrics are."""
        return self.metric(metric_name, statistic=statistic,
                           period=period or cdk.Duration.minutes(1),
                           dimensions_map={"EndpointName": self.endpoint_name}, **props)

    def metric_backlog_size(self, **props: Any) -> cloudwatch.Metric:
        """Requests queued (``ApproximateBacklogSize``)."""
        return self.endpoint_metric("ApproximateBacklogSize", **props)

    def metric_backlog_size_per_instance(self, **props: Any) -> cloudwatch.Metric:
        """Queued requests per instance: what target tracking holds."""
        return self.endpoint_metric("ApproximateBacklogSizePerInstance", **props)

    def metric_has_backlog_without_capacity(self, **props: Any) -> cloudwatch.Metric:
        """1 while requests wait at zero instances: what wakes the endpoint up."""
        return self.endpoint_metric("HasBacklogWithoutCapacity", **props)

    def metric_oldest_request_age(self, **props: Any) -> cloudwatch.Metric:
        """Age in seconds of the oldest queued request (``ApproximateAgeOfOldestRequest``)."""
        props.setdefault("statistic", "Maximum")
        return self.endpoint_metric("ApproximateAgeOfOldestRequest", **props)


class EndpointHandles(EndpointMetrics):
    """Mixin for constructs with an ``AWS::SageMaker::Endpoint``. The construct sets
    ``_resources`` (its endpoint config and endpoint), ``_model_resource``, ``_execution_role``
    (the role created for the model, or None when one was given: ``_given_role``) and
    ``_variant_names`` (its own variant first)."""

    _resources: EndpointResources
    _model_resource: sagemaker.CfnModel
    _execution_role: ManagedRole | None
    _given_role: iam.IRole | None
    alarm_set: OperationalAlarms | None = None
    """The opt-in alarm set (``alarms=AlarmOptions(...)``): its ``alarms`` by name and the topic
    they notify (None: not asked for)."""

    @property
    def endpoint(self) -> sagemaker.CfnEndpoint:
        """Escape hatch: the ``AWS::SageMaker::Endpoint`` (``add_property_override``...)."""
        return self._resources.endpoint

    @property
    def endpoint_config(self) -> sagemaker.CfnEndpointConfig:
        """Escape hatch: the ``AWS::SageMaker::EndpointConfig``."""
        return self._resources.config

    @property
    def model(self) -> sagemaker.CfnModel:
        """Escape hatch: the ``AWS::SageMaker::Model``."""
        return self._model_resource

    @property
    def role(self) -> iam.IRole:
        """The execution role: the one given in the model spec, or the least-privilege role
        created here (as an ``iam.IRole``: grants to it attach a policy of their own; the
        construct's own permissions stay in its customer-managed policy)."""
        if self._given_role is not None:
            return self._given_role
        assert self._execution_role is not None
        return self._execution_role.imported

    @property
    def endpoint_name(self) -> str:
        """The endpoint's name (generated by CloudFormation unless ``endpoint_name`` was set),
        as a token (``Fn::GetAtt``, so whatever uses it waits for the endpoint)."""
        return self._resources.name

    @property
    def endpoint_arn(self) -> str:
        return self._resources.endpoint.ref
