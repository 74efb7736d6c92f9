"""TLS on strata's one port, proved with real clients (boto3, the AWS CLI, Python's ssl):

- every service answers boto3 over https verified against strata's local CA, a client that
  trusts only the public CAs refuses the certificate, and plain http keeps working on the
  same port;
- `strata credentials --https` sets the AWS CLI up (AWS_ENDPOINT_URL + AWS_CA_BUNDLE, or
  `endpoint_url` / `ca_bundle` in a profile);
- the CA survives restarts while the server certificate is re-issued; `--tls-name` adds names
  to it (and a bad one stops the server); `--tls-cert/--tls-key` present the operator's own;
- `aws:SecureTransport` is "true" exactly for requests sent over TLS, in S3 bucket policies
  (the deny-insecure-transport example, same- and cross-account, and DynamoDB exports whose
  S3 writes go over TLS) and in identity policies for DynamoDB, IAM and KMS;
- both transports share the port (TLS garbage is dropped, keep-alive works over TLS);
- `--max-connections` answers connections over the cap with each protocol's throttling error.

Expectations come from AWS's documentation, not from strata's output.
"""

import http.client
import json
import os
import re
import shlex
import socket
import ssl
import subprocess
import time
import urllib.request

import botocore.exceptions
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from aws_helpers import client_error, export_id, new_table, pitr_table, policy, unique, wait_active, wait_export
from conftest import ACCOUNTS, REGION, start_server, strata_bin
from s3_helpers import expect_error, s3_client, status
from sigv4_client import credentials

SOURCE, DEST = ACCOUNTS["source"][0], ACCOUNTS["destination"][0]


# --- helpers --------------------------------------------------------------------------


def https_endpoint(server):
    """The same port, spoken to over TLS."""
    return server.endpoint.replace("http://", "https://")


def ca_path(server):
    """The CA bundle the banner's second line names (`AWS_CA_BUNDLE=/abs/path/tls/ca.pem`)."""
    match = re.search(r"^and on https://\S+ \(TLS on the same port; AWS_CA_BUNDLE=(/\S+)\)$", server.banner, re.M)
    assert match, server.banner
    return match.group(1)


def host_port(server):
    host, port = server.endpoint.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def tls(server, service, account="source", verify=None, **overrides):
    """A boto3 client of `account` over https, verifying with strata's CA (or `verify`)."""
    return server.client(
        service, account, endpoint_url=https_endpoint(server), verify=verify or ca_path(server), **overrides
    )


def tls_s3(server, account="source", verify=None):
    return s3_client(server, account, endpoint_url=https_endpoint(server), verify=verify or ca_path(server))


def ca_context(cafile):
    return ssl.create_default_context(cafile=str(cafile))


def handshake(server, server_hostname, cafile, binary=False):
    """Connects to the server's address over TLS, verifying `server_hostname` against the
    certificate with `cafile`; returns the peer certificate (dict, or DER if `binary`)."""
    host, port = host_port(server)
    with socket.create_connection((host, port), timeout=10) as raw:
        with ca_context(cafile).wrap_socket(raw, server_hostname=server_hostname) as s:
            return s.getpeercert(binary_form=binary)


def health_over_https(server):
    url = https_endpoint(server) + "/_strata/health"
    with urllib.request.urlopen(url, timeout=10, context=ca_context(ca_path(server))) as r:
        return r.status


def deny_insecure_transport(bucket):
    """The statement of AWS's example bucket policy that refuses any request not sent over
    TLS ("Deny", Principal "*", Bool aws:SecureTransport "false"; S3 User Guide, "Security
    best practices for Amazon S3": enforce encryption of data in transit)."""
    return {
        "Sid": "AllowSSLRequestsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def new_bucket(s3):
    name = unique("tls")
    s3.create_bucket(Bucket=name)
    return name


def secure_only_bucket(server, owner="source", grantee=None):
    """A bucket of `owner` with the deny-insecure-transport statement (and, for a cross-account
    `grantee` account id, an Allow of its root for object reads/writes and bucket listing);
    returns (name, owner's https S3 client)."""
    s3 = tls_s3(server, owner)
    bucket = new_bucket(s3)
    statements = [deny_insecure_transport(bucket)]
    if grantee:
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{grantee}:root"},
                "Action": [
                    "s3:PutObject",
                    "s3:PutObjectAcl",
                    "s3:GetObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                ],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        )
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(*statements))
    return bucket, s3


def exchange(server, method, path, headers=(), body=b"", sign=None, conn=None):
    """Sends one request on `conn` (a new plain HTTP connection if None), SigV4-signed for
    service `sign` with source's root key when given; returns (status, headers, body, conn)."""
    host, port = host_port(server)
    headers = dict(headers)
    if sign:
        request = AWSRequest(method=method, url=f"{server.endpoint}{path}", data=body, headers=headers)
        if sign == "s3":
            request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
        SigV4Auth(credentials("source"), sign, REGION).add_auth(request)
        headers = dict(request.headers.items())
    conn = conn or http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read(), conn


def run(*args, env=None):
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)


