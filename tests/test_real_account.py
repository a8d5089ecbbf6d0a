"""The synth side of deploying to a real account (README "Deploy to your AWS account"): account
and region from CDK context give account-specific assemblies that the bootstrapped account's
roles deploy; price overrides on the command line reach the estimates. Nothing calls AWS."""

import json
import subprocess

from .conftest import ROOT
from .test_cli_synth import CDK, cli_env

ACCOUNT = "123456789012"


def test_cli_synth_for_an_account_and_region_with_price_overrides(tmp_path):
    out = tmp_path / "cdk.out"
    command = [str(CDK), "synth", "--quiet", "--output", str(out),
               "-c", f"account={ACCOUNT}", "-c", "region=us-east-1",
               "-c", 'cost:hourly-overrides={"ml.c5.xlarge": 0.15}']
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=cli_env(),
                            timeout=300)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    stacks = {name: a for name, a in manifest["artifacts"].items()
              if a["type"] == "aws:cloudformation:stack"}
    assert {"FraudCheckApi", "InternalTool"} <= set(stacks)  # and whatever build_app adds
    for name, artifact in stacks.items():
        # Deployed by that account's bootstrap roles into its asset bucket, nowhere else.
        assert artifact["environment"] == f"aws://{ACCOUNT}/us-east-1", name
        props = artifact["properties"]
        assert props["assumeRoleArn"].endswith(
            f":iam::{ACCOUNT}:role/cdk-hnb659fds-deploy-role-{ACCOUNT}-us-east-1")
        assert props["stackTemplateAssetObjectUrl"].startswith(
            f"s3://cdk-hnb659fds-assets-{ACCOUNT}-us-east-1/")
        assert props["bootstrapStackVersionSsmParameter"] == "/cdk-bootstrap/hnb659fds/version"

    template = json.loads((out / "FraudCheckApi.template.json").read_text())
    # The execution role's permissions: inline policies or its customer-managed policy.
    statements = [s for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"
                  for p in r["Properties"].get("Policies", [])
                  for s in p["PolicyDocument"]["Statement"]]
    statements += [s for r in template["Resources"].values()
                   if r["Type"] == "AWS::IAM::ManagedPolicy"
                   for s in r["Properties"]["PolicyDocument"]["Statement"]]
    assert any(f":logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/" in json.dumps(s)
               for s in statements), "the role's log permissions name the account"
    (endpoint,) = [r for r in template["Resources"].values()
                   if r["Type"] == "AWS::SageMaker::Endpoint"]
    estimate = endpoint["Metadata"]["CostEstimate"]
    assert estimate["region"] == "us-east-1"
    assert estimate["lines"][0]["unit_usd"] == 0.15
    assert estimate["price_book"].endswith("+ 1 hourly override (ml.c5.xlarge)")


def test_without_account_context_the_stacks_deploy_to_the_cli_account():
    """The default (what `bash dev.sh synth` and deploy-local use): region pinned, account left
    to the credentials the CLI runs with."""
    import aws_cdk as cdk

    from stacks import build_app

    for stack in build_app(cdk.App()):
        assert stack.region == "us-east-1"
        assert cdk.Token.is_unresolved(stack.account)
