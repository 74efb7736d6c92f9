"""DynamoDB under concurrent clients: optimistic (conditional) increments lose no update,
ADD is atomic, put-if-absent has exactly one winner, transactions conserve a total, and
indexes stay in step with their items."""

import threading
from concurrent.futures import ThreadPoolExecutor

import botocore.config
import botocore.exceptions

from aws_helpers import key, scan_all, unique, wait_indexes_active


def new_table(ddb, **extra):
    name = unique("conc")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}] + extra.pop("more_definitions", []),
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def error_code(e):
    return e.response["Error"]["Code"]


def clients(server, n):
    """One client per thread, with a connection pool of its own."""
    config = botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=2)
    return [server.client("dynamodb", config=config) for _ in range(n)]


def run_threads(workers):
    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        return [f.result() for f in [pool.submit(w) for w in workers]]


def read_n(ddb, table, pk="counter"):
    return int(ddb.get_item(TableName=table, Key=key(pk), ConsistentRead=True)["Item"]["n"]["N"])


def test_conditional_increments_lose_no_update(server):
    threads, per_thread = 16, 50
    ddb = server.client("dynamodb")
    table = new_table(ddb)
    ddb.put_item(TableName=table, Item={"pk": {"S": "counter"}, "n": {"N": "0"}})
    start = threading.Barrier(threads)

    def worker(client):
        successes = conflicts = 0
        start.wait()
        expected = read_n(client, table)
        while successes < per_thread:
            try:
                client.update_item(
                    TableName=table,
                    Key=key("counter"),
                    UpdateExpression="SET n = n + :one",
                    ConditionExpression="n = :expected",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": str(expected)}},
                )
                successes += 1
                expected += 1
            except botocore.exceptions.ClientError as e:
                assert error_code(e) == "ConditionalCheckFailedException", e.response["Error"]
                conflicts += 1
                assert conflicts < 100_000, "no progress"
                expected = read_n(client, table)
        return successes, conflicts

    results = run_threads([lambda c=c: worker(c) for c in clients(server, threads)])
    successes = sum(s for s, _ in results)
    assert successes == threads * per_thread
    assert read_n(ddb, table) == successes


def test_conditional_updates_report_the_item_that_beat_them(server):
    # Every failed conditional write returns (with ALL_OLD) an item whose n differs
    # from what the writer expected: a failure never hides a matching value.
    threads, per_thread = 8, 25
    ddb = server.client("dynamodb")
    table = new_table(ddb)
    ddb.put_item(TableName=table, Item={"pk": {"S": "counter"}, "n": {"N": "0"}})

    def worker(client):
        expected, done = 0, 0
        while done < per_thread:
            try:
                client.update_item(
                    TableName=table,
                    Key=key("counter"),
                    UpdateExpression="SET n = n + :one",
                    ConditionExpression="n = :expected",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": str(expected)}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
                done += 1
                expected += 1
            except botocore.exceptions.ClientError as e:
                assert error_code(e) == "ConditionalCheckFailedException"
                seen = int(e.response["Item"]["n"]["N"])
                assert seen != expected
                expected = seen
        return done

    assert sum(run_threads([lambda c=c: worker(c) for c in clients(server, threads)])) == threads * per_thread
    assert read_n(ddb, table) == threads * per_thread


def test_concurrent_add_is_atomic(server):
    threads, per_thread = 8, 100
    ddb = server.client("dynamodb")
    table = new_table(ddb)

    def worker(args):
        client, t = args
        for _ in range(per_thread):
            client.update_item(
                TableName=table,
                Key=key("counter"),
                UpdateExpression="ADD n :one, seen :me",
                ExpressionAttributeValues={":one": {"N": "1"}, ":me": {"SS": [f"t{t}"]}},
            )

    run_threads([lambda a=a: worker(a) for a in zip(clients(server, threads), range(threads))])
    item = ddb.get_item(TableName=table, Key=key("counter"), ConsistentRead=True)["Item"]
    assert item["n"] == {"N": str(threads * per_thread)}
    assert len(item["seen"]["SS"]) == threads


def test_put_if_absent_has_exactly_one_winner(server):
    threads = 16
    ddb = server.client("dynamodb")
    table = new_table(ddb)
    start = threading.Barrier(threads)

    def worker(args):
        client, i = args
        start.wait()
        try:
            client.put_item(
                TableName=table,
                Item={"pk": {"S": "lock"}, "owner": {"N": str(i)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
            return i
        except botocore.exceptions.ClientError as e:
            assert error_code(e) == "ConditionalCheckFailedException"
            return None

    winners = [
        w for w in run_threads([lambda a=a: worker(a) for a in zip(clients(server, threads), range(threads))]) if w is not None
    ]
    assert len(winners) == 1
    owner = ddb.get_item(TableName=table, Key=key("lock"), ConsistentRead=True)["Item"]["owner"]
    assert owner == {"N": str(winners[0])}


def test_concurrent_puts_of_distinct_items_are_all_kept(server):
    threads, per_thread = 8, 50
    ddb = server.client("dynamodb")
    table = new_table(ddb)

    def worker(args):
        client, t = args
        for i in range(per_thread):
            client.put_item(TableName=table, Item={"pk": {"S": f"t{t}-{i}"}, "t": {"N": str(t)}})

    run_threads([lambda a=a: worker(a) for a in zip(clients(server, threads), range(threads))])
    total = sum(p["Count"] for p in ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"))
    assert total == threads * per_thread
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == threads * per_thread


def test_concurrent_transfers_conserve_the_total(server):
    accounts, threads, per_thread = 5, 8, 30
    ddb = server.client("dynamodb")
    table = new_table(ddb)
    for a in range(accounts):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"acct{a}"}, "balance": {"N": "100"}})

    def worker(args):
        client, t = args
        committed = 0
        for i in range(per_thread):
            src, dst = (t + i) % accounts, (t + 2 * i + 1) % accounts
            if src == dst:
                dst = (dst + 1) % accounts
            amount = {"N": str(1 + (t * 7 + i) % 40)}
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": table,
                                "Key": key(f"acct{src}"),
                                "UpdateExpression": "SET balance = balance - :amt",
                                "ConditionExpression": "balance >= :amt",
                                "ExpressionAttributeValues": {":amt": amount},
                            }
                        },
                        {
                            "Update": {
                                "TableName": table,
                                "Key": key(f"acct{dst}"),
                                "UpdateExpression": "SET balance = balance + :amt",
                                "ExpressionAttributeValues": {":amt": amount},
                            }
                        },
                    ]
                )
                committed += 1
            except botocore.exceptions.ClientError as e:
                # Insufficient funds or a conflicting transaction: AWS cancels, never half-applies.
                assert error_code(e) in ("TransactionCanceledException", "TransactionConflictException"), e.response
        return committed

    committed = sum(run_threads([lambda a=a: worker(a) for a in zip(clients(server, threads), range(threads))]))
    assert committed > 0
    balances = [
        int(i["balance"]["N"]) for i in ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    ]
    assert len(balances) == accounts
    assert sum(balances) == 100 * accounts
    assert min(balances) >= 0


