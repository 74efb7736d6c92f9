#!/usr/bin/env bash
# strata's DynamoDB side by side with three peers, in one run on one machine with one client
# (`strata-bench dynamodb`):
#
#   - Dynoxide  (crates.io `dynoxide-rs`): Rust, SQLite in WAL mode, `--db-path FILE`. It sets no
#               `synchronous` pragma, so SQLite's compiled-in default applies (FULL: the WAL is
#               fsynced at every commit; strace shows one fsync per PutItem); no flag chooses
#               another durability mode.
#   - moto      (PyPI `moto[server]`, `moto_server`): Python (werkzeug, a thread per connection),
#               in memory only (it has no persistence), and it logs every request (no flag to
#               turn that off).
#   - dynalite  (npm `dynalite`): Node.js, LevelDB with `--path DIR`; LevelDB writes are not
#               fsynced (dynalite does not ask for `sync`).
#   - strata:   `serve --data-dir`; every acknowledged write is fsynced first (group commit).
#
# Every peer is installed from its registry into SCRATCH (reused when the pinned version is
# already there). A peer that cannot be installed or started is reported as unavailable, with
# the reason, and the run goes on with the others.
#
# Three phases, one server running at a time except in phase 2:
#   1. cold start and idle memory: each server is started COLD_STARTS times on a fresh data
#      directory; the time from exec to the first 200 answer to a signed ListTables (polled
#      every millisecond), then VmRSS 2 s after that answer; then COLD_STARTS restarts on the
#      last data directory; medians.
#   2. throughput: all servers up on their own loopback port, each workload run against one
#      server at a time (strata, then each peer, for each workload in turn, so all see the same
#      machine state); on a small machine the client competes with the server for CPU, so
#      compare ratios rather than absolute numbers.
#   3. strata's memory during ExportTableToPointInTime of an EXPORT_ITEMS-item table: loaded
#      with strata-bench (BatchWriteItem, 16 connections), the server restarted on its data,
#      then peak VmRSS sampled every 100 ms until the export is COMPLETED; the same for the
#      baseline strata when BASELINE_BIN is given. The peers have no export.
#
# Environment (defaults in brackets):
#   SCRATCH            where the peers are installed [${TMPDIR:-/tmp}/strata-bench-peers]
#   DYNOXIDE_VERSION [3.2.0]   MOTO_VERSION [5.2.5]   DYNALITE_VERSION [4.0.0]
#   PEERS              which peers to run [dynoxide moto dynalite]; empty for none
#   BASELINE_BIN       another strata binary (an earlier build) to run as the peer "baseline",
#                      for before/after ratios in one run [none]; BASELINE_VERSION names it
#   WORKLOADS          [put get query mix]     CONCURRENCY [64]     BENCH_SECONDS [10]
#   ITEMS              keyspace size [10000]   ITEM_SIZE payload bytes [256]
#   COLD_STARTS        starts per server for the cold-start median [5]
#   EXPORT_ITEMS       items in the exported table [1000000]; 0 skips phase 3
#   EXPORT_ITEM_SIZE   payload bytes of those items [1000]
#   STRATA_PORT [14566]  DYNOXIDE_PORT [18000]  MOTO_PORT [18001]  DYNALITE_PORT [18002]
#   STRATA_LOG         RUST_LOG for strata [warn] (info logs every request)
#   CLIENT_THREADS     the load generator's runtime threads [one per core]
#   SKIP_BUILD=1       use the release binaries already built
#   WORK_DIR           data and logs [a fresh mktemp -d]; KEEP_DATA=1 keeps it afterwards
#
# Needs: jq, python3 (boto3 is taken from the repo's .venv or moto's venv, or
# installed into SCRATCH), cargo, npm/node >= 20 for dynalite.
set -euo pipefail
shopt -s inherit_errexit

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}/strata-bench-peers}
DYNOXIDE_VERSION=${DYNOXIDE_VERSION:-3.2.0}
MOTO_VERSION=${MOTO_VERSION:-5.2.5}
DYNALITE_VERSION=${DYNALITE_VERSION:-4.0.0}
PEERS=${PEERS-dynoxide moto dynalite}
WORKLOADS=${WORKLOADS:-put get query mix}
CONCURRENCY=${CONCURRENCY:-64}
BENCH_SECONDS=${BENCH_SECONDS:-10}
ITEMS=${ITEMS:-10000}
ITEM_SIZE=${ITEM_SIZE:-256}
COLD_STARTS=${COLD_STARTS:-5}
EXPORT_ITEMS=${EXPORT_ITEMS:-1000000}
EXPORT_ITEM_SIZE=${EXPORT_ITEM_SIZE:-1000}
STRATA_LOG=${STRATA_LOG:-warn}
TABLE=strata-bench
declare -A port=(
  [strata]=${STRATA_PORT:-14566} [dynoxide]=${DYNOXIDE_PORT:-18000}
  [moto]=${MOTO_PORT:-18001} [dynalite]=${DYNALITE_PORT:-18002}
  [baseline]=${BASELINE_PORT:-14567}
)
declare -A version=() why=() persistence=(
  [strata]="on disk, fsync per acknowledged write (group commit)"
  [dynoxide]="on disk (SQLite WAL, fsync per commit)"
  [moto]="in memory only (moto has no persistence)"
  [dynalite]="on disk (LevelDB, not fsynced)"
  [baseline]="on disk, fsync per acknowledged write (group commit)"
)
[[ -n ${BASELINE_BIN:-} ]] && PEERS="baseline $PEERS"
servers=(strata)
for peer in $PEERS; do
  [[ -v "port[$peer]" ]] || { echo "unknown peer $peer (known: dynoxide moto dynalite baseline)" >&2; exit 1; }
  servers+=("$peer")
