"""Racing clients end in a state equal to SOME serial order of what was acknowledged.

test_dynamodb_concurrency.py already shows that conditional increments and ADD reach the
expected total and that transfers conserve a sum. This file checks the serial order itself:
- optimistic updates on a `version` attribute form one unbroken chain 0 -> 1 -> ... -> S,
  each link claimed by exactly one acknowledged update, and every ConditionalCheckFailed
  reports (ALL_OLD) a version that really had moved on;
- ADD ... ReturnValues=UPDATED_NEW hands out each value 1..N exactly once, while other
  attributes of the same item are being SET (no lost update across attributes);
- transfers written with a per-transaction log item in the same transaction: the
  acknowledged set equals the log, every transaction is visible on all its items or on none
  (also in TransactGetItems snapshots taken during the race), replaying the log reproduces
  the balances, and the only failure is TransactionCanceledException with reasons;
- put-if-absent raced through PutItem, UpdateItem and TransactWriteItems at once;
- S3 overwrites (single PUTs, inline and spilled, and concurrently completing multipart
  uploads), PUT/DELETE races, GETs streaming while their object is replaced, and
  CreateBucket races, against bodies/ETags/lengths known to the test.
"""

import hashlib
import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import botocore.config
import botocore.exceptions

from aws_helpers import get, key, new_table, scan_all, unique

MiB = 1024 * 1024


# --- helpers ----------------------------------------------------------------------------


def run_threads(workers):
    """Runs the callables on threads of their own; returns their results in order."""
    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        futures = [pool.submit(w) for w in workers]
        return [f.result() for f in futures]


def ddb_clients(server, n):
    config = botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=4)
    return [server.client("dynamodb", config=config) for _ in range(n)]


def s3_client(server, account="source", region="us-east-1"):
    config = botocore.config.Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        signature_version="s3v4",
        max_pool_connections=4,
    )
    return server.client("s3", account, config=config, region_name=region)


def code(e):
    return e.response["Error"]["Code"]


def status(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]


# --- DynamoDB: optimistic concurrency on a version attribute ------------------------------


def test_optimistic_version_updates_form_one_serial_chain(server):
    threads, attempts = 16, 50
    ddb = server.client("dynamodb")
    table = new_table(ddb, "race")
    ddb.put_item(TableName=table, Item={"pk": {"S": "doc"}, "count": {"N": "0"}, "version": {"N": "0"}})
    start = threading.Barrier(threads)

    def worker(client):
        claimed, lost = [], []
        start.wait()
        for _ in range(attempts):
            item = get(client, table, "doc")
            v, n = int(item["version"]["N"]), int(item["count"]["N"])
            try:
                out = client.update_item(
                    TableName=table,
                    Key=key("doc"),
                    UpdateExpression="SET #n = #n + :one, version = :v1",
                    ConditionExpression="version = :v",
                    ExpressionAttributeNames={"#n": "count"},
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":v": {"N": str(v)},
                        ":v1": {"N": str(v + 1)},
                    },
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
                assert status(out) == 200
                new = out["Attributes"]
                # The update applied on top of exactly the state it read.
                claimed.append((v, int(new["version"]["N"]), n, int(new["count"]["N"])))
            except botocore.exceptions.ClientError as e:
                assert code(e) == "ConditionalCheckFailedException", e.response["Error"]
                # A lost race: the item it failed against had moved past the version read.
                lost.append((v, int(e.response["Item"]["version"]["N"])))
        return claimed, lost

    results = run_threads([lambda c=c: worker(c) for c in ddb_clients(server, threads)])
    claimed = [c for cs, _ in results for c in cs]
    lost = [x for _, ls in results for x in ls]
    successes = len(claimed)
    assert successes + len(lost) == threads * attempts
    assert lost, "no update ever lost a race: the clients did not contend, so this proved nothing"

    bad_links = [c for c in claimed if c[1] != c[0] + 1 or c[3] != c[2] + 1]
    assert bad_links == [], f"updates not applied on the state they read: {bad_links[:5]}"
    not_moved = [x for x in lost if x[1] <= x[0]]
    assert not_moved == [], f"ConditionalCheckFailed although version had not moved: {not_moved[:5]}"

    # Every version 0..S-1 was left by exactly one acknowledged update: a single serial chain.
    versions = sorted(c[0] for c in claimed)
    assert versions == list(range(successes)), (
        f"chain broken: {successes} successes, duplicated "
        f"{sorted({v for v in versions if versions.count(v) > 1})[:10]}"
    )
    final = get(ddb, table, "doc")
    assert final["version"] == {"N": str(successes)}, f"version {final['version']} != successes {successes}"
    assert final["count"] == {"N": str(successes)}, f"counter {final['count']} != successes {successes}"


