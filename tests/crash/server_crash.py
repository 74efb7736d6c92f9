#!/usr/bin/env python3
"""Whole-server crash harness: acknowledged writes and jobs survive SIGKILL of `strata serve`.

Each cycle runs a mixed load against one `strata serve` (binary `$STRATA_BIN`) on one data
directory from several threads for a random 0.2–2 s, SIGKILLs the server while requests are in
flight, restarts it on the same directory and checks what survived against what was
acknowledged. The load:

- DynamoDB, all in one table with PITR on and a stream (NEW_AND_OLD_IMAGES; `crash-kv`):
  - PutItem/DeleteItem on keys each worker thread owns (so the order of writes to one key is
    the thread's order and "the last acknowledged write" is well defined), every value unique;
  - conditional UpdateItem increments of shared counters (read `n`, then
    `SET n = :new, tok = :tok IF n = :old`; the acknowledged `new` values of a counter must be
    distinct and the last one must survive);
  - TransactWriteItems transfers between accounts (`bal` moves, `ver` is compare-and-set) with a
    per-transaction log item put in the same transaction. After restart the accounts' balances
    sum to the initial total and every account's version chain is exactly the chain of log
    items that touch it (so every logged transaction is fully applied and no unlogged one is
    half-applied); every acknowledged transaction's log item is there;
  - TransactGetItems of all accounts during the load (the sum must hold in every snapshot).
- S3 PutObject of 1 KB–2 MB (log-uniform, so inline and file-backed bodies), DeleteObject and
  multipart uploads (1–2 parts of 5 MiB plus a tail), on keys each thread owns; after restart
  every object has the MD5 of its last acknowledged write (or of a write in flight at the kill),
  deleted objects stay deleted, nothing unknown appears.
- S3 Versioning, in a second bucket (`crash-versions`, versioning Enabled at setup), on keys each
  thread owns (some names prefixes of others): PutObject of 64 B–512 KiB (its VersionId kept
  with the body's MD5 and size), DeleteObject without a version (a delete marker, its VersionId
  kept) and DeleteObject by the VersionId of a version or marker the thread wrote (often the
  newest, so the one before becomes current again). After restart the bucket is still Enabled;
  ListObjectVersions, paged by KeyMarker/VersionIdMarker in pages of a random size, lists each
  key's versions exactly once, newest first (its Versions and DeleteMarkers merged by the
  sequence number strata's version ids start with), in the order they were written; every
  acknowledged version or marker not deleted by VersionId is there with its MD5 and size, an
  acknowledged delete by VersionId is gone for good (GetObject of it: 404 NoSuchVersion, then
  and in later cycles), and nothing else is listed but writes in flight at the kill (a version
  with such a write's body, a marker where such a delete was); exactly one entry of a key is
  IsLatest, the newest; GetObject of every version by VersionId returns its bytes (405 for a
  marker), a plain GetObject the newest version's bytes (404 under a delete marker), and
  ListObjectsV2 lists exactly the keys whose newest version is an object. A key's oldest
  versions beyond 6 are then deleted, quiescently.
- S3 SSE-KMS, in a third bucket (`crash-kms`, default encryption `aws:kms` under a customer
  managed KMS key made at setup by CreateKey; the key's id and ARN, the bucket's rule, the
  `alias/aws/s3` key's ARN and a ciphertext Encrypt made under the key stay in the model, as the
  versioned bucket's name and status do), on keys each thread owns: PutObject of 16 B–3 MiB
  (log-uniform, so both small SSE-KMS bodies kept inline as ciphertext with their IV in the record and
  blob files with theirs) with
  `ServerSideEncryption='aws:kms'` and the key's ARN, or relying on the bucket default, or
  `aws:kms` with no key (the account's `aws/s3` key); DeleteObject; and (two threads, rarely) a
  multipart upload (1–2 parts of 5 MiB plus a tail) encrypted under the upload's data key, in
  any of the three ways. Each write's answer must name `aws:kms` and the expected key's ARN.
  After restart every key holds the MD5, size and key ARN of its last acknowledged write (or of
  a write in flight at the kill): GetObject decrypts it to those bytes, HeadObject shows
  `aws:kms` and that ARN, a ranged GetObject of a random range reads the same bytes as the whole,
  a deleted key stays deleted (not listed, HeadObject 404), nothing unknown is listed. The key
  still describes as Enabled (ARN unchanged, `alias/aws/s3` the same key), Encrypt/Decrypt of a
  fresh plaintext round-trips and the setup's ciphertext still decrypts (key material kept),
  and GetBucketEncryption still answers the setup's rule.
- Jobs, every few cycles, started at a random moment of the load: ExportTableToPointInTime as of
  the previous checkpoint (and, alternately, as of now), ImportTable of a completed export,
  RestoreTableToPointInTime as of a checkpoint. With probability --job-kill (0.5) a job's start
  moves the kill to 0–120 ms after it, so kills often land inside the job's request or its
  background work. After restart an export request cut by the kill is sent again with its
  ClientToken (it must answer the export it made, if any); every export and import the server
  lists must reach COMPLETED or FAILED (FAILED is allowed after a crash and counted); a COMPLETED export
  must have `_started`, both manifests with matching `.md5` companions, every data file
  `manifest-files.json` names with its MD5 (base64 of the MD5 of the stored gzip bytes), its
  ETag and its item count, and the counts must add up to the summary's and DescribeExport's.
  Every other export asks for `S3SseAlgorithm='KMS'` under the customer key's ARN: DescribeExport
  and the summary must name it, HeadObject of each of its files `aws:kms` and that ARN (its
  files are read through GetObject, which decrypts them, and imports read them so too).
  An export "as of" a checkpoint must hold exactly the table as it was then; a COMPLETED import
  must hold exactly the export's items; a restored table (acknowledged, or left behind by a
  restore in flight at the kill) must hold exactly the checkpoint's state.

- Maintenance jobs (GSI backfills, index, history and table purges), each every few cycles and
  started at a random moment of the load, which then also writes the table concerned; with
  probability --maintenance-kill (0.8) the kill lands 0–150 ms after the request's answer, so
  usually inside the background work it recorded (these take precedence over the jobs above):
  - `index` (--index-every): on `crash-gsi` (6,000 items plus keys the workers put and delete,
    with or without the index attributes, sorting before and after the 6,000) UpdateTable adds a GSI (`by-g`: HASH g, ALL;
    `by-hg`: HASH h, RANGE g, KEYS_ONLY), deleting it first when it exists (so a purge of the
    old index runs beside the backfill of the new one of the same name). After every restart:
    no index stays CREATING (CREATING shows `Backfilling`), an acknowledged create or delete is
    what DescribeTable shows, and every ACTIVE index answers Queries on every hash key value
    with exactly the table's items that have the index key (keys and projected attributes),
    its Scan count and DescribeTable's `ItemCount` equal to that number. After an index
    cycle's checks an ACTIVE index is sometimes deleted (an index purge under the next load).
  - `pitr_off` (--pitr-off-every): on `crash-pitr` (PITR on, history from the workers' puts
    and deletes, heavy in that cycle) UpdateContinuousBackups disables PITR (recording a
    purge of the history). After the restart: deletes, overwrites and re-puts while PITR is
    off; enable it again; the state at T (a second after the re-enable: nothing is written
    between the enable and T); more writes after T; clock +302 s; a restore as of T must hold
    exactly that state. An item there that should not be (a key deleted while PITR was off,
    resurrected), with another value, or missing although it was put while PITR was off (an
    older delete answered) is a **stale version**; any other missing item is a lost write.
  - `recreate` (--recreate-every): DeleteTable `crash-recreate` (2,000 items, a GSI on their
    generation `gen`) and CreateTable it again under the same name, then put items of the new
    generation. After the restart the table is the old one only if the delete was not
    acknowledged; otherwise every item it shows, by Scan or by a Query on the GSI, must be of
    the new generation (an old one is a **stale version**), every acknowledged put must be
    there, and DescribeTable's counts must equal the items.
  Every cycle, the items the workers wrote to these tables are checked like `crash-kv`'s, and
  the indexes of `crash-gsi` and `crash-recreate` against their tables.

CloudFormation (every --cfn-every cycles, one more load thread): stacks `crash-cfn-c<cycle>-<n>` of
a template naming a DynamoDB table (PITR on or off, sometimes the GSI `by-g`), an S3 bucket (never
written, so it can always be deleted) and a bucket policy on it, all named like the stack, and an
IAM role `Role` (no RoleName, so CloudFormation generates `<stack>-Role-<random>`; trusting the
account root; Path "/" or "/crash/") with an IAM managed policy `Managed` (no name: generated
`<stack>-Managed-<random>`; dynamodb:GetItem on the table's Arn) attached to it (`Roles: [Ref
Role]`); CreateStack and UpdateStack pass CAPABILITY_IAM. The thread keeps at most CFN_MAX_LIVE
stacks: CreateStack; UpdateStack toggling one of PITR, the GSI or the role's Path (which REPLACES
the role: a new generated name, the policy attached to it, the old role deleted) (of a stack last
seen CREATE_COMPLETE, UPDATE_COMPLETE or UPDATE_ROLLBACK_COMPLETE); DeleteStack (first of all for a
stack seen ROLLBACK_COMPLETE). After each acknowledged call it reads DescribeStacks: a settled
status seen then must survive unless a later call was sent. With probability --cfn-kill the kill
lands 0–300 ms (half the time 0–60 ms) after the cycle's first stack call of a random kind (create,
update or delete) is sent (the server answers once the operation has settled, so usually inside the
stack's job; not in cycles with maintenance jobs). After every restart, for every stack:
DescribeStacks (by StackId once known) until no *_IN_PROGRESS status, at most CFN_TIMEOUT s
(**stuck** otherwise); an acknowledged CreateStack's stack exists; the status is one AWS would show
after the calls made — the last acknowledged call's (CREATE_COMPLETE or ROLLBACK_COMPLETE;
UPDATE_COMPLETE or UPDATE_ROLLBACK_COMPLETE; DELETE_COMPLETE) or a later in-doubt call's, never
*_FAILED (DELETE_FAILED included: the buckets stay empty); GetTemplate answers the template in
effect (the create's for CREATE_COMPLETE; one sent, and the one seen if any, otherwise); for a
*_COMPLETE stack ListStackResources lists Table, Bucket, Policy, Role and Managed *_COMPLETE with
their physical ids, DescribeTable (ACTIVE, PITR and `by-g` as the template says), HeadBucket and
GetBucketPolicy find them, IAM GetRole finds the Role's physical id (a generated `<stack>-Role-…`
name) with the template's Path, ListRoles (PathPrefix "/") shows exactly that one role named
`<stack>-Role-…` (no orphan of a replacement or of a create cut short), ListAttachedRolePolicies of
it includes the Managed's physical id (the ARN of a policy named `<stack>-Managed-…`) and
ListPolicies (Scope Local) shows exactly that one policy named `<stack>-Managed-…`; a
ROLLBACK_COMPLETE or DELETE_COMPLETE stack, or a CreateStack in doubt that left no stack, leaves
neither its table nor its bucket nor any role `<stack>-Role-…` nor customer managed policy
`<stack>-Managed-…` behind. What is left behind or orphaned is reported, then deleted (so reported
once). Failures quote the stack's events (DescribeStackEvents, newest first; all of them are kept
with the evidence). The self-test (--inject-at) deletes the bucket policy of a stack verified
*_COMPLETE and creates an orphan role `<stack>-Role-SELFTEST0000`.

DynamoDB Streams: the load's writes to `crash-kv` leave stream records (one per write that
changes an item, in the item's store batch). After every restart a tailing consumer reads the
whole stream: DescribeStream's shards, parents before children (the ParentShardId chain, which
must be the ShardId order too, only the newest shard open), each from TRIM_HORIZON until a
closed shard answers no NextShardIterator or the open one an empty page. Checked (violations
are counted by kind and fail the run):
  - each kv key's records new since the previous check are exactly its writes of this cycle,
    in order: every acknowledged write that changed the item has its record (a delete of an
    absent item has none) with the write's value as NewImage (or REMOVE), eventName INSERT,
    MODIFY or REMOVE and the item before it as OldImage; a write in flight at the kill has its
    record or not, as the item shows; no record carries a value nobody wrote (tokens are
    unique); and the key's last record (its NewImage, or REMOVE for an absent item) is the item
    the scan reads (**stream_lost**, **stream_phantom**);
  - every record read after the previous restart reads the same now (SequenceNumber, eventID,
    eventName, Keys, NewImage and OldImage as digests, shard, ApproximateCreationDateTime), by
    the TRIM_HORIZON read and by AT_SEQUENCE_NUMBER on a few of them (the last one always);
    AFTER_SEQUENCE_NUMBER on the last one gives the record read next in its shard; none is
    missing unless older than the 24 h retention, and no new record comes before their end
    (**stream_lost**, **stream_changed**);
  - SequenceNumbers strictly increase (as integers) along the stream and lie in their shard's
    range, a closed shard's records end at its EndingSequenceNumber, and no SequenceNumber or
    eventID is read twice (**stream_order**, **stream_duplicate**).
Every --stream-rollover-every (8) checkpoints the clock moves a shard period (4 h) further, so
the open shard closes and its child takes the next load; records age out after 24 h of server
clock, so an acknowledged write's record is required in the check of its cycle and must then
stay, unchanged, until it ages out.

Whenever a modelled value could be either of two (a request in flight at the kill, or a 5xx),
both are accepted; verification then records what the server actually holds, so ambiguity never
carries over to the next cycle.

PITR "as of": after each cycle's verification (the server is quiescent) the harness scans the
table (the checkpoint's expected state), reads the server clock N, takes T = ceil(N), and moves
the server clock forward 302 s (`POST /_strata/clock`, persisted; 4 h more at a stream
rollover), so every later write is stamped after T and T is already inside the restorable
window, whose latest end lags now by five minutes. Every few cycles a RestoreTableToPointInTime
as of a random kept checkpoint must reproduce that checkpoint exactly; the exports and restores
of the load use checkpoints too.

Also checked: the server restarts (within 60 s), its clock offset never goes back, the
transaction logs pruned at checkpoints stay deleted, kept exports' data files keep their MD5s
across later restarts, no export leaves a multipart upload open once every job has ended (a
resumed export aborts those of its cut-short run). `--inject-at N` is a self-test that damages
acknowledged data after restart N (the run must fail); it also deletes an indexed item between
the table scan and the index check, puts an item of an older generation into `crash-recreate`,
and (in a `pitr_off` cycle) writes an item deleted while PITR was off back before T without
telling the model, which the restore as of T must then show as a stale version. The deleted
acknowledged item also shows in crash-kv's stream as a record nobody wrote (stream_phantom). In the
versioned bucket it deletes an acknowledged version by its VersionId and puts a version nobody
wrote. In `crash-kms` it overwrites an acknowledged object (other bytes, under `aws/s3`).

Limit (as in crates/storage/tests/crash.rs): SIGKILL keeps the OS page cache, so this proves
that acknowledged writes left the process and that recovery is consistent, not that fsync
reached the device.

Run:  STRATA_BIN=target/release/strata .venv/bin/python tests/crash/server_crash.py --cycles 1000
Prints one line per cycle and ends with "N cycles, 0 lost writes, 0 corrupt jobs, 0 stale
versions, 0 stream violations" (exit 0) or the failures (exit 1). Evidence of a failing cycle
(data directory copies, server logs, the journal of every request) is kept under --evidence-dir.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import botocore.config
import botocore.exceptions

REGION = "us-east-1"
ACCOUNT = "111111111111"
AKID = "AKIASOURCEROOT000001"
SECRET = "source-root-secret-key"
CONFIG = (
    f'region = "{REGION}"\n'
    f'[[account]]\nid = "{ACCOUNT}"\nalias = "source"\n'
    f'root_access_key_id = "{AKID}"\nroot_secret_access_key = "{SECRET}"\n'
    '[[account]]\nid = "222222222222"\nalias = "destination"\n'
    'root_access_key_id = "AKIADESTROOT00000001"\nroot_secret_access_key = "destination-root-secret-key"\n'
)

TABLE = "crash-kv"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
BUCKET = "crash-bucket"
KV_PER_WORKER = 100
COUNTERS = 8
ACCOUNTS = 16
INITIAL_BALANCE = 1000
OBJECTS_PER_WORKER = 10
MPU_WORKERS = 2  # workers that also run multipart uploads (one key each)
# The versioned bucket: each worker owns one key per suffix (some names are prefixes of others,
# so a key's versions sort between keys in the listing).
VBUCKET = "crash-versions"
VKEYS = ("1", "10", "11", "2", "20", "3")
VSIZE = (64, 512 * 1024)  # bodies log-uniform: inline (<= 64 KiB) and file-backed
VERSIONS_KEPT = 6  # after verification a key's oldest versions beyond this are deleted (quiescent)
VGONE_CHECKS = 4  # versions deleted in earlier cycles read again by VersionId after each restart
MIB = 1 << 20
# The SSE-KMS bucket (default encryption aws:kms under the harness's customer managed key).
KBUCKET = "crash-kms"
KMS_PER_WORKER = 6
KSIZE = (16, 3 * MIB)  # bodies log-uniform, small (inline, encrypted) to multi-MB (files)
KMS_MODES = ("explicit", "default", "managed")  # the key's ARN given, the bucket default, aws/s3
CLOCK_STEP = 302  # seconds the server clock moves after each checkpoint
LOG_KEEP_CYCLES = 3  # transaction log items older than this are pruned at a checkpoint
SNAPSHOTS_KEPT = 8
EXPORTS_KEPT = 3
JOB_TIMEOUT = 120.0

# Maintenance jobs (GSI backfills, purges) and the tables they work on.
MAINTENANCE = ("index", "pitr_off", "recreate")
GSI_TABLE = "crash-gsi"
GSI_BASE_ITEMS = 6000  # written once at setup: enough that a backfill takes a while
GSI_PER_WORKER = 40  # keys each worker puts and deletes (with and without index attributes)
G_VALUES = 12  # g is "g0".."g11" (S)
H_VALUES = 6  # h is 0..5 (N)
INDEXES = {
    # name -> (key schema [(attribute, type, key type)], projection)
    "by-g": ([("g", "S", "HASH")], "ALL"),
    "by-hg": ([("h", "N", "HASH"), ("g", "S", "RANGE")], "KEYS_ONLY"),
}
INDEX_TIMEOUT = 60.0  # an index still CREATING this long after a restart is stuck
PITR_TABLE = "crash-pitr"
PITR_PER_WORKER = 400
REC_TABLE = "crash-recreate"
REC_ITEMS = 2000

# DynamoDB Streams on crash-kv (the server clock moves CLOCK_STEP per cycle, and a shard period
# more every --stream-rollover-every cycles, so shards roll over and records age out).
STREAM_VIEW = "NEW_AND_OLD_IMAGES"
STREAM_RETENTION = 24 * 3600  # seconds of server clock a record stays readable
SHARD_PERIOD = 4 * 3600  # seconds of server clock a shard stays open
STREAM_AT_CHECKS = 4  # earlier records read again by AT_SEQUENCE_NUMBER after each restart
STREAM_REPORTS = 8  # messages of one kind per cycle (every violation is counted)
CFN_MAX_LIVE = 4  # stacks the CloudFormation load keeps (not deleted) at most
CFN_TIMEOUT = 30.0  # a stack still *_IN_PROGRESS this long after a restart is stuck
CFN_SETTLED = ("CREATE_COMPLETE", "ROLLBACK_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "DELETE_COMPLETE")
CFN_UPDATABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")
CFN_ENDS = {  # the statuses an operation of a stack may end in, as AWS shows them
    "create": ("CREATE_COMPLETE", "ROLLBACK_COMPLETE"),
    "update": ("UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"),
    "delete": ("DELETE_COMPLETE",),
}
CFN_LOGICAL = {
    "Table": "AWS::DynamoDB::Table", "Bucket": "AWS::S3::Bucket", "Policy": "AWS::S3::BucketPolicy",
    "Role": "AWS::IAM::Role", "Managed": "AWS::IAM::ManagedPolicy",
}
CFN_PATHS = ("/", "/crash/")  # the stack role's Path: toggling it replaces the role (a new generated name)


def rec_table_spec() -> dict:
    return dict(
        TableName=REC_TABLE,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "gen", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-gen",
            "KeySchema": [{"AttributeName": "gen", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        BillingMode="PAY_PER_REQUEST",
    )


# --------------------------------------------------------------------------------------------
# Outcomes of a request


class Outcome:
    OK = "ok"  # acknowledged
    FAIL = "fail"  # definitely not applied (a 4xx answer, or no connection at all)
    AMBIGUOUS = "amb"  # may or may not have been applied (in flight at the kill, 5xx)


def classify(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return Outcome.AMBIGUOUS if status >= 500 or status == 0 else Outcome.FAIL
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        # The TCP connection was never made: the request never reached the server.
        return Outcome.FAIL
    return Outcome.AMBIGUOUS


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return exc.response.get("Error", {}).get("Code", "?")
    return type(exc).__name__


# --------------------------------------------------------------------------------------------
# Values


def kv_item(pk: str, token: str, rng_len: int) -> dict:
    pad = (token + "|") * (rng_len // (len(token) + 1) + 1)
    return {
        "pk": {"S": pk},
        "v": {"S": token},
        "pad": {"S": pad[:rng_len]},
    }


def gsi_item(pk: str, token: str, g: int | None, h: int | None, pad: int = 0) -> dict:
    """An item of `crash-gsi`: `g` and `h` (the index attributes) each present or not."""
    item = {"pk": {"S": pk}, "v": {"S": token}}
    if g is not None:
        item["g"] = {"S": f"g{g}"}
    if h is not None:
        item["h"] = {"N": str(h)}
    if pad:
        item["pad"] = {"S": ("." * pad)}
    return item


def gsi_key(w: int, i: int) -> str:
    """A worker's key of `crash-gsi`: half sort before the setup's items (`base#…`), so a
    backfill meets them first, half after, so it meets them last."""
    return f"{'a' if i % 2 else 'z'}#gsi#w{w}#{i:02d}"


def base_gsi_item(i: int) -> dict:
    return gsi_item(f"base#{i:05d}", f"base{i}", i % G_VALUES if i % 3 else None, i % H_VALUES if i % 4 else None, pad=40)


def rec_item(pk: str, gen: int, token: str) -> dict:
    return {"pk": {"S": pk}, "gen": {"N": str(gen)}, "v": {"S": token}, "pad": {"S": "r" * 50}}


def index_view(name: str, items: dict) -> dict:
    """What index `name` of `crash-gsi` must hold for the table `items` (pk -> canon):
    pk -> canon(projected item), for the items that have every key attribute of the index."""
    schema, projection = INDEXES[name]
    out = {}
    for pk, raw in items.items():
        item = json.loads(raw)
        if not all(attr in item and typ in item[attr] for attr, typ, _ in schema):
            continue
        if projection == "ALL":
            out[pk] = raw
        else:
            out[pk] = canon({k: item[k] for k in ["pk"] + [a for a, _, _ in schema]})
    return out


def cfn_template(name: str, spec: tuple) -> str:
    """The CloudFormation load's template: table, bucket and bucket policy all named `name`, an
    IAM role and a customer managed policy attached to it, both named by CloudFormation
    (`<stack>-Role-<random>`, `<stack>-Managed-<random>`); `spec` = (PITR on?, GSI `by-g`?, the
    role's Path)."""
    pitr, gsi, path = spec
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    table = {
        "TableName": name,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": pitr},
    }
    if gsi:
        attrs.append({"AttributeName": "g", "AttributeType": "S"})
        table["GlobalSecondaryIndexes"] = [{
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }]
    table["AttributeDefinitions"] = attrs
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "${Bucket.Arn}/*"},
        }],
    }
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}],
    }
    managed = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": {"Fn::GetAtt": ["Table", "Arn"]}}],
    }
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": table},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": name}},
            "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": policy}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": path, "AssumeRolePolicyDocument": trust}},
            "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": managed, "Roles": [{"Ref": "Role"}]}},
        },
        "Outputs": {"TableArn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}}},
    })


