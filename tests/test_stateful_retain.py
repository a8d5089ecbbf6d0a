"""Stateful resources (buckets, topics, KMS keys) survive stack deletion and replacement."""

from .hardening import resources, synthesized

STATEFUL = ("AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::KMS::Key", "AWS::SQS::Queue",
            "AWS::Logs::LogGroup", "AWS::DynamoDB::Table")


def test_every_stateful_resource_is_retained():
    checked = 0
    wrong = []
    for stack, template in synthesized().templates.items():
        for name, res in resources(template, *STATEFUL):
            checked += 1
            if (res.get("DeletionPolicy"), res.get("UpdateReplacePolicy")) != ("Retain", "Retain"):
                wrong.append(f"{stack}/{name} ({res['Type']})")
    assert checked >= 5  # the features stack: 2 data-capture + 2 access-log buckets, 1 key
    assert wrong == []


def test_library_topics_and_buckets_are_ssl_only():
    for stack, template in synthesized().templates.items():
        buckets = {n for n, _ in resources(template, "AWS::S3::Bucket")}
        denied = set()
        for _, res in resources(template, "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy"):
            props = res["Properties"]
            for st in props["PolicyDocument"]["Statement"]:
                if st.get("Effect") == "Deny" and st.get("Condition") == {
                        "Bool": {"aws:SecureTransport": "false"}}:
                    target = props.get("Bucket") or props.get("Topics")
                    denied.add(str(target))
        for name in buckets:
            assert any(name in d for d in denied), f"{stack}/{name} is not SSL-only"
        topics = {n for n, _ in resources(template, "AWS::SNS::Topic")}
        for name in topics:
            assert any(name in d for d in denied), f"{stack}/{name} is not SSL-only"
