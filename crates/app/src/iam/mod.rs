//! IAM and STS at the application layer: each action's typed input and output (named as in
//! their APIs; outputs serialize to the Query protocol's XML elements) and one function per
//! action that authorizes it through the one entry point and calls the IAM engine.
//!
//! Map: [`users`] (users and their access keys), [`roles`], [`inline_policies`],
//! [`managed_policies`], [`sts`]; shared output shapes in [`model`].

pub mod error;
pub mod inline_policies;
pub mod managed_policies;
pub mod model;
pub mod roles;
pub mod sts;
pub mod tags;
pub mod users;

pub use error::{Error, Result};

use strata_iam::{AccountId, Principal, role_arn, user_arn};

use crate::authz::{Denied, authorize};
use crate::{App, Caller};

/// IAM resources always belong to the caller's own account.
fn check(app: &App, caller: &Caller, action: &str, resource: &str) -> Result<()> {
    authorize(app, caller, action, resource, caller.account(), None).map_err(
        |denied| match denied {
            Denied::AccessDenied(message) => Error::AccessDenied(message),
            Denied::Internal(e) => e.into(),
        },
    )
}

/// The ARN a user action is authorized on (the stored path, or `/` for a missing user).
fn user_resource(app: &App, account: &AccountId, name: &str) -> String {
    let path = app
        .iam
        .get_user(account, name)
        .map_or_else(|_| "/".to_owned(), |u| u.path);
    user_arn(account, &path, name)
}

/// The ARN a role action is authorized on (the stored path, or `/` for a missing role).
fn role_resource(app: &App, account: &AccountId, name: &str) -> String {
    let path = app
        .iam
        .get_role(account, name)
        .map_or_else(|_| "/".to_owned(), |r| r.path);
    role_arn(account, &path, name)
}

/// The user an action targets (`UserName`, or the calling user when it is omitted), with
/// `action` on it authorized; returns its name.
fn authorized_user(
    app: &App,
    caller: &Caller,
    action: &str,
    user_name: Option<String>,
) -> Result<String> {
    let name = target_user(caller, user_name)?;
    check(
        app,
        caller,
        action,
        &user_resource(app, caller.principal.account(), &name),
    )?;
    Ok(name)
}

/// The user an action targets: `UserName`, or the calling user when it is omitted.
fn target_user(caller: &Caller, user_name: Option<String>) -> Result<String> {
    if let Some(name) = user_name {
        return Ok(name);
    }
    match &caller.principal {
        Principal::User { user_name, .. } => Ok(user_name.clone()),
        Principal::Root { .. } | Principal::AssumedRole { .. } => Err(Error::Validation(
            "Must specify userName when calling with non-User credentials".to_owned(),
        )),
    }
}

/// A policy document as IAM returns it: URL-encoded (RFC 3986); the CLI and SDKs decode it.
fn url_encoded(document: &str) -> String {
    strata_sigv4::uri_encode(document.as_bytes(), false)
}