def cfn_spec(template) -> tuple | None:
    """The spec of a template GetTemplate answered (botocore decodes JSON itself), or None."""
    if isinstance(template, str):
        try:
            template = json.loads(template)
        except ValueError:
            return None
    try:
        table = template["Resources"]["Table"]["Properties"]
        path = template["Resources"]["Role"]["Properties"].get("Path", "/")
        return (bool(table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]), "GlobalSecondaryIndexes" in table, path)
    except (KeyError, TypeError):
        return None


def canon(item) -> str | None:
    """A comparable form of a low-level DynamoDB item (None for absent)."""
    if item is None:
        return None
    return json.dumps(item, sort_keys=True, separators=(",", ":"))


def sig(raw: str | None) -> str | None:
    """A short digest of a canon item (None for absent): what the stream check keeps of an image."""
    return None if raw is None else hashlib.sha1(raw.encode()).hexdigest()[:20]


def token_of(raw: str | None) -> str:
    """How a kv value (canon item, or None for a delete) is named in messages: its token."""
    if raw is None:
        return "delete"
    item = json.loads(raw)
    return (item.get("v") or item.get("tok") or {}).get("S", "")


@dataclass(frozen=True)
class StreamRecord:
    """One record of crash-kv's stream, as read (the images only as digests)."""

    seq: int
    shard: str
    event_id: str
    event: str  # INSERT, MODIFY, REMOVE
    keys: str  # canon(Keys)
    new: str | None  # sig(canon(NewImage))
    old: str | None  # sig(canon(OldImage))
    created: int  # ApproximateCreationDateTime, epoch seconds
    pk: str = field(compare=False)
    token: str = field(compare=False)  # NewImage's v (or tok), for messages

    @staticmethod
    def parse(shard: str, r: dict) -> "StreamRecord":
        d = r["dynamodb"]
        new, old = d.get("NewImage"), d.get("OldImage")
        created = d.get("ApproximateCreationDateTime")
        if isinstance(created, dt.datetime):
            created = created.timestamp()
        return StreamRecord(
            seq=int(d["SequenceNumber"]), shard=shard, event_id=r["eventID"], event=r["eventName"],
            keys=canon(d.get("Keys")), new=sig(canon(new)), old=sig(canon(old)), created=int(created or 0),
            pk=d.get("Keys", {}).get("pk", {}).get("S", "?"),
            token=token_of(canon(new)) if new is not None else "",
        )

    def state(self) -> str | None:
        """The sig of the item after this record."""
        return None if self.event == "REMOVE" else self.new

    def brief(self) -> str:
        return f"{self.event}{' ' + self.token if self.token else ''} @{self.seq}"


def body_of(token: str, size: int) -> bytes:
    """`size` pseudo-random bytes derived from `token` (fast: one seed, repeated blocks)."""
    seed = hashlib.sha256(token.encode()).digest()
    block = random.Random(seed).randbytes(min(size, 64 * 1024) or 1)
    reps = size // len(block) + 1
    data = (block * reps)[:size]
    # Make every 64 KiB block distinct so a misplaced block changes the MD5.
    if size > len(block):
        parts = bytearray(data)
        for i in range(0, size, len(block)):
            stamp = f"{token}@{i}".encode()
            parts[i : i + len(stamp)] = stamp[: max(0, min(len(stamp), size - i))]
        data = bytes(parts)
    return data


def version_seq(vid: str | None) -> int:
    """The sequence number a strata version id starts with (-1 for any other id)."""
    if vid and re.fullmatch(r"[0-9a-f]{32}", vid):
        return int(vid[:16], 16)
    return -1


def listing_order(entry: tuple) -> tuple:
    """Where a ListObjectVersions entry (key, vid, ...) belongs: by key, newest first."""
    return (entry[0], -version_seq(entry[1]))


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


# --------------------------------------------------------------------------------------------
# The model of what the server must hold


@dataclass
class Register:
    """One key written by one thread at a time: its confirmed value and this cycle's writes."""

    confirmed: object = None  # value after the last verification (None: absent)
    ops: list = field(default_factory=list)  # [(outcome, value)] in issue order

    def record(self, outcome: str, value) -> None:
        if outcome != Outcome.FAIL:
            self.ops.append((outcome, value))

    def possible(self) -> list:
        last_ok = None
        for i, (outcome, _) in enumerate(self.ops):
            if outcome == Outcome.OK:
                last_ok = i
        if last_ok is None:
            values = [self.confirmed]
            rest = self.ops
        else:
            values = [self.ops[last_ok][1]]
            rest = self.ops[last_ok + 1 :]
        values += [v for (o, v) in rest if o == Outcome.AMBIGUOUS]
        return values

    def settle(self, actual) -> None:
        self.confirmed = actual
        self.ops = []


@dataclass
class Version:
    """One version of a key of the versioned bucket: an object (its body's MD5 and size) or a
    delete marker."""

    vid: str | None  # None while unknown (a write in doubt)
    marker: bool
    md5: str | None = None
    size: int = 0
    token: str = ""  # the write's token, for messages

    def brief(self) -> str:
        what = "marker" if self.marker else f"{self.size}B {self.md5}"
        return f"{self.vid or '?'} ({what}{', ' + self.token if self.token else ''})"


@dataclass
class VersionedKey:
    """One key of the versioned bucket, written by one thread: its versions as last verified
    and this cycle's writes."""

    versions: list = field(default_factory=list)  # [Version] oldest first, vids known
    # [(outcome, op, Version or vid)] in issue order; op "put" or "marker" (a new Version,
    # its vid None unless acknowledged), or "remove" (DeleteObject of that VersionId)
    ops: list = field(default_factory=list)

    def record(self, outcome: str, op: str, what) -> None:
        if outcome != Outcome.FAIL:
            self.ops.append((outcome, op, what))

    def live(self) -> list:
        """Versions known to be there now (as far as acknowledged answers tell)."""
        made = [v for o, op, v in self.ops if op != "remove" and o == Outcome.OK and v.vid]
        removing = {vid for _, op, vid in self.ops if op == "remove"}
        return [v for v in self.versions + made if v.vid not in removing]


@dataclass
class Counter:
    n: int = 0
    tok: str = "init"
    acked: list = field(default_factory=list)  # [(new, tok)]
    ambiguous: list = field(default_factory=list)


@dataclass
class Account:
    base_ver: int = 0
    base_bal: int = INITIAL_BALANCE


@dataclass
class Snapshot:
    time: int  # epoch seconds (service time)
    cycle: int
    items: dict  # pk -> canon(item)


@dataclass
class ExportJob:
    cycle: int
    token: str
    prefix: str
    as_of: int | None  # checkpoint time, or None for "now"
    outcome: str = Outcome.AMBIGUOUS
    arn: str | None = None
    status: str | None = None
    items: dict | None = None  # pk -> canon(item), once verified COMPLETED
    data_prefix: str | None = None
    manifest: dict | None = None  # data file key -> b64 md5, for re-verification
    request: dict = field(default_factory=dict)  # the request, for a ClientToken replay
    kms: str | None = None  # the KMS key ARN of an S3SseAlgorithm=KMS export
    replayed: bool = False  # started by the replay after the crash (the first was not recorded)


@dataclass
class ImportJob:
    cycle: int
    token: str
    table: str
    source: ExportJob
    outcome: str = Outcome.AMBIGUOUS
    arn: str | None = None


@dataclass
class RestoreJob:
    cycle: int
    table: str
    as_of: int
    outcome: str = Outcome.AMBIGUOUS


@dataclass
class RecreateJob:
    cycle: int
    old_gen: int
    old_id: str | None
    new_gen: int
    delete: str | None = None  # outcome of DeleteTable (None: not sent)
    create: str | None = None  # outcome of CreateTable
    new_id: str | None = None  # TableId CreateTable answered
    puts: dict = field(default_factory=dict)  # pk -> Register of the new table's items


@dataclass
class CfnStack:
    """A stack of the CloudFormation load (its table and bucket are named like it)."""

    name: str
    cycle: int
    stack_id: str | None = None  # once acknowledged (or found)
    create: str = Outcome.AMBIGUOUS  # CreateStack's outcome
    sent: list = field(default_factory=list)  # every spec sent by Create/UpdateStack (ok or in doubt)
    ops: list = field(default_factory=list)  # this cycle's [(op, outcome, spec or None)], FAIL left out
    seen: tuple | None = None  # (status, spec in effect) read after the last call, if settled
    status: str | None = None  # as last verified (None: never)
    effective: tuple | None = None  # the spec in effect as last known (verified or seen)
    role: str | None = None  # the Role's physical id (its generated name) as last verified
    deleting: bool = False  # a DeleteStack was sent, acknowledged or in doubt

    def known(self) -> str | None:
        """The status as last known (seen during the load, else verified)."""
        return self.seen[0] if self.seen else (None if self.ops else self.status)


class Model:
    def __init__(self, workers: int):
        self.kv = {f"kv#w{w}#{i:03d}": Register() for w in range(workers) for i in range(KV_PER_WORKER)}
        self.counters = {f"ctr#{i}": Counter() for i in range(COUNTERS)}
        self.accounts = {f"acct#{i:02d}": Account() for i in range(ACCOUNTS)}
        self.tx_acked: dict[str, dict] = {}  # txid -> log item (canon) acknowledged this cycle
        self.tx_ambiguous: dict[str, dict] = {}
        self.tx_known: set[str] = set()  # txids whose log item is (or was) in the table
        self.objects = {f"obj/w{w}/{i}": Register() for w in range(workers) for i in range(OBJECTS_PER_WORKER)}
        self.objects.update({f"mpu/w{w}/0": Register() for w in range(min(MPU_WORKERS, workers))})
        self.vkeys = {f"v/w{w}/{s}": VersionedKey() for w in range(workers) for s in VKEYS}
        self.vgone: dict[str, str] = {}  # vid -> key: versions verified gone, never to come back
        # crash-kms: values (md5, size, key ARN); the key and the bucket rule made at setup.
        self.kobjects = {f"k/w{w}/{i}": Register() for w in range(workers) for i in range(KMS_PER_WORKER)}
        self.kobjects.update({f"kmpu/w{w}/0": Register() for w in range(min(MPU_WORKERS, workers))})
        self.kms_key_id: str | None = None
        self.kms_key_arn: str | None = None
        self.kms_rule: dict | None = None  # crash-kms's default encryption rule, as put
        self.aws_s3_arn: str | None = None  # the account's alias/aws/s3 key
        self.kms_sealed: tuple[bytes, bytes] | None = None  # (plaintext, CiphertextBlob) of setup
        self.snapshots: list[Snapshot] = []
        self.exports: list[ExportJob] = []  # this cycle's requests
        self.imports: list[ImportJob] = []
        self.restores: list[RestoreJob] = []
        self.completed_exports: list[ExportJob] = []  # verified, kept for imports and re-checks
        # Maintenance: crash-gsi's worker keys and base items, its indexes (name -> present?)
        # and this cycle's index requests [(op, name, outcome)].
        self.gsi = {gsi_key(w, i): Register() for w in range(workers) for i in range(GSI_PER_WORKER)}
        self.gsi_base: dict[str, str] = {}
        self.indexes: dict[str, bool] = {name: False for name in INDEXES}
        self.index_ops: list = []
        self.index_skew: dict[str, int] = {}  # ItemCount minus the items with the key, as last reported
        # crash-pitr's keys (all owned by workers), and this cycle's disable.
        self.pitr = {f"pitr#w{w}#{i:03d}": Register() for w in range(workers) for i in range(PITR_PER_WORKER)}
        self.pitr_off: str | None = None  # an Outcome, "not sent", or None when not planned
        # crash-recreate: the generation, TableId and items of the table there now, and this
        # cycle's delete-and-create.
        self.rec_gen = 0
        self.rec_table_id: str | None = None
        self.rec_items: dict = {}
        self.rec_job: RecreateJob | None = None
        # The CloudFormation load's stacks (name -> CfnStack), until verified DELETE_COMPLETE.
        self.stacks: dict[str, CfnStack] = {}
        self.stack_seq = 0
        self.total = INITIAL_BALANCE * ACCOUNTS  # the balances' sum (moves only if a failure was seen)
        self.damaged: set[str] = set()  # accounts whose chain was already reported broken
        self.lock = threading.Lock()


# --------------------------------------------------------------------------------------------
# The server process


