"""Tags on IAM users and roles: Tags on CreateUser/CreateRole, TagUser/TagRole,
UntagUser/UntagRole, ListUserTags/ListRoleTags and the Tags GetUser/GetRole show, through
boto3 and the AWS CLI.

Expected values come from AWS: the IAM API reference and the botocore model ("[M]"), IAM's
tagging guide ("Tagging IAM resources": keys are case-insensitive, at most 50 tags an entity,
creating with tags needs iam:TagUser/iam:TagRole too) and aws-cdk#26253 (tagging with an
existing key in another case replaces the tag, the key's spelling included). strata's text
for an entity over its tag quota is UNCONFIRMED, so only the code is checked there.
"""

import json

import botocore.config

from aws_helpers import client_error, new_user, unique
from conftest import ACCOUNTS

SOURCE = ACCOUNTS["source"][0]
DUPLICATE = "Duplicate tag keys found. Please note that Tag keys are case insensitive."


def trust():
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def tag_list(**tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def as_dict(tags):
    return {t["Key"]: t["Value"] for t in tags}


def new_role(iam, prefix="tagged", **kwargs):
    name = unique(prefix)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(), **kwargs)
    return name


def role_tags(iam, name):
    """ListRoleTags as {Key: Value}; the whole list in one page."""
    listed = iam.list_role_tags(RoleName=name)
    assert listed["IsTruncated"] is False
    return as_dict(listed["Tags"])


def user_tags(iam, name):
    listed = iam.list_user_tags(UserName=name)
    assert listed["IsTruncated"] is False
    return as_dict(listed["Tags"])


def unvalidated(server, account="source", **keys):
    """An IAM client that leaves the checks to the server (botocore checks minimums itself)."""
    config = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1})
    return server.client("iam", account, config=config, **keys)


def as_user(server, key):
    return server.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def allow(*actions, resource="*"):
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource}


# --- create and read ------------------------------------------------------------------------------


def test_create_role_with_tags_shown_by_get_role_not_by_list_roles(server):
    """CreateRole's Tags [M CreateRoleRequest.Tags] are in its answer and GetRole's
    [M Role.Tags]; ListRoles does not show them ("ListRoles ... does not return tags" —
    the API reference: to see tags use ListRoleTags or GetRole)."""
    iam = server.client("iam")
    path = f"/{unique('tagpath')}/"
    name = unique("tagged")
    created = iam.create_role(
        RoleName=name, Path=path, AssumeRolePolicyDocument=trust(), Tags=tag_list(team="a", Env="dev")
    )["Role"]
    assert as_dict(created["Tags"]) == {"team": "a", "Env": "dev"}
    got = iam.get_role(RoleName=name)["Role"]
    assert as_dict(got["Tags"]) == {"team": "a", "Env": "dev"}
    assert role_tags(iam, name) == {"team": "a", "Env": "dev"}
    (listed,) = iam.list_roles(PathPrefix=path)["Roles"]
    assert listed["RoleName"] == name
    assert "Tags" not in listed, listed


def test_create_user_with_tags_shown_by_get_user_not_by_list_users(server):
    iam = server.client("iam")
    path = f"/{unique('tagpath')}/"
    name = unique("tagged")
    created = iam.create_user(UserName=name, Path=path, Tags=tag_list(team="a", Env="dev"))["User"]
    assert as_dict(created["Tags"]) == {"team": "a", "Env": "dev"}
    got = iam.get_user(UserName=name)["User"]
    assert as_dict(got["Tags"]) == {"team": "a", "Env": "dev"}
    assert user_tags(iam, name) == {"team": "a", "Env": "dev"}
    (listed,) = iam.list_users(PathPrefix=path)["Users"]
    assert listed["UserName"] == name
    assert "Tags" not in listed, listed


def test_without_tags_get_shows_no_tags_member_and_lists_are_empty(server):
    iam = server.client("iam")
    role = new_role(iam)
    user, _, _ = new_user(server)
    assert "Tags" not in iam.get_role(RoleName=role)["Role"]
    assert "Tags" not in iam.get_user(UserName=user)["User"]
    assert iam.list_role_tags(RoleName=role)["Tags"] == []
    assert iam.list_user_tags(UserName=user)["Tags"] == []
    # Untagging every tag leaves the entity as without any.
    iam.tag_role(RoleName=role, Tags=tag_list(k="v"))
    iam.untag_role(RoleName=role, TagKeys=["k"])
    assert "Tags" not in iam.get_role(RoleName=role)["Role"]
    assert role_tags(iam, role) == {}


