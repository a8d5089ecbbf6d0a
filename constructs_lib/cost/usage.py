"""The usage file: traffic measured (or stated) outside the code, keyed by construct path.

A hint written once in code goes stale; a usage file beside the code (context
``cost:usage-file``, written by ``python -m constructs_lib.cost observe`` or by hand) overrides
each construct's ``TrafficHint`` field by field, for the estimate only (the template does not
change). The format, version 1, in JSON or YAML::

    {"version": 1,
     "usage": {"FraudCheckApi/Scorer": {"requests_per_month": 120960000, "avg_duration_ms": 21.5}},
     "observed": {"FraudCheckApi/Scorer": {"window": {"start": "...", "end": "..."}, "...": "..."}}}

``usage`` holds TrafficHint fields (validated by TrafficHint itself, same units); ``observed``
(optional, written by ``observe``) says where each entry's figures came from. A bad file is one
``ConfigurationError`` naming the file, the construct path and the field. No CDK, no AWS here.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..errors import ConfigurationError, Problem
from ..spec.base import validate_props
from ..spec.traffic import TrafficHint
from .estimate import CostEstimate

__all__ = ["USAGE_VERSION", "Applied", "UsageEntry", "UsageFile", "apply_usage", "dump_usage",
           "merge_usage", "parse_usage", "read_usage_file", "with_drift"]

USAGE_VERSION = 1
KIND = "usage file"
YAML_SUFFIXES = (".yaml", ".yml")
_TOP_KEYS = ("version", "usage", "observed")
_FIELDS = tuple(TrafficHint.model_fields)
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class UsageEntry:
    """One construct's entry: the TrafficHint fields the file sets (validated values), and
    where they came from (the file's ``observed`` entry, when ``observe`` wrote it)."""

    path: str
    fields: Mapping[str, Any]
    observed: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UsageFile:
    """A validated usage file: ``name`` as the user gave it (what messages and estimates say),
    its entries by construct path."""

    name: str
    entries: Mapping[str, UsageEntry]
    content: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """The file as parsed (what ``observe --merge`` keeps)."""


def read_usage_file(path: str | Path, *, base: Path | None = None) -> UsageFile:
    """Read and validate a usage file; a relative ``path`` is read from ``base`` (the CDK
    app's working directory: the current one by default)."""
    name = str(path)
    where = (base or Path.cwd()) / path
    if not where.is_file():
        raise _error(name, "(file)", name, f"no such file: {where} (a relative path is read "
                     f"from the CDK app's working directory, {base or Path.cwd()})")
    text = where.read_text(encoding="utf-8")
    return parse_usage(_load(text, name, yaml=where.suffix.lower() in YAML_SUFFIXES), name)


def parse_usage(data: Any, name: str) -> UsageFile:
    """A usage file's content (parsed JSON or YAML) validated: every problem at once."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise _error(name, "(file)", data, '{"version": 1, "usage": {"<construct path>": '
                     '{<TrafficHint fields>}}}')
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(Problem(str(key), data[key], f"not a key of a usage file; allowed: "
                                    f"{', '.join(_TOP_KEYS)}"))
    if data.get("version") != USAGE_VERSION or isinstance(data.get("version"), bool):
        problems.append(Problem("version", data.get("version", "(missing)"),
                                f"must be {USAGE_VERSION} (the format this library reads)"))
    usage, observed = data.get("usage"), data.get("observed") or {}
    if not isinstance(usage, dict):
        problems.append(Problem("usage", usage if "usage" in data else "(missing)",
                                'an object of construct path to TrafficHint fields, e.g. '
                                '{"FraudCheckApi/Scorer": {"requests_per_month": 1000000}}'))
        usage = {}
    if not isinstance(observed, dict):
        problems.append(Problem("observed", observed, "an object of construct path to where "
                                "its figures came from (written by `observe`)"))
        observed = {}
    entries: dict[str, UsageEntry] = {}
    for path, fields in usage.items():
        where = f"usage[{path!r}]"
        if not isinstance(path, str) or not path.strip("/"):
            problems.append(Problem(where, path, "a construct path, e.g. 'FraudCheckApi/Scorer'"))
            continue
        found = _entry_problems(where, fields)
        problems += found
        if not found:
            key = path.strip("/")
            source = observed.get(path) or observed.get(key) or {}
            entries[key] = UsageEntry(key, _validated(fields), dict(source)
                                      if isinstance(source, dict) else {})
    if problems:
        raise ConfigurationError(name, problems, kind=KIND)
    return UsageFile(name, entries, data)


def _entry_problems(where: str, fields: Any) -> list[Problem]:
    """What is wrong with one entry, named ``usage['<path>'].<field>``."""
    if not isinstance(fields, dict):
        return [Problem(where, fields, "an object of TrafficHint fields, e.g. "
                        '{"requests_per_month": 1000000, "avg_duration_ms": 40}')]
    problems = []
    for key in fields:
        if key not in _FIELDS:
            close = difflib.get_close_matches(str(key), _FIELDS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(Problem(f"{where}.{key}", fields[key], f"not a TrafficHint field; "
                                    f"{hint}allowed: {', '.join(_FIELDS)}"))
    if problems:
        return problems
    try:
        TrafficHint(**fields)
    except ConfigurationError as error:
        return [Problem(f"{where}.{p.field}", p.value, p.allowed) for p in error.problems]
    return []


def _validated(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's fields as TrafficHint holds them (ints as floats), in field order."""
    hint = TrafficHint(**fields)
    return {name: getattr(hint, name) for name in _FIELDS if name in fields}


def _load(text: str, name: str, *, yaml: bool) -> Any:
    if not yaml:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise _error(name, "(file)", f"line {error.lineno}, column {error.colno}",
                         f"not valid JSON ({error.msg}); a .yaml or .yml file is read as "
                         "YAML") from None
    try:
        import yaml as pyyaml  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency of the package
        raise _error(name, "(file)", name, "YAML needs PyYAML: pip install PyYAML==6.0.4 "
                     "(or write the file as JSON)") from None
    try:
        return pyyaml.safe_load(text)
    except pyyaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise _error(name, "(file)", at, f"not valid YAML ({getattr(error, 'problem', error)})"
                     ) from None


def _error(name: str, where: str, value: Any, allowed: str) -> ConfigurationError:
    return ConfigurationError.single(name, where, value, allowed, kind=KIND)


def merge_usage(existing: Mapping[str, Any] | None, usage: Mapping[str, Mapping[str, Any]],
                observed: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A usage file's content: ``usage`` and ``observed`` over ``existing`` (a file's parsed
    content, or None for a new file). An entry both have keeps the existing fields ``usage``
    does not set (a payload size stated by hand survives the next ``observe``)."""
    old_usage = dict((existing or {}).get("usage") or {})
    old_observed = dict((existing or {}).get("observed") or {})
    for path, fields in usage.items():
        old_usage[path] = {**(old_usage.get(path) or {}), **fields}
    old_observed.update(observed)
    order = {name: i for i, name in enumerate(_FIELDS)}
    return {
        "version": USAGE_VERSION,
        "usage": {path: dict(sorted(fields.items(), key=lambda kv: order.get(kv[0], 99)))
                  for path, fields in sorted(old_usage.items())},
        "observed": dict(sorted(old_observed.items())),
    }


def dump_usage(content: Mapping[str, Any], path: str | Path) -> str:
    """``content`` as the file's text: YAML for a .yaml/.yml path, JSON otherwise."""
    if Path(path).suffix.lower() in YAML_SUFFIXES:
        import yaml as pyyaml

        return str(pyyaml.safe_dump(dict(content), sort_keys=False, default_flow_style=False,
                                    allow_unicode=True))
    return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Applied:
    """Props with a usage entry applied, and the assumption that says how."""

    props: Any
    note: str


def apply_usage(props: P, entry: UsageEntry, file: str, path: str, kind: str) -> Applied:
    """``props`` with ``entry``'s fields over its traffic, validated again (SageMaker's rules
    on the traffic: payload and duration limits). A multi-model endpoint priced from
    per-model hints gets the fleet-level figures spread over its models in the code's request
    shares (CloudWatch counts invocations per endpoint, not per model)."""
    names = ", ".join(entry.fields)
    models: Mapping[str, TrafficHint] | None = getattr(props, "models", None)
    if models:
        update: dict[str, Any] = {"models": spread(models, entry.fields)}
        note = (f"traffic from usage file {file}: {names} for the whole fleet, spread over "
                f"the {len(models)} models in the code's request shares (the rest as in code)")
    else:
        update = {"traffic": override(getattr(props, "traffic"), entry.fields)}  # noqa: B009
        note = f"traffic from usage file {file}: {names} (the rest as in code)"
    data = {name: getattr(props, name) for name in type(props).model_fields} | update
    try:
        return Applied(validate_props(type(props), path, kind, data), note)
    except ConfigurationError as error:
        raise ConfigurationError(path, [
            Problem(f"{p.field} (from usage file {file}, usage[{path!r}])", p.value, p.allowed)
            for p in error.problems], kind=kind) from None


def override(hint: TrafficHint, fields: Mapping[str, Any]) -> TrafficHint:
    """``hint`` with ``fields`` in place of its own (validated as a TrafficHint)."""
    return TrafficHint(**{**{name: getattr(hint, name) for name in _FIELDS}, **fields})


def spread(models: Mapping[str, TrafficHint], fields: Mapping[str, Any]
           ) -> dict[str, TrafficHint]:
    """Fleet-level ``fields`` over ``models``: requests and the stated peak split in the
    models' request shares in code (equal shares when the code gives no requests), the other
    fields set on every model, so that the fleet's hint (``sum_traffic``) is the fleet-level
    one: the same requests, duration, busy hours and peak."""
    total = sum(h.requests_per_month for h in models.values())
    out = {}
    for name, hint in models.items():
        share = hint.requests_per_month / total if total > 0 else 1.0 / len(models)
        mine = dict(fields)
        if "requests_per_month" in mine:
            mine["requests_per_month"] = mine["requests_per_month"] * share
        if mine.get("peak_requests_per_second") is not None:
            mine["peak_requests_per_second"] = mine["peak_requests_per_second"] * share
        out[name] = override(hint, mine)
    return out


def with_drift(price: Callable[[Any], CostEstimate], props: Any, entry: UsageEntry | None,
               file: str, path: str, kind: str) -> CostEstimate:
    """The estimate in effect: ``price(props)`` without a usage entry; with one, the
    estimate under the entry's traffic, stating so in its assumptions and carrying in
    ``usage`` what a reviewer needs to see the drift: the file, the fields it set, the hint in
    code and the estimate under it (computed with the same cost model)."""
    if entry is None:
        return price(props)
    applied = apply_usage(props, entry, file, path, kind)
    in_code = price(props)
    estimate = price(applied.props)
    usage: dict[str, Any] = {"file": file, "fields": list(entry.fields),
                             "traffic_in_code": dict(in_code.traffic)}
    if in_code.monthly_usd is not None:
        usage["in_code_monthly_usd"] = in_code.monthly_usd
    window = entry.observed.get("window")
    if isinstance(window, dict):
        usage["observed"] = {k: window[k] for k in ("start", "end", "days") if k in window}
    return replace(estimate, assumptions=(*estimate.assumptions, applied.note), usage=usage)
