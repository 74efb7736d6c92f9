//! `Principal` / `NotPrincipal` values (spec §1.2) and how they match a request principal
//! (spec §2.4, §2.5).
//!
//! Account ids are normalised to one form (an account id also covers its root ARN). User
//! and role ARNs can be bound to their unique ids at save time
//! ([`crate::PolicyDocument::bind_principals`]); bound entries match by id only, so a
//! re-created user or role with the same name is not matched.

use serde_json::Value;

use crate::arn::Arn;
use crate::error::PolicyError;
use crate::request::{PrincipalKind, RequestPrincipal};
use crate::validate::{Dialect, string_or_list};

/// S3's message for any principal it cannot accept.
pub(crate) const MSG_S3_INVALID_PRINCIPAL: &str = "Invalid principal in policy";

/// IAM's message: `Invalid principal in policy: "AWS":"<value>"`.
pub(crate) fn msg_iam_invalid_principal(key: &str, value: &str) -> String {
    format!("Invalid principal in policy: \"{key}\":\"{value}\"")
}

/// One principal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous included.
    Everyone,
    /// `"123456789012"` or `arn:aws:iam::123456789012:root`: the account.
    Account(String),
    /// `arn:aws:iam::<acct>:user/<path><name>` (not yet bound to a unique id).
    User(String),
    /// `arn:aws:iam::<acct>:role/<path><name>` (not yet bound): every session of the role.
    Role(String),
    /// `arn:aws:sts::<acct>:assumed-role/<role>/<session>`: that session only.
    AssumedRole(String),
    /// `arn:aws:sts::<acct>:federated-user/<name>`.
    FederatedUser(String),
    /// `AIDA…` (a user) or `AROA…` (a role): written so, or bound from an ARN at save time.
    UniqueId(String),
    /// `{"Service": "logging.s3.amazonaws.com"}`.
    Service(String),
    /// `{"Federated": …}`: identity providers (trust policies).
    Federated(String),
    /// `{"CanonicalUser": "<64 hex>"}`: an account, S3 only.
    CanonicalUser(String),
}

/// How strongly a policy principal names the request principal (spec §2.2, §2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// Via the account (`<acct>`, `:root`, canonical user): in the same account this
    /// grants nothing alone.
    Account,
    /// Via the role ARN or role unique id, for a session of that role.
    Role,
    /// The exact user, session, service, or `*`.
    Direct,
}

/// Parses a `Principal`/`NotPrincipal` value.
pub(crate) fn parse_block(value: &Value, dialect: Dialect) -> Result<Vec<Principal>, PolicyError> {
    let invalid = |key: &str, v: &str| match dialect {
        Dialect::Iam => PolicyError::new(msg_iam_invalid_principal(key, v)),
        Dialect::S3 => PolicyError::new(MSG_S3_INVALID_PRINCIPAL),
    };
    let map = match value {
        Value::String(s) if s == "*" => return Ok(vec![Principal::Everyone]),
        Value::String(s) => return Err(invalid("AWS", s)),
        Value::Object(map) if !map.is_empty() => map,
        _ => return Err(dialect.syntax()),
    };
    let mut out = Vec::new();
    for (key, values) in map {
        let values = string_or_list(values).ok_or_else(|| dialect.syntax())?;
        for v in values {
            let parsed = match key.as_str() {
                "AWS" => parse_aws(v),
                "Service" => parse_plain(v).map(|s| Principal::Service(s.to_owned())),
                "Federated" => parse_plain(v).map(|s| Principal::Federated(s.to_owned())),
                "CanonicalUser" => (v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| Principal::CanonicalUser(v.to_ascii_lowercase())),
                _ => None,
            };
            out.push(parsed.ok_or_else(|| invalid(key, v))?);
        }
    }
    Ok(out)
}

