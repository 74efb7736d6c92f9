//! IAM roles: a trust policy saying who may assume the role, a unique `AROA…` id, and
//! a maximum session length. Names are unique per account regardless of case.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use strata_policy::{PolicyDocument, PolicyError, PolicyKind};

use crate::names::{check_name, check_path};
use crate::{
    ATTACHMENTS, AccountId, INLINE_POLICIES, Iam, IamError, PolicyHolder, ROLES, decode, encode,
};

/// `MaxSessionDuration` bounds (seconds).
pub const MIN_MAX_SESSION_DURATION: i64 = 3_600;
pub const MAX_MAX_SESSION_DURATION: i64 = 43_200;

/// A role as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub account: AccountId,
    pub path: String,
    pub role_name: String,
    pub role_id: String,
    pub create_date: Timestamp,
    /// The trust policy, exactly as sent (validated on save).
    pub assume_role_policy_document: String,
    pub description: Option<String>,
    pub max_session_duration: i64,
    /// The user and role ARNs the trust policy names, bound to their unique ids when
    /// it was saved (spec iam-s3-authz §2.5).
    #[serde(default)]
    pub trust_bindings: Vec<PrincipalBinding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<crate::Tag>,
}

/// A principal ARN of a saved policy and the unique id it was bound to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalBinding {
    pub arn: String,
    pub unique_id: String,
}

impl Role {
    pub fn arn(&self) -> String {
        crate::role_arn(&self.account, &self.path, &self.role_name)
    }

    /// The trust policy, parsed.
    /// The trust policy, parsed, with user and role principals bound to the unique ids
    /// they had when it was saved: a role deleted and recreated under the same name is
    /// a different principal and no longer matches.
    pub fn trust_policy(&self) -> Result<PolicyDocument, IamError> {
        let corrupt = |message: String| {
            IamError::Corrupt(format!(
                "stored trust policy of {} no longer parses: {message}",
                self.role_name
            ))
        };
        let mut document =
            PolicyDocument::parse(&self.assume_role_policy_document, PolicyKind::Trust)
                .map_err(|e| corrupt(e.message))?;
        document
            .bind_principals(PolicyKind::Trust, |arn| {
                self.trust_bindings
                    .iter()
                    .find(|b| b.arn == arn)
                    .map(|b| b.unique_id.clone())
            })
            .map_err(|e| corrupt(e.message))?;
        Ok(document)
    }
}

/// What CreateRole asks for.
#[derive(Clone, Debug)]
pub struct NewRole {
    pub role_name: String,
    pub path: Option<String>,
    pub assume_role_policy_document: String,
    pub description: Option<String>,
    pub max_session_duration: Option<i64>,
    pub tags: Vec<crate::Tag>,
}

pub(crate) fn role_key(account: &AccountId, name: &str) -> Vec<u8> {
    format!("{account}/{}", name.to_lowercase()).into_bytes()
}

pub(crate) fn no_such_role(name: &str) -> IamError {
    IamError::NoSuchEntity(format!("The role with name {name} cannot be found."))
}

impl Iam {
    /// The unique id of the user or role an IAM ARN names, if it exists now.
    pub fn unique_id_of(&self, arn: &str) -> Option<String> {
        let rest = arn.strip_prefix("arn:aws:iam::")?;
        let (account, resource) = rest.split_once(':')?;
        let account = AccountId::parse(account).ok()?;
        let name = resource.rsplit('/').next()?;
        if resource.starts_with("user/") {
            let user = self.find_user(&account, name).ok()??;
            (user.arn() == arn).then_some(user.user_id)
        } else if resource.starts_with("role/") {
            let role = self.find_role(&account, name).ok()??;
            (role.arn() == arn).then_some(role.role_id)
        } else {
            None
        }
    }

    /// Binds the user and role principals of a policy being saved (a trust, bucket or table
    /// policy) to the unique ids of the entities they name now; returns the `(ARN, id)` pairs
    /// to save with it. An ARN of no existing user or role rejects the document, as AWS does.
    pub fn bind_new_principals(
        &self,
        document: &mut PolicyDocument,
        kind: PolicyKind<'_>,
    ) -> Result<Vec<(String, String)>, PolicyError> {
        let mut bindings = Vec::new();
        document.bind_principals(kind, |arn| {
            let id = self.unique_id_of(arn)?;
            bindings.push((arn.to_owned(), id.clone()));
            Some(id)
        })?;
        Ok(bindings)
    }

    /// A saved policy as AWS shows it: a bound principal that no longer exists (or was
    /// recreated with a new id) appears as the unique id it is bound to.
    pub fn displayed_policy<'b>(
        &self,
        document: &str,
        bindings: impl IntoIterator<Item = (&'b str, &'b str)>,
    ) -> String {
        let mut text = document.to_owned();
        for (arn, id) in bindings {
            if self.unique_id_of(arn).as_deref() != Some(id) {
                text = text.replace(&format!("\"{arn}\""), &format!("\"{id}\""));
            }
        }
        text
    }

    /// Validates a trust policy and binds its principals ([`Iam::bind_new_principals`]).
    fn bind_trust_policy(&self, document: &str) -> Result<Vec<PrincipalBinding>, IamError> {
        let malformed = |e: PolicyError| IamError::MalformedPolicyDocument(e.message);
        let mut parsed = PolicyDocument::parse(document, PolicyKind::Trust).map_err(malformed)?;
        let bindings = self
            .bind_new_principals(&mut parsed, PolicyKind::Trust)
            .map_err(malformed)?;
        Ok(bindings
            .into_iter()
            .map(|(arn, unique_id)| PrincipalBinding { arn, unique_id })
            .collect())
    }

    /// The trust policy as GetRole shows it ([`Iam::displayed_policy`]).
    pub fn displayed_trust_policy(&self, role: &Role) -> String {
        self.displayed_policy(
            &role.assume_role_policy_document,
            role.trust_bindings
                .iter()
                .map(|b| (b.arn.as_str(), b.unique_id.as_str())),
        )
    }
}

