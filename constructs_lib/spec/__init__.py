"""Layer 1: what a user declares, as frozen pydantic models (no CDK, no prices).

The traffic hint, the model to serve, scaling, network, deployment, SageMaker's limits and
rules, and the props of every construct: a construct's props model is its signature (see
:func:`~constructs_lib.spec.base.validate_keywords`).
"""
