"""strata's own endpoints (`/_strata/*`): open on loopback by default; with `--admin-auth` (and
always off loopback) every endpoint but health needs an account root's SigV4 signature
(signing name `strata`), and `simulate` answers only about the signing account (issue 21)."""

import json
import socket
import time
import urllib.parse

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_helpers import client_error, new_user, unique
from conftest import ACCOUNTS, REGION, start_server
from s3_helpers import s3_client
from sigv4_client import credentials, send


@pytest.fixture(scope="module")
def guarded(workdir):
    server = start_server(workdir / "admin-auth", "--admin-auth")
    yield server
    server.stop()


def call(server, method, path, body=None, creds=None, service="strata"):
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = AWSRequest(method=method, url=server.endpoint + path, data=data, headers=headers)
    if creds is not None:
        SigV4Auth(creds, service, REGION).add_auth(request)
    status, _, answer = send(request.url, method, dict(request.headers.items()), data)
    return status, json.loads(answer or b"{}")


def test_health_stays_open(guarded):
    assert call(guarded, "GET", "/_strata/health") == (200, {"status": "ok"})


def test_unsigned_admin_calls_are_refused_and_change_nothing(guarded):
    before = call(guarded, "GET", "/_strata/clock", creds=credentials())[1]["offset_seconds"]
    for method, path, body in [
        ("GET", "/_strata/clock", None),
        ("POST", "/_strata/clock", {"advance_seconds": 3600}),
        ("POST", "/_strata/simulate", {"principal": "arn:aws:iam::111111111111:root",
                                       "action": "s3:ListBucket", "resource": "arn:aws:s3:::x"}),
    ]:
        status, answer = call(guarded, method, path, body)
        assert status == 403, answer
        assert "signed" in answer["error"]
    after = call(guarded, "GET", "/_strata/clock", creds=credentials())[1]["offset_seconds"]
    assert after == before


def test_a_root_signature_opens_them(guarded):
    status, answer = call(guarded, "POST", "/_strata/clock", {"advance_seconds": 1}, creds=credentials())
    assert status == 200, answer
    assert "now" in answer


def test_a_bad_signature_or_an_iam_user_is_refused(guarded):
    _, akid, _ = ACCOUNTS["source"]
    status, _ = call(guarded, "GET", "/_strata/clock", creds=Credentials(akid, "wrong-secret"))
    assert status == 403
    iam = guarded.client("iam")
    iam.create_user(UserName="admin-wannabe")
    key = iam.create_access_key(UserName="admin-wannabe")["AccessKey"]
    status, answer = call(
        guarded, "GET", "/_strata/clock", creds=Credentials(key["AccessKeyId"], key["SecretAccessKey"])
    )
    assert status == 403
    assert "root user only" in answer["error"]


def test_simulate_answers_only_about_the_signing_account(guarded):
    own = {"principal": "arn:aws:iam::111111111111:root", "action": "dynamodb:ListTables", "resource": "*"}
    status, answer = call(guarded, "POST", "/_strata/simulate", own, creds=credentials())
    assert status == 200, answer
    other = dict(own, principal="arn:aws:iam::222222222222:root")
    status, answer = call(guarded, "POST", "/_strata/simulate", other, creds=credentials())
    assert status == 400 and "only about the signing account" in answer["error"], answer
    foreign = dict(own, action="s3:PutObject", resource="arn:aws:s3:::x", resource_account="222222222222")
    status, answer = call(guarded, "POST", "/_strata/simulate", foreign, creds=credentials())
    assert status == 400 and "only about the signing account" in answer["error"], answer


