//! `String*` operators: exact (case-sensitive), `IgnoreCase` (ASCII folding) and `Like`
//! (case-sensitive glob). Policy variables are allowed in the values (spec §1.6).

use super::operator::Operator;
use crate::context::Context;
use crate::pattern::{Pattern, Syntax};

/// Compiles one policy value; only the `Like` operators treat `*`/`?` as wildcards.
pub(crate) fn compile(op: Operator, raw: &str, variables: bool) -> Pattern {
    let wildcards = matches!(op, Operator::StringLike | Operator::StringNotLike);
    Pattern::compile(
        raw,
        Syntax {
            wildcards,
            variables,
            lowercase: false,
        },
    )
}

/// The positive comparison (negation is applied by the caller).
pub(crate) fn matches(op: Operator, policy: &Pattern, request: &str, context: &Context) -> bool {
    let ignore_case = matches!(
        op,
        Operator::StringEqualsIgnoreCase | Operator::StringNotEqualsIgnoreCase
    );
    policy.matches(request, context, ignore_case)
}