# --- TagRole / UntagRole / TagUser / UntagUser ---------------------------------------------------------


def test_tag_role_adds_overwrites_and_replaces_a_key_in_another_case(server):
    """TagRole adds new keys and overwrites the value of existing ones; a key already there in
    another case is the same key, and the tag takes the new spelling (aws-cdk#26253)."""
    iam = server.client("iam")
    name = new_role(iam, Tags=tag_list(Team="a", keep="1"))
    iam.tag_role(RoleName=name, Tags=tag_list(added="x"))
    assert role_tags(iam, name) == {"Team": "a", "keep": "1", "added": "x"}
    iam.tag_role(RoleName=name, Tags=tag_list(added="y"))
    assert role_tags(iam, name) == {"Team": "a", "keep": "1", "added": "y"}
    iam.tag_role(RoleName=name, Tags=tag_list(team="b"))
    tags = role_tags(iam, name)
    assert tags == {"team": "b", "keep": "1", "added": "y"}, tags
    assert as_dict(iam.get_role(RoleName=name)["Role"]["Tags"]) == tags


def test_untag_role_is_case_insensitive_and_ignores_unknown_keys(server):
    iam = server.client("iam")
    name = new_role(iam, Tags=tag_list(Team="a", Env="dev", keep="1"))
    iam.untag_role(RoleName=name, TagKeys=["team", "ENV", "never-there"])
    assert role_tags(iam, name) == {"keep": "1"}
    iam.untag_role(RoleName=name, TagKeys=["never-there"])
    assert role_tags(iam, name) == {"keep": "1"}


def test_tag_user_untag_user_and_list_user_tags(server):
    iam = server.client("iam")
    name, _, _ = new_user(server)
    iam.tag_user(UserName=name, Tags=tag_list(Team="a", Env="dev", empty=""))
    assert user_tags(iam, name) == {"Team": "a", "Env": "dev", "empty": ""}
    iam.tag_user(UserName=name, Tags=tag_list(TEAM="b"))
    assert user_tags(iam, name) == {"TEAM": "b", "Env": "dev", "empty": ""}
    iam.untag_user(UserName=name, TagKeys=["env", "unknown"])
    assert user_tags(iam, name) == {"TEAM": "b", "empty": ""}
    assert as_dict(iam.get_user(UserName=name)["User"]["Tags"]) == {"TEAM": "b", "empty": ""}


def test_list_role_tags_with_aws_cli(server):
    iam = server.client("iam")
    name = new_role(iam, Tags=tag_list(team="cli", env="dev"))
    # The CLI pages ListRoleTags itself and drops IsTruncated/Marker from what it prints.
    listed = json.loads(server.aws("iam", "list-role-tags", "--role-name", name).stdout)
    assert as_dict(listed["Tags"]) == {"team": "cli", "env": "dev"}
    missing = server.aws("iam", "list-role-tags", "--role-name", f"{name}-nope", check=False)
    assert missing.returncode != 0 and "NoSuchEntity" in missing.stderr


# --- errors ----------------------------------------------------------------------------------------


def test_duplicate_keys_in_one_request_are_invalid_input(server):
    """One request naming a key twice, in any case, is InvalidInput (400) and changes
    nothing: TagRole, TagUser, CreateRole and CreateUser alike."""
    iam = server.client("iam")
    role = new_role(iam, Tags=tag_list(keep="1"))
    user, _, _ = new_user(server)
    duplicated = [{"Key": "Env", "Value": "a"}, {"Key": "env", "Value": "b"}]
    for call in (
        lambda: iam.tag_role(RoleName=role, Tags=duplicated),
        lambda: iam.tag_user(UserName=user, Tags=duplicated),
    ):
        error = client_error(call)
        assert error["Error"]["Code"] == "InvalidInput", error
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["Error"]["Message"] == DUPLICATE
    assert role_tags(iam, role) == {"keep": "1"}
    assert user_tags(iam, user) == {}

    new_role_name, new_user_name = unique("duprole"), unique("dupuser")
    error = client_error(
        lambda: iam.create_role(RoleName=new_role_name, AssumeRolePolicyDocument=trust(), Tags=duplicated)
    )
    assert (error["Error"]["Code"], error["Error"]["Message"]) == ("InvalidInput", DUPLICATE)
    error = client_error(lambda: iam.create_user(UserName=new_user_name, Tags=duplicated))
    assert (error["Error"]["Code"], error["Error"]["Message"]) == ("InvalidInput", DUPLICATE)
    assert client_error(lambda: iam.get_role(RoleName=new_role_name))["Error"]["Code"] == "NoSuchEntity"
    assert client_error(lambda: iam.get_user(UserName=new_user_name))["Error"]["Code"] == "NoSuchEntity"


