//! The `Bool` operator: case-insensitive equality with `true`/`false`; JSON booleans in the
//! policy arrive as their string form, and variables are allowed (spec §1.5).

use crate::context::Context;
use crate::pattern::{Pattern, Syntax};

pub(crate) fn compile(raw: &str, variables: bool) -> Pattern {
    Pattern::compile(
        raw,
        Syntax {
            wildcards: false,
            variables,
            lowercase: false,
        },
    )
}

pub(crate) fn matches(policy: &Pattern, request: &str, context: &Context) -> bool {
    policy.matches(request, context, true)
}
