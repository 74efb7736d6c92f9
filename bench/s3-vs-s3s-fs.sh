#!/usr/bin/env bash
# S3 throughput and latency, strata vs. s3s-fs (https://crates.io/crates/s3s-fs, the file-system
# server of the s3s project strata's S3 edge is built on), in one run on one machine with the
# same client (`strata-bench s3`): PUT and GET of small (1 KiB) and large (64 MiB) objects.
#
# Both keep objects as files under one work directory. strata authorizes every request
# (identity and bucket policies), fsyncs large objects (file and directory) and commits
# metadata (and small objects, inline) with a group fsync before answering; s3s-fs checks
# the signature only and does not fsync.
#
# Environment (defaults in brackets):
#   SCRATCH        where s3s-fs is installed [${TMPDIR:-/tmp}/strata-bench-peers]
#   BENCH_SECONDS  [10]   SMALL_CONCURRENCY [16]   LARGE_CONCURRENCY [4]
#   STRATA_PORT    [14580] S3S_FS_PORT [14581]    SKIP_BUILD=1 uses the release binaries built
#   WORK_DIR       data and logs [a fresh mktemp -d]; KEEP_DATA=1 keeps it afterwards
set -euo pipefail
shopt -s inherit_errexit

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}/strata-bench-peers}
BENCH_SECONDS=${BENCH_SECONDS:-10}
SMALL_CONCURRENCY=${SMALL_CONCURRENCY:-16}
LARGE_CONCURRENCY=${LARGE_CONCURRENCY:-4}
STRATA_PORT=${STRATA_PORT:-14580}
S3S_FS_PORT=${S3S_FS_PORT:-14581}

command -v jq >/dev/null || { echo "this script needs jq" >&2; exit 1; }

s3s_fs=$SCRATCH/bin/s3s-fs
if [[ ! -x $s3s_fs ]]; then
  echo "s3s-fs: installing s3s-fs 0.14.1 into $SCRATCH (a few minutes)" >&2
  mkdir -p "$SCRATCH"
  # 0.14.1 is the newest s3s that builds on Rust 1.95 (strata pins the same s3s).
  cargo install s3s-fs --version =0.14.1 --features binary --locked --root "$SCRATCH"
fi
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$repo" && cargo build --release -p strata -p strata-bench)
fi
target=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
strata=$target/release/strata
bench=$target/release/strata-bench

work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/strata-vs-s3s-fs.XXXXXX")}
mkdir -p "$work/s3s-fs"
strata_pid=
fs_pid=
cleanup() {
  local status=$?
  for pid in $strata_pid $fs_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $strata_pid $fs_pid; do wait "$pid" 2>/dev/null || true; done
  if [[ ${KEEP_DATA:-0} == 1 ]]; then
    echo "data and logs kept in $work" >&2
  elif [[ -z ${WORK_DIR:-} ]]; then
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_listening() { # name pid port log
  local deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "$1 exited; its log:" >&2; cat "$4" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "$1 is not listening on $3" >&2; exit 1; }
    sleep 0.1
  done
}

"$bench" bench-config >"$work/config.toml"
RUST_LOG=warn "$strata" serve --port "$STRATA_PORT" --data-dir "$work/strata" \
  --config "$work/config.toml" >"$work/strata.log" 2>&1 &
strata_pid=$!
"$s3s_fs" --host 127.0.0.1 --port "$S3S_FS_PORT" --access-key AKIABENCHROOT0000001 \
  --secret-key bench-root-secret-key "$work/s3s-fs" >"$work/s3s-fs.log" 2>&1 &
fs_pid=$!
wait_listening strata "$strata_pid" "$STRATA_PORT" "$work/strata.log"
wait_listening s3s-fs "$fs_pid" "$S3S_FS_PORT" "$work/s3s-fs.log"

run() { # label port pid workload size objects concurrency -> JSON line
  "$bench" s3 --endpoint "http://127.0.0.1:$2" --label "$1" --server-pid "$3" --workload "$4" \
    --object-size "$5" --objects "$6" --concurrency "$7" --seconds "$BENCH_SECONDS" --json \
    | tee /dev/stderr | tail -n 1
}
peak_rss() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

rows=()
for case in "put 1024 200 $SMALL_CONCURRENCY" "get 1024 200 $SMALL_CONCURRENCY" \
  "put 67108864 8 $LARGE_CONCURRENCY" "get 67108864 8 $LARGE_CONCURRENCY"; do
  read -r workload size objects concurrency <<<"$case"
  s=$(run strata "$STRATA_PORT" "$strata_pid" "$workload" "$size" "$objects" "$concurrency")
  f=$(run s3s-fs "$S3S_FS_PORT" "$fs_pid" "$workload" "$size" "$objects" "$concurrency")
  rows+=("$(jq -cn --argjson s "$s" --argjson f "$f" '{s: $s, f: $f}')")
done

echo
echo "S3, strata $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?') vs. s3s-fs 0.14.1:" \
  "${BENCH_SECONDS} s per case, $(nproc) cores, data on $(stat -f -c %T "$work")"
echo
echo "| case | strata ops/s | MB/s | p99 | s3s-fs ops/s | MB/s | p99 | ratio | server CPU µs/req (strata / s3s-fs) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
  jq -r '
    def ms: if . >= 1000 then "\((. / 10 | round) / 100) ms" else "\(.) µs" end;
    def size: if .object_size >= 1048576 then "\(.object_size / 1048576) MiB" else "\(.object_size / 1024) KiB" end;
    "| \(.s.workload) \(.s | size) ×\(.s.concurrency) | \(.s.ops_per_sec | round) | \(.s.mb_per_sec | round) | \(.s.p99_us | ms) | \(.f.ops_per_sec | round) | \(.f.mb_per_sec | round) | \(.f.p99_us | ms) | "
    + (if .f.ops_per_sec == 0 then "–" else "\((.s.ops_per_sec / .f.ops_per_sec * 100 | round) / 100)×" end)
    + " | \(.s.server_cpu_us_per_request | round) / \(.f.server_cpu_us_per_request | round) |"
  ' <<<"$row"
done
echo
echo "peak RSS: strata $(peak_rss "$strata_pid") kB, s3s-fs $(peak_rss "$fs_pid") kB"
