#!/usr/bin/env bash
# What TLS costs: the same requests over plain HTTP and over TLS, on one strata server and one
# port (keep-alive connections, so the handshake is paid once per connection), alternated so
# both see the same machine. DynamoDB GetItem (small answers: the per-request cost) and S3
# GetObject of 1 KiB and 1 MiB (bulk: the cipher's cost per byte), with server CPU per request.
#
# Environment (defaults in brackets):
#   BENCH_SECONDS [6]  ROUNDS [2]  PORT [14590]
#   SKIP_BUILD=1 uses the release binaries already built
set -euo pipefail
shopt -s inherit_errexit

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_SECONDS=${BENCH_SECONDS:-6}
ROUNDS=${ROUNDS:-2}
PORT=${PORT:-14590}

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$repo" && cargo build --release -p strata -p strata-bench)
fi
strata=$repo/target/release/strata
bench=$repo/target/release/strata-bench

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-tls-bench.XXXXXX")
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bench" bench-config > "$work/bench.toml"
RUST_LOG=warn "$strata" serve --config "$work/bench.toml" --data-dir "$work/data" --port "$PORT" \
  > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
for _ in $(seq 100); do
  grep -q '^strata listening' "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
export AWS_CA_BUNDLE=$work/data/tls/ca.pem

"$bench" dynamodb --endpoint "http://127.0.0.1:$PORT" --workload put --items 2000 \
  --seconds 2 --concurrency 4 > /dev/null
for round in $(seq "$ROUNDS"); do
  for scheme in http https; do
    "$bench" dynamodb --endpoint "$scheme://127.0.0.1:$PORT" --workload get --skip-populate \
      --items 2000 --seconds "$BENCH_SECONDS" --concurrency 16 --threads 1 --server-pid "$pid" \
      --label "GetItem over $scheme, round $round"
    for size in 1024 1048576; do
      "$bench" s3 --endpoint "$scheme://127.0.0.1:$PORT" --workload get --object-size "$size" \
        --seconds "$BENCH_SECONDS" --concurrency 4 --server-pid "$pid" \
        --label "GET $size B over $scheme, round $round"
    done
  done
done
