"""cfn-lint (in-process, rules loaded once) over every synthesized example template."""

import pytest

from .hardening import LINT_IGNORED, cfn_lint, synthesized


def test_every_example_template_lints_clean():
    templates = synthesized().templates
    assert len(templates) >= 3
    problems = {name: cfn_lint(t) for name, t in templates.items()}
    assert problems == {name: [] for name in templates}


def test_ignored_rules_each_have_a_reason():
    assert all(len(reason) > 20 for reason in LINT_IGNORED.values())


@pytest.mark.parametrize("broken, rule", [
    ({"Type": "AWS::SageMaker::Endpoint", "Properties": {}}, "E3003"),
    ({"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": [
        {"VariantName": "A", "ModelName": "m", "ServerlessConfig": {
            "MemorySizeInMB": 999, "MaxConcurrency": 1}}]}}, "E3034"),
    # The inference components of the examples are checked against their schema this way.
    ({"Type": "AWS::SageMaker::InferenceComponent", "Properties": {
        "EndpointName": "e", "Specification": {
            "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 64}}}}, "E3034"),
])
def test_the_linter_does_report_errors(broken, rule):
    problems = cfn_lint({"Resources": {"Broken": broken}})
    assert any(p.startswith(rule) for p in problems), problems
