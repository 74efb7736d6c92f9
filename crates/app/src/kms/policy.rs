//! Key policies: the default one AWS writes (spec kms-sse §3.1), validating and binding a
//! policy being saved, its lockout safety check, and Get/Put/ListKeyPolicies (§2.3).

use strata_policy::PolicyDocument;

use super::access::{self, KIND, KeyTarget};
use super::keys::own_key;
use super::{
    Empty, Error, GetKeyPolicyInput, GetKeyPolicyOutput, KeyIdInput, ListKeyPoliciesOutput,
    PutKeyPolicyInput,
};
use crate::{App, Caller};

/// The only policy name a key has.
const POLICY_NAME: &str = "default";

const MAX_POLICY_LEN: usize = 131_072;

/// The policy of a key created without one, laid out as AWS stores and returns it.
pub(crate) fn default_policy(account: &str) -> String {
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {{\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"AWS\" : \"arn:aws:iam::{account}:root\"\n    }},\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  }} ]\n}}"
    )
}

/// A policy being saved by `caller` for the key `arn` of `account`: checked against KMS's
/// limits, parsed, its principals bound to the entities they name now, and (unless
/// `bypass`) the lockout safety check applied: the caller must still be allowed
/// `kms:PutKeyPolicy` under it. Returns the bindings to store with it.
pub(crate) fn check_new_policy(
    app: &App,
    caller: &Caller,
    arn: &str,
    account: &str,
    text: &str,
    bypass: bool,
) -> Result<Vec<(String, String)>, Error> {
    if text.is_empty() {
        return Err(Error::constraint(
            "policy",
            None,
            "Member must have length greater than or equal to 1",
        ));
    }
    if text.len() > MAX_POLICY_LEN {
        return Err(Error::constraint(
            "policy",
            None,
            &format!("Member must have length less than or equal to {MAX_POLICY_LEN}"),
        ));
    }
    let mut document =
        PolicyDocument::parse(text, KIND).map_err(|e| Error::MalformedPolicyDocument(e.message))?;
    let bindings = app
        .iam
        .bind_new_principals(&mut document, KIND)
        .map_err(|_| {
            Error::MalformedPolicyDocument(
                "Policy contains a statement with one or more invalid principals.".to_owned(),
            )
        })?;
    if !bypass {
        let target = KeyTarget {
            arn,
            account,
            policy: &document,
        };
        if access::authorize_with_policy(app, caller, target, "kms:PutKeyPolicy", None, None)
            .is_err()
        {
            return Err(Error::MalformedPolicyDocument(
                "The new key policy will not allow you to update the key policy in the future."
                    .to_owned(),
            ));
        }
    }
    Ok(bindings)
}

/// `PolicyName`: `default` or nothing. UNCONFIRMED: AWS's text for another name (moto's and
/// LocalStack's).
fn check_policy_name(name: Option<&str>) -> Result<(), Error> {
    match name {
        None | Some(POLICY_NAME) => Ok(()),
        Some(_) => Err(Error::NotFound("No such policy exists".to_owned())),
    }
}

pub async fn get_key_policy(
    app: &App,
    caller: &Caller,
    input: GetKeyPolicyInput,
) -> Result<GetKeyPolicyOutput, Error> {
    check_policy_name(input.policy_name.as_deref())?;
    let key = own_key(app, caller, input.key_id, "kms:GetKeyPolicy").await?;
    let policy = app.iam.displayed_policy(
        &key.policy,
        key.policy_bindings
            .iter()
            .map(|(a, id)| (a.as_str(), id.as_str())),
    );
    Ok(GetKeyPolicyOutput {
        policy,
        policy_name: POLICY_NAME,
    })
}

pub async fn list_key_policies(
    app: &App,
    caller: &Caller,
    input: KeyIdInput,
) -> Result<ListKeyPoliciesOutput, Error> {
    own_key(app, caller, input.key_id, "kms:ListKeyPolicies").await?;
    Ok(ListKeyPoliciesOutput {
        policy_names: [POLICY_NAME],
        truncated: false,
    })
}

pub async fn put_key_policy(
    app: &App,
    caller: &Caller,
    input: PutKeyPolicyInput,
) -> Result<Empty, Error> {
    let policy = input.policy.ok_or_else(|| Error::missing("policy"))?;
    check_policy_name(input.policy_name.as_deref())?;
    let key = own_key(app, caller, input.key_id, "kms:PutKeyPolicy").await?;
    let bindings = check_new_policy(
        app,
        caller,
        &key.arn(),
        &key.account,
        &policy,
        input.bypass_policy_lockout_safety_check.unwrap_or(false),
    )?;
    app.kms
        .update_key(&key.account, &key.region, &key.key_id, move |k| {
            k.policy = policy;
            k.policy_bindings = bindings;
            Ok::<_, Error>(())
        })
        .await?;
    Ok(Empty {})
}
