//! Tags on IAM users and roles: TagUser/TagRole, UntagUser/UntagRole, ListUserTags/
//! ListRoleTags. CreateUser and CreateRole take tags too, which needs the tagging action
//! as well (checked there, on the new entity's ARN).

use serde::Serialize;
use strata_iam::{PolicyHolder, Tag};

use super::Result;
use super::inline_policies::{HolderInput, authorize_holder, kind};
use super::model::Members;
use crate::{App, Caller};

/// The input of TagUser and TagRole.
#[derive(Clone, Debug)]
pub struct TagInput {
    pub holder: PolicyHolder,
    pub tags: Vec<Tag>,
}

/// The input of UntagUser and UntagRole.
#[derive(Clone, Debug)]
pub struct UntagInput {
    pub holder: PolicyHolder,
    pub tag_keys: Vec<String>,
}

/// `Tag`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagOut {
    pub key: String,
    pub value: String,
}

/// ListUserTags's and ListRoleTags's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOutput {
    pub tags: Members<TagOut>,
    pub is_truncated: bool,
}

/// An entity's `Tags` as GetUser and GetRole show them: absent when there are none.
pub fn shown(tags: &[Tag]) -> Option<Members<TagOut>> {
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|t| TagOut {
                key: t.key.clone(),
                value: t.value.clone(),
            })
            .collect::<Vec<_>>()
            .into()
    })
}

pub async fn tag(app: &App, caller: &Caller, input: TagInput) -> Result<()> {
    let action = format!("iam:Tag{}", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    let account = caller.principal.account().clone();
    Ok(app.iam.tag(account, input.holder, input.tags).await?)
}

pub async fn untag(app: &App, caller: &Caller, input: UntagInput) -> Result<()> {
    let action = format!("iam:Untag{}", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    let account = caller.principal.account().clone();
    Ok(app.iam.untag(account, input.holder, input.tag_keys).await?)
}

pub fn list_tags(app: &App, caller: &Caller, input: HolderInput) -> Result<ListTagsOutput> {
    let action = format!("iam:List{}Tags", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    let tags = app.iam.tags(caller.principal.account(), &input.holder)?;
    Ok(ListTagsOutput {
        tags: shown(&tags).unwrap_or_else(|| Vec::new().into()),
        is_truncated: false,
    })
}
