"""KMS (JSON 1.1, `TrentService`) through boto3 and the AWS CLI: keys and their metadata,
aliases, key states and deletion, tags, symmetric encryption, and key-policy authorization
within and across accounts.

Expected values come from AWS, not from the implementation: `/work/shared/spec/kms-sse.md`
(each fact with its AWS source), LocalStack's AWS-validated snapshots
(`tests/aws/services/kms/test_kms.snapshot.json`, "LS-KMS" below), moto's `aws_verified`
tests (`tests/test_kms/test_kms_encrypt.py`) and the botocore model. Where the spec marks a
text UNCONFIRMED, only the error code is checked. Access-denied texts are compared with and
without a trailing period, which the spec leaves open (§3.5).
"""

import base64
import json
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from aws_helpers import client_error, policy, role_assumer, unique
from conftest import start_server

SOURCE, DEST = "111111111111", "222222222222"
REGION = "us-east-1"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DAY = 86400


# --- helpers --------------------------------------------------------------------------


def key_arn(account, key_id, region=REGION):
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def alias_arn(account, name):
    return f"arn:aws:kms:{REGION}:{account}:{name}"


def root_arn(account):
    return f"arn:aws:iam::{account}:root"


def default_policy(account):
    """The default key policy of an API-created key (spec §3.1; CloudTrail sample, same Id and
    Sid in LS-KMS `test_replicate_key` ReplicaPolicy)."""
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": root_arn(account)},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def allow_stmt(principal, action, sid=None, condition=None):
    stmt = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*"}
    if sid:
        stmt["Sid"] = sid
    if condition:
        stmt["Condition"] = condition
    return stmt


def new_key(kms, **kwargs):
    return kms.create_key(**kwargs)["KeyMetadata"]


def assert_error(resp, code, message=None, status=400):
    assert resp["Error"]["Code"] == code, resp
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == status, resp
    if message is not None:
        assert resp["Error"].get("Message", "") == message, resp


def assert_denied(resp, text=None):
    """AccessDeniedException, HTTP 400 (spec §1.1); `text` compared with or without a final
    period (UNCONFIRMED, spec §3.5)."""
    assert_error(resp, "AccessDeniedException")
    if text is not None:
        assert resp["Error"]["Message"] in (text, text + "."), resp


def identity_denied(caller, op, arn):
    return (
        f"User: {caller} is not authorized to perform: kms:{op} on resource: {arn} "
        f"because no identity-based policy allows the kms:{op} action"
    )


def resource_denied(caller, op, arn):
    return (
        f"User: {caller} is not authorized to perform: kms:{op} on resource: {arn} "
        f"because no resource-based policy allows the kms:{op} action"
    )


def cross_account_denied(caller, op):
    return (
        f"User: {caller} is not authorized to perform: kms:{op} on this resource because the "
        "resource does not exist in this Region, no resource-based policies allow access, or a "
        "resource-based policy explicitly denies access"
    )