done

command -v jq >/dev/null || { echo "this script needs jq" >&2; exit 1; }
mkdir -p "$SCRATCH"
say() { echo "peers.sh: $*" >&2; }
# The last non-empty line of a log, for "unavailable (why)".
last_line() { grep -v '^\s*$' "$1" 2>/dev/null | tail -n 1 | cut -c1-160 | tr -d '|' || true; }

# --- strata -----------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  say "strata: cargo build --release -p strata -p strata-bench"
  (cd "$repo" && cargo build --release -p strata -p strata-bench)
fi
target=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
strata=$target/release/strata
bench=$target/release/strata-bench
version[strata]="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -n $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]] &&
  version[strata]+=" + working tree"

# --- peers: install ---------------------------------------------------------------------
install_dynoxide() {
  local have
  have=$(cargo install --list --root "$SCRATCH" 2>/dev/null | awk '/^dynoxide-rs /{sub(/:$/, "", $2); print $2}')
  if [[ -x $SCRATCH/bin/dynoxide && $have == "v$DYNOXIDE_VERSION" ]]; then
    say "dynoxide: using $SCRATCH/bin/dynoxide ($have)"
  else
    command -v cargo >/dev/null || { why[dynoxide]="cargo not found"; return; }
    say "dynoxide: cargo install dynoxide-rs $DYNOXIDE_VERSION into $SCRATCH (a few minutes)"
    if ! cargo install dynoxide-rs --locked --version "$DYNOXIDE_VERSION" --root "$SCRATCH" \
      >"$SCRATCH/dynoxide-install.log" 2>&1; then
      why[dynoxide]="cargo install failed: $(last_line "$SCRATCH/dynoxide-install.log")"
      return
    fi
  fi
  # (`dynoxide --version` reports an internal version, not the crate's.)
  version[dynoxide]=$DYNOXIDE_VERSION
}
install_moto() {
  local venv=$SCRATCH/moto have
  have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)
  if [[ -x $venv/bin/moto_server && $have == "$MOTO_VERSION" ]]; then
    say "moto: using $venv ($have)"
  else
    say "moto: pip install 'moto[server]==$MOTO_VERSION' into $venv"
    if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q "moto[server]==$MOTO_VERSION"; } \
      >"$SCRATCH/moto-install.log" 2>&1; then
      why[moto]="pip install failed: $(last_line "$SCRATCH/moto-install.log")"
      return
    fi
  fi
  version[moto]="$MOTO_VERSION (Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'))"
}
install_dynalite() {
  local dir=$SCRATCH/dynalite have node_major
  command -v node >/dev/null || { why[dynalite]="node not found"; return; }
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  ((node_major >= 20)) || { why[dynalite]="node $(node --version) is older than dynalite's >=20"; return; }
  have=$(jq -r .version "$dir/node_modules/dynalite/package.json" 2>/dev/null || true)
  if [[ $have == "$DYNALITE_VERSION" ]]; then
    say "dynalite: using $dir ($have)"
  else
    command -v npm >/dev/null || { why[dynalite]="npm not found"; return; }
    say "dynalite: npm install dynalite@$DYNALITE_VERSION into $dir"
    if ! npm install --prefix "$dir" --no-audit --no-fund "dynalite@$DYNALITE_VERSION" \
      >"$SCRATCH/dynalite-install.log" 2>&1; then
      why[dynalite]="npm install failed: $(grep -v -m1 -e 'code E' -e '^npm warn' "$SCRATCH/dynalite-install.log" | cut -c1-160 | tr -d '|' || true)"
      return
    fi
  fi
  version[dynalite]="$DYNALITE_VERSION (Node $(node --version))"
}
install_baseline() {
  [[ -x ${BASELINE_BIN:-} ]] || { why[baseline]="BASELINE_BIN is not an executable"; return; }
  version[baseline]=${BASELINE_VERSION:-$BASELINE_BIN}
}
for peer in "${servers[@]:1}"; do
  "install_$peer"
  [[ -v "why[$peer]" ]] && say "$peer: unavailable (${why[$peer]})"