fn parse_plain(v: &str) -> Option<&str> {
    (!v.is_empty() && !v.contains(['*', '?', ' '])).then_some(v)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Unique ids: a four-letter prefix plus upper-case letters and digits (spec §5.3).
fn is_unique_id(s: &str) -> bool {
    (s.starts_with("AIDA") || s.starts_with("AROA"))
        && (16..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn parse_aws(v: &str) -> Option<Principal> {
    if v == "*" {
        return Some(Principal::Everyone);
    }
    // No partial wildcards anywhere in a principal (spec §1.2).
    if v.contains(['*', '?']) {
        return None;
    }
    if is_account_id(v) {
        return Some(Principal::Account(v.to_owned()));
    }
    if is_unique_id(v) {
        return Some(Principal::UniqueId(v.to_owned()));
    }
    let arn = Arn::parse(v)?;
    if !arn.partition.starts_with("aws") || !arn.region.is_empty() || !is_account_id(arn.account) {
        return None;
    }
    let r = arn.resource;
    let has_name = |prefix: &str| {
        r.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && !n.ends_with('/'))
    };
    match arn.service {
        "iam" if r == "root" => Some(Principal::Account(arn.account.to_owned())),
        "iam" if has_name("user/") => Some(Principal::User(v.to_owned())),
        "iam" if has_name("role/") => Some(Principal::Role(v.to_owned())),
        "sts" if r.starts_with("assumed-role/") => {
            let mut parts = r.splitn(3, '/').skip(1);
            let (role, session) = (parts.next()?, parts.next()?);
            (!role.is_empty() && !session.is_empty() && !session.contains('/'))
                .then(|| Principal::AssumedRole(v.to_owned()))
        }
        "sts" if has_name("federated-user/") => Some(Principal::FederatedUser(v.to_owned())),
        _ => None,
    }
}

impl Principal {
    /// How this entry names `p`, if at all.
    pub fn matches(&self, p: &RequestPrincipal) -> Option<PrincipalMatch> {
        use PrincipalKind as K;
        let signed = !matches!(p.kind, K::Anonymous | K::Service);
        let hit = |ok: bool, level| ok.then_some(level);
        match self {
            Principal::Everyone => Some(PrincipalMatch::Direct),
            Principal::Account(a) => hit(signed && p.account == *a, PrincipalMatch::Account),
            Principal::CanonicalUser(c) => hit(
                signed && p.canonical_user_id.as_deref() == Some(c.as_str()),
                PrincipalMatch::Account,
            ),
            Principal::User(arn) => hit(p.kind == K::User && p.arn == *arn, PrincipalMatch::Direct),
            Principal::Role(arn) => hit(
                p.kind == K::AssumedRole && p.role_arn.as_deref() == Some(arn.as_str()),
                PrincipalMatch::Role,
            ),
            Principal::AssumedRole(arn) => hit(
                p.kind == K::AssumedRole && p.arn == *arn,
                PrincipalMatch::Direct,
            ),
            Principal::FederatedUser(arn) => hit(
                p.kind == K::FederatedUser && p.arn == *arn,
                PrincipalMatch::Direct,
            ),
            Principal::UniqueId(id) => match p.kind {
                K::User => hit(
                    p.user_id.as_deref() == Some(id.as_str()),
                    PrincipalMatch::Direct,
                ),
                K::AssumedRole => hit(
                    p.role_unique_id.as_deref() == Some(id.as_str()),
                    PrincipalMatch::Role,
                ),
                _ => None,
            },
            Principal::Service(s) => {
                hit(p.kind == K::Service && p.arn == *s, PrincipalMatch::Direct)
            }
            // Web-identity/SAML callers are not modelled yet.
            Principal::Federated(_) => None,
        }
    }
}

/// The strongest match of any entry in a `Principal` list.
pub(crate) fn best_match(list: &[Principal], p: &RequestPrincipal) -> Option<PrincipalMatch> {
    list.iter().filter_map(|e| e.matches(p)).max()
}

/// Whether a `NotPrincipal` list exempts `p`. AWS checks each identity in the chain
/// (account → role → session, account → user), so every level must be listed; listing only a
/// session or user ARN without its account does not exempt it (spec §1.2).
pub(crate) fn not_principal_exempts(list: &[Principal], p: &RequestPrincipal) -> bool {
    let level = |want: PrincipalMatch| list.iter().any(|e| e.matches(p) == Some(want));
    if list.contains(&Principal::Everyone) {
        return true;
    }
    match p.kind {
        PrincipalKind::Root => level(PrincipalMatch::Account),
        PrincipalKind::User | PrincipalKind::FederatedUser => {
            level(PrincipalMatch::Account) && level(PrincipalMatch::Direct)
        }
        PrincipalKind::AssumedRole => {
            level(PrincipalMatch::Account)
                && level(PrincipalMatch::Role)
                && level(PrincipalMatch::Direct)
        }
        PrincipalKind::Anonymous | PrincipalKind::Service => level(PrincipalMatch::Direct),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: Value) -> Result<Vec<Principal>, String> {
        parse_block(&v, Dialect::Iam).map_err(|e| e.message)
    }

    #[test]
    fn forms() {
        let acct = Principal::Account("111122223333".into());
        assert_eq!(parse(json!("*")), Ok(vec![Principal::Everyone]));
        assert_eq!(parse(json!({"AWS": "*"})), Ok(vec![Principal::Everyone]));
        assert_eq!(
            parse(json!({"AWS": "111122223333"})),
            Ok(vec![acct.clone()])
        );
        assert_eq!(
            parse(json!({"AWS": ["arn:aws:iam::111122223333:root"]})),
            Ok(vec![acct])
        );
        assert_eq!(
            parse(json!({"AWS": "arn:aws:iam::111122223333:role/path/R"})),
            Ok(vec![Principal::Role(
                "arn:aws:iam::111122223333:role/path/R".into()
            )])
        );
        assert_eq!(
            parse(json!({"AWS": "AROAEXAMPLEEXAMPLE123"})),
            Ok(vec![Principal::UniqueId("AROAEXAMPLEEXAMPLE123".into())])
        );
        assert!(parse(json!({"AWS": "arn:aws:sts::111122223333:assumed-role/R/s"})).is_ok());
        assert!(
            parse(json!({"Service": ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com"]}))
                .is_ok()
        );
        assert!(parse(json!({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"})).is_ok());
        assert!(parse(json!({"Federated": "cognito-identity.amazonaws.com"})).is_ok());
    }

    #[test]
    fn invalid_principals() {
        let cases = [
            (
                json!({"AWS": "arn:aws:iam::1:role/*"}),
                r#"Invalid principal in policy: "AWS":"arn:aws:iam::1:role/*""#,
            ),
            (
                json!({"AWS": "arn:aws:iam::111122223333:role/*"}),
                r#"Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/*""#,
            ),
            (
                json!({"AWS": "arn:aws:sts::111122223333:assumed-role/R/*"}),
                r#"Invalid principal in policy: "AWS":"arn:aws:sts::111122223333:assumed-role/R/*""#,
            ),
            (
                json!({"AWS": "alice"}),
                r#"Invalid principal in policy: "AWS":"alice""#,
            ),
            (
                json!({"AWS": "arn:aws:iam::111122223333:group/G"}),
                r#"Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:group/G""#,
            ),
            (
                json!({"Bogus": "x"}),
                r#"Invalid principal in policy: "Bogus":"x""#,
            ),
            (
                json!("111122223333"),
                r#"Invalid principal in policy: "AWS":"111122223333""#,
            ),
            (json!({"AWS": 5}), "Syntax errors in policy."),
            (json!({}), "Syntax errors in policy."),
        ];
        for (v, want) in cases {
            assert_eq!(parse(v.clone()), Err(want.to_string()), "{v}");
        }
        assert_eq!(
            parse_block(&json!({"AWS": "x"}), Dialect::S3).map_err(|e| e.message),
            Err(MSG_S3_INVALID_PRINCIPAL.to_string())
        );
    }

    #[test]
    fn matching_table() {
        let a = "111122223333";
        let root = RequestPrincipal::root(a);
        let user = RequestPrincipal::user(a, "/", "alice", "AIDAALICEALICEALICE12");
        let session =
            RequestPrincipal::assumed_role(a, "/svc/", "R", "AROAROLEROLEROLEROLE1", "s1");
        let other = RequestPrincipal::user("444455556666", "/", "alice", "AIDAOTHEROTHEROTHER12");
        let anon = RequestPrincipal::anonymous();
        use PrincipalMatch::*;
        #[rustfmt::skip]
        let cases: Vec<(Principal, [Option<PrincipalMatch>; 5])> = vec![
            (Principal::Everyone, [Some(Direct), Some(Direct), Some(Direct), Some(Direct), Some(Direct)]),
            (Principal::Account(a.into()), [Some(Account), Some(Account), Some(Account), None, None]),
            (Principal::User(format!("arn:aws:iam::{a}:user/alice")), [None, Some(Direct), None, None, None]),
            (Principal::Role(format!("arn:aws:iam::{a}:role/svc/R")), [None, None, Some(Role), None, None]),
            (Principal::AssumedRole(format!("arn:aws:sts::{a}:assumed-role/R/s1")), [None, None, Some(Direct), None, None]),
            (Principal::AssumedRole(format!("arn:aws:sts::{a}:assumed-role/R/s2")), [None, None, None, None, None]),
            (Principal::UniqueId("AIDAALICEALICEALICE12".into()), [None, Some(Direct), None, None, None]),
            (Principal::UniqueId("AROAROLEROLEROLEROLE1".into()), [None, None, Some(Role), None, None]),
            (Principal::UniqueId("AROAOLDROLEOLDROLE123".into()), [None, None, None, None, None]),
        ];
        for (entry, want) in cases {
            let got = [&root, &user, &session, &other, &anon].map(|p| entry.matches(p));
            assert_eq!(got, want, "{entry:?}");
        }
    }

    #[test]
    fn not_principal_needs_every_level() {
        let a = "111122223333";
        let session = RequestPrincipal::assumed_role(a, "/", "R", "AROAROLEROLEROLEROLE1", "s1");
        let acct = Principal::Account(a.into());
        let role = Principal::Role(format!("arn:aws:iam::{a}:role/R"));
        let sess = Principal::AssumedRole(format!("arn:aws:sts::{a}:assumed-role/R/s1"));
        assert!(!not_principal_exempts(
            std::slice::from_ref(&sess),
            &session
        ));
        assert!(!not_principal_exempts(
            &[acct.clone(), sess.clone()],
            &session
        ));
        assert!(not_principal_exempts(&[acct, role, sess], &session));
        assert!(not_principal_exempts(&[Principal::Everyone], &session));
    }
}
