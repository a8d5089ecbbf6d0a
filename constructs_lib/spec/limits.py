"""SageMaker's limits, in one place: validation and cost advice both read them from here.

Sources: the SageMaker API reference (botocore service model ``sagemaker`` 2017-07-24, as
botocore 1.43 ships it: ``ProductionVariantServerlessConfig``, ``ProductionVariant``,
``AsyncInferenceClientConfig``, ``ContainerDefinition``, ``InferenceExecutionConfig``;
``sagemaker-runtime`` ``InvokeEndpoint``/``InvokeEndpointAsync``),
the CloudFormation schemas ``AWS::SageMaker::EndpointConfig`` / ``AWS::SageMaker::Endpoint``,
and the SageMaker developer guide pages "Serverless Inference", "Asynchronous Inference",
"Invoke an endpoint" (InvokeEndpoint: 6 MB body, 60 s) and "Batch transform".
"""

from __future__ import annotations

SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
"""ProductionVariantServerlessConfig.MemorySizeInMB: 1024-6144 in 1 GB steps."""
SERVERLESS_MAX_CONCURRENCY = 200
"""ProductionVariantServerlessConfig.MaxConcurrency: 1-200 (and ProvisionedConcurrency <= it)."""
SERVERLESS_MAX_PAYLOAD_KB = 4 * 1024
"""Serverless Inference: request payload at most 4 MB."""
SERVERLESS_MAX_DURATION_MS = 60_000
"""Serverless Inference: invocation at most 60 s."""

REALTIME_MAX_PAYLOAD_KB = 6 * 1024
"""InvokeEndpoint: request and response bodies at most 6 MB."""
REALTIME_MAX_DURATION_MS = 60_000
"""InvokeEndpoint: the container must answer within 60 s."""
MAX_PRODUCTION_VARIANTS = 10
"""EndpointConfig.ProductionVariants: at most 10."""

ASYNC_MAX_PAYLOAD_KB = 1024 * 1024
"""Asynchronous Inference: payloads up to 1 GB (from S3)."""
ASYNC_MAX_DURATION_MS = 3_600_000
"""InvokeEndpointAsync.InvocationTimeoutSeconds: 1-3600 s, a per-request parameter (botocore
``sagemaker-runtime``); the endpoint config has no timeout field."""
ASYNC_MAX_CONCURRENT_INVOCATIONS = 1000
"""AsyncInferenceClientConfig.MaxConcurrentInvocationsPerInstance: 1-1000."""

ML_VOLUME_SIZE_GB = (1, 512)
"""ProductionVariant.VolumeSizeInGB: 1-512 GB, gp2 only (botocore ``sagemaker`` 2017-07-24
``ProductionVariantVolumeSizeInGB``; the CloudFormation schema of ``AWS::SageMaker::EndpointConfig``
agrees). Refused on instance types with local NVMe storage (``rules.volume_problems``)."""
CONCURRENT_REQUESTS_MAX = 1000
"""Upper bound of ``max_concurrent_requests_per_instance``, a cost assumption (SageMaker has no
such setting for real-time variants; the model server's workers decide): as async's
``MaxConcurrentInvocationsPerInstance``, 1-1000."""

ENDPOINT_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
"""CreateEndpoint.EndpointName (also variant names): 63 characters, alphanumerics and '-'."""
ASYNC_DEFAULT_INVOCATION_TIMEOUT_S = 900
"""InvokeEndpointAsync.InvocationTimeoutSeconds when a request does not set it: 900 s."""

BATCH_DEFAULT_MAX_PAYLOAD_MB = 6
"""CreateTransformJob.MaxPayloadInMB: 6 MB when not set."""
BATCH_MAX_PAYLOAD_MB = 100
"""CreateTransformJob.MaxPayloadInMB: 0-100."""
BATCH_MAX_CONCURRENT_PAYLOAD_MB = 100
"""Batch transform: MaxConcurrentTransforms × MaxPayloadInMB must not exceed 100 MB."""
BATCH_MAX_INSTANCE_COUNT = 100
"""TransformResources.InstanceCount: 1-100."""
TRANSFORM_JOB_NAME_MAX = 63
"""CreateTransformJob.TransformJobName: 63 characters, alphanumerics and '-'."""

# Cost advice reads the limits above through these groupings: one check per endpoint kind.
SERVERLESS_MAX_MEMORY_MB = SERVERLESS_MEMORY_MB[-1]
"""ProductionVariantServerlessConfig.MemorySizeInMB: a model needing more cannot go serverless."""