def test_key_and_value_lengths_are_validation_errors(server):
    """A key is 1–128 characters and a value 0–256 [M tagKeyType, tagValueType]; over the
    limit is IAM's ValidationError naming the member (1-based)."""
    iam = unvalidated(server)
    role = new_role(iam)
    long_key, long_value = "k" * 129, "v" * 257
    error = client_error(lambda: iam.tag_role(RoleName=role, Tags=[{"Key": "ok", "Value": "1"}, {"Key": long_key, "Value": "v"}]))
    assert error["Error"]["Code"] == "ValidationError"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        f"1 validation error detected: Value '{long_key}' at 'tags.2.member.key' failed to satisfy "
        "constraint: Member must have length less than or equal to 128"
    )
    error = client_error(lambda: iam.tag_role(RoleName=role, Tags=[{"Key": "k", "Value": long_value}]))
    assert error["Error"]["Code"] == "ValidationError"
    assert "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256" in (
        error["Error"]["Message"]
    )
    error = client_error(lambda: iam.create_user(UserName=unique("longkey"), Tags=[{"Key": long_key, "Value": "v"}]))
    assert error["Error"]["Code"] == "ValidationError"
    assert "at 'tags.1.member.key'" in error["Error"]["Message"]
    # The limits themselves are fine.
    iam.tag_role(RoleName=role, Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    assert role_tags(iam, role) == {"k" * 128: "v" * 256}


def test_more_than_50_tags_is_limit_exceeded(server):
    """At most 50 tags an entity: 51 in one request is refused, 50 are fine, and one more on
    top of 50 is refused while replacing one of them is not. (strata's message is
    UNCONFIRMED; only the code is checked.)"""
    iam = unvalidated(server)
    fifty_one = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    role = new_role(iam)
    error = client_error(lambda: iam.tag_role(RoleName=role, Tags=fifty_one))
    assert error["Error"]["Code"] == "LimitExceeded", error
    assert role_tags(iam, role) == {}
    error = client_error(lambda: iam.create_role(RoleName=unique("many"), AssumeRolePolicyDocument=trust(), Tags=fifty_one))
    assert error["Error"]["Code"] == "LimitExceeded", error

    iam.tag_role(RoleName=role, Tags=fifty_one[:50])
    assert len(role_tags(iam, role)) == 50
    error = client_error(lambda: iam.tag_role(RoleName=role, Tags=[{"Key": "one-more", "Value": "v"}]))
    assert error["Error"]["Code"] == "LimitExceeded", error
    assert len(role_tags(iam, role)) == 50 and "one-more" not in role_tags(iam, role)
    iam.tag_role(RoleName=role, Tags=[{"Key": "K0", "Value": "w"}])
    tags = role_tags(iam, role)
    assert len(tags) == 50 and tags["K0"] == "w" and "k0" not in tags

    user, _, _ = new_user(server)
    error = client_error(lambda: iam.tag_user(UserName=user, Tags=fifty_one))
    assert error["Error"]["Code"] == "LimitExceeded", error


def test_missing_role_or_user_is_no_such_entity(server):
    iam = server.client("iam")
    role, user = unique("norole"), unique("nouser")
    for call in (
        lambda: iam.tag_role(RoleName=role, Tags=tag_list(k="v")),
        lambda: iam.untag_role(RoleName=role, TagKeys=["k"]),
        lambda: iam.list_role_tags(RoleName=role),
    ):
        error = client_error(call)
        assert error["Error"]["Code"] == "NoSuchEntity", error
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert error["Error"]["Message"] == f"The role with name {role} cannot be found."
    for call in (
        lambda: iam.tag_user(UserName=user, Tags=tag_list(k="v")),
        lambda: iam.untag_user(UserName=user, TagKeys=["k"]),
        lambda: iam.list_user_tags(UserName=user),
    ):
        error = client_error(call)
        assert error["Error"]["Code"] == "NoSuchEntity", error
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert error["Error"]["Message"] == f"The user with name {user} cannot be found."


# --- authorization ------------------------------------------------------------------------------


def test_create_role_with_tags_needs_tag_role(server):
    """Creating a role with tags needs iam:TagRole as well as iam:CreateRole (IAM's
    "Permissions required to tag IAM resources"); without tags iam:CreateRole is enough."""
    root = server.client("iam")
    user, user_arn, key = new_user(server, "source", allow("iam:CreateRole"))
    iam = as_user(server, key)
    name = unique("needtag")
    error = client_error(
        lambda: iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(), Tags=tag_list(k="v"))
    )
    assert error["Error"]["Code"] == "AccessDenied", error
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    message = error["Error"]["Message"]
    assert f"User: {user_arn} is not authorized to perform: iam:TagRole" in message, message
    assert f"arn:aws:iam::{SOURCE}:role/{name}" in message, message
    assert client_error(lambda: root.get_role(RoleName=name))["Error"]["Code"] == "NoSuchEntity"

    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust())
    assert "Tags" not in root.get_role(RoleName=name)["Role"]
    # Tagging it afterwards is iam:TagRole too.
    error = client_error(lambda: iam.tag_role(RoleName=name, Tags=tag_list(k="v")))
    assert error["Error"]["Code"] == "AccessDenied" and "iam:TagRole" in error["Error"]["Message"]


