"""InferenceComponent: one model of an InferenceComponentEndpoint, with its own compute, copies,
scaling, cost lines and annotation; ``ComponentHost``, what the endpoint provides to carry
components (``add_component``, ``components``, their share of the estimate)."""

from __future__ import annotations

import re
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .core.notes import note
from .core.paths import check_same_app, construct_path
from .core.priced import PricedConstruct
from .cost.estimate import CostEstimate, format_usd
from .errors import ConfigurationError, Problem
from .parts import compliance as nag
from .parts.compliance import Compliance
from .parts.iam import ManagedRole, execution_statements
from .parts.model import build_model
from .parts.scaling import CopyScaling
from .parts.sources import Access
from .spec import limits
from .spec.base import validate_keywords
from .spec.inference_components import (
    InferenceComponentEndpointProps,
    InferenceComponentOptions,
    component_problems,
    placement_problems,
)
from .spec.scaling import SCALE_IN_COOLDOWN_S, SCALE_OUT_COOLDOWN_S

__all__ = ["ComponentHost", "InferenceComponent"]

KIND = "InferenceComponent"
Spec = sagemaker.CfnInferenceComponent


class InferenceComponent(Construct):
    """A model hosted on an :class:`InferenceComponentEndpoint` (its scope) as an inference
    component: an ``AWS::SageMaker::Model`` (its own least-privilege role), the
    ``AWS::SageMaker::InferenceComponent`` reserving its compute on the endpoint's instances,
    and its copies' scaling (see :class:`~constructs_lib.parts.scaling.CopyScaling`). Options
    as :class:`~constructs_lib.InferenceComponentOptions`; its name is the construct id.

    Priced with the endpoint: its share of the fleet's instance-hours (by the compute its
    copies hold) and its own data processed, as lines named after it in the endpoint's estimate,
    and an info annotation of its own. Errors are raised before any node is created.
    """

    props: InferenceComponentOptions
    resource: sagemaker.CfnInferenceComponent
    """Escape hatch: the ``AWS::SageMaker::InferenceComponent``."""
    scaling: CopyScaling
    _model: sagemaker.CfnModel
    _execution_role: ManagedRole | None

    def __init__(self, endpoint: Construct, construct_id: str, *args: Any,
                 **options: Any) -> None:
        path = construct_path(endpoint, construct_id, KIND)
        if not isinstance(endpoint, ComponentHost) or not isinstance(endpoint, PricedConstruct):
            raise ConfigurationError.single(path, "scope", type(endpoint).__name__,
                                            "an InferenceComponentEndpoint", kind=KIND)
        props = validate_keywords(InferenceComponentOptions, path, KIND, args, options)
        check_same_app(endpoint, path, KIND, props)
        host: InferenceComponentEndpointProps = endpoint.props
        problems = component_problems(host.capacity, props)
        if not cdk.Token.is_unresolved(construct_id) and not _is_name(construct_id):
            problems.insert(0, Problem("name", construct_id, "63 characters, alphanumerics "
                                       "and '-', starting and ending with one"))
        if not problems:
            problems = placement_problems(
                host.capacity, {**endpoint.component_options, construct_id: props},
                host.max_instances)
        if problems:
            raise ConfigurationError(path, problems, kind=KIND)
        super().__init__(endpoint, construct_id)
        self.props = props
        self.endpoint: PricedConstruct[Any] = endpoint
        where = endpoint.cost_context
        compliance = Compliance(self, where.stack)
        endpoint.at_synth(compliance.record)
        built = build_model(
            self, props.model, partition=where.partition, region=where.region,
            account=where.account, compliance=compliance,
            isolation_reason=nag.isolation_reason("InferenceComponentEndpoint",
                                                  configurable=False))
        self._given_role: iam.IRole | None = built.given_role
        self._execution_role = built.role
        self._model = built.model
        self.access: Access = built.access
        """What the component's model needs (the endpoint config's role is granted it too)."""
        self.resource = Spec(
            self, "InferenceComponent", endpoint_name=endpoint.endpoint_name,
            variant_name=host.variant_name,
            inference_component_name=cdk.Names.unique_resource_name(
                self, max_length=limits.IC_NAME_MAX, separator="-",
                allowed_special_characters="-"),
            specification=Spec.InferenceComponentSpecificationProperty(
                model_name=self._model.attr_model_name,
                compute_resource_requirements=(
                    Spec.InferenceComponentComputeResourceRequirementsProperty(
                        min_memory_required_in_mb=props.memory_mb,
                        number_of_accelerator_devices_required=props.accelerators or None,
                        number_of_cpu_cores_required=props.cpu_cores)),
                startup_parameters=_startup(props)),
            runtime_config=Spec.InferenceComponentRuntimeConfigProperty(
                copy_count=props.initial_copies))
        # Its name as deployed (from its ARN, ``...:inference-component/<name>``): the scaling
        # target and the wake-up alarm follow the component, and are created after it.
        self.name_token: str = cdk.Fn.select(1, cdk.Fn.split(
            "/", self.resource.attr_inference_component_arn))
        self.scaling = CopyScaling(
            self, component_name=self.name_token, min_copies=props.min_copies,
            max_copies=props.max_copies,
            target_concurrency=props.target_concurrent_requests_per_copy,
            scale_in_cooldown_s=SCALE_IN_COOLDOWN_S, scale_out_cooldown_s=SCALE_OUT_COOLDOWN_S)
        endpoint.join_component(self)

    @property
    def name(self) -> str:
        return self.node.id

    @property
    def inference_component_name(self) -> str:
        """The name callers pass as ``InferenceComponentName`` to InvokeEndpoint (fixed at synth,
        derived from the construct path)."""
        return str(self.resource.inference_component_name)

    @property
    def model(self) -> sagemaker.CfnModel:
        """Escape hatch: the component's ``AWS::SageMaker::Model``."""
        return self._model

    @property
    def role(self) -> iam.IRole:
        """The model's execution role (the one given in its ModelSpec, or the one created)."""
        if self._given_role is not None:
            return self._given_role
        assert self._execution_role is not None
        return self._execution_role.imported

    @property
    def scalable_target(self) -> appscaling.CfnScalableTarget:
        return self.scaling.target

    @property
    def scaling_policy(self) -> appscaling.CfnScalingPolicy:
        return self.scaling.policy

    @property
    def wake_up_alarm(self) -> cloudwatch.CfnAlarm | None:
        """The ``NoCapacityInvocationFailures`` alarm (at ``min_copies`` 0)."""
        return self.scaling.wake_up_alarm

    @property
    def cost_estimate(self) -> CostEstimate:
        """This component's part of the endpoint's estimate (its own lines only)."""
        return component_share(self.endpoint.cost_estimate, self.name)