done

# A Python with boto3 for signing and for the export phase.
python=
for candidate in "$repo/.venv/bin/python" "$SCRATCH/moto/bin/python" python3; do
  if "$candidate" -c 'import boto3' 2>/dev/null; then python=$candidate; break; fi
done
if [[ -z $python ]]; then
  say "installing boto3 into $SCRATCH/py"
  python3 -m venv "$SCRATCH/py" && "$SCRATCH/py/bin/pip" install -q boto3 >&2
  python=$SCRATCH/py/bin/python
fi

# --- servers ----------------------------------------------------------------------------
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/strata-bench-peers.XXXXXX")}
mkdir -p "$work"
"$bench" bench-config >"$work/config.toml"
declare -A pid=()
stop() { # name
  local p=${pid[$1]:-}
  [[ -n $p ]] || return 0
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  unset "pid[$1]"
}
cleanup() {
  local status=$? name
  for name in "${!pid[@]}"; do stop "$name"; done
  if [[ ${KEEP_DATA:-0} == 1 ]]; then
    say "data and logs kept in $work"
  elif [[ -z ${WORK_DIR:-} ]]; then
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The command line that serves NAME with its data under DIR (strata: DIR/strata, Dynoxide:
# DIR/dynoxide.db, dynalite: DIR/dynalite), into the array `cmd`. Each execs the server
# itself, so the pid started is the server's.
server_cmd() { # name dir
  case $1 in
    strata) cmd=(env "RUST_LOG=$STRATA_LOG" "$strata" serve --port "${port[strata]}"
      --data-dir "$2/strata" --config "$work/config.toml") ;;
    baseline) cmd=(env "RUST_LOG=$STRATA_LOG" "$BASELINE_BIN" serve --port "${port[baseline]}"
      --data-dir "$2/baseline" --config "$work/config.toml") ;;
    dynoxide) cmd=("$SCRATCH/bin/dynoxide" serve --port "${port[dynoxide]}" --db-path "$2/dynoxide.db") ;;
    moto) cmd=("$SCRATCH/moto/bin/moto_server" -H 127.0.0.1 -p "${port[moto]}") ;;
    dynalite) cmd=(node "$SCRATCH/dynalite/node_modules/dynalite/cli.js" --host 127.0.0.1
      --port "${port[dynalite]}" --path "$2/dynalite") ;;
  esac
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Starts NAME on data under DIR, logging to $work/NAME.log; on failure sets why[NAME].
start() { # name dir
  local name=$1 log=$work/$1.log deadline=$((SECONDS + 60)) cmd
  port_free "${port[$name]}" || { why[$name]="port ${port[$name]} is in use"; return 1; }
  mkdir -p "$2"
  server_cmd "$name" "$2"
  "${cmd[@]}" >>"$log" 2>&1 &
  pid[$name]=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/${port[$name]}") 2>/dev/null; do
    if ! kill -0 "${pid[$name]}" 2>/dev/null; then
      why[$name]="exited at start: $(last_line "$log")"
      unset "pid[$name]"
      return 1
    fi
    if ((SECONDS > deadline)); then
      why[$name]="not listening on port ${port[$name]} after 60 s"
      stop "$name"
      return 1
    fi
    sleep 0.05
  done
}

