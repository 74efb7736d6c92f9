"""strata's own endpoints (`/_strata/*`): open on loopback by default; with `--admin-auth` (and
always off loopback) every endpoint but health needs an account root's SigV4 signature
(signing name `strata`), and `simulate` answers only about the signing account (issue 21)."""

import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ACCOUNTS, REGION, start_server
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
    import socket

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