def iam_user(server, account="source", identity_policy=None, prefix="kmsuser"):
    """A new IAM user of `account` with an access key and, if given, an inline policy;
    returns (its ARN, a KMS client signing as it)."""
    iam = server.client("iam", account)
    name = unique(prefix)
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if identity_policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(identity_policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    kms = server.client(
        "kms", account, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    return arn, kms, name


def identity(action, resource="*"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def all_aliases(kms, **kwargs):
    return [a for page in kms.get_paginator("list_aliases").paginate(**kwargs) for a in page["Aliases"]]


def all_keys(kms):
    return [k for page in kms.get_paginator("list_keys").paginate() for k in page["Keys"]]


def as_dt(value):
    assert isinstance(value, datetime), value
    return value.astimezone(timezone.utc)


# --- CreateKey, DescribeKey, key policies ----------------------------------------------


def test_create_key_metadata_and_default_policy(server):
    kms = server.client("kms")
    before = datetime.now(timezone.utc) - timedelta(minutes=5)
    meta = new_key(kms)
    # Spec §2.1 (LS-KMS test_create_key, test_non_multi_region_keys...).
    assert UUID_RE.match(meta["KeyId"]), meta
    assert meta["AWSAccountId"] == SOURCE
    assert meta["Arn"] == key_arn(SOURCE, meta["KeyId"])
    assert meta["Enabled"] is True
    assert meta["KeyState"] == "Enabled"
    assert meta["KeyManager"] == "CUSTOMER"
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["CustomerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert meta["Origin"] == "AWS_KMS"
    assert meta["MultiRegion"] is False
    assert meta["Description"] == ""
    assert "MultiRegionConfiguration" not in meta
    assert "DeletionDate" not in meta
    assert before < as_dt(meta["CreationDate"]) < datetime.now(timezone.utc) + timedelta(minutes=5)

    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    for field in ("KeyId", "Arn", "AWSAccountId", "KeyState", "Enabled", "KeySpec", "Description", "Origin"):
        assert described[field] == meta[field], field

    got = kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")
    assert got["PolicyName"] == "default"
    assert json.loads(got["Policy"]) == default_policy(SOURCE)
    # PolicyName is optional and defaults to "default" (spec §2.3); the key ARN is accepted.
    got = kms.get_key_policy(KeyId=meta["Arn"])
    assert json.loads(got["Policy"]) == default_policy(SOURCE)

    listed = kms.list_key_policies(KeyId=meta["KeyId"])
    assert listed["PolicyNames"] == ["default"]
    assert listed["Truncated"] is False


def test_default_policy_names_the_creating_account(server):
    kms = server.client("kms", "destination")
    meta = new_key(kms)
    assert meta["AWSAccountId"] == DEST
    assert meta["Arn"] == key_arn(DEST, meta["KeyId"])
    assert json.loads(kms.get_key_policy(KeyId=meta["KeyId"])["Policy"]) == default_policy(DEST)


def test_create_key_with_description_and_tags(server):
    kms = server.client("kms")
    tags = [{"TagKey": "team", "TagValue": "storage"}, {"TagKey": "empty", "TagValue": ""}]
    meta = new_key(kms, Description="orders table key", Tags=tags)
    assert meta["Description"] == "orders table key"
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["Description"] == "orders table key"
    listed = kms.list_resource_tags(KeyId=meta["KeyId"])
    assert sorted(listed["Tags"], key=lambda t: t["TagKey"]) == sorted(tags, key=lambda t: t["TagKey"])
    assert listed["Truncated"] is False


def test_create_key_with_a_custom_policy_is_stored(server):
    kms = server.client("kms")
    document = {
        "Version": "2012-10-17",
        "Id": "custom-1",
        "Statement": [allow_stmt(root_arn(SOURCE), "kms:*", sid="Admins")],
    }
    meta = new_key(kms, Policy=json.dumps(document))
    assert json.loads(kms.get_key_policy(KeyId=meta["KeyId"])["Policy"]) == document


def test_tag_exceptions(server):
    kms = server.client("kms")
    # Spec §2.1: reserved aws: prefix and duplicate keys → TagException (LS-KMS); texts not
    # checked (only fragments are recorded).
    assert_error(
        client_error(lambda: kms.create_key(Tags=[{"TagKey": "aws:reserved", "TagValue": "x"}])), "TagException"
    )
    meta = new_key(kms)
    assert_error(
        client_error(
            lambda: kms.tag_resource(KeyId=meta["KeyId"], Tags=[{"TagKey": "aws:owner", "TagValue": "x"}])
        ),
        "TagException",
    )
    assert_error(
        client_error(
            lambda: kms.tag_resource(
                KeyId=meta["KeyId"],
                Tags=[{"TagKey": "dup", "TagValue": "1"}, {"TagKey": "dup", "TagValue": "2"}],
            )
        ),
        "TagException",
    )
    assert kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"] == []


def test_tag_untag_and_list_resource_tags(server):
    kms = server.client("kms")
    meta = new_key(kms)
    assert kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"] == []
    kms.tag_resource(
        KeyId=meta["KeyId"],
        Tags=[{"TagKey": "env", "TagValue": "test"}, {"TagKey": "owner", "TagValue": "alice"}],
    )
    # Tagging an existing key edits its value; the key ARN is accepted.
    kms.tag_resource(KeyId=meta["Arn"], Tags=[{"TagKey": "owner", "TagValue": "bob"}])
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=meta["Arn"])["Tags"]}
    assert tags == {"env": "test", "owner": "bob"}
    kms.untag_resource(KeyId=meta["KeyId"], TagKeys=["env"])
    assert kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"] == [{"TagKey": "owner", "TagValue": "bob"}]


def test_describe_key_by_every_identifier(server):
    kms = server.client("kms")
    meta = new_key(kms)
    name = f"alias/{unique('describe')}"
    kms.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
    for identifier in (meta["KeyId"], meta["Arn"], name, alias_arn(SOURCE, name)):
        got = kms.describe_key(KeyId=identifier)["KeyMetadata"]
        assert got["KeyId"] == meta["KeyId"], identifier
        assert got["Arn"] == meta["Arn"], identifier


def test_describe_key_not_found_texts(server):
    kms = server.client("kms")
    missing = str(uuid.uuid4())
    # LS-KMS test_get_key_does_not_exist (by ID and by ARN).
    assert_error(
        client_error(lambda: kms.describe_key(KeyId=missing)),
        "NotFoundException",
        f"Key '{key_arn(SOURCE, missing)}' does not exist",
    )
    assert_error(
        client_error(lambda: kms.describe_key(KeyId=key_arn(SOURCE, missing))),
        "NotFoundException",
        f"Key '{key_arn(SOURCE, missing)}' does not exist",
    )
    # LS-KMS test_get_key_invalid_uuid.
    assert_error(
        client_error(lambda: kms.describe_key(KeyId="fake-key-id")), "NotFoundException", "Invalid keyId 'fake-key-id'"
    )
    assert_error(
        client_error(lambda: kms.describe_key(KeyId="134f2428cec14b25a1ae9048164dba47")),
        "NotFoundException",
        "Invalid keyId '134f2428cec14b25a1ae9048164dba47'",
    )
    # Spec §2.1 (LIVE): a missing alias.
    name = f"alias/{unique('missing')}"
    assert_error(
        client_error(lambda: kms.describe_key(KeyId=name)),
        "NotFoundException",
        f"Alias {alias_arn(SOURCE, name)} is not found.",
    )


def test_key_arn_in_another_region_is_not_found(server):
    kms = server.client("kms")
    meta = new_key(kms)
    # LS-KMS test_get_key_in_different_region: "Invalid arn <region of the ARN>".
    other = key_arn(SOURCE, meta["KeyId"], region="eu-west-1")
    assert_error(client_error(lambda: kms.describe_key(KeyId=other)), "NotFoundException", "Invalid arn eu-west-1")
    assert_error(
        client_error(lambda: kms.encrypt(KeyId=other, Plaintext=b"x")), "NotFoundException", "Invalid arn eu-west-1"
    )


def test_list_keys_is_per_account_and_pages(server):
    kms = server.client("kms")
    mine = {new_key(kms)["KeyId"] for _ in range(3)}
    theirs = new_key(server.client("kms", "destination"))["KeyId"]

    seen, marker, pages = [], None, 0
    while True:
        kwargs = {"Limit": 2} if marker is None else {"Limit": 2, "Marker": marker}
        page = kms.list_keys(**kwargs)
        pages += 1
        assert len(page["Keys"]) <= 2
        seen += page["Keys"]
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
        assert pages < 10000
    ids = [k["KeyId"] for k in seen]
    assert len(ids) == len(set(ids)), "a key listed twice across pages"
    assert mine <= set(ids)
    assert pages >= 2
    assert theirs not in ids
    for entry in seen:
        assert entry["KeyArn"] == key_arn(SOURCE, entry["KeyId"])
    # The other account lists its key and none of ours.
    dest_ids = {k["KeyId"] for k in all_keys(server.client("kms", "destination"))}
    assert theirs in dest_ids and not (mine & dest_ids)


# --- aliases ---------------------------------------------------------------------------


def test_create_alias_errors(server):
    kms = server.client("kms")
    meta = new_key(kms)
    # LS-KMS test_create_alias.
    assert_error(
        client_error(lambda: kms.create_alias(AliasName=unique("noprefix"), TargetKeyId=meta["KeyId"])),
        "ValidationException",
        'Alias must start with the prefix "alias/". '
        "Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
    )
    name = f"alias/{unique('dup')}"
    kms.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
    # Spec §2.2: the code; the text is UNCONFIRMED.
    assert_error(
        client_error(lambda: kms.create_alias(AliasName=name, TargetKeyId=new_key(kms)["KeyId"])),
        "AlreadyExistsException",
    )
    # The reserved prefix is refused (code UNCONFIRMED) and nothing is created.
    reserved = f"alias/aws/{unique('mine')}"
    resp = client_error(lambda: kms.create_alias(AliasName=reserved, TargetKeyId=meta["KeyId"]))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [a["AliasName"] for a in all_aliases(kms, KeyId=meta["KeyId"])] == [name]


def test_list_update_delete_aliases(server):
    kms = server.client("kms")
    first, second = new_key(kms), new_key(kms)
    a, b = f"alias/{unique('la')}", f"alias/{unique('lb')}"
    kms.create_alias(AliasName=a, TargetKeyId=first["KeyId"])
    kms.create_alias(AliasName=b, TargetKeyId=first["Arn"])

    entries = all_aliases(kms, KeyId=first["KeyId"])
    assert sorted(e["AliasName"] for e in entries) == sorted([a, b])
    for e in entries:
        assert e["AliasArn"] == alias_arn(SOURCE, e["AliasName"])
        assert e["TargetKeyId"] == first["KeyId"]
        as_dt(e["CreationDate"])
        as_dt(e["LastUpdatedDate"])
    # ListAliases takes the key ARN too; without KeyId it lists every alias of the account.
    assert sorted(e["AliasName"] for e in all_aliases(kms, KeyId=first["Arn"])) == sorted([a, b])
    everything = {e["AliasName"]: e for e in all_aliases(kms)}
    assert everything[a]["TargetKeyId"] == first["KeyId"]
    assert all_aliases(kms, KeyId=second["KeyId"]) == []
    # Another account sees none of them.
    assert a not in {e["AliasName"] for e in all_aliases(server.client("kms", "destination"))}

    kms.update_alias(AliasName=a, TargetKeyId=second["KeyId"])
    assert kms.describe_key(KeyId=a)["KeyMetadata"]["KeyId"] == second["KeyId"]
    assert [e["AliasName"] for e in all_aliases(kms, KeyId=second["KeyId"])] == [a]
    assert kms.encrypt(KeyId=a, Plaintext=b"retargeted")["KeyId"] == second["Arn"]

    kms.delete_alias(AliasName=a)
    assert_error(
        client_error(lambda: kms.describe_key(KeyId=a)), "NotFoundException", f"Alias {alias_arn(SOURCE, a)} is not found."
    )
    assert [e["AliasName"] for e in all_aliases(kms, KeyId=first["KeyId"])] == [b]
    # The key stays.
    assert kms.describe_key(KeyId=second["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_encrypt_through_an_alias(server):
    kms = server.client("kms")
    meta = new_key(kms)
    name = f"alias/{unique('enc')}"
    kms.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
    for identifier in (name, alias_arn(SOURCE, name)):
        out = kms.encrypt(KeyId=identifier, Plaintext=b"via alias")
        # The response names the key ARN (MODEL; moto test_encrypt).
        assert out["KeyId"] == meta["Arn"]
        back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"])
        assert back["Plaintext"] == b"via alias" and back["KeyId"] == meta["Arn"]


# --- key states ------------------------------------------------------------------------


def test_disable_and_enable_key(server):
    kms = server.client("kms")
    meta = new_key(kms)
    arn = meta["Arn"]
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"before")["CiphertextBlob"]

    kms.disable_key(KeyId=meta["KeyId"])
    kms.disable_key(KeyId=arn)  # idempotent
    got = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert got["KeyState"] == "Disabled" and got["Enabled"] is False
    # Spec §2.4 (KDG key-state table; LS-S3 KMS.DisabledException text): 400.
    disabled = f"{arn} is disabled."
    assert_error(client_error(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")), "DisabledException", disabled)
    assert_error(client_error(lambda: kms.decrypt(CiphertextBlob=blob)), "DisabledException", disabled)
    assert_error(
        client_error(lambda: kms.generate_data_key(KeyId=meta["KeyId"], KeySpec="AES_256")),
        "DisabledException",
        disabled,
    )
    # Non-crypto operations still work on a disabled key.
    kms.get_key_policy(KeyId=meta["KeyId"])
    kms.tag_resource(KeyId=meta["KeyId"], Tags=[{"TagKey": "k", "TagValue": "v"}])
    # CancelKeyDeletion on a key that is not pending deletion.
    assert_error(
        client_error(lambda: kms.cancel_key_deletion(KeyId=meta["KeyId"])),
        "KMSInvalidStateException",
        f"{arn} is not pending deletion.",
    )

    kms.enable_key(KeyId=meta["KeyId"])
    kms.enable_key(KeyId=meta["KeyId"])  # idempotent
    got = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert got["KeyState"] == "Enabled" and got["Enabled"] is True
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"


def test_cancel_key_deletion_of_an_enabled_key(server):
    kms = server.client("kms")
    meta = new_key(kms)
    assert_error(
        client_error(lambda: kms.cancel_key_deletion(KeyId=meta["KeyId"])),
        "KMSInvalidStateException",
        f"{meta['Arn']} is not pending deletion.",
    )


@pytest.mark.parametrize("days", [1, 6, 31, 365])
def test_pending_window_outside_7_to_30_is_refused(server, days):
    kms = server.client("kms")
    meta = new_key(kms)
    resp = client_error(lambda: kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=days))
    # Spec §2.4 [LIVE, Skyscanner/kms-issuer #8]; the text's ending is not pinned down.
    assert_error(resp, "ValidationException")
    assert resp["Error"]["Message"].startswith("PendingWindowInDays must be between 7 and 30"), resp
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_schedule_and_cancel_key_deletion(server):
    kms = server.client("kms")
    meta = new_key(kms)
    arn = meta["Arn"]
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
    early_alias = f"alias/{unique('pending')}"
    kms.create_alias(AliasName=early_alias, TargetKeyId=meta["KeyId"])

    now = datetime.now(timezone.utc)
    out = kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    # Response: KeyId is the key ARN (MODEL: "The Amazon Resource Name (key ARN) of the KMS key
    # whose deletion is scheduled").
    assert out["KeyId"] == arn
    assert out["KeyState"] == "PendingDeletion"
    assert out["PendingWindowInDays"] == 7
    deletion = as_dt(out["DeletionDate"])
    assert now + timedelta(days=7) - timedelta(hours=1) <= deletion <= now + timedelta(days=8, hours=1)

    got = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert got["KeyState"] == "PendingDeletion"
    assert got["Enabled"] is False
    assert abs((as_dt(got["DeletionDate"]) - deletion).total_seconds()) < 2

    pending = f"{arn} is pending deletion."
    for call in (
        lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x"),
        lambda: kms.decrypt(CiphertextBlob=blob),
        lambda: kms.generate_data_key(KeyId=meta["KeyId"], KeySpec="AES_256"),
        lambda: kms.enable_key(KeyId=meta["KeyId"]),
        lambda: kms.disable_key(KeyId=meta["KeyId"]),
        lambda: kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7),
        lambda: kms.tag_resource(KeyId=meta["KeyId"], Tags=[{"TagKey": "k", "TagValue": "v"}]),
        lambda: kms.create_alias(AliasName=f"alias/{unique('late')}", TargetKeyId=meta["KeyId"]),
    ):
        assert_error(client_error(call), "KMSInvalidStateException", pending)
    # DeleteAlias works in every key state (spec §2.2, §2.4).
    kms.delete_alias(AliasName=early_alias)
    assert all_aliases(kms, KeyId=meta["KeyId"]) == []
    # These work in every state (spec §2.4 table).
    kms.get_key_policy(KeyId=meta["KeyId"])
    kms.list_key_policies(KeyId=meta["KeyId"])
    kms.list_resource_tags(KeyId=meta["KeyId"])
    assert meta["KeyId"] in {k["KeyId"] for k in all_keys(kms)}

    cancelled = kms.cancel_key_deletion(KeyId=meta["KeyId"])
    assert cancelled["KeyId"] == arn
    got = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    # KDG deleting-keys-cancelling-key-deletion: the key comes back Disabled.
    assert got["KeyState"] == "Disabled" and got["Enabled"] is False
    assert "DeletionDate" not in got
    assert_error(
        client_error(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")), "DisabledException", f"{arn} is disabled."
    )
    kms.enable_key(KeyId=meta["KeyId"])
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_schedule_key_deletion_defaults_to_30_days(server):
    kms = server.client("kms")
    meta = new_key(kms)
    now = datetime.now(timezone.utc)
    out = kms.schedule_key_deletion(KeyId=meta["Arn"])
    assert out["PendingWindowInDays"] == 30
    assert now + timedelta(days=30) - timedelta(hours=1) <= as_dt(out["DeletionDate"]) <= now + timedelta(days=31, hours=1)
    kms.cancel_key_deletion(KeyId=meta["Arn"])


def test_key_is_gone_after_the_waiting_period(workdir):
    s = start_server(workdir / f"kms-clock-{uuid.uuid4().hex[:6]}")
    try:
        kms = s.client("kms")
        meta = new_key(kms)
        arn = meta["Arn"]
        name = f"alias/{unique('doomed')}"
        kms.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
        blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"lost")["CiphertextBlob"]
        keep = new_key(kms)
        kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)

        s.advance_clock(6 * DAY)
        assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"

        s.advance_clock(2 * DAY)
        assert_error(
            client_error(lambda: kms.describe_key(KeyId=meta["KeyId"])),
            "NotFoundException",
            f"Key '{arn}' does not exist",
        )
        ids = {k["KeyId"] for k in all_keys(kms)}
        assert meta["KeyId"] not in ids and keep["KeyId"] in ids
        # KMS deletes the key's aliases with it (MODEL ScheduleKeyDeletion).
        assert name not in {a["AliasName"] for a in all_aliases(kms)}
        # A blob under a deleted key (spec §2.5, LIVE).
        assert_denied(
            client_error(lambda: kms.decrypt(CiphertextBlob=blob)),
            "The ciphertext refers to a customer master key that does not exist, does not exist in "
            "this region, or you are not allowed to access",
        )
        assert kms.describe_key(KeyId=keep["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    finally:
        s.stop()


# --- cryptography ----------------------------------------------------------------------


def test_encrypt_decrypt_round_trip(server):
    kms = server.client("kms")
    meta = new_key(kms)
    plaintext = bytes(range(256)) * 4
    out = kms.encrypt(KeyId=meta["KeyId"], Plaintext=plaintext)
    assert out["KeyId"] == meta["Arn"]
    assert out["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert plaintext not in out["CiphertextBlob"]
    # AES-GCM with a fresh IV: the same plaintext never gives the same blob.
    assert kms.encrypt(KeyId=meta["KeyId"], Plaintext=plaintext)["CiphertextBlob"] != out["CiphertextBlob"]

    # Decrypt finds the key in the blob: KeyId is optional for symmetric keys.
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"])
    assert back["Plaintext"] == plaintext
    assert back["KeyId"] == meta["Arn"]
    assert back["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    for identifier in (meta["KeyId"], meta["Arn"]):
        assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"], KeyId=identifier)["Plaintext"] == plaintext
    # 4096 bytes is the limit, inclusive.
    big = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"z" * 4096)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=big)["Plaintext"] == b"z" * 4096


def test_encryption_context_must_match(server):
    kms = server.client("kms")
    meta = new_key(kms)
    context = {"purpose": "test", "table": "orders"}
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"bound", EncryptionContext=context)["CiphertextBlob"]
    # Order is irrelevant.
    reordered = {"table": "orders", "purpose": "test"}
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)["Plaintext"] == b"bound"
    # Missing, different, extra or differently cased → InvalidCiphertextException with an empty
    # message (LS-KMS test_encrypt_decrypt_encryption_context: "Message": "").
    for wrong in (
        None,
        {"purpose": "test"},
        {"purpose": "prod", "table": "orders"},
        {"purpose": "test", "table": "orders", "extra": "x"},
        {"Purpose": "test", "table": "orders"},
    ):
        kwargs = {} if wrong is None else {"EncryptionContext": wrong}
        assert_error(
            client_error(lambda: kms.decrypt(CiphertextBlob=blob, **kwargs)), "InvalidCiphertextException", ""
        )
    # A blob made without a context does not decrypt with one.
    plain = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"free")["CiphertextBlob"]
    assert_error(
        client_error(lambda: kms.decrypt(CiphertextBlob=plain, EncryptionContext={"a": "b"})),
        "InvalidCiphertextException",
        "",
    )


def test_corrupted_ciphertext_is_invalid(server):
    kms = server.client("kms")
    meta = new_key(kms)
    blob = bytearray(kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"intact")["CiphertextBlob"])
    blob[-1] ^= 0x01
    assert_error(client_error(lambda: kms.decrypt(CiphertextBlob=bytes(blob))), "InvalidCiphertextException", "")
    truncated = bytes(blob[:-8])
    assert_error(client_error(lambda: kms.decrypt(CiphertextBlob=truncated)), "InvalidCiphertextException", "")