def test_create_user_with_tags_needs_tag_user(server):
    root = server.client("iam")
    _, user_arn, key = new_user(server, "source", allow("iam:CreateUser"))
    iam = as_user(server, key)
    name = unique("needtag")
    error = client_error(lambda: iam.create_user(UserName=name, Tags=tag_list(k="v")))
    assert error["Error"]["Code"] == "AccessDenied", error
    assert f"User: {user_arn} is not authorized to perform: iam:TagUser" in error["Error"]["Message"]
    assert client_error(lambda: root.get_user(UserName=name))["Error"]["Code"] == "NoSuchEntity"
    iam.create_user(UserName=name)
    assert "Tags" not in root.get_user(UserName=name)["User"]


def test_tag_role_on_create_is_authorized_on_the_new_roles_arn_with_its_path(server):
    """The iam:TagRole CreateRole needs is on the role being made, whose ARN holds its path (the
    Service Authorization Reference's role resource is `role/${RoleNameWithPath}`; inferred,
    not seen on AWS): a policy allowing iam:CreateRole and iam:TagRole on `role/<path>/*` only
    lets its holder create a role at that path with tags."""
    root = server.client("iam")
    segment = unique("teampath")
    resource = f"arn:aws:iam::{SOURCE}:role/{segment}/*"
    _, _, key = new_user(server, "source", allow("iam:CreateRole", "iam:TagRole", resource=resource))
    iam = as_user(server, key)
    name = unique("pathrole")
    created = iam.create_role(
        RoleName=name, Path=f"/{segment}/", AssumeRolePolicyDocument=trust(), Tags=tag_list(k="v")
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::{SOURCE}:role/{segment}/{name}"
    assert role_tags(root, name) == {"k": "v"}


def test_tagging_actions_each_need_their_own_permission(server):
    """ListRoleTags needs iam:ListRoleTags; a caller allowed iam:TagRole and iam:GetRole
    only may tag and read the role but neither list its tags nor untag it."""
    root = server.client("iam")
    role = new_role(root, Tags=tag_list(k="v"))
    role_arn = f"arn:aws:iam::{SOURCE}:role/{role}"
    _, user_arn, key = new_user(server, "source", allow("iam:TagRole", "iam:GetRole"))
    iam = as_user(server, key)
    error = client_error(lambda: iam.list_role_tags(RoleName=role))
    assert error["Error"]["Code"] == "AccessDenied", error
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"].startswith(
        f"User: {user_arn} is not authorized to perform: iam:ListRoleTags on resource: {role_arn}"
    ), error["Error"]["Message"]
    error = client_error(lambda: iam.untag_role(RoleName=role, TagKeys=["k"]))
    assert error["Error"]["Code"] == "AccessDenied" and "iam:UntagRole" in error["Error"]["Message"]
    iam.tag_role(RoleName=role, Tags=tag_list(k="w"))
    assert as_dict(iam.get_role(RoleName=role)["Role"]["Tags"]) == {"k": "w"}

    _, _, lister_key = new_user(server, "source", allow("iam:ListRoleTags"))
    assert role_tags(as_user(server, lister_key), role) == {"k": "w"}
