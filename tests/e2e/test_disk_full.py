"""A full disk: strata on a small tmpfs, filled by S3 and DynamoDB writes until they fail.

Checks, in one run on one data directory (the tmpfs is the data directory itself):

- every failed write is an AWS error in its protocol's shape: S3's XML `ServiceUnavailable`
  and DynamoDB's JSON `ServiceUnavailable`, both 503 (a full disk is not a bug, so no 500),
  never a dropped connection, a hang or a panic. The client does not retry, so it sees every
  answer; a body refused before it is read closes its connection with `Connection: close`, so
  the next request (an AbortMultipartUpload after a refused UploadPart) never lands on it;
- while the disk is full the server stays up and answers reads (health, GetItem, GetObject,
  ListObjectsV2), every acknowledged write reads back intact, and no object file is left that
  no object or part names;
- a restart on the still-full disk comes up with everything acknowledged;
- once the tmpfs grows, writes succeed again at once, without a restart: strata refuses writes
  while the disk is nearly full (a body that would leave less than `KEEP_FREE`, any store write
  below `MIN_FREE_SPACE`), so fjall, which cannot continue after a failed journal write, never
  gets one;
- after a SIGKILL in the middle of more writes and a restart, every acknowledged write is there
  intact, a write that failed or was cut is either absent or whole (never an object listed
  with a short body), and again no object file is left over.

Needs root (it mounts a tmpfs); skipped where `mount` fails.
"""

import concurrent.futures
import hashlib
import random
import shutil
import subprocess
import threading
import time

import botocore.config
import botocore.exceptions
import pytest

from conftest import start_server

MIB = 1024 * 1024
SMALL_MIB = 48
GROWN_MIB = 160
BUCKET = "disk-full"
TABLE = "disk-full"
ITEM_BYTES = 100_000
PART_MIB = 5  # S3's smallest non-final part

S3_FAILURES = {("ServiceUnavailable", 503)}
DDB_FAILURES = {("ServiceUnavailable", 503)}
INLINE_MAX = 64 * 1024  # bodies up to this size live in the store, not in files

# No retries (every failure is seen as the server sent it), short timeouts (a hang is a
# failure, not a slow test).
CLIENT_CONFIG = botocore.config.Config(
    retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30
)


@pytest.fixture
def tmpfs(fresh_data_dir):
    """A SMALL_MIB tmpfs mounted on a fresh directory; unmounted at the end."""
    mount_point = fresh_data_dir / "tmpfs"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SMALL_MIB}m,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True, text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], check=False)


def resize(mount_point, mib):
    subprocess.run(["mount", "-o", f"remount,size={mib}m", str(mount_point)], check=True)