def non_loopback_address():
    """An address of this machine other than loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_off_loopback_admin_calls_need_a_signature_without_the_flag(workdir):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address beyond loopback")
    server = start_server(workdir / "admin-remote", "--host", "0.0.0.0")
    try:
        port = server.endpoint.rsplit(":", 1)[1]
        remote = type(server)(server.process, f"http://{address}:{port}", server.data_dir, server.banner)
        assert call(remote, "GET", "/_strata/health")[0] == 200
        status, answer = call(remote, "POST", "/_strata/clock", {"advance_seconds": 3600})
        assert status == 403, answer
        assert call(remote, "GET", "/_strata/clock", creds=credentials())[0] == 200
        # Loopback, without --admin-auth, stays open.
        assert call(server, "GET", "/_strata/clock")[0] == 200
    finally:
        server.stop()


def test_an_admin_key_named_in_the_config_opens_them_for_every_account(workdir):
    """`admin_access_key_ids` in the config: a key it names (here an IAM user's, created on a
    first start and named on the next) opens the endpoints, and `simulate` answers about every
    account for it; a root key it does not name stays limited to its own account."""
    from conftest import CONFIG

    data_dir = workdir / "admin-keys"
    server = start_server(data_dir, "--admin-auth")
    try:
        iam = server.client("iam")
        iam.create_user(UserName="operator")
        key = iam.create_access_key(UserName="operator")["AccessKey"]
    finally:
        server.stop()
    operator = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
    server = start_server(
        data_dir, "--admin-auth", config=f'admin_access_key_ids = ["{key["AccessKeyId"]}"]\n' + CONFIG
    )
    try:
        status, answer = call(server, "POST", "/_strata/clock", {"advance_seconds": 1}, creds=operator)
        assert status == 200, answer
        other = {"principal": "arn:aws:iam::222222222222:root", "action": "dynamodb:ListTables", "resource": "*"}
        status, answer = call(server, "POST", "/_strata/simulate", other, creds=operator)
        assert status == 200, answer
        status, answer = call(server, "POST", "/_strata/simulate", other, creds=credentials())
        assert status == 400 and "only about the signing account" in answer["error"], answer
        # Another user of the same account is not an admin.
        iam = server.client("iam")
        iam.create_user(UserName="not-operator")
        plain = iam.create_access_key(UserName="not-operator")["AccessKey"]
        status, _ = call(
            server, "GET", "/_strata/clock", creds=Credentials(plain["AccessKeyId"], plain["SecretAccessKey"])
        )
        assert status == 403
    finally:
        server.stop()


def test_loopback_trust_is_for_local_pages_only(server):
    """Unsigned admin calls on loopback are trusted only from a local page: another site's
    page in the user's browser (a cross-site form or fetch: its `Origin`) or a DNS-rebound
    name (its `Host`) must sign like a caller off loopback, so it can neither move the clock
    nor read the accounts' keys. The same calls from the console's own origin, or from a
    client sending no Origin, are served."""
    host = server.endpoint.split("://", 1)[1]

    def unsigned(method, path, headers, body=None):
        data = json.dumps(body).encode() if body is not None else None
        status, _, answer = send(server.endpoint + path, method, headers, data)
        return status, json.loads(answer or b"{}")

    before = unsigned("GET", "/_strata/clock", {})[1]["offset_seconds"]
    for headers in [
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Host": "rebound.example:80"},
        {"Host": "rebound.example", "Origin": "http://rebound.example"},
    ]:
        status, answer = unsigned("POST", "/_strata/clock", headers, {"advance_seconds": 3600})
        assert status == 403, (headers, answer)
        status, answer = unsigned("GET", "/_strata/accounts", headers)
        assert status == 403 and "accounts" not in answer, (headers, answer)
    assert unsigned("GET", "/_strata/clock", {})[1]["offset_seconds"] == before
    # The console's own page: same origin.
    status, answer = unsigned("GET", "/_strata/accounts", {"Origin": f"http://{host}"})
    assert status == 200 and answer["accounts"][0]["secret_access_key"], answer
    status, _ = unsigned("POST", "/_strata/clock", {"Origin": f"http://{host}"}, {"advance_seconds": 0})
    assert status == 200
    # The console's files are served to anyone.
    status, _, page = send(server.endpoint + "/_strata/console/", "GET", {"Host": "rebound.example"})
    assert status == 200 and b"strata console" in page


# ---- the recent denials, by caller ----------------------------------------------------------

TRACE_HIDDEN = "(the trace names another account's policies: ask on loopback or with an admin key)"


def denied_get(server, account, bucket, key, creds=None):
    """An S3 GetObject of `bucket`/`key` by `creds` (an IAM user's key) or else `account`'s root,
    which must be denied; returns the resource ARN the denial names."""
    overrides = {}
    if creds is not None:
        overrides = dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"])
    s3 = s3_client(server, account, checksums="when_required", **overrides)
    error = client_error(lambda: s3.get_object(Bucket=bucket, Key=key))
    assert error["Error"]["Code"] == "AccessDenied", error
    return f"arn:aws:s3:::{bucket}/{key}"


def denial_pairs(server):
    """Three denials on `server`: a source user on a source bucket (same account), the source
    root on a destination bucket (cross-account), and a destination user on a destination bucket
    (nothing of the source account's). Returns their resource ARNs by name, and the users' ARNs."""
    buckets = {}
    for account in ("source", "destination"):
        buckets[account] = unique(f"denials-{account[:4]}")
        s3 = s3_client(server, account, checksums="when_required")
        s3.create_bucket(Bucket=buckets[account])
        for key in ("mine", "theirs"):
            s3.put_object(Bucket=buckets[account], Key=key, Body=b"x")
    _, source_user, source_key = new_user(server, "source", prefix="denied-src")
    _, dest_user, dest_key = new_user(server, "destination", prefix="denied-dst")
    resources = {
        "same": denied_get(server, "source", buckets["source"], "mine", source_key),
        "cross": denied_get(server, "source", buckets["destination"], "theirs"),
        "other": denied_get(server, "destination", buckets["destination"], "mine", dest_key),
    }
    return resources, {"same": source_user, "cross": "arn:aws:iam::111111111111:root", "other": dest_user}


def by_resource(denials, resource):
    return [d for d in denials if d["resource"] == resource]


def test_a_signed_root_sees_its_accounts_denials_and_only_its_own_traces(guarded):
    resources, principals = denial_pairs(guarded)
    status, answer = call(guarded, "GET", "/_strata/denials", creds=credentials())
    assert status == 200, answer
    denials = answer["denials"]
    # Its own principal on its own bucket: the whole trace.
    [same] = by_resource(denials, resources["same"])
    assert same["principal"] == principals["same"] and same["action"] == "s3:GetObject", same
    assert same["principal_account"] == same["resource_account"] == "111111111111", same
    assert same["trace"] and TRACE_HIDDEN not in same["trace"], same
    # Its root on the destination's bucket: listed, the trace withheld (it names the bucket's policy).
    [cross] = by_resource(denials, resources["cross"])
    assert cross["principal"] == principals["cross"] and cross["resource_account"] == "222222222222", cross
    assert cross["trace"] == [TRACE_HIDDEN], cross
    # The destination's user on the destination's bucket: not its business at all.
    assert by_resource(denials, resources["other"]) == [], denials
    assert all("111111111111" in (d["principal_account"], d["resource_account"]) for d in denials), denials
    # Asking for the other account narrows its own list; it never widens it.
    status, answer = call(guarded, "GET", "/_strata/denials?account=222222222222", creds=credentials())
    assert status == 200, answer
    assert by_resource(answer["denials"], resources["other"]) == [], answer
    assert [d["resource"] for d in answer["denials"] if d["resource"] in resources.values()] == [resources["cross"]]
    assert all(d["principal_account"] == "111111111111" for d in answer["denials"]), answer

    # The destination's root: its user's denial with the trace, the source root's without.
    status, answer = call(guarded, "GET", "/_strata/denials", creds=credentials("destination"))
    assert status == 200, answer
    [other] = by_resource(answer["denials"], resources["other"])
    assert other["trace"] and TRACE_HIDDEN not in other["trace"], other
    [cross] = by_resource(answer["denials"], resources["cross"])
    assert cross["trace"] == [TRACE_HIDDEN], cross
    assert by_resource(answer["denials"], resources["same"]) == [], answer
    # Unsigned, there is no list.
    status, answer = call(guarded, "GET", "/_strata/denials")
    assert status == 403 and "denials" not in answer, answer


def test_on_loopback_the_account_parameter_narrows_the_denials(server):
    resources, _ = denial_pairs(server)
    status, answer = call(server, "GET", "/_strata/denials")
    assert status == 200, answer
    for name in ("same", "cross", "other"):
        [denial] = by_resource(answer["denials"], resources[name])
        # On loopback every trace is whole.
        assert denial["trace"] and TRACE_HIDDEN not in denial["trace"], denial
    expected = {"111111111111": {"same", "cross"}, "222222222222": {"cross", "other"}}
    for account, names in expected.items():
        status, answer = call(server, "GET", f"/_strata/denials?account={account}")
        assert status == 200, answer
        listed = {name for name, r in resources.items() if by_resource(answer["denials"], r)}
        assert listed == names, (account, listed)
        assert all(account in (d["principal_account"], d["resource_account"]) for d in answer["denials"]), answer
        assert all(TRACE_HIDDEN not in d["trace"] for d in answer["denials"]), answer
    # An account with no denials: an empty list, not every denial.
    status, answer = call(server, "GET", "/_strata/denials?account=333333333333")
    assert (status, answer) == (200, {"denials": []})


# ---- loopback trust behind a proxy, and the keys' caching -------------------------------------


def test_a_proxied_request_on_loopback_must_sign(server):
    """A reverse proxy on the same machine makes every remote caller arrive from loopback: a
    request carrying a proxy's header is not trusted as local, so unsigned it gets no keys and
    cannot move the clock; signed by a root it gets the ids without keys."""
    before = call(server, "GET", "/_strata/clock")[1]["offset_seconds"]
    for header in [
        {"X-Forwarded-For": "203.0.113.9"},
        {"X-Forwarded-For": "127.0.0.1"},
        {"Forwarded": "for=203.0.113.9;proto=http"},
        {"X-Real-IP": "203.0.113.9"},
    ]:
        status, _, body = send(server.endpoint + "/_strata/accounts", "GET", header)
        assert status == 403, (header, body)
        assert b"secret" not in body and b"AKIA" not in body, (header, body)
        status, _, body = send(
            server.endpoint + "/_strata/clock", "POST", header, json.dumps({"advance_seconds": 3600}).encode()
        )
        assert status == 403, (header, body)
        # Signed by the source root, through the same proxy: its own account, no keys.
        request = AWSRequest(method="GET", url=server.endpoint + "/_strata/accounts", headers=header)
        SigV4Auth(credentials(), "strata", REGION).add_auth(request)
        status, _, body = send(request.url, "GET", dict(request.headers.items()))
        assert status == 200, (header, body)
        answer = json.loads(body)
        assert [a["id"] for a in answer["accounts"]] == ["111111111111"], answer
        assert b"secret" not in body and b"AKIA" not in body, answer
    assert call(server, "GET", "/_strata/clock")[1]["offset_seconds"] == before
    # Without the header, the same unsigned call is served.
    status, _, body = send(server.endpoint + "/_strata/accounts", "GET", {})
    assert status == 200 and json.loads(body)["accounts"][0]["secret_access_key"], body


def raw_get(server, path, headers):
    """An HTTP/1.0 GET of `path` with exactly `headers` (no Host unless given): (status, body)."""
    import socket

    host, port = server.endpoint.split("://", 1)[1].rsplit(":", 1)
    lines = [f"GET {path} HTTP/1.0", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall("\r\n".join(lines).encode())
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_a_request_without_host_but_with_an_origin_is_not_local(server):
    status, body = raw_get(server, "/_strata/accounts", {"Origin": "http://evil.example"})
    assert status == 403, body
    assert b"secret" not in body and b"AKIA" not in body, body
    # Neither Host nor Origin: a plain local client (HTTP/1.0 needs no Host), served.
    status, body = raw_get(server, "/_strata/accounts", {})
    assert status == 200, body
    assert json.loads(body)["accounts"][0]["secret_access_key"], body


def test_the_accounts_answer_is_never_cached(server, guarded):
    status, headers, body = send(server.endpoint + "/_strata/accounts", "GET", {})
    assert status == 200 and b"secret_access_key" in body, body
    assert headers.get("cache-control") == "no-store", headers
    # Signed (no keys in it), the same.
    request = AWSRequest(method="GET", url=guarded.endpoint + "/_strata/accounts")
    SigV4Auth(credentials(), "strata", REGION).add_auth(request)
    status, headers, body = send(request.url, "GET", dict(request.headers.items()))
    assert status == 200, body
    assert headers.get("cache-control") == "no-store", headers


def test_progress_of_an_ended_export_is_gone(server):
    """`GET /_strata/progress?arn=` counts a running export's work; once the job ends its entry
    goes (DescribeExport has the final counts), and an unknown ARN has none."""
    ddb = server.client("dynamodb", "source")
    s3 = server.client("s3", "source")
    table, bucket = "progress-table", "progress-bucket-111"
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    s3.create_bucket(Bucket=bucket)
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    export = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket)["ExportDescription"]["ExportArn"]
    deadline = time.time() + 30
    while ddb.describe_export(ExportArn=export)["ExportDescription"]["ExportStatus"] == "IN_PROGRESS":
        assert time.time() < deadline
        time.sleep(0.1)
    assert ddb.describe_export(ExportArn=export)["ExportDescription"]["ExportStatus"] == "COMPLETED"
    for asked in (export, "arn:aws:dynamodb:us-east-1:111111111111:table/none/export/x"):
        status, answer = call(server, "GET", "/_strata/progress?arn=" + urllib.parse.quote(asked, safe=""))
        assert (status, answer) == (200, {"progress": None}), answer
