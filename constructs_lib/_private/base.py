"""What every priced endpoint construct shares: cost surfacing, names, grants, metrics."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..cost.advice import should_warn
from ..cost.estimate import CostEstimate
from ..cost.model import PricingContext
from . import context, policy, surface
from .memo import price_once
from .models import M, check_same_app, child_path, join_path, scope_path, validate_props


class PricedConstruct(Construct):
    """A construct that carries a monthly cost estimate (``cost_estimate``).

    At synth the estimate is computed once more (so changes made after construction count) and
    written to the main resource's ``Metadata.CostEstimate``, and to ``cdk synth`` output as an
    info annotation (a warning when a feasible alternative saves at least the share in context
    ``cost:warn-saving-share``, default 30%), and budgets are enforced: over
    ``max_monthly_usd`` or context ``cost:budget-usd`` is an error annotation, so synth fails.
    A construct gets a budget by declaring ``max_monthly_usd: float | None = MAX_MONTHLY_USD``
    in its props and passing it here.
    """

    _pricing: PricingContext
    _surface_on_main_resource = False
    """True when a subclass registers the cost aspect on its main resource as it creates it
    (``EndpointBase`` does): a leaf is visited once at synth, where an aspect on this construct
    would be called back (a jsii round trip each) for every node below it."""

    def __init__(self, scope: Construct, construct_id: str, pricing: PricingContext, *,
                 max_monthly_usd: float | None = None) -> None:
        super().__init__(scope, construct_id)
        self._pricing = pricing
        self.max_monthly_usd = max_monthly_usd
        """This construct's budget in USD per month (None: no per-construct budget)."""
        self._construct_path = join_path(scope_path(scope), construct_id)
        context.remember(scope, self, self._construct_path, pricing)
        if not self._surface_on_main_resource:
            surface.register(self, self)

    @property
    @abstractmethod
    def _main_resource(self) -> cdk.CfnResource: ...

    props: Any
    """The construct's validated, frozen props (its config model)."""

    @staticmethod
    def _price(p: Any, pricing: PricingContext) -> CostEstimate:
        """The estimate for props ``p``: a pure function of the props and the pricing context."""
        raise NotImplementedError

    @classmethod
    def _validated(cls, scope: Construct, construct_id: str, kind: str, model: type[M],
                   data: dict[str, Any]) -> tuple[str, M, PricingContext]:
        """Validate props, check their CDK objects belong to this app, choose the price book and
        price them once: every error is raised here, before any node is created.
        Returns (path, props, pricing)."""
        path = child_path(scope, construct_id, kind)
        props = validate_props(model, path, kind, data)
        check_same_app(scope, path, kind, props)
        pricing = context.pricing_context(scope, path, kind)
        context.check_priceable(
            lambda: price_once(props, pricing, lambda: cls._price(props, pricing)), path, kind)
        return path, props, pricing

    def _estimate(self) -> CostEstimate:
        """The estimate as it stands (priced once for frozen props, reused at synth)."""
        return price_once(self.props, self._pricing,
                          lambda: self._price(self.props, self._pricing))

    @property
    def cost_estimate(self) -> CostEstimate:
        """The monthly estimate, as it stands now (the same content as the template metadata)."""
        return self._estimate()

    def _surface_cost(self) -> None:
        estimate = self._estimate()
        self._main_resource.add_metadata("CostEstimate", estimate.to_metadata())
        # Where the estimate came from, for reports (path metadata is off outside the CLI).
        self._main_resource.add_metadata(
            surface.SOURCE_KEY, {"path": self._construct_path, "construct": type(self).__name__})
        message = estimate.summary()
        ctx = context.all_context(self)
        alt = should_warn(estimate, policy.warn_saving_share(ctx, self._construct_path))
        if alt is not None:
            cdk.Annotations.of(self).add_warning_v2(
                surface.WARNING_ID, surface.warning_text(estimate, alt))
        else:
            cdk.Annotations.of(self).add_info(message)
        policy.enforce_budgets(self, ctx, estimate)


class EndpointBase(PricedConstruct):
    """An ``AWS::SageMaker::Endpoint`` with the handles users wire to.

    Subclasses assign ``self._endpoint`` once; that registers the cost aspect on it.
    """

    _variant_names: list[str]
    _surface_on_main_resource = True
    __endpoint: sagemaker.CfnEndpoint | None = None

    @property
    def _endpoint(self) -> sagemaker.CfnEndpoint:
        assert self.__endpoint is not None, "EndpointBase subclasses set self._endpoint"
        return self.__endpoint

    @_endpoint.setter
    def _endpoint(self, endpoint: sagemaker.CfnEndpoint) -> None:
        if self.__endpoint is None:
            surface.register(self, endpoint)
        self.__endpoint = endpoint

    @property
    def _main_resource(self) -> cdk.CfnResource:
        return self._endpoint

    @property
    def endpoint(self) -> sagemaker.CfnEndpoint:
        """Escape hatch: the L1 endpoint."""
        return self._endpoint

    @property
    def endpoint_name(self) -> str:
        """The endpoint's name (generated by CloudFormation unless ``endpoint_name`` was set)."""
        return self._endpoint.attr_endpoint_name

    @property
    def endpoint_arn(self) -> str:
        return self._endpoint.ref

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to call InvokeEndpoint on this endpoint (and nothing else)."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:InvokeEndpoint"],
            resource_arns=[self.endpoint_arn],
        )

    def metric(self, metric_name: str, *, variant_name: str | None = None,
               statistic: str = "Sum", period: cdk.Duration | None = None,
               **props: Any) -> cloudwatch.Metric:
        """A metric of this endpoint in ``AWS/SageMaker`` (per variant; the first by default)."""
        return cloudwatch.Metric(
            namespace="AWS/SageMaker",
            metric_name=metric_name,
            dimensions_map={
                "EndpointName": self.endpoint_name,
                "VariantName": variant_name or self._variant_names[0],
            },
            statistic=statistic,
            period=period or cdk.Duration.minutes(5),
            **props,
        )

    def metric_invocations(self, **props: Any) -> cloudwatch.Metric:
        return self.metric("Invocations", **props)

    def metric_invocation_5xx_errors(self, **props: Any) -> cloudwatch.Metric:
        return self.metric("Invocation5XXErrors", **props)

    def metric_invocation_4xx_errors(self, **props: Any) -> cloudwatch.Metric:
        return self.metric("Invocation4XXErrors", **props)

    def metric_model_latency(self, **props: Any) -> cloudwatch.Metric:
        """Model latency in microseconds (Average by default)."""
        props.setdefault("statistic", "Average")
        return self.metric("ModelLatency", **props)
