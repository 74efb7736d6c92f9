"""The whole-server crash harness (tests/crash/server_crash.py) in a short run, its self-test, and
the crash bug it found (a restore cut by the kill left a partial table), reproduced
deterministically: a restore is a durable job, so after the kill its table is never partial.

The harness SIGKILLs `strata serve` under a mixed DynamoDB/S3/job load and checks that every
acknowledged write and job survived. Here it runs `STRATA_SERVER_CRASH_CYCLES` cycles (5 by
default; CI runs 20); soak it with
`python tests/crash/server_crash.py --cycles 1000`.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.request
import json
from pathlib import Path

import botocore.exceptions
import pytest

from conftest import start_server, strata_bin

HARNESS = Path(__file__).resolve().parents[1] / "crash" / "server_crash.py"


def run_harness(tmp_path, *args, timeout=240):
    env = dict(os.environ, STRATA_BIN=strata_bin())
    return subprocess.run(
        [sys.executable, str(HARNESS), "--workdir", str(tmp_path / "work"),
         "--evidence-dir", str(tmp_path / "evidence"), *args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )


def test_acknowledged_writes_and_jobs_survive_sigkill(tmp_path):
    cycles = os.environ.get("STRATA_SERVER_CRASH_CYCLES", "5")
    out = run_harness(tmp_path, "--cycles", cycles, timeout=120 + 20 * int(cycles))
    print(out.stdout[-20000:], out.stderr[-5000:])
    assert out.returncode == 0, out.stdout[-5000:] + out.stderr[-5000:]
    assert f"{cycles} cycles, 0 lost writes, 0 corrupt jobs" in out.stdout


def test_the_harness_sees_damage_to_acknowledged_data(tmp_path):
    """Self-test: after the restart of cycle 3 the harness deletes an acknowledged item, moves
    one balance without its transaction, overwrites an acknowledged object and deletes a data
    file of a completed export, all through the API; the run must report each of them."""
    out = run_harness(tmp_path, "--cycles", "4", "--seed", "7", "--inject-at", "3", "--jobs-every", "1")
    assert out.returncode == 1, out.stdout + out.stderr
    text = out.stdout
    assert "self-test: injecting faults" in text
    assert "LOST: kv#" in text
    assert "TORN TRANSACTION: acct#00" in text
    assert "LOST: s3://crash-bucket/" in text
    assert "data file" in text and "gone" in text
    assert "0 lost writes" not in text.splitlines()[-2]


def test_a_restore_interrupted_by_a_crash_resumes_and_never_leaves_a_partial_table(fresh_data_dir):
    """The target reads CREATING while the restore's job copies; the kill lands during the copy,
    and after the restart the job resumes: the table turns ACTIVE with every item, or, if the
    restore was never recorded, does not exist (DESIGN.md 'Jobs': never partial)."""
    data = fresh_data_dir / "data"
    server = start_server(data)
    ddb = server.client("dynamodb")
    ddb.create_table(
        TableName="src", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    ddb.update_continuous_backups(TableName="src", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    total = 8000
    pad = "x" * 1000
    for start in range(0, total, 25):
        ddb.batch_write_item(RequestItems={"src": [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i:06d}"}, "pad": {"S": pad}}}}
            for i in range(start, start + 25)
        ]})
    # A second inside the restorable window, which lags now by five minutes.
    as_of = int(time.time()) + 2
    time.sleep(2.5)
    request = urllib.request.Request(
        server.endpoint + "/_strata/clock", data=json.dumps({"advance_seconds": 302}).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=10).read()

    def restore():
        try:
            ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="dst", RestoreDateTime=as_of)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
            pass  # the kill cuts it

    watcher = server.client("dynamodb")
    thread = threading.Thread(target=restore)
    thread.start()
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            watcher.describe_table(TableName="dst")
            time.sleep(0.03)  # the target exists: the copy is under way; let it copy some
            break
        except watcher.exceptions.ResourceNotFoundException:
            time.sleep(0.002)
    server.process.kill()
    server.process.wait()
    thread.join()

    server = start_server(data)
    try:
        ddb = server.client("dynamodb")
        try:
            status = ddb.describe_table(TableName="dst")["Table"]["TableStatus"]
        except ddb.exceptions.ResourceNotFoundException:
            return  # no table: the restore was never recorded, which is allowed
        deadline = time.time() + 60
        while status == "CREATING" and time.time() < deadline:
            time.sleep(0.05)
            status = ddb.describe_table(TableName="dst")["Table"]["TableStatus"]
        count, kwargs = 0, dict(TableName="dst", Select="COUNT", ConsistentRead=True)
        while True:
            page = ddb.scan(**kwargs)
            count += page["Count"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        # A table that is there and ACTIVE must be the whole restore.
        assert (status, count) == ("ACTIVE", total), f"restored table {status} with {count} of {total} items"
    finally:
        server.stop()