# The Python side: cold start + idle RSS, and the export's RSS.
cat >"$work/helper.py" <<'PY'
import http.client, json, os, shutil, signal, statistics, subprocess, sys, threading, time

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

KEY, SECRET, REGION = "AKIABENCHROOT0000001", "bench-root-secret-key", "us-east-1"


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def list_tables_request(port):
    """A signed ListTables, signed once (valid for 15 minutes), sent as plain bytes."""
    body = b"{}"
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    SigV4Auth(Credentials(KEY, SECRET), "dynamodb", REGION).add_auth(request)
    return body, dict(request.headers.items())


def first_answer(proc, port, body, headers, started, timeout=60):
    last = "no answer"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode} before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/", body, headers)
            response = conn.getresponse()
            data = response.read()
            conn.close()
            if response.status == 200:
                elapsed = time.monotonic() - started
                if "TableNames" not in json.loads(data):
                    raise RuntimeError(f"ListTables answered without TableNames: {data[:200]!r}")
                return elapsed
            last = f"HTTP {response.status}: {data[:200].decode(errors='replace')}"
        except OSError as e:
            last = str(e)
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"no 200 after {timeout} s (last: {last})")
        time.sleep(0.001)


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def coldstart(port, runs, work, log, cmd):
    """Each run: a fresh data dir ({data} in cmd), exec, poll ListTables, RSS 2 s later.
    Then as many restarts on the data the last run left (no RSS)."""
    port = int(port)
    body, headers = list_tables_request(port)
    cold, rss, restart = [], [], []
    runs = int(runs)
    for run in range(2 * runs):
        fresh = run < runs
        data = os.path.join(work, f"run{run}" if fresh else f"run{runs - 1}")
        if fresh:
            shutil.rmtree(data, ignore_errors=True)
            os.makedirs(data)
        argv = [a.replace("{data}", data) for a in cmd]
        with open(log, "ab") as out:
            started = time.monotonic()
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            ms = first_answer(proc, port, body, headers, started) * 1000
            if fresh:
                cold.append(ms)
                time.sleep(2)
                rss.append(rss_mb(proc.pid))
            else:
                restart.append(ms)
        finally:
            stop(proc)
            if fresh and run < runs - 1:
                shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    return {"cold_ms": cold, "rss_mb": rss, "restart_ms": restart,
            "cold_median_ms": statistics.median(cold), "rss_median_mb": statistics.median(rss),
            "restart_median_ms": statistics.median(restart)}


