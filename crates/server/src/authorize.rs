//! The one authorization entry point: every engine call made for a caller asks here
//! first, with the action and resource ARN AWS would evaluate (spec iam-s3-authz §3).
//!
//! Today's rule set is the part of AWS's evaluation that needs no policy documents:
//! an account's root is allowed everything in its own account, and any other
//! principal (an IAM user) is allowed only what an identity policy grants. User
//! policies are not stored yet, so a user is implicitly denied every action, exactly
//! as AWS denies a user without policies. The policy engine slots in here.

use crate::auth::Caller;
use strata_iam::Principal;

/// The outcome of an authorization check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Denied; the message is AWS's AccessDenied text.
    Deny {
        message: String,
    },
}

/// Decides whether `caller` may perform `action` (`service:Action`) on `resource`,
/// a resource owned by `resource_account`.
pub fn authorize(
    caller: &Caller,
    action: &str,
    resource: &str,
    resource_account: &str,
) -> Decision {
    match &caller.principal {
        Principal::Root { account } if account.as_str() == resource_account => Decision::Allow,
        principal => Decision::Deny {
            message: format!(
                "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
                principal.arn()
            ),
        },
    }
}