def test_decrypt_with_another_key_id_is_incorrect_key(server):
    kms = server.client("kms")
    first, second = new_key(kms), new_key(kms)
    blob = kms.encrypt(KeyId=first["KeyId"], Plaintext=b"mine")["CiphertextBlob"]
    # Spec §2.5 (LS-KMS test_error_messaging_for_invalid_keys); API reference: "The KeyId in a
    # Decrypt request ... must identify the same KMS key that was used to encrypt".
    assert_error(
        client_error(lambda: kms.decrypt(CiphertextBlob=blob, KeyId=second["KeyId"])),
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


def test_plaintext_over_4096_bytes(server):
    kms = server.client("kms")
    meta = new_key(kms)
    # moto aws_verified test_encrypt_key_with_large_content; LS-KMS test_plaintext_size_for_encrypt.
    assert_error(
        client_error(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x" * 4097)),
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
    )
    # moto aws_verified test_encrypt_key_with_empty_content.
    assert_error(
        client_error(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"")),
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )


def test_generate_data_key(server):
    kms = server.client("kms")
    meta = new_key(kms)
    out = kms.generate_data_key(KeyId=meta["KeyId"], KeySpec="AES_256")
    assert len(out["Plaintext"]) == 32
    assert out["KeyId"] == meta["Arn"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"])
    assert back["Plaintext"] == out["Plaintext"] and back["KeyId"] == meta["Arn"]

    assert len(kms.generate_data_key(KeyId=meta["Arn"], KeySpec="AES_128")["Plaintext"]) == 16
    for n in (1, 64, 1024):
        sized = kms.generate_data_key(KeyId=meta["KeyId"], NumberOfBytes=n)
        assert len(sized["Plaintext"]) == n
        assert kms.decrypt(CiphertextBlob=sized["CiphertextBlob"])["Plaintext"] == sized["Plaintext"]

    # Exactly one of KeySpec / NumberOfBytes (MODEL); the text is not checked.
    assert_error(
        client_error(lambda: kms.generate_data_key(KeyId=meta["KeyId"], KeySpec="AES_256", NumberOfBytes=32)),
        "ValidationException",
    )
    assert_error(client_error(lambda: kms.generate_data_key(KeyId=meta["KeyId"])), "ValidationException")


def test_generate_data_key_with_context(server):
    kms = server.client("kms")
    meta = new_key(kms)
    context = {"aws:s3:arn": "arn:aws:s3:::bucket/object"}
    out = kms.generate_data_key(KeyId=meta["KeyId"], KeySpec="AES_256", EncryptionContext=context)
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext=context)["Plaintext"] == out["Plaintext"]
    # LS-KMS test_encryption_context_generate_data_key.
    assert_error(
        client_error(lambda: kms.decrypt(CiphertextBlob=out["CiphertextBlob"])), "InvalidCiphertextException", ""
    )


def test_generate_data_key_without_plaintext(server):
    kms = server.client("kms")
    meta = new_key(kms)
    out = kms.generate_data_key_without_plaintext(KeyId=meta["KeyId"], KeySpec="AES_256")
    assert "Plaintext" not in out
    assert out["KeyId"] == meta["Arn"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"])
    assert len(back["Plaintext"]) == 32 and back["KeyId"] == meta["Arn"]


def test_re_encrypt_to_another_key(server):
    kms = server.client("kms")
    first, second = new_key(kms), new_key(kms)
    blob = kms.encrypt(KeyId=first["KeyId"], Plaintext=b"moving", EncryptionContext={"from": "one"})["CiphertextBlob"]
    out = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"from": "one"},
        DestinationKeyId=second["KeyId"],
        DestinationEncryptionContext={"to": "two"},
    )
    # moto test_re_encrypt_decrypt: SourceKeyId and KeyId are key ARNs.
    assert out["SourceKeyId"] == first["Arn"]
    assert out["KeyId"] == second["Arn"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"to": "two"})
    assert back["Plaintext"] == b"moving" and back["KeyId"] == second["Arn"]
    assert_error(
        client_error(lambda: kms.decrypt(CiphertextBlob=out["CiphertextBlob"], KeyId=first["KeyId"], EncryptionContext={"to": "two"})),
        "IncorrectKeyException",
    )
    # The source context must match too.
    assert_error(
        client_error(lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=second["KeyId"])),
        "InvalidCiphertextException",
        "",
    )


