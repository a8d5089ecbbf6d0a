"""MultiModelEndpoint: one fleet serving every model artifact under an S3 prefix.

Many light-traffic models (one per customer, say) each idle most of the time: on dedicated
endpoints each pays for at least one always-on instance; on one multi-model fleet they share
instances, loaded on demand and cached. The estimate prices the fleet from the sum of the
models' hints, attributes a share to each model, and states what dedicated endpoints would cost.
"""

from __future__ import annotations

from aws_cdk import aws_sagemaker as sagemaker

from .core.notes import note
from .core.priced import PricedConstruct
from .cost.base import PricingContext
from .cost.estimate import CostEstimate
from .cost.fleet import VariantSpec
from .cost.multimodel import multimodel_estimate
from .parts import compliance as nag
from .parts.alarms import operational_alarms
from .parts.compliance import Compliance
from .parts.fleet import Fleet, ModelOptions, primary_spec, variant_spec
from .parts.handles import EndpointHandles
from .parts.imported import Importable
from .parts.model import build_model
from .spec.multimodel import MultiModelEndpointProps
from .variant import VariantHost

__all__ = ["MultiModelEndpoint"]


class MultiModelEndpoint(VariantHost, EndpointHandles, Importable,
                         PricedConstruct[MultiModelEndpointProps]):
    """A multi-model endpoint: one ``Mode: MultiModel`` container serving every artifact under
    ``models_s3_prefix`` (callers pick one with ``TargetModel``), on always-on instances.

    ``models`` maps each model's TargetModel (e.g. ``customer-042.tar.gz``) to its TrafficHint;
    the fleet is sized and priced from their sum, each model is attributed a share by compute
    time, and the estimate's alternatives state the cost of one dedicated RealTimeEndpoint per
    model (the consolidation saving also goes into the annotation). Or give one ``traffic`` hint.
    Props: :class:`~constructs_lib.MultiModelEndpointProps` (defaults: one instance, no
    autoscaling, model cache ``Enabled``, variant ``AllTraffic``, a role that reads only the
    prefix and pulls only the image's repository). Variants must be multi-model too; no shadow
    variants (SageMaker refuses them with multi-model).
    """

    props_model = MultiModelEndpointProps

    @classmethod
    def _price(cls, props: MultiModelEndpointProps, pricing: PricingContext) -> CostEstimate:
        return _priced(props, pricing, [variant_spec(v, props) for v in props.variants])

    def _estimate(self, props: MultiModelEndpointProps) -> CostEstimate:
        return _priced(props, self.cost_context.pricing, self.fleet.specs[1:])

    def _build(self, preflight: None) -> sagemaker.CfnEndpoint:
        p, where = self.props, self.cost_context
        compliance = Compliance(self, where.stack)
        self.at_synth(compliance.record)
        built = build_model(
            self, p.model, partition=where.partition, region=where.region,
            account=where.account, compliance=compliance, multi_model_cache=p.model_cache,
            isolation_reason=nag.isolation_reason("MultiModelEndpoint", configurable=False))
        self._given_role, self._execution_role = built.given_role, built.role
        self._model_resource = built.model
        self._variant_names = [p.variant_name]
        endpoint = self._host(Fleet(
            self, p, model=self._model_resource, fleet_traffic=p.fleet_traffic,
            model_options=ModelOptions(multi_model_cache=p.model_cache),
            compliance=compliance, on_change=self._changed, region=where.region,
            account=where.account))
        self.alarm_set = operational_alarms(self, p, endpoint_name=self._resources.name,
                                            region=where.region, account=where.account)
        return endpoint

    @property
    def consolidation_saving_usd(self) -> float | None:
        """Monthly saving against one dedicated real-time endpoint per model (None without
        ``models``)."""
        est = self.cost_estimate
        dedicated = next((a for a in est.alternatives if a.note.startswith(
            f"{len(self.props.models)} dedicated")), None) if self.props.models else None
        if dedicated is None or est.monthly_usd is None:
            return None
        return round(dedicated.monthly_usd - est.monthly_usd, 2)

    def _annotate(self, estimate: CostEstimate) -> None:
        self._annotate_variants(estimate)
        saving = self.consolidation_saving_usd
        if saving is None or estimate.monthly_usd is None:
            return
        count = len(self.props.models)
        dedicated = estimate.monthly_usd + saving
        share = saving / dedicated if dedicated > 0 else 0.0
        note(self,
            f"Consolidation: {count} models on one fleet cost ${estimate.monthly_usd:,.2f}/month;"
            f" {count} dedicated real-time endpoints would cost ${dedicated:,.2f}/month: saves "
            f"${saving:,.2f}/month ({share:.0%})")


def _priced(p: MultiModelEndpointProps, pricing: PricingContext,
            added: list[VariantSpec]) -> CostEstimate:
    """The fleet (its own variant first, then ``added``) priced, with the consolidation
    comparison."""
    return multimodel_estimate(
        instance_type=p.instance_type, instance_count=p.initial_instance_count,
        autoscaling=p.autoscaling, variants=[primary_spec(p), *added], traffic=p.fleet_traffic,
        models=p.models, ctx=pricing,
        concurrency_per_instance=p.max_concurrent_requests_per_instance,
        volume_size_gb=p.volume_size_gb)
