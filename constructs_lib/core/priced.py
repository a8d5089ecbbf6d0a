"""PricedConstruct: the base of every construct of the library.

A construct's props model is its signature: keyword arguments are validated into it once, with
the construct's path in every error, before any node exists (``spec.base.validate_keywords``).
The construct is priced then too, built by its subclass (:meth:`PricedConstruct._build`), and
priced again at synth by the stack's aspect (``surface.py``), so that later changes count: the
estimate goes into the template (``Metadata.CostEstimate`` on the main resource), into ``cdk
synth`` output (a plain information line, ``notes.py``, or a warning annotation when a
feasible alternative saves at least ``cost:warn-saving-share``), and the construct's own
budget is enforced.

A price the book lacks (a region, an instance type) leaves the estimate unpriced rather than
failing: the construct synthesizes, and the annotation is a warning (``constructs-lib:unpriced``)
naming what is missing and what prices it, or an error with context ``cost:require-prices``.

With a usage file (context ``cost:usage-file``) the construct's entry replaces its traffic
hint field by field for the estimate only (``cost.usage.with_drift``: the props the template is
built from keep the hint in code); the estimate says so and carries the estimate under the
hint in code beside it. Entries no construct claims are one warning
(``constructs-lib:usage-file``) at synth.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar, Generic, TypeVar, cast

import aws_cdk as cdk
from constructs import Construct

from ..cost.advice import should_warn
from ..cost.alarms import with_alarms
from ..cost.base import PricingContext
from ..cost.budget import own_budget_error, own_budget_unknown
from ..cost.estimate import Alternative, CostEstimate
from ..cost.usage import with_drift
from ..errors import ConfigurationError
from ..pricing.price_book import PriceNotFoundError
from ..spec.base import validate_keywords
from ..spec.hosting import PricedProps
from . import surface
from .context import cost_context, remember
from .notes import note
from .paths import check_same_app, construct_path
from .surface import BUDGET_UNKNOWN_ID
from .tokens import dlc_region_problems, has_tokens, resolved_check

__all__ = ["BUDGET_UNKNOWN_ID", "CAPACITY_WARNING_ID", "SOURCE_KEY", "UNPRICED_ID", "USAGE_FILE_ID",
           "WARNING_ID", "PricedConstruct"]

WARNING_ID = "constructs-lib:cheaper-alternative"
"""Id of the cheaper-alternative warning (``cdk.Annotations.acknowledge_warning`` takes it)."""
UNPRICED_ID = "constructs-lib:unpriced"
"""Id of the warning on a construct whose estimate is unpriced."""
CAPACITY_WARNING_ID = "constructs-lib:capacity"
"""Id of the warning that the fleet cannot serve its traffic hint (one per shortfall)."""
USAGE_FILE_ID = "constructs-lib:usage-file"
"""Id of the warning on usage-file entries that match no priced construct."""
SOURCE_KEY = "ConstructsLib"
"""Metadata key beside ``CostEstimate``: the construct path and class that produced it."""

P = TypeVar("P", bound=PricedProps)


class PricedConstruct(Construct, Generic[P]):
    """A construct that carries a monthly cost estimate (:attr:`cost_estimate`).

    Subclasses declare ``props_model`` (their pydantic props: the signature) and implement
    :meth:`_price` (the estimate from the props) and :meth:`_build` (the resources, returning
    the main one, which carries the cost metadata). Constructor keywords are the props' fields.
    """

    props_model: ClassVar[type[PricedProps]]
    props: P
    """The construct's validated, frozen props."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = cls.__dict__.get("props_model")
        if model is not None:  # help(), IDEs and notebooks show the props as the signature
            cls.__signature__ = _signature(model)

    def __init__(self, scope: Construct, construct_id: str, *args: Any, **props: Any) -> None:
        kind = type(self).__name__
        path = construct_path(scope, construct_id, kind)
        validated = cast(P, validate_keywords(self.props_model, path, kind, args, props))
        check_same_app(scope, path, kind, validated)
        context = cost_context(scope, path, kind)
        usage = None if context.usage is None else context.usage.claim(path)
        problems = dlc_region_problems(validated, context.region)
        if problems:
            raise ConfigurationError(path, problems, kind=kind)
        preflight = self._preflight(scope, path, validated)
        estimate = _priced(lambda: with_drift(
            lambda p: with_alarms(_noted(self._price(p, context.pricing), p), p.alarm_plan,
                                  context.pricing),
            validated, usage, "" if context.usage is None else context.usage.file.name, path,
            kind), path, kind)
        super().__init__(scope, construct_id)
        remember(scope, context)
        self.props = validated
        self.construct_path = path
        self.cost_context = context
        """The stack, its environment, the pricing context and the cost policy."""
        self.usage_entry = usage
        """This construct's entry in the usage file (None: no file, or no entry)."""
        self._revision = 0
        self._priced: tuple[int, PricedProps, CostEstimate] = (0, validated, estimate)
        self._at_synth: list[Callable[[], None]] = []
        self._annotations_of: cdk.Annotations | None = None
        if has_tokens(validated):
            self._at_synth.append(resolved_check(self, validated, path, kind))
        self._main = self._build(preflight)
        self.node.default_child = self._main  # the escape hatch CDK users reach for first
        surface.register(self, context.stack, self._main, context.budget, context.stale_prices)

    # --- what subclasses provide ------------------------------------------------------------

    @classmethod
    def _preflight(cls, scope: Construct, path: str, props: P) -> Any:
        """Checks that need CDK but no node of this construct (a VPC's subnets, say); what it
        returns is passed to :meth:`_build`. A ``ConfigurationError`` here leaves no node."""
        return None

    @classmethod
    def _price(cls, props: P, pricing: PricingContext) -> CostEstimate:
        """The estimate for ``props``, with its alternatives (``cost.advice.advise``)."""
        raise NotImplementedError

    def _build(self, preflight: Any) -> cdk.CfnResource:
        """Create the construct's resources; return the one that carries the cost metadata."""
        raise NotImplementedError

    def _estimate(self, props: P) -> CostEstimate:
        """The estimate of the construct as it stands, with ``props`` (its own, or with the
        usage file's traffic); override when children add to it."""
        return self._price(props, self.cost_context.pricing)

    def _changed(self) -> None:
        """Something the estimate depends on changed (a variant was added): price again."""
        self._revision += 1

    def at_synth(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the construct is surfaced at synth, after mutating aspects (the
        parts use it for what must read the final template: compliance acknowledgements)."""
        self._at_synth.append(callback)

    # --- the estimate -------------------------------------------------------------------------

    @property
    def cost_estimate(self) -> CostEstimate:
        """The monthly estimate, as the construct stands now (what the template carries):
        computed again when a variant was added or the props were replaced."""
        revision, props, estimate = self._priced
        if revision != self._revision or props is not self.props:
            path, kind, usage = self.construct_path, type(self).__name__, self.cost_context.usage
            pricing = self.cost_context.pricing
            estimate = _priced(lambda: with_drift(
                lambda p: with_alarms(_noted(self._estimate(p), p), p.alarm_plan, pricing),
                self.props, self.usage_entry, "" if usage is None else usage.file.name, path,
                kind), path, kind)
            self._priced = (self._revision, self.props, estimate)
        return estimate

    @property
    def max_monthly_usd(self) -> float | None:
        """This construct's budget, USD per month (None: none)."""
        return self.props.max_monthly_usd

    @property
    def main_resource(self) -> cdk.CfnResource:
        """The resource that carries ``Metadata.CostEstimate``."""
        return self._main

    def surface_cost(self) -> CostEstimate:
        """At synth (the stack's aspect calls it): the estimate into the main resource's
        metadata and into ``cdk synth`` output, the construct's own budget, and the parts'
        synth-time work. Returns the estimate."""
        for callback in self._at_synth:
            callback()
        estimate = self.cost_estimate
        self._main.add_metadata("CostEstimate", estimate.to_metadata())
        # Where the estimate came from, for reports (path metadata is off outside the CLI).
        self._main.add_metadata(SOURCE_KEY, {"path": self.construct_path,
                                             "construct": type(self).__name__})
        annotations = self._annotations()
        unmatched = None if self.cost_context.usage is None else (
            self.cost_context.usage.unmatched_once())
        if unmatched:
            cdk.Annotations.of(self.cost_context.stack).add_warning_v2(USAGE_FILE_ID, unmatched)
        alternative = should_warn(estimate, self.cost_context.warn_saving_share)
        if estimate.monthly_usd is None:
            text = f"{estimate.summary()} The template and the cost report show it unpriced."
            if self.cost_context.require_prices:
                annotations.add_error(f"{text} (context 'cost:require-prices' is true)")
            else:
                annotations.add_warning_v2(UNPRICED_ID, text)
        elif alternative is not None:
            annotations.add_warning_v2(WARNING_ID, _warning_text(estimate, alternative))
        else:
            note(self, estimate.summary())
        for shortfall in estimate.warnings:
            annotations.add_warning_v2(CAPACITY_WARNING_ID, shortfall)
        self._annotate(estimate)
        error = own_budget_error(self.construct_path, estimate, self.max_monthly_usd)
        if error:
            annotations.add_error(error)
        unknown = own_budget_unknown(self.construct_path, estimate, self.max_monthly_usd)
        if unknown:
            annotations.add_warning_v2(BUDGET_UNKNOWN_ID, unknown)
        return estimate

    def _annotations(self) -> cdk.Annotations:
        """``cdk.Annotations.of(self)``, created once (each ``of`` is a round trip)."""
        if self._annotations_of is None:
            self._annotations_of = cdk.Annotations.of(self)
        return self._annotations_of

    def _annotate(self, estimate: CostEstimate) -> None:
        """More lines for ``cdk synth`` output, at synth (a consolidation saving, each variant's
        share, on the variant's own node)."""


def _priced(price: Callable[[], CostEstimate], path: str, kind: str) -> CostEstimate:
    """``price()``; a price the book lacks is a ``ConfigurationError`` naming the construct."""
    try:
        return price()
    except PriceNotFoundError as error:
        raise ConfigurationError.single(path, error.field, error.value, str(error),
                                        kind=kind) from None


def _noted(estimate: CostEstimate, props: PricedProps) -> CostEstimate:
    """The estimate, saying that a multi-container model is priced as one fleet."""
    model = getattr(props, "model", None)
    if model is None or not getattr(model, "containers", ()):
        return estimate
    text = (f"{len(model.containers)} containers ({model.inference_execution_mode}) share each "
            "instance: priced as one fleet")
    return replace(estimate, assumptions=(*estimate.assumptions, text))


def _warning_text(estimate: CostEstimate, alt: Alternative) -> str:
    """The cheaper-alternative warning: the alternative, the saving and the break-even volume."""
    own = estimate.monthly_usd or 0.0
    saving = own - alt.monthly_usd
    text = f"{estimate.summary()} (saves ${saving:,.2f}/month, {saving / own:.0%})"
    volume = estimate.traffic.get("requests_per_month", 0)
    if alt.break_even_requests_per_month is not None:
        text += (f"; break-even at {alt.break_even_requests_per_month:,.0f} requests/month "
                 f"(now {volume:,.0f})")
    return f"{text}. {alt.note}."


def _signature(model: type[PricedProps]) -> inspect.Signature:
    """``(scope, construct_id, *, <each prop>)`` with the props' defaults and types."""
    params = [inspect.Parameter("scope", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=Construct),
              inspect.Parameter("construct_id", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=str)]
    for name, field in model.model_fields.items():
        default = inspect.Parameter.empty if field.is_required() else field.get_default(
            call_default_factory=True)
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                        annotation=field.annotation))
    return inspect.Signature(params)
