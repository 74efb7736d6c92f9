//! What is being authorized: who asks ([`RequestPrincipal`]), for which action on which
//! resource, owned by which account, with which context keys (spec §2.1).

use crate::context::Context;

/// The kind of caller, as `aws:PrincipalType` names it (spec §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An account's root user (`arn:aws:iam::<acct>:root`).
    Root,
    /// An IAM user.
    User,
    /// A role session (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`).
    AssumedRole,
    /// A `GetFederationToken` session (`arn:aws:sts::<acct>:federated-user/<name>`).
    FederatedUser,
    /// An unsigned request.
    Anonymous,
    /// A service principal acting on its own (`arn` holds e.g. `logging.s3.amazonaws.com`).
    Service,
}

impl PrincipalKind {
    /// The `aws:PrincipalType` value.
    pub fn as_aws_str(self) -> &'static str {
        match self {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Anonymous => "Anonymous",
            PrincipalKind::Service => "Service",
        }
    }
}

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPrincipal {
    pub kind: PrincipalKind,
    /// Root/user ARN, the assumed-role **session** ARN, the federated-user ARN, the
    /// service principal name, or `anonymous`.
    pub arn: String,
    /// The principal's account id (empty for anonymous and service principals).
    pub account: String,
    /// `AIDA…` for a user; unused otherwise.
    pub user_id: Option<String>,
    /// For a role session: the role ARN (with path), which is also `aws:PrincipalArn`.
    pub role_arn: Option<String>,
    /// For a role session: the role's `AROA…` unique id.
    pub role_unique_id: Option<String>,
    /// For a role session: the session name.
    pub session_name: Option<String>,
    /// For a user: the friendly name (`aws:username`).
    pub user_name: Option<String>,
    /// The S3 canonical user id of the principal's account, when known.
    pub canonical_user_id: Option<String>,
}

impl RequestPrincipal {
    /// An account's root user.
    pub fn root(account: &str) -> Self {
        Self::bare(
            PrincipalKind::Root,
            format!("arn:aws:iam::{account}:root"),
            account,
        )
    }

    /// An IAM user; `path` is `/` or `/a/b/`.
    pub fn user(account: &str, path: &str, name: &str, user_id: &str) -> Self {
        Self {
            user_id: Some(user_id.to_owned()),
            user_name: Some(name.to_owned()),
            ..Self::bare(
                PrincipalKind::User,
                format!("arn:aws:iam::{account}:user{path}{name}"),
                account,
            )
        }
    }

    /// A session of role `path`+`name`. The session ARN never carries the path (§1.2).
    pub fn assumed_role(
        account: &str,
        path: &str,
        name: &str,
        role_id: &str,
        session: &str,
    ) -> Self {
        Self {
            role_arn: Some(format!("arn:aws:iam::{account}:role{path}{name}")),
            role_unique_id: Some(role_id.to_owned()),
            session_name: Some(session.to_owned()),
            ..Self::bare(
                PrincipalKind::AssumedRole,
                format!("arn:aws:sts::{account}:assumed-role/{name}/{session}"),
                account,
            )
        }
    }

    /// An unsigned caller.
    pub fn anonymous() -> Self {
        Self::bare(PrincipalKind::Anonymous, "anonymous".to_owned(), "")
    }

    /// A service principal such as `logging.s3.amazonaws.com`.
    pub fn service(name: &str) -> Self {
        Self::bare(PrincipalKind::Service, name.to_owned(), "")
    }

    fn bare(kind: PrincipalKind, arn: String, account: &str) -> Self {
        Self {
            kind,
            arn,
            account: account.to_owned(),
            user_id: None,
            role_arn: None,
            role_unique_id: None,
            session_name: None,
            user_name: None,
            canonical_user_id: None,
        }
    }

    /// Adds the principal's global condition keys to `context` (spec §2.6): `aws:userid`,
    /// `aws:username`, `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`.
    pub fn add_global_keys(&self, context: &mut Context) {
        let kind = self.kind;
        context.set("aws:PrincipalType", vec![kind.as_aws_str().to_owned()]);
        let userid = match kind {
            PrincipalKind::Root => Some(self.account.clone()),
            PrincipalKind::User => self.user_id.clone(),
            PrincipalKind::AssumedRole => match (&self.role_unique_id, &self.session_name) {
                (Some(id), Some(s)) => Some(format!("{id}:{s}")),
                _ => None,
            },
            PrincipalKind::FederatedUser => self
                .arn
                .rsplit('/')
                .next()
                .map(|name| format!("{}:{name}", self.account)),
            PrincipalKind::Anonymous => Some("anonymous".to_owned()),
            PrincipalKind::Service => None,
        };
        if let Some(u) = userid {
            context.set("aws:userid", vec![u]);
        }
        if let (PrincipalKind::User, Some(n)) = (kind, &self.user_name) {
            context.set("aws:username", vec![n.clone()]);
        }
        let principal_arn = match kind {
            PrincipalKind::Root | PrincipalKind::User | PrincipalKind::FederatedUser => {
                Some(self.arn.clone())
            }
            PrincipalKind::AssumedRole => self.role_arn.clone(),
            PrincipalKind::Anonymous | PrincipalKind::Service => None,
        };
        if let Some(a) = principal_arn {
            context.set("aws:PrincipalArn", vec![a]);
        }
        match kind {
            PrincipalKind::Anonymous => {
                context.set("aws:PrincipalAccount", vec!["anonymous".into()]);
            }
            PrincipalKind::Service => {}
            _ => context.set("aws:PrincipalAccount", vec![self.account.clone()]),
        }
    }
}

/// One (action, resource) pair to authorize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub principal: RequestPrincipal,
    /// `service:Action`, e.g. `s3:PutObject`.
    pub action: String,
    /// The resource ARN, or `*` for wildcard-only actions. For `s3:ListAllMyBuckets` pass
    /// `arn:aws:s3:::*` so both `*` and `arn:aws:s3:::*` grant it (spec §1.4, UNCONFIRMED).
    pub resource: String,
    /// The account owning the resource; `None` means the principal's own account.
    pub resource_account: Option<String>,
    pub context: Context,
}
