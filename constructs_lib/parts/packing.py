"""A local directory of model files as one ``model.tar.gz`` asset, packed at synth.

SageMaker reads compressed model data as a gzip-compressed tar archive; CDK uploads a directory
asset as a zip. So the directory is packed by CDK's *local bundling* (``ILocalBundling``: no
Docker), into the asset's bundling output directory, and that single file is the asset
(``BundlingOutput.SINGLE_FILE``). The archive is deterministic (entries sorted, owners, modes
and times normalised, gzip without a timestamp), so the asset hash, and with it the template,
changes only when a file's content or name does.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

__all__ = ["ARCHIVE_NAME", "model_archive_asset", "pack"]

ARCHIVE_NAME = "model.tar.gz"


def pack(directory: str, archive: str) -> None:
    """Write every file under ``directory`` to ``archive`` (a .tar.gz), reproducibly."""
    entries: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        entries += sorted(os.path.join(root, f) for f in files)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in entries:
            info = tar.gettarinfo(path, arcname=os.path.relpath(path, directory))
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            info.mode = 0o644
            with open(path, "rb") as handle:
                tar.addfile(info, handle)
    with open(archive, "wb") as out, gzip.GzipFile(
            filename="", mode="wb", fileobj=out, mtime=0) as zipped:
        zipped.write(buffer.getvalue())


@jsii.implements(cdk.ILocalBundling)
class _PackLocally:
    def __init__(self, directory: str) -> None:
        self._directory = directory

    def try_bundle(self, output_dir: str, options: Any = None, **kwargs: Any) -> bool:
        # jsii passes the bundling options as one positional struct; the stubs name them.
        pack(self._directory, os.path.join(output_dir, ARCHIVE_NAME))
        return True


def model_archive_asset(scope: Construct, construct_id: str, directory: str) -> s3_assets.Asset:
    """``directory`` packed into ``model.tar.gz`` and uploaded by ``cdk deploy``."""
    return s3_assets.Asset(
        scope, construct_id, path=directory,
        bundling=cdk.BundlingOptions(
            # Never run: local bundling always succeeds (the image is required by the type).
            image=cdk.DockerImage.from_registry("local-bundling-only"),
            local=_PackLocally(directory), output_type=cdk.BundlingOutput.SINGLE_FILE))
