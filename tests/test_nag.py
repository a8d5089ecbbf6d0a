"""cdk-nag 3.x (AwsSolutions, HIPAA Security) over every example stack: nothing unacknowledged.

The constructs fix what they can (SSL-only, access-logged, versioned, retained buckets; managed
rather than inline policies) and acknowledge the rest themselves with a reason, through CDK
core's ``cdk.Validations`` (cdk-nag is a dev dependency, never imported by the library).
"""

import ast
import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from .hardening import FEATURES, acknowledgements, synth_with_nag, synthesized

LIB = Path(__file__).resolve().parent.parent / "constructs_lib"


def test_every_example_stack_has_no_unacknowledged_finding():
    result = synthesized()
    assert FEATURES in result.templates and len(result.templates) >= 3
    assert result.violations() == [], "\n".join(result.violations())
    assert result.error is None


def test_every_acknowledgement_has_a_specific_reason():
    acks = acknowledgements(synthesized().app)
    assert acks, "the constructs acknowledge their unavoidable findings"
    for path, rule_id, reason in acks:
        assert rule_id.startswith(("AwsSolutions-", "HIPAA.Security-")), (path, rule_id)
        assert len(reason) >= 40, (path, rule_id, reason)
    ids = {rule_id for _, rule_id, _ in acks}
    assert "AwsSolutions-IAM5[Resource::*]" in ids
    assert "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured" in ids
    # Acknowledged on the construct (its resources inherit it), one metadata entry each.
    nvme = [r for p, i, r in acks
            if p.endswith("/Nvme") and i.endswith("EndpointConfigurationKMSKeyConfigured")]
    assert nvme and "NVMe" in nvme[0] and "sets no KMS key" in nvme[0]


def test_the_packs_do_report_what_is_not_acknowledged():
    # Proves the plugins run: a plain bucket outside the library is reported.
    outdir = tempfile.mkdtemp(prefix="nag-canary-")
    app = cdk.App(outdir=outdir)
    s3.Bucket(cdk.Stack(app, "Canary"), "Plain")
    result = synth_with_nag(app, outdir)
    assert result.error is not None
    assert "AwsSolutions-S1 at Canary/Plain/Resource" in result.violations()
    assert "AwsSolutions-S10 at Canary/Plain/Resource" in result.violations()


def test_the_library_never_imports_cdk_nag():
    for path in LIB.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "cdk_nag" for n in names), path


def test_the_packs_see_the_librarys_resources(monkeypatch):
    # The constructs create typed L1 classes (CfnBucket, CfnRole, CfnEndpointConfig...), which
    # cdk-nag's rules inspect: without the constructs' acknowledgements their findings appear.
    from constructs_lib.parts.compliance import Compliance
    from stacks.document_processing import DocumentProcessingStack

    monkeypatch.setattr(Compliance, "record", lambda self: None)
    outdir = tempfile.mkdtemp(prefix="nag-unacknowledged-")
    app = cdk.App(outdir=outdir)
    DocumentProcessingStack(app, "Doc", env=cdk.Environment(region="us-east-1"))
    result = synth_with_nag(app, outdir)
    found = result.violations()
    bucket = "Doc/Extractor/OutputBucket"
    assert f"HIPAA.Security-S3BucketReplicationEnabled at {bucket}" in found
    assert any(v.startswith("HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured at "
                            "Doc/Extractor/EndpointConfig") for v in found), found
    assert any(v.startswith("AwsSolutions-IAM5[Resource::*] at Doc/Extractor/ExecutionRolePolicy")
               for v in found), found
