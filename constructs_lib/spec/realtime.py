"""RealTimeEndpointProps: always-on instances behind InvokeEndpoint."""

from __future__ import annotations

from pydantic import model_validator

from ..errors import FieldProblem
from .hosting import FleetProps
from .model import ModelSpec
from .network import DataCaptureOptions, VpcOptions
from .rules import hosting_problems
from .traffic import TrafficHint
from .variant import fleet_problems

__all__ = ["RealTimeEndpointProps"]


class RealTimeEndpointProps(FleetProps):
    """Props of :class:`~constructs_lib.RealTimeEndpoint`.

    ``model`` and ``traffic`` (required); ``vpc`` [none]; ``network_isolation`` [false];
    ``data_capture`` [none: when set, to a new retained, encrypted, SSL-only bucket unless one is
    given]; the fleet's options as in :class:`~constructs_lib.spec.hosting.FleetProps`.
    """

    model: ModelSpec
    traffic: TrafficHint
    vpc: VpcOptions | None = None
    network_isolation: bool = False
    data_capture: DataCaptureOptions | None = None

    @property
    def served_traffic(self) -> TrafficHint:
        return self.traffic

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> RealTimeEndpointProps:
        FieldProblem.raise_if_any(
            hosting_problems(instance_type=self.instance_type, kms_key=self.kms_key,
                             traffic=self.traffic, autoscaling=self.autoscaling,
                             instance_count=self.instance_count, async_fits=True,
                             volume_size_gb=self.volume_size_gb)
            + fleet_problems(primary_name=self.variant_name, primary_weight=self.variant_weight,
                             variants=list(self.variants), multi_model=False,
                             deployment=self.deployment, instance_type=self.instance_type))
        return self