def cli_env(exports):
    """An environment with only the exported AWS_* variables (none of the caller's, no config
    files), as `eval $(strata credentials ...)` in a clean shell gives."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", **exports)
    return env


def parse_exports(text):
    exports = {}
    for line in text.splitlines():
        words = shlex.split(line)
        assert words[0] == "export" and len(words) == 2, line
        name, value = words[1].split("=", 1)
        exports[name] = value
    return exports


# --- 1. real clients over https, same port as http ------------------------------------


def test_every_service_over_https_with_the_local_ca(server):
    ddb = tls(server, "dynamodb")
    table = new_table(ddb, "tls")
    wait_active(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]["v"] == {"N": "1"}

    s3 = tls_s3(server)
    bucket = new_bucket(s3)
    s3.put_object(Bucket=bucket, Key="k", Body=b"over tls")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"over tls"

    assert tls(server, "sts").get_caller_identity()["Account"] == SOURCE
    assert "Users" in tls(server, "iam").list_users()

    kms = tls(server, "kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_the_default_trust_store_refuses_the_private_ca(server):
    # verify=True: botocore's own bundle, ignoring any AWS_CA_BUNDLE of the environment.
    sts = server.client("sts", endpoint_url=https_endpoint(server), verify=True)
    with pytest.raises(botocore.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        sts.get_caller_identity()


def test_plain_http_still_works_on_the_same_port(server):
    assert server.client("sts").get_caller_identity()["Account"] == SOURCE
    tls(server, "sts").get_caller_identity()
    assert server.client("sts").get_caller_identity()["Account"] == SOURCE


# --- 2. the AWS CLI set up by `strata credentials --https` -----------------------------


def test_aws_cli_over_https_from_strata_credentials(fresh_data_dir):
    srv = start_server(fresh_data_dir)
    try:
        out = run(strata_bin(), "credentials", "source", "--data-dir", str(fresh_data_dir), "--https")
        assert out.returncode == 0, out.stderr
        exports = parse_exports(out.stdout)
        assert exports["AWS_ENDPOINT_URL"] == https_endpoint(srv)
        assert exports["AWS_CA_BUNDLE"] == ca_path(srv) == str(fresh_data_dir / "tls" / "ca.pem")
        env = cli_env(exports)

        # No --endpoint-url: the CLI takes AWS_ENDPOINT_URL and AWS_CA_BUNDLE from the env.
        out = run("aws", "--output", "json", "sts", "get-caller-identity", env=env)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["Account"] == SOURCE

        bucket = unique("cli-tls")
        out = run("aws", "s3", "mb", f"s3://{bucket}", env=env)
        assert out.returncode == 0, out.stderr
        local = fresh_data_dir.parent / f"{fresh_data_dir.name}-upload.txt"
        local.write_text("hello over tls\n")
        out = run("aws", "s3", "cp", str(local), f"s3://{bucket}/hello.txt", env=env)
        assert out.returncode == 0, out.stderr
        out = run("aws", "s3", "cp", f"s3://{bucket}/hello.txt", "-", env=env)
        assert out.returncode == 0 and out.stdout == "hello over tls\n", out.stderr

        out = run("aws", "--output", "json", "dynamodb", "list-tables", env=env)
        assert out.returncode == 0, out.stderr
        assert "TableNames" in json.loads(out.stdout)

        # Without the CA bundle the same CLI refuses the certificate: it really is TLS.
        without_ca = {k: v for k, v in env.items() if k != "AWS_CA_BUNDLE"}
        out = run("aws", "sts", "get-caller-identity", env=without_ca)
        assert out.returncode != 0
        assert "SSL" in out.stderr and "CERTIFICATE_VERIFY_FAILED" in out.stderr, out.stderr

        # Without --https the bundle is not exported: botocore would trust nothing else.
        out = run(strata_bin(), "credentials", "source", "--data-dir", str(fresh_data_dir))
        assert out.returncode == 0 and "AWS_CA_BUNDLE" not in out.stdout, out.stdout

        out = run(
            strata_bin(), "credentials", "source", "--data-dir", str(fresh_data_dir), "--https", "--format", "aws-config"
        )
        assert out.returncode == 0, out.stderr
        assert f"ca_bundle = {ca_path(srv)}\n" in out.stdout, out.stdout
        assert f"endpoint_url = {https_endpoint(srv)}\n" in out.stdout, out.stdout
    finally:
        srv.stop()


# --- 3-5. the certificate: persistent CA, --tls-name, --tls-cert/--tls-key ------------


def test_the_ca_persists_and_the_server_certificate_is_reissued(fresh_data_dir):
    tls_dir = fresh_data_dir / "tls"
    first = start_server(fresh_data_dir)
    try:
        ca_file = ca_path(first)
        assert ca_file == str(tls_dir / "ca.pem")
        ca_before, cert_before = (tls_dir / "ca.pem").read_bytes(), (tls_dir / "server.pem").read_bytes()
        assert tls(first, "sts", verify=ca_file).get_caller_identity()["Account"] == SOURCE
    finally:
        first.stop()
    second = start_server(fresh_data_dir)
    try:
        assert (tls_dir / "ca.pem").read_bytes() == ca_before
        assert (tls_dir / "server.pem").read_bytes() != cert_before
        assert ca_path(second) == ca_file
        assert tls(second, "sts", verify=ca_file).get_caller_identity()["Account"] == SOURCE
    finally:
        second.stop()


def test_tls_names_are_added_to_the_certificate(fresh_data_dir):
    srv = start_server(fresh_data_dir, "--tls-name", "strata.test", "--tls-name", "10.1.2.3")
    try:
        ca = ca_path(srv)
        names = set(handshake(srv, "localhost", ca)["subjectAltName"])
        assert {
            ("DNS", "strata.test"),
            ("IP Address", "10.1.2.3"),
            ("DNS", "localhost"),
            ("IP Address", "127.0.0.1"),
        } <= names, names
        handshake(srv, "strata.test", ca)
        handshake(srv, "b.s3.localhost", ca)
        with pytest.raises(ssl.SSLCertVerificationError, match="other.example"):
            handshake(srv, "other.example", ca)
    finally:
        srv.stop()


def test_a_bad_tls_name_stops_the_server(fresh_data_dir):
    proc = subprocess.Popen(
        [strata_bin(), "serve", "--port", "0", "--data-dir", str(fresh_data_dir), "--tls-name", "has space"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("strata kept running with --tls-name 'has space'")
    assert proc.returncode != 0, stdout
    assert "--tls-name" in stderr, stderr


def test_the_operators_own_certificate(fresh_data_dir):
    key, cert = fresh_data_dir.parent / "own-key.pem", fresh_data_dir.parent / "own-cert.pem"
    out = run(
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2",
        "-keyout", str(key), "-out", str(cert),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    srv = start_server(fresh_data_dir, "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert "with your certificate" in srv.banner, srv.banner
        served = handshake(srv, "localhost", cert, binary=True)
        assert served == ssl.PEM_cert_to_DER_cert(cert.read_text())
        assert tls(srv, "sts", verify=str(cert)).get_caller_identity()["Account"] == SOURCE
        s3 = tls_s3(srv, verify=str(cert))
        bucket = new_bucket(s3)
        assert status(s3.put_object(Bucket=bucket, Key="k", Body=b"x")) == 200
    finally:
        srv.stop()


# --- 6. aws:SecureTransport in S3 bucket policies -------------------------------------
# IAM User Guide, "AWS global condition context keys": aws:SecureTransport "checks whether the
# request was sent using TLS"; S3 User Guide's example policy denies every s3:* action when it
# is "false", so only plain-http requests are refused.


def test_deny_insecure_transport_policy_same_account(server):
    bucket, secure = secure_only_bucket(server)
    plain = s3_client(server)
    assert status(secure.put_object(Bucket=bucket, Key="k", Body=b"v")) == 200
    assert secure.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    assert [o["Key"] for o in secure.list_objects(Bucket=bucket)["Contents"]] == ["k"]

    expect_error(lambda: plain.put_object(Bucket=bucket, Key="k2", Body=b"v"), "AccessDenied", 403)
    expect_error(lambda: plain.get_object(Bucket=bucket, Key="k"), "AccessDenied", 403)
    expect_error(lambda: plain.list_objects(Bucket=bucket), "AccessDenied", 403)
    assert [o["Key"] for o in secure.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_deny_insecure_transport_policy_cross_account_writer(server):
    bucket, owner = secure_only_bucket(server, "destination", grantee=SOURCE)
    writer_tls, writer_plain = tls_s3(server, "source"), s3_client(server, "source")
    assert status(writer_tls.put_object(Bucket=bucket, Key="from-source", Body=b"v")) == 200
    assert writer_tls.get_object(Bucket=bucket, Key="from-source")["Body"].read() == b"v"
    assert status(writer_tls.get_bucket_location(Bucket=bucket)) == 200

    expect_error(lambda: writer_plain.put_object(Bucket=bucket, Key="plain", Body=b"v"), "AccessDenied", 403)
    expect_error(lambda: writer_plain.get_object(Bucket=bucket, Key="from-source"), "AccessDenied", 403)
    expect_error(lambda: writer_plain.get_bucket_location(Bucket=bucket), "AccessDenied", 403)
    assert [o["Key"] for o in owner.list_objects_v2(Bucket=bucket)["Contents"]] == ["from-source"]


def test_export_into_a_secure_only_bucket_completes(server, ddb):
    # DynamoDB writes an export to S3 itself (over TLS, like every AWS service-to-S3 call), as
    # the calling principal, so the deny-insecure statement does not stop it even when
    # ExportTableToPointInTime was called over plain http.
    bucket, owner = secure_only_bucket(server, "destination", grantee=SOURCE)
    name = pitr_table(ddb, unique("tls-export"), [{"pk": {"S": f"k{i}"}, "n": {"N": str(i)}} for i in range(3)])
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3BucketOwner=DEST)[
        "ExportDescription"
    ]
    done = wait_export(ddb, started["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED", done
    assert done["ItemCount"] == 3
    keys = [o["Key"] for o in owner.list_objects_v2(Bucket=bucket)["Contents"]]
    assert f"AWSDynamoDB/{export_id(done['ExportArn'])}/manifest-summary.json" in keys, keys

    # The same principal writing over plain http is refused.
    plain = s3_client(server, "source")
    expect_error(lambda: plain.put_object(Bucket=bucket, Key="plain", Body=b"v"), "AccessDenied", 403)


# --- 7. aws:SecureTransport in identity policies of other services --------------------


def test_secure_transport_condition_in_an_identity_policy(server):
    iam = server.client("iam")
    name = unique("tls-user")
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="tls-only",
        PolicyDocument=policy(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:*", "iam:ListUsers", "kms:*"],
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ),
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])

    # Over plain http the condition is false, the Allow does not apply: implicit deny.
    assert client_error(server.client("dynamodb", **as_user).list_tables)["Error"]["Code"] == "AccessDeniedException"
    assert client_error(server.client("iam", **as_user).list_users)["Error"]["Code"] == "AccessDenied"
    assert client_error(server.client("kms", **as_user).list_keys)["Error"]["Code"] == "AccessDeniedException"

    # Over TLS it is true.
    assert "TableNames" in tls(server, "dynamodb", **as_user).list_tables()
    assert name in [u["UserName"] for u in tls(server, "iam", **as_user).list_users()["Users"]]
    assert "Keys" in tls(server, "kms", **as_user).list_keys()


# --- 8. one port, both transports -----------------------------------------------------


def test_tls_garbage_is_dropped_and_both_transports_keep_working(server):
    host, port = host_port(server)
    with socket.create_connection((host, port), timeout=10) as s:
        # A TLS record header (handshake, TLS 1.0) followed by no valid ClientHello.
        s.sendall(b"\x16\x03\x01\x00\x20" + b"\x01not a client hello at all\xff" * 4)
        received = b""
        try:
            while chunk := s.recv(4096):
                received += chunk
                assert len(received) < 65536, "the server keeps sending"
        except ConnectionResetError:
            pass  # closed abruptly: closed all the same
        # Whatever came back (at most a TLS alert record), it is not an HTTP answer.
        assert not received.startswith(b"HTTP/"), received
    server.get("/_strata/health")  # plain http answers (urlopen raises otherwise)
    assert health_over_https(server) == 200


def test_https_keep_alive_serves_several_requests(server):
    host, port = host_port(server)
    conn = http.client.HTTPSConnection(host, port, timeout=10, context=ca_context(ca_path(server)))
    try:
        sockets = []
        for _ in range(3):
            conn.request("GET", "/_strata/health")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            sockets.append(conn.sock)
        assert sockets[0] is not None and all(s is sockets[0] for s in sockets), "a new connection was opened"
        assert isinstance(sockets[0], ssl.SSLSocket)
    finally:
        conn.close()


# --- 9. --max-connections -------------------------------------------------------------

THROTTLED = {
    # S3 API reference, "Error responses": SlowDown, 503, "Please reduce your request rate."
    "s3": ("GET", "/", {}, b"", 503, "SlowDown"),
    # DynamoDB: ThrottlingException, 400, "Rate of requests exceeds the allowed throughput."
    "dynamodb": (
        "POST",
        "/",
        {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"},
        b"{}",
        400,
        "ThrottlingException",
    ),
    # KMS: ThrottlingException, 400.
    "kms": (
        "POST",
        "/",
        {"X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"},
        b"{}",
        400,
        "ThrottlingException",
    ),
    # STS / IAM (query protocol): Throttling, 400.
    "sts": (
        "POST",
        "/",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        b"Action=GetCallerIdentity&Version=2011-06-15",
        400,
        "Throttling",
    ),
    "iam": (
        "POST",
        "/",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        b"Action=ListUsers&Version=2010-05-08",
        400,
        "Throttling",
    ),
}


def error_code(service, body):
    if service in ("dynamodb", "kms"):
        return json.loads(body)["__type"].rsplit("#", 1)[-1]
    match = re.search(rb"<Code>([^<]+)</Code>", body)
    assert match, body
    return match.group(1).decode()


def test_connections_over_the_cap_are_throttled_and_closed(fresh_data_dir):
    srv = start_server(fresh_data_dir, "--max-connections", "2")
    held = []
    try:
        # Health is answered even over the cap, but then with `Connection: close`: the readiness
        # probe's connection may not be released yet, so keep only connections the cap admitted.
        deadline = time.time() + 10
        while len(held) < 2:
            code, headers, _, conn = exchange(srv, "GET", "/_strata/health")
            assert code == 200
            if headers.get("connection", "").lower() != "close":
                held.append(conn)
                continue
            conn.close()
            assert time.time() < deadline, "no connection was admitted under the cap"
            time.sleep(0.05)

        # The unsigned S3 and DynamoDB requests of the brief, then signed ones of every service.
        extra = [
            ("s3", THROTTLED["s3"], None),
            ("dynamodb", THROTTLED["dynamodb"], None),
            *((service, spec, service) for service, spec in THROTTLED.items()),
        ]
        for service, (method, path, hdrs, body, want_status, want_code), sign in extra:
            code, headers, payload, conn = exchange(srv, method, path, hdrs, body, sign=sign)
            conn.close()
            assert (code, error_code(service, payload)) == (want_status, want_code), (service, sign, payload)
            assert headers.get("connection", "").lower() == "close", (service, headers)
            if service == "s3":
                assert b"<Message>Please reduce your request rate.</Message>" in payload, payload
            if service == "dynamodb":
                error = json.loads(payload)
                assert error.get("message", error.get("Message")) == "Rate of requests exceeds the allowed throughput."

        # The held connections are still served.
        code, _, _, _ = exchange(srv, "GET", "/_strata/health", conn=held[0])
        assert code == 200

        for conn in held:
            conn.close()
        held.clear()
        time.sleep(0.3)
        deadline = time.time() + 10
        while True:
            code, _, _, conn = exchange(srv, "GET", "/_strata/health")
            conn.close()
            if code == 200 or time.time() > deadline:
                break
            time.sleep(0.1)
        assert code == 200
        assert tls(srv, "sts").get_caller_identity()["Account"] == SOURCE
    finally:
        for conn in held:
            conn.close()
        srv.stop()
