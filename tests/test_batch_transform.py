"""BatchTransform: focused Template assertions, one behaviour each."""

import json
import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template

from constructs_lib import BatchTransform, ConfigurationError, ModelSpec, TrafficHint

from .conftest import IMAGE, has_note, make_stack

NIGHTLY = TrafficHint(records_per_run=1_000_000, runs_per_month=30, avg_duration_ms=50)


def batch(stack, **overrides):
    props = dict(model=ModelSpec(image_uri=IMAGE,
                                 model_data_url="s3://models-bucket/churn/v1/model.tar.gz"),
                 instance_type="ml.m5.xlarge", traffic=NIGHTLY,
                 input_s3_uri="s3://data-bucket/churn/in/",
                 output_s3_uri="s3://data-bucket/churn/out/",
                 schedule="cron(0 2 * * ? *)")
    props.update(overrides)
    return BatchTransform(stack, "Churn", **props)


def definition(stack):
    """The state machine's ASL, with CloudFormation tokens replaced by their logical ids."""
    [sm] = Template.from_stack(stack).find_resources("AWS::StepFunctions::StateMachine").values()
    parts = sm["Properties"]["DefinitionString"]["Fn::Join"][1]
    # Tokens sit inside JSON strings ("arn:<partition>:states:..."): mark them in place.
    return json.loads("".join(p if isinstance(p, str) else "TOKEN" for p in parts))


def test_state_machine_runs_transform_job_sync_with_unique_name(stack):
    batch(stack, instance_count=3, max_concurrent_transforms=4, max_payload_mb=20)
    asl = definition(stack)
    task = asl["States"][asl["StartAt"]]
    assert task["Resource"].endswith(":states:::sagemaker:createTransformJob.sync")
    params = task["Parameters"]
    assert params["TransformJobName.$"] == "States.Format('Churn-{}', $$.Execution.Name)"
    assert params["TransformResources"] == {"InstanceCount": 3, "InstanceType": "ml.m5.xlarge"}
    assert params["MaxConcurrentTransforms"] == 4 and params["MaxPayloadInMB"] == 20
    assert params["BatchStrategy"] == "MultiRecord"
    assert params["TransformInput"] == {
        "ContentType": "text/csv", "SplitType": "Line",
        "DataSource": {"S3DataSource": {"S3Uri": "s3://data-bucket/churn/in/",
                                        "S3DataType": "S3Prefix"}}}
    assert params["TransformOutput"] == {"S3OutputPath": "s3://data-bucket/churn/out/",
                                         "AssembleWith": "Line"}
    assert params["ModelName"] == "TOKEN"
    Template.from_stack(stack).resource_count_is("AWS::SageMaker::Model", 1)


def test_job_name_prefix_is_given_or_from_the_construct_id(stack):
    batch(stack, job_name_prefix="churn-nightly")
    task = definition(stack)["States"]["RunTransformJob"]
    assert task["Parameters"]["TransformJobName.$"].startswith("States.Format('churn-nightly-{}'")


def test_failure_publishes_to_error_topic_then_fails_the_execution(stack):
    batch(stack)
    asl = definition(stack)
    task = asl["States"]["RunTransformJob"]
    assert task["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure",
                              "Next": "NotifyFailure"}]
    notify = asl["States"]["NotifyFailure"]
    assert notify["Resource"].endswith(":states:::sns:publish")
    assert notify["Parameters"]["Message"]["cause.$"] == "$.failure.Cause"
    assert notify["Next"] == "TransformFailed"
    assert notify["Catch"][0]["Next"] == "TransformFailed"  # even if publishing fails
    assert asl["States"]["TransformFailed"]["Type"] == "Fail"
    assert task["Next"] == "Done" and asl["States"]["Done"]["Type"] == "Succeed"
    # The job is stopped and reported before the state machine itself times out.
    assert task["TimeoutSeconds"] == 23 * 3600 < asl["TimeoutSeconds"]


