"""S3 authorization through real IAM evaluation (spec iam-s3-authz §2.3–2.7, §3.1, §4):
principals of account "source" (A, 111111111111) writing into a bucket owned by
"destination" (B, 222222222222) — bucket policies naming the account, a user, a role, an
`aws:userid` pattern; both halves of a cross-account grant; explicit denies; unique-id
binding of role principals; x-amz-expected-bucket-owner; bucket-policy management and its
owner-only rules; same-account identity policies; 403 vs 404 on missing keys; anonymous
requests and Block Public Access; object ownership and ACLs."""

import json

import botocore
import botocore.config
import pytest

from aws_helpers import client_error, policy, role_assumer, unique

SOURCE, DEST = "111111111111", "222222222222"
ACCOUNT_IDS = {"source": SOURCE, "destination": DEST}


# --- helpers --------------------------------------------------------------------------


def s3_client(server, account="source", **overrides):
    """A path-style S3 client without boto3's default checksums (manual multipart uploads
    then work as on S3 whatever the upload's checksum setting)."""
    config = botocore.config.Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
        request_checksum_calculation="when_required",
    )
    return server.client("s3", account, config=config, **overrides)


def anonymous_s3(server):
    config = botocore.config.Config(
        s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version=botocore.UNSIGNED
    )
    return server.client("s3", config=config)


def allow(actions, resources, condition=None):
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def grant(principal, actions, resources, effect="Allow", condition=None):
    """A bucket-policy statement for an `AWS` principal."""
    statement = {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def bucket_arn(bucket):
    return f"arn:aws:s3:::{bucket}"


def objects_arn(bucket, pattern="*"):
    return f"arn:aws:s3:::{bucket}/{pattern}"


def root_arn(account_id):
    return f"arn:aws:iam::{account_id}:root"


def status(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]


def denied(call, cross_account=False):
    """The call fails with S3's AccessDenied; cross-account denials carry the plain text."""
    error = client_error(call)
    assert error["Error"]["Code"] == "AccessDenied", error["Error"]
    assert status(error) == 403
    if cross_account:
        assert error["Error"]["Message"] == "Access Denied"
    return error


def head_denied(call):
    error = client_error(call)
    assert (error["Error"]["Code"], status(error)) == ("403", 403), error
    return error


def expect_error(call, code, http_status, message=None):
    error = client_error(call)
    assert error["Error"]["Code"] == code, error["Error"]
    assert status(error) == http_status
    if message is not None:
        assert error["Error"]["Message"] == message
    return error


def keys_of(client, bucket):
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def dest_bucket(server):
    """A new bucket owned by account B (destination), and B's root S3 client."""
    owner = s3_client(server, "destination")
    name = unique("authz")
    owner.create_bucket(Bucket=name)
    return name, owner


def put_bucket_policy(owner, bucket, *statements):
    out = owner.put_bucket_policy(Bucket=bucket, Policy=policy(*statements))
    assert status(out) == 204
    return out


def user_with_key(server, prefix, *statements, account="source"):
    """An IAM user with `statements` as its inline identity policy; (name, arn, s3 client)."""
    iam = server.client("iam", account)
    name = unique(prefix)
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    client = s3_client(
        server, account, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    return name, arn, client


def trust_account(account_id):
    return policy({"Effect": "Allow", "Principal": {"AWS": root_arn(account_id)}, "Action": "sts:AssumeRole"})


def role_in_source(server, *statements, name=None):
    """A role in A that A's principals may assume, with `statements` as its inline policy."""
    iam = server.client("iam", "source")
    name = name or unique("writer")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_account(SOURCE))["Role"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="s3", PolicyDocument=policy(*statements))
    return role


def delete_role(server, name):
    iam = server.client("iam", "source")
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    iam.delete_role(RoleName=name)


def session_s3(server, role_arn, session_name="s3-writer"):
    """An S3 client for a session of `role_arn`, assumed by a user of A (AWS refuses
    AssumeRole to an account's root)."""
    _, sts = role_assumer(server, "source")
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return s3_client(
        server,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def canonical_id(server, account):
    return s3_client(server, account).list_buckets()["Owner"]["ID"]


def grants_of(acl):
    return sorted(
        (g["Grantee"].get("Type"), g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"])
        for g in acl["Grants"]
    )


# --- cross-account writes: A's principals into B's bucket -----------------------------


def test_another_accounts_root_is_denied_without_a_bucket_policy(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="existing", Body=b"B's data")
    a_root = s3_client(server, "source")
    denied(lambda: a_root.put_object(Bucket=bucket, Key="from-a", Body=b"x"), cross_account=True)
    denied(lambda: a_root.get_object(Bucket=bucket, Key="existing"), cross_account=True)
    denied(lambda: a_root.list_objects_v2(Bucket=bucket), cross_account=True)
    denied(lambda: a_root.delete_object(Bucket=bucket, Key="existing"), cross_account=True)
    error = head_denied(lambda: a_root.head_bucket(Bucket=bucket))
    assert error["ResponseMetadata"]["HTTPHeaders"].get("x-amz-bucket-region") == "us-east-1"
    assert keys_of(owner, bucket) == ["existing"]


def test_owner_root_always_has_access_to_its_bucket(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert owner.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    assert status(owner.head_bucket(Bucket=bucket)) == 200
    assert keys_of(owner, bucket) == ["k"]


@pytest.mark.parametrize("principal", [root_arn(SOURCE), SOURCE], ids=["root-arn", "account-id"])
def test_bucket_policy_granting_the_account_lets_its_root_write(server, principal):
    bucket, owner = dest_bucket(server)
    put_bucket_policy(owner, bucket, grant(principal, "s3:PutObject", objects_arn(bucket)))
    a_root = s3_client(server, "source")
    assert status(a_root.put_object(Bucket=bucket, Key="from-a", Body=b"written by A")) == 200
    assert owner.get_object(Bucket=bucket, Key="from-a")["Body"].read() == b"written by A"
    # Only PutObject was granted.
    denied(lambda: a_root.get_object(Bucket=bucket, Key="from-a"), cross_account=True)
    denied(lambda: a_root.list_objects_v2(Bucket=bucket), cross_account=True)
    denied(lambda: a_root.delete_object(Bucket=bucket, Key="from-a"), cross_account=True)
    # The grant is for account A only.
    _, _, b_user = user_with_key(server, "b-nopolicy", account="destination")
    denied(lambda: b_user.put_object(Bucket=bucket, Key="from-b-user", Body=b"x"))


def test_bucket_policy_scoped_to_a_prefix(server):
    bucket, owner = dest_bucket(server)
    put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket, "exports/*")))
    a_root = s3_client(server, "source")
    a_root.put_object(Bucket=bucket, Key="exports/one.json", Body=b"{}")
    denied(lambda: a_root.put_object(Bucket=bucket, Key="elsewhere/one.json", Body=b"{}"), cross_account=True)
    assert keys_of(owner, bucket) == ["exports/one.json"]


def test_cross_account_user_needs_its_identity_policy_too(server):
    bucket, owner = dest_bucket(server)
    put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)))
    _, _, with_policy = user_with_key(server, "a-writer", allow("s3:PutObject", objects_arn(bucket)))
    _, _, without_policy = user_with_key(server, "a-nopolicy")
    _, _, other_bucket_only = user_with_key(server, "a-elsewhere", allow("s3:PutObject", objects_arn("some-other-bucket")))
    assert status(with_policy.put_object(Bucket=bucket, Key="by-user", Body=b"x")) == 200
    # Cross-account needs both: B's bucket policy and A's identity policy.
    denied(lambda: without_policy.put_object(Bucket=bucket, Key="no-identity-policy", Body=b"x"))
    denied(lambda: other_bucket_only.put_object(Bucket=bucket, Key="wrong-resource", Body=b"x"))
    assert keys_of(owner, bucket) == ["by-user"]


