//! Tags on IAM users and roles: the ones CreateUser and CreateRole take, TagUser/TagRole and
//! UntagUser/UntagRole, checked as IAM checks them. Keys are case-insensitive: a request
//! naming one key twice in different cases is refused, while tagging an entity with an
//! existing key in another case replaces that tag, key spelling included (AWS, as recorded in
//! aws-cdk#26253). At most 50 tags per entity; keys 1–128 characters, values 0–256.

use serde::{Deserialize, Serialize};

use crate::inline_policy::PolicyHolder;
use crate::role::{Role, no_such_role, role_key};
use crate::user::{User, no_such_user, user_key};
use crate::{AccountId, Iam, IamError, ROLES, USERS, decode, encode};

/// Most tags one user or role holds.
pub const MAX_TAGS: usize = 50;

/// One tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Checks the tags of one request: lengths, and no key twice (case-insensitively).
pub fn check_tags(tags: &[Tag]) -> Result<(), IamError> {
    for (i, tag) in tags.iter().enumerate() {
        let n = i + 1;
        let key_chars = tag.key.chars().count();
        if key_chars == 0 || key_chars > 128 {
            let bound = if key_chars == 0 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 128"
            };
            return Err(IamError::Validation(format!(
                "1 validation error detected: Value '{}' at 'tags.{n}.member.key' failed to satisfy constraint: Member must have length {bound}",
                tag.key
            )));
        }
        if tag.value.chars().count() > 256 {
            return Err(IamError::Validation(format!(
                "1 validation error detected: Value '{}' at 'tags.{n}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
                tag.value
            )));
        }
        if tags[..i]
            .iter()
            .any(|t| t.key.eq_ignore_ascii_case(&tag.key))
        {
            return Err(IamError::InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
                    .to_owned(),
            ));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(too_many());
    }
    Ok(())
}

/// UNCONFIRMED: IAM's exact text for an entity over its tag quota.
fn too_many() -> IamError {
    IamError::LimitExceeded(format!("Cannot exceed quota for TagsPerEntity: {MAX_TAGS}"))
}

/// Adds `new` to `tags`, replacing those with the same key in any case.
fn merge(tags: &mut Vec<Tag>, new: Vec<Tag>) -> Result<(), IamError> {
    for tag in new {
        tags.retain(|t| !t.key.eq_ignore_ascii_case(&tag.key));
        tags.push(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(too_many());
    }
    Ok(())
}

impl Iam {
    /// TagUser and TagRole.
    pub async fn tag(
        &self,
        account: AccountId,
        holder: PolicyHolder,
        tags: Vec<Tag>,
    ) -> Result<(), IamError> {
        check_tags(&tags)?;
        self.edit_tags(account, holder, move |existing| merge(existing, tags))
            .await
    }

    /// UntagUser and UntagRole: keys match case-insensitively; unknown ones are ignored.
    pub async fn untag(
        &self,
        account: AccountId,
        holder: PolicyHolder,
        keys: Vec<String>,
    ) -> Result<(), IamError> {
        self.edit_tags(account, holder, move |existing| {
            existing.retain(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
        .await
    }

    /// The user's or role's tags.
    pub fn tags(&self, account: &AccountId, holder: &PolicyHolder) -> Result<Vec<Tag>, IamError> {
        Ok(match holder {
            PolicyHolder::User(name) => self.get_user(account, name)?.tags,
            PolicyHolder::Role(name) => self.get_role(account, name)?.tags,
        })
    }

    async fn edit_tags<F>(
        &self,
        account: AccountId,
        holder: PolicyHolder,
        edit: F,
    ) -> Result<(), IamError>
    where
        F: FnOnce(&mut Vec<Tag>) -> Result<(), IamError> + Send + 'static,
    {
        self.store
            .write(move |txn| match &holder {
                PolicyHolder::User(name) => {
                    let key = user_key(&account, name);
                    let mut user: User = match txn.get(USERS, &key)? {
                        Some(bytes) => decode(&bytes)?,
                        None => return Err(no_such_user(name)),
                    };
                    edit(&mut user.tags)?;
                    txn.put(USERS, key, encode(&user)?);
                    Ok(())
                }
                PolicyHolder::Role(name) => {
                    let key = role_key(&account, name);
                    let mut role: Role = match txn.get(ROLES, &key)? {
                        Some(bytes) => decode(&bytes)?,
                        None => return Err(no_such_role(name)),
                    };
                    edit(&mut role.tags)?;
                    txn.put(ROLES, key, encode(&role)?);
                    Ok(())
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn keys_are_case_insensitive() {
        assert!(matches!(
            check_tags(&[tag("Env", "a"), tag("env", "b")]),
            Err(IamError::InvalidInput(_))
        ));
        let mut tags = vec![tag("Test", "1")];
        merge(&mut tags, vec![tag("test", "2")]).unwrap();
        assert_eq!(tags, vec![tag("test", "2")]);
    }

    #[test]
    fn lengths_and_count_are_checked() {
        assert!(matches!(
            check_tags(&[tag("", "v")]),
            Err(IamError::Validation(_))
        ));
        assert!(matches!(
            check_tags(&[tag(&"k".repeat(129), "v")]),
            Err(IamError::Validation(_))
        ));
        assert!(matches!(
            check_tags(&[tag("k", &"v".repeat(257))]),
            Err(IamError::Validation(_))
        ));
        let many: Vec<Tag> = (0..=MAX_TAGS).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert!(matches!(check_tags(&many), Err(IamError::LimitExceeded(_))));
        let mut tags: Vec<Tag> = (0..MAX_TAGS).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert!(merge(&mut tags, vec![tag("K0", "w")]).is_ok());
        assert!(matches!(
            merge(&mut tags, vec![tag("new", "v")]),
            Err(IamError::LimitExceeded(_))
        ));
    }
}
