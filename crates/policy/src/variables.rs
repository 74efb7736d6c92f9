//! Policy variables (spec §1.6): `${aws:username}`, `${key, 'default'}` and the escapes
//! `${*}`, `${?}`, `${$}`.
//!
//! Variables are recognised only under `Version: 2012-10-17`, only in the resource part of a
//! `Resource` and in String/ARN/Bool condition values; elsewhere the text is literal. The
//! value comes from the request context; a multivalued or missing key resolves to the
//! default if one is given, otherwise to nothing, and the element cannot match.

use crate::context::Context;

/// One `${…}` reference to a context key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// The key as written, for display.
    pub key: String,
    /// The key lowercased: context keys are case-insensitive.
    pub(crate) key_lower: String,
    /// `${key, 'default'}`'s fallback.
    pub default: Option<String>,
}

/// What a `${…}` body stands for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Placeholder {
    /// `${*}`, `${?}`, `${$}`: that character, literally (never a wildcard).
    Escape(u8),
    Variable(Variable),
}

/// Parses the text between `${` and `}`; `None` when it is not a valid reference, in which
/// case the caller keeps the text literally.
pub(crate) fn parse_placeholder(body: &str) -> Option<Placeholder> {
    match body {
        "*" => return Some(Placeholder::Escape(b'*')),
        "?" => return Some(Placeholder::Escape(b'?')),
        "$" => return Some(Placeholder::Escape(b'$')),
        _ => {}
    }
    let (key, default) = match body.split_once(',') {
        None => (body.trim(), None),
        Some((key, rest)) => {
            let rest = rest.trim();
            let quoted = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\''))?;
            (key.trim(), Some(quoted.to_owned()))
        }
    };
    if key.is_empty() || key.contains(['$', '{', '}', ' ']) {
        return None;
    }
    Some(Placeholder::Variable(Variable {
        key: key.to_owned(),
        key_lower: key.to_ascii_lowercase(),
        default,
    }))
}

impl Variable {
    /// The substituted text: the key's single value, else the default, else nothing.
    pub(crate) fn resolve<'c>(&'c self, context: &'c Context) -> Option<&'c str> {
        match context.get_lower(&self.key_lower) {
            Some([only]) => Some(only.as_str()),
            _ => self.default.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert_eq!(parse_placeholder("*"), Some(Placeholder::Escape(b'*')));
        assert_eq!(parse_placeholder("$"), Some(Placeholder::Escape(b'$')));
        let Some(Placeholder::Variable(v)) =
            parse_placeholder("aws:PrincipalTag/team, 'company-wide'")
        else {
            panic!("expected a variable");
        };
        assert_eq!(v.key_lower, "aws:principaltag/team");
        assert_eq!(v.default.as_deref(), Some("company-wide"));
        assert_eq!(parse_placeholder(""), None);
        assert_eq!(parse_placeholder("a, b"), None);
    }
}
