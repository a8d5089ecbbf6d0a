"""The ARN an image URI or an S3 URI names, for least-privilege statements, when the URI is a
string (literal, or with CDK tokens) rather than a CDK object.

What the string shows (``spec/uris.py``) is used as it is, tokens included, so the statement
names exactly that repository, object or prefix, and follows the tokens (a bucket of another
stack becomes an import). What it does not show (a bare token: a ``CfnParameter``, an
``Fn.import_value``, ``asset.image_uri``) is derived from the URI itself at deploy time with
``Fn::Split``/``Fn::Select``, which is exact for every URI of the expected shape:

- image ``<account>.dkr.ecr.<region>.<suffix>/<repository>[:tag|@digest]``: account = the
  first '.'-field, region = the fourth, repository = what follows ``<suffix>/`` up to ':' or
  '@' (``amazonaws.com/``; ``amazonaws.com.cn/`` in the China partition);
- S3 ``s3://<bucket>/<key>``: the object ARN is ``arn:<partition>:s3:::`` + what follows
  ``s3://``; the bucket is the third '/'-field.

A URI of another shape fails the deployment at that ``Fn::Select`` (SageMaker would refuse it
anyway: it pulls only from ECR and reads only from S3).
"""

from __future__ import annotations

import aws_cdk as cdk

from ..spec.uris import parse_ecr, parse_s3

__all__ = ["ecr_repository_arn", "s3_bucket_arn", "s3_key", "s3_object_arn"]


def _suffix_delimiter(partition: str) -> str:
    return "amazonaws.com.cn/" if partition == "aws-cn" else "amazonaws.com/"


def ecr_repository_arn(uri: str, partition: str) -> str:
    """The ARN of the ECR repository ``uri`` names (``partition`` as the stack has it)."""
    image = parse_ecr(uri)
    account = image.account or cdk.Fn.select(0, cdk.Fn.split(".", uri))
    region = image.region or cdk.Fn.select(3, cdk.Fn.split(".", uri))
    repository = image.repository
    if repository is None:
        path = image.repository_and_reference or cdk.Fn.select(
            1, cdk.Fn.split(_suffix_delimiter(partition), uri))
        repository = cdk.Fn.select(0, cdk.Fn.split(":", cdk.Fn.select(0, cdk.Fn.split(
            "@", path))))
    return f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"


def s3_object_arn(uri: str, partition: str) -> str:
    """The ARN of the object (or prefix, without a wildcard) ``uri`` names."""
    location = parse_s3(uri)
    if location.bucket is not None:
        return f"arn:{partition}:s3:::{location.bucket}/{location.key}"
    return cdk.Fn.join("", [f"arn:{partition}:s3:::",
                            cdk.Fn.select(1, cdk.Fn.split("s3://", uri))])


def s3_bucket_arn(uri: str, partition: str) -> str:
    """The ARN of the bucket ``uri`` is in."""
    location = parse_s3(uri)
    bucket = location.bucket or cdk.Fn.select(2, cdk.Fn.split("/", uri))
    return f"arn:{partition}:s3:::{bucket}"


def s3_key(uri: str) -> str | None:
    """The key (or prefix) ``uri`` names; None for a bare token (CloudFormation cannot cut
    the bucket off a string it only knows at deploy time)."""
    return parse_s3(uri).key