def test_global_index_keeps_one_entry_per_item_under_concurrent_updates(server):
    threads, per_thread = 8, 25
    ddb = server.client("dynamodb")
    table = new_table(
        ddb,
        more_definitions=[{"AttributeName": "color", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-color",
                "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    colors = [f"c{i}" for i in range(threads)]

    def worker(args):
        client, t = args
        for i in range(per_thread):
            client.put_item(
                TableName=table, Item={"pk": {"S": f"item{i % 3}"}, "color": {"S": colors[(t + i) % threads]}}
            )

    run_threads([lambda a=a: worker(a) for a in zip(clients(server, threads), range(threads))])
    assert ddb.scan(TableName=table, IndexName="by-color", Select="COUNT")["Count"] == 3
    for n in range(3):
        color = ddb.get_item(TableName=table, Key=key(f"item{n}"), ConsistentRead=True)["Item"]["color"]["S"]
        found = ddb.query(
            TableName=table,
            IndexName="by-color",
            KeyConditionExpression="color = :c",
            ExpressionAttributeValues={":c": {"S": color}},
        )["Items"]
        assert {"pk": {"S": f"item{n}"}, "color": {"S": color}} in found


def test_batch_writes_and_reads_interleave_consistently(server):
    # Writers rewrite a batch of 10 items with one version each; readers never see
    # an item version go backwards.
    ddb = server.client("dynamodb")
    table = new_table(ddb)
    versions = 40
    done = threading.Event()

    def writer(client):
        for v in range(versions):
            client.batch_write_item(
                RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"N": str(v)}}}} for i in range(10)]}
            )
        done.set()

    def reader(client):
        last = {}
        reads = 0
        while not done.is_set() or reads < 5:
            out = client.batch_get_item(
                RequestItems={table: {"Keys": [key(f"k{i}") for i in range(10)], "ConsistentRead": True}}
            )
            for item in out["Responses"][table]:
                v = int(item["v"]["N"])
                assert v >= last.get(item["pk"]["S"], -1)
                last[item["pk"]["S"]] = v
            reads += 1
        return reads

    cs = clients(server, 4)
    results = run_threads([lambda: writer(cs[0])] + [lambda c=c: reader(c) for c in cs[1:]])
    assert all(r >= 5 for r in results[1:])
    final = ddb.batch_get_item(RequestItems={table: {"Keys": [key(f"k{i}") for i in range(10)]}})["Responses"][table]
    assert sorted(i["v"]["N"] for i in final) == [str(versions - 1)] * 10


def test_index_created_under_concurrent_writes_matches_the_table(server):
    # Writers keep changing and deleting items while UpdateTable adds a GSI and it is
    # backfilled; once ACTIVE and quiet, the index holds exactly the table's items.
    import time

    ddb = server.client("dynamodb")
    table = new_table(ddb)
    items = 3000
    for start in range(0, items, 25):
        ddb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": {"S": f"i{i}"}, "color": {"S": "c0"}}}}
                    for i in range(start, min(start + 25, items))
                ]
            }
        )
    stop = threading.Event()

    def writer(args):
        client, t = args
        n = 0
        while not stop.is_set():
            i = (n * 7919 + t * 104729) % items
            if n % 5 == 4:
                client.delete_item(TableName=table, Key=key(f"i{i}"))
            else:
                client.put_item(TableName=table, Item={"pk": {"S": f"i{i}"}, "color": {"S": f"c{(n + t) % 4}"}})
            n += 1
        return n

    def create_index():
        time.sleep(0.3)
        ddb.update_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": "by-color",
                        "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        )
        wait_indexes_active(ddb, table)
        time.sleep(0.3)
        stop.set()
        return 0

    writers = 6
    cs = clients(server, writers)
    results = run_threads([create_index] + [lambda a=a: writer(a) for a in zip(cs, range(writers))])
    assert sum(results[1:]) > 0

    in_table = sorted((i["pk"]["S"], i["color"]["S"]) for i in scan_all(ddb, table, ConsistentRead=True))
    in_index = sorted((i["pk"]["S"], i["color"]["S"]) for i in scan_all(ddb, table, IndexName="by-color"))
    assert in_index == in_table
