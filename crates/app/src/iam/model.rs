//! The shapes IAM and STS answer with, named as in their APIs: serialized, each field is an
//! XML element of the action's `…Result`, lists as `<member>` elements.

use serde::Serialize;
use strata_iam::{AccessKey, ManagedPolicy, PolicyVersion, Role, User};

use super::url_encoded;

/// A list as the Query protocol writes it: one `<member>` per element.
#[derive(Debug, Serialize)]
pub struct Members<T> {
    pub member: Vec<T>,
}

impl<T> From<Vec<T>> for Members<T> {
    fn from(member: Vec<T>) -> Self {
        Self { member }
    }
}

/// `User`. The account root describes itself with `UserId` and `Arn` only.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    pub user_id: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// Shown by GetUser and CreateUser only, and only when there are some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Members<super::tags::TagOut>>,
}

impl UserOut {
    pub fn with_tags(self, tags: &[strata_iam::Tag]) -> Self {
        Self {
            tags: super::tags::shown(tags),
            ..self
        }
    }
}

impl From<&User> for UserOut {
    fn from(user: &User) -> Self {
        Self {
            path: Some(user.path.clone()),
            user_name: Some(user.user_name.clone()),
            user_id: user.user_id.clone(),
            arn: user.arn(),
            create_date: Some(crate::iso::seconds(user.create_date)),
            tags: None,
        }
    }
}

/// `AccessKey` (with its secret, once) or `AccessKeyMetadata`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyOut {
    pub user_name: String,
    pub access_key_id: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_access_key: Option<String>,
}

impl AccessKeyOut {
    pub fn metadata(user_name: &str, key: &AccessKey) -> Self {
        Self {
            user_name: user_name.to_owned(),
            access_key_id: key.access_key_id.clone(),
            status: key.status.as_str(),
            create_date: key.create_date.map(crate::iso::seconds),
            secret_access_key: None,
        }
    }
}

/// `Role`, its trust policy as IAM returns documents (URL-encoded).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleOut {
    pub path: String,
    pub role_name: String,
    pub role_id: String,
    pub arn: String,
    pub create_date: String,
    pub assume_role_policy_document: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub max_session_duration: i64,
    /// Shown by GetRole and CreateRole only, and only when there are some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Members<super::tags::TagOut>>,
}

impl RoleOut {
    pub fn with_tags(self, tags: &[strata_iam::Tag]) -> Self {
        Self {
            tags: super::tags::shown(tags),
            ..self
        }
    }

    /// `trust_policy` is the document as displayed (principals whose entity was recreated
    /// show their bound unique id).
    pub fn new(role: &Role, trust_policy: &str) -> Self {
        Self {
            path: role.path.clone(),
            role_name: role.role_name.clone(),
            role_id: role.role_id.clone(),
            arn: role.arn(),
            create_date: crate::iso::seconds(role.create_date),
            assume_role_policy_document: url_encoded(trust_policy),
            description: role.description.clone(),
            max_session_duration: role.max_session_duration,
            tags: None,
        }
    }
}

/// `Policy` (a customer managed policy).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyOut {
    pub policy_name: String,
    pub policy_id: String,
    pub arn: String,
    pub path: String,
    pub default_version_id: String,
    pub attachment_count: usize,
    pub permissions_boundary_usage_count: usize,
    pub is_attachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub create_date: String,
    pub update_date: String,
}

impl PolicyOut {
    pub fn new(policy: &ManagedPolicy, attachment_count: usize) -> Self {
        Self {
            policy_name: policy.policy_name.clone(),
            policy_id: policy.policy_id.clone(),
            arn: policy.arn(),
            path: policy.path.clone(),
            default_version_id: policy.default_version_id.clone(),
            attachment_count,
            permissions_boundary_usage_count: 0,
            is_attachable: true,
            description: policy.description.clone(),
            create_date: crate::iso::seconds(policy.create_date),
            update_date: crate::iso::seconds(policy.update_date),
        }
    }
}

/// `PolicyVersion`, with its document (URL-encoded) when read.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersionOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    pub version_id: String,
    pub is_default_version: bool,
    pub create_date: String,
}

impl PolicyVersionOut {
    pub fn new(version: &PolicyVersion, default_version_id: &str, with_document: bool) -> Self {
        Self {
            document: with_document.then(|| url_encoded(&version.document)),
            version_id: version.version_id.clone(),
            is_default_version: version.version_id == default_version_id,
            create_date: crate::iso::seconds(version.create_date),
        }
    }
}
