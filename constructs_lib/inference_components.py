"""InferenceComponentEndpoint: several models on one instance fleet as inference components,
each with its own compute and copies, the fleet scaling to zero instances when no copy runs.

Several LLMs on one GPU fleet: each model reserves the accelerators and memory it needs, its
copies follow its concurrent requests, SageMaker starts instances as copies need them and
stops them when none runs (``min_instances`` 0). Idle, the endpoint bills nothing; the first
request after idle fails and wakes it (minutes). The estimate prices the fleet from the
components' hints, gives each component its share, and states what the same models would cost
always on and on dedicated real-time endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn

import aws_cdk as cdk
from aws_cdk import aws_sagemaker as sagemaker

from .core.notes import note
from .core.priced import PricedConstruct
from .cost.base import PricingContext
from .cost.estimate import Alternative, CostEstimate
from .cost.inference_components import ComponentSpec, InferenceComponentsCost
from .cost.inference_components_estimate import inference_components_estimate
from .inference_component import ComponentHost
from .parts import compliance as nag
from .parts.compliance import Compliance
from .parts.endpoint import EndpointResources, managed_variant
from .parts.handles import EndpointHandles
from .parts.iam import ManagedRole, service_trust
from .spec.inference_components import InferenceComponentEndpointProps, InferenceComponentOptions
from .spec.instances import local_nvme
from .spec.traffic import sum_traffic

__all__ = ["InferenceComponentEndpoint"]

ENDPOINT_ROLE = ("SageMaker endpoint role for inference components: pulls and reads only its "
                 "components' images and artifacts (least privilege, created by constructs_lib)")


class InferenceComponentEndpoint(ComponentHost, EndpointHandles,
                                 PricedConstruct[InferenceComponentEndpointProps]):
    """A real-time endpoint whose models are inference components, scaling to zero.

    An ``AWS::SageMaker::EndpointConfig`` with an execution role (required with inference
    components) and one production variant without a model, its instances managed by SageMaker
    (``ManagedInstanceScaling``: ``min_instances``..``max_instances``, default 0..1), the
    ``AWS::SageMaker::Endpoint``, and one :class:`~constructs_lib.InferenceComponent` per
    model (``components={name: InferenceComponentOptions(...)}`` or :meth:`add_component`):
    its model, its reserved compute, its copies scaled on concurrent requests per copy and, at
    ``min_copies`` 0, woken from zero by an alarm on ``NoCapacityInvocationFailures``. Callers
    pass the component's ``inference_component_name`` to InvokeEndpoint. Props:
    :class:`~constructs_lib.spec.inference_components.InferenceComponentEndpointProps`.
    """

    props_model = InferenceComponentEndpointProps

    @classmethod
    def _price(cls, props: InferenceComponentEndpointProps,
               pricing: PricingContext) -> CostEstimate:
        return _priced(props, pricing, props.components)

    def _estimate(self, props: InferenceComponentEndpointProps) -> CostEstimate:
        return _priced(props, self.cost_context.pricing, self.component_options)

    def _build(self, preflight: None) -> sagemaker.CfnEndpoint:
        p = self.props
        compliance = Compliance(self, self.cost_context.stack)
        self.at_synth(compliance.record)
        self.at_synth(self._has_components)
        self._statement_compliance = compliance
        self._components = []
        self._role = ManagedRole(
            self, "ExecutionRole", trust=service_trust("sagemaker.amazonaws.com"),
            description=ENDPOINT_ROLE, policy_description=ENDPOINT_ROLE, statements=[],
            compliance=compliance)
        self._execution_role, self._given_role = self._role, None
        key_arn = None if p.kms_key is None else p.kms_key.key_arn
        if key_arn is None:
            compliance.acknowledge(nag.ENDPOINT_CONFIG_KMS, nag.no_kms_reason(
                p.instance_type, local_nvme(p.instance_type)))
        self._variant_names = [p.variant_name]
        self._resources = EndpointResources(
            self, managed_variant(name=p.variant_name, instance_type=p.instance_type,
                                  min_instances=p.min_instances, max_instances=p.max_instances),
            endpoint_name=p.endpoint_name, kms_key_id=key_arn,
            execution_role_arn=self._role.arn)
        self._add_components()
        return self._resources.endpoint

    @property
    def model(self) -> NoReturn:
        """Each component has its own model: ``endpoint.components[i].model``."""
        raise AttributeError("an InferenceComponentEndpoint has one model per component: use "
                             "component.model (endpoint.components, or add_component's result)")

    @property
    def always_on_usd(self) -> float | None:
        """What the same endpoint would cost a month always on (at least one instance, one copy
        of each model held); None when it already is, or has no components."""
        found = _always_on(self.cost_estimate)
        return None if found is None else found.monthly_usd

    def _has_components(self) -> None:
        if not self._components:
            cdk.Annotations.of(self).add_error(
                f"{self.construct_path}: an InferenceComponentEndpoint hosts at least one "
                "model: pass components={name: InferenceComponentOptions(...)} or call "
                "add_component(name, ...)")

    def _annotate(self, estimate: CostEstimate) -> None:
        self._annotate_components(estimate)
        always = _always_on(estimate)
        if always is None or estimate.monthly_usd is None:
            return
        saving = always.monthly_usd - estimate.monthly_usd
        share = saving / always.monthly_usd if always.monthly_usd > 0 else 0.0
        note(self,
             f"Scale to zero: ${estimate.monthly_usd:,.2f}/month scaled to zero; always on it "
             f"would cost ${always.monthly_usd:,.2f}/month: saves ${saving:,.2f}/month "
             f"({share:.0%})")


def _always_on(estimate: CostEstimate) -> Alternative | None:
    return next((a for a in estimate.alternatives if a.kind == "inference_components"), None)


def _priced(p: InferenceComponentEndpointProps, pricing: PricingContext,
            components: Mapping[str, InferenceComponentOptions]) -> CostEstimate:
    """The fleet with ``components`` priced, with the alternatives the same models have."""
    specs = [ComponentSpec(name, o.traffic, o.demand, o.min_copies, o.max_copies,
                           o.target_concurrent_requests_per_copy)
             for name, o in components.items()]
    return inference_components_estimate(InferenceComponentsCost(
        sum_traffic({name: o.traffic for name, o in components.items()}), pricing,
        instance_type=p.instance_type, min_instances=p.min_instances,
        max_instances=p.max_instances, components=specs))
