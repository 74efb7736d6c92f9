//! The `--config` file: the default region, the accounts with their root keys, and the
//! access keys that also open strata's own endpoints.
//!
//! ```toml
//! region = "us-east-1"
//! admin_access_key_ids = ["AKIASOURCEROOT000001"]   # optional
//! [[account]]
//! id = "111111111111"
//! alias = "source"
//! root_access_key_id = "AKIASOURCEROOT000001"
//! root_secret_access_key = "source-root-secret-key"
//! ```
//!
//! Every mistake stops start-up with a message naming the file and line.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use strata_iam::{AccessKey, Account, AccountId, RootAccount};
use toml::Spanned;

pub const DEFAULT_REGION: &str = "us-east-1";

/// A validated config.
#[derive(Debug)]
pub struct Config {
    pub region: String,
    pub accounts: Vec<RootAccount>,
    /// Keys (of any user, root or not) whose signature opens `/_strata/*` with `simulate`
    /// answering about every account.
    pub admin_access_key_ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    region: Option<Spanned<String>>,
    #[serde(default)]
    admin_access_key_ids: Vec<Spanned<String>>,
    #[serde(default)]
    account: Vec<Spanned<RawAccount>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    id: Spanned<String>,
    alias: Option<Spanned<String>>,
    root_access_key_id: Spanned<String>,
    root_secret_access_key: Spanned<String>,
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))
    }

    /// Parses config text; errors read `LINE: message`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let line =
            |span: Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(1, line);
            format!("{at}: {}", e.message())
        })?;
        let region = match raw.region {
            Some(r) if !valid_region(r.get_ref()) => {
                return Err(format!(
                    "{}: region {:?} is not a region name like us-east-1",
                    line(r.span()),
                    r.get_ref()
                ));
            }
            Some(r) => r.into_inner(),
            None => DEFAULT_REGION.to_owned(),
        };
        if raw.account.is_empty() {
            return Err("1: the config names no [[account]]".to_owned());
        }
        let (mut ids, mut aliases, mut keys) = (HashSet::new(), HashSet::new(), HashSet::new());
        let mut accounts = Vec::new();
        for entry in raw.account {
            let a = entry.into_inner();
            let id = AccountId::parse(a.id.get_ref())
                .map_err(|e| format!("{}: {e}", line(a.id.span())))?;
            if !ids.insert(id.clone()) {
                return Err(format!("{}: duplicate account id {id}", line(a.id.span())));
            }
            if let Some(alias) = &a.alias {
                let valid = !alias.get_ref().is_empty()
                    && alias
                        .get_ref()
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !valid {
                    return Err(format!(
                        "{}: alias {:?} must be lower-case letters, digits and '-'",
                        line(alias.span()),
                        alias.get_ref()
                    ));
                }
                if !aliases.insert(alias.get_ref().clone()) {
                    return Err(format!(
                        "{}: duplicate alias {:?}",
                        line(alias.span()),
                        alias.get_ref()
                    ));
                }
            }
            AccessKey::check_id(a.root_access_key_id.get_ref())
                .map_err(|e| format!("{}: {e}", line(a.root_access_key_id.span())))?;
            if !keys.insert(a.root_access_key_id.get_ref().clone()) {
                return Err(format!(
                    "{}: duplicate access key id {}",
                    line(a.root_access_key_id.span()),
                    a.root_access_key_id.get_ref()
                ));
            }
            AccessKey::check_secret(a.root_secret_access_key.get_ref())
                .map_err(|e| format!("{}: {e}", line(a.root_secret_access_key.span())))?;
            accounts.push(RootAccount {
                account: Account::new(id.clone(), a.alias.map(Spanned::into_inner)),
                root_key: AccessKey::root(
                    id,
                    a.root_access_key_id.into_inner(),
                    a.root_secret_access_key.into_inner(),
                ),
            });
        }
        let mut admin_access_key_ids = Vec::new();
        for key in raw.admin_access_key_ids {
            AccessKey::check_id(key.get_ref())
                .map_err(|e| format!("{}: admin_access_key_ids: {e}", line(key.span())))?;
            admin_access_key_ids.push(key.into_inner());
        }
        Ok(Self {
            region,
            accounts,
            admin_access_key_ids,
        })
    }
}

fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"region = "us-east-1"            # default region
[[account]]
id = "111111111111"
alias = "source"
root_access_key_id = "AKIASOURCEROOT000001"
root_secret_access_key = "source-root-secret-key"

[[account]]
id = "222222222222"
alias = "destination"
root_access_key_id = "AKIADESTROOT00000001"
root_secret_access_key = "destination-root-secret-key"
"#;

    #[test]
    fn parses_the_documented_shape() {
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.region, "us-east-1");
        assert_eq!(c.accounts.len(), 2);
        assert_eq!(c.accounts[1].account.alias.as_deref(), Some("destination"));
        assert!(c.admin_access_key_ids.is_empty());
        let with_admin = Config::parse(&format!(
            "admin_access_key_ids = [\"AKIAADMIN00000000001\"]\n{GOOD}"
        ))
        .unwrap();
        assert_eq!(with_admin.admin_access_key_ids, ["AKIAADMIN00000000001"]);
        assert_eq!(
            c.accounts[0].root_key.secret_access_key,
            "source-root-secret-key"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                GOOD.replace("222222222222", "111111111111"),
                "9: duplicate account id",
            ),
            (
                GOOD.replace("\"222222222222\"", "\"2222\""),
                "9: account id must be 12 digits",
            ),
            (
                GOOD.replace("AKIADESTROOT00000001", "AKIA-bad"),
                "11: access key id",
            ),
            (
                GOOD.replace("AKIADESTROOT00000001", "AKIASOURCEROOT000001"),
                "11: duplicate access key id",
            ),
            (
                GOOD.replace("\"destination-root-secret-key\"", "\"has space\""),
                "12: secret access key",
            ),
            (
                GOOD.replace("alias = \"destination\"", "alias = \"source\""),
                "10: duplicate alias",
            ),
            (
                GOOD.replace("region = \"us-east-1\"", "region = \"US East\""),
                "1: region",
            ),
            (
                GOOD.replace("alias = \"destination\"", "alais = \"x\""),
                "10: unknown field",
            ),
            (
                GOOD.replace("id = \"222222222222\"", "id = 222222222222"),
                "9: invalid type",
            ),
            (
                "region = \"us-east-1\"\n".to_owned(),
                "1: the config names no [[account]]",
            ),
            ("[[account]\n".to_owned(), "1: "),
            (
                format!("admin_access_key_ids = [\"AKIA-bad\"]\n{GOOD}"),
                "1: admin_access_key_ids: access key id",
            ),
        ];
        for (text, expected) in cases {
            let err = Config::parse(&text).unwrap_err();
            assert!(
                err.starts_with(expected),
                "expected {expected:?}, got {err:?}"
            );
        }
    }
}