impl Iam {
    /// CreateRole.
    pub async fn create_role(
        &self,
        account: AccountId,
        new: NewRole,
        now: Timestamp,
    ) -> Result<Role, IamError> {
        check_name(&new.role_name, "roleName")?;
        let path = new.path.unwrap_or_else(|| "/".to_owned());
        check_path(&path)?;
        let max_session_duration = new.max_session_duration.unwrap_or(MIN_MAX_SESSION_DURATION);
        check_max_session_duration(max_session_duration)?;
        crate::check_tags(&new.tags)?;
        let trust_bindings = self.bind_trust_policy(&new.assume_role_policy_document)?;
        let role = Role {
            account,
            path,
            role_name: new.role_name,
            role_id: crate::ids::generate_role_id(),
            create_date: now,
            assume_role_policy_document: new.assume_role_policy_document,
            description: new.description,
            max_session_duration,
            trust_bindings,
            tags: new.tags,
        };
        self.store
            .write(move |txn| {
                let key = role_key(&role.account, &role.role_name);
                if txn.get(ROLES, &key)?.is_some() {
                    return Err(IamError::EntityAlreadyExists(format!(
                        "Role with name {} already exists.",
                        role.role_name
                    )));
                }
                txn.put(ROLES, key, encode(&role)?);
                Ok(role)
            })
            .await
    }

    pub fn find_role(
        &self,
        account: &AccountId,
        role_name: &str,
    ) -> Result<Option<Role>, IamError> {
        self.store
            .get(ROLES, &role_key(account, role_name))?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// GetRole.
    pub fn get_role(&self, account: &AccountId, role_name: &str) -> Result<Role, IamError> {
        self.find_role(account, role_name)?
            .ok_or_else(|| no_such_role(role_name))
    }

    /// ListRoles, ordered by name, filtered by path prefix.
    pub fn list_roles(
        &self,
        account: &AccountId,
        path_prefix: &str,
    ) -> Result<Vec<Role>, IamError> {
        let mut roles = Vec::new();
        for entry in self.store.prefix(ROLES, format!("{account}/").as_bytes())? {
            let role: Role = decode(&entry?.1)?;
            if role.path.starts_with(path_prefix) {
                roles.push(role);
            }
        }
        Ok(roles)
    }

    /// UpdateAssumeRolePolicy.
    pub async fn update_assume_role_policy(
        &self,
        account: AccountId,
        role_name: String,
        document: String,
    ) -> Result<(), IamError> {
        let trust_bindings = self.bind_trust_policy(&document)?;
        self.store
            .write(move |txn| {
                let key = role_key(&account, &role_name);
                let mut role: Role = match txn.get(ROLES, &key)? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(no_such_role(&role_name)),
                };
                role.assume_role_policy_document = document;
                role.trust_bindings = trust_bindings;
                txn.put(ROLES, key, encode(&role)?);
                Ok(())
            })
            .await
    }

    /// UpdateRole: a new `Description` and/or `MaxSessionDuration` (each left as it is when
    /// `None`).
    pub async fn update_role(
        &self,
        account: AccountId,
        role_name: String,
        description: Option<String>,
        max_session_duration: Option<i64>,
    ) -> Result<(), IamError> {
        if let Some(duration) = max_session_duration {
            check_max_session_duration(duration)?;
        }
        self.store
            .write(move |txn| {
                let key = role_key(&account, &role_name);
                let mut role: Role = match txn.get(ROLES, &key)? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(no_such_role(&role_name)),
                };
                if description.is_some() {
                    role.description = description;
                }
                if let Some(duration) = max_session_duration {
                    role.max_session_duration = duration;
                }
                txn.put(ROLES, key, encode(&role)?);
                Ok(())
            })
            .await
    }

    /// DeleteRole: refused while inline policies remain. Sessions already issued keep
    /// the old role id, so a recreated role is a different principal.
    pub async fn delete_role(&self, account: AccountId, role_name: String) -> Result<(), IamError> {
        let result = self
            .store
            .write(move |txn| {
                let key = role_key(&account, &role_name);
                if txn.get(ROLES, &key)?.is_none() {
                    return Err(no_such_role(&role_name));
                }
                if !txn
                    .prefix_keys(
                        INLINE_POLICIES,
                        &PolicyHolder::Role(role_name.clone()).prefix(&account),
                    )?
                    .is_empty()
                {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must delete policies first.".to_owned(),
                    ));
                }
                if !txn
                    .prefix_keys(
                        ATTACHMENTS,
                        &crate::managed_policy::holder_prefix(
                            &account,
                            &PolicyHolder::Role(role_name.clone()),
                        ),
                    )?
                    .is_empty()
                {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must detach all policies first.".to_owned(),
                    ));
                }
                txn.delete(ROLES, key);
                Ok(())
            })
            .await;
        self.policies.invalidate();
        result
    }
}

/// `MaxSessionDuration`: 3,600 to 43,200 seconds, with the model's validation text.
fn check_max_session_duration(seconds: i64) -> Result<(), IamError> {
    if (MIN_MAX_SESSION_DURATION..=MAX_MAX_SESSION_DURATION).contains(&seconds) {
        return Ok(());
    }
    Err(IamError::Validation(format!(
        "1 validation error detected: Value '{seconds}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value {}",
        if seconds < MIN_MAX_SESSION_DURATION {
            "greater than or equal to 3600"
        } else {
            "less than or equal to 43200"
        }
    )))
}