# --- authorization: key policies -------------------------------------------------------


def test_iam_user_needs_an_identity_policy_on_a_default_key(server):
    kms = server.client("kms")
    meta = new_key(kms)
    user_arn, as_user, name = iam_user(server)
    # Spec §3.5 row 1 [LIVE copilot-cli #5500, trussworks #48].
    assert_denied(
        client_error(lambda: as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")),
        identity_denied(user_arn, "Encrypt", meta["Arn"]),
    )
    server.client("iam").put_user_policy(
        UserName=name, PolicyName="enc", PolicyDocument=json.dumps(identity("kms:Encrypt", meta["Arn"]))
    )
    blob = as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"allowed")["CiphertextBlob"]
    # Only kms:Encrypt was granted.
    assert_denied(
        client_error(lambda: as_user.decrypt(CiphertextBlob=blob)), identity_denied(user_arn, "Decrypt", meta["Arn"])
    )
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"allowed"
    # An identity policy on another key's ARN does not help.
    other = new_key(kms)
    assert_denied(
        client_error(lambda: as_user.encrypt(KeyId=other["KeyId"], Plaintext=b"x")),
        identity_denied(user_arn, "Encrypt", other["Arn"]),
    )


def test_identity_deny_wins_over_key_policy(server):
    kms = server.client("kms")
    meta = new_key(kms)
    deny_all = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": meta["Arn"]},
        ],
    }
    _, as_user, _ = iam_user(server, identity_policy=deny_all)
    assert_denied(client_error(lambda: as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")))
    as_user.describe_key(KeyId=meta["KeyId"])


def test_key_policy_without_account_delegation(server):
    kms = server.client("kms")
    iam = server.client("iam")
    assumer_arn, sts = role_assumer(server, "source")
    role_name = unique("kms-role")
    role = iam.create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": root_arn(SOURCE)}, "Action": "sts:AssumeRole"}],
            }
        ),
    )["Role"]
    role_only = policy(allow_stmt(role["Arn"], "kms:*", sid="RoleOnly"))

    # The caller (root) could not manage the key afterwards: lockout check (spec §2.1, LIVE).
    assert_error(
        client_error(lambda: kms.create_key(Policy=role_only)),
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
    )
    meta = new_key(kms, Policy=role_only, BypassPolicyLockoutSafetyCheck=True)

    # Spec §3.2 rule 2 and §3.5 row 2: neither the root nor an admin user gets in.
    assert_denied(
        client_error(lambda: kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")),
        resource_denied(root_arn(SOURCE), "Encrypt", meta["Arn"]),
    )
    assert_denied(client_error(lambda: kms.get_key_policy(KeyId=meta["KeyId"])))
    admin_arn, as_admin, _ = iam_user(server, identity_policy=identity("*"), prefix="kmsadmin")
    assert_denied(
        client_error(lambda: as_admin.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")),
        resource_denied(admin_arn, "Encrypt", meta["Arn"]),
    )

    # The named role needs no identity policy in the key's account (rule 3).
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="kms")["Credentials"]
    as_role = server.client(
        "kms",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    blob = as_role.encrypt(KeyId=meta["KeyId"], Plaintext=b"role data")["CiphertextBlob"]
    assert as_role.decrypt(CiphertextBlob=blob)["Plaintext"] == b"role data"
    assert json.loads(as_role.get_key_policy(KeyId=meta["KeyId"])["Policy"]) == json.loads(role_only)
    # The role may delegate the key to the account again (keeping its own statement, so that
    # the lockout check passes).
    as_role.put_key_policy(
        KeyId=meta["KeyId"],
        PolicyName="default",
        Policy=policy(default_policy(SOURCE)["Statement"][0], allow_stmt(role["Arn"], "kms:*", sid="RoleOnly")),
    )
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"role data"


def test_put_key_policy_lockout_check(server):
    kms = server.client("kms")
    meta = new_key(kms)
    other_user_arn, _, _ = iam_user(server, prefix="kmsother")
    locked = policy(allow_stmt(other_user_arn, "kms:*"))
    assert_error(
        client_error(lambda: kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=locked)),
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
    )
    assert json.loads(kms.get_key_policy(KeyId=meta["KeyId"])["Policy"]) == default_policy(SOURCE)

    kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=locked, BypassPolicyLockoutSafetyCheck=True)
    assert_denied(client_error(lambda: kms.get_key_policy(KeyId=meta["KeyId"])))
    assert_denied(
        client_error(lambda: kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=json.dumps(default_policy(SOURCE)))),
        resource_denied(root_arn(SOURCE), "PutKeyPolicy", meta["Arn"]),
    )


