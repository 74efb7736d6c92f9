//! ACLs on the wire: canned ACLs (`x-amz-acl`), grants (`x-amz-grant-*` headers or an
//! AccessControlPolicy body) turned into the engine's [`Grant`]s and back, and the rules S3
//! applies before storing one: ACLs disabled by `BucketOwnerEnforced`, Block Public Access's
//! BlockPublicAcls, a canned ACL and grants never together, grantees that exist.

use s3s::dto::{self, AccessControlPolicy, ObjectCannedACL, Permission as WirePermission, Type};
use s3s::{S3Result, s3_error};
use strata_app::App;
use strata_s3::acl::{Grant, Grantee, Group, Permission};
use strata_s3::{Bucket, CannedAcl};

use super::canonical_id;
use super::errors::{access_denied, acls_not_supported, invalid_argument, with_elements};

/// An ACL a request sets: a canned one, or grants (never both).
#[derive(Clone, Debug, Default)]
pub struct AclChange {
    pub canned: Option<CannedAcl>,
    pub grants: Option<Vec<Grant>>,
}

impl AclChange {
    pub fn is_set(&self) -> bool {
        self.canned.is_some() || self.grants.is_some()
    }

    /// Whether it grants anything to everyone or to every signed-in AWS user.
    pub fn is_public(&self) -> bool {
        self.grants.iter().flatten().any(Grant::is_public)
            || self.canned.is_some_and(|a| {
                matches!(
                    a,
                    CannedAcl::PublicRead
                        | CannedAcl::PublicReadWrite
                        | CannedAcl::AuthenticatedRead
                )
            })
    }
}

/// The `x-amz-grant-*` headers of a request, as sent.
#[derive(Default)]
pub struct GrantHeaders<'a> {
    pub full_control: Option<&'a str>,
    pub read: Option<&'a str>,
    pub read_acp: Option<&'a str>,
    pub write: Option<&'a str>,
    pub write_acp: Option<&'a str>,
}

macro_rules! grant_headers {
    ($input:expr) => {
        $crate::services::s3::acl::GrantHeaders {
            full_control: $input.grant_full_control.as_deref(),
            read: $input.grant_read.as_deref(),
            read_acp: $input.grant_read_acp.as_deref(),
            write_acp: $input.grant_write_acp.as_deref(),
            ..Default::default()
        }
    };
}
pub(super) use grant_headers;

/// What decides whether an ACL may be set: the bucket's ownership and Block Public Access
/// settings.
#[derive(Clone, Copy, Debug)]
pub struct AclSettings {
    pub acls_disabled: bool,
    pub block_public_acls: bool,
}

impl AclSettings {
    pub fn of(bucket: &Bucket) -> Self {
        Self {
            acls_disabled: bucket.acls_disabled(),
            block_public_acls: bucket
                .public_access_block
                .is_some_and(|b| b.block_public_acls),
        }
    }
}

/// The ACL a request sets through `x-amz-acl`, `x-amz-grant-*` or an AccessControlPolicy
/// body, checked against the bucket's `settings` as S3 checks it. `required`: the request is
/// PutBucketAcl or PutObjectAcl, which must set one.
pub fn requested(
    app: &App,
    settings: AclSettings,
    canned: Option<&str>,
    headers: GrantHeaders<'_>,
    policy: Option<&AccessControlPolicy>,
    required: bool,
) -> S3Result<AclChange> {
    let canned = canned
        .map(|a| {
            CannedAcl::parse(a)
                .ok_or_else(|| invalid_argument("Invalid canned ACL", "x-amz-acl", a))
        })
        .transpose()?;
    let mut grants = Vec::new();
    let mut any_header = false;
    for (value, permission, header) in [
        (
            headers.full_control,
            Permission::FullControl,
            "x-amz-grant-full-control",
        ),
        (headers.read, Permission::Read, "x-amz-grant-read"),
        (
            headers.read_acp,
            Permission::ReadAcp,
            "x-amz-grant-read-acp",
        ),
        (headers.write, Permission::Write, "x-amz-grant-write"),
        (
            headers.write_acp,
            Permission::WriteAcp,
            "x-amz-grant-write-acp",
        ),
    ] {
        let Some(value) = value else { continue };
        any_header = true;
        for grantee in value.split(',').map(str::trim).filter(|g| !g.is_empty()) {
            grants.push(Grant {
                grantee: header_grantee(app, header, grantee)?,
                permission,
            });
        }
    }
    if policy.is_some() && (canned.is_some() || any_header) {
        return Err(s3_error!(
            UnexpectedContent,
            "This request does not support content"
        ));
    }
    if canned.is_some() && any_header {
        return Err(s3_error!(
            InvalidRequest,
            "Specifying both Canned ACLs and Header Grants is not allowed"
        ));
    }
    if required && canned.is_none() && !any_header && policy.is_none() {
        return Err(with_elements(
            s3_error!(
                MissingSecurityHeader,
                "Your request was missing a required header"
            ),
            &[("MissingHeaderName", "x-amz-acl")],
        ));
    }
    if let Some(policy) = policy {
        // The owner is required, and must be an account.
        let owner = policy.owner.as_ref().and_then(|o| o.id.as_deref());
        account_grantee(app, owner.ok_or_else(malformed_acl)?, "CanonicalUser/ID")?;
        for grant in policy.grants.iter().flatten() {
            let permission = grant
                .permission
                .as_ref()
                .and_then(|p| Permission::parse(p.as_str()))
                .ok_or_else(malformed_acl)?;
            let grantee = grant.grantee.as_ref().ok_or_else(malformed_acl)?;
            grants.push(Grant {
                grantee: body_grantee(app, grantee)?,
                permission,
            });
        }
    }
    let change = AclChange {
        canned,
        grants: (any_header || policy.is_some()).then_some(grants),
    };
    check(settings, &change)?;
    Ok(change)
}