MAX_VARIANTS_WITH_SHADOW = 1
"""Shadow variants: one shadow beside exactly one production variant (CreateEndpointConfig)."""
DEPLOYMENT_WAIT_MAX_S = 3600
"""TrafficRoutingConfig / RollingUpdatePolicy WaitIntervalInSeconds and
BlueGreenUpdatePolicy TerminationWaitInSeconds: 0-3600 s."""
BLUE_GREEN_TIMEOUT_S = (600, 14400)
"""BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds: 600-14400 s."""
ROLLING_TIMEOUT_S = (600, 28800)
"""RollingUpdatePolicy.MaximumExecutionTimeoutInSeconds: 600-28800 s."""
CANARY_MAX_PERCENT = 50
"""TrafficRoutingConfig.CanarySize as CAPACITY_PERCENT: at most 50% of the new fleet."""
LINEAR_STEP_PERCENT = (10, 50)
"""TrafficRoutingConfig.LinearStepSize as CAPACITY_PERCENT: 10-50%."""
ROLLBACK_ALARMS = (1, 10)
"""AutoRollbackConfig.Alarms: 1-10 CloudWatch alarms."""
TARGET_MODEL_PATTERN = r"^\S[\x20-\x7E]{0,1023}$"
"""InvokeEndpoint.TargetModel: the artifact's key relative to the multi-model prefix (1024
chars)."""

# Inference components: the botocore service model ``sagemaker`` 2017-07-24
# (``InferenceComponentComputeResourceRequirements``, ``InferenceComponentStartupParameters``,
# ``InferenceComponentRuntimeConfig``, ``ProductionVariantManagedInstanceScaling``) and the
# CloudFormation schema ``AWS::SageMaker::InferenceComponent`` (cfn-lint's packaged copy).
IC_MIN_MEMORY_MB = 128
"""ComputeResourceRequirements.MinMemoryRequiredInMb: required, at least 128 MB."""
IC_MIN_CPU_CORES = 0.25
"""ComputeResourceRequirements.NumberOfCpuCoresRequired: at least 0.25 when set."""
IC_MIN_ACCELERATORS = 1
"""ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired: at least 1 when set (a
CPU-only model leaves it out)."""
IC_STARTUP_TIMEOUT_S = (60, 3600)
"""StartupParameters.ModelDataDownloadTimeoutInSeconds and
ContainerStartupHealthCheckTimeoutInSeconds: 60-3600 s."""
IC_MIN_CREATE_COPIES = 1
"""RuntimeConfig.CopyCount at creation: the schema allows 0, but an inference component is
created with at least one copy; scaling takes it to zero afterwards (AWS blog "Unlock cost
savings with the new scale down to zero feature in SageMaker Inference", 2024-12-03: created
with ``CopyCount`` 1, scaled to zero by Application Auto Scaling)."""
IC_NAME_MAX = 63
"""CreateInferenceComponent.InferenceComponentName: 63 characters,
``[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?``."""
IC_BURSTABLE_FAMILIES = ("ml.t2", "ml.t3")
"""Burstable families: "SageMaker doesn't support auto scaling for burstable instances such as
T2" (SageMaker developer guide, "Configure model auto scaling with the console"), so copies
cannot scale and an endpoint on them cannot scale to zero."""
MAX_CONTAINERS = 15
"""CreateModel.Containers (ContainerDefinitionList): at most 15 (CloudFormation
``AWS::SageMaker::Model`` ``Containers`` maxItems 15; developer guide "Create a multi-container
endpoint": "a limit of up to 15 containers")."""
CONTAINER_HOSTNAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
"""ContainerDefinition.ContainerHostname: 63 characters, alphanumerics and '-'."""
DIRECT_INVOCATION_KINDS = ("RealTimeEndpoint",)
"""Direct invocation (InferenceExecutionConfig ``Direct``) needs ``TargetContainerHostname`` on
each request: InvokeEndpoint has it; InvokeEndpointAsync and CreateTransformJob do not, so
asynchronous endpoints and batch transform run multi-container models as ``Serial`` pipelines
only (botocore ``sagemaker-runtime`` InvokeEndpointAsyncInput, ``sagemaker``
CreateTransformJobRequest)."""
VARIANT_TIMEOUT_S = (60, 3600)
"""ProductionVariant ContainerStartupHealthCheckTimeoutInSeconds and
ModelDataDownloadTimeoutInSeconds: 60-3600 s (botocore and the CloudFormation schema agree)."""