def test_policy_with_an_unknown_principal_is_malformed(server):
    kms = server.client("kms")
    ghost = f"arn:aws:iam::{SOURCE}:role/{unique('ghost')}"
    document = policy(allow_stmt(root_arn(SOURCE), "kms:*"), allow_stmt(ghost, "kms:Encrypt"))
    assert_error(
        client_error(lambda: kms.create_key(Policy=document)),
        "MalformedPolicyDocumentException",
        "Policy contains a statement with one or more invalid principals.",
    )


def test_cross_account_use_of_a_default_key_is_denied(server):
    source = server.client("kms", "source")
    dest = server.client("kms", "destination")
    meta = new_key(source)
    blob = source.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    # Spec §3.5 row 3 [LIVE buildkite/docs #2344, aws-encryption-provider #141].
    assert_denied(
        client_error(lambda: dest.encrypt(KeyId=meta["Arn"], Plaintext=b"x")),
        cross_account_denied(root_arn(DEST), "Encrypt"),
    )
    assert_denied(client_error(lambda: dest.describe_key(KeyId=meta["Arn"])))
    assert_denied(client_error(lambda: dest.decrypt(CiphertextBlob=blob)))
    # A bare key ID resolves in the caller's own account (KDG; spec §1.2).
    assert_error(
        client_error(lambda: dest.describe_key(KeyId=meta["KeyId"])),
        "NotFoundException",
        f"Key '{key_arn(DEST, meta['KeyId'])}' does not exist",
    )
    assert_error(
        client_error(lambda: dest.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")),
        "NotFoundException",
        f"Key '{key_arn(DEST, meta['KeyId'])}' does not exist",
    )


def test_cross_account_use_allowed_by_key_policy_and_identity_policy(server):
    source = server.client("kms", "source")
    dest = server.client("kms", "destination")
    meta = new_key(source)
    source.put_key_policy(
        KeyId=meta["KeyId"],
        PolicyName="default",
        Policy=policy(
            default_policy(SOURCE)["Statement"][0],
            allow_stmt(
                root_arn(DEST),
                ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                sid="DestinationUse",
            ),
        ),
    )
    # The destination root: key policy names its account; its own identity is implicitly allowed.
    out = dest.encrypt(KeyId=meta["Arn"], Plaintext=b"shared")
    assert out["KeyId"] == meta["Arn"]
    assert dest.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"] == b"shared"
    assert source.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"] == b"shared"
    described = dest.describe_key(KeyId=meta["Arn"])["KeyMetadata"]
    assert described["AWSAccountId"] == SOURCE and described["KeyId"] == meta["KeyId"]
    assert len(dest.generate_data_key(KeyId=meta["Arn"], KeySpec="AES_256")["Plaintext"]) == 32
    # Actions the key policy does not grant stay refused.
    assert_denied(
        client_error(lambda: dest.re_encrypt(CiphertextBlob=out["CiphertextBlob"], DestinationKeyId=meta["Arn"]))
    )

    # A destination IAM user also needs its own identity policy on the key ARN (rule 4).
    user_arn, as_user, name = iam_user(server, "destination")
    resp = client_error(lambda: as_user.encrypt(KeyId=meta["Arn"], Plaintext=b"x"))
    assert_denied(resp)
    assert user_arn in resp["Error"]["Message"]
    server.client("iam", "destination").put_user_policy(
        UserName=name,
        PolicyName="use-source-key",
        PolicyDocument=json.dumps(identity(["kms:Encrypt", "kms:Decrypt"], meta["Arn"])),
    )
    blob = as_user.encrypt(KeyId=meta["Arn"], Plaintext=b"from dest user")["CiphertextBlob"]
    assert as_user.decrypt(CiphertextBlob=blob)["Plaintext"] == b"from dest user"
    # Still only by ARN.
    assert_error(client_error(lambda: as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")), "NotFoundException")


def test_cross_account_management_operations_are_refused(server):
    source = server.client("kms", "source")
    dest = server.client("kms", "destination")
    meta = new_key(source)
    generous = policy(default_policy(SOURCE)["Statement"][0], allow_stmt(root_arn(DEST), "kms:*", sid="DestAll"))
    source.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=generous)
    # Cryptographic use works cross-account ...
    dest.encrypt(KeyId=meta["Arn"], Plaintext=b"ok")
    # ... management does not, whatever the key policy says (KDG
    # key-policy-modifying-external-accounts; spec §1.2). The code is not pinned down.
    for call in (
        lambda: dest.put_key_policy(KeyId=meta["Arn"], PolicyName="default", Policy=json.dumps(default_policy(DEST))),
        lambda: dest.disable_key(KeyId=meta["Arn"]),
        lambda: dest.enable_key(KeyId=meta["Arn"]),
        lambda: dest.schedule_key_deletion(KeyId=meta["Arn"], PendingWindowInDays=7),
        lambda: dest.tag_resource(KeyId=meta["Arn"], Tags=[{"TagKey": "k", "TagValue": "v"}]),
    ):
        resp = client_error(call)
        assert resp["Error"]["Code"] in ("AccessDeniedException", "NotFoundException"), resp
        assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
        if resp["Error"]["Code"] == "NotFoundException":
            # If refused as not found, in the NotFoundException form of spec §2.1 (a key ARN
            # always has `key/` before the ID).
            assert resp["Error"]["Message"] == f"Key '{meta['Arn']}' does not exist", resp
    got = source.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert got["KeyState"] == "Enabled"
    assert json.loads(source.get_key_policy(KeyId=meta["KeyId"])["Policy"]) == json.loads(generous)
    assert source.list_resource_tags(KeyId=meta["KeyId"])["Tags"] == []
    # Nor can the other account point an alias at it.
    resp = client_error(lambda: dest.create_alias(AliasName=f"alias/{unique('theirs')}", TargetKeyId=meta["Arn"]))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_caller_account_condition(server):
    source = server.client("kms", "source")
    dest = server.client("kms", "destination")
    meta = new_key(source)
    admin = allow_stmt(root_arn(SOURCE), ["kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:DescribeKey"], sid="Admin")

    def use_by(account):
        return allow_stmt(
            "*", ["kms:Encrypt", "kms:Decrypt"], sid="Use", condition={"StringEquals": {"kms:CallerAccount": account}}
        )

    source.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=policy(admin, use_by(SOURCE)))
    user_arn, as_user, _ = iam_user(server)  # no identity policy: the key policy alone suffices
    as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")
    assert_denied(client_error(lambda: dest.encrypt(KeyId=meta["Arn"], Plaintext=b"x")))

    source.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=policy(admin, use_by(DEST)))
    dest.encrypt(KeyId=meta["Arn"], Plaintext=b"x")
    assert_denied(client_error(lambda: as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")))
    # The source root has no delegation for Encrypt either.
    assert_denied(client_error(lambda: source.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")))


def test_encryption_context_condition(server):
    kms = server.client("kms")
    meta = new_key(kms)
    user_arn, as_user, _ = iam_user(server)
    kms.put_key_policy(
        KeyId=meta["KeyId"],
        PolicyName="default",
        Policy=policy(
            allow_stmt(root_arn(SOURCE), ["kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:DescribeKey"], sid="Admin"),
            allow_stmt(
                user_arn,
                ["kms:Encrypt", "kms:Decrypt"],
                sid="BackupsOnly",
                condition={"StringEquals": {"kms:EncryptionContext:purpose": "backup"}},
            ),
        ),
    )
    blob = as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"b", EncryptionContext={"purpose": "backup"})[
        "CiphertextBlob"
    ]
    assert as_user.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "backup"})["Plaintext"] == b"b"
    for context in ({"purpose": "other"}, {"other": "backup"}, None):
        kwargs = {} if context is None else {"EncryptionContext": context}
        assert_denied(client_error(lambda: as_user.encrypt(KeyId=meta["KeyId"], Plaintext=b"x", **kwargs)))


# --- the wire ----------------------------------------------------------------------------


def raw_kms(server, op, body):
    from sigv4_client import credentials, signed

    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{op}"}
    status, response_headers, data = signed(server.endpoint, "kms", json.dumps(body), headers, credentials())
    return status, response_headers, json.loads(data) if data else None


def test_json_wire_format(server):
    # Spec §1.1 [MODEL; LIVE]: JSON 1.1, blobs base64, timestamps epoch seconds, lowercase
    # UUID request IDs, errors as {"__type", "message"} with 400.
    status, headers, body = raw_kms(server, "CreateKey", {"Description": "wire"})
    assert status == 200, body
    assert headers["content-type"].startswith("application/x-amz-json-1.1")
    assert UUID_RE.match(headers["x-amzn-requestid"]), headers
    meta = body["KeyMetadata"]
    assert isinstance(meta["CreationDate"], (int, float)) and abs(meta["CreationDate"] - time.time()) < 600

    status, _, body = raw_kms(
        server, "Encrypt", {"KeyId": meta["KeyId"], "Plaintext": base64.b64encode(b"wire").decode()}
    )
    assert status == 200, body
    blob = base64.b64decode(body["CiphertextBlob"], validate=True)
    assert len(blob) > len(b"wire")

    tampered = bytearray(blob)
    tampered[-1] ^= 0xFF
    status, _, body = raw_kms(server, "Decrypt", {"CiphertextBlob": base64.b64encode(bytes(tampered)).decode()})
    # InvalidCiphertextException carries no message [LIVE nitro-enclaves-sdk-c #68; LS-KMS].
    assert status == 400
    assert body["__type"] == "InvalidCiphertextException", body
    assert not body.get("message") and not body.get("Message"), body

    status, _, body = raw_kms(server, "DescribeKey", {"KeyId": "fake-key-id"})
    assert status == 400
    assert body["__type"] == "NotFoundException"
    assert body["message"] == "Invalid keyId 'fake-key-id'"


# --- the AWS CLI -----------------------------------------------------------------------


def test_aws_cli_create_key_encrypt_decrypt(server, tmp_path):
    meta = json.loads(server.aws("kms", "create-key", "--description", "cli key").stdout)["KeyMetadata"]
    assert meta["Description"] == "cli key"
    assert meta["Arn"] == key_arn(SOURCE, meta["KeyId"])
    plaintext = b"hello from the aws cli\x00\xff"
    (tmp_path / "plain.bin").write_bytes(plaintext)
    out = json.loads(
        server.aws("kms", "encrypt", "--key-id", meta["KeyId"], "--plaintext", f"fileb://{tmp_path / 'plain.bin'}").stdout
    )
    assert out["KeyId"] == meta["Arn"]
    (tmp_path / "blob.bin").write_bytes(base64.b64decode(out["CiphertextBlob"]))
    back = json.loads(server.aws("kms", "decrypt", "--ciphertext-blob", f"fileb://{tmp_path / 'blob.bin'}").stdout)
    assert base64.b64decode(back["Plaintext"]) == plaintext
    assert back["KeyId"] == meta["Arn"]
    failed = server.aws("kms", "describe-key", "--key-id", "fake-key-id", check=False)
    assert failed.returncode != 0
    assert "NotFoundException" in failed.stderr and "Invalid keyId 'fake-key-id'" in failed.stderr
