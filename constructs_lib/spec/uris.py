"""ECR image URIs and S3 URIs, literal or made of CDK tokens: their shape, and their parts.

A literal is checked whole. A string with tokens in it (``repository.repository_uri_for_tag``,
``f"s3://{bucket.bucket_name}/model.tar.gz"``) is parsed with each token standing for any text
(:mod:`.tokens`): what its literal parts show is checked, and the parts found (account, region,
repository; bucket, key) keep their tokens, so a policy built from them names exactly what the
URI names. What the string does not show (a bare token: ``asset.image_uri``, a
``CfnParameter``) is ``None`` here; ``parts/arns.py`` derives it from the URI at deploy time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tokens import PLACEHOLDER as P
from .tokens import TOKEN_MARKER, bare_token, from_placeholders, is_token, to_placeholders

__all__ = [
    "ECR_IMAGE",
    "S3_URI",
    "EcrImage",
    "S3Location",
    "ecr_image_uri",
    "key_is_prefix",
    "parse_ecr",
    "parse_s3",
    "parse_s3_uri",
    "s3_uri",
]

ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9][a-z0-9._/-]*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$"
)
"""A literal ECR image URI (CreateModel ``Image``: registry/repository[:tag|@digest])."""
S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")
"""A literal ``s3://bucket/key`` URI (bucket naming rules: 3-63 lowercase, digits, '.', '-')."""

_ECR_SHAPE = re.compile(
    rf"^(?:(?P<account>\d{{12}}|{P}+)\.dkr\.ecr\.(?P<region>(?:[a-z0-9-]|{P})+)"
    rf"\.(?:amazonaws\.com(?:\.cn)?|{P}+)|(?P<host>{P}+))"
    rf"/(?P<repo>(?:[a-z0-9]|{P})(?:[a-z0-9._/-]|{P})*?)"
    rf"(?P<ref>:(?:[A-Za-z0-9_]|{P})(?:[A-Za-z0-9_.-]|{P})*|@sha256:(?:[0-9a-f]|{P})+)?$")
_S3_SHAPE = re.compile(rf"^s3://(?P<bucket>(?:[a-z0-9.-]|{P})+)(?:/(?P<key>.*))?$")
ECR_EXAMPLE = ("must be an ECR image URI like "
               "'123456789012.dkr.ecr.us-east-1.amazonaws.com/repository:tag' (or @sha256:digest)")
S3_EXAMPLE = "must be an S3 URI like 's3://bucket/prefix/model.tar.gz'"
_ENDS_WITH_TOKEN = re.compile(TOKEN_MARKER.pattern + "$")
_TOKEN_NOTE = " (its literal parts cannot form one; each CDK token stands for any text)"


@dataclass(frozen=True)
class EcrImage:
    """What an image URI shows. ``None``: carried by a token the string does not split."""

    account: str | None
    region: str | None
    repository: str | None
    """The repository name (tokens kept), or None when a token may also hold the tag."""
    repository_and_reference: str | None
    """Everything after the registry host (``team/model:v1``), tokens kept: what to split at
    deploy time when ``repository`` is None; None for a bare token."""


@dataclass(frozen=True)
class S3Location:
    """What an S3 URI shows: its bucket and key (tokens kept), None for a bare token."""

    bucket: str | None
    key: str | None

    @property
    def is_prefix(self) -> bool | None:
        """True for a prefix (the key is empty or ends in '/'), False for an object, None when a
        token at the end may be either."""
        return None if self.key is None else key_is_prefix(self.key)


def key_is_prefix(key: str) -> bool | None:
    """True for a prefix (empty, or ending in '/'), False for an object key, None when it ends
    with a token (which may end in '/' or not)."""
    if key == "" or key.endswith("/"):
        return True
    return None if _ENDS_WITH_TOKEN.search(key) else False


def parse_ecr(uri: str) -> EcrImage:
    """The parts of an ECR image URI (literal, or with tokens); ``ValueError`` when its literal
    parts cannot be one."""
    if bare_token(uri):
        return EcrImage(None, None, None, None)
    if not is_token(uri):
        match = ECR_IMAGE.match(uri)
        if not match:
            raise ValueError(ECR_EXAMPLE)
        rest = uri.split("/", 1)[1]
        return EcrImage(match["account"], match["region"], match["repo"], rest)
    text, markers = to_placeholders(uri)
    match = _ECR_SHAPE.match(text)
    if not match:
        raise ValueError(ECR_EXAMPLE + _TOKEN_NOTE)
    repo, ref = match["repo"], match["ref"]
    if ref is None and not re.search(f"{P}$", repo):
        raise ValueError(ECR_EXAMPLE + ": a tag or digest is required")

    def back(part: str | None) -> str | None:
        return None if part is None else from_placeholders(part, markers)

    rest = text[match.start("repo"):]
    return EcrImage(account=back(match["account"]), region=back(match["region"]),
                    repository=back(repo) if ref is not None else None,
                    repository_and_reference=back(rest))


def parse_s3(uri: str) -> S3Location:
    """The bucket and key of an S3 URI (literal, or with tokens); ``ValueError`` when its
    literal parts cannot be one."""
    if bare_token(uri):
        return S3Location(None, None)
    if not is_token(uri):
        match = S3_URI.match(uri)
        if not match:
            raise ValueError(S3_EXAMPLE)
        return S3Location(match["bucket"], match["key"] or "")
    text, markers = to_placeholders(uri)
    match = _S3_SHAPE.match(text)
    if not match:
        raise ValueError(S3_EXAMPLE + _TOKEN_NOTE)
    bucket = match["bucket"]
    if bucket[0] in "-." or bucket[-1] in "-.":
        raise ValueError(S3_EXAMPLE + ": a bucket name starts and ends with a letter or digit")
    return S3Location(from_placeholders(bucket, markers),
                      from_placeholders(match["key"] or "", markers))


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of a literal ``s3://bucket/key``."""
    match = S3_URI.match(uri)
    if not match:
        raise ValueError(f"not an S3 URI: {uri!r}")
    return match["bucket"], match["key"] or ""


def s3_uri(value: str | None) -> str | None:
    """Validator: an ``s3://bucket/key`` URI, literal or with CDK tokens (or None)."""
    if value is not None:
        parse_s3(value)
    return value


def ecr_image_uri(value: str) -> str:
    """Validator: an ECR image URI, literal or with CDK tokens."""
    parse_ecr(value)
    return value
