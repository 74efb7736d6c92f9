#!/usr/bin/env bash
# Export throughput: a table of ITEMS items (~ITEM_SIZE bytes each) exported with
# ExportTableToPointInTime in DYNAMODB_JSON and ION, timed from the export's StartTime to its
# EndTime, side by side with `gzip -6` (one core) and, when installed, `pigz -6` (every core)
# compressing the same uncompressed lines on the same machine: the physical limit.
# The server is restarted on its data before the exports, so its peak RSS (VmHWM) is the
# export's, not the load's.
#
# Environment: ITEMS [1000000]  ITEM_SIZE [1000]  PORT [14595]  SKIP_BUILD=1  WORK_DIR
set -euo pipefail
shopt -s inherit_errexit

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ITEMS=${ITEMS:-1000000}
ITEM_SIZE=${ITEM_SIZE:-1000}
PORT=${PORT:-14595}
python=python3
[[ -x $repo/.venv/bin/python ]] && python=$repo/.venv/bin/python

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$repo" && cargo build --release -p strata -p strata-bench)
fi
target=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
strata=$target/release/strata
bench=$target/release/strata-bench
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/strata-export-bench.XXXXXX")}
pid=
cleanup() {
  local status=$?
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -z ${WORK_DIR:-} ]] && rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

start() {
  RUST_LOG=warn "$strata" serve --port "$PORT" --data-dir "$work/data" --config "$work/config.toml" \
    >>"$work/strata.log" 2>&1 &
  pid=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 0.1; done
}

"$bench" bench-config >"$work/config.toml"
start
echo "loading $ITEMS items of ~$ITEM_SIZE B ..." >&2
"$bench" dynamodb --endpoint "http://127.0.0.1:$PORT" --workload get --items "$ITEMS" \
  --item-size "$ITEM_SIZE" --seconds 1 --concurrency 16 >/dev/null
kill "$pid" && wait "$pid" || true
start

ENDPOINT="http://127.0.0.1:$PORT" SERVER_PID=$pid WORK="$work" "$python" - <<'PY'
import gzip, json, os, shutil, subprocess, time
import boto3
from botocore.config import Config

endpoint, work, pid = os.environ["ENDPOINT"], os.environ["WORK"], os.environ["SERVER_PID"]
kw = dict(endpoint_url=endpoint, aws_access_key_id="AKIABENCHROOT0000001",
          aws_secret_access_key="bench-root-secret-key", region_name="us-east-1",
          config=Config(retries={"max_attempts": 1}))
ddb, s3 = boto3.client("dynamodb", **kw), boto3.client("s3", **kw)
table = "strata-bench"
ddb.update_continuous_backups(TableName=table,
                              PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
s3.create_bucket(Bucket="export-bench")
arn = f"arn:aws:dynamodb:us-east-1:111111111111:table/{table}"
rows = []
for fmt in ["DYNAMODB_JSON", "ION"]:
    export = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="export-bench",
                                               ExportFormat=fmt)["ExportDescription"]
    while True:
        d = ddb.describe_export(ExportArn=export["ExportArn"])["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            break
        time.sleep(0.2)
    assert d["ExportStatus"] == "COMPLETED", d
    seconds = (d["EndTime"] - d["StartTime"]).total_seconds()
    manifest = json.loads(s3.get_object(Bucket="export-bench", Key=d["ExportManifest"])["Body"].read())
    files = s3.get_object(Bucket="export-bench", Key=manifest["manifestFilesS3Key"])["Body"].read()
    raw_path = os.path.join(work, f"raw-{fmt}")
    compressed = raw = 0
    with open(raw_path, "wb") as out:
        for line in files.decode().splitlines():
            body = s3.get_object(Bucket="export-bench", Key=json.loads(line)["dataFileS3Key"])["Body"].read()
            compressed += len(body)
            data = gzip.decompress(body)
            raw += len(data)
            out.write(data)
    limits = {}
    for tool in (["gzip", "-6", "-c"], ["pigz", "-6", "-c", "-p", str(os.cpu_count())]):
        if shutil.which(tool[0]):
            t = time.monotonic()
            with open(raw_path, "rb") as src:
                subprocess.run(tool, stdin=src, stdout=subprocess.DEVNULL, check=True)
            limits[tool[0]] = raw / (time.monotonic() - t) / 1e6
    os.remove(raw_path)
    rows.append((fmt, d["ItemCount"], seconds, raw, compressed, limits))
with open(f"/proc/{pid}/status") as status:
    hwm = next(line.split()[1] for line in status if line.startswith("VmHWM"))
print(f"\n{rows[0][1]:,} items, {os.cpu_count()} cores; peak server RSS {int(hwm) // 1024} MB\n")
print("| format | items/s | uncompressed MB/s | compressed MB/s | gzip -6 MB/s (1 core) | pigz -6 MB/s | vs gzip -6 |")
print("|---|---:|---:|---:|---:|---:|---:|")
for fmt, items, seconds, raw, compressed, limits in rows:
    mbs = raw / seconds / 1e6
    g = limits.get("gzip")
    p = limits.get("pigz")
    print(f"| {fmt} | {items / seconds:,.0f} | {mbs:.1f} | {compressed / seconds / 1e6:.1f} | "
          f"{g:.1f} | {f'{p:.1f}' if p else '–'} | {mbs / g:.2f}× |")
PY