/// S3's refusals of an ACL on a bucket (or an object in it) with `settings`.
fn check(settings: AclSettings, change: &AclChange) -> S3Result<()> {
    if settings.acls_disabled
        && (change.grants.is_some()
            || change
                .canned
                .is_some_and(|a| !a.allowed_when_acls_disabled()))
    {
        return Err(acls_not_supported());
    }
    if change.is_public() && settings.block_public_acls {
        return Err(access_denied("Access Denied"));
    }
    Ok(())
}

fn malformed_acl() -> s3s::S3Error {
    s3_error!(
        MalformedACLError,
        "The XML you provided was not well-formed or did not validate against our published schema"
    )
}

/// One grantee of an `x-amz-grant-*` header: `id="…"`, `uri="…"` or `emailAddress="…"`.
fn header_grantee(app: &App, header: &str, text: &str) -> S3Result<Grantee> {
    let unrecognized = || invalid_argument("Argument format not recognized", header, text);
    let (kind, value) = text.split_once('=').ok_or_else(unrecognized)?;
    let value = value.trim().trim_matches('"');
    match kind.trim().to_ascii_lowercase().as_str() {
        "id" => account_grantee(app, value, "id"),
        "uri" => Group::from_uri(value)
            .map(Grantee::Group)
            .ok_or_else(|| invalid_argument("Invalid group uri", "uri", value)),
        "emailaddress" => Err(email_grantees_ended()),
        _ => Err(unrecognized()),
    }
}

fn body_grantee(app: &App, grantee: &dto::Grantee) -> S3Result<Grantee> {
    match grantee.type_.as_str() {
        Type::CANONICAL_USER => account_grantee(
            app,
            grantee.id.as_deref().unwrap_or_default(),
            "CanonicalUser/ID",
        ),
        Type::GROUP => {
            let uri = grantee.uri.as_deref().unwrap_or_default();
            Group::from_uri(uri)
                .map(Grantee::Group)
                .ok_or_else(|| invalid_argument("Invalid group uri", "Group/URI", uri))
        }
        Type::AMAZON_CUSTOMER_BY_EMAIL => Err(email_grantees_ended()),
        _ => Err(malformed_acl()),
    }
}

/// E-mail grantees: S3 stopped taking them on October 1, 2025 (an HTTP 405).
fn email_grantees_ended() -> s3s::S3Error {
    s3_error!(
        MethodNotAllowed,
        "The specified method is not allowed against this resource."
    )
}

/// The account whose canonical user id is `id` (`InvalidArgument` "Invalid id", naming the
/// `argument` it came in, for none).
fn account_grantee(app: &App, id: &str, argument: &str) -> S3Result<Grantee> {
    let accounts = app.iam.root_accounts().map_err(|err| {
        tracing::error!(error = %err, "cannot list accounts");
        s3_error!(
            InternalError,
            "We encountered an internal error. Please try again."
        )
    })?;
    accounts
        .into_iter()
        .map(|root| root.account.id.as_str().to_owned())
        .find(|account| canonical_id(account) == id)
        .map(Grantee::Account)
        .ok_or_else(|| invalid_argument("Invalid id", argument, id))
}

/// Grants as S3 lists them.
pub fn to_wire(grants: &[Grant]) -> Vec<dto::Grant> {
    grants
        .iter()
        .map(|grant| dto::Grant {
            grantee: Some(match &grant.grantee {
                Grantee::Account(account) => dto::Grantee {
                    display_name: None,
                    email_address: None,
                    id: Some(canonical_id(account)),
                    type_: Type::from_static(Type::CANONICAL_USER),
                    uri: None,
                },
                Grantee::Group(group) => dto::Grantee {
                    display_name: None,
                    email_address: None,
                    id: None,
                    type_: Type::from_static(Type::GROUP),
                    uri: Some(group.uri().to_owned()),
                },
            }),
            permission: Some(WirePermission::from(grant.permission.as_str().to_owned())),
        })
        .collect()
}

/// A canned ACL header's text.
pub fn canned_text(acl: Option<&ObjectCannedACL>) -> Option<&str> {
    acl.map(ObjectCannedACL::as_str)
}
