"""The whole-server crash harness (tests/crash/server_crash.py) in a short run, its self-test, and
crashes inside background work, deterministically: a restore cut by the kill (it left a partial
table), a GSI backfill cut by the kill (it left the index CREATING and half-filled), a purge of
PITR history cut by the kill (an earlier PITR period must never answer "as of" reads). All are
durable jobs now, resumed after the kill.

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
from pathlib import Path

import botocore.exceptions

from aws_helpers import batch_write, new_table, scan_all, wait_active
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
    assert f"{cycles} cycles, 0 lost writes, 0 corrupt jobs, 0 stale versions" in out.stdout


def test_the_harness_sees_damage_to_acknowledged_data(tmp_path):
    """Self-test: after the restart of cycle 3 the harness deletes an acknowledged item, moves
    one balance without its transaction, overwrites an acknowledged object and deletes a data
    file of a completed export, all through the API; it also deletes an indexed item between
    its table scan and its index check, puts an item deleted while PITR was off back before the
    "as of" time of its restore check (unknown to its model), and puts an item of an older
    generation into the recreated table. The run must report each of them."""
    out = run_harness(
        tmp_path, "--cycles", "4", "--seed", "7", "--inject-at", "3", "--jobs-every", "1", "--pitr-off-every", "1"
    )
    assert out.returncode == 1, out.stdout + out.stderr
    text = out.stdout
    assert "self-test: injecting faults" in text
    assert "LOST: kv#" in text
    assert "TORN TRANSACTION: acct#00" in text
    assert "LOST: s3://crash-bucket/" in text
    assert "data file" in text and "gone" in text
    assert "CORRUPT JOB: index by-" in text and "of crash-gsi: Queries on every key value differ" in text
    assert "STALE VERSION: restore of crash-pitr as of T=" in text and "(deleted while PITR was off)" in text
    assert "STALE VERSION: crash-recreate (generation" in text
    assert "0 lost writes" not in text.splitlines()[-2]
    assert "0 stale versions" not in text.splitlines()[-2]


def test_a_restore_interrupted_by_a_crash_resumes_and_never_leaves_a_partial_table(fresh_data_dir):
    """The target reads CREATING while the restore's job copies; the kill lands during the copy,
    and after the restart the job resumes: the table turns ACTIVE with every item, or, if the
    restore was never recorded, does not exist (DESIGN.md 'Jobs': never partial)."""
    data = fresh_data_dir / "data"
    server = start_server(data)
    ddb = server.client("dynamodb")
    src = new_table(ddb, "src")
    ddb.update_continuous_backups(TableName=src, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    total = 8000
    pad = "x" * 1000
    batch_write(ddb, src, puts=[{"pk": {"S": f"k{i:06d}"}, "pad": {"S": pad}} for i in range(total)])
    # A second inside the restorable window, which lags now by five minutes.
    as_of = int(time.time()) + 2
    time.sleep(2.5)
    server.advance_clock(302)

    def restore():
        try:
            ddb.restore_table_to_point_in_time(SourceTableName=src, TargetTableName="dst", RestoreDateTime=as_of)
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
            ddb.describe_table(TableName="dst")
        except ddb.exceptions.ResourceNotFoundException:
            return  # no table: the restore was never recorded, which is allowed
        status = wait_active(ddb, "dst")["TableStatus"]
        pages = ddb.get_paginator("scan").paginate(TableName="dst", Select="COUNT", ConsistentRead=True)
        count = sum(page["Count"] for page in pages)
        # A table that is there and ACTIVE must be the whole restore.
        assert (status, count) == ("ACTIVE", total), f"restored table {status} with {count} of {total} items"
    finally:
        server.stop()


def test_a_gsi_backfill_interrupted_by_a_crash_resumes_and_indexes_every_item(fresh_data_dir):
    """UpdateTable adds a GSI (CREATING, Backfilling) to a table of 20,000 items, 16,000 of which
    have its key; the kill lands while the backfill job is part-way. After the restart the job
    resumes: the index turns ACTIVE, and a Query on every key value returns exactly the items with
    the key, as many as its ItemCount (before the job runner, it stayed CREATING, half-filled)."""
    data = fresh_data_dir / "data"
    server = start_server(data)
    ddb = server.client("dynamodb")
    big = new_table(ddb, "big")
    total, values = 20000, 10
    items = [
        {"pk": {"S": f"k{i:06d}"}, "pad": {"S": "x" * 100}, **({"g": {"S": f"g{i % values}"}} if i % 5 else {})}
        for i in range(total)
    ]
    batch_write(ddb, big, puts=items)
    expected = {v: {it["pk"]["S"] for it in items if it.get("g", {}).get("S") == v} for v in (f"g{n}" for n in range(values))}
    with_key = sum(len(keys) for keys in expected.values())
    assert with_key == 16000

    ddb.update_table(
        TableName=big,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }}],
    )
    # Kill once the backfill has visibly begun (its ItemCount grows while it runs).
    deadline = time.time() + 60
    while True:
        index = ddb.describe_table(TableName=big)["Table"]["GlobalSecondaryIndexes"][0]
        if index["IndexStatus"] != "CREATING" or index["ItemCount"] >= 1000 or time.time() > deadline:
            break
        time.sleep(0.002)
    server.process.kill()
    server.process.wait()
    assert index["IndexStatus"] == "CREATING" and index["Backfilling"] is True, index
    assert index["ItemCount"] < with_key, f"the backfill ended before the kill: {index}"

    server = start_server(data)
    try:
        ddb = server.client("dynamodb")
        deadline = time.time() + 60
        while True:
            index = ddb.describe_table(TableName=big)["Table"]["GlobalSecondaryIndexes"][0]
            if index["IndexStatus"] != "CREATING" or time.time() > deadline:
                break
            assert index["Backfilling"] is True
            time.sleep(0.05)
        assert index["IndexStatus"] == "ACTIVE", f"index still {index['IndexStatus']} 60 s after the restart"
        found, count = {}, 0
        for value in expected:
            keys, kwargs = set(), dict(
                TableName=big, IndexName="by-g", KeyConditionExpression="g = :v",
                ExpressionAttributeValues={":v": {"S": value}},
            )
            while True:
                page = ddb.query(**kwargs)
                keys |= {item["pk"]["S"] for item in page["Items"]}
                count += page["Count"]
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            found[value] = keys
        assert count == with_key, f"Queries on the index return {count} items, {with_key} have its key"
        assert found == expected
        assert index["ItemCount"] == with_key
    finally:
        server.stop()


def test_items_deleted_while_pitr_was_off_never_come_back_after_a_crash_mid_purge(fresh_data_dir):
    """Disabling PITR records a purge of the table's history; the kill lands right after the
    answer, usually inside it. After the restart, items deleted and overwritten while PITR is off,
    then PITR enabled again: a restore as of a second after the re-enable holds exactly the table
    as it was then; no version of the earlier PITR period answers (enabling completes the purge
    first)."""
    data = fresh_data_dir / "data"
    server = start_server(data)
    ddb = server.client("dynamodb")
    hist = new_table(ddb, "hist")
    pitr = lambda on: ddb.update_continuous_backups(  # noqa: E731
        TableName=hist, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": on}
    )
    pitr(True)
    item = lambda i, v: {"pk": {"S": f"k{i:05d}"}, "v": {"S": v}, "pad": {"S": "p" * 100}}  # noqa: E731
    batch_write(ddb, hist, puts=[item(i, "first") for i in range(5000)])
    batch_write(ddb, hist, puts=[item(i, "second") for i in range(0, 5000, 2)])  # more history
    pitr(False)
    server.process.kill()
    server.process.wait()

    server = start_server(data)
    try:
        ddb = server.client("dynamodb")
        status = ddb.describe_continuous_backups(TableName=hist)["ContinuousBackupsDescription"]
        assert status["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
        # While PITR is off: 1,000 items deleted, 500 overwritten.
        batch_write(ddb, hist, deletes=[f"k{i:05d}" for i in range(1000)])
        batch_write(ddb, hist, puts=[item(i, "while-off") for i in range(1000, 1500)])
        ddb.update_continuous_backups(
            TableName=hist, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        window = ddb.describe_continuous_backups(TableName=hist)["ContinuousBackupsDescription"]
        earliest = window["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]
        as_of = int(earliest.timestamp()) + 1  # a second after the re-enable
        expected = {i["pk"]["S"]: i for i in scan_all(ddb, hist, ConsistentRead=True)}
        assert len(expected) == 4000
        # Past `as_of`, then more changes a read as of it must not see.
        server.advance_clock(2)
        batch_write(ddb, hist, puts=[item(i, "after") for i in range(100)])
        batch_write(ddb, hist, deletes=[f"k{i:05d}" for i in range(2000, 2100)])
        server.advance_clock(302)
        ddb.restore_table_to_point_in_time(SourceTableName=hist, TargetTableName="then", RestoreDateTime=as_of)
        wait_active(ddb, "then")
        restored = {i["pk"]["S"]: i for i in scan_all(ddb, "then", ConsistentRead=True)}
        back = sorted(pk for pk in restored if pk < "k01000")
        assert not back, f"{len(back)} items deleted while PITR was off came back, e.g. {restored[back[0]]}"
        stale = sorted(pk for pk in restored if restored[pk]["v"]["S"] != expected.get(pk, {}).get("v", {}).get("S"))
        assert not stale, f"{len(stale)} items restored with a stale value, e.g. {restored[stale[0]]}"
        assert restored == expected
    finally:
        server.stop()
