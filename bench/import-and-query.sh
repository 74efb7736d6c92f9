#!/usr/bin/env bash
# ImportTable and `strata query` over a gzip'd DYNAMODB_JSON export of ITEMS items
# (~ITEM_SIZE bytes each), on one machine, in one run:
#
#   1. the plain write path: `strata-bench` fills the table with BatchWriteItem (25 items
#      per request, 16 connections) — items/s from its own timing;
#   2. the table is exported (PITR), then ImportTable loads the export into a new table —
#      items/s from DescribeImport's StartTime..EndTime;
#   3. the export's files are copied to a local directory and the same aggregate (GROUP BY a
#      string attribute, SUM of a number) runs in DuckDB (PyPI `duckdb`, `read_json` over the
#      gzip'd files, every core) and in `strata-query` (every core); best of RUNS each, and
#      the two answers must agree.
#
# Environment: ITEMS [1000000]  ITEM_SIZE [1000]  RUNS [3]  PORT [14596]  SKIP_BUILD=1  WORK_DIR
set -euo pipefail
shopt -s inherit_errexit

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ITEMS=${ITEMS:-1000000}
ITEM_SIZE=${ITEM_SIZE:-1000}
RUNS=${RUNS:-3}
PORT=${PORT:-14596}
python=python3
[[ -x $repo/.venv/bin/python ]] && python=$repo/.venv/bin/python

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$repo" && cargo build --release -p strata -p strata-bench -p strata-query)
fi
target=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
strata=$target/release/strata
bench=$target/release/strata-bench
query=$target/release/strata-query
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/strata-import-bench.XXXXXX")}
pid=
cleanup() {
  local status=$?
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -z ${WORK_DIR:-} ]] && rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

"$bench" bench-config >"$work/config.toml"
RUST_LOG=warn "$strata" serve --port "$PORT" --data-dir "$work/data" --config "$work/config.toml" \
  >>"$work/strata.log" 2>&1 &
pid=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 0.1; done

echo "loading $ITEMS items of ~$ITEM_SIZE B with BatchWriteItem ..." >&2
"$bench" dynamodb --endpoint "http://127.0.0.1:$PORT" --workload get --items "$ITEMS" \
  --item-size "$ITEM_SIZE" --seconds 1 --concurrency 16 2>"$work/load.log" >/dev/null
load_seconds=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$work/load.log" | head -1)

ENDPOINT="http://127.0.0.1:$PORT" WORK="$work" LOAD_SECONDS="$load_seconds" ITEMS="$ITEMS" \
  QUERY="$query" RUNS="$RUNS" "$python" - <<'PY'
import json, os, subprocess, sys, time
import boto3, duckdb
from botocore.config import Config

endpoint, work = os.environ["ENDPOINT"], os.environ["WORK"]
items, runs = int(os.environ["ITEMS"]), int(os.environ["RUNS"])
kw = dict(endpoint_url=endpoint, aws_access_key_id="AKIABENCHROOT0000001",
          aws_secret_access_key="bench-root-secret-key", region_name="us-east-1",
          config=Config(retries={"max_attempts": 1}))
ddb, s3 = boto3.client("dynamodb", **kw), boto3.client("s3", **kw)
table, bucket = "strata-bench", "import-bench"
ddb.update_continuous_backups(TableName=table,
                              PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
s3.create_bucket(Bucket=bucket)

def wait(describe):
    while True:
        d = describe()
        status = d.get("ExportStatus") or d.get("ImportStatus")
        if status != "IN_PROGRESS":
            return d
        time.sleep(0.2)

export = ddb.export_table_to_point_in_time(
    TableArn=f"arn:aws:dynamodb:us-east-1:111111111111:table/{table}", S3Bucket=bucket)["ExportDescription"]
export = wait(lambda: ddb.describe_export(ExportArn=export["ExportArn"])["ExportDescription"])
assert export["ExportStatus"] == "COMPLETED", export
export_id = export["ExportArn"].rsplit("/", 1)[1]

started = ddb.import_table(
    S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": f"AWSDynamoDB/{export_id}/data/"},
    InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP",
    TableCreationParameters={
        "TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}]})["ImportTableDescription"]
done = wait(lambda: ddb.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"])
assert done["ImportStatus"] == "COMPLETED" and done["ImportedItemCount"] == items, done
import_seconds = (done["EndTime"] - done["StartTime"]).total_seconds()
load_seconds = float(os.environ["LOAD_SECONDS"])
print(f"BatchWriteItem {load_seconds:.1f} s, ImportTable {import_seconds:.1f} s "
      f"({load_seconds / import_seconds:.2f}x)", file=sys.stderr)

# The export, copied locally for both SQL engines.
local = os.path.join(work, "export")
os.makedirs(os.path.join(local, "data"))
prefix = f"AWSDynamoDB/{export_id}/"
for name in ["manifest-summary.json", "manifest-summary.md5", "manifest-files.json", "manifest-files.md5"]:
    s3.download_file(bucket, prefix + name, os.path.join(local, name))
with open(os.path.join(local, "manifest-files.json")) as f:
    for line in f:
        key = json.loads(line)["dataFileS3Key"]
        s3.download_file(bucket, key, os.path.join(local, "data", key.rsplit("/", 1)[1]))
size = sum(os.path.getsize(os.path.join(local, "data", n)) for n in os.listdir(os.path.join(local, "data")))

duck_sql = (f"SELECT Item.category.S AS category, SUM(CAST(Item.amount.N AS DECIMAL(18,2))) AS total "
            f"FROM read_json('{local}/data/*.json.gz') GROUP BY 1 ORDER BY 1")
strata_sql = ("SELECT Item.category.S AS category, SUM(CAST(Item.amount.N AS DECIMAL(18,2))) AS total "
              "FROM items GROUP BY 1 ORDER BY 1")

def best(fn):
    times, answer = [], None
    for _ in range(runs):
        t = time.monotonic()
        answer = fn()
        times.append(time.monotonic() - t)
    return min(times), answer

def duck():
    con = duckdb.connect()
    return [(c, f"{t:.2f}") for c, t in con.execute(duck_sql).fetchall()]

def strata():
    out = subprocess.run([os.environ["QUERY"], local, strata_sql, "--output", "csv"],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(line.split(",")) for line in out.strip().splitlines()[1:]]

duck_seconds, duck_answer = best(duck)
strata_seconds, strata_answer = best(strata)
assert duck_answer == strata_answer, (duck_answer, strata_answer)

print(f"\n{items:,} items of ~1 KB, {os.cpu_count()} cores; export {size / 1e6:.0f} MB gzip'd\n")
print("| path | seconds | items/s | ratio |")
print("|---|---:|---:|---:|")
print(f"| BatchWriteItem, 16 connections | {load_seconds:.1f} | {items / load_seconds:,.0f} | 1.00× |")
print(f"| ImportTable (bulk load) | {import_seconds:.1f} | {items / import_seconds:,.0f} | "
      f"{load_seconds / import_seconds:.2f}× |")
print()
print("| GROUP BY category, SUM(amount) over the export | seconds (best of "
      f"{runs}) | vs DuckDB |")
print("|---|---:|---:|")
print(f"| DuckDB {duckdb.__version__} read_json | {duck_seconds:.2f} | 1.00× |")
print(f"| strata query | {strata_seconds:.2f} | {strata_seconds / duck_seconds:.2f}× |")
PY
