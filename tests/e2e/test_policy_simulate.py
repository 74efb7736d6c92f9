"""`strata policy simulate`: decisions and traces for the seed's cross-account write."""

import json
import subprocess

from conftest import strata_bin

BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowSourceExports",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": "arn:aws:s3:::dest-bucket/*",
        }
    ],
}
IDENTITY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::dest-bucket/*"}],
}


def simulate(tmp_path, *extra):
    (tmp_path / "bucket.json").write_text(json.dumps(BUCKET_POLICY))
    (tmp_path / "identity.json").write_text(json.dumps(IDENTITY))
    return subprocess.run(
        [
            strata_bin(), "policy", "simulate",
            "--principal", "arn:aws:iam::111111111111:user/exporter",
            "--action", "s3:PutObject",
            "--resource", "arn:aws:s3:::dest-bucket/AWSDynamoDB/01234/manifest-summary.json",
            "--resource-account", "222222222222",
            "--resource-policy", str(tmp_path / "bucket.json"),
            *[a.replace("{tmp}", str(tmp_path)) for a in extra],
        ],
        capture_output=True,
        text=True,
    )


def test_cross_account_write_needs_the_identity_side(tmp_path):
    out = simulate(tmp_path)
    assert out.returncode == 2
    assert "decision: ImplicitDeny" in out.stdout
    assert "statement AllowSourceExports" in out.stdout
    assert "no identity-based policy allows the action" in out.stdout
    assert "because no identity-based policy allows the s3:PutObject action" in out.stdout


def test_both_sides_allow(tmp_path):
    out = simulate(tmp_path, "--identity-policy", "{tmp}/identity.json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "decision: Allow" in out.stdout


def test_invalid_policy_file_is_reported(tmp_path):
    (tmp_path / "broken.json").write_text('{"Version": "2012-10-17", "Statement": []')
    out = simulate(tmp_path, "--identity-policy", "{tmp}/broken.json")
    assert out.returncode == 1
    assert "broken.json" in out.stderr


def test_simulate_against_a_running_servers_stored_policies(server):
    import uuid

    iam = server.client("iam")
    user = f"sim-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="ids", PolicyDocument=json.dumps(IDENTITY))

    def run(*extra):
        return subprocess.run(
            [strata_bin(), "policy", "simulate", "--endpoint", server.endpoint,
             "--principal", f"arn:aws:iam::111111111111:user/{user}", *extra],
            capture_output=True, text=True,
        )

    allowed = run("--action", "s3:PutObject", "--resource", "arn:aws:s3:::dest-bucket/k")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert f"user {user} inline policy ids" in allowed.stdout
    denied = run("--action", "iam:ListUsers", "--resource", "*")
    assert denied.returncode == 2
    assert "no identity-based policy allows the iam:ListUsers action" in denied.stdout
    unknown = subprocess.run(
        [strata_bin(), "policy", "simulate", "--endpoint", server.endpoint,
         "--principal", "arn:aws:iam::111111111111:user/nobody-at-all", "--action", "s3:GetObject", "--resource", "*"],
        capture_output=True, text=True,
    )
    assert unknown.returncode == 1
    assert "cannot be found" in unknown.stderr


def test_simulate_says_a_root_user_may_not_assume_a_role(server):
    # AWS refuses AssumeRole to an account's root user whatever the trust policy says (403
    # AccessDenied "Roles may not be assumed by root accounts."); the simulator says so too.
    out = subprocess.run(
        [strata_bin(), "policy", "simulate", "--endpoint", server.endpoint,
         "--principal", "arn:aws:iam::111111111111:root", "--action", "sts:AssumeRole",
         "--resource", "arn:aws:iam::222222222222:role/anything"],
        capture_output=True, text=True,
    )
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Roles may not be assumed by root accounts." in out.stdout


KEY_ARN = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def simulate_key(tmp_path, key_policy, *extra):
    (tmp_path / "key.json").write_text(json.dumps(key_policy))
    return subprocess.run(
        [
            strata_bin(), "policy", "simulate",
            "--principal", "arn:aws:iam::222222222222:user/alice",
            "--principal-id", "AIDAEXAMPLEALICE00001",
            "--action", "kms:Decrypt",
            "--resource", KEY_ARN,
            "--resource-account", "222222222222",
            "--resource-policy", str(tmp_path / "key.json"),
            "--resource-policy-type", "key",
            *[a.replace("{tmp}", str(tmp_path)) for a in extra],
        ],
        capture_output=True,
        text=True,
    )


def test_a_key_policy_must_allow_even_in_the_keys_account(tmp_path):
    """KMS Developer Guide (key-policies): without the key policy's permission, IAM policies
    have no effect — even for a principal of the key's own account."""
    only_a_role = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/admin"},
        "Action": "kms:*", "Resource": "*"}]}
    (tmp_path / "admin.json").write_text(json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))
    out = simulate_key(tmp_path, only_a_role, "--identity-policy", "{tmp}/admin.json")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "because no resource-based policy allows the kms:Decrypt action" in out.stdout


def test_a_key_policy_naming_the_account_delegates_to_iam(tmp_path):
    default = {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "kms:*", "Resource": "*"}]}
    out = simulate_key(tmp_path, default)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "because no identity-based policy allows the kms:Decrypt action" in out.stdout
    (tmp_path / "decrypt.json").write_text(json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}]}))
    out = simulate_key(tmp_path, default, "--identity-policy", "{tmp}/decrypt.json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "decision: Allow" in out.stdout
