"""Requests signed by botocore's own SigV4 signer, with control over time and body.

boto3 clients cannot sign with a skewed clock or send a body other than the one they
signed; these helpers can, so the tests can prove how strata judges such requests.
"""

import datetime
import urllib.error
import urllib.request
from unittest import mock

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ACCOUNTS, REGION

STS_BODY = "Action=GetCallerIdentity&Version=2011-06-15"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def credentials(account="source", secret=None, token=None):
    _, akid, real_secret = ACCOUNTS[account]
    return Credentials(akid, secret or real_secret, token)


def signed(endpoint, service, body, headers, creds, at=None, send_body=None):
    """Signs a POST to `/` and returns (status, headers, body) of the response."""
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    if at is None:
        SigV4Auth(creds, service, REGION).add_auth(request)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=at):
            SigV4Auth(creds, service, REGION).add_auth(request)
    data = send_body if send_body is not None else body
    return send(request.url, "POST", dict(request.headers.items()), data.encode())


class UnsignedPayloadQueryAuth(SigV4QueryAuth):
    """Query signing with `UNSIGNED-PAYLOAD` as the payload hash, as smithy-kotlin's presigner
    signs by default (botocore's SigV4QueryAuth signs the empty body's hash)."""

    def payload(self, request):
        return "UNSIGNED-PAYLOAD"


def presigned_url(endpoint, query, creds, expires=60, at=None, headers=None, unsigned_payload=False):
    """A GET URL presigned by botocore's query signer; `headers` are signed too (the caller
    must send them)."""
    request = AWSRequest(method="GET", url=f"{endpoint}/?{query}", headers=headers or {})
    signer = UnsignedPayloadQueryAuth if unsigned_payload else SigV4QueryAuth
    auth = signer(creds, "sts", REGION, expires=expires)
    if at is None:
        auth.add_auth(request)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=at):
            auth.add_auth(request)
    return request.url


def send(url, method, headers, data=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