def test_identity_policy_alone_does_not_reach_another_accounts_bucket(server):
    bucket, owner = dest_bucket(server)
    _, _, user = user_with_key(server, "a-s3-admin", allow("s3:*", "*"))
    denied(lambda: user.put_object(Bucket=bucket, Key="k", Body=b"x"), cross_account=True)
    denied(lambda: user.list_objects_v2(Bucket=bucket), cross_account=True)
    assert keys_of(owner, bucket) == []


def test_bucket_policy_naming_a_user(server):
    bucket, owner = dest_bucket(server)
    identity = allow("s3:PutObject", objects_arn(bucket))
    _, named_arn, named = user_with_key(server, "a-named", identity)
    _, _, other = user_with_key(server, "a-other", identity)
    _, unprivileged_arn, unprivileged = user_with_key(server, "a-named-nopolicy")
    put_bucket_policy(owner, bucket, grant([named_arn, unprivileged_arn], "s3:PutObject", objects_arn(bucket)))
    assert status(named.put_object(Bucket=bucket, Key="named", Body=b"x")) == 200
    # Another user of A with the same identity policy is not named.
    denied(lambda: other.put_object(Bucket=bucket, Key="other", Body=b"x"))
    # Named, but A's side does not allow it.
    denied(lambda: unprivileged.put_object(Bucket=bucket, Key="unprivileged", Body=b"x"))
    # Nor does naming a user grant A's root.
    denied(lambda: s3_client(server, "source").put_object(Bucket=bucket, Key="root", Body=b"x"))
    assert keys_of(owner, bucket) == ["named"]
    principal = json.loads(owner.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"]["AWS"]
    assert sorted(principal if isinstance(principal, list) else [principal]) == sorted([named_arn, unprivileged_arn])


def test_bucket_policy_naming_a_role_admits_its_sessions(server):
    bucket, owner = dest_bucket(server)
    role = role_in_source(server, allow("s3:PutObject", objects_arn(bucket)))
    other_role = role_in_source(server, allow("s3:PutObject", objects_arn(bucket)))
    put_bucket_policy(owner, bucket, grant(role["Arn"], "s3:PutObject", objects_arn(bucket)))
    # Any session name of the named role matches.
    for session_name in ("export-1", "export-2"):
        session = session_s3(server, role["Arn"], session_name)
        assert status(session.put_object(Bucket=bucket, Key=session_name, Body=b"x")) == 200
    denied(lambda: session_s3(server, other_role["Arn"]).put_object(Bucket=bucket, Key="other", Body=b"x"))
    denied(lambda: s3_client(server, "source").put_object(Bucket=bucket, Key="root", Body=b"x"))
    assert keys_of(owner, bucket) == ["export-1", "export-2"]


def test_bucket_policy_naming_a_session_arn(server):
    bucket, owner = dest_bucket(server)
    role = role_in_source(server, allow("s3:PutObject", objects_arn(bucket)))
    session_arn = f"arn:aws:sts::{SOURCE}:assumed-role/{role['RoleName']}/named-session"
    put_bucket_policy(owner, bucket, grant(session_arn, "s3:PutObject", objects_arn(bucket)))
    session_s3(server, role["Arn"], "named-session").put_object(Bucket=bucket, Key="ok", Body=b"x")
    denied(lambda: session_s3(server, role["Arn"], "other-session").put_object(Bucket=bucket, Key="no", Body=b"x"))
    assert keys_of(owner, bucket) == ["ok"]


def test_role_session_needs_the_roles_permission(server):
    bucket, owner = dest_bucket(server)
    role = role_in_source(server)  # no identity policy
    put_bucket_policy(owner, bucket, grant(role["Arn"], "s3:PutObject", objects_arn(bucket)))
    denied(lambda: session_s3(server, role["Arn"]).put_object(Bucket=bucket, Key="k", Body=b"x"))
    assert keys_of(owner, bucket) == []


def test_aws_userid_condition_on_the_roles_unique_id(server):
    bucket, owner = dest_bucket(server)
    role = role_in_source(server, allow("s3:PutObject", objects_arn(bucket)))
    other_role = role_in_source(server, allow("s3:PutObject", objects_arn(bucket)))
    assert role["RoleId"].startswith("AROA")
    put_bucket_policy(
        owner,
        bucket,
        grant(
            root_arn(SOURCE),
            "s3:PutObject",
            objects_arn(bucket),
            condition={"StringLike": {"aws:userid": f"{role['RoleId']}:*"}},
        ),
    )
    session_s3(server, role["Arn"], "job-1").put_object(Bucket=bucket, Key="job-1", Body=b"x")
    denied(lambda: session_s3(server, other_role["Arn"], "job-2").put_object(Bucket=bucket, Key="job-2", Body=b"x"))
    # A's root has aws:userid = its account id.
    denied(lambda: s3_client(server, "source").put_object(Bucket=bucket, Key="root", Body=b"x"))
    assert keys_of(owner, bucket) == ["job-1"]


def test_a_recreated_role_is_no_longer_the_principal(server):
    bucket, owner = dest_bucket(server)
    name = unique("recreated")
    statement = allow("s3:PutObject", objects_arn(bucket))
    old = role_in_source(server, statement, name=name)
    put_bucket_policy(owner, bucket, grant(old["Arn"], "s3:PutObject", objects_arn(bucket)))
    stored = json.loads(owner.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"]["AWS"]
    assert stored == old["Arn"]
    session_s3(server, old["Arn"]).put_object(Bucket=bucket, Key="before", Body=b"x")

    delete_role(server, name)
    new = role_in_source(server, statement, name=name)
    assert new["Arn"] == old["Arn"] and new["RoleId"] != old["RoleId"]
    # The policy was bound to the old role's unique id, which no longer maps to an ARN.
    stored = json.loads(owner.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"]["AWS"]
    assert stored == old["RoleId"]
    denied(lambda: session_s3(server, new["Arn"]).put_object(Bucket=bucket, Key="after", Body=b"x"))

    # Saving the policy again with the ARN binds the new role.
    put_bucket_policy(owner, bucket, grant(new["Arn"], "s3:PutObject", objects_arn(bucket)))
    session_s3(server, new["Arn"]).put_object(Bucket=bucket, Key="after", Body=b"x")
    assert keys_of(owner, bucket) == ["after", "before"]


def test_explicit_deny_in_the_bucket_policy_wins(server):
    bucket, owner = dest_bucket(server)
    put_bucket_policy(
        owner,
        bucket,
        grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)),
        grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket, "locked/*"), effect="Deny"),
        grant("*", "s3:PutObject", objects_arn(bucket, "frozen/*"), effect="Deny"),
    )
    a_root = s3_client(server, "source")
    a_root.put_object(Bucket=bucket, Key="open/x", Body=b"x")
    denied(lambda: a_root.put_object(Bucket=bucket, Key="locked/x", Body=b"x"), cross_account=True)
    denied(lambda: a_root.put_object(Bucket=bucket, Key="frozen/x", Body=b"x"), cross_account=True)
    # A Deny for everyone binds the bucket owner's users and root too (only the policy
    # calls are protected from lockout).
    _, _, b_admin = user_with_key(server, "b-admin", allow("s3:*", "*"), account="destination")
    denied(lambda: b_admin.put_object(Bucket=bucket, Key="frozen/y", Body=b"x"))
    denied(lambda: owner.put_object(Bucket=bucket, Key="frozen/z", Body=b"x"))
    owner.put_object(Bucket=bucket, Key="locked/by-owner", Body=b"x")
    assert keys_of(owner, bucket) == ["locked/by-owner", "open/x"]