def test_new_error_topic_is_encrypted_and_tls_only_or_the_given_one_is_used(stack):
    batch(stack)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    t.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {
        "Statement": Match.array_with([Match.object_like(
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})
    other = make_stack()
    topic = sns.Topic.from_topic_arn(other, "Ops", "arn:aws:sns:us-east-1:111111111111:ops")
    b = batch(other, error_topic=topic)
    Template.from_stack(other).resource_count_is("AWS::SNS::Topic", 0)
    assert b.error_topic is topic
    assert "arn:aws:sns:us-east-1:111111111111:ops" in json.dumps(
        Template.from_stack(other).to_json())


def test_schedule_starts_the_state_machine_in_its_time_zone(stack):
    batch(stack, schedule="cron(30 1 * * ? *)", schedule_time_zone="Europe/London")
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::Scheduler::Schedule", {
        "ScheduleExpression": "cron(30 1 * * ? *)",
        "ScheduleExpressionTimezone": "Europe/London",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": Match.object_like({
            "Arn": {"Ref": Match.string_like_regexp("ChurnStateMachine")},
            "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}}),
    })
    # The schedule's own role: only StartExecution on this state machine, in a managed policy.
    t.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": [{
        "Action": "states:StartExecution", "Effect": "Allow",
        "Resource": {"Ref": Match.string_like_regexp("ChurnStateMachine")}}]}})
    [schedule] = t.find_resources("AWS::Scheduler::Schedule").values()
    role_id = schedule["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
    assert role_id.startswith("ChurnScheduleRole")
    trust = t.to_json()["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert set(statement["Condition"]["StringEquals"]) == {"aws:SourceAccount", "aws:SourceArn"}


def test_state_machine_logs_every_state_to_a_retained_log_group(stack):
    batch(stack)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::StepFunctions::StateMachine", {"LoggingConfiguration": {
        "Level": "ALL", "IncludeExecutionData": False,
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {
            "Fn::GetAtt": [Match.string_like_regexp("ChurnLogs"), "Arn"]}}}]}})
    t.has_resource("AWS::Logs::LogGroup", {"DeletionPolicy": "Retain",
                                           "Properties": {"RetentionInDays": 90}})


def test_passed_role_is_scoped_never_sagemaker_full_access(stack):
    batch(stack)
    t = Template.from_stack(stack)
    text = json.dumps(t.to_json())
    assert "AmazonSageMakerFullAccess" not in text
    # No AWS managed policy on any role: only this template's own customer-managed ones.
    managed = t.find_resources("AWS::IAM::ManagedPolicy")
    for role in t.find_resources("AWS::IAM::Role").values():
        for arn in role["Properties"]["ManagedPolicyArns"]:
            assert set(arn) == {"Ref"} and arn["Ref"] in managed, arn
    t.resource_count_is("AWS::IAM::Policy", 0)  # and no inline policy
    # The state machine may pass only the model's execution role.
    sm_policy = next(p for name, p in managed.items() if name.startswith("ChurnStateMachineRole"))
    passes = [s for s in sm_policy["Properties"]["PolicyDocument"]["Statement"]
              if s["Action"] == "iam:PassRole"]
    [passed] = passes
    assert passed["Resource"]["Fn::GetAtt"][0].startswith("ChurnExecutionRole")
    assert passed["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_execution_role_reads_input_prefix_and_writes_output_prefix_only(stack):
    batch(stack)
    t = Template.from_stack(stack)
    policy = next(p for name, p in t.find_resources("AWS::IAM::ManagedPolicy").items()
                  if name.startswith("ChurnExecutionRolePolicy"))
    st = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert st["ReadTransformInput"]["Action"] == "s3:GetObject"
    assert st["ReadTransformInput"]["Resource"]["Fn::Join"][1][-1] == ":s3:::data-bucket/churn/in/*"
    assert st["ListTransformInput"]["Condition"] == {"StringLike": {"s3:prefix": ["churn/in/*"]}}
    assert st["WriteTransformOutput"]["Action"] == ["s3:PutObject", "s3:AbortMultipartUpload"]
    output_arn = st["WriteTransformOutput"]["Resource"]["Fn::Join"][1]
    assert output_arn[-1] == ":s3:::data-bucket/churn/out/*"


def test_existing_model_role_is_passed(stack):
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    b = batch(stack, model=ModelSpec(image_uri=IMAGE, execution_role=role))
    assert b.role is role
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::Model", {
        "ExecutionRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("Mine"), "Arn"]}})


def test_cost_metadata_on_the_state_machine_and_annotation(stack):
    b = batch(stack, instance_count=2, max_concurrent_transforms=4)
    t = Template.from_stack(stack)
    [sm] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    meta = sm["Metadata"]["CostEstimate"]
    assert meta == b.cost_estimate.to_metadata()
    assert meta["kind"] == "batch"
    # 1,000,000 × 50 ms / (2 × 4) + 300 s = 6,550 s × 2 instances × 30 runs / 3600 × 0.23,
    # + their 8 GB volumes while up (8 × 109.17 h / 730 GB-month × 0.14)
    hours = 6550 * 2 * 30 / 3600
    assert meta["monthly_usd"] == round(hours * 0.23 + 8 * hours / 730 * 0.14, 2) == 25.28
    assert any(a.startswith("job duration assumed:") for a in meta["assumptions"])
    assert sm["Metadata"]["ConstructsLib"] == {"path": "Test/Churn", "construct": "BatchTransform"}
    for other in t.find_resources("AWS::SageMaker::Model").values():
        assert "CostEstimate" not in other.get("Metadata", {})
    has_note(stack, "/Test/Churn", r"^Estimated \$25\.28/month \(batch, us-east-1\)")


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"max_payload_mb": 101}, "max_payload_mb", "less than or equal to 100"),
    ({"max_concurrent_transforms": 20}, "max_concurrent_transforms",
     r"\(20 × 6\) must be <= 100"),
    ({"max_concurrent_transforms": 5, "max_payload_mb": 25}, "max_concurrent_transforms",
     r"\(5 × 25\) must be <= 100"),
    ({"instance_count": 101}, "instance_count", "less than or equal to 100"),
    ({"traffic": {"avg_duration_ms": 5}}, "traffic.records_per_run", "required"),
    ({"traffic": {"records_per_run": 10}}, "traffic.runs_per_month", "required"),
    ({"schedule": "every night"}, "schedule", "should match pattern"),
    ({"input_s3_uri": "data-bucket/in/"}, "input_s3_uri", "S3 URI"),
    ({"output_s3_uri": "s3://data-bucket/churn/in"}, "output_s3_uri", "must differ"),
    ({"batch_strategy": "Everything"}, "batch_strategy", "MultiRecord"),
    ({"job_name_prefix": "x" * 27}, "job_name_prefix", "should match pattern"),
])
def test_bad_props_error_names_path_field_value_and_allowed(stack, overrides, field, allowed):
    with pytest.raises(ConfigurationError) as info:
        batch(stack, **overrides)
    message = str(info.value)
    assert "BatchTransform at 'Test/Churn'" in message
    assert f"  - {field}=" in message
    assert re.search(allowed, message), message
    assert stack.node.try_find_child("Churn") is None


