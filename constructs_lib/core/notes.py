"""What a user reads at synth besides warnings and errors: plain information lines.

An estimate, a variant's share and a consolidation saving are information, not findings. CDK's
annotations cannot carry them as such to the user: the pinned CLI (2.1148.1) renders every
``aws:cdk:info`` entry, from ``add_info`` as from ``add_info_v2``, as a validation finding, with
an ``Acknowledge with '...'`` line and the jsii runtime's file as its location
(toolkit-lib's ``pluginReportFromAnnotations`` and ``ValidationReportFormatter``); and with the
feature flag ``@aws-cdk/core:annotationsInValidationReport``, which ``cdk init`` sets,
aws-cdk-lib puts only warnings and errors into the validation report and the CLI shows no info
entry at all. So each note is written, once, at synth, to standard error (which the CLI passes
through, as it does CDK's own ``Bundling asset ...`` lines), and recorded on the construct as
metadata of type :data:`NOTE_METADATA` (in ``manifest.json``; tests and tools read it there).
Warnings (an acknowledgeable cheaper-alternative warning) and errors (budgets) stay annotations.
"""

from __future__ import annotations

import sys

from constructs import IConstruct

__all__ = ["NOTE_METADATA", "note"]

NOTE_METADATA = "constructs-lib:info"
"""Metadata type of a note on its construct (the stack's ``manifest.json`` lists it by path)."""


def note(scope: IConstruct, message: str) -> None:
    """Tell the user ``message`` about ``scope`` at synth, as plain information (once per
    construct and message)."""
    if any(e.type == NOTE_METADATA and e.data == message for e in scope.node.metadata):
        return
    scope.node.add_metadata(NOTE_METADATA, message)
    sys.stderr.write(f"INFO {message}\n   {scope.node.path}\n")
    sys.stderr.flush()
