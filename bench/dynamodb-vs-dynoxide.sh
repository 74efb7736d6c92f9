#!/usr/bin/env bash
# DynamoDB throughput and latency, strata vs. Dynoxide (https://crates.io/crates/dynoxide-rs),
# measured in one run on one machine with the same client (`strata-bench dynamodb`).
#
# Both servers keep their data in files under one work directory on the same filesystem:
#   - strata:   `serve --data-dir`; every acknowledged write is fsynced first (group commit).
#   - Dynoxide: `--db-path FILE`, SQLite in WAL mode. Dynoxide sets no `synchronous` pragma,
#               so SQLite's compiled-in default applies (FULL: the WAL is fsynced at every
#               commit; strace shows one fsync per PutItem); there is no flag to choose
#               another durability mode.
# Workloads run one after another, strata first then Dynoxide for each, so both see the
# same machine state; on a small machine the client competes with the server for CPU, so
# compare ratios rather than absolute numbers.
#
# Environment (defaults in brackets):
#   SCRATCH        where Dynoxide is installed [${TMPDIR:-/tmp}/strata-bench-peers]
#   DYNOXIDE_VERSION  pin the crates.io version to install [latest]
#   WORKLOADS      [put get query mix]     CONCURRENCY [64]     BENCH_SECONDS [10]
#   ITEMS          keyspace size [10000]   ITEM_SIZE payload bytes [256]
#   STRATA_PORT    [14566]                 DYNOXIDE_PORT [18000]
#   STRATA_LOG     RUST_LOG for strata [warn] (info logs every request)
#   CLIENT_THREADS the load generator's runtime threads [one per core]
#   SKIP_BUILD=1   use the release binaries already built
#   WORK_DIR       data and logs [a fresh mktemp -d]; KEEP_DATA=1 keeps it afterwards
set -euo pipefail
shopt -s inherit_errexit

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}/strata-bench-peers}
WORKLOADS=${WORKLOADS:-put get query mix}
CONCURRENCY=${CONCURRENCY:-64}
BENCH_SECONDS=${BENCH_SECONDS:-10}
ITEMS=${ITEMS:-10000}
ITEM_SIZE=${ITEM_SIZE:-256}
STRATA_PORT=${STRATA_PORT:-14566}
DYNOXIDE_PORT=${DYNOXIDE_PORT:-18000}
STRATA_LOG=${STRATA_LOG:-warn}
TABLE=strata-bench

command -v jq >/dev/null || { echo "this script needs jq" >&2; exit 1; }

# --- Dynoxide ---------------------------------------------------------------------------
dynoxide=$SCRATCH/bin/dynoxide
if [[ -x $dynoxide ]]; then
  echo "dynoxide: using $dynoxide" >&2
else
  echo "dynoxide: installing dynoxide-rs into $SCRATCH (a few minutes)" >&2
  mkdir -p "$SCRATCH"
  cargo install dynoxide-rs --locked --root "$SCRATCH" ${DYNOXIDE_VERSION:+--version "$DYNOXIDE_VERSION"}
fi

# --- strata -----------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "strata: cargo build --release -p strata -p strata-bench" >&2
  (cd "$repo" && cargo build --release -p strata -p strata-bench)
fi
target=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
strata=$target/release/strata
bench=$target/release/strata-bench

# --- servers ----------------------------------------------------------------------------
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/strata-vs-dynoxide.XXXXXX")}
mkdir -p "$work"
strata_pid=
dynoxide_pid=
cleanup() {
  local status=$?
  for pid in $strata_pid $dynoxide_pid; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $strata_pid $dynoxide_pid; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP_DATA:-0} == 1 ]]; then
    echo "data and logs kept in $work" >&2
  elif [[ -z ${WORK_DIR:-} ]]; then
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_listening() { # name pid port log
  local deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null; do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "$1 exited before listening; its log:" >&2
      cat "$4" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "$1 is not listening on port $3 after 30 s; its log:" >&2
      cat "$4" >&2
      exit 1
    fi
    sleep 0.1
  done
}
for port in "$STRATA_PORT" "$DYNOXIDE_PORT"; do
  port_free "$port" || { echo "port $port is in use; set STRATA_PORT / DYNOXIDE_PORT" >&2; exit 1; }
done

"$bench" bench-config >"$work/config.toml"
RUST_LOG=$STRATA_LOG "$strata" serve --port "$STRATA_PORT" --data-dir "$work/strata" \
  --config "$work/config.toml" >"$work/strata.log" 2>&1 &