def export(port, pid, table, items):
    kw = dict(endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id=KEY,
              aws_secret_access_key=SECRET, region_name=REGION,
              config=Config(retries={"max_attempts": 1}))
    ddb, s3 = boto3.client("dynamodb", **kw), boto3.client("s3", **kw)
    ddb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    s3.create_bucket(Bucket="peers-export")
    before = rss_mb(pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        started = ddb.export_table_to_point_in_time(
            TableArn=f"arn:aws:dynamodb:{REGION}:111111111111:table/{table}",
            S3Bucket="peers-export", ExportFormat="DYNAMODB_JSON")["ExportDescription"]
        while True:
            d = ddb.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
            if d["ExportStatus"] != "IN_PROGRESS":
                break
            time.sleep(0.5)
    finally:
        done.set()
        sampler.join()
    if d["ExportStatus"] != "COMPLETED":
        raise RuntimeError(f"export {d['ExportStatus']}: {d.get('FailureCode')} {d.get('FailureMessage')}")
    if d["ItemCount"] != int(items):
        raise RuntimeError(f"export has {d['ItemCount']} items, expected {items}")
    return {"items": d["ItemCount"], "seconds": (d["EndTime"] - d["StartTime"]).total_seconds(),
            "bytes": d.get("BilledSizeBytes"), "rss_before_mb": before, "rss_peak_mb": peak[0]}


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if what == "coldstart":
            sep = args.index("--")
            result = coldstart(*args[:sep], args[sep + 1:])
        else:
            result = export(*args)
    except Exception as e:  # reported in the table, not a traceback
        result = {"failed": f"{type(e).__name__}: {e}"[:300]}
    print(json.dumps(result))
PY

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. cold start and idle RSS ---------------------------------------------------------
declare -A cold=()
for name in "${servers[@]}"; do
  [[ -v "why[$name]" ]] && continue
  if ! port_free "${port[$name]}"; then
    why[$name]="port ${port[$name]} is in use"
    continue
  fi
  say "$name: $COLD_STARTS cold starts"
  server_cmd "$name" "{data}"
  cold[$name]=$("$python" "$work/helper.py" coldstart "${port[$name]}" "$COLD_STARTS" \
    "$work/cold-$name" "$work/$name-cold.log" -- "${cmd[@]}")
  say "$name: $(jq -c . <<<"${cold[$name]}")"
done

# --- 2. throughput ----------------------------------------------------------------------
for name in "${servers[@]}"; do
  [[ -v "why[$name]" ]] && continue
  start "$name" "$work/data" || say "$name: unavailable (${why[$name]})"
done

# name workload -> the JSON report on stdout, the text report on stderr. A run that fails
# outright (e.g. the table can't be created) yields {"failed": "why"} instead.
run() {
  local name=$1 out err=$work/$1-$2.err
  if [[ -v "why[$name]" ]]; then
    jq -cn --arg why "${why[$name]}" '{"unavailable": $why}'
    return
  fi
  if ! kill -0 "${pid[$name]}" 2>/dev/null; then
    jq -cn --arg log "$(last_line "$work/$name.log")" '{"failed": "the server has exited: \($log)"}'
    return
  fi
  say "$name: $2 ($CONCURRENCY connections, $BENCH_SECONDS s)"
  if out=$("$bench" dynamodb --endpoint "http://127.0.0.1:${port[$name]}" --label "$name" \
    --server-pid "${pid[$name]}" --table "$TABLE" --workload "$2" --concurrency "$CONCURRENCY" \
    --seconds "$BENCH_SECONDS" --items "$ITEMS" --item-size "$ITEM_SIZE" \
    ${CLIENT_THREADS:+--threads "$CLIENT_THREADS"} --json 2> >(tee "$err" >&2)); then
    sed '$d' <<<"$out" >&2
    tail -n 1 <<<"$out"
  else
    say "$name $2: strata-bench failed"
    jq -cn --arg why "$(grep -m1 '^Error' "$err" || last_line "$err")" '{"failed": $why}'
  fi
}

rows=()
for workload in $WORKLOADS; do
  row='[]'
  for name in "${servers[@]}"; do
    report=$(run "$name" "$workload")
    row=$(jq -c --arg name "$name" --argjson r "$report" '. + [$r + {name: $name}]' <<<"$row")
  done
  rows+=("$(jq -cn --arg w "$workload" --argjson r "$row" '{workload: $w, reports: $r}')")
done
for name in "${servers[@]}"; do stop "$name"; done

# --- 3. strata's RSS during an export (and the baseline's, when one is given) -----------
declare -A export_result=()
exporters=(strata)
[[ -n ${BASELINE_BIN:-} ]] && exporters+=(baseline)
for name in "${exporters[@]}"; do
  export_result[$name]='{"skipped": "EXPORT_ITEMS=0"}'
  ((EXPORT_ITEMS > 0)) || continue
  if [[ -v "why[$name]" ]]; then
    export_result[$name]=$(jq -cn --arg why "${why[$name]}" '{"failed": $why}')
    continue
  fi
  if start "$name" "$work/export-$name"; then
    say "$name: loading $EXPORT_ITEMS items of $EXPORT_ITEM_SIZE B for the export"
    if "$bench" dynamodb --endpoint "http://127.0.0.1:${port[$name]}" --table strata-export \
      --workload get --items "$EXPORT_ITEMS" --item-size "$EXPORT_ITEM_SIZE" --seconds 1 \
      --concurrency 16 >"$work/export-load-$name.log" 2>&1; then
      load_seconds=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$work/export-load-$name.log" | head -n 1)
      say "$name: loaded in ${load_seconds:-?} s"
      # A restart, so the RSS measured is the export's and not what the load left behind.
      stop "$name"
      start "$name" "$work/export-$name"
      say "$name: exporting"
      export_result[$name]=$("$python" "$work/helper.py" export "${port[$name]}" "${pid[$name]}" \
        strata-export "$EXPORT_ITEMS" | jq -c --arg load "${load_seconds:-}" '. + {load_seconds: ($load | tonumber? // null)}')
      say "$name: ${export_result[$name]}"
    else
      export_result[$name]=$(jq -cn --arg why "load failed: $(last_line "$work/export-load-$name.log")" '{"failed": $why}')
    fi
    stop "$name"
  else
    export_result[$name]=$(jq -cn --arg why "${why[$name]}" '{"failed": $why}')
  fi
  rm -rf "$work/export-$name"
done

# --- tables -----------------------------------------------------------------------------
names_json=$(printf '%s\n' "${servers[@]}" | jq -R . | jq -sc .)
cpu_model=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
ram=$(awk '/^MemTotal:/{printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
versions=""
for name in "${servers[@]:1}"; do
  versions+=", $name ${version[$name]:-(unavailable)}"
done
echo
echo "DynamoDB, strata ${version[strata]} vs.${versions#,}; $(date -u +%Y-%m-%d)," \
  "$(nproc) cores (${cpu_model:-?}), $ram RAM, work dir on $(df --output=fstype "$work" | tail -n 1) ($work);" \
  "$CONCURRENCY connections, ${BENCH_SECONDS} s per workload, $ITEMS items of ${ITEM_SIZE} B payload," \
  "client on the same cores; load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
header="| workload |"
rule="|---|"
for name in "${servers[@]}"; do header+=" $name ops/s | p99 |"; rule+="---:|---:|"; done
for name in "${servers[@]:1}"; do header+=" strata ÷ $name |"; rule+="---:|"; done
slash=$(IFS=/; echo "${servers[*]}" | sed 's|/| / |g')
header+=" server CPU µs/req ($slash) | errors ($slash) |"
rule+="---:|---:|"
echo "$header"
echo "$rule"
for row in "${rows[@]}"; do
  jq -r '
    def ms: if . >= 1000 then "\((. / 10 | round) / 100) ms" else "\(.) µs" end;
    def thousands: tostring | if length > 3 then (.[:-3] | thousands) + "," + .[-3:] else . end;
    def bad: .unavailable or .failed;
    def ops: if .unavailable then "unavailable (\(.unavailable))" elif .failed then "failed"
      else .ops_per_sec | round | thousands end;
    def p99: if bad or .ops == 0 then "–" else .p99_us | ms end;
    def cpu: if bad or .server_cpu_us_per_request == null then "–"
      else (.server_cpu_us_per_request * 10 | round) / 10 | tostring end;
    def errors: if bad then "–" else (.errors | tostring)
      + (if .get_misses > 0 then " (+\(.get_misses) misses)" else "" end) end;
    def names: {put: "PutItem", get: "GetItem", query: "Query (10 items)",
      mix: "mix (50% get, 40% put, 10% query)"};
    .reports[0] as $s |
    "| \(names[.workload] // .workload) | "
    + ([.reports[] | "\(ops) | \(p99)"] | join(" | ")) + " | "
    + ([.reports[1:][] | . as $p |
        if ($s | bad) or ($p | bad) or $p.ops_per_sec == 0 then "–"
        else "\(($s.ops_per_sec / $p.ops_per_sec * 100 | round) / 100)×" end] | join(" | "))
    + " | " + ([.reports[] | cpu] | join(" / "))
    + " | " + ([.reports[] | errors] | join(" / ")) + " |"
  ' <<<"$row"
done
echo
echo "ops/s and p99 count successful requests only; strata ÷ peer = strata ops/s ÷ the peer's ops/s."
for row in "${rows[@]}"; do
  jq -r '
    .workload as $w | .reports[] |
    (select(.first_error != null) |
      "first error, \(.name) \($w): \(.first_error.op) → \(.first_error.status // "no response")\n  request:  \(.first_error.request[:300])\n  response: \(.first_error.response[:300])"),
    (select(.failed) | "\(.name) \($w) failed: \(.failed)"),
    (select(.get_misses > 0) | "note: \(.name) \($w): \(.get_misses) GetItem answers had no Item"),
    (select(.reconnects > 0) | "note: \(.name) \($w): the client reconnected \(.reconnects) times (the server closed keep-alive connections)")
  ' <<<"$row"
done

echo
echo "| server | version | data | cold start to first ListTables, ms (median of $COLD_STARTS; min–max) | restart, ms (median) | idle RSS, MB (median) | peak RSS during an export of $(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$EXPORT_ITEMS") items, MB |"
echo "|---|---|---|---:|---:|---:|---:|"
for name in "${servers[@]}"; do
  if [[ -v "export_result[$name]" ]]; then
    export_cell=$(jq -r '
      if .skipped then "skipped (\(.skipped))" elif .failed then "failed (\(.failed))"
      else
        def thousands: tostring | if length > 3 then (.[:-3] | thousands) + "," + .[-3:] else . end;
        "\(.rss_peak_mb | round) (\(.rss_before_mb | round) before; \(.items | thousands) items exported in \(.seconds | round) s"
        + (if .load_seconds then ", loaded in \(.load_seconds | round) s" else "" end) + ")" end
    ' <<<"${export_result[$name]}")
  else
    export_cell="n/a (no export)"
  fi
  c=${cold[$name]:-}
  if [[ -z $c ]]; then
    cold_cell="unavailable (${why[$name]:-?})"
    rss_cell="–"
    restart_cell="–"
  else
    cold_cell=$(jq -r 'if .failed then "failed (\(.failed))" else
      def r: . * 10 | round / 10;
      "\(.cold_median_ms | r) (\(.cold_ms | min | r)–\(.cold_ms | max | r))" end' <<<"$c")
    rss_cell=$(jq -r 'if .failed then "–" else .rss_median_mb | round | tostring end' <<<"$c")
    restart_cell=$(jq -r 'if .failed then "–" else .restart_median_ms * 10 | round / 10 | tostring end' <<<"$c")
  fi
  echo "| $name | ${version[$name]:-–} | ${persistence[$name]} | $cold_cell | $restart_cell | $rss_cell | $export_cell |"
done
echo
echo "Cold start: exec to the first 200 answer to a signed ListTables, polled every 1 ms, each start on a"
echo "fresh data directory. Restart: the same, $COLD_STARTS more starts on the data directory the last fresh"
echo "start left (its store created, no tables; moto keeps nothing). Idle RSS: VmRSS 2 s after the first"
echo "answer of each fresh start. Export: peak VmRSS sampled every 100 ms during ExportTableToPointInTime"
echo "(DYNAMODB_JSON) of a table of $EXPORT_ITEM_SIZE B items, strata restarted on its data after the load."
for name in "${servers[@]}"; do
  [[ -v "why[$name]" && -n ${cold[$name]:-} ]] && echo "$name: unavailable for throughput (${why[$name]})"
done
true