class Ledger:
    """What the test wrote: `objects` and `items` were acknowledged, the `unknown_` ones failed
    or were cut (such a write may or may not have happened, but is never half there)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.objects = {}  # key -> md5 hex, acknowledged
        self.unknown_objects = {}  # key -> md5 hex, not acknowledged
        self.items = {}  # pk -> item, acknowledged
        self.unknown_items = {}  # pk -> item, not acknowledged
        self.failures = []  # (service, code, status)
        self.bad = []  # (time, what): anything that is not an AWS-shaped error

    def failed(self, service, err):
        """Records a failed request; anything but the expected AWS error is `bad`."""
        with self.lock:
            if isinstance(err, botocore.exceptions.ClientError):
                code = err.response["Error"].get("Code")
                status = err.response["ResponseMetadata"].get("HTTPStatusCode")
                allowed = S3_FAILURES if service == "s3" else DDB_FAILURES
                self.failures.append((service, code, status))
                if (code, status) not in allowed:
                    self.bad.append((time.monotonic(), f"{service}: {code} {status}: {err}"))
            else:
                self.bad.append((time.monotonic(), f"{service}: {type(err).__name__}: {err}"))


class Writer:
    """Writes unique keys (so a failure never leaves two candidate values for a key)."""

    def __init__(self, server, ledger, seed):
        self.s3 = server.client("s3", config=CLIENT_CONFIG)
        self.ddb = server.client("dynamodb", config=CLIENT_CONFIG)
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = 0

    def _name(self, kind):
        self.n += 1
        return f"{kind}-{self.seed}-{self.n:05d}"

    def _body(self, size):
        return self.rng.randbytes(size)

    def _item(self, pk):
        return {"pk": {"S": pk}, "blob": {"B": self._body(ITEM_BYTES)}, "n": {"N": str(self.n)}}

    def put_object(self):
        key = self._name("obj")
        body = self._body(self.rng.randint(1 * MIB, 4 * MIB))
        md5 = hashlib.md5(body).hexdigest()
        try:
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        except Exception as err:  # noqa: BLE001 - classified by the ledger
            self.ledger.unknown_objects[key] = md5
            self.ledger.failed("s3", err)
            return False
        self.ledger.objects[key] = md5
        return True

    def multipart(self):
        key = self._name("mpu")
        parts = [self._body(PART_MIB * MIB), self._body(self.rng.randint(MIB // 2, MIB))]
        md5 = hashlib.md5(b"".join(parts)).hexdigest()
        upload = None
        try:
            upload = self.s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
            done = []
            for number, part in enumerate(parts, 1):
                etag = self.s3.upload_part(
                    Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=number, Body=part
                )["ETag"]
                done.append({"PartNumber": number, "ETag": etag})
            self.s3.complete_multipart_upload(
                Bucket=BUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": done}
            )
        except Exception as err:  # noqa: BLE001
            self.ledger.unknown_objects[key] = md5
            self.ledger.failed("s3", err)
            if upload is not None:
                try:
                    self.s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload)
                except Exception as abort_err:  # noqa: BLE001
                    self.ledger.failed("s3", abort_err)
            return False
        self.ledger.objects[key] = md5
        return True

    def put_item(self):
        item = self._item(self._name("item"))
        try:
            self.ddb.put_item(TableName=TABLE, Item=item)
        except Exception as err:  # noqa: BLE001
            self.ledger.unknown_items[item["pk"]["S"]] = item
            self.ledger.failed("dynamodb", err)
            return False
        self.ledger.items[item["pk"]["S"]] = item
        return True

    def batch_write(self):
        items = [self._item(self._name("batch")) for _ in range(4)]
        try:
            out = self.ddb.batch_write_item(
                RequestItems={TABLE: [{"PutRequest": {"Item": item}} for item in items]}
            )
        except Exception as err:  # noqa: BLE001
            for item in items:
                self.ledger.unknown_items[item["pk"]["S"]] = item
            self.ledger.failed("dynamodb", err)
            return False
        unprocessed = {
            r["PutRequest"]["Item"]["pk"]["S"]
            for r in out.get("UnprocessedItems", {}).get(TABLE, [])
        }
        for item in items:
            pk = item["pk"]["S"]
            if pk in unprocessed:
                self.ledger.unknown_items[pk] = item
            else:
                self.ledger.items[pk] = item
        return not unprocessed

    def step(self, i):
        """One write of a mix weighted towards the big S3 bodies."""
        kinds = [self.put_object, self.put_item, self.put_object, self.batch_write]
        if i % 7 == 6:
            return self.multipart()
        return kinds[i % len(kinds)]()


def fill(writer, max_steps=400):
    """Writes until 12 requests in a row have failed; returns how many succeeded."""
    ok = failed_in_a_row = 0
    for i in range(max_steps):
        if writer.step(i):
            ok += 1
            failed_in_a_row = 0
        else:
            failed_in_a_row += 1
            if failed_in_a_row >= 12:
                return ok
    raise AssertionError(f"{max_steps} writes on a {SMALL_MIB} MiB disk never filled it")


def check_reads(server, ledger):
    """Every acknowledged write reads back intact; the listing names every acknowledged object
    and otherwise only whole objects whose write failed; the server answers health."""
    assert server.get("/_strata/health")
    s3 = server.client("s3", config=CLIENT_CONFIG)
    ddb = server.client("dynamodb", config=CLIENT_CONFIG)

    def object_md5(key):
        return hashlib.md5(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()).hexdigest()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        md5s = dict(zip(ledger.objects, pool.map(object_md5, ledger.objects)))
    assert md5s == ledger.objects

    listed = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        listed.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
    missing = set(ledger.objects) - set(listed)
    assert not missing, f"acknowledged objects not listed: {sorted(missing)}"
    extra = set(listed) - set(ledger.objects)
    strays = extra - set(ledger.unknown_objects)
    assert not strays, f"objects nobody wrote: {sorted(strays)}"
    for key in extra:
        # A write that failed may have landed, but only whole.
        assert object_md5(key) == ledger.unknown_objects[key], f"{key}: listed with a damaged body"

    for pk, item in {**ledger.items, **ledger.unknown_items}.items():
        got = ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}}, ConsistentRead=True).get("Item")
        if pk in ledger.items:
            assert got == item, f"acknowledged item {pk} lost or damaged"
        else:
            assert got in (None, item), f"item {pk} of a failed write is half there"


def check_no_stray_files(server):
    """Every object file is named by an object or by a part of an open upload."""
    s3 = server.client("s3", config=CLIENT_CONFIG)
    named = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for o in page.get("Contents", []):
            if o["Key"].startswith("mpu-"):
                named += 2
            elif o["Size"] > INLINE_MAX:
                named += 1
    for upload in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []):
        parts = s3.list_parts(Bucket=BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])
        named += len(parts.get("Parts", []))
    files = [p for p in (server.data_dir / "objects").glob("*/*") if p.is_file()]
    assert len(files) == named, f"{len(files)} object files, {named} named by objects and parts"


def test_a_full_disk_fails_writes_cleanly_and_loses_nothing(tmpfs):
    data = tmpfs
    ledger = Ledger()
    server = start_server(data)
    try:
        s3 = server.client("s3", config=CLIENT_CONFIG)
        ddb = server.client("dynamodb", config=CLIENT_CONFIG)
        s3.create_bucket(Bucket=BUCKET)
        ddb.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )

        # Fill the disk; every failure is an AWS error and the server stays up.
        writer = Writer(server, ledger, seed=1)
        started = time.monotonic()
        acked = fill(writer)
        print(f"filled in {time.monotonic() - started:.1f}s: {acked} writes acknowledged, "
              f"{len(ledger.failures)} failed: {sorted(set(ledger.failures))}")
        assert acked > 5
        assert shutil.disk_usage(data).free < SMALL_MIB * MIB // 4, "the disk did not fill"
        assert not ledger.bad, ledger.bad
        assert {service for service, _, _ in ledger.failures} == {"s3", "dynamodb"}
        assert server.process.poll() is None, "the server died on a full disk"
        check_reads(server, ledger)
        check_no_stray_files(server)

        # SIGKILL and restart on the still-full disk: everything acknowledged is there.
        server.process.kill()
        server.process.wait()
        server = start_server(data)
        check_reads(server, ledger)

        # Grow the disk: writes succeed again without a restart.
        writer = Writer(server, ledger, seed=2)
        fill(writer)  # still full
        assert not ledger.bad, ledger.bad
        resize(tmpfs, GROWN_MIB)
        for write in (writer.put_item, writer.batch_write, writer.put_object, writer.multipart):
            assert write(), f"{write.__name__} fails after the disk grew: {ledger.failures[-1]}"
        assert not ledger.bad, ledger.bad
        check_reads(server, ledger)

        # SIGKILL in the middle of writes, restart: nothing acknowledged lost, nothing half there.
        stop = threading.Event()

        def keep_writing(seed):
            w = Writer(server, ledger, seed)
            i = 0
            while not stop.is_set():
                w.step(i)
                i += 1

        threads = [threading.Thread(target=keep_writing, args=(seed,)) for seed in (3, 4)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        killed_at = time.monotonic()
        server.process.kill()
        server.process.wait()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        # Requests the kill cut fail at the connection, as they should; none before it.
        assert not [what for at, what in ledger.bad if at < killed_at], ledger.bad

        server = start_server(data)
        check_reads(server, ledger)
        check_no_stray_files(server)
    finally:
        server.stop()
