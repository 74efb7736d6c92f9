#!/usr/bin/env bash
# Differential test of strata-policy against @cloud-copilot/iam-simulate.
# Usage: tests/differential/run.sh [--seed N] [--count N] [--show N]   (needs cargo, Node 20+, npm)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# Build the Rust side and ask cargo where the binary is (respects CARGO_TARGET_DIR).
evaluator="$(
  cd "$root" &&
    cargo build -p strata-policy --example evaluate_jsonl --message-format=json-render-diagnostics |
    node -e '
      let out = ""
      process.stdin.on("data", (d) => (out += d)).on("end", () => {
        for (const line of out.split("\n")) {
          if (!line.startsWith("{")) continue
          const m = JSON.parse(line)
          if (m.reason === "compiler-artifact" && m.target?.name === "evaluate_jsonl" && m.executable) {
            console.log(m.executable)
          }
        }
      })'
)"
if [[ -z "$evaluator" ]]; then
  echo "run.sh: could not find the evaluate_jsonl example binary" >&2
  exit 2
fi

cd "$here"
if [[ ! -d node_modules/@cloud-copilot/iam-simulate ]]; then
  npm ci --no-audit --no-fund
fi
exec node generate_and_compare.mjs --evaluator "$evaluator" "$@"