def test_add_hands_out_each_value_once_while_other_attributes_change(server):
    adders, setters, per_thread = 10, 4, 40
    ddb = server.client("dynamodb")
    table = new_table(ddb, "race")
    ddb.put_item(TableName=table, Item={"pk": {"S": "ctr"}, "counter": {"N": "0"}})
    start = threading.Barrier(adders + setters)

    def adder(client):
        seen = []
        start.wait()
        for _ in range(per_thread):
            out = client.update_item(
                TableName=table,
                Key=key("ctr"),
                UpdateExpression="ADD #c :one",
                ExpressionAttributeNames={"#c": "counter"},
                ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
            assert status(out) == 200
            seen.append(int(out["Attributes"]["counter"]["N"]))
        return seen

    def setter(args):
        client, t = args
        start.wait()
        for i in range(per_thread):
            client.update_item(
                TableName=table,
                Key=key("ctr"),
                UpdateExpression="SET #a = :i",
                ExpressionAttributeNames={"#a": f"note{t}"},
                ExpressionAttributeValues={":i": {"N": str(i)}},
            )
        return []

    cs = ddb_clients(server, adders + setters)
    results = run_threads(
        [lambda c=c: adder(c) for c in cs[:adders]] + [lambda a=a: setter(a) for a in zip(cs[adders:], range(setters))]
    )
    handed = sorted(v for r in results[:adders] for v in r)
    total = adders * per_thread
    dupes = sorted({v for v in handed if handed.count(v) > 1})
    assert handed == list(range(1, total + 1)), f"ADD results not a serial sequence; duplicated {dupes[:10]}"
    final = get(ddb, table, "ctr")
    assert final["counter"] == {"N": str(total)}
    assert {f"note{t}": final[f"note{t}"]["N"] for t in range(setters)} == {
        f"note{t}": str(per_thread - 1) for t in range(setters)
    }


# --- DynamoDB: transactions with a log -----------------------------------------------------


def test_transfers_with_a_log_replay_to_the_final_balances(server):
    accounts, threads, per_thread, initial = 5, 8, 30, 100
    ddb = server.client("dynamodb")
    table = new_table(ddb, "race")
    for a in range(accounts):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"acct{a}"}, "balance": {"N": str(initial)}})

    # The plan: tx id -> (source, [destinations], amount each). Some pay two accounts at once.
    rng = random.Random(7)
    plan = {}
    for t in range(threads):
        for i in range(per_thread):
            src = rng.randrange(accounts)
            others = [a for a in range(accounts) if a != src]
            dsts = rng.sample(others, 2 if i % 4 == 3 else 1)
            plan[f"t{t}-{i}"] = (src, dsts, rng.randint(1, 60))

    writers_done = threading.Event()
    start = threading.Barrier(threads + 2)

    def transact(client, txid):
        src, dsts, amt = plan[txid]
        amount = {"N": str(amt)}
        txset = {"SS": [txid]}
        items = [
            {
                "Update": {
                    "TableName": table,
                    "Key": key(f"acct{src}"),
                    "UpdateExpression": "SET balance = balance - :total ADD txs :tx",
                    "ConditionExpression": "balance >= :total",
                    "ExpressionAttributeValues": {":total": {"N": str(amt * len(dsts))}, ":tx": txset},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
        ]
        for d in dsts:
            items.append(
                {
                    "Update": {
                        "TableName": table,
                        "Key": key(f"acct{d}"),
                        "UpdateExpression": "SET balance = balance + :amt ADD txs :tx",
                        "ExpressionAttributeValues": {":amt": amount, ":tx": txset},
                    }
                }
            )
        items.append(
            {
                "Put": {
                    "TableName": table,
                    "Item": {
                        "pk": {"S": f"log#{txid}"},
                        "src": {"N": str(src)},
                        "dsts": {"L": [{"N": str(d)} for d in dsts]},
                        "amt": amount,
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        )
        return client.transact_write_items(TransactItems=items)

    def writer(args):
        client, t = args
        committed, cancelled = [], []
        start.wait()
        for i in range(per_thread):
            txid = f"t{t}-{i}"
            try:
                out = transact(client, txid)
                assert status(out) == 200
                committed.append(txid)
            except botocore.exceptions.ClientError as e:
                assert code(e) == "TransactionCanceledException", e.response["Error"]
                reasons = e.response.get("CancellationReasons")
                assert reasons and len(reasons) == len(plan[txid][1]) + 2, e.response
                codes = [r["Code"] for r in reasons]
                assert set(codes) <= {"None", "ConditionalCheckFailed", "TransactionConflict"}, codes
                assert set(codes) != {"None"}, codes
                # Only the funds check can fail its condition, and only on insufficient funds.
                assert all(c != "ConditionalCheckFailed" for c in codes[1:]), codes
                if codes[0] == "ConditionalCheckFailed":
                    src, dsts, amt = plan[txid]
                    seen = int(reasons[0]["Item"]["balance"]["N"])
                    assert seen < amt * len(dsts), (txid, seen, amt, dsts)
                cancelled.append((txid, tuple(codes)))
        return committed, cancelled

    snapshots = []

    def reader(client):
        # Serializable reads: every snapshot conserves the sum and shows each transaction on
        # all of its accounts or on none.
        start.wait()
        reads = conflicts = 0
        while not writers_done.is_set() or reads < 3:
            try:
                out = client.transact_get_items(
                    TransactItems=[{"Get": {"TableName": table, "Key": key(f"acct{a}")}} for a in range(accounts)]
                )
            except botocore.exceptions.ClientError as e:
                assert code(e) == "TransactionCanceledException", e.response["Error"]
                assert {r["Code"] for r in e.response["CancellationReasons"]} <= {"None", "TransactionConflict"}
                conflicts += 1
                continue
            items = [r["Item"] for r in out["Responses"]]
            balances = [int(i["balance"]["N"]) for i in items]
            txs = [set(i.get("txs", {}).get("SS", [])) for i in items]
            partial = []
            for txid in set().union(*txs):
                src, dsts, _ = plan[txid]
                present = [txid in txs[a] for a in [src, *dsts]]
                if not all(present):
                    partial.append((txid, present))
            snapshots.append((balances, partial))
            reads += 1
        return reads, conflicts

    cs = ddb_clients(server, threads + 2)
    with ThreadPoolExecutor(max_workers=threads + 2) as pool:
        readers = [pool.submit(reader, c) for c in cs[threads:]]
        writers = [pool.submit(writer, a) for a in zip(cs[:threads], range(threads))]
        results = [w.result() for w in writers]
        writers_done.set()
        [r.result() for r in readers]

    committed = {txid for c, _ in results for txid in c}
    cancelled = [x for _, cs_ in results for x in cs_]
    assert len(committed) + len(cancelled) == len(plan)
    assert committed, "no transfer committed"

    bad_snapshots = [s for s in snapshots if sum(s[0]) != initial * accounts or min(s[0]) < 0 or s[1]]
    assert bad_snapshots == [], f"TransactGetItems saw a torn state: {bad_snapshots[:3]}"

    items = scan_all(ddb, table, ConsistentRead=True)
    logs = {i["pk"]["S"][4:]: i for i in items if i["pk"]["S"].startswith("log#")}
    accts = {int(i["pk"]["S"][4:]): i for i in items if i["pk"]["S"].startswith("acct")}
    assert sorted(accts) == list(range(accounts))
    assert set(logs) == committed, (
        f"log/acknowledged mismatch: logged-not-acked {sorted(set(logs) - committed)[:5]}, "
        f"acked-not-logged {sorted(committed - set(logs))[:5]}"
    )
    # Atomicity: a transaction is on its log, its source and all its destinations, or on none.
    txs = {a: set(accts[a].get("txs", {}).get("SS", [])) for a in accts}
    half_applied = []
    for txid, (src, dsts, _) in plan.items():
        present = [txid in logs] + [txid in txs[a] for a in [src, *dsts]]
        if any(present) and not all(present):
            half_applied.append((txid, present))
    assert half_applied == [], f"half-applied transactions: {half_applied[:5]}"
    stray = set().union(*txs.values()) - committed
    assert not stray, f"transactions applied although cancelled: {sorted(stray)[:5]}"

    # Replaying the committed transfers from the initial state gives the final balances.
    replay = [initial] * accounts
    for txid in committed:
        src, dsts, amt = plan[txid]
        log = logs[txid]
        assert (int(log["src"]["N"]), [int(d["N"]) for d in log["dsts"]["L"]], int(log["amt"]["N"])) == (src, dsts, amt)
        replay[src] -= amt * len(dsts)
        for d in dsts:
            replay[d] += amt
    final = [int(accts[a]["balance"]["N"]) for a in range(accounts)]
    assert final == replay, f"final balances {final} != serial replay of {len(committed)} transfers {replay}"
    assert sum(final) == initial * accounts
    assert min(final) >= 0


# --- DynamoDB: put-if-absent through every write API at once --------------------------------


def test_create_if_absent_through_mixed_apis_has_one_winner_per_key(server):
    threads, rounds = 15, 8
    ddb = server.client("dynamodb")
    table = new_table(ddb, "race")
    start = threading.Barrier(threads)
    methods = ("put", "update", "transact")

    def attempt(client, pk, me):
        method = methods[me % 3]
        item = {"pk": {"S": pk}, "owner": {"N": str(me)}}
        try:
            if method == "put":
                client.put_item(
                    TableName=table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(pk)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            elif method == "update":
                client.update_item(
                    TableName=table,
                    Key=key(pk),
                    UpdateExpression="SET #o = :me",
                    ConditionExpression="attribute_not_exists(pk)",
                    ExpressionAttributeNames={"#o": "owner"},
                    ExpressionAttributeValues={":me": {"N": str(me)}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            else:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": table,
                                "Item": item,
                                "ConditionExpression": "attribute_not_exists(pk)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                            }
                        }
                    ]
                )
            return ("won", None)
        except botocore.exceptions.ClientError as e:
            if method == "transact":
                assert code(e) == "TransactionCanceledException", e.response["Error"]
                reason = e.response["CancellationReasons"][0]
                assert reason["Code"] in ("ConditionalCheckFailed", "TransactionConflict"), reason
                if reason["Code"] == "TransactionConflict":
                    return ("conflict", None)
                return ("lost", int(reason["Item"]["owner"]["N"]))
            assert code(e) == "ConditionalCheckFailedException", e.response["Error"]
            return ("lost", int(e.response["Item"]["owner"]["N"]))

    def worker(args):
        client, me = args
        outcomes = []
        for r in range(rounds):
            start.wait()
            outcomes.append(attempt(client, f"lock{r}", me))
        return outcomes

    results = run_threads([lambda a=a: worker(a) for a in zip(ddb_clients(server, threads), range(threads))])
    for r in range(rounds):
        outcomes = {me: results[me][r] for me in range(threads)}
        winners = [me for me, (o, _) in outcomes.items() if o == "won"]
        assert len(winners) == 1, f"lock{r}: winners {winners} ({[methods[w % 3] for w in winners]})"
        owner = get(ddb, table, f"lock{r}")["owner"]
        assert owner == {"N": str(winners[0])}, f"lock{r}: stored owner {owner}, acknowledged winner {winners[0]}"
        # Every loser failed against the winner's item: no silent overwrite before or after.
        wrong = {me: seen for me, (o, seen) in outcomes.items() if o == "lost" and seen != winners[0]}
        assert wrong == {}, f"lock{r}: losers saw other owners {wrong}"


# --- S3 --------------------------------------------------------------------------------------


def md5_etag(data):
    return '"' + hashlib.md5(data).hexdigest() + '"'


def multipart_etag(parts):
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


class Candidates:
    """The bodies that may be under a key, by MD5, with the ETag each must carry."""

    def __init__(self):
        self.by_md5 = {}

    def add(self, body, etag):
        self.by_md5[hashlib.md5(body).hexdigest()] = (etag, len(body))

    def check(self, body, etag, length, where):
        digest = hashlib.md5(body).hexdigest()
        assert digest in self.by_md5, (
            f"{where}: body of {len(body)} bytes (ContentLength {length}, ETag {etag}) is none of the "
            f"{len(self.by_md5)} bodies written: mixed or partial"
        )
        want_etag, want_len = self.by_md5[digest]
        assert (etag, length, len(body)) == (want_etag, want_len, want_len), (
            f"{where}: body is a written one but headers disagree: ETag {etag} vs {want_etag}, "
            f"ContentLength {length} vs {want_len}"
        )
        return digest


def body_of(seed, size):
    rng = random.Random(seed)
    return rng.randbytes(size)


def read_object(s3, bucket, k, where):
    """GET -> (body, etag, length), or None when absent."""
    try:
        got = s3.get_object(Bucket=bucket, Key=k)
    except botocore.exceptions.ClientError as e:
        assert code(e) == "NoSuchKey", (where, e.response["Error"])
        return None
    return got["Body"].read(), got["ETag"], got["ContentLength"]


def head_object(s3, bucket, k):
    try:
        h = s3.head_object(Bucket=bucket, Key=k)
    except botocore.exceptions.ClientError as e:
        assert code(e) in ("404", "NoSuchKey"), e.response["Error"]
        return None
    return h["ETag"], h["ContentLength"]


def test_concurrent_overwrites_leave_exactly_one_whole_body(server):
    s3 = s3_client(server)
    bucket = unique("races")
    s3.create_bucket(Bucket=bucket)
    # Inline bodies (up to 64 KiB), spilled ones, and multipart uploads of one and two parts.
    put_sizes = [1024, 40 * 1024, 64 * 1024, 64 * 1024 + 1, 300 * 1024, 1536 * 1024]
    multipart_shapes = [[5 * MiB, 100 * 1024], [5 * MiB, 7], [300 * 1024], [70 * 1024]]
    readers = 2

    for round_ in range(2):
        k = f"contested/{round_}"
        cands = Candidates()
        initial = body_of(f"{round_}-initial", 2048)
        s3.put_object(Bucket=bucket, Key=k, Body=initial)
        cands.add(initial, md5_etag(initial))

        puts = []
        for i, size in enumerate(put_sizes):
            body = body_of(f"{round_}-put-{i}", size)
            cands.add(body, md5_etag(body))
            puts.append(body)
        uploads = []
        for i, shape in enumerate(multipart_shapes):
            parts = [body_of(f"{round_}-mpu-{i}-{p}", n) for p, n in enumerate(shape)]
            upload_id = s3.create_multipart_upload(Bucket=bucket, Key=k)["UploadId"]
            etags = [
                s3.upload_part(Bucket=bucket, Key=k, UploadId=upload_id, PartNumber=p + 1, Body=part)["ETag"]
                for p, part in enumerate(parts)
            ]
            cands.add(b"".join(parts), multipart_etag(parts))
            uploads.append((upload_id, parts, etags))

        writers = len(puts) + len(uploads)
        start = threading.Barrier(writers + readers)
        done = threading.Event()

        def put_worker(args):
            client, body = args
            start.wait()
            out = client.put_object(Bucket=bucket, Key=k, Body=body)
            assert out["ETag"] == md5_etag(body)

        def complete_worker(args):
            client, (upload_id, parts, etags) = args
            start.wait()
            out = client.complete_multipart_upload(
                Bucket=bucket,
                Key=k,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p + 1, "ETag": e} for p, e in enumerate(etags)]},
            )
            assert out["ETag"] == multipart_etag(parts)

        def reader(client):
            start.wait()
            reads = 0
            while not done.is_set() or reads < 2:
                got = read_object(client, bucket, k, "GET during race")
                assert got is not None, "object vanished while only being overwritten"
                cands.check(*got, where=f"GET during race (round {round_})")
                reads += 1
            return reads

        cs = [s3_client(server) for _ in range(writers + readers)]
        with ThreadPoolExecutor(max_workers=writers + readers) as pool:
            rs = [pool.submit(reader, c) for c in cs[writers:]]
            ws = [pool.submit(put_worker, a) for a in zip(cs, puts)]
            ws += [pool.submit(complete_worker, a) for a in zip(cs[len(puts) :], uploads)]
            [w.result() for w in ws]
            done.set()
            [r.result() for r in rs]

        body, etag, length = read_object(s3, bucket, k, "final GET")
        digest = cands.check(body, etag, length, where="final GET")
        assert digest != hashlib.md5(initial).hexdigest(), "final object is the one every writer replaced"
        assert head_object(s3, bucket, k) == (etag, length), "HEAD disagrees with GET"
        listed = [o for o in s3.list_objects_v2(Bucket=bucket, Prefix=k)["Contents"]]
        assert [(o["Key"], o["ETag"], o["Size"]) for o in listed] == [(k, etag, length)]
        assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_put_delete_races_end_absent_or_whole(server):
    s3 = s3_client(server)
    bucket = unique("races")
    s3.create_bucket(Bucket=bucket)
    keys = [f"k{i}" for i in range(6)]
    threads, ops = 10, 12
    cands = {k: Candidates() for k in keys}
    bodies = {}
    for t in range(threads):
        for k in keys:
            # Alternately inline and spilled bodies.
            size = 20 * 1024 + t if t % 2 else 200 * 1024 + t
            body = body_of(f"{k}-{t}", size)
            bodies[(t, k)] = body
            cands[k].add(body, md5_etag(body))
    start = threading.Barrier(threads + 2)
    done = threading.Event()

    def worker(args):
        client, t = args
        rng = random.Random(t)
        start.wait()
        for _ in range(ops):
            k = rng.choice(keys)
            op = rng.random()
            if op < 0.5:
                client.put_object(Bucket=bucket, Key=k, Body=bodies[(t, k)])
            elif op < 0.8:
                assert status(client.delete_object(Bucket=bucket, Key=k)) == 204
            else:
                out = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": x} for x in rng.sample(keys, 2)]})
                assert not out.get("Errors"), out["Errors"]

    def reader(client):
        start.wait()
        reads = 0
        while not done.is_set() or reads < len(keys):
            k = keys[reads % len(keys)]
            got = read_object(client, bucket, k, "GET during race")
            if got is not None:
                cands[k].check(*got, where=f"GET {k} during race")
            reads += 1

    cs = [s3_client(server) for _ in range(threads + 2)]
    with ThreadPoolExecutor(max_workers=threads + 2) as pool:
        rs = [pool.submit(reader, c) for c in cs[threads:]]
        ws = [pool.submit(worker, a) for a in zip(cs, range(threads))]
        [w.result() for w in ws]
        done.set()
        [r.result() for r in rs]

    listed = {o["Key"]: (o["ETag"], o["Size"]) for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    for k in keys:
        got = read_object(s3, bucket, k, f"final GET {k}")
        head = head_object(s3, bucket, k)
        if got is None:
            assert head is None, f"{k}: GET says absent, HEAD says {head}"
            assert k not in listed, f"{k}: GET says absent, listing says {listed[k]}"
        else:
            cands[k].check(*got, where=f"final GET {k}")
            assert head == (got[1], got[2]), f"{k}: HEAD {head} disagrees with GET {got[1:]}"
            assert listed.get(k) == (got[1], got[2]), f"{k}: listing {listed.get(k)} disagrees with GET {got[1:]}"


def test_get_streaming_while_its_object_is_deleted_or_replaced_returns_the_old_body(server):
    s3 = s3_client(server)
    other = s3_client(server)
    bucket = unique("races")
    s3.create_bucket(Bucket=bucket)
    old, new = body_of("old", 8 * MiB), body_of("new", 8 * MiB + 3)
    for k, action in [("deleted-then-rewritten", "delete"), ("overwritten", "put")]:
        s3.put_object(Bucket=bucket, Key=k, Body=old)
        got = s3.get_object(Bucket=bucket, Key=k)
        assert (got["ETag"], got["ContentLength"]) == (md5_etag(old), len(old))
        first = got["Body"].read(64 * 1024)
        if action == "delete":
            other.delete_object(Bucket=bucket, Key=k)
            assert head_object(other, bucket, k) is None
        other.put_object(Bucket=bucket, Key=k, Body=new)
        rest = got["Body"].read()
        body = first + rest
        if body != old:
            same_prefix = next((i for i, (a, b) in enumerate(zip(body, old)) if a != b), min(len(body), len(old)))
            raise AssertionError(
                f"{k}: streamed body of {len(body)} bytes is not the old body of {len(old)} "
                f"(first difference at byte {same_prefix}; is new body: {body == new})"
            )
        fresh = read_object(other, bucket, k, "GET after")
        assert fresh == (new, md5_etag(new), len(new))


def test_concurrent_create_bucket_has_exactly_one_winner(server):
    # Outside us-east-1 the winner gets 200, its own account's other calls
    # BucketAlreadyOwnedByYou, the other account's BucketAlreadyExists (all 409).
    per_account, rounds = 6, 4
    accounts = ["source", "destination"]
    region = "eu-west-1"
    cs = [(a, s3_client(server, a, region=region)) for a in accounts for _ in range(per_account)]
    start = threading.Barrier(len(cs))
    names = [unique("contested") for _ in range(rounds)]

    def worker(args):
        account, client = args
        outcomes = []
        for name in names:
            start.wait()
            try:
                out = client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
                outcomes.append((account, status(out)))
            except botocore.exceptions.ClientError as e:
                outcomes.append((account, code(e), status(e.response)))
        return outcomes

    results = run_threads([lambda a=a: worker(a) for a in cs])
    for r, name in enumerate(names):
        outcomes = [res[r] for res in results]
        winners = [o for o in outcomes if o[1] == 200]
        assert len(winners) == 1, f"{name}: {len(winners)} CreateBucket calls got 200: {outcomes}"
        owner = winners[0][0]
        for o in outcomes:
            if o is winners[0]:
                continue
            expected = "BucketAlreadyOwnedByYou" if o[0] == owner else "BucketAlreadyExists"
            assert o[1:] == (expected, 409), f"{name}: owner {owner}, got {o}"
        for account in accounts:
            listed = [b["Name"] for b in s3_client(server, account).list_buckets()["Buckets"]]
            assert (name in listed) == (account == owner), f"{name}: listing of {account}"
        owner_client = s3_client(server, owner, region=region)
        assert owner_client.get_bucket_location(Bucket=name)["LocationConstraint"] == region


def test_concurrent_create_bucket_in_us_east_1_has_one_owner(server):
    # In us-east-1 AWS answers 200 to the owner re-creating its bucket: every call of the
    # winning account succeeds, every call of the other account gets BucketAlreadyExists.
    per_account, rounds = 6, 4
    accounts = ["source", "destination"]
    cs = [(a, s3_client(server, a)) for a in accounts for _ in range(per_account)]
    start = threading.Barrier(len(cs))
    names = [unique("contested") for _ in range(rounds)]

    def worker(args):
        account, client = args
        outcomes = []
        for name in names:
            start.wait()
            try:
                outcomes.append((account, status(client.create_bucket(Bucket=name))))
            except botocore.exceptions.ClientError as e:
                outcomes.append((account, code(e), status(e.response)))
        return outcomes

    results = run_threads([lambda a=a: worker(a) for a in cs])
    for r, name in enumerate(names):
        outcomes = [res[r] for res in results]
        owners = {o[0] for o in outcomes if o[1] == 200}
        assert len(owners) == 1, f"{name}: accounts that got 200: {owners}: {outcomes}"
        owner = owners.pop()
        wrong = [o for o in outcomes if o != ((owner, 200) if o[0] == owner else (o[0], "BucketAlreadyExists", 409))]
        assert wrong == [], f"{name}: owner {owner}, unexpected {wrong}"
        for account in accounts:
            listed = [b["Name"] for b in s3_client(server, account).list_buckets()["Buckets"]]
            assert (name in listed) == (account == owner), f"{name}: listing of {account}"