def _is_name(name: str) -> bool:
    return re.match(limits.ENDPOINT_NAME_PATTERN, name) is not None


def _startup(props: InferenceComponentOptions
             ) -> Spec.InferenceComponentStartupParametersProperty | None:
    download = props.model_data_download_timeout_s
    health = props.container_startup_health_check_timeout_s
    if download is None and health is None:
        return None
    return Spec.InferenceComponentStartupParametersProperty(
        model_data_download_timeout_in_seconds=download,
        container_startup_health_check_timeout_in_seconds=health)


def component_share(whole: CostEstimate, name: str) -> CostEstimate:
    """The lines and assumptions of component ``name`` in the endpoint's estimate."""
    lines = tuple(line for line in whole.lines if line.component == name)
    mine = [a for a in whole.assumptions if a.startswith(f"component {name}: ")]
    return CostEstimate(kind=whole.kind, region=whole.region, lines=lines,
                        assumptions=tuple(mine), price_book=whole.price_book,
                        traffic=whole.traffic.get("components", {}).get(name, {}))


class ComponentHost:
    """Mixin for the endpoint that carries components (InferenceComponentEndpoint): it sets
    ``_role`` (the endpoint's execution role, which gets every component's model statements)
    and ``_statement_compliance``, and calls :meth:`_add_components` once it exists."""

    props: Any
    _role: ManagedRole
    _statement_compliance: Compliance
    _components: list[InferenceComponent]

    def add_component(self, name: str, *args: Any, **options: Any) -> InferenceComponent:
        """Add a component named ``name`` (also its construct id); ``options`` as
        :class:`~constructs_lib.InferenceComponentOptions` (model, traffic, memory_mb,
        accelerators, cpu_cores, min_copies, max_copies,
        target_concurrent_requests_per_copy, the start-up timeouts). A misspelt option, a
        component that does not fit the instance type or a name already taken is a
        ``ConfigurationError`` naming the component's path."""
        return InferenceComponent(cast(Construct, self), name, *args, **options)

    @property
    def components(self) -> list[InferenceComponent]:
        """The components, in the order they were added."""
        return list(self._components)

    @property
    def component_options(self) -> dict[str, InferenceComponentOptions]:
        """Every component's options by name (what the estimate prices)."""
        return {c.name: c.props for c in self._components}

    def join_component(self, component: InferenceComponent) -> None:
        """Count ``component`` (after its resources exist): the endpoint's role may act for
        its model, and the estimate follows."""
        where = cast(PricedConstruct[Any], self).cost_context
        statements = execution_statements(
            component.access, partition=where.partition, region=where.region,
            account=where.account, vpc=False, compliance=self._statement_compliance)
        known = self._role.document["Statement"]
        suffix = "".join(ch for ch in component.name.title() if ch.isalnum())
        for statement in statements:
            if statement in known:
                continue  # the same logs, metrics and ECR login for every model
            if any(s.get("Sid") == statement.get("Sid") for s in known):
                statement["Sid"] = f"{statement['Sid']}{suffix}"  # Sids are unique per policy
            known.append(statement)
        self._components.append(component)
        cast(PricedConstruct[Any], self)._changed()

    def _add_components(self) -> None:
        for name, options in self.props.components.items():
            InferenceComponent(cast(Construct, self), name,
                               **{k: getattr(options, k)
                                  for k in InferenceComponentOptions.model_fields})

    def _annotate_components(self, estimate: CostEstimate) -> None:
        """Each component's share, on its own node (counted in the endpoint's estimate)."""
        for component in self._components:
            part = component_share(estimate, component.name)
            note(component,
                 f"Inference component {component.name}: {format_usd(part.monthly_usd)}/month "
                 f"({part.region}): {part.main_driver}; counted in the endpoint's estimate")
