"""What every priced endpoint construct shares: cost surfacing, names, grants, metrics."""

from __future__ import annotations

import typing
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
from .emit import Emitter, Ref
from .memo import price_once
from .models import (
    M,
    check_same_app,
    child_path,
    create_node,
    join_path,
    scope_path,
    validate_props,
)
from .roles import EmittedRole, role_handle


class PricedConstruct(Construct):
    """A construct that carries a monthly cost estimate (``cost_estimate``).

    At synth the estimate is computed once more (so changes made after construction count) and
    written to the main resource's ``Metadata.CostEstimate``, and to ``cdk synth`` output as an
    info annotation (a warning when a feasible alternative saves at least the share in context
    ``cost:warn-saving-share``, default 30%), and budgets are enforced: over
    ``max_monthly_usd`` or context ``cost:budget-usd`` is an error annotation, so synth fails.
    A construct gets a budget by declaring ``max_monthly_usd: float | None = MAX_MONTHLY_USD``
    in its props and passing it here.

    Subclasses create their resources through ``self._emit`` (:class:`Emitter`: one jsii call
    per resource) and call :meth:`_done` with their main resource once every resource exists.
    """

    _pricing: PricingContext
    _main: Ref

    def __init__(self, scope: Construct, construct_id: str, pricing: PricingContext, *,
                 max_monthly_usd: float | None = None) -> None:
        create_node(lambda: super(PricedConstruct, self).__init__(scope, construct_id), scope,
                    construct_id, type(self).__name__)
        self._pricing = pricing
        self.max_monthly_usd = max_monthly_usd
        """This construct's budget in USD per month (None: no per-construct budget)."""
        self._construct_path = join_path(scope_path(scope), construct_id)
        context.remember(scope, self, self._construct_path, pricing)
        self._stack = context.stack_of(scope)
        self._emit = Emitter(self, self._construct_path, self._stack)

    def _done(self, main: Ref) -> None:
        """Every resource exists: write the acknowledgements, and surface the cost at synth
        (computed then, so later changes count) on ``main``'s ``Metadata``."""
        self._main = main
        self._node = self.node
        self._emit.flush(self._node)
        surface.register(self, main.cfn)

    @property
    def _main_resource(self) -> cdk.CfnResource:
        """The resource that carries ``Metadata.CostEstimate``."""
        return self._main.cfn

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
        path = child_path(scope, construct_id, kind, check_taken=False)
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

    def _surface_cost(self) -> CostEstimate:
        """At synth: metadata on the main resource (one jsii call), the annotation (one), the
        construct's own budget. Returns the estimate (the stack's budgets sum them)."""
        estimate = self._estimate()
        self._main.cfn.add_override("Metadata", {
            "CostEstimate": estimate.to_metadata(),
            # Where the estimate came from, for reports (path metadata is off outside the CLI).
            surface.SOURCE_KEY: {"path": self._construct_path,
                                 "construct": type(self).__name__},
        })
        ctx = context.all_context(self)
        alt = should_warn(estimate, policy.warn_saving_share(ctx, self._construct_path))
        if alt is not None:
            cdk.Annotations.of(self).add_warning_v2(
                surface.WARNING_ID, surface.warning_text(estimate, alt))
        else:
            # What ``Annotations.add_info`` records, without its JavaScript stack trace.
            self._node.add_metadata(surface.INFO, estimate.summary())
        policy.enforce_own_budget(self, estimate)
        return estimate


class EndpointBase(PricedConstruct):
    """An ``AWS::SageMaker::Endpoint`` with the handles users wire to.

    Subclasses create it with ``self._endpoint_ref = self._emit.resource("Endpoint", ...)``.
    """

    _variant_names: list[str]
    _endpoint_ref: Ref
    _config_ref: Ref
    _model_ref: Ref
    _execution_role: EmittedRole | None
    """The role created for the model (None when ``props.model.execution_role`` was given)."""
    _endpoint_tokens: dict[str, str]

    @property
    def role(self) -> iam.IRole:
        """The execution role (the one given in ``model``, or the least-privilege role created
        here, imported for CDK APIs on first use: grants to it attach a policy of their own)."""
        return role_handle(self, self.props.model, self._execution_role)

    @property
    def model(self) -> sagemaker.CfnModel:
        """Escape hatch: the ``AWS::SageMaker::Model``."""
        return typing.cast(sagemaker.CfnModel, self._model_ref.cfn)

    @property
    def endpoint_config(self) -> sagemaker.CfnEndpointConfig:
        """Escape hatch: the ``AWS::SageMaker::EndpointConfig``."""
        return typing.cast(sagemaker.CfnEndpointConfig, self._config_ref.cfn)

    @property
    def endpoint(self) -> sagemaker.CfnEndpoint:
        """Escape hatch: the ``AWS::SageMaker::Endpoint`` (``add_property_override``...)."""
        return typing.cast(sagemaker.CfnEndpoint, self._endpoint_ref.cfn)

    def _token(self, attribute: str | None) -> str:
        tokens: dict[str, str] = self.__dict__.setdefault("_endpoint_tokens", {})
        key = attribute or ""
        if key not in tokens:
            tokens[key] = self._endpoint_ref.token(attribute)
        return tokens[key]

    @property
    def endpoint_name(self) -> str:
        """The endpoint's name (generated by CloudFormation unless ``endpoint_name`` was set),
        as a token (``Fn::GetAtt``, so whatever uses it waits for the endpoint)."""
        return self._token("EndpointName")

    @property
    def endpoint_arn(self) -> str:
        return self._token(None)

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