def test_explicit_deny_in_the_callers_identity_policy_wins(server):
    bucket, owner = dest_bucket(server)
    put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)))
    _, _, user = user_with_key(
        server,
        "a-partly-denied",
        allow("s3:PutObject", objects_arn(bucket)),
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": objects_arn(bucket, "blocked/*")},
    )
    user.put_object(Bucket=bucket, Key="fine/x", Body=b"x")
    denied(lambda: user.put_object(Bucket=bucket, Key="blocked/x", Body=b"x"))
    assert keys_of(owner, bucket) == ["fine/x"]


def test_cross_account_multipart_upload(server):
    bucket, owner = dest_bucket(server)
    put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)))
    a_root = s3_client(server, "source")
    key = "AWSDynamoDB/data/part.json.gz"
    upload_id = a_root.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = a_root.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"data")["ETag"]
    # AbortMultipartUpload and ListParts are actions of their own.
    denied(lambda: a_root.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id), cross_account=True)
    denied(lambda: a_root.list_parts(Bucket=bucket, Key=key, UploadId=upload_id), cross_account=True)
    a_root.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    assert owner.get_object(Bucket=bucket, Key=key)["Body"].read() == b"data"

    put_bucket_policy(
        owner,
        bucket,
        grant(root_arn(SOURCE), ["s3:PutObject", "s3:AbortMultipartUpload"], objects_arn(bucket)),
    )
    second = a_root.create_multipart_upload(Bucket=bucket, Key="aborted")["UploadId"]
    assert status(a_root.abort_multipart_upload(Bucket=bucket, Key="aborted", UploadId=second)) == 204


def test_cross_account_copy_needs_read_on_the_source(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="source-object", Body=b"original")
    put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)))
    a_root = s3_client(server, "source")
    copy = lambda: a_root.copy_object(  # noqa: E731
        Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "source-object"}
    )
    denied(copy, cross_account=True)
    put_bucket_policy(
        owner,
        bucket,
        grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)),
        grant(root_arn(SOURCE), "s3:GetObject", objects_arn(bucket, "source-object")),
    )
    copy()
    assert owner.get_object(Bucket=bucket, Key="copied")["Body"].read() == b"original"


# --- x-amz-expected-bucket-owner ------------------------------------------------------


def test_expected_bucket_owner(server):
    bucket, owner = dest_bucket(server)
    put_bucket_policy(
        owner, bucket, grant(root_arn(SOURCE), ["s3:PutObject", "s3:GetObject", "s3:ListBucket"],
                             [bucket_arn(bucket), objects_arn(bucket)])
    )
    owner.put_object(Bucket=bucket, Key="k", Body=b"v")
    a_root = s3_client(server, "source")
    for client in (owner, a_root):
        # The wrong owner is refused even for the bucket's own root.
        denied(lambda: client.put_object(Bucket=bucket, Key="wrong", Body=b"x", ExpectedBucketOwner=SOURCE))
        denied(lambda: client.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner=SOURCE))
        denied(lambda: client.list_objects_v2(Bucket=bucket, ExpectedBucketOwner=SOURCE))
        head_denied(lambda: client.head_bucket(Bucket=bucket, ExpectedBucketOwner=SOURCE))
        head_denied(lambda: client.head_object(Bucket=bucket, Key="k", ExpectedBucketOwner=SOURCE))
        # The right one changes nothing.
        client.put_object(Bucket=bucket, Key="right", Body=b"x", ExpectedBucketOwner=DEST)
        assert client.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner=DEST)["Body"].read() == b"v"
        assert status(client.list_objects_v2(Bucket=bucket, ExpectedBucketOwner=DEST)) == 200
        assert status(client.head_bucket(Bucket=bucket, ExpectedBucketOwner=DEST)) == 200
    assert keys_of(owner, bucket) == ["k", "right"]
    # On a copy the source bucket's owner is checked separately.
    denied(
        lambda: owner.copy_object(
            Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"}, ExpectedSourceBucketOwner=SOURCE
        )
    )
    owner.copy_object(
        Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"},
        ExpectedSourceBucketOwner=DEST, ExpectedBucketOwner=DEST,
    )
    assert keys_of(owner, bucket) == ["copy", "k", "right"]


# --- bucket policy management ---------------------------------------------------------


def test_bucket_policy_round_trip(server):
    bucket, owner = dest_bucket(server)
    expect_error(lambda: owner.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", 404)
    document = policy(grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)))
    assert status(owner.put_bucket_policy(Bucket=bucket, Policy=document)) == 204
    assert json.loads(owner.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(document)
    assert status(owner.delete_bucket_policy(Bucket=bucket)) == 204
    error = expect_error(lambda: owner.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", 404)
    assert error["Error"].get("BucketName") == bucket
    # Deleting a policy that is not there is not an error.
    assert status(owner.delete_bucket_policy(Bucket=bucket)) == 204
    # And with the policy gone, A is denied again.
    denied(lambda: s3_client(server, "source").put_object(Bucket=bucket, Key="k", Body=b"x"), cross_account=True)


def test_bucket_policy_on_a_missing_bucket(server):
    owner = s3_client(server, "destination")
    missing = unique("missing")
    expect_error(
        lambda: owner.put_bucket_policy(
            Bucket=missing, Policy=policy(grant(root_arn(SOURCE), "s3:PutObject", objects_arn(missing)))
        ),
        "NoSuchBucket",
        404,
    )
    expect_error(lambda: owner.get_bucket_policy(Bucket=missing), "NoSuchBucket", 404)


@pytest.mark.parametrize(
    "document,message",
    [
        ("not json at all", None),
        ('{"Version": "2012-10-17", "Statement": [', None),
        (json.dumps({"Version": "2012-10-17"}), None),
        (policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}), None),
        (
            policy(grant(root_arn(SOURCE), "s3:GetObject", "arn:aws:s3:::some-other-bucket-entirely/*")),
            "Policy has invalid resource",
        ),
        (
            policy(grant(f"arn:aws:iam::{SOURCE}:user/no-such-user-anywhere", "s3:GetObject", "arn:aws:s3:::BUCKET/*")),
            "Invalid principal in policy",
        ),
    ],
    ids=["not-json", "truncated", "no-statement", "no-principal", "other-bucket", "unknown-user"],
)
def test_malformed_bucket_policies_are_refused(server, document, message):
    bucket, owner = dest_bucket(server)
    document = document.replace("BUCKET", bucket)
    expect_error(lambda: owner.put_bucket_policy(Bucket=bucket, Policy=document), "MalformedPolicy", 400, message)
    expect_error(lambda: owner.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", 404)


def test_policy_calls_from_another_account_are_method_not_allowed(server):
    bucket, owner = dest_bucket(server)
    a_root = s3_client(server, "source")
    replacement = policy(grant(root_arn(SOURCE), "s3:*", objects_arn(bucket)))
    # Without a grant: plain AccessDenied.
    denied(lambda: a_root.get_bucket_policy(Bucket=bucket), cross_account=True)
    denied(lambda: a_root.put_bucket_policy(Bucket=bucket, Policy=replacement), cross_account=True)

    actions = ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]
    document = policy(grant(root_arn(SOURCE), actions, bucket_arn(bucket)))
    owner.put_bucket_policy(Bucket=bucket, Policy=document)
    # With a grant: still only the owner's account may, and S3 says 405.
    message = "The specified method is not allowed against this resource."
    expect_error(lambda: a_root.get_bucket_policy(Bucket=bucket), "MethodNotAllowed", 405, message)
    expect_error(lambda: a_root.put_bucket_policy(Bucket=bucket, Policy=replacement), "MethodNotAllowed", 405)
    expect_error(lambda: a_root.delete_bucket_policy(Bucket=bucket), "MethodNotAllowed", 405)
    assert json.loads(owner.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(document)


def test_owner_root_cannot_be_locked_out_of_the_policy(server):
    bucket, owner = dest_bucket(server)
    actions = ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]
    owner.put_bucket_policy(Bucket=bucket, Policy=policy(grant("*", actions, bucket_arn(bucket), effect="Deny")))
    _, _, b_admin = user_with_key(server, "b-admin", allow("s3:*", "*"), account="destination")
    denied(lambda: b_admin.get_bucket_policy(Bucket=bucket))
    denied(lambda: b_admin.delete_bucket_policy(Bucket=bucket))
    # The owner account's root can always read, replace and delete the bucket policy.
    assert "Deny" in owner.get_bucket_policy(Bucket=bucket)["Policy"]
    assert status(owner.delete_bucket_policy(Bucket=bucket)) == 204
    expect_error(lambda: b_admin.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", 404)


def test_same_account_user_needs_permission_to_manage_the_policy(server):
    bucket, owner = dest_bucket(server)
    owner.put_bucket_policy(Bucket=bucket, Policy=policy(grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket))))
    _, _, reader = user_with_key(server, "b-reader", allow("s3:GetBucketPolicy", bucket_arn(bucket)), account="destination")
    _, _, nobody = user_with_key(server, "b-nobody", account="destination")
    assert "s3:PutObject" in reader.get_bucket_policy(Bucket=bucket)["Policy"]
    denied(lambda: reader.delete_bucket_policy(Bucket=bucket))
    denied(lambda: nobody.get_bucket_policy(Bucket=bucket))


# --- same account ---------------------------------------------------------------------


def test_same_account_user_reads_with_an_identity_policy(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="doc.txt", Body=b"B's document")
    _, _, reader = user_with_key(server, "b-reader", allow("s3:GetObject", objects_arn(bucket)), account="destination")
    _, _, nobody = user_with_key(server, "b-nobody", account="destination")
    assert reader.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"B's document"
    denied(lambda: reader.put_object(Bucket=bucket, Key="new", Body=b"x"))
    denied(lambda: reader.list_objects_v2(Bucket=bucket))
    denied(lambda: nobody.get_object(Bucket=bucket, Key="doc.txt"))
    head_denied(lambda: nobody.head_object(Bucket=bucket, Key="doc.txt"))
    assert owner.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"B's document"


def test_same_account_user_reads_through_the_bucket_policy_alone(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="doc.txt", Body=b"shared")
    _, user_arn, user = user_with_key(server, "b-named", account="destination")
    denied(lambda: user.get_object(Bucket=bucket, Key="doc.txt"))
    put_bucket_policy(owner, bucket, grant(user_arn, "s3:GetObject", objects_arn(bucket)))
    # In the owner's account an allow in either policy is enough.
    assert user.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"shared"
    denied(lambda: user.put_object(Bucket=bucket, Key="new", Body=b"x"))


def test_delete_objects_reports_denied_keys(server):
    bucket, owner = dest_bucket(server)
    for key in ("a/1", "b/1"):
        owner.put_object(Bucket=bucket, Key=key, Body=b"x")
    _, _, user = user_with_key(server, "b-deleter", allow("s3:DeleteObject", objects_arn(bucket, "a/*")), account="destination")
    out = user.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a/1"}, {"Key": "b/1"}]})
    assert status(out) == 200
    assert [d["Key"] for d in out.get("Deleted", [])] == ["a/1"]
    assert [(e["Key"], e["Code"]) for e in out.get("Errors", [])] == [("b/1", "AccessDenied")]
    assert keys_of(owner, bucket) == ["b/1"]


# --- GetObject on a missing key: 403 or 404 -------------------------------------------


def test_missing_key_is_404_only_with_list_bucket(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="present", Body=b"x")
    _, _, get_only = user_with_key(server, "b-get", allow("s3:GetObject", objects_arn(bucket)), account="destination")
    _, _, get_and_list = user_with_key(
        server,
        "b-getlist",
        allow("s3:GetObject", objects_arn(bucket)),
        allow("s3:ListBucket", bucket_arn(bucket)),
        account="destination",
    )
    for client in (get_only, get_and_list):
        assert client.get_object(Bucket=bucket, Key="present")["Body"].read() == b"x"
    denied(lambda: get_only.get_object(Bucket=bucket, Key="missing"))
    head_denied(lambda: get_only.head_object(Bucket=bucket, Key="missing"))
    expect_error(
        lambda: get_and_list.get_object(Bucket=bucket, Key="missing"),
        "NoSuchKey",
        404,
        "The specified key does not exist.",
    )
    error = client_error(lambda: get_and_list.head_object(Bucket=bucket, Key="missing"))
    assert (error["Error"]["Code"], status(error)) == ("404", 404)
    # The owner's root may list, so it sees 404.
    expect_error(lambda: owner.get_object(Bucket=bucket, Key="missing"), "NoSuchKey", 404)


def test_missing_key_cross_account(server):
    bucket, owner = dest_bucket(server)
    a_root = s3_client(server, "source")
    put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:GetObject", objects_arn(bucket)))
    denied(lambda: a_root.get_object(Bucket=bucket, Key="missing"), cross_account=True)
    put_bucket_policy(
        owner,
        bucket,
        grant(root_arn(SOURCE), "s3:GetObject", objects_arn(bucket)),
        grant(root_arn(SOURCE), "s3:ListBucket", bucket_arn(bucket)),
    )
    expect_error(lambda: a_root.get_object(Bucket=bucket, Key="missing"), "NoSuchKey", 404)
    assert a_root.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert status(a_root.head_bucket(Bucket=bucket)) == 200


# --- anonymous requests and Block Public Access ---------------------------------------


def test_anonymous_requests_are_denied(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="private", Body=b"secret")
    anonymous = anonymous_s3(server)
    denied(lambda: anonymous.get_object(Bucket=bucket, Key="private"))
    denied(lambda: anonymous.put_object(Bucket=bucket, Key="anon", Body=b"x"))
    denied(lambda: anonymous.list_objects_v2(Bucket=bucket))
    denied(lambda: anonymous.delete_object(Bucket=bucket, Key="private"))
    head_denied(lambda: anonymous.head_object(Bucket=bucket, Key="private"))
    denied(anonymous.list_buckets)
    denied(lambda: anonymous.create_bucket(Bucket=unique("anon")))
    assert keys_of(owner, bucket) == ["private"]


def test_new_buckets_block_public_access(server):
    bucket, owner = dest_bucket(server)
    config = owner.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert config == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


# Public-policy tests: they need Block Public Access relaxed first.


def test_public_bucket_policy_is_refused_while_blocked(server):
    bucket, owner = dest_bucket(server)
    public = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": objects_arn(bucket)})
    denied(lambda: owner.put_bucket_policy(Bucket=bucket, Policy=public))
    expect_error(lambda: owner.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", 404)
    # Principal {"AWS": "*"} is just as public.
    public_aws = policy(grant("*", "s3:GetObject", objects_arn(bucket)))
    denied(lambda: owner.put_bucket_policy(Bucket=bucket, Policy=public_aws))
    # A Deny for everyone is not public.
    owner.put_bucket_policy(Bucket=bucket, Policy=policy(grant("*", "s3:DeleteObject", objects_arn(bucket), effect="Deny")))


def test_public_read_once_block_public_access_is_removed(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="public.txt", Body=b"for everyone")
    assert status(owner.delete_public_access_block(Bucket=bucket)) == 204
    expect_error(lambda: owner.get_public_access_block(Bucket=bucket), "NoSuchPublicAccessBlockConfiguration", 404)
    owner.put_bucket_policy(
        Bucket=bucket,
        Policy=policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": objects_arn(bucket)}),
    )
    anonymous = anonymous_s3(server)
    assert anonymous.get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"for everyone"
    # Only GetObject was made public.
    denied(lambda: anonymous.put_object(Bucket=bucket, Key="anon", Body=b"x"))
    denied(lambda: anonymous.list_objects_v2(Bucket=bucket))
    # Other accounts are "everyone" too.
    assert s3_client(server, "source").get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"for everyone"


def test_restrict_public_buckets_limits_a_public_policy(server):
    bucket, owner = dest_bucket(server)
    owner.put_object(Bucket=bucket, Key="public.txt", Body=b"maybe public")

    def block(restrict):
        owner.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": restrict,
            },
        )

    block(restrict=True)
    owner.put_bucket_policy(
        Bucket=bucket,
        Policy=policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": objects_arn(bucket)}),
    )
    anonymous = anonymous_s3(server)
    denied(lambda: anonymous.get_object(Bucket=bucket, Key="public.txt"))
    denied(lambda: s3_client(server, "source").get_object(Bucket=bucket, Key="public.txt"), cross_account=True)
    block(restrict=False)
    assert anonymous.get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"maybe public"


# --- object ownership and ACLs (skip this class as a group while ACLs are not done) ----


class TestObjectOwnership:
    def test_new_buckets_enforce_bucket_owner(self, server):
        bucket, owner = dest_bucket(server)
        rules = owner.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    def test_object_written_by_another_account_belongs_to_the_bucket_owner(self, server):
        bucket, owner = dest_bucket(server)
        put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)))
        a_root = s3_client(server, "source")
        a_root.put_object(Bucket=bucket, Key="from-a", Body=b"written by A")
        assert owner.get_object(Bucket=bucket, Key="from-a")["Body"].read() == b"written by A"
        b_id = canonical_id(server, "destination")
        acl = owner.get_object_acl(Bucket=bucket, Key="from-a")
        assert acl["Owner"]["ID"] == b_id
        assert grants_of(acl) == [("CanonicalUser", b_id, "FULL_CONTROL")]
        listed = owner.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"]
        assert listed[0]["Owner"]["ID"] == b_id
        # A wrote it but does not own it: reading it back needs a grant from B.
        denied(lambda: a_root.get_object(Bucket=bucket, Key="from-a"), cross_account=True)

    def test_acls_other_than_bucket_owner_full_control_are_refused(self, server):
        bucket, owner = dest_bucket(server)
        # Without Block Public Access, so that BlockPublicAcls cannot be the reason.
        owner.delete_public_access_block(Bucket=bucket)
        put_bucket_policy(
            owner, bucket, grant(root_arn(SOURCE), ["s3:PutObject", "s3:PutObjectAcl"], objects_arn(bucket))
        )
        a_root = s3_client(server, "source")
        message = "The bucket does not allow ACLs"
        expect_error(
            lambda: owner.put_object(Bucket=bucket, Key="public", Body=b"x", ACL="public-read"),
            "AccessControlListNotSupported",
            400,
            message,
        )
        expect_error(
            lambda: a_root.put_object(Bucket=bucket, Key="public-a", Body=b"x", ACL="public-read"),
            "AccessControlListNotSupported",
            400,
            message,
        )
        a_root.put_object(Bucket=bucket, Key="full-control", Body=b"x", ACL="bucket-owner-full-control")
        assert owner.get_object(Bucket=bucket, Key="full-control")["Body"].read() == b"x"
        assert owner.get_object_acl(Bucket=bucket, Key="full-control")["Owner"]["ID"] == canonical_id(server, "destination")
        expect_error(
            lambda: owner.put_object_acl(Bucket=bucket, Key="full-control", ACL="public-read"),
            "AccessControlListNotSupported",
            400,
            message,
        )
        assert keys_of(owner, bucket) == ["full-control"]

    def test_acl_header_needs_put_object_acl(self, server):
        bucket, owner = dest_bucket(server)
        put_bucket_policy(owner, bucket, grant(root_arn(SOURCE), "s3:PutObject", objects_arn(bucket)))
        a_root = s3_client(server, "source")
        denied(
            lambda: a_root.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control"),
            cross_account=True,
        )
        a_root.put_object(Bucket=bucket, Key="k", Body=b"x")
        assert keys_of(owner, bucket) == ["k"]

    def test_object_writer_keeps_the_writer_as_owner(self, server):
        bucket, owner = dest_bucket(server)
        owner.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
        )
        assert owner.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "ObjectWriter"}
        ]
        put_bucket_policy(
            owner, bucket, grant(root_arn(SOURCE), ["s3:PutObject", "s3:PutObjectAcl"], objects_arn(bucket))
        )
        a_root = s3_client(server, "source")
        a_id, b_id = canonical_id(server, "source"), canonical_id(server, "destination")

        a_root.put_object(Bucket=bucket, Key="a-owned", Body=b"mine")
        # The writer owns it: A reads it through its object ACL, B's bucket policy cannot
        # give B access, though B may still delete it.
        acl = a_root.get_object_acl(Bucket=bucket, Key="a-owned")
        assert acl["Owner"]["ID"] == a_id
        assert grants_of(acl) == [("CanonicalUser", a_id, "FULL_CONTROL")]
        assert a_root.get_object(Bucket=bucket, Key="a-owned")["Body"].read() == b"mine"
        denied(lambda: owner.get_object(Bucket=bucket, Key="a-owned"))

        a_root.put_object(Bucket=bucket, Key="shared", Body=b"ours", ACL="bucket-owner-full-control")
        acl = owner.get_object_acl(Bucket=bucket, Key="shared")
        assert acl["Owner"]["ID"] == a_id
        assert grants_of(acl) == sorted([("CanonicalUser", a_id, "FULL_CONTROL"), ("CanonicalUser", b_id, "FULL_CONTROL")])
        assert owner.get_object(Bucket=bucket, Key="shared")["Body"].read() == b"ours"

        assert status(owner.delete_object(Bucket=bucket, Key="a-owned")) == 204
        assert keys_of(owner, bucket) == ["shared"]

    def test_bucket_owner_preferred_takes_ownership_with_full_control(self, server):
        bucket, owner = dest_bucket(server)
        owner.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
        )
        put_bucket_policy(
            owner, bucket, grant(root_arn(SOURCE), ["s3:PutObject", "s3:PutObjectAcl"], objects_arn(bucket))
        )
        a_root = s3_client(server, "source")
        a_id, b_id = canonical_id(server, "source"), canonical_id(server, "destination")
        a_root.put_object(Bucket=bucket, Key="handed-over", Body=b"x", ACL="bucket-owner-full-control")
        assert owner.get_object_acl(Bucket=bucket, Key="handed-over")["Owner"]["ID"] == b_id
        assert owner.get_object(Bucket=bucket, Key="handed-over")["Body"].read() == b"x"
        a_root.put_object(Bucket=bucket, Key="kept", Body=b"y")
        assert a_root.get_object_acl(Bucket=bucket, Key="kept")["Owner"]["ID"] == a_id
        denied(lambda: owner.get_object(Bucket=bucket, Key="kept"))

    def test_ownership_controls_can_be_deleted_and_restored(self, server):
        bucket, owner = dest_bucket(server)
        assert status(owner.delete_bucket_ownership_controls(Bucket=bucket)) == 204
        expect_error(
            lambda: owner.get_bucket_ownership_controls(Bucket=bucket),
            "OwnershipControlsNotFoundError",
            404,
            "The bucket ownership controls were not found",
        )
        owner.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
        assert owner.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}
        ]
