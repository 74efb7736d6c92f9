//! `Arn*` operators: `ArnEquals` ≡ `ArnLike` and `ArnNotEquals` ≡ `ArnNotLike`; the six
//! segments are matched separately with `*`/`?`, case-sensitive (spec §1.5). Variables are
//! allowed in any segment of the policy value.

use crate::arn::{Arn, ArnPattern};
use crate::context::Context;

pub(crate) fn compile(raw: &str, variables: bool) -> ArnPattern {
    ArnPattern::compile(raw, variables, true)
}

pub(crate) fn matches(policy: &ArnPattern, request: &str, context: &Context) -> bool {
    policy.matches(request, Arn::parse(request).as_ref(), context)
}