def test_long_construct_id_gives_a_prefix_that_fits_the_job_name(stack):
    b = BatchTransform(stack, "Very_Long.Construct Id For Scoring Customers Nightly",
                       model=ModelSpec(image_uri=IMAGE), instance_type="ml.m5.xlarge",
                       traffic=NIGHTLY, input_s3_uri="s3://data-bucket/a/",
                       output_s3_uri="s3://data-bucket/b/", schedule="rate(1 day)")
    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*", b.job_name_prefix)
    assert len(b.job_name_prefix) + 1 + 36 <= 63


def test_state_machine_role_lists_tags_of_transform_jobs_only(stack):
    batch(stack)
    t = Template.from_stack(stack)
    policy = next(p for name, p in t.find_resources("AWS::IAM::ManagedPolicy").items()
                  if name.startswith("ChurnStateMachineRole"))
    [list_tags] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                   if s["Action"] == "sagemaker:ListTags"]
    assert list_tags["Resource"]["Fn::Join"][1][-1] == ":transform-job/*"
    [sm] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    assert "DependsOn" not in sm  # ordered by the role ARN it reads (cfn-lint W3005)


def test_kms_key_encrypts_output_topic_and_logs(stack):
    from aws_cdk import aws_kms as kms
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    batch(stack, kms_key=key)
    t = Template.from_stack(stack)
    key_arn = {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]}
    t.has_resource_properties("AWS::Logs::LogGroup", {"KmsKeyId": key_arn})
    t.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": key_arn})
    asl = definition(stack)
    task = asl["States"][asl["StartAt"]]
    assert task["Parameters"]["TransformOutput"]["KmsKeyId"] == "TOKEN"
    [key_res] = t.find_resources("AWS::KMS::Key").values()
    principals = json.dumps(key_res["Properties"]["KeyPolicy"])
    assert "logs.us-east-1.amazonaws.com" in principals
    execution = next(p for name, p in t.find_resources("AWS::IAM::ManagedPolicy").items()
                     if name.startswith("ChurnExecutionRolePolicy"))
    [kms_grant] = [s for s in execution["Properties"]["PolicyDocument"]["Statement"]
                   if "kms:Encrypt" in s["Action"]]
    assert kms_grant["Action"] == ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]


def test_prefix_grants_to_a_passed_role_are_acknowledged_on_it(stack):
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    batch(stack, model=ModelSpec(image_uri=IMAGE, execution_role=role))
    Template.from_stack(stack)  # acknowledgements are recorded at synth, from the final template
    acked = [e.data for e in role.node.metadata
             if e.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY]
    ids = {rule for data in acked for rule in data}
    assert any(i.endswith(":s3:::data-bucket/churn/in/*]") for i in ids), ids
    assert any(i.endswith(":s3:::data-bucket/churn/out/*]") for i in ids), ids