def read_line(pipe, timeout: float) -> str:
    """The first line `pipe` gives within `timeout` seconds ('' if none)."""
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(pipe, selectors.EVENT_READ)
    try:
        if not sel.select(timeout):
            return ""
        return pipe.readline().decode(errors="replace")
    finally:
        sel.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary: str, data_dir: Path, config: Path, port: int, log_dir: Path):
        self.binary, self.data_dir, self.config, self.port, self.log_dir = binary, data_dir, config, port, log_dir
        self.endpoint = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.log_path: Path | None = None

    def start(self, label: str, timeout: float = 60.0) -> float:
        """Starts the server; returns the seconds until it answered /_strata/health."""
        self.log_path = self.log_dir / f"server-{label}.log"
        log = open(self.log_path, "wb")
        began = time.monotonic()
        last_error = None
        for attempt in range(20):
            env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "info"))
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), "--config", str(self.config)],
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
            )
            first = read_line(self.proc.stdout, timeout)
            if first.startswith("strata listening on"):
                break
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"strata printed no banner within {timeout}s (log {self.log_path})")
            self.proc.wait()
            last_error = first or f"exit status {self.proc.returncode}"
            # The port may still be held by the previous process's sockets.
            time.sleep(0.25)
        else:
            raise RuntimeError(f"strata did not start: {last_error!r} (log {self.log_path})")
        out = self.proc.stdout
        threading.Thread(target=lambda: [None for _ in out], daemon=True).start()
        while True:
            try:
                with urllib.request.urlopen(self.endpoint + "/_strata/health", timeout=5) as r:
                    r.read()
                return time.monotonic() - began
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"strata exited during start-up (log {self.log_path})")
                if time.monotonic() - began > timeout:
                    raise RuntimeError(f"strata did not become healthy in {timeout}s (log {self.log_path})")
                time.sleep(0.02)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def admin(self, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method="POST" if body is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def service_now(self) -> float:
        now = self.admin("/_strata/clock")["now"]
        m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$", now)
        if not m:
            raise RuntimeError(f"unexpected clock answer {now!r}")
        base = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
        return base.timestamp() + (float(m.group(2)) if m.group(2) else 0.0)


def make_clients(endpoint: str, session: boto3.session.Session, retries: bool = False):
    cfg = botocore.config.Config(
        retries={"total_max_attempts": 4 if retries else 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=120,
        max_pool_connections=4,
        s3={"addressing_style": "path"},
    )
    kw = dict(
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        region_name=REGION,
        endpoint_url=endpoint,
        config=cfg,
    )
    return session.client("dynamodb", **kw), session.client("s3", **kw)


def make_kms_client(endpoint: str, session: boto3.session.Session):
    """A KMS client (the same endpoint), with retries: it is used only while the server is
    quiescent (setup and verification)."""
    cfg = botocore.config.Config(
        retries={"total_max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=60
    )
    return session.client(
        "kms", aws_access_key_id=AKID, aws_secret_access_key=SECRET, region_name=REGION,
        endpoint_url=endpoint, config=cfg,
    )


def make_cfn_client(endpoint: str, session: boto3.session.Session, retries: bool = False):
    """A CloudFormation client (the same endpoint): without retries for the load, with them
    for the verification (the server is quiescent then)."""
    cfg = botocore.config.Config(
        retries={"total_max_attempts": 4 if retries else 1, "mode": "standard"}, connect_timeout=5, read_timeout=120
    )
    return session.client(
        "cloudformation", aws_access_key_id=AKID, aws_secret_access_key=SECRET, region_name=REGION,
        endpoint_url=endpoint, config=cfg,
    )


def make_iam_client(endpoint: str, session: boto3.session.Session):
    """An IAM client (the same endpoint), with retries: it is used only while the server is
    quiescent (verification)."""
    cfg = botocore.config.Config(
        retries={"total_max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=60
    )
    return session.client(
        "iam", aws_access_key_id=AKID, aws_secret_access_key=SECRET, region_name=REGION,
        endpoint_url=endpoint, config=cfg,
    )


def make_streams_client(endpoint: str, session: boto3.session.Session):
    """A DynamoDB Streams client (the same endpoint), with retries: it is used only while the
    server is quiescent."""
    cfg = botocore.config.Config(
        retries={"total_max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=120
    )
    return session.client(
        "dynamodbstreams", aws_access_key_id=AKID, aws_secret_access_key=SECRET, region_name=REGION,
        endpoint_url=endpoint, config=cfg,
    )


# --------------------------------------------------------------------------------------------
# The load


class Journal:
    """Every request of a cycle, for the evidence of a failure."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: list[dict] = []

    def add(self, **entry) -> None:
        with self.lock:
            self.entries.append(entry)

    def dump(self, path: Path) -> None:
        with open(path, "w") as f:
            for e in self.entries:
                f.write(json.dumps(e, default=str) + "\n")


class Load:
    def __init__(self, harness: "Harness", cycle: int):
        self.h = harness
        self.m = harness.model
        self.cycle = cycle
        self.killing = threading.Event()
        self.in_flight = 0
        self.in_flight_lock = threading.Lock()
        self.in_flight_at_kill = 0
        self.counts: dict[str, int] = {}
        self.failures: list[str] = []
        self.bad_snapshots = 0
        self.kill_at: float | None = None  # set by the jobs thread to aim the kill at a job
        self.kill_aimed_at: str | None = None
        self.maint: set = set()  # this cycle's maintenance jobs (their tables get more writes)
        self.cfn_aim: str | None = None  # the kind of stack call the kill is to aim at
        self.cfn_aim_delay = 0.0
        self.journal = Journal()

    # One request, with its outcome recorded.
    def call(self, w, kind, key, fn, **info):
        with self.in_flight_lock:
            self.in_flight += 1
        t0 = time.time()
        try:
            result = fn()
            outcome, code = Outcome.OK, None
        except Exception as exc:  # noqa: BLE001 - every failure is classified
            result, outcome, code = exc, classify(exc), error_code(exc)
        finally:
            with self.in_flight_lock:
                self.in_flight -= 1
        self.journal.add(c=self.cycle, w=w, op=kind, key=key, t0=t0, t1=time.time(), out=outcome, err=code, **info)
        with self.in_flight_lock:
            k = f"{kind}:{outcome}"
            self.counts[k] = self.counts.get(k, 0) + 1
        return outcome, result

    def worker(self, w: int, ddb, s3, seed: int) -> None:
        rng = random.Random(seed)
        seq = 0
        ops = [
            ("put", 30), ("delete", 6), ("counter", 18), ("transfer", 18), ("txget", 3),
            ("s3put", 14), ("s3delete", 2), ("mpu", 3 if w < MPU_WORKERS else 0),
            ("vput", 10), ("vmarker", 2), ("vremove", 3),
            ("kput", 8), ("kdelete", 2), ("kmpu", 2 if w < MPU_WORKERS else 0),
            # The maintenance jobs' tables: a little every cycle, much more while a job works
            # on them (so backfills and purges race item writes).
            ("gsiput", 30 if "index" in self.maint else 4), ("gsidelete", 6 if "index" in self.maint else 1),
            ("pitrput", 120 if "pitr_off" in self.maint else 4), ("pitrdelete", 24 if "pitr_off" in self.maint else 1),
        ]
        names = [o for o, wt in ops for _ in range(wt)]
        while not self.killing.is_set():
            seq += 1
            token = f"c{self.cycle}.w{w}.{seq}"
            op = rng.choice(names)
            try:
                getattr(self, "op_" + op)(w, ddb, s3, rng, token)
            except Exception:  # noqa: BLE001 - a harness bug must not look like a server bug
                if not self.killing.is_set():
                    self.failures.append(f"harness error in worker {w}: {traceback.format_exc()}")
                    return

    def op_put(self, w, ddb, s3, rng, token):
        pk = f"kv#w{w}#{rng.randrange(KV_PER_WORKER):03d}"
        item = kv_item(pk, token, rng.choice([0, 10, 100, 1000, 3000]))
        outcome, _ = self.call(w, "PutItem", pk, lambda: ddb.put_item(TableName=TABLE, Item=item), v=token)
        self.m.kv[pk].record(outcome, canon(item))

    def op_delete(self, w, ddb, s3, rng, token):
        pk = f"kv#w{w}#{rng.randrange(KV_PER_WORKER):03d}"
        outcome, _ = self.call(w, "DeleteItem", pk, lambda: ddb.delete_item(TableName=TABLE, Key={"pk": {"S": pk}}))
        self.m.kv[pk].record(outcome, None)

    def op_gsiput(self, w, ddb, s3, rng, token):
        pk = gsi_key(w, rng.randrange(GSI_PER_WORKER))
        g = rng.randrange(G_VALUES) if rng.random() < 0.75 else None
        h = rng.randrange(H_VALUES) if rng.random() < 0.6 else None
        item = gsi_item(pk, token, g, h)
        outcome, _ = self.call(w, "PutItem", pk, lambda: ddb.put_item(TableName=GSI_TABLE, Item=item), v=token)
        self.m.gsi[pk].record(outcome, canon(item))

    def op_gsidelete(self, w, ddb, s3, rng, token):
        pk = gsi_key(w, rng.randrange(GSI_PER_WORKER))
        outcome, _ = self.call(w, "DeleteItem", pk, lambda: ddb.delete_item(TableName=GSI_TABLE, Key={"pk": {"S": pk}}))
        self.m.gsi[pk].record(outcome, None)

    def op_pitrput(self, w, ddb, s3, rng, token):
        pk = f"pitr#w{w}#{rng.randrange(PITR_PER_WORKER):03d}"
        item = kv_item(pk, token, rng.choice([0, 10, 100]))
        outcome, _ = self.call(w, "PutItem", pk, lambda: ddb.put_item(TableName=PITR_TABLE, Item=item), v=token)
        self.m.pitr[pk].record(outcome, canon(item))

    def op_pitrdelete(self, w, ddb, s3, rng, token):
        pk = f"pitr#w{w}#{rng.randrange(PITR_PER_WORKER):03d}"
        outcome, _ = self.call(w, "DeleteItem", pk, lambda: ddb.delete_item(TableName=PITR_TABLE, Key={"pk": {"S": pk}}))
        self.m.pitr[pk].record(outcome, None)

    def op_counter(self, w, ddb, s3, rng, token):
        pk = f"ctr#{rng.randrange(COUNTERS)}"
        outcome, got = self.call(
            w, "GetItem", pk, lambda: ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}}, ConsistentRead=True)
        )
        if outcome != Outcome.OK or "Item" not in got:
            return
        old = int(got["Item"]["n"]["N"])
        new = old + 1
        outcome, res = self.call(
            w,
            "UpdateItem",
            pk,
            lambda: ddb.update_item(
                TableName=TABLE,
                Key={"pk": {"S": pk}},
                UpdateExpression="SET n = :new, tok = :tok",
                ConditionExpression="n = :old",
                ExpressionAttributeValues={":new": {"N": str(new)}, ":old": {"N": str(old)}, ":tok": {"S": token}},
                ReturnValues="UPDATED_NEW",
            ),
            v=new,
            tok=token,
        )
        c = self.m.counters[pk]
        with self.m.lock:
            if outcome == Outcome.OK:
                returned = int(res["Attributes"]["n"]["N"])
                if returned != new:
                    self.failures.append(f"{pk}: UpdateItem acknowledged n={new} but returned {returned}")
                c.acked.append((new, token))
            elif outcome == Outcome.AMBIGUOUS:
                c.ambiguous.append((new, token))

    def op_transfer(self, w, ddb, s3, rng, token):
        a, b = rng.sample(sorted(self.m.accounts), 2)
        outcome, got = self.call(
            w,
            "TransactGetItems",
            f"{a},{b}",
            lambda: ddb.transact_get_items(
                TransactItems=[{"Get": {"TableName": TABLE, "Key": {"pk": {"S": k}}}} for k in (a, b)]
            ),
        )
        if outcome != Outcome.OK:
            return
        (ia, ib) = [r.get("Item") for r in got["Responses"]]
        if ia is None or ib is None:
            self.failures.append(f"transfer: account {a} or {b} missing during the load")
            return
        va, vb = int(ia["ver"]["N"]), int(ib["ver"]["N"])
        amount = rng.randint(1, 50)
        txid = token
        log = {
            "pk": {"S": f"log#{txid}"},
            "src": {"S": a},
            "dst": {"S": b},
            "amt": {"N": str(amount)},
            "sv": {"N": str(va)},
            "dv": {"N": str(vb)},
            "cyc": {"N": str(self.cycle)},
        }

        def move(k, ver, sign):
            return {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": k}},
                    "UpdateExpression": f"SET bal = bal {sign} :amt, ver = ver + :one",
                    "ConditionExpression": "ver = :ver",
                    "ExpressionAttributeValues": {":amt": {"N": str(amount)}, ":one": {"N": "1"}, ":ver": {"N": str(ver)}},
                }
            }

        items = [
            move(a, va, "-"),
            move(b, vb, "+"),
            {"Put": {"TableName": TABLE, "Item": log, "ConditionExpression": "attribute_not_exists(pk)"}},
        ]
        outcome, _ = self.call(w, "TransactWriteItems", txid, lambda: ddb.transact_write_items(TransactItems=items), v=f"{a}->{b}:{amount}")
        with self.m.lock:
            if outcome == Outcome.OK:
                self.m.tx_acked[txid] = canon(log)
            elif outcome == Outcome.AMBIGUOUS:
                self.m.tx_ambiguous[txid] = canon(log)

    def op_txget(self, w, ddb, s3, rng, token):
        keys = sorted(self.m.accounts)
        outcome, got = self.call(
            w,
            "TransactGetItems",
            "accounts",
            lambda: ddb.transact_get_items(
                TransactItems=[{"Get": {"TableName": TABLE, "Key": {"pk": {"S": k}}}} for k in keys]
            ),
        )
        if outcome == Outcome.OK:
            total = sum(int(r["Item"]["bal"]["N"]) for r in got["Responses"] if "Item" in r)
            if total != self.m.total:
                with self.in_flight_lock:
                    self.bad_snapshots += 1
                    if self.bad_snapshots == 1:
                        self.failures.append(f"TransactGetItems snapshot of the accounts sums to {total}, not {self.m.total}")

    def op_s3put(self, w, ddb, s3, rng, token):
        key = f"obj/w{w}/{rng.randrange(OBJECTS_PER_WORKER)}"
        size = int(math.exp(rng.uniform(math.log(1024), math.log(2 * MIB))))
        body = body_of(token, size)
        digest = md5_hex(body)
        outcome, res = self.call(w, "PutObject", key, lambda: s3.put_object(Bucket=BUCKET, Key=key, Body=body), size=size, md5=digest)
        if outcome == Outcome.OK and res["ETag"].strip('"') != digest:
            self.failures.append(f"PutObject {key}: ETag {res['ETag']} is not the MD5 {digest} of the body sent")
        self.m.objects[key].record(outcome, (digest, size))

    def op_s3delete(self, w, ddb, s3, rng, token):
        key = f"obj/w{w}/{rng.randrange(OBJECTS_PER_WORKER)}"
        outcome, _ = self.call(w, "DeleteObject", key, lambda: s3.delete_object(Bucket=BUCKET, Key=key))
        self.m.objects[key].record(outcome, None)

    def op_mpu(self, w, ddb, s3, rng, token):
        key = f"mpu/w{w}/0"
        outcome, res = self.call(w, "CreateMultipartUpload", key, lambda: s3.create_multipart_upload(Bucket=BUCKET, Key=key))
        if outcome != Outcome.OK:
            return
        upload = res["UploadId"]
        nparts = rng.randint(1, 2)
        sizes = [5 * MIB] * (nparts - 1) + [int(math.exp(rng.uniform(math.log(1024), math.log(2 * MIB))))]
        whole = body_of(token, sum(sizes))
        parts, offset = [], 0
        for n, size in enumerate(sizes, start=1):
            chunk = whole[offset : offset + size]
            offset += size
            if self.killing.is_set():
                return
            outcome, res = self.call(
                w, "UploadPart", key, lambda: s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=n, Body=chunk), part=n
            )
            if outcome != Outcome.OK:
                return
            parts.append({"PartNumber": n, "ETag": res["ETag"]})
        if self.killing.is_set():
            return
        outcome, _ = self.call(
            w,
            "CompleteMultipartUpload",
            key,
            lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}),
            size=len(whole),
            md5=md5_hex(whole),
        )
        self.m.objects[key].record(outcome, (md5_hex(whole), len(whole)))

    # The SSE-KMS bucket: each write names the customer key, relies on the bucket default or
    # asks for aws:kms alone (the account's aws/s3 key); its answer must say which key.
    def kms_mode(self, rng) -> tuple[dict, str]:
        """The SSE arguments of a write to crash-kms and the ARN of the key it must get."""
        mode = rng.choice(KMS_MODES)
        if mode == "explicit":
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.m.kms_key_arn}, self.m.kms_key_arn
        if mode == "default":
            return {}, self.m.kms_key_arn
        return {"ServerSideEncryption": "aws:kms"}, self.m.aws_s3_arn

    def check_kms_answer(self, op: str, key: str, sse: dict, res: dict, arn: str) -> None:
        got = (res.get("ServerSideEncryption"), res.get("SSEKMSKeyId"))
        if got != ("aws:kms", arn):
            self.failures.append(
                f"{op} s3://{KBUCKET}/{key} ({sse or 'bucket default'}) answered encryption {got}, not ('aws:kms', {arn!r})"
            )

    def op_kput(self, w, ddb, s3, rng, token):
        key = f"k/w{w}/{rng.randrange(KMS_PER_WORKER)}"
        size = int(math.exp(rng.uniform(math.log(KSIZE[0]), math.log(KSIZE[1]))))
        body = body_of(token, size)
        digest = md5_hex(body)
        sse, arn = self.kms_mode(rng)
        outcome, res = self.call(
            w, "PutObject", key, lambda: s3.put_object(Bucket=KBUCKET, Key=key, Body=body, **sse),
            bucket=KBUCKET, size=size, md5=digest, kms=arn,
        )
        if outcome == Outcome.OK:
            self.check_kms_answer("PutObject", key, sse, res, arn)
        self.m.kobjects[key].record(outcome, (digest, size, arn))

    def op_kdelete(self, w, ddb, s3, rng, token):
        key = f"k/w{w}/{rng.randrange(KMS_PER_WORKER)}"
        outcome, _ = self.call(w, "DeleteObject", key, lambda: s3.delete_object(Bucket=KBUCKET, Key=key), bucket=KBUCKET)
        self.m.kobjects[key].record(outcome, None)

    def op_kmpu(self, w, ddb, s3, rng, token):
        key = f"kmpu/w{w}/0"
        sse, arn = self.kms_mode(rng)
        outcome, res = self.call(
            w, "CreateMultipartUpload", key, lambda: s3.create_multipart_upload(Bucket=KBUCKET, Key=key, **sse),
            bucket=KBUCKET, kms=arn,
        )
        if outcome != Outcome.OK:
            return
        self.check_kms_answer("CreateMultipartUpload", key, sse, res, arn)
        upload = res["UploadId"]
        nparts = rng.randint(1, 2)
        sizes = [5 * MIB] * (nparts - 1) + [int(math.exp(rng.uniform(math.log(1024), math.log(MIB))))]
        whole = body_of(token, sum(sizes))
        parts, offset = [], 0
        for n, size in enumerate(sizes, start=1):
            chunk = whole[offset : offset + size]
            offset += size
            if self.killing.is_set():
                return
            outcome, res = self.call(
                w, "UploadPart", key,
                lambda: s3.upload_part(Bucket=KBUCKET, Key=key, UploadId=upload, PartNumber=n, Body=chunk),
                bucket=KBUCKET, part=n,
            )
            if outcome != Outcome.OK:
                return
            parts.append({"PartNumber": n, "ETag": res["ETag"]})
        if self.killing.is_set():
            return
        outcome, res = self.call(
            w, "CompleteMultipartUpload", key,
            lambda: s3.complete_multipart_upload(Bucket=KBUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}),
            bucket=KBUCKET, size=len(whole), md5=md5_hex(whole), kms=arn,
        )
        if outcome == Outcome.OK:
            self.check_kms_answer("CompleteMultipartUpload", key, sse, res, arn)
        self.m.kobjects[key].record(outcome, (md5_hex(whole), len(whole), arn))

    # The versioned bucket: puts and delete markers make versions, a DeleteObject with a
    # VersionId removes one for good.
    def op_vput(self, w, ddb, s3, rng, token):
        key = f"v/w{w}/{rng.choice(VKEYS)}"
        size = int(math.exp(rng.uniform(math.log(VSIZE[0]), math.log(VSIZE[1]))))
        body = body_of(token, size)
        digest = md5_hex(body)
        outcome, res = self.call(
            w, "PutObject", key, lambda: s3.put_object(Bucket=VBUCKET, Key=key, Body=body), bucket=VBUCKET, size=size, md5=digest
        )
        version = Version(None, False, digest, size, token)
        if outcome == Outcome.OK:
            version.vid = res.get("VersionId")
            self.journal.add(c=self.cycle, w=w, op="PutObject answered", key=key, vid=version.vid)
            if res["ETag"].strip('"') != digest:
                self.failures.append(f"PutObject s3://{VBUCKET}/{key}: ETag {res['ETag']} is not the MD5 {digest} of the body sent")
            if not version.vid or version.vid == "null":
                self.failures.append(f"PutObject s3://{VBUCKET}/{key} (versioning Enabled) answered VersionId {version.vid!r}")
                version.vid, outcome = None, Outcome.AMBIGUOUS  # matched by its body instead
        self.m.vkeys[key].record(outcome, "put", version)

    def op_vmarker(self, w, ddb, s3, rng, token):
        key = f"v/w{w}/{rng.choice(VKEYS)}"
        outcome, res = self.call(w, "DeleteObject", key, lambda: s3.delete_object(Bucket=VBUCKET, Key=key), bucket=VBUCKET)
        version = Version(None, True, token=token)
        if outcome == Outcome.OK:
            version.vid = res.get("VersionId")
            self.journal.add(c=self.cycle, w=w, op="DeleteObject answered", key=key, vid=version.vid, marker=res.get("DeleteMarker"))
            if not version.vid or version.vid == "null" or res.get("DeleteMarker") is not True:
                self.failures.append(
                    f"DeleteObject s3://{VBUCKET}/{key} (versioning Enabled) answered VersionId {version.vid!r}, "
                    f"DeleteMarker {res.get('DeleteMarker')!r}: not a new delete marker"
                )
                version.vid, outcome = None, Outcome.AMBIGUOUS
        self.m.vkeys[key].record(outcome, "marker", version)

    def op_vremove(self, w, ddb, s3, rng, token):
        mine = [k for k in (f"v/w{w}/{s}" for s in VKEYS) if self.m.vkeys[k].live()]
        if not mine:
            return self.op_vput(w, ddb, s3, rng, token)
        key = rng.choice(mine)
        live = self.m.vkeys[key].live()
        # Often the newest (the one before it becomes current again), else any.
        target = live[-1] if rng.random() < 0.5 else rng.choice(live)
        outcome, res = self.call(
            w, "DeleteObject", key, lambda: s3.delete_object(Bucket=VBUCKET, Key=key, VersionId=target.vid),
            bucket=VBUCKET, vid=target.vid, marker=target.marker,
        )
        if outcome == Outcome.OK and (res.get("VersionId") != target.vid or bool(res.get("DeleteMarker")) != target.marker):
            self.failures.append(
                f"DeleteObject s3://{VBUCKET}/{key} VersionId {target.brief()} answered VersionId {res.get('VersionId')!r}, "
                f"DeleteMarker {res.get('DeleteMarker')!r}"
            )
        self.m.vkeys[key].record(outcome, "remove", target.vid)

    # CloudFormation: one thread creates, updates and deletes stacks for the whole load.
    def cfn_load(self, cfn, rng: random.Random) -> None:
        # Sometimes the kill aims at the first call of one kind, 0–300 ms after it is sent (half
        # the time within 60 ms: a stack's job takes some 30–200 ms, so the kill lands inside it).
        self.cfn_aim = rng.choice(sorted(CFN_ENDS)) if rng.random() < self.h.args.cfn_kill else None
        self.cfn_aim_delay = rng.uniform(0.0, 0.06 if rng.random() < 0.5 else 0.3)
        while not self.killing.is_set():
            try:
                self.cfn_step(cfn, rng)
            except Exception:  # noqa: BLE001
                if not self.killing.is_set():
                    self.failures.append(f"harness error in the CloudFormation load: {traceback.format_exc()}")
                return
            if self.killing.wait(rng.uniform(0.0, 0.05)):
                return

    def cfn_aim_at(self, op: str, what: str = "") -> None:
        """Called as a stack call `op` is about to be sent: aims the kill at it if planned."""
        if self.cfn_aim == op and self.kill_at is None and not self.maint:
            self.kill_at = time.monotonic() + self.cfn_aim_delay
            self.kill_aimed_at = f"stack {op}{' ' + what if what else ''}"
        if self.cfn_aim == op:
            self.cfn_aim = None

    def cfn_step(self, cfn, rng) -> None:
        m = self.m
        live = [st for st in m.stacks.values() if not st.deleting and st.stack_id]
        rolled = [st for st in live if st.known() == "ROLLBACK_COMPLETE"]
        updatable = [st for st in live if st.known() in CFN_UPDATABLE and st.effective is not None]
        if rolled:
            return self.cfn_delete(cfn, rolled[0])
        if len(live) < CFN_MAX_LIVE and (not updatable or rng.random() < 0.4):
            return self.cfn_create(cfn, rng)
        if live and (not updatable or rng.random() < 0.25):
            return self.cfn_delete(cfn, rng.choice(live))
        if updatable:
            return self.cfn_update(cfn, rng, rng.choice(updatable))

    def cfn_create(self, cfn, rng) -> None:
        m = self.m
        with m.lock:
            m.stack_seq += 1
            name = f"crash-cfn-c{self.cycle}-{m.stack_seq}"
        spec = (rng.random() < 0.7, rng.random() < 0.3, rng.choice(CFN_PATHS))
        st = CfnStack(name=name, cycle=self.cycle, sent=[spec])
        m.stacks[name] = st
        self.cfn_aim_at("create")
        outcome, res = self.call(
            "cfn", "CreateStack", name,
            lambda: cfn.create_stack(StackName=name, TemplateBody=cfn_template(name, spec), Capabilities=["CAPABILITY_IAM"]),
            spec=spec,
        )
        st.create = outcome
        if outcome == Outcome.FAIL:
            del m.stacks[name]
            if isinstance(res, botocore.exceptions.ClientError):
                self.failures.append(f"CreateStack {name} refused: {res}")
            return
        st.ops.append(("create", outcome, spec))
        if outcome == Outcome.OK:
            st.stack_id = res["StackId"]
            self.cfn_observe(cfn, st, "create", spec, None)

    def cfn_update(self, cfn, rng, st: CfnStack) -> None:
        before = st.effective
        # Toggle one of PITR, the GSI and the role's Path (which replaces the role).
        toggle = rng.randrange(3)
        spec = (
            before[0] != (toggle == 0),
            before[1] != (toggle == 1),
            before[2] if toggle != 2 else CFN_PATHS[1 - CFN_PATHS.index(before[2])],
        )
        status = st.known()
        self.cfn_aim_at("update", ("pitr", "gsi", "role path")[toggle])
        outcome, res = self.call(
            "cfn", "UpdateStack", st.name,
            lambda: cfn.update_stack(StackName=st.stack_id, TemplateBody=cfn_template(st.name, spec), Capabilities=["CAPABILITY_IAM"]),
            spec=spec, before=before,
        )
        if outcome == Outcome.FAIL:
            if isinstance(res, botocore.exceptions.ClientError):
                self.failures.append(f"UpdateStack {st.name} (seen {status}, {before} -> {spec}) refused: {res}")
            return
        st.sent.append(spec)
        st.ops.append(("update", outcome, spec))
        st.seen = None
        if outcome == Outcome.OK:
            self.cfn_observe(cfn, st, "update", spec, before)

    def cfn_delete(self, cfn, st: CfnStack) -> None:
        status = st.known()
        self.cfn_aim_at("delete")
        outcome, res = self.call("cfn", "DeleteStack", st.name, lambda: cfn.delete_stack(StackName=st.stack_id))
        if outcome == Outcome.FAIL:
            if isinstance(res, botocore.exceptions.ClientError):
                self.failures.append(f"DeleteStack {st.name} (seen {status}) refused: {res}")
            return
        st.deleting = True
        st.ops.append(("delete", outcome, None))
        st.seen = None
        if outcome == Outcome.OK:
            self.cfn_observe(cfn, st, "delete", None, None)

    def cfn_observe(self, cfn, st: CfnStack, op: str, spec, before) -> None:
        """DescribeStacks right after an acknowledged call: a settled status is what the stack
        must still show after the restart (unless a later call is sent). An operation that
        ends otherwise than it should with no kill yet is reported with its events."""
        outcome, res = self.call("cfn", "DescribeStacks", st.name, lambda: cfn.describe_stacks(StackName=st.stack_id))
        if outcome != Outcome.OK:
            return
        status = res["Stacks"][0]["StackStatus"]
        if status.endswith("_IN_PROGRESS"):
            return  # still running (the call waits 10 s at most): unknown until verified
        effective = {"CREATE_COMPLETE": spec, "UPDATE_COMPLETE": spec, "UPDATE_ROLLBACK_COMPLETE": before}.get(status)
        st.seen = (status, effective)
        if effective is not None:
            st.effective = effective
        if status != CFN_ENDS[op][0] and not self.killing.is_set():
            events = self.h.stack_events(st.stack_id, cfn)
            self.failures.append(
                f"stack {st.name}: {op} acknowledged, then {status} with no kill yet "
                f"({res['Stacks'][0].get('StackStatusReason')}); events: {events}"
            )

    # Jobs: at most one of each kind per cycle, at a random moment of the load.
    def jobs(self, ddb, plan: list, duration: float, rng: random.Random) -> None:
        schedule = sorted((rng.uniform(0, duration * 0.9), kind) for kind in plan)
        began = time.monotonic()
        for at, kind in schedule:
            while time.monotonic() - began < at:
                if self.killing.wait(0.01):
                    return
            if self.killing.is_set():
                return
            # Maintenance jobs aim the kill themselves, after their request's answer; when one
            # is planned, the others leave the kill to it.
            if (
                self.kill_at is None
                and kind not in MAINTENANCE
                and not self.maint
                and rng.random() < self.h.args.job_kill
            ):
                # Aim the kill at the job: its request, or its background work right after.
                self.kill_at = time.monotonic() + rng.uniform(0.0, 0.12)
                self.kill_aimed_at = kind
            try:
                getattr(self, "job_" + kind)(ddb, rng)
            except Exception:  # noqa: BLE001
                if not self.killing.is_set():
                    self.failures.append(f"harness error in job {kind}: {traceback.format_exc()}")
                return

    def aim_after(self, kind: str, rng: random.Random, p: float = 1.0) -> None:
        """Aims the kill 0–150 ms after now (a request just answered), so it usually lands
        inside the background work the request recorded."""
        if self.kill_at is None and rng.random() < self.h.args.maintenance_kill * p:
            self.kill_at = time.monotonic() + rng.uniform(0.0, 0.15)
            self.kill_aimed_at = kind

    def job_index(self, ddb, rng):
        """Adds a GSI to crash-gsi (deleting it first if it is there)."""
        name = rng.choice(sorted(INDEXES))
        if self.m.indexes[name]:
            outcome, res = self.call(
                "jobs", "UpdateTable", f"delete {name}",
                lambda: ddb.update_table(TableName=GSI_TABLE, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}]),
            )
            self.m.index_ops.append(("delete", name, outcome))
            if outcome != Outcome.OK:
                if outcome == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
                    self.failures.append(f"UpdateTable deleting index {name} refused: {res}")
                return
        schema, projection = INDEXES[name]
        create = {
            "IndexName": name,
            "KeySchema": [{"AttributeName": a, "KeyType": k} for a, _, k in schema],
            "Projection": {"ProjectionType": projection},
        }
        outcome, res = self.call(
            "jobs", "UpdateTable", f"create {name}",
            lambda: ddb.update_table(
                TableName=GSI_TABLE,
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t, _ in schema],
                GlobalSecondaryIndexUpdates=[{"Create": create}],
            ),
        )
        self.m.index_ops.append(("create", name, outcome))
        if outcome == Outcome.OK:
            self.aim_after("index", rng)
        elif outcome == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
            self.failures.append(f"UpdateTable creating index {name} refused: {res}")

    def job_pitr_off(self, ddb, rng):
        """Disables PITR on crash-pitr (which records a purge of its history)."""
        outcome, res = self.call(
            "jobs", "UpdateContinuousBackups", "disable",
            lambda: ddb.update_continuous_backups(
                TableName=PITR_TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
            ),
        )
        self.m.pitr_off = outcome
        if outcome == Outcome.OK:
            self.aim_after("pitr_off", rng)
        elif outcome == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
            self.failures.append(f"UpdateContinuousBackups disabling PITR refused: {res}")

    def job_recreate(self, ddb, rng):
        """Deletes crash-recreate and creates it again under the same name, then puts items of
        the new generation (only this thread writes that table)."""
        m = self.m
        job = RecreateJob(cycle=self.cycle, old_gen=m.rec_gen, old_id=m.rec_table_id, new_gen=m.rec_gen + 1)
        m.rec_job = job
        job.delete, res = self.call("jobs", "DeleteTable", REC_TABLE, lambda: ddb.delete_table(TableName=REC_TABLE))
        if job.delete != Outcome.OK:
            if job.delete == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
                self.failures.append(f"DeleteTable {REC_TABLE} refused: {res}")
            return
        # Half the time the kill aims at the purge alone, else at the purge and the new table.
        self.aim_after("recreate", rng, p=0.5)
        job.create, res = self.call("jobs", "CreateTable", REC_TABLE, lambda: ddb.create_table(**rec_table_spec()))
        if job.create != Outcome.OK:
            if job.create == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
                self.failures.append(f"CreateTable {REC_TABLE} after its DeleteTable refused: {res}")
            return
        job.new_id = res["TableDescription"].get("TableId")
        self.aim_after("recreate", rng)
        for batch in range(40):
            if self.killing.is_set():
                return
            keys = sorted(rng.sample(range(REC_ITEMS), 25))
            items = {f"r#{i:05d}": rec_item(f"r#{i:05d}", job.new_gen, f"c{self.cycle}.rec.{batch}.{i}") for i in keys}
            outcome, res = self.call(
                "jobs", "BatchWriteItem", REC_TABLE,
                lambda: ddb.batch_write_item(RequestItems={REC_TABLE: [{"PutRequest": {"Item": it}} for it in items.values()]}),
            )
            unprocessed = set()
            if outcome == Outcome.OK:
                for r in (res.get("UnprocessedItems") or {}).get(REC_TABLE, []):
                    unprocessed.add(r["PutRequest"]["Item"]["pk"]["S"])
            for pk, item in items.items():
                reg = job.puts.setdefault(pk, Register())
                reg.record(Outcome.FAIL if pk in unprocessed else outcome, canon(item))

    def job_export_asof(self, ddb, rng):
        self._export(ddb, rng, as_of=self.m.snapshots[-1].time)

    def job_export_now(self, ddb, rng):
        self._export(ddb, rng, as_of=None)

    def _export(self, ddb, rng, as_of):
        token = f"exp-c{self.cycle}-{rng.getrandbits(32):08x}"
        job = ExportJob(cycle=self.cycle, token=token, prefix=f"exp/{token}", as_of=as_of)
        kwargs = dict(TableArn=TABLE_ARN, S3Bucket=BUCKET, S3Prefix=job.prefix, ClientToken=token, ExportFormat="DYNAMODB_JSON")
        if as_of is not None:
            kwargs["ExportTime"] = as_of
        if rng.random() < 0.5:
            # Its files SSE-KMS under the customer key (read back through GetObject, which decrypts).
            job.kms = self.m.kms_key_arn
            kwargs.update(S3SseAlgorithm="KMS", S3SseKmsKeyId=job.kms)
        job.request = kwargs
        self.m.exports.append(job)
        outcome, res = self.call(
            "jobs", "ExportTableToPointInTime", token, lambda: ddb.export_table_to_point_in_time(**kwargs), as_of=as_of, kms=job.kms
        )
        job.outcome = outcome
        if outcome == Outcome.OK:
            job.arn = res["ExportDescription"]["ExportArn"]
        elif outcome == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
            self.failures.append(f"ExportTableToPointInTime {token} refused: {res}")

    def job_import(self, ddb, rng):
        source = rng.choice(self.m.completed_exports)
        token = f"imp-c{self.cycle}-{rng.getrandbits(32):08x}"
        job = ImportJob(cycle=self.cycle, token=token, table=token, source=source)
        self.m.imports.append(job)
        outcome, res = self.call(
            "jobs",
            "ImportTable",
            token,
            lambda: ddb.import_table(
                ClientToken=token,
                S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": source.data_prefix},
                InputFormat="DYNAMODB_JSON",
                InputCompressionType="GZIP",
                TableCreationParameters={
                    "TableName": job.table,
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST",
                },
            ),
            source=source.arn,
        )
        job.outcome = outcome
        if outcome == Outcome.OK:
            job.arn = res["ImportTableDescription"]["ImportArn"]
        elif outcome == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
            self.failures.append(f"ImportTable {token} refused: {res}")

    def job_restore(self, ddb, rng):
        snap = rng.choice(self.m.snapshots)
        name = f"rst-c{self.cycle}-{rng.getrandbits(32):08x}"
        job = RestoreJob(cycle=self.cycle, table=name, as_of=snap.time)
        self.m.restores.append(job)
        outcome, res = self.call(
            "jobs",
            "RestoreTableToPointInTime",
            name,
            lambda: ddb.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName=name, RestoreDateTime=snap.time),
            as_of=snap.time,
        )
        job.outcome = outcome
        if outcome == Outcome.FAIL and isinstance(res, botocore.exceptions.ClientError):
            self.failures.append(f"RestoreTableToPointInTime {name} as of {snap.time} refused: {res}")


# --------------------------------------------------------------------------------------------
# The harness


class Harness:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="strata-crash-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.workdir / "data"
        self.log_dir = self.workdir / "logs"
        self.log_dir.mkdir(exist_ok=True)
        self.evidence_root = Path(args.evidence_dir)
        config = self.workdir / "strata.toml"
        config.write_text(CONFIG)
        # A private copy of the binary: a rebuild during a long soak must not change it.
        binary = os.environ.get("STRATA_BIN") or str(Path(__file__).resolve().parents[2] / "target" / "release" / "strata")
        if not Path(binary).exists():
            raise SystemExit(f"no strata binary at {binary} (set STRATA_BIN)")
        self.binary = self.workdir / "strata"
        shutil.copy2(binary, self.binary)
        self.server = Server(str(self.binary), self.data_dir, config, args.port or free_port(), self.log_dir)
        self.session = boto3.session.Session()
        self.model = Model(args.workers)
        self.clients = [make_clients(self.server.endpoint, self.session) for _ in range(args.workers + 1)]
        self.ddb, self.s3 = make_clients(self.server.endpoint, self.session, retries=True)
        self.vrng = random.Random(args.seed ^ 0x7E55)  # the versioned bucket's checks (not self.rng)
        self.probe = make_clients(self.server.endpoint, self.session)[0]
        self.streams = make_streams_client(self.server.endpoint, self.session)
        self.kms = make_kms_client(self.server.endpoint, self.session)
        self.krng = random.Random(args.seed ^ 0x6B35)  # crash-kms's checks (not self.rng)
        self.stream_arn: str | None = None
        self.stream_prev: dict = {}  # seq -> StreamRecord, the whole stream as last read
        self.stream_last: dict = {}  # kv key -> sig of its state after its last record read
        self.stream_violations: dict[str, int] = {}  # kind -> count
        self.stream_rng = random.Random(args.seed ^ 0x5EED5)  # not drawn from self.rng: seeds keep their load
        self.lost = 0  # acknowledged writes missing or wrong
        self.corrupt = 0  # jobs stuck, or COMPLETED with missing, wrong or partial contents
        self.other = 0  # everything else that is wrong (visibility during the load, restarts)
        self.failed_jobs = 0  # jobs that ended FAILED (allowed after a crash, reported)
        self.resumed = {"export": 0, "import": 0}  # jobs the server resumed at a restart
        self.stale = 0  # versions an "as of" read or a recreated table must never show
        self.backfills_resumed = 0  # indexes found CREATING after a restart (their backfill resumes)
        self.kills_in_backfill = 0  # kills that landed while an index was CREATING
        self.maint_rng = random.Random(self.rng.getrandbits(64))  # choices of the maintenance checks
        self.clock_offset = 0.0  # the server clock offset last acknowledged
        self.cfn = make_cfn_client(self.server.endpoint, self.session, retries=True)
        self.cfn_load_client = make_cfn_client(self.server.endpoint, self.session)
        self.iam = make_iam_client(self.server.endpoint, self.session)
        self.cfn_rng = random.Random(args.seed ^ 0xCF0)  # the CloudFormation load (not self.rng)
        self.cfn_events: dict = {}  # stack name -> its events, for the evidence of a failure
        # Stacks verified, settling after a restart, roles replaced (a new physical id), role
        # replacements in doubt at the kill and how many of them were rolled back.
        self.cfn_totals = {"stacks": 0, "resumed": 0, "replaced": 0, "cut": 0, "cut_rolled_back": 0}

    # ---- helpers ---------------------------------------------------------------------------

    def scan(self, table: str) -> dict:
        items, kwargs = {}, dict(TableName=table, ConsistentRead=True)
        while True:
            page = self.ddb.scan(**kwargs)
            for item in page["Items"]:
                items[item["pk"]["S"]] = canon(item)
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def list_keys(self, prefix: str, bucket: str = BUCKET) -> dict:
        out, kwargs = {}, dict(Bucket=bucket, Prefix=prefix)
        while True:
            page = self.s3.list_objects_v2(**kwargs)
            for o in page.get("Contents", []):
                out[o["Key"]] = o
            if not page.get("IsTruncated"):
                return out
            kwargs["ContinuationToken"] = page["NextContinuationToken"]

    def get_bytes(self, key: str) -> tuple[bytes, str]:
        r = self.s3.get_object(Bucket=BUCKET, Key=key)
        return r["Body"].read(), r["ETag"].strip('"')

    def list_versions(self, page_size: int, bad) -> list:
        """Every version and delete marker of the versioned bucket, in listing order (by key,
        newest first within a key), paged by KeyMarker/VersionIdMarker, `page_size` a page:
        [(key, vid, is_latest, marker, etag, size)]. The SDK hands Versions and DeleteMarkers
        as two lists; each must be in that order, and they are merged by key and version
        sequence (a strata version id starts with it, 16 hex digits). `bad(msg)` reports a
        listing fault."""
        out, kwargs = [], dict(Bucket=VBUCKET, MaxKeys=page_size)
        for _ in range(100000):
            page = self.s3.list_object_versions(**kwargs)
            lists = (
                [(v["Key"], v["VersionId"], v["IsLatest"], False, v["ETag"].strip('"'), v["Size"]) for v in page.get("Versions", [])],
                [(d["Key"], d["VersionId"], d["IsLatest"], True, None, 0) for d in page.get("DeleteMarkers", [])],
            )
            for name, entries in zip(("Versions", "DeleteMarkers"), lists):
                order = [listing_order(e) for e in entries]
                if order != sorted(order):
                    bad(f"ListObjectVersions {name} not by key, newest first: {[e[:2] for e in entries][:8]}")
            entries = sorted(lists[0] + lists[1], key=listing_order)
            if len(entries) > page_size:
                bad(f"ListObjectVersions page of MaxKeys={page_size} listed {len(entries)}")
            if out and entries and listing_order(entries[0]) <= listing_order(out[-1]):
                bad(f"ListObjectVersions page from {kwargs.get('KeyMarker')}/{kwargs.get('VersionIdMarker')} starts at {entries[0][:2]}")
            out += entries
            if not page.get("IsTruncated"):
                return out
            nk, nv = page.get("NextKeyMarker"), page.get("NextVersionIdMarker")
            if not entries or (nk, nv) != entries[-1][:2]:
                bad(f"ListObjectVersions page ends at {entries[-1][:2] if entries else None}, next markers {(nk, nv)}")
                if not nk:
                    return out
            kwargs.update(KeyMarker=nk, VersionIdMarker=nv or "")
        bad("ListObjectVersions never ends")
        return out

    def table_exists(self, name: str) -> dict | None:
        try:
            return self.ddb.describe_table(TableName=name)["Table"]
        except self.ddb.exceptions.ResourceNotFoundException:
            return None

    def batch_write(self, table: str, puts=(), deletes=()) -> None:
        """Quiescent writes (verification, setup): every one must succeed."""
        requests = [{"PutRequest": {"Item": it}} for it in puts]
        requests += [{"DeleteRequest": {"Key": {"pk": {"S": pk}}}} for pk in deletes]
        for i in range(0, len(requests), 25):
            pending = {table: requests[i : i + 25]}
            while pending:
                pending = self.ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None

    def enable_pitr(self, table: str, enabled: bool) -> dict:
        self.ddb.update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled}
        )
        return self.describe_pitr(table)

    def describe_pitr(self, table: str) -> dict:
        d = self.ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        return d["PointInTimeRecoveryDescription"]

    def check_registers(self, regs: dict, table: dict, label: str | None, lost) -> int:
        """Checks keys written by one thread at a time against a scan; returns how many changed.
        `label` (a table's name) prefixes each message; None for the main table, whose keys
        name themselves."""
        changed = 0
        for pk, reg in regs.items():
            actual = table.get(pk)
            possible = reg.possible()
            if actual not in possible:
                acked = [v for o, v in reg.ops if o == Outcome.OK]
                where = f"{label} {pk}" if label else pk
                lost(
                    f"{where}: found {str(actual)[:160]}; expected one of {[str(p)[:160] for p in possible]} "
                    f"({len(acked)} acknowledged writes this cycle, {sum(1 for o, _ in reg.ops if o == Outcome.AMBIGUOUS)} in doubt)"
                )
            if reg.ops:
                changed += 1
            reg.settle(actual)
        return changed

    def query_all(self, **kwargs) -> list:
        items = []
        while True:
            page = self.ddb.query(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def count_all(self, **kwargs) -> int:
        count, kwargs = 0, dict(kwargs, Select="COUNT")
        while True:
            page = self.ddb.scan(**kwargs)
            count += page["Count"]
            if "LastEvaluatedKey" not in page:
                return count
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def create_index(self, name: str) -> None:
        schema, projection = INDEXES[name]
        self.ddb.update_table(
            TableName=GSI_TABLE,
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t, _ in schema],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": name,
                "KeySchema": [{"AttributeName": a, "KeyType": k} for a, _, k in schema],
                "Projection": {"ProjectionType": projection},
            }}],
        )

    def delete_table(self, name: str) -> None:
        try:
            self.ddb.delete_table(TableName=name)
        except self.ddb.exceptions.ResourceNotFoundException:
            pass

    def diff(self, expected: dict, actual: dict, limit: int = 5) -> str:
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        wrong = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
        parts = [f"{len(expected)} expected, {len(actual)} found"]
        if missing:
            parts.append(f"missing {len(missing)}: {missing[:limit]}")
        if extra:
            parts.append(f"unexpected {len(extra)}: {extra[:limit]}")
        if wrong:
            k = wrong[0]
            parts.append(f"different {len(wrong)}: {wrong[:limit]} (e.g. {k}: expected {expected[k][:200]} found {actual[k][:200]})")
        return "; ".join(parts)

    # ---- setup -------------------------------------------------------------------------------

    def setup(self) -> None:
        self.server.start("setup")
        ddb, s3 = self.ddb, self.s3
        s3.create_bucket(Bucket=BUCKET)
        s3.create_bucket(Bucket=VBUCKET)
        s3.put_bucket_versioning(Bucket=VBUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.setup_kms()
        created = ddb.create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": STREAM_VIEW},
        )["TableDescription"]
        self.stream_arn = created.get("LatestStreamArn")
        if not self.stream_arn:
            raise RuntimeError(f"CreateTable {TABLE} with a stream answered no LatestStreamArn: {created}")
        ddb.update_continuous_backups(
            TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        for pk in self.model.counters:
            ddb.put_item(TableName=TABLE, Item={"pk": {"S": pk}, "n": {"N": "0"}, "tok": {"S": "init"}})
        for pk in self.model.accounts:
            ddb.put_item(TableName=TABLE, Item={"pk": {"S": pk}, "bal": {"N": str(INITIAL_BALANCE)}, "ver": {"N": "0"}})
        self.setup_maintenance()
        # The checkpoint must follow the enable instant by a second at least (whole seconds).
        time.sleep(1.1)
        self.checkpoint(0, [])

    def setup_kms(self) -> None:
        """A customer managed KMS key and crash-kms, encrypted by default under it (named by its
        ARN or its bare id, by the seed); the account's aws/s3 key (DescribeKey makes it); a
        ciphertext under the key, which must decrypt after every restart."""
        m, kms = self.model, self.kms
        meta = kms.create_key(Description="strata crash harness SSE-KMS key")["KeyMetadata"]
        m.kms_key_id, m.kms_key_arn = meta["KeyId"], meta["Arn"]
        self.s3.create_bucket(Bucket=KBUCKET)
        m.kms_rule = {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": m.kms_key_arn if self.args.seed % 2 else m.kms_key_id,
            },
        }
        self.s3.put_bucket_encryption(Bucket=KBUCKET, ServerSideEncryptionConfiguration={"Rules": [m.kms_rule]})
        m.aws_s3_arn = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]
        plain = f"sealed at setup, seed {self.args.seed}".encode()
        m.kms_sealed = (plain, kms.encrypt(KeyId=m.kms_key_id, Plaintext=plain)["CiphertextBlob"])

    def setup_maintenance(self) -> None:
        """The tables the maintenance jobs work on."""
        m, ddb = self.model, self.ddb
        key_only = dict(
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        # crash-gsi: thousands of items, starting with one index.
        ddb.create_table(TableName=GSI_TABLE, **key_only)
        base = [base_gsi_item(i) for i in range(GSI_BASE_ITEMS)]
        self.batch_write(GSI_TABLE, puts=base)
        m.gsi_base = {it["pk"]["S"]: canon(it) for it in base}
        self.create_index("by-g")
        deadline = time.monotonic() + INDEX_TIMEOUT
        while any(g["IndexStatus"] != "ACTIVE" for g in self.ddb.describe_table(TableName=GSI_TABLE)["Table"]["GlobalSecondaryIndexes"]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"index by-g of {GSI_TABLE} not ACTIVE {INDEX_TIMEOUT}s after setup")
            time.sleep(0.05)
        m.indexes["by-g"] = True
        # crash-pitr: PITR on, every key there (so its history is there to purge).
        ddb.create_table(TableName=PITR_TABLE, **key_only)
        self.enable_pitr(PITR_TABLE, True)
        items = [kv_item(pk, f"init.{pk}", 10) for pk in m.pitr]
        self.batch_write(PITR_TABLE, puts=items)
        for it in items:
            m.pitr[it["pk"]["S"]].settle(canon(it))
        # crash-recreate: generation 1.
        self.fill_recreate(None, 1)

    def fill_recreate(self, table: dict | None, gen: int) -> None:
        """Creates crash-recreate (generation `gen`) if `table` is None, then puts every key not
        of that generation; the model then holds the table as it is."""
        m = self.model
        if table is None:
            table = self.ddb.create_table(**rec_table_spec())["TableDescription"]
            self.wait_active(REC_TABLE)
        have = self.scan(REC_TABLE)
        items = [
            rec_item(pk, gen, f"fill.g{gen}.{pk}")
            for pk in (f"r#{i:05d}" for i in range(REC_ITEMS))
            if pk not in have or json.loads(have[pk])["gen"]["N"] != str(gen)
        ]
        strays = [pk for pk in have if not re.fullmatch(r"r#\d{5}", pk) or int(pk[2:]) >= REC_ITEMS]
        self.batch_write(REC_TABLE, puts=items, deletes=strays)
        m.rec_gen, m.rec_table_id, m.rec_items = gen, table.get("TableId"), self.scan(REC_TABLE)

    # ---- one cycle -------------------------------------------------------------------------

    def job_plan(self, cycle: int) -> list:
        every = self.args.jobs_every
        plan = []
        if cycle % every == 0:
            plan.append("export_asof" if (cycle // every) % 2 == 0 else "export_now")
        if cycle % every == 1 % every and self.model.completed_exports:
            plan.append("import")
        if cycle % (every + 1) == 2 % (every + 1):
            plan.append("restore")
        a = self.args
        if a.index_every and cycle % a.index_every == 0:
            plan.append("index")
        if a.pitr_off_every and cycle % a.pitr_off_every == 2 % a.pitr_off_every:
            plan.append("pitr_off")
        if a.recreate_every and cycle % a.recreate_every == 4 % a.recreate_every:
            plan.append("recreate")
        return plan

    def run_cycle(self, cycle: int) -> dict:
        t_start = time.monotonic()
        duration = self.rng.uniform(self.args.min_load, self.args.max_load)
        load = Load(self, cycle)
        self.load = load
        plan = self.job_plan(cycle)
        load.maint = {k for k in plan if k in MAINTENANCE}
        m = self.model
        m.index_ops, m.rec_job = [], None
        m.pitr_off = "not sent" if "pitr_off" in plan else None
        threads = []
        for w in range(self.args.workers):
            ddb, s3 = self.clients[w]
            threads.append(threading.Thread(target=load.worker, args=(w, ddb, s3, self.rng.getrandbits(64)), daemon=True))
        jobs_rng = random.Random(self.rng.getrandbits(64))
        threads.append(threading.Thread(target=load.jobs, args=(self.clients[-1][0], plan, duration, jobs_rng), daemon=True))
        cfn_rng = random.Random(self.cfn_rng.getrandbits(64))
        if self.args.cfn_every and cycle % self.args.cfn_every == 0:
            threads.append(threading.Thread(target=load.cfn_load, args=(self.cfn_load_client, cfn_rng), daemon=True))
        for t in threads:
            t.start()
        load_began = time.monotonic()
        deadline = load_began + duration
        while True:
            now = time.monotonic()
            target = deadline if load.kill_at is None else min(deadline, load.kill_at)
            if now >= target:
                break
            time.sleep(min(target - now, 0.005))
        load.killing.set()
        load_time = time.monotonic() - load_began
        if load.kill_aimed_at == "index":
            # Did the kill land inside the backfill? (A few ms, before the kill.)
            try:
                t = self.probe.describe_table(TableName=GSI_TABLE)["Table"]
                if any(g["IndexStatus"] == "CREATING" for g in t.get("GlobalSecondaryIndexes", [])):
                    load.kill_aimed_at += ", CREATING at the kill"
                    self.kills_in_backfill += 1
            except Exception:  # noqa: BLE001 - only a statistic
                pass
        with load.in_flight_lock:
            load.in_flight_at_kill = load.in_flight
        self.server.kill()
        for t in threads:
            t.join(timeout=180)
            if t.is_alive():
                load.failures.append("a load thread did not stop after the kill")
        # Evidence: the database as the kill left it, before recovery touches it.
        pre = self.workdir / "pre-restart"
        if self.args.keep_pre_restart:
            shutil.rmtree(pre, ignore_errors=True)
            shutil.copytree(self.data_dir / "db", pre / "db")
            objs = sorted(str(p.relative_to(self.data_dir)) for p in (self.data_dir / "objects").rglob("*") if p.is_file())
            (pre / "objects.txt").write_text("\n".join(objs) + "\n")
        if load.bad_snapshots > 1:
            load.failures.append(f"({load.bad_snapshots} TransactGetItems snapshots had the wrong sum in all)")
        failures = list(load.failures)
        self.other += len(load.failures)
        try:
            restart = self.server.start(f"c{cycle:05d}")
        except RuntimeError as e:
            failures.append(f"server failed to restart: {e}")
            self.other += 1
            self.keep_evidence(cycle, failures, load)
            raise
        log = self.server.log_path.read_text(errors="replace")
        resumed = {kind: log.count(f"resuming an {kind}") for kind in self.resumed}
        for kind, n in resumed.items():
            self.resumed[kind] += n
        offset = self.server.admin("/_strata/clock")["offset_seconds"]
        if offset + 1e-6 < self.clock_offset:
            failures.append(f"LOST: the server clock offset is {offset}s after restart; {self.clock_offset}s was acknowledged")
            self.lost += 1
        if cycle in self.args.inject_at:
            self.inject_faults(cycle)
        try:
            stats = self.verify(cycle, failures)
            stats["resumed"] = resumed
            self.checkpoint(cycle, failures)
        except Exception:
            failures.append("verification stopped: " + traceback.format_exc())
            self.other += 1
            self.keep_evidence(cycle, failures, load)
            raise
        if failures:
            self.keep_evidence(cycle, failures, load)
        self.rotate_logs(cycle)
        acks = sum(v for k, v in load.counts.items() if k.endswith(":ok"))
        amb = sum(v for k, v in load.counts.items() if k.endswith(":amb"))
        du = sum(p.stat().st_size for p in self.data_dir.rglob("*") if p.is_file())
        return dict(
            load=load_time, aimed=load.kill_aimed_at, acks=acks, amb=amb, in_flight=load.in_flight_at_kill, restart=restart,
            plan=plan, failures=failures, seconds=time.monotonic() - t_start, du=du, **stats,
        )

    # ---- verification ----------------------------------------------------------------------

    def verify(self, cycle: int, failures: list) -> dict:
        m = self.model
        stats = {}
        self.notes = []

        def lost(msg):
            failures.append("LOST: " + msg)
            self.lost += 1

        def corrupt(msg):
            failures.append("CORRUPT JOB: " + msg)
            self.corrupt += 1

        table = self.scan(TABLE)

        # Items written by one thread at a time (the main table's keys name themselves: "kv#...").
        kv_before = {pk: (reg.confirmed, list(reg.ops)) for pk, reg in m.kv.items()}  # for the stream
        stats["kv"] = self.check_registers(m.kv, table, None, lost)
        # crash-kv's stream against the same writes and the same scan.
        stats["stream"] = self.verify_stream(cycle, table, kv_before, failures)

        # Counters.
        for pk, c in m.counters.items():
            item = table.get(pk)
            if item is None:
                lost(f"{pk}: counter item missing")
                continue
            item = json.loads(item)
            n, tok = int(item["n"]["N"]), item["tok"]["S"]
            news = [v for v, _ in c.acked]
            if len(news) != len(set(news)):
                dup = sorted({v for v in news if news.count(v) > 1})
                failures.append(f"{pk}: conditional increments acknowledged the same value twice: {dup}")
                self.other += 1
            top, top_tok = (c.n, c.tok)
            if c.acked:
                top, top_tok = max(c.acked)
            allowed = {(top, top_tok)} | {(v, t) for v, t in c.ambiguous if v > top}
            if (n, tok) not in allowed:
                lost(f"{pk}: n={n} tok={tok}; last acknowledged n={top} tok={top_tok}; in doubt {sorted(c.ambiguous)}")
            c.n, c.tok, c.acked, c.ambiguous = n, tok, [], []

        # Accounts and transaction logs.
        stats["tx"] = len(m.tx_acked)
        total = 0
        events = {a: [] for a in m.accounts}
        logs = {pk[4:]: json.loads(v) for pk, v in table.items() if pk.startswith("log#")}
        for txid, log in logs.items():
            if txid not in m.tx_known and txid not in m.tx_acked and txid not in m.tx_ambiguous:
                failures.append(f"log#{txid}: a transaction log item nobody wrote")
                self.other += 1
                continue
            expected = m.tx_acked.get(txid) or m.tx_ambiguous.get(txid)
            if expected is not None and canon(log) != expected:
                lost(f"log#{txid}: {canon(log)} differs from what was written {expected}")
            amt = int(log["amt"]["N"])
            events[log["src"]["S"]].append((int(log["sv"]["N"]), -amt, txid))
            events[log["dst"]["S"]].append((int(log["dv"]["N"]), amt, txid))
        for txid in m.tx_acked:
            if txid not in logs:
                lost(f"log#{txid}: acknowledged transaction's log item missing")
        for txid in list(m.tx_known):
            if txid not in logs:
                lost(f"log#{txid}: log item of an earlier cycle disappeared")
        for pk, acct in m.accounts.items():
            item = table.get(pk)
            if item is None:
                lost(f"{pk}: account item missing")
                continue
            item = json.loads(item)
            bal, ver = int(item["bal"]["N"]), int(item["ver"]["N"])
            total += bal
            if pk in m.damaged:
                continue
            m.damaged.add(pk)  # until the checks below pass
            chain = sorted(events[pk])
            versions = [v for v, _, _ in chain]
            if versions != list(range(acct.base_ver, ver)):
                failures.append(
                    f"TORN TRANSACTION: {pk} is at version {ver} but its log items cover versions "
                    f"{versions[:10]}{'…' if len(versions) > 10 else ''} from {acct.base_ver}"
                )
                self.lost += 1
            elif acct.base_bal + sum(d for _, d, _ in chain) != bal:
                failures.append(f"TORN TRANSACTION: {pk} balance {bal} is not its log replayed ({acct.base_bal} + {sum(d for _, d, _ in chain)})")
                self.lost += 1
            else:
                m.damaged.discard(pk)
        if total != m.total:
            failures.append(f"TORN TRANSACTION: balances sum to {total}, not {m.total}")
            self.lost += 1
            m.total = total
        m.tx_known |= set(logs)
        m.tx_acked, m.tx_ambiguous = {}, {}

        # Anything else in the table.
        known_prefixes = ("kv#", "ctr#", "acct#", "log#")
        strays = [pk for pk in table if not pk.startswith(known_prefixes) or (pk.startswith("kv#") and pk not in m.kv)]
        if strays:
            failures.append(f"unexpected items in {TABLE}: {strays[:5]}")
            self.other += 1

        # S3 objects.
        listed = self.list_keys("obj/")
        listed.update(self.list_keys("mpu/"))
        changed = 0
        for key in sorted(set(listed) - set(m.objects)):
            failures.append(f"s3://{BUCKET}/{key}: an object nobody wrote")
            self.other += 1
        for key, reg in m.objects.items():
            possible = reg.possible()
            actual = None
            if key in listed:
                body, etag = self.get_bytes(key)
                actual = (md5_hex(body), len(body))
                if len(body) != listed[key]["Size"]:
                    lost(f"s3://{BUCKET}/{key}: listed with {listed[key]['Size']} bytes, read {len(body)}")
            if actual not in possible:
                lost(f"s3://{BUCKET}/{key}: found {actual}; expected one of {possible}")
            if reg.ops:
                changed += 1
            reg.settle(actual)
        stats["s3"] = changed
        stats["s3v"] = self.verify_versions(cycle, failures, lost)
        stats["kms"] = self.verify_kms(cycle, failures, lost)

        stats.update(self.verify_jobs(cycle, failures, lost, corrupt))
        stats.update(self.verify_maintenance(cycle, failures, lost, corrupt))
        stats["cfn"] = self.verify_cfn(cycle, failures, lost, corrupt)

        # Multipart uploads left open by the kill: ours are aborted here; an export cut short
        # aborts its own when it resumes, so once every job has ended none of its may be open.
        for u in self.s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []):
            if u["Key"].startswith("exp/"):
                corrupt(f"s3://{BUCKET}/{u['Key']}: upload {u['UploadId']} of an export left open after every job ended")
            try:
                self.s3.abort_multipart_upload(Bucket=BUCKET, Key=u["Key"], UploadId=u["UploadId"])
            except self.s3.exceptions.NoSuchUpload:
                pass

        if self.args.pitr_every and cycle % self.args.pitr_every == 0:
            # Alternately a recent checkpoint and any kept one (anchors reach far back).
            snap = self.rng.choice(m.snapshots if cycle % 2 else m.snapshots[-SNAPSHOTS_KEPT:])
            name = f"pitr-c{cycle}"
            self.ddb.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName=name, RestoreDateTime=snap.time)
            self.wait_active(name)
            got = self.scan(name)
            if got != snap.items:
                failures.append(f"PITR: restore as of checkpoint {snap.time} (cycle {snap.cycle}): " + self.diff(snap.items, got))
                self.lost += 1
            self.delete_table(name)
            stats["pitr"] = f"c{snap.cycle}"
        return stats

    # ---- the versioned bucket ----------------------------------------------------------------

    def get_version(self, key: str, vid: str | None) -> tuple:
        """GetObject of `key` (version `vid`, or the current one): ("ok", md5, size, VersionId)
        or ("error", HTTP status, error code, None)."""
        try:
            r = self.s3.get_object(Bucket=VBUCKET, Key=key, **({"VersionId": vid} if vid else {}))
            body = r["Body"].read()
            return ("ok", md5_hex(body), len(body), r.get("VersionId"))
        except botocore.exceptions.ClientError as e:
            return ("error", e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"), error_code(e), None)

    def verify_versions(self, cycle, failures, lost) -> str:
        """The versioned bucket after the restart: ListObjectVersions lists every acknowledged
        version and delete marker not deleted by VersionId, exactly once, in write order (newest
        first), the newest alone IsLatest, and nothing else but writes in doubt at the kill;
        every version reads back its bytes by VersionId, the key its newest (404 under a delete
        marker); versions deleted for good stay gone. Then the model takes what is listed."""
        m = self.model
        where = lambda key: f"s3://{VBUCKET}/{key}"  # noqa: E731

        def other(msg):
            failures.append(msg)
            self.other += 1

        status = self.s3.get_bucket_versioning(Bucket=VBUCKET).get("Status")
        if status != "Enabled":
            lost(f"s3://{VBUCKET}: versioning is {status!r} after the restart; Enabled was acknowledged at setup")
        page_size = self.vrng.choice([1, 2, 3, 5, 8, 1000])
        listing = self.list_versions(page_size, lambda msg: other(f"s3://{VBUCKET}: {msg}"))
        seen, by_key, order = set(), {}, []
        for key, vid, latest, marker, etag, size in listing:
            if (key, vid) in seen:
                lost(f"{where(key)}: version {vid} listed twice by ListObjectVersions (pages of {page_size})")
                continue
            seen.add((key, vid))
            if version_seq(vid) < 0:
                other(f"{where(key)}: ListObjectVersions lists version id {vid!r}, not one strata mints")
            if key not in by_key:
                order.append(key)
            elif order[-1] != key:
                other(f"{where(key)}: ListObjectVersions lists its versions apart (pages of {page_size})")
            by_key.setdefault(key, []).append(dict(vid=vid, latest=latest, marker=marker, md5=etag, size=size))
        if order != sorted(order):
            other(f"s3://{VBUCKET}: ListObjectVersions lists keys out of order: {order[:12]}")
        for key in sorted(set(by_key) - set(m.vkeys)):
            other(f"{where(key)}: a key nobody wrote, with {len(by_key[key])} versions")

        changed = versions = markers = doubt = landed = 0
        gets = []  # (key, Version) to read back by VersionId
        for key, vk in m.vkeys.items():
            listed = by_key.get(key, [])  # newest first
            # The candidates, in write order: the versions verified before, then this cycle's.
            cands = [(Outcome.OK, v) for v in vk.versions]
            cands += [(o, v) for o, op, v in vk.ops if op != "remove"]
            removed = {}  # vid -> outcome of its removal (OK wins)
            for o, op, vid in vk.ops:
                if op == "remove" and removed.get(vid) != Outcome.OK:
                    removed[vid] = o
            known = {v.vid: i for i, (_, v) in enumerate(cands) if v.vid}
            # Each listed entry (oldest first) is the candidate of its VersionId, or a write in
            # doubt with its body (or a marker in doubt): the first unused one after the last.
            assigned, used, last = [], set(), -1
            for e in reversed(listed):
                i = known.get(e["vid"])
                if i is None and e["vid"] not in m.vgone:
                    fits = [
                        j for j, (o, v) in enumerate(cands)
                        if v.vid is None and j not in used and o == Outcome.AMBIGUOUS and v.marker == e["marker"]
                        and (v.marker or (v.md5, v.size) == (e["md5"], e["size"]))
                    ]
                    i = next((j for j in fits if j > last), fits[0] if fits else None)
                if i is not None:
                    used.add(i)
                    last = max(last, i)
                assigned.append(i)
            pairs = list(zip(reversed(listed), assigned))
            for e, i in pairs:
                if i is not None:
                    continue
                if e["vid"] in m.vgone:
                    lost(f"{where(key)}: version {e['vid']} is back, deleted for good in an earlier cycle")
                else:
                    what = "delete marker" if e["marker"] else f"version of {e['size']} B, MD5 {e['md5']}"
                    other(f"{where(key)}: a {what} nobody wrote ({e['vid']}), listed by ListObjectVersions")
            got = [i for i in assigned if i is not None]
            if got != sorted(got):
                lost(
                    f"{where(key)}: ListObjectVersions lists versions out of write order: oldest first "
                    f"{[cands[i][1].brief() if i is not None else e['vid'] for e, i in pairs]}"
                )
            for i, (o, v) in enumerate(cands):
                e = next((e for e, j in pairs if j == i), None)
                if e is None:
                    if v.vid and o == Outcome.OK and v.vid not in removed:
                        lost(
                            f"{where(key)}: acknowledged {'delete marker' if v.marker else 'version'} {v.brief()} missing "
                            f"from ListObjectVersions ({'verified before' if i < len(vk.versions) else 'written this cycle'}; "
                            f"{len(listed)} listed)"
                        )
                    continue
                if v.vid and removed.get(v.vid) == Outcome.OK:
                    lost(f"{where(key)}: version {v.brief()} still listed after its DeleteObject by VersionId was acknowledged")
                if e["marker"] != v.marker or (not v.marker and (e["md5"], e["size"]) != (v.md5, v.size)):
                    lost(
                        f"{where(key)}: version {v.brief()} listed as "
                        f"{'a delete marker' if e['marker'] else str(e['size']) + ' B, ETag ' + str(e['md5'])}"
                    )
            # IsLatest: exactly one, the newest.
            flags = [e["latest"] for e in listed]
            if listed and flags != [True] + [False] * (len(flags) - 1):
                lost(f"{where(key)}: IsLatest on listed entries (newest first) {flags}; the newest alone must be")
            # The model takes what is listed (ambiguity never carries over).
            now = []
            for e, i in pairs:
                v = cands[i][1] if i is not None else Version(e["vid"], e["marker"], e["md5"], e["size"], "unknown")
                now.append(dataclasses.replace(v, vid=e["vid"]))
            present = {v.vid for v in now}
            for _, v in cands:
                if v.vid and v.vid not in present:
                    m.vgone[v.vid] = key
            for vid, o in removed.items():
                if o == Outcome.OK and vid not in present:
                    gets.append((key, Version(vid, False), "gone"))
            if vk.ops:
                changed += 1
            doubt += sum(1 for o, _, _ in vk.ops if o == Outcome.AMBIGUOUS)
            landed += sum(1 for i in used if cands[i][0] == Outcome.AMBIGUOUS)
            landed += sum(1 for vid, o in removed.items() if o == Outcome.AMBIGUOUS and vid not in present)
            vk.versions, vk.ops = now, []
            markers += sum(1 for v in now if v.marker)
            versions += sum(1 for v in now if not v.marker)
            gets += [(key, v, "version") for v in now]
            gets.append((key, now[-1] if now else None, "current"))

        # Read back: every version by its VersionId, every key's current version, and versions
        # deleted for good (this cycle's acknowledged ones and a few older ones) by theirs.
        older = sorted(m.vgone.items())
        for vid, key in self.vrng.sample(older, min(VGONE_CHECKS, len(older))):
            gets.append((key, Version(vid, False), "gone"))
        for key, v, kind in gets:
            if kind == "current":
                r = self.get_version(key, None)
                if v is None or v.marker:
                    if r[:3] != ("error", 404, "NoSuchKey"):
                        lost(f"{where(key)}: GetObject answers {r} although its newest version is {'a delete marker' if v else 'none'}")
                elif r != ("ok", v.md5, v.size, v.vid):
                    lost(f"{where(key)}: GetObject answers {r}; its newest version is {v.brief()}")
            elif kind == "gone":
                r = self.get_version(key, v.vid)
                if r[:3] != ("error", 404, "NoSuchVersion"):
                    lost(f"{where(key)}: GetObject of version {v.vid}, deleted for good, answers {r} (not 404 NoSuchVersion)")
            elif v.marker:
                r = self.get_version(key, v.vid)
                if r[:3] != ("error", 405, "MethodNotAllowed"):
                    other(f"{where(key)}: GetObject of delete marker {v.vid} answers {r} (not 405 MethodNotAllowed)")
            else:
                r = self.get_version(key, v.vid)
                if r != ("ok", v.md5, v.size, v.vid):
                    lost(f"{where(key)}: GetObject of version {v.brief()} answers {r}")

        # ListObjectsV2 shows exactly the keys whose newest version is an object.
        current = {}
        kwargs = dict(Bucket=VBUCKET)
        while True:
            page = self.s3.list_objects_v2(**kwargs)
            current.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
            if not page.get("IsTruncated"):
                break
            kwargs["ContinuationToken"] = page["NextContinuationToken"]
        expected = {key: vk.versions[-1].size for key, vk in m.vkeys.items() if vk.versions and not vk.versions[-1].marker}
        if current != expected:
            lost(f"s3://{VBUCKET}: ListObjectsV2 differs from the newest versions: " + self.diff(
                {k: str(v) for k, v in expected.items()}, {k: str(v) for k, v in current.items()}
            ))

        # Keep the bucket small: each key's oldest versions beyond VERSIONS_KEPT go (quiescent).
        trimmed = 0
        for key, vk in m.vkeys.items():
            while len(vk.versions) > VERSIONS_KEPT:
                v = vk.versions.pop(0)
                self.s3.delete_object(Bucket=VBUCKET, Key=key, VersionId=v.vid)
                m.vgone[v.vid] = key
                trimmed += 1
        return (
            f"s3v {changed} keys changed ({doubt} writes in doubt, {landed} applied), "
            f"{versions} versions {markers} markers listed (pages of {page_size}), "
            f"{len(m.vgone)} gone{f', {trimmed} trimmed' if trimmed else ''}"
        )

    # ---- the SSE-KMS bucket ----------------------------------------------------------------------

    def verify_kms(self, cycle, failures, lost) -> str:
        """crash-kms and its key after the restart: the key as made at setup (Enabled, same ARN,
        alias/aws/s3 the same key, the setup's ciphertext decrypts, a fresh Encrypt/Decrypt
        round-trips) and the bucket's default rule; every key of the model holds its last
        acknowledged write (or one in doubt): GetObject's bytes, HeadObject's `aws:kms` and key
        ARN, a ranged GetObject equal to those bytes of the whole; deleted keys stay deleted,
        nothing else is listed. Then the model takes what is there."""
        m, kms = self.model, self.kms
        where = lambda key: f"s3://{KBUCKET}/{key}"  # noqa: E731

        def other(msg):
            failures.append(msg)
            self.other += 1

        def attempt(fn):
            try:
                return fn()
            except botocore.exceptions.ClientError as e:
                status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                return ("error", status, error_code(e), e.response.get("Error", {}).get("Message", "")[:200])

        # The key and the bucket's rule, as acknowledged at setup.
        meta = attempt(lambda: kms.describe_key(KeyId=m.kms_key_id)["KeyMetadata"])
        state = (meta.get("KeyState"), meta.get("Enabled"), meta.get("Arn")) if isinstance(meta, dict) else meta
        if state != ("Enabled", True, m.kms_key_arn):
            lost(f"KMS key {m.kms_key_arn}: describes as {state} after the restart; Enabled was acknowledged at setup")
        managed = attempt(lambda: kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"])
        if managed != m.aws_s3_arn:
            lost(f"KMS alias/aws/s3 is {managed} after the restart; it was {m.aws_s3_arn}")
        plain, blob = m.kms_sealed
        opened = attempt(lambda: kms.decrypt(CiphertextBlob=blob))
        opened = (opened["Plaintext"], opened["KeyId"]) if isinstance(opened, dict) else opened
        if opened != (plain, m.kms_key_arn):
            lost(f"KMS key {m.kms_key_arn}: the ciphertext Encrypt made at setup decrypts to {opened}, not {(plain, m.kms_key_arn)}")
        fresh = f"c{cycle}.{self.krng.getrandbits(64):016x}".encode()
        sealed = attempt(lambda: kms.encrypt(KeyId=m.kms_key_arn, Plaintext=fresh))
        back = attempt(lambda: kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], KeyId=m.kms_key_arn)["Plaintext"]) \
            if isinstance(sealed, dict) else sealed
        if back != fresh:
            other(f"KMS key {m.kms_key_arn}: Encrypt then Decrypt of {fresh!r} gives {back}")
        rules = attempt(lambda: self.s3.get_bucket_encryption(Bucket=KBUCKET)["ServerSideEncryptionConfiguration"]["Rules"])
        if not isinstance(rules, list) or [r.get("ApplyServerSideEncryptionByDefault") for r in rules] != [
            m.kms_rule["ApplyServerSideEncryptionByDefault"]
        ]:
            lost(f"s3://{KBUCKET}: default encryption {rules} after the restart; {[m.kms_rule]} was acknowledged at setup")

        # The objects.
        listed = self.list_keys("k/", KBUCKET)
        listed.update(self.list_keys("kmpu/", KBUCKET))
        for key in sorted(set(listed) - set(m.kobjects)):
            other(f"{where(key)}: an object nobody wrote")
        changed = doubt = ranged = read = 0
        for key, reg in m.kobjects.items():
            possible = reg.possible()
            actual = None
            if key in listed:
                actual, n = self.read_kms_object(key, listed[key]["Size"], lost, other)
                read += n
                ranged += actual is not None and actual[0] != "error" and actual[1] > 0
            else:
                head = attempt(lambda: self.s3.head_object(Bucket=KBUCKET, Key=key))
                if isinstance(head, dict) or head[1] != 404:
                    what = (head.get("ContentLength"), head.get("SSEKMSKeyId")) if isinstance(head, dict) else head
                    lost(f"{where(key)}: not listed, but HeadObject answers {what}")
            if actual not in possible and not (actual and actual[0] == "error"):  # (an error is reported)
                acked = sum(1 for o, _ in reg.ops if o == Outcome.OK)
                lost(
                    f"{where(key)}: found {actual}; expected one of {possible} "
                    f"({acked} acknowledged writes this cycle, {sum(1 for o, _ in reg.ops if o == Outcome.AMBIGUOUS)} in doubt)"
                )
            if reg.ops:
                changed += 1
            doubt += sum(1 for o, _ in reg.ops if o == Outcome.AMBIGUOUS)
            reg.settle(actual)

        # Multipart uploads the kill left open: ours, aborted here.
        for u in self.s3.list_multipart_uploads(Bucket=KBUCKET).get("Uploads", []):
            try:
                self.s3.abort_multipart_upload(Bucket=KBUCKET, Key=u["Key"], UploadId=u["UploadId"])
            except self.s3.exceptions.NoSuchUpload:
                pass
        multipart = sum(1 for key in listed if key.startswith("kmpu/"))
        return (
            f"kms {changed} keys changed ({doubt} writes in doubt), {len(listed)} objects ({multipart} multipart, "
            f"{read / MIB:.1f} MiB) read, {ranged} ranges"
        )

    def read_kms_object(self, key: str, listed_size: int, lost, other) -> tuple:
        """GetObject and HeadObject of crash-kms's `key`, and a ranged GetObject of a random
        range of it: ((md5, size, key ARN) or ("error", ...), bytes read)."""
        where = f"s3://{KBUCKET}/{key}"
        try:
            r = self.s3.get_object(Bucket=KBUCKET, Key=key)
            body = r["Body"].read()
            head = self.s3.head_object(Bucket=KBUCKET, Key=key)
        except botocore.exceptions.ClientError as e:
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            message = e.response.get("Error", {}).get("Message", "")[:200]
            lost(f"{where}: listed ({listed_size} bytes) but unreadable: {status} {error_code(e)} {message}")
            return ("error", status, error_code(e)), 0
        sse = (head.get("ServerSideEncryption"), head.get("SSEKMSKeyId"))
        if (r.get("ServerSideEncryption"), r.get("SSEKMSKeyId")) != sse:
            other(f"{where}: GetObject names encryption {(r.get('ServerSideEncryption'), r.get('SSEKMSKeyId'))}, HeadObject {sse}")
        if not (len(body) == listed_size == head.get("ContentLength")):
            lost(f"{where}: listed with {listed_size} bytes, HeadObject says {head.get('ContentLength')}, read {len(body)}")
        actual = (md5_hex(body), len(body), sse[1] if sse[0] == "aws:kms" else sse)
        if not body:
            return actual, 0
        # A random range: inside, open-ended or a suffix; for a multipart object often across a
        # part boundary (5 MiB).
        size = len(body)
        form = self.krng.choice(["inside", "inside", "open", "suffix"])
        if form == "suffix":
            n = self.krng.randint(1, min(size, 2 * MIB))
            spec, lo, hi = f"bytes=-{n}", size - n, size - 1
        else:
            if size > 5 * MIB and self.krng.random() < 0.5:
                lo = max(0, 5 * MIB - self.krng.randint(1, 70000))
            else:
                lo = self.krng.randrange(size)
            hi = size - 1 if form == "open" else min(size - 1, lo + self.krng.randint(0, 2 * MIB))
            spec = f"bytes={lo}-" if form == "open" else f"bytes={lo}-{hi}"
        try:
            part = self.s3.get_object(Bucket=KBUCKET, Key=key, Range=spec)
            got, content_range = part["Body"].read(), part.get("ContentRange")
        except botocore.exceptions.ClientError as e:
            lost(f"{where}: ranged GetObject {spec} of {size} bytes answers {error_code(e)}")
            return actual, size
        if got != body[lo : hi + 1] or content_range != f"bytes {lo}-{hi}/{size}":
            first = next((i for i, (a, b) in enumerate(zip(got, body[lo : hi + 1])) if a != b), min(len(got), hi + 1 - lo))
            lost(
                f"{where}: ranged GetObject {spec} of {size} bytes ({sse[1]}) gives {len(got)} bytes, Content-Range "
                f"{content_range}, differing from the whole's bytes {lo}-{hi} at offset {lo + first}"
            )
        return actual, size + len(got)

    # ---- DynamoDB Streams on crash-kv ------------------------------------------------------------

    def read_stream(self, bad) -> tuple[list, list]:
        """crash-kv's stream as a tailing consumer reads it: every shard DescribeStream lists,
        parents before children, each from TRIM_HORIZON to its end (a closed shard: until
        GetRecords answers no NextShardIterator; the open one: until a page is empty).
        Returns (shard ids in reading order, records in reading order)."""
        shards, kwargs = [], dict(StreamArn=self.stream_arn)
        while True:
            d = self.streams.describe_stream(**kwargs)["StreamDescription"]
            shards += d.get("Shards", [])
            if not d.get("LastEvaluatedShardId"):
                break
            kwargs["ExclusiveStartShardId"] = d["LastEvaluatedShardId"]
        if d.get("StreamStatus") != "ENABLED":
            bad("stream_changed", f"stream {self.stream_arn} is {d.get('StreamStatus')}, not ENABLED")
        # Parents before children: the chain from the one shard whose parent is not listed.
        ids = {s["ShardId"]: s for s in shards}
        children: dict = {}
        for s in shards:
            children.setdefault(s.get("ParentShardId") if s.get("ParentShardId") in ids else None, []).append(s)
        order, cur = [], (children.get(None) or [None])[0]
        while cur is not None and len(order) <= len(shards):
            order.append(cur)
            kids = children.get(cur["ShardId"], [])
            cur = kids[0] if kids else None
        forks = {k: [s["ShardId"] for s in v] for k, v in children.items() if len(v) > 1}
        if len(order) != len(shards) or forks:
            bad("stream_order", f"the shards are no single parent-to-child chain: {[(s['ShardId'], s.get('ParentShardId')) for s in shards]}")
            order = sorted(shards, key=lambda s: s["ShardId"])
        elif [s["ShardId"] for s in order] != sorted(ids):
            bad("stream_order", f"ShardIds do not sort in parent-to-child order: {[s['ShardId'] for s in order]}")
        open_ = [s["ShardId"] for s in order if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
        if not order or open_ != [order[-1]["ShardId"]]:
            bad("stream_order", f"open shards {open_} of {[s['ShardId'] for s in order]}: the newest one alone must be open")
        records = []
        for s in order:
            sid, rng = s["ShardId"], s["SequenceNumberRange"]
            closed = "EndingSequenceNumber" in rng
            it = self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            got, empty = [], 0
            while it:
                page = self.streams.get_records(ShardIterator=it, Limit=1000)
                got += [StreamRecord.parse(sid, r) for r in page.get("Records", [])]
                it = page.get("NextShardIterator")
                empty = 0 if page.get("Records") else empty + 1
                if not it and not closed and not self.shard_closed_since(sid):
                    bad("stream_order", f"GetRecords on the open shard {sid} answered no NextShardIterator")
                if it and empty and not closed:
                    break  # the open shard's end (the server is quiescent)
                if it and empty >= 3:
                    bad("stream_order", f"closed shard {sid}: GetRecords keeps answering empty pages with a NextShardIterator")
                    break
            start = int(rng["StartingSequenceNumber"])
            end = int(rng["EndingSequenceNumber"]) if closed else None
            outside = [r for r in got if r.seq < start or (end is not None and r.seq > end)]
            if outside:
                bad("stream_order", f"shard {sid} [{start}, {end}] holds records outside its range: {[r.brief() for r in outside[:3]]}")
            if closed and got and got[-1].seq != end:
                bad("stream_lost", f"closed shard {sid}: DescribeStream says it ends at {end}, its records read end at {got[-1].brief()}")
            records += got
        return [s["ShardId"] for s in order], records

    def shard_closed_since(self, shard: str) -> bool:
        """Whether DescribeStream lists `shard` closed now (the server clock can cross a shard's
        end while the harness reads it; its child is then empty, the server being quiescent)."""
        kwargs = dict(StreamArn=self.stream_arn)
        while True:
            d = self.streams.describe_stream(**kwargs)["StreamDescription"]
            for s in d.get("Shards", []):
                if s["ShardId"] == shard:
                    return "EndingSequenceNumber" in s["SequenceNumberRange"]
            if not d.get("LastEvaluatedShardId"):
                return False
            kwargs["ExclusiveStartShardId"] = d["LastEvaluatedShardId"]

    def stream_read_at(self, shard: str, kind: str, seq: int) -> StreamRecord | None:
        """The first record GetShardIterator(kind, seq) then GetRecords(Limit=1) answers."""
        it = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType=kind, SequenceNumber=str(seq)
        )["ShardIterator"]
        recs = self.streams.get_records(ShardIterator=it, Limit=1).get("Records", [])
        return StreamRecord.parse(shard, recs[0]) if recs else None

    def verify_stream(self, cycle: int, table: dict, kv_before: dict, failures: list) -> str:
        """crash-kv's stream after the restart: (a) each kv key's new records are its writes of
        this cycle (every acknowledged one that changed the item, in order, with the right
        eventName and OldImage; in-flight ones or not; nothing else) and the key's records
        replay to the item read back; (b) every record read after the previous restart reads
        the same now (unless older than the retention), by TRIM_HORIZON and by
        AT_SEQUENCE_NUMBER, nothing appears among them, and sequence numbers strictly
        increase along the stream; (c) no SequenceNumber and no eventID twice."""
        counts: dict = {}

        def bad(kind, msg):
            self.stream_violations[kind] = self.stream_violations.get(kind, 0) + 1
            counts[kind] = counts.get(kind, 0) + 1
            if counts[kind] <= STREAM_REPORTS:
                failures.append(f"STREAM {kind}: cycle {cycle}: {msg}")
            elif counts[kind] == STREAM_REPORTS + 1:
                failures.append(f"STREAM {kind}: cycle {cycle}: (more; every one is counted)")

        t = self.ddb.describe_table(TableName=TABLE)["Table"]
        spec = t.get("StreamSpecification") or {}
        if t.get("LatestStreamArn") != self.stream_arn or not spec.get("StreamEnabled") or spec.get("StreamViewType") != STREAM_VIEW:
            bad("stream_changed", f"{TABLE}: LatestStreamArn {t.get('LatestStreamArn')} StreamSpecification {spec}; created {self.stream_arn}")
        began = time.monotonic()
        shards, records = self.read_stream(bad)
        read_time = time.monotonic() - began
        horizon = self.server.service_now() - STREAM_RETENTION  # older records may have aged out

        # (c) No duplicates; (b) sequence numbers strictly increase along the stream.
        by_seq, by_id = {}, {}
        for r in records:
            if r.seq in by_seq:
                bad("stream_duplicate", f"SequenceNumber {r.seq} read twice: {by_seq[r.seq].pk} {by_seq[r.seq].brief()} and {r.pk} {r.brief()}")
            if r.event_id in by_id:
                bad("stream_duplicate", f"eventID {r.event_id} read twice: {by_id[r.event_id].pk} {by_id[r.event_id].brief()} and {r.pk} {r.brief()}")
            by_seq.setdefault(r.seq, r)
            by_id.setdefault(r.event_id, r)
        for a, b in zip(records, records[1:]):
            if b.seq <= a.seq:
                bad("stream_order", f"{b.pk} {b.brief()} (shard {b.shard}) follows {a.pk} {a.brief()} (shard {a.shard})")

        # (b) What was read before the crash reads the same.
        prev = self.stream_prev
        prev_end = max(prev, default=0)
        trimmed = 0
        for seq, old in prev.items():
            now = by_seq.get(seq)
            if now is None:
                if old.created < horizon + 1:
                    trimmed += 1
                else:
                    bad("stream_lost", f"{old.pk} {old.brief()} (shard {old.shard}, created {old.created}), read before the restart, is gone")
            elif now != old:
                diff = ", ".join(f"{f.name} {getattr(old, f.name)!r} -> {getattr(now, f.name)!r}"
                                 for f in dataclasses.fields(StreamRecord) if getattr(old, f.name) != getattr(now, f.name))
                bad("stream_changed", f"{old.pk} {old.brief()} (shard {old.shard}) read before the restart reads differently now: {diff}")
        new = [r for r in records if r.seq not in prev]
        for r in new:
            if r.seq <= prev_end:
                bad("stream_changed", f"{r.pk} {r.brief()} (shard {r.shard}) appeared below {prev_end}, the end of the stream read before the restart")
        live = [old for old in prev.values() if old.seq in by_seq and old.created > horizon + 600]
        picks = live[-1:] + self.stream_rng.sample(live[:-1], min(STREAM_AT_CHECKS - 1, max(0, len(live) - 1)))
        for old in picks:
            try:
                got = self.stream_read_at(old.shard, "AT_SEQUENCE_NUMBER", old.seq)
            except botocore.exceptions.ClientError as e:
                got = f"{error_code(e)}"
            if got != old:
                bad("stream_changed", f"AT_SEQUENCE_NUMBER {old.seq} (shard {old.shard}) reads {got}; read {old} before the restart")
        if prev_end in by_seq and prev_end in prev:
            last = prev[prev_end]
            i = records.index(by_seq[prev_end])
            after = records[i + 1] if i + 1 < len(records) and records[i + 1].shard == last.shard else None
            try:
                got = self.stream_read_at(last.shard, "AFTER_SEQUENCE_NUMBER", last.seq)
            except botocore.exceptions.ClientError as e:
                got = f"{error_code(e)}"
            if got != after:
                bad("stream_order", f"AFTER_SEQUENCE_NUMBER {last.seq} (shard {last.shard}) reads {got}; TRIM_HORIZON read {after} next")

        # (a) Each kv key: its new records are its writes of this cycle, and all its records
        # replay to the item.
        new_of: dict = {}
        for r in new:
            if r.pk.startswith("kv#"):
                new_of.setdefault(r.pk, []).append(r)
        for pk in sorted(set(new_of) - set(kv_before)):
            bad("stream_phantom", f"records of {pk}, a key nobody writes: {[r.brief() for r in new_of[pk][:3]]}")
        last_of = {r.pk: r.state() for r in records if r.pk in kv_before}
        for pk, (confirmed, ops) in kv_before.items():
            recs = new_of.get(pk, [])
            problems, state, j = [], sig(confirmed), 0
            for outcome, value in ops:
                if value is None and state is None:
                    continue  # a delete of an absent item changes nothing: no record
                r = recs[j] if j < len(recs) else None
                if r is not None and (r.event == "REMOVE" if value is None else r.event != "REMOVE" and r.new == sig(value)):
                    j += 1
                    want = "REMOVE" if value is None else "INSERT" if state is None else "MODIFY"
                    if r.event != want or r.old != state:
                        problems.append(("stream_phantom", f"{r.brief()} is not what {token_of(value)} did: expected {want} "
                                         f"with {'no OldImage' if state is None else 'the item before it as OldImage'}, "
                                         f"OldImage {'absent' if r.old is None else 'matches' if r.old == state else 'differs'}"))
                    state = sig(value)
                elif outcome == Outcome.OK:
                    problems.append(("stream_lost", f"acknowledged {'DeleteItem' if value is None else 'PutItem ' + token_of(value)} has no record"))
                    state = sig(value)  # the item holds it (or the kv check reported it lost)
            for r in recs[j:]:
                problems.append(("stream_phantom", f"{r.brief()} is no write of the key (unknown, repeated or out of order)"))
            actual = table.get(pk)
            replayed = last_of.get(pk, self.stream_last.get(pk))
            if not problems and replayed != sig(actual):
                rec = next((r for r in reversed(records) if r.pk == pk), None)
                problems.append(("stream_lost", f"the item holds {token_of(actual) if actual else 'nothing'}; its last record is "
                                 f"{rec.brief() if rec else 'an aged-out one' if pk in self.stream_last else 'none'}"))
            for kind, msg in problems:
                bad(kind, f"{pk}: {msg} [records this cycle: {[r.brief() for r in recs]}; writes this cycle: "
                          f"{[f'{o}:{token_of(v)}' for o, v in ops]}; before them: {token_of(confirmed) if confirmed else 'absent'}]")
        self.stream_last.update(last_of)
        self.stream_prev = {r.seq: r for r in records}
        return f"stream {len(records)} recs +{len(new)} in {len(shards)} shard{'s' if len(shards) != 1 else ''}" + (
            f" ({trimmed} aged out)" if trimmed else ""
        ) + f" read {read_time:.1f}s"

    # ---- maintenance jobs: GSI backfills, index, history and table purges ----------------------

    def verify_maintenance(self, cycle, failures, lost, corrupt) -> dict:
        def stale(msg, n=1):
            failures.append("STALE VERSION: " + msg)
            self.stale += n

        def other(msg):
            failures.append(msg)
            self.other += 1

        inject = cycle in self.args.inject_at
        parts = [
            self.verify_gsi(cycle, lost, corrupt, other, inject),
            self.verify_pitr_off(cycle, lost, stale, other, inject),
            self.verify_recreate(cycle, lost, corrupt, stale, other, inject),
        ]
        return {"maint": " ".join(p for p in parts if p)}

    def verify_gsi(self, cycle, lost, corrupt, other, inject) -> str:
        m = self.model
        t = self.ddb.describe_table(TableName=GSI_TABLE)["Table"]
        gsis = {g["IndexName"]: g for g in t.get("GlobalSecondaryIndexes", [])}
        resumed = []
        for name, g in gsis.items():
            if g["IndexStatus"] == "CREATING":
                resumed.append(name)
                if g.get("Backfilling") is not True:
                    other(f"index {name} of {GSI_TABLE} is CREATING without Backfilling: true")
        self.backfills_resumed += len(resumed)
        # Every backfill must end.
        deadline = time.monotonic() + INDEX_TIMEOUT
        while any(g["IndexStatus"] == "CREATING" for g in gsis.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
            t = self.ddb.describe_table(TableName=GSI_TABLE)["Table"]
            gsis = {g["IndexName"]: g for g in t.get("GlobalSecondaryIndexes", [])}
        for name, g in gsis.items():
            if g["IndexStatus"] != "ACTIVE":
                corrupt(f"index {name} of {GSI_TABLE} still {g['IndexStatus']} {INDEX_TIMEOUT:.0f}s after the restart")
        for name in sorted(set(gsis) - set(INDEXES)):
            other(f"index {name} of {GSI_TABLE} nobody created")
        # The indexes this cycle's requests allow.
        for name in INDEXES:
            allowed, last = {m.indexes[name]}, None
            for op, n, outcome in m.index_ops:
                if n != name or outcome == Outcome.FAIL:
                    continue
                present = op == "create"
                allowed = {present} if outcome == Outcome.OK else allowed | {present}
                last = (op, outcome)
            if (name in gsis) not in allowed:
                lost(
                    f"index {name} of {GSI_TABLE} is {'there' if name in gsis else 'gone'} after the restart "
                    f"(this cycle: {[(op, o) for op, n, o in m.index_ops if n == name]}; before: {'there' if m.indexes[name] else 'gone'})"
                )
            m.indexes[name] = name in gsis
            if name not in gsis or any(n == name for _, n, _ in m.index_ops):
                m.index_skew.pop(name, None)  # a new index (or none): its count starts afresh
        # The table: the workers' keys and the items of the setup.
        table = self.scan(GSI_TABLE)
        self.check_registers(m.gsi, table, GSI_TABLE, lost)
        for pk, raw in m.gsi_base.items():
            if table.get(pk) != raw:
                lost(f"{GSI_TABLE} {pk}: found {str(table.get(pk))[:160]}; written at setup {raw[:160]}")
        strays = [pk for pk in table if pk not in m.gsi and pk not in m.gsi_base]
        if strays:
            other(f"unexpected items in {GSI_TABLE}: {strays[:5]}")
        active = [n for n, g in sorted(gsis.items()) if g["IndexStatus"] == "ACTIVE" and n in INDEXES]
        if inject:
            # Self-test: an indexed item goes behind the harness's back, between the scan that
            # says what the index must hold and the Queries that read it.
            for name in active:
                view = index_view(name, table)
                if view:
                    pk = sorted(view, key=lambda k: (k not in m.gsi, k))[0]
                    print(f"  self-test: deleting {pk} of {GSI_TABLE} before checking index {name}", flush=True)
                    self.ddb.delete_item(TableName=GSI_TABLE, Key={"pk": {"S": pk}})
                    if pk in m.gsi:
                        m.gsi[pk].settle(None)
                    else:
                        m.gsi_base.pop(pk)
                    break
        # Every ACTIVE index: a Query on every hash key value gives exactly the table's items
        # that have the index's key; its Scan and ItemCount count them.
        sizes = []
        for name in active:
            expected = index_view(name, table)
            (hash_attr, hash_type, _), *_ = INDEXES[name][0]
            values = [f"g{k}" for k in range(G_VALUES)] if hash_attr == "g" else [str(k) for k in range(H_VALUES)]
            got, twice = {}, []
            for value in values:
                for item in self.query_all(
                    TableName=GSI_TABLE, IndexName=name, KeyConditionExpression="#k = :v",
                    ExpressionAttributeNames={"#k": hash_attr}, ExpressionAttributeValues={":v": {hash_type: value}},
                ):
                    pk = item["pk"]["S"]
                    if pk in got:
                        twice.append(pk)
                    got[pk] = canon(item)
            what = f"index {name} of {GSI_TABLE}{' (its backfill resumed after the restart)' if name in resumed else ''}"
            if got != expected:
                corrupt(f"{what}: Queries on every key value differ from the table's items with its key: " + self.diff(expected, got))
            if twice:
                corrupt(f"{what}: Queries answered {twice[:5]} twice")
            scanned = self.count_all(TableName=GSI_TABLE, IndexName=name)
            if scanned != len(expected):
                corrupt(f"{what}: Scan counts {scanned} items, {len(expected)} of the table's items have its key")
            count = gsis[name].get("ItemCount")
            skew = (count or 0) - len(expected)
            # A wrong count stays wrong: reported when it first appears or changes.
            if skew != m.index_skew.get(name, 0):
                corrupt(
                    f"{what}: DescribeTable ItemCount {count}, {len(expected)} of the table's items have its key "
                    f"(Query found {len(got)}){'' if not m.index_skew.get(name) else f'; it was off by {m.index_skew[name]} before this cycle'}"
                )
            m.index_skew[name] = skew
            sizes.append(f"{name}{'*' if name in resumed else ''}:{len(expected)}")
        # Sometimes an index goes again (a purge that runs under the next cycle's load).
        if m.index_ops and active and self.maint_rng.random() < 0.35:
            name = self.maint_rng.choice(active)
            self.ddb.update_table(TableName=GSI_TABLE, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}])
            m.indexes[name] = False
            sizes.append(f"-{name}")
        return f"idx {','.join(sizes) or '-'}"

    def verify_pitr_off(self, cycle, lost, stale, other, inject) -> str:
        m = self.model
        table = self.scan(PITR_TABLE)
        self.check_registers(m.pitr, table, PITR_TABLE, lost)
        strays = [pk for pk in table if pk not in m.pitr]
        if strays:
            other(f"unexpected items in {PITR_TABLE}: {strays[:5]}")
        if m.pitr_off is None:
            return ""
        rng = self.maint_rng
        how = {Outcome.OK: "acknowledged", Outcome.AMBIGUOUS: "in flight at the kill", Outcome.FAIL: "refused"}.get(
            m.pitr_off, "not sent before the kill"
        )
        if self.describe_pitr(PITR_TABLE)["PointInTimeRecoveryStatus"] != "DISABLED":
            if m.pitr_off == Outcome.OK:
                lost(f"{PITR_TABLE}: PITR ENABLED after the restart, its disable was acknowledged")
            self.enable_pitr(PITR_TABLE, False)
            how += ", not applied: disabled now"
        # While PITR is off: deletes, overwrites, and keys deleted earlier put again.
        before_off = dict(table)
        deleted, puts = [], {}
        for pk in sorted(m.pitr):
            r = rng.random()
            if pk in table and r < 0.35:
                deleted.append(pk)
            elif (pk in table and r < 0.7) or (pk not in table and r < 0.5):
                puts[pk] = kv_item(pk, f"c{cycle}.off.{pk}", 10)
        self.batch_write(PITR_TABLE, puts=puts.values(), deletes=deleted)
        for pk in deleted:
            m.pitr[pk].settle(None)
        for pk, item in puts.items():
            m.pitr[pk].settle(canon(item))
        # PITR on again; T is a second after the enable, and nothing is written until after T.
        n0 = self.server.service_now()
        d = self.enable_pitr(PITR_TABLE, True)
        n1 = self.server.service_now()
        earliest = d["EarliestRestorableDateTime"].timestamp()
        # Whole seconds, the first at or after the enable (never before its commit).
        if not n0 <= earliest <= math.floor(n1) + 1:
            stale(
                f"{PITR_TABLE}: EarliestRestorableDateTime {earliest} after PITR was enabled again between {n0:.3f} and "
                f"{n1:.3f} (the window reaches into the earlier period)"
            )
        injected = None
        if inject and deleted:
            # Self-test: an item deleted while PITR was off comes back before T, unknown to the
            # model, as if the old period's history answered the read.
            injected = deleted[0]
            print(f"  self-test: putting {injected} of {PITR_TABLE} back before the 'as of' time", flush=True)
            self.ddb.put_item(TableName=PITR_TABLE, Item=json.loads(before_off[injected]))
            m.pitr[injected].settle(before_off[injected])
        at = math.floor(self.server.service_now()) + 1  # T: the next whole second
        state = self.scan(PITR_TABLE)  # the state at T
        if injected:
            state.pop(injected, None)
        now = self.server.service_now()
        if now < at + 0.001:
            self.server.admin("/_strata/clock", {"advance_seconds": math.ceil(at - now) + 1})
        # After T: more changes, which the read as of T must not see.
        present = sorted(k for k in m.pitr if m.pitr[k].confirmed is not None)
        absent = sorted(k for k in m.pitr if m.pitr[k].confirmed is None)
        post_deleted = [pk for pk in present if rng.random() < 0.08]
        post_puts = {
            pk: kv_item(pk, f"c{cycle}.after.{pk}", 10)
            for pk in [k for k in present if k not in post_deleted and rng.random() < 0.15] + [k for k in absent if rng.random() < 0.3]
        }
        self.batch_write(PITR_TABLE, puts=post_puts.values(), deletes=post_deleted)
        for pk in post_deleted:
            m.pitr[pk].settle(None)
        for pk, item in post_puts.items():
            m.pitr[pk].settle(canon(item))
        # T inside the restorable window (whose latest end lags now by five minutes).
        self.clock_offset = self.server.admin("/_strata/clock", {"advance_seconds": CLOCK_STEP})["offset_seconds"]
        name = f"pitr-off-c{cycle}"
        self.ddb.restore_table_to_point_in_time(SourceTableName=PITR_TABLE, TargetTableName=name, RestoreDateTime=at)
        self.wait_active(name)
        got = self.scan(name)
        self.delete_table(name)

        def why(pk):
            if pk in deleted:
                return "deleted while PITR was off"
            if pk in puts:
                return "put while PITR was off"
            if pk not in before_off:
                return "absent since before the disable"
            return "unchanged while PITR was off"

        def when(pk):
            # Writes of the key that overlapped the disable's request (from this cycle's journal).
            entries = self.load.journal.entries
            off = next((e for e in entries if e["op"] == "UpdateContinuousBackups"), None)
            if off is None:
                return ""
            racing = [
                f"{e['op']} {e.get('v', '')} sent {e['t0'] - off['t0']:+.3f}s, answered {e['t1'] - off['t0']:+.3f}s".replace("  ", " ")
                for e in entries
                if e["key"] == pk and e["op"] in ("PutItem", "DeleteItem") and e["t0"] < off["t1"] and e["t1"] > off["t0"]
            ]
            if not racing:
                return ""
            return f" [{'; '.join(racing)} from the disable's request, answered {off['t1'] - off['t0']:+.3f}s]"

        # An item not as it was at T: a version of the earlier PITR period answered (an item
        # deleted or put while PITR was off, found as that period left it).
        wrong = sorted(pk for pk in set(got) | set(state) if got.get(pk) != state.get(pk) and (pk in got or pk in puts))
        if wrong:
            examples = "; ".join(
                f"{pk} ({why(pk)}): restored {str(got.get(pk))[:100]}, at T {str(state.get(pk))[:100]}{when(pk)}" for pk in wrong[:4]
            )
            stale(
                f"restore of {PITR_TABLE} as of T={at} (a second after PITR was enabled again; the disable was {how}) "
                f"shows {len(wrong)} items not as they were at T: {examples}",
                n=len(wrong),
            )
        missing = sorted(pk for pk in set(state) - set(got) if pk not in puts)
        if missing:
            lost(f"restore of {PITR_TABLE} as of T={at} (after PITR was enabled again) lacks items there at T: {missing[:5]}")
        return f"pitr-off {len(deleted)}del/{len(puts)}put T+{len(wrong)} stale"

    def verify_recreate(self, cycle, lost, corrupt, stale, other, inject) -> str:
        m = self.model
        job = m.rec_job
        t = self.table_exists(REC_TABLE)
        gen = None  # the generation of the table there now
        if job is None:
            if t is None:
                lost(f"{REC_TABLE} gone (nobody deleted it this cycle)")
            elif t.get("TableId") != m.rec_table_id:
                other(f"{REC_TABLE} has TableId {t.get('TableId')}, not {m.rec_table_id} (nobody recreated it this cycle)")
                gen = m.rec_gen
            else:
                gen = m.rec_gen
        elif t is None:
            if job.create == Outcome.OK:
                lost(f"{REC_TABLE}: CreateTable after its DeleteTable was acknowledged, the table is gone after the restart")
        elif t.get("TableId") == job.old_id:
            if job.delete == Outcome.OK:
                stale(f"{REC_TABLE}: the table deleted by an acknowledged DeleteTable is back after the restart (TableId {job.old_id})")
            gen = job.old_gen
        else:
            if job.create is None or (job.new_id is not None and t.get("TableId") != job.new_id):
                other(f"{REC_TABLE} has TableId {t.get('TableId')}: neither the deleted one {job.old_id} nor the one created {job.new_id}")
            gen = job.new_gen
        if t is not None and t["TableStatus"] != "ACTIVE":
            t = self.wait_active(REC_TABLE)
        out = f"rec g{gen}" if job is None else f"rec g{job.old_gen}->{gen or '-'}"
        if t is None:
            self.fill_recreate(None, job.new_gen if job else m.rec_gen + 1)
            return out + "(made now)"
        if inject:
            print(f"  self-test: putting an item of generation {gen - 1} into {REC_TABLE}", flush=True)
            self.ddb.put_item(TableName=REC_TABLE, Item=rec_item("r#00000", gen - 1, "injected"))
        items = self.scan(REC_TABLE)
        old = {pk: raw for pk, raw in items.items() if json.loads(raw)["gen"]["N"] != str(gen)}
        if old:
            pk = sorted(old)[0]
            stale(
                f"{REC_TABLE} (generation {gen}, TableId {t.get('TableId')}) shows {len(old)} items of another generation, "
                f"e.g. {pk}: {old[pk][:120]}",
                n=len(old),
            )
        current = {pk: raw for pk, raw in items.items() if pk not in old}
        if job is not None and gen == job.new_gen:
            self.check_registers(job.puts, current, REC_TABLE, lost)
            strays = sorted(set(current) - set(job.puts))
            if strays:
                other(f"{REC_TABLE} (recreated): items nobody put: {strays[:5]}")
        else:
            expected = {pk: raw for pk, raw in m.rec_items.items() if pk not in old}  # old ones are reported above
            if current != expected:
                lost(f"{REC_TABLE} (generation {gen}, not recreated): " + self.diff(expected, current))
        # Its index: entries of this generation only, one per item.
        for g in range(max(0, gen - 10), gen + 1):
            keys = {it["pk"]["S"] for it in self.query_all(
                TableName=REC_TABLE, IndexName="by-gen", KeyConditionExpression="gen = :g",
                ExpressionAttributeValues={":g": {"N": str(g)}},
            )}
            if g != gen and keys:
                stale(f"{REC_TABLE} (generation {gen}): its index by-gen answers {len(keys)} items of generation {g}: {sorted(keys)[:5]}", n=len(keys))
            if g == gen and keys != set(current):
                corrupt(f"{REC_TABLE}: index by-gen for generation {gen}: " + self.diff({k: "" for k in current}, {k: "" for k in keys}))
        count = t.get("ItemCount")
        index_count = next((i.get("ItemCount") for i in t.get("GlobalSecondaryIndexes", []) if i["IndexName"] == "by-gen"), None)
        if (count, index_count) != (len(items), len(items)):
            other(f"{REC_TABLE} (generation {gen}): DescribeTable ItemCount {count}, index ItemCount {index_count}, {len(items)} items")
        self.fill_recreate(t, gen)
        return out

    # ---- CloudFormation ----------------------------------------------------------------------

    def stack_events(self, stack: str, cfn=None, limit: int = 30) -> str:
        """The stack's events, newest first, one `logical STATUS (reason)` each (all of them
        kept for the evidence)."""
        cfn = cfn or self.cfn
        try:
            events, kwargs = [], dict(StackName=stack)
            while True:
                page = cfn.describe_stack_events(**kwargs)
                events += page["StackEvents"]
                if not page.get("NextToken"):
                    break
                kwargs["NextToken"] = page["NextToken"]
        except Exception as e:  # noqa: BLE001 - evidence only
            return f"(DescribeStackEvents failed: {e})"
        name = events[0]["StackName"] if events else stack
        self.cfn_events[name] = [
            {k: e.get(k) for k in ("Timestamp", "LogicalResourceId", "PhysicalResourceId", "ResourceType", "ResourceStatus", "ResourceStatusReason")}
            for e in events
        ]
        brief = [
            f"{e['LogicalResourceId']} {e['ResourceStatus']}"
            + (f" ({e['ResourceStatusReason']})" if e.get("ResourceStatusReason") else "")
            for e in events[:limit]
        ]
        return " | ".join(brief) + (f" | … {len(events) - limit} older" if len(events) > limit else "")

    def stack_iam(self, name: str) -> tuple[list, list]:
        """The IAM roles named `<name>-Role-…` (ListRoles, PathPrefix "/") and the customer
        managed policies named `<name>-Managed-…` (ListPolicies, Scope Local) that exist."""
        roles, kwargs = [], dict(PathPrefix="/")
        while True:
            page = self.iam.list_roles(**kwargs)
            roles += [r for r in page["Roles"] if r["RoleName"].startswith(f"{name}-Role-")]
            if not page.get("IsTruncated"):
                break
            kwargs["Marker"] = page["Marker"]
        policies, kwargs = [], dict(Scope="Local")
        while True:
            page = self.iam.list_policies(**kwargs)
            policies += [p for p in page["Policies"] if p["PolicyName"].startswith(f"{name}-Managed-")]
            if not page.get("IsTruncated"):
                break
            kwargs["Marker"] = page["Marker"]
        return roles, policies

    def remove_iam(self, roles: list, policies: list) -> None:
        """Deletes roles (names; their managed policies detached and inline ones deleted first)
        and customer managed policies (ARNs; detached from every role, their other versions
        deleted first), so what was reported is reported once."""
        client_error = botocore.exceptions.ClientError
        if policies:
            for role in self.iam.list_roles(PathPrefix="/")["Roles"]:
                try:
                    attached = self.iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
                except client_error:
                    continue
                for a in attached:
                    if a["PolicyArn"] in policies:
                        try:
                            self.iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=a["PolicyArn"])
                        except client_error:
                            pass
            for arn in policies:
                try:
                    for v in self.iam.list_policy_versions(PolicyArn=arn)["Versions"]:
                        if not v["IsDefaultVersion"]:
                            self.iam.delete_policy_version(PolicyArn=arn, VersionId=v["VersionId"])
                    self.iam.delete_policy(PolicyArn=arn)
                except client_error:
                    pass
        for name in roles:
            try:
                for a in self.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                    self.iam.detach_role_policy(RoleName=name, PolicyArn=a["PolicyArn"])
                for inline in self.iam.list_role_policies(RoleName=name)["PolicyNames"]:
                    self.iam.delete_role_policy(RoleName=name, PolicyName=inline)
                self.iam.delete_role(RoleName=name)
            except client_error:
                pass

    def cfn_leftovers(self, name: str) -> list:
        """The stack's table and bucket (both named `name`), roles named `<name>-Role-…` and
        customer managed policies named `<name>-Managed-…` that still exist."""
        left = []
        if self.table_exists(name) is not None:
            left.append(f"table {name}")
        try:
            self.s3.head_bucket(Bucket=name)
            left.append(f"bucket {name}")
        except botocore.exceptions.ClientError as e:
            if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                left.append(f"bucket {name} (HeadBucket {error_code(e)})")
        roles, policies = self.stack_iam(name)
        left += [f"role {r['RoleName']} (Path {r.get('Path')})" for r in roles]
        left += [f"managed policy {p['Arn']}" for p in policies]
        return left

    def remove_leftovers(self, name: str) -> None:
        """Deletes what `cfn_leftovers` found (once reported), so it is reported once."""
        self.delete_table(name)
        try:
            self.s3.delete_bucket(Bucket=name)
        except botocore.exceptions.ClientError:
            pass
        roles, policies = self.stack_iam(name)
        self.remove_iam([r["RoleName"] for r in roles], [p["Arn"] for p in policies])

    def verify_cfn(self, cycle, failures, lost, corrupt) -> str:
        """Every stack of the CloudFormation load once its operation has settled after the
        restart: status, template, resources (see the module's docstring). Then the model takes
        what is there; DELETE_COMPLETE stacks leave it."""
        m, cfn = self.model, self.cfn
        counts: dict[str, int] = {}
        resumed, replaced = 0, self.cfn_totals["replaced"]
        calls = sum(len(st.ops) for st in m.stacks.values())
        doubt = sum(1 for st in m.stacks.values() for _, o, _ in st.ops if o == Outcome.AMBIGUOUS)
        for st in list(m.stacks.values()):
            ref = st.stack_id or st.name
            try:
                stack = cfn.describe_stacks(StackName=ref)["Stacks"][0]
            except botocore.exceptions.ClientError as e:
                if "does not exist" not in e.response.get("Error", {}).get("Message", ""):
                    raise
                stack = None
            if stack is None:
                if st.create == Outcome.OK or st.stack_id:
                    lost(f"stack {st.name}: CreateStack acknowledged ({st.stack_id}), DescribeStacks: does not exist")
                else:
                    left = self.cfn_leftovers(st.name)
                    if left:
                        corrupt(f"stack {st.name}: CreateStack in doubt at the kill left no stack but {', '.join(left)}")
                        self.remove_leftovers(st.name)
                del m.stacks[st.name]
                counts["never made"] = counts.get("never made", 0) + 1
                continue
            st.stack_id = stack["StackId"]
            status = stack["StackStatus"]
            if status.endswith("_IN_PROGRESS"):
                resumed += 1
                deadline = time.monotonic() + CFN_TIMEOUT
                while status.endswith("_IN_PROGRESS") and time.monotonic() < deadline:
                    time.sleep(0.1)
                    stack = cfn.describe_stacks(StackName=st.stack_id)["Stacks"][0]
                    status = stack["StackStatus"]
            reason = stack.get("StackStatusReason")
            ops = ", ".join(f"{op} {o}" for op, o, _ in st.ops) or "none"
            about = f"stack {st.name} ({status}; this cycle's calls: {ops}; verified before: {st.status})"
            if status.endswith("_IN_PROGRESS"):
                corrupt(f"{about}: still {status} {CFN_TIMEOUT:.0f}s after the restart; events: {self.stack_events(st.stack_id)}")
                continue  # checked again after the next restart
            # The statuses the calls made allow: the last acknowledged one's, or a later in-doubt one's.
            last_ok = max((i for i, (_, o, _) in enumerate(st.ops) if o == Outcome.OK), default=None)
            if last_ok is None:
                possible = set(CFN_ENDS["create"]) if st.status is None else {st.status}
                later = st.ops
            else:
                possible = set(CFN_ENDS[st.ops[last_ok][0]])
                later = st.ops[last_ok + 1 :]
            for op, o, _ in later:
                possible |= set(CFN_ENDS[op])
            if st.seen is not None:
                possible = {st.seen[0]}  # seen settled after the last call: it must stay so
            if status not in CFN_SETTLED:
                corrupt(f"{about}: ends {status} ({reason}), a status the load never allows; events: {self.stack_events(st.stack_id)}")
            elif status not in possible:
                what = f"seen {st.seen[0]} after the last call" if st.seen else f"expected one of {sorted(possible)}"
                lost(f"{about}: {what}, found {status} ({reason}); events: {self.stack_events(st.stack_id)}")
            counts[status] = counts.get(status, 0) + 1
            # An update toggling the role's Path (a replacement) in doubt at the kill: how it ended.
            if st.effective is not None and any(
                op == "update" and o == Outcome.AMBIGUOUS and sp[2] != st.effective[2] for op, o, sp in st.ops
            ):
                self.cfn_totals["cut"] += 1
                self.cfn_totals["cut_rolled_back"] += status == "UPDATE_ROLLBACK_COMPLETE"
            problems = []
            spec = None
            if status in CFN_UPDATABLE:
                spec = cfn_spec(cfn.get_template(StackName=st.stack_id)["TemplateBody"])
                if status == "CREATE_COMPLETE":
                    allowed = [st.sent[0]] if st.status in (None, "CREATE_COMPLETE") else [st.effective]
                elif st.seen is not None and st.seen[1] is not None:
                    allowed = [st.seen[1]]
                else:
                    allowed = st.sent
                if spec not in allowed:
                    problems.append(f"GetTemplate answers spec {spec} (pitr, gsi, role path); expected one of {allowed}")
                found, role = self.check_stack_resources(st, spec)
                problems += found
                if role and st.role and role != st.role:
                    self.cfn_totals["replaced"] += 1
                st.role = role
            elif status in ("ROLLBACK_COMPLETE", "DELETE_COMPLETE"):
                left = self.cfn_leftovers(st.name)
                if left:
                    problems.append(f"{', '.join(left)} still there (deleted now, so reported once)")
                    self.remove_leftovers(st.name)
            if problems:
                lost(f"{about}: " + "; ".join(problems) + f"; events: {self.stack_events(st.stack_id)}")
            # The model takes what is there.
            st.status, st.ops, st.seen, st.deleting = status, [], None, False
            st.effective = spec if spec is not None else st.effective
            if status == "DELETE_COMPLETE":
                del m.stacks[st.name]
        self.cfn_totals["stacks"] += sum(counts.values())
        self.cfn_totals["resumed"] += resumed
        if not counts:
            return "cfn -"
        replaced = self.cfn_totals["replaced"] - replaced
        return (
            f"cfn {calls} calls ({doubt} in doubt), " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
            + (f" ({resumed} settling after the restart)" if resumed else "") + (f", {replaced} roles replaced" if replaced else "")
        )

    def check_stack_resources(self, st: CfnStack, spec) -> tuple[list, str | None]:
        """Problems with a *_COMPLETE stack's resources: ListStackResources lists the five,
        *_COMPLETE with their physical ids, and each exists as the template says; exactly one
        role and one managed policy carry the stack's generated names (others are reported,
        then deleted). Also the Role's physical id."""
        problems = []
        listed, kwargs = {}, dict(StackName=st.stack_id)
        while True:
            page = self.cfn.list_stack_resources(**kwargs)
            for r in page["StackResourceSummaries"]:
                listed[r["LogicalResourceId"]] = r
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        if set(listed) != set(CFN_LOGICAL):
            problems.append(f"ListStackResources lists {sorted(listed)}, not {sorted(CFN_LOGICAL)}")
        for logical, r in listed.items():
            if r["ResourceStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
                problems.append(f"{logical} is {r['ResourceStatus']} ({r.get('ResourceStatusReason')})")
            if r.get("ResourceType") != CFN_LOGICAL.get(logical):
                problems.append(f"{logical} has type {r.get('ResourceType')}")
        phys = {logical: r.get("PhysicalResourceId") for logical, r in listed.items()}
        if phys.get("Table"):
            t = self.table_exists(phys["Table"])
            deadline = time.monotonic() + CFN_TIMEOUT
            while t is not None and (t["TableStatus"] != "ACTIVE" or any(
                g["IndexStatus"] != "ACTIVE" for g in t.get("GlobalSecondaryIndexes", [])
            )) and time.monotonic() < deadline:
                time.sleep(0.1)
                t = self.table_exists(phys["Table"])
            if t is None:
                problems.append(f"Table {phys['Table']}: DescribeTable: ResourceNotFoundException")
            else:
                gsis = sorted(g["IndexName"] + ("" if g["IndexStatus"] == "ACTIVE" else f" {g['IndexStatus']}")
                              for g in t.get("GlobalSecondaryIndexes", []))
                if t["TableStatus"] != "ACTIVE":
                    problems.append(f"Table {phys['Table']} is {t['TableStatus']}")
                if spec is not None and gsis != (["by-g"] if spec[1] else []):
                    problems.append(f"Table {phys['Table']} has indexes {gsis}, the template {'by-g' if spec[1] else 'none'}")
                pitr = self.describe_pitr(phys["Table"])["PointInTimeRecoveryStatus"]
                if spec is not None and pitr != ("ENABLED" if spec[0] else "DISABLED"):
                    problems.append(f"Table {phys['Table']}: PITR {pitr}, the template says {'on' if spec[0] else 'off'}")
            if phys["Table"] != st.name:
                problems.append(f"Table's physical id {phys['Table']} is not its TableName {st.name}")
        elif "Table" in listed:
            problems.append("Table has no physical id")
        if phys.get("Bucket"):
            try:
                self.s3.head_bucket(Bucket=phys["Bucket"])
            except botocore.exceptions.ClientError as e:
                problems.append(f"Bucket {phys['Bucket']}: HeadBucket {error_code(e)}")
        elif "Bucket" in listed:
            problems.append("Bucket has no physical id")
        if "Policy" in listed:
            try:
                self.s3.get_bucket_policy(Bucket=st.name)
            except botocore.exceptions.ClientError as e:
                problems.append(f"Policy (physical id {phys.get('Policy')!r}): GetBucketPolicy of {st.name}: {error_code(e)}")
        problems += self.check_stack_iam(st, spec, phys, "Role" in listed, "Managed" in listed)
        return problems, phys.get("Role")

    def check_stack_iam(self, st: CfnStack, spec, phys: dict, has_role: bool, has_managed: bool) -> list:
        """The stack's role and managed policy: GetRole finds the Role's physical id with the
        template's Path; ListRoles shows exactly that one role named `<stack>-Role-…` (a
        replaced role, or one a create cut short made, is an orphan); ListAttachedRolePolicies
        of it includes the Managed policy's ARN; ListPolicies (Local) shows exactly that one
        policy named `<stack>-Managed-…`. Orphans are deleted once reported."""
        problems = []
        role, managed = phys.get("Role"), phys.get("Managed")
        roles, policies = self.stack_iam(st.name)
        if role:
            if not role.startswith(f"{st.name}-Role-") or len(role) > 64:
                problems.append(f"Role's physical id {role} is not a name generated for it ({st.name}-Role-…, at most 64)")
            try:
                got = self.iam.get_role(RoleName=role)["Role"]
                if spec is not None and got.get("Path") != spec[2]:
                    problems.append(f"Role {role}: Path {got.get('Path')!r}, the template {spec[2]!r}")
            except botocore.exceptions.ClientError as e:
                problems.append(f"Role {role}: GetRole {error_code(e)}")
        elif has_role:
            problems.append("Role has no physical id")
        names = sorted(r["RoleName"] for r in roles)
        if names != ([role] if role else []):
            paths = {r["RoleName"]: r.get("Path") for r in roles}
            problems.append(
                f"ListRoles shows {len(names)} roles named {st.name}-Role-…: "
                + ", ".join(f"{n} ({paths[n]})" for n in names)
                + f"; the stack's is {role}" + (" (orphans deleted now, so reported once)" if set(names) - {role} else "")
            )
            self.remove_iam([n for n in names if n != role], [])
        if managed:
            if not managed.startswith(f"arn:aws:iam::{ACCOUNT}:policy/{st.name}-Managed-"):
                problems.append(f"Managed's physical id {managed} is not the ARN of a policy named {st.name}-Managed-…")
            if role:
                try:
                    attached = [a["PolicyArn"] for a in self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]
                    if managed not in attached:
                        problems.append(f"ListAttachedRolePolicies of {role} answers {attached}, not {managed}")
                except botocore.exceptions.ClientError as e:
                    problems.append(f"ListAttachedRolePolicies of {role}: {error_code(e)}")
        elif has_managed:
            problems.append("Managed has no physical id")
        arns = sorted(p["Arn"] for p in policies)
        if arns != ([managed] if managed else []):
            problems.append(
                f"ListPolicies (Local) shows {len(arns)} policies named {st.name}-Managed-…: {arns}; the stack's is {managed}"
                + (" (orphans deleted now, so reported once)" if set(arns) - {managed} else "")
            )
            self.remove_iam([], [a for a in arns if a != managed])
        return problems

    def wait_active(self, name: str) -> dict:
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:
            t = self.table_exists(name)
            if t and t["TableStatus"] == "ACTIVE":
                return t
            if time.monotonic() > deadline:
                raise RuntimeError(f"table {name} not ACTIVE after {JOB_TIMEOUT}s: {t and t['TableStatus']}")
            time.sleep(0.05)

    def verify_jobs(self, cycle, failures, lost, corrupt) -> dict:
        m = self.model
        out = {"exp": 0, "exp_kms": 0, "imp": 0, "rst": 0}

        # Exports: every one the server knows about (ListExports), acknowledged or found.
        by_token = {e.token: e for e in m.exports if e.arn is None}
        ours = {e.arn for e in m.exports if e.arn}
        kwargs = dict(TableArn=TABLE_ARN, MaxResults=25)
        while True:
            page = self.ddb.list_exports(**kwargs)
            for s in page.get("ExportSummaries", []):
                arn = s["ExportArn"]
                if arn in self.seen_exports:
                    if s["ExportStatus"] != self.seen_exports[arn]:
                        failures.append(f"export {arn} was {self.seen_exports[arn]}, is now {s['ExportStatus']}")
                        self.other += 1
                        self.seen_exports[arn] = s["ExportStatus"]
                    continue
                if arn in ours:
                    continue
                d = self.ddb.describe_export(ExportArn=arn)["ExportDescription"]
                job = by_token.get(d["ClientToken"])
                if job is None:
                    failures.append(f"export {arn} (ClientToken {d['ClientToken']}) nobody asked for")
                    self.other += 1
                    self.seen_exports[arn] = d["ExportStatus"]
                    continue
                job.arn = arn
            if "NextToken" not in page:
                break
            kwargs["NextToken"] = page["NextToken"]
        if any(e.outcome == Outcome.AMBIGUOUS for e in m.exports):
            # The client's retry after the crash: the same request with the same ClientToken
            # answers the export it made, if the server had recorded it, else starts it now.
            for job in m.exports:
                if job.outcome != Outcome.AMBIGUOUS:
                    continue
                d = self.ddb.export_table_to_point_in_time(**job.request)["ExportDescription"]
                if job.arn is not None and d["ExportArn"] != job.arn:
                    failures.append(
                        f"export {job.token}: the ClientToken replay after the crash started {d['ExportArn']} "
                        f"although {job.arn} exists"
                    )
                    self.other += 1
                job.replayed = job.arn is None
                job.arn = d["ExportArn"]
        for job in m.exports:
            if job.arn is None:
                if job.outcome == Outcome.OK:
                    lost(f"acknowledged export {job.token} unknown to the server")
                continue
            d = self.wait_job(lambda: self.ddb.describe_export(ExportArn=job.arn)["ExportDescription"], "ExportStatus")
            job.status = d["ExportStatus"]
            self.seen_exports[job.arn] = job.status
            out["exp"] += 1
            out["exp_kms"] += job.kms is not None
            if job.status == "IN_PROGRESS":
                corrupt(f"export {job.arn} still IN_PROGRESS {JOB_TIMEOUT}s after restart")
            elif job.status == "FAILED":
                self.failed_jobs += 1
                self.notes.append(f"note: export {job.arn} FAILED: {d.get('FailureCode')} {d.get('FailureMessage')}")
            else:
                problems = self.check_export(job, d)
                if problems:
                    corrupt(f"export {job.arn} (as of {job.as_of}, {'acknowledged' if job.outcome == Outcome.OK else 'in flight at the kill'}): " + "; ".join(problems))
                else:
                    m.completed_exports.append(job)
        # Re-verify the kept exports' files (old blobs must survive restarts too).
        for job in list(m.completed_exports):
            if job.cycle == cycle:
                continue
            for key, md5 in job.manifest.items():
                try:
                    body, _ = self.get_bytes(key)
                except botocore.exceptions.ClientError as e:
                    lost(f"export {job.arn}: data file {key} gone: {error_code(e)}")
                    m.completed_exports.remove(job)
                    break
                if b64md5(body) != md5:
                    lost(f"export {job.arn}: data file {key} changed (md5 {b64md5(body)} != {md5})")
                    m.completed_exports.remove(job)
                    break

        # Imports.
        for job in m.imports:
            if job.arn is None:
                found = self.ddb.list_imports(TableArn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{job.table}").get("ImportSummaryList", [])
                if found:
                    job.arn = found[0]["ImportArn"]
                elif job.outcome == Outcome.OK:
                    lost(f"acknowledged import {job.token} unknown to the server")
                    continue
                else:
                    if self.table_exists(job.table):
                        corrupt(f"import {job.token} in flight at the kill: no import record but its table exists")
                        self.delete_table(job.table)
                    continue
            d = self.wait_job(lambda: self.ddb.describe_import(ImportArn=job.arn)["ImportTableDescription"], "ImportStatus")
            out["imp"] += 1
            status = d["ImportStatus"]
            if status == "IN_PROGRESS":
                corrupt(f"import {job.arn} still IN_PROGRESS {JOB_TIMEOUT}s after restart")
                continue
            if status == "FAILED":
                self.failed_jobs += 1
                self.notes.append(f"note: import {job.arn} FAILED: {d.get('FailureCode')} {d.get('FailureMessage')}")
            else:
                t = self.table_exists(job.table)
                if t is None or t["TableStatus"] != "ACTIVE":
                    corrupt(f"import {job.arn} COMPLETED but table {job.table} is {t and t['TableStatus']}")
                else:
                    got = self.scan(job.table)
                    if got != job.source.items:
                        corrupt(f"import {job.arn} COMPLETED with the wrong items: " + self.diff(job.source.items, got))
                    if d.get("ImportedItemCount") != len(job.source.items) or d.get("ErrorCount") != 0:
                        corrupt(
                            f"import {job.arn}: ImportedItemCount {d.get('ImportedItemCount')} ErrorCount {d.get('ErrorCount')}, "
                            f"the export holds {len(job.source.items)}"
                        )
            self.delete_table(job.table)

        # Restores.
        for job in m.restores:
            t = self.table_exists(job.table)
            if t is None:
                if job.outcome == Outcome.OK:
                    lost(f"acknowledged restore into {job.table} as of {job.as_of}: no table")
                continue
            out["rst"] += 1
            snap = next((s for s in m.snapshots if s.time == job.as_of), None)
            deadline = time.monotonic() + JOB_TIMEOUT
            while t and t["TableStatus"] == "CREATING" and time.monotonic() < deadline:
                time.sleep(0.1)
                t = self.table_exists(job.table)
            if t is None or t["TableStatus"] != "ACTIVE":
                corrupt(f"restore into {job.table}: table {t and t['TableStatus']} {JOB_TIMEOUT}s after restart")
            else:
                got = self.scan(job.table)
                if got != snap.items:
                    what = "acknowledged" if job.outcome == Outcome.OK else "in flight at the kill, left ACTIVE"
                    msg = f"restore into {job.table} ({what}) as of checkpoint {job.as_of} (cycle {snap.cycle}): " + self.diff(snap.items, got)
                    corrupt(msg)
            self.delete_table(job.table)

        m.exports, m.imports, m.restores = [], [], []
        # Keep a few completed exports; delete the files of older ones.
        while len(m.completed_exports) > EXPORTS_KEPT:
            old = m.completed_exports.pop(0)
            keys = [{"Key": k} for k in self.list_keys(old.prefix + "/")]
            for i in range(0, len(keys), 1000):
                self.s3.delete_objects(Bucket=BUCKET, Delete={"Objects": keys[i : i + 1000]})
        return out

    def wait_job(self, describe, status_field: str) -> dict:
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:
            d = describe()
            if d[status_field] != "IN_PROGRESS" or time.monotonic() > deadline:
                return d
            time.sleep(0.05)

    def check_export(self, job: ExportJob, d: dict) -> list:
        """Problems with a COMPLETED export's files (empty when it is whole and right)."""
        problems = []
        summary_key = d.get("ExportManifest")
        if not summary_key:
            return ["no ExportManifest"]
        root = summary_key.rsplit("/", 1)[0] + "/"
        stored = self.list_keys(root)
        if not root.startswith(job.prefix + "/AWSDynamoDB/"):
            problems.append(f"manifest {summary_key} outside the prefix {job.prefix}")
        if root + "_started" not in stored:
            problems.append("no _started")
        need = ["manifest-summary.json", "manifest-summary.md5", "manifest-files.json", "manifest-files.md5"]
        missing = [n for n in need if root + n not in stored]
        if missing:
            return problems + [f"missing {missing}"]
        summary_bytes, _ = self.get_bytes(root + "manifest-summary.json")
        summary_md5, _ = self.get_bytes(root + "manifest-summary.md5")
        if summary_md5.decode().strip() != b64md5(summary_bytes):
            problems.append("manifest-summary.md5 does not match manifest-summary.json")
        summary = json.loads(summary_bytes)
        files_key = summary.get("manifestFilesS3Key")
        if files_key != root + "manifest-files.json":
            problems.append(f"manifestFilesS3Key {files_key}")
        files_bytes, _ = self.get_bytes(root + "manifest-files.json")
        files_md5, _ = self.get_bytes(root + "manifest-files.md5")
        if files_md5.decode().strip() != b64md5(files_bytes):
            problems.append("manifest-files.md5 does not match manifest-files.json")
        items, counted, manifest = {}, 0, {}
        data_prefixes = set()
        for line in files_bytes.decode().splitlines():
            entry = json.loads(line)
            key = entry["dataFileS3Key"]
            data_prefixes.add(key.rsplit("/", 1)[0] + "/")
            if key not in stored:
                problems.append(f"data file {key} named by manifest-files.json is missing")
                continue
            body, etag = self.get_bytes(key)
            manifest[key] = entry["md5Checksum"]
            if b64md5(body) != entry["md5Checksum"]:
                problems.append(f"data file {key}: md5 {b64md5(body)} != manifest {entry['md5Checksum']}")
                continue
            if etag != entry["etag"]:
                problems.append(f"data file {key}: ETag {etag} != manifest {entry['etag']}")
            try:
                lines = gzip.decompress(body).decode().splitlines()
            except (OSError, EOFError, UnicodeDecodeError) as e:
                problems.append(f"data file {key}: not gzip'd UTF-8 ({e})")
                continue
            if len(lines) != entry["itemCount"]:
                problems.append(f"data file {key}: {len(lines)} lines, manifest says {entry['itemCount']}")
            counted += len(lines)
            for l in lines:
                item = json.loads(l)["Item"]
                pk = item["pk"]["S"]
                if pk in items:
                    problems.append(f"item {pk} exported twice")
                items[pk] = canon(item)
        # Data files nobody names.
        unnamed = [k for k in stored if "/data/" in k and k not in manifest]
        if unnamed:
            problems.append(f"data files not in the manifest: {unnamed[:3]}")
        if summary.get("itemCount") != counted:
            problems.append(f"manifest-summary itemCount {summary.get('itemCount')} != {counted} lines in the data files")
        if d.get("ItemCount") != counted:
            problems.append(f"DescribeExport ItemCount {d.get('ItemCount')} != {counted} lines in the data files")
        if job.as_of is not None:
            snap = next((s for s in self.model.snapshots if s.time == job.as_of), None)
            if snap is not None and items != snap.items:
                problems.append(f"contents differ from checkpoint {job.as_of} (cycle {snap.cycle}): " + self.diff(snap.items, items))
        if job.kms is not None:
            # S3SseAlgorithm=KMS: said so, and every file SSE-KMS under the key.
            said = {
                "DescribeExport": (d.get("S3SseAlgorithm"), d.get("S3SseKmsKeyId")),
                "manifest-summary.json": (summary.get("s3SseAlgorithm"), summary.get("s3SseKmsKeyId")),
            }
            for who, sse in said.items():
                if sse != ("KMS", job.kms):
                    problems.append(f"{who} names encryption {sse}, not ('KMS', {job.kms!r})")
            for key in sorted(stored):
                head = self.s3.head_object(Bucket=BUCKET, Key=key)
                sse = (head.get("ServerSideEncryption"), head.get("SSEKMSKeyId"))
                if sse != ("aws:kms", job.kms):
                    problems.append(f"{key} stored with encryption {sse}, not ('aws:kms', {job.kms!r})")
                    break
        if len(data_prefixes) == 1:
            job.data_prefix = data_prefixes.pop()
        elif not problems:
            job.data_prefix = root + "data/"
        job.items, job.manifest = items, manifest
        return problems

    # ---- self-test -----------------------------------------------------------------------------

    def inject_faults(self, cycle: int) -> None:
        """Damages acknowledged state through the API, as a lost write would: the verification
        that follows must report every one of these."""
        m = self.model
        print(f"  self-test: injecting faults after the restart of cycle {cycle}", flush=True)
        # An acknowledged put disappears.
        for pk, reg in m.kv.items():
            if reg.ops and reg.ops[-1][0] == Outcome.OK and reg.ops[-1][1] is not None:
                self.ddb.delete_item(TableName=TABLE, Key={"pk": {"S": pk}})
                break
        # A transaction half-applied: one balance moves without its partner or log.
        self.ddb.update_item(
            TableName=TABLE, Key={"pk": {"S": "acct#00"}}, UpdateExpression="SET bal = bal + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        # An acknowledged object's bytes change.
        for key, reg in m.objects.items():
            if reg.possible() != [None]:
                self.s3.put_object(Bucket=BUCKET, Key=key, Body=b"not what was acknowledged")
                break
        # An acknowledged version of the versioned bucket is deleted by its VersionId, and a
        # version nobody wrote appears under another key.
        for key, vk in m.vkeys.items():
            made = [v for o, op, v in vk.ops if o == Outcome.OK and op != "remove" and v.vid]
            if made and made[-1].vid not in {vid for _, op, vid in vk.ops if op == "remove"}:
                self.s3.delete_object(Bucket=VBUCKET, Key=key, VersionId=made[-1].vid)
                break
        self.s3.put_object(Bucket=VBUCKET, Key=next(iter(m.vkeys)), Body=b"a version nobody wrote")
        # An acknowledged SSE-KMS object's bytes (and key) change.
        for key, reg in m.kobjects.items():
            if reg.possible() != [None]:
                self.s3.put_object(Bucket=KBUCKET, Key=key, Body=b"not what was acknowledged", ServerSideEncryption="aws:kms")
                break
        # A stack verified complete loses its bucket policy and gains an orphan role (as a
        # replacement left behind would be).
        # (one whose delete was in flight when the kill landed may already be gone: the next)
        for st in m.stacks.values():
            if st.status in CFN_UPDATABLE:
                try:
                    self.s3.delete_bucket_policy(Bucket=st.name)
                except self.s3.exceptions.NoSuchBucket:
                    continue
                trust = {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
                ]}
                self.iam.create_role(RoleName=f"{st.name}-Role-SELFTEST0000", Path="/", AssumeRolePolicyDocument=json.dumps(trust))
                break
        # A kept export loses a data file.
        for job in m.completed_exports:
            if job.manifest:
                self.s3.delete_object(Bucket=BUCKET, Key=next(iter(job.manifest)))
                break

    # ---- checkpoints -----------------------------------------------------------------------

    def checkpoint(self, cycle: int, failures: list) -> None:
        m = self.model
        # Prune old transaction logs (a prefix of every account's chain) into the base.
        table = self.scan(TABLE)
        doomed = []
        for pk, raw in table.items():
            if pk.startswith("log#"):
                log = json.loads(raw)
                if int(log["cyc"]["N"]) <= cycle - LOG_KEEP_CYCLES:
                    doomed.append(pk)
                    amt = int(log["amt"]["N"])
                    for side, sign in (("src", -1), ("dst", 1)):
                        acct = m.accounts[log[side]["S"]]
                        acct.base_ver += 1
                        acct.base_bal += sign * amt
        for i in range(0, len(doomed), 25):
            requests = [{"DeleteRequest": {"Key": {"pk": {"S": pk}}}} for pk in doomed[i : i + 25]]
            pending = {TABLE: requests}
            while pending:
                pending = self.ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
        for pk in doomed:
            m.tx_known.discard(pk[4:])
            table.pop(pk)
        if doomed:
            after = self.scan(TABLE)
            if after != table:
                failures.append("LOST: pruning the transaction logs changed more than the logs: " + self.diff(table, after))
                self.lost += 1
        now = self.server.service_now()
        t = math.ceil(now)
        if t - now < 0.001:
            t += 1
        step = CLOCK_STEP
        if cycle and self.args.stream_rollover_every and cycle % self.args.stream_rollover_every == 0:
            step += SHARD_PERIOD  # crash-kv's stream rolls over to a new shard before the next load
        self.clock_offset = self.server.admin("/_strata/clock", {"advance_seconds": step})["offset_seconds"]
        m.snapshots.append(Snapshot(time=t, cycle=cycle, items=table))
        # The last few, plus one every 25 cycles for "as of" checks far back; all inside the
        # 35-day recovery period (the clock moves CLOCK_STEP per cycle).
        recent = m.snapshots[-SNAPSHOTS_KEPT:]
        horizon = t - 34 * 86400
        m.snapshots = [s for s in m.snapshots if s.time > horizon and (s.cycle % 25 == 0 or any(s is r for r in recent))]

    # ---- evidence ----------------------------------------------------------------------------

    def keep_evidence(self, cycle: int, failures: list, load: Load) -> None:
        if self.evidence_kept >= self.args.max_evidence:
            return
        self.evidence_kept += 1
        dest = self.evidence_root / f"cycle-{cycle:05d}"
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "failures.txt").write_text("\n".join(failures) + "\n")
        load.journal.dump(dest / "journal.jsonl")
        if self.cfn_events:
            (dest / "stack-events.json").write_text(json.dumps(self.cfn_events, indent=1, default=str))
        for p in sorted(self.log_dir.glob("server-*.log"))[-3:]:
            shutil.copy2(p, dest / p.name)
        pre = self.workdir / "pre-restart"
        if pre.exists():
            shutil.copytree(pre, dest / "pre-restart", dirs_exist_ok=True)
        # The data directory as it is now (after recovery and the verification's reads).
        shutil.copytree(self.data_dir / "db", dest / "data-after-restart" / "db", dirs_exist_ok=True)
        print(f"  evidence kept in {dest}", flush=True)

    def rotate_logs(self, cycle: int) -> None:
        logs = sorted(self.log_dir.glob("server-c*.log"))
        for p in logs[:-3]:
            p.unlink()

    # ---- main loop -----------------------------------------------------------------------------

    def run(self) -> int:
        self.seen_exports: dict = {}  # export ARN -> its status when last verified
        self.evidence_kept = 0
        print(
            f"strata server crash harness: {self.args.cycles} cycles, {self.args.workers} workers, seed {self.args.seed}, "
            f"workdir {self.workdir}, binary {os.environ.get('STRATA_BIN', '(default)')}",
            flush=True,
        )
        began = time.monotonic()
        done = 0
        try:
            self.setup()
            for cycle in range(1, self.args.cycles + 1):
                s = self.run_cycle(cycle)
                done = cycle
                jobs = ",".join(s["plan"]) or "-"
                print(
                    f"cycle {cycle}: load {s['load']:.2f}s {s['acks']} acks {s['amb']} in doubt, killed with {s['in_flight']} in flight"
                    f"{' (aimed at ' + s['aimed'] + ')' if s['aimed'] else ''}; "
                    f"restart {s['restart']:.2f}s; kv {s['kv']} keys changed, {s['tx']} txs, s3 {s['s3']} keys changed; {s['s3v']}; {s['kms']}; "
                    f"jobs [{jobs}] exp {s['exp']}{' (' + str(s['exp_kms']) + ' KMS)' if s['exp_kms'] else ''} imp {s['imp']} rst {s['rst']}"
                    f"{''.join(f' ({n} {k} resumed)' for k, n in s['resumed'].items() if n)}"
                    f"{' pitr ' + s['pitr'] if 'pitr' in s else ''}; {s['stream']}; {s['maint']}; {s['cfn']}; data {s['du'] / MIB:.0f} MiB; "
                    f"{s['seconds']:.1f}s{'' if not s['failures'] else ' — ' + str(len(s['failures'])) + ' problem(s)'}",
                    flush=True,
                )
                for f in s["failures"] + self.notes:
                    print("  " + f, flush=True)
                if self.lost + self.corrupt + self.stale + self.other + sum(self.stream_violations.values()) >= self.args.max_failures:
                    print(f"stopping after {self.args.max_failures} failures", flush=True)
                    break
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            self.other += 1
        finally:
            self.server.stop()
        elapsed = time.monotonic() - began
        streamed = sum(self.stream_violations.values())
        print(
            f"{done} cycles, {self.lost} lost writes, {self.corrupt} corrupt jobs, {self.stale} stale versions, "
            f"{streamed} stream violations"
            f"{' (' + ', '.join(f'{n} {k}' for k, n in sorted(self.stream_violations.items())) + ')' if streamed else ''}"
            f"{f', {self.other} other failures' if self.other else ''}"
            f" ({self.failed_jobs} jobs FAILED, {self.resumed['export']} exports and {self.resumed['import']} imports resumed"
            f" after a restart; {self.kills_in_backfill} kills during an index backfill,"
            f" {self.backfills_resumed} indexes still CREATING after the restart;"
            f" {self.cfn_totals['stacks']} stacks verified, {self.cfn_totals['resumed']} settling after a restart,"
            f" {self.cfn_totals['replaced']} roles replaced, {self.cfn_totals['cut']} replacements in doubt at the kill"
            f" ({self.cfn_totals['cut_rolled_back']} rolled back);"
            f" {elapsed:.0f}s, {elapsed / max(done, 1):.1f}s per cycle)",
            flush=True,
        )
        ok = self.lost == 0 and self.corrupt == 0 and self.stale == 0 and self.other == 0 and streamed == 0
        if ok and not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        elif not ok:
            print(f"workdir kept: {self.workdir}; evidence: {self.evidence_root}", flush=True)
        return 0 if ok else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cycles", type=int, default=int(os.environ.get("STRATA_SERVER_CRASH_CYCLES", "20")))
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--seed", type=int, default=int(os.environ.get("STRATA_SERVER_CRASH_SEED", random.randrange(1 << 31))))
    p.add_argument("--min-load", type=float, default=0.2)
    p.add_argument("--max-load", type=float, default=2.0)
    p.add_argument("--jobs-every", type=int, default=2, help="an export every N cycles, an import and a restore as often")
    p.add_argument("--job-kill", type=float, default=0.5,
                   help="probability that a job's start moves the kill to 0-120 ms after it")
    p.add_argument("--pitr-every", type=int, default=3, help="a quiescent restore-as-of check every N cycles (0: never)")
    p.add_argument("--index-every", type=int, default=3,
                   help="add a GSI to crash-gsi (deleting it first if there) under load every N cycles (0: never)")
    p.add_argument("--pitr-off-every", type=int, default=4,
                   help="disable PITR on crash-pitr under load every N cycles, then check as-of reads after re-enabling (0: never)")
    p.add_argument("--recreate-every", type=int, default=5,
                   help="delete and recreate crash-recreate under load every N cycles (0: never)")
    p.add_argument("--stream-rollover-every", type=int, default=8,
                   help="move the server clock a shard period (4 h) further at every Nth checkpoint, so crash-kv's "
                        "stream rolls over to a new shard (and records age out after 24 h of server clock; 0: never)")
    p.add_argument("--maintenance-kill", type=float, default=0.8,
                   help="probability that a maintenance job moves the kill to 0-150 ms after its request's answer")
    p.add_argument("--cfn-every", type=int, default=1,
                   help="run the CloudFormation load (stacks created, updated, deleted) every N cycles (0: never)")
    p.add_argument("--cfn-kill", type=float, default=0.3,
                   help="probability that a cycle's kill lands 0-300 ms after its first stack call of a random kind is sent")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--workdir", default=None)
    p.add_argument("--evidence-dir", default=None)
    p.add_argument("--keep", action="store_true", help="keep the work directory even when all is well")
    p.add_argument("--no-pre-restart-copy", dest="keep_pre_restart", action="store_false",
                   help="do not copy the database before each restart (evidence)")
    p.add_argument("--max-failures", type=int, default=20)
    p.add_argument("--max-evidence", type=int, default=5)
    p.add_argument("--inject-at", type=int, action="append", default=[],
                   help="self-test: after the restart of this cycle, damage acknowledged data behind the "
                        "harness's back (the run must then fail)")
    args = p.parse_args(argv)
    if args.evidence_dir is None:
        args.evidence_dir = f"/tmp/strata-crash-evidence-{time.strftime('%Y%m%d-%H%M%S')}-{args.seed}"
    return Harness(args).run()


if __name__ == "__main__":
    sys.exit(main())
