#!/usr/bin/env bash
# Runs every test strata has: the Rust workspace (unit, storage crash test, SigV4
# vectors), the policy engine's differential test, and the end-to-end tests, where boto3 and the AWS CLI talk HTTP to a real
# `strata serve`. Python clients are installed, pinned, into ./.venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=tests/e2e/requirements.txt
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# Reinstall only when the pins change.
if ! cmp -s "$requirements" "$venv/installed-requirements.txt"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/installed-requirements.txt"
fi
export PATH="$PWD/$venv/bin:$PATH"

cargo build --locked -p strata -p strata-query
cargo test --locked --workspace
# The policy engine against an independent evaluator (npm @cloud-copilot/iam-simulate).
tests/differential/run.sh
STRATA_BIN="$PWD/target/debug/strata" python -m pytest tests/e2e -q -p no:cacheprovider