strata_pid=$!
"$dynoxide" serve --port "$DYNOXIDE_PORT" --db-path "$work/dynoxide.db" >"$work/dynoxide.log" 2>&1 &
dynoxide_pid=$!
wait_listening strata "$strata_pid" "$STRATA_PORT" "$work/strata.log"
wait_listening dynoxide "$dynoxide_pid" "$DYNOXIDE_PORT" "$work/dynoxide.log"

# --- load -------------------------------------------------------------------------------
# name port pid workload -> the JSON report on stdout, the text report on stderr. A run
# that fails outright (e.g. the table can't be created) yields {"failed": "why"} instead.
run() {
  local out err=$work/$1-$4.err
  if out=$("$bench" dynamodb --endpoint "http://127.0.0.1:$2" --label "$1" --server-pid "$3" \
    --table "$TABLE" --workload "$4" --concurrency "$CONCURRENCY" --seconds "$BENCH_SECONDS" \
    --items "$ITEMS" --item-size "$ITEM_SIZE" ${CLIENT_THREADS:+--threads "$CLIENT_THREADS"} \
    --json 2> >(tee "$err" >&2)); then
    sed '$d' <<<"$out" >&2
    tail -n 1 <<<"$out"
  else
    echo "$1 $4: strata-bench failed" >&2
    jq -cn --arg name "$1" --arg workload "$4" --arg why "$(grep -m1 '^Error' "$err" || tail -n 1 "$err")" \
      '{"label": $name, "workload": $workload, "failed": $why}'
  fi
  kill -0 "$3" 2>/dev/null || { echo "$1 (pid $3) has exited; its log: $work/$1.log" >&2; tail -n 20 "$work/$1.log" >&2; exit 1; }
}

rows=()
for workload in $WORKLOADS; do
  s=$(run strata "$STRATA_PORT" "$strata_pid" "$workload")
  d=$(run dynoxide "$DYNOXIDE_PORT" "$dynoxide_pid" "$workload")
  rows+=("$(jq -cn --argjson s "$s" --argjson d "$d" '{s: $s, d: $d}')")
done

# --- table ------------------------------------------------------------------------------
echo
# (`dynoxide --version` reports an internal version, not the crate's.)
dynoxide_version=$(cargo install --list --root "$SCRATCH" 2>/dev/null | awk '/^dynoxide-rs /{sub(/:$/, "", $2); print $2}')
echo "DynamoDB, strata $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree) vs. Dynoxide ${dynoxide_version:-?}:" \
  "$CONCURRENCY connections, ${BENCH_SECONDS} s per workload, $ITEMS items of ${ITEM_SIZE} B payload," \
  "$(nproc) cores, data on $(stat -f -c %T "$work")"
echo
echo "| workload | strata ops/s | p99 | dynoxide ops/s | p99 | ratio | server CPU µs/req (strata / dynoxide) | errors (strata / dynoxide) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
  jq -r '
    def ms: if . >= 1000 then "\((. / 10 | round) / 100) ms" else "\(.) µs" end;
    def ops: if .failed then "failed" else .ops_per_sec | round | tostring end;
    def p99: if .failed then "–" else .p99_us | ms end;
    def cpu: if .failed or .server_cpu_us_per_request == null then "–"
      else (.server_cpu_us_per_request * 10 | round) / 10 | tostring end;
    def errors: if .failed then "–" else .errors | tostring end;
    "| \(.s.workload) | \(.s | ops) | \(.s | p99) | \(.d | ops) | \(.d | p99) | "
    + (if .s.failed or .d.failed or .d.ops_per_sec == 0 then "–"
       else "\((.s.ops_per_sec / .d.ops_per_sec * 100 | round) / 100)×" end)
    + " | \(.s | cpu) / \(.d | cpu) | \(.s | errors) / \(.d | errors) |"
  ' <<<"$row"
done
echo
echo "ratio = strata ops/s ÷ dynoxide ops/s (successful requests only); p99 over successful requests."
for row in "${rows[@]}"; do
  jq -r '
    (.s, .d) | select(.first_error != null) |
    "first error, \(.label) \(.workload): \(.first_error.op) → \(.first_error.status // "no response")\n  request:  \(.first_error.request[:400])\n  response: \(.first_error.response[:400])"
  ' <<<"$row"
  jq -r '(.s, .d) | select(.failed) | "\(.label) \(.workload) failed: \(.failed)"' <<<"$row"
  jq -r '(.s, .d) | select(.get_misses > 0) | "note: \(.label) \(.workload): \(.get_misses) GetItem answers had no Item"' <<<"$row"
done
