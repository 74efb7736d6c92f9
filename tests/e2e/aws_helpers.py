"""Small helpers the end-to-end tests share: the error an AWS call raises, unique names."""

import uuid

import botocore.exceptions
import pytest


def client_error(call):
    """Runs `call`, which must fail with an AWS error; returns botocore's parsed response."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def unique(prefix):
    """A resource name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
