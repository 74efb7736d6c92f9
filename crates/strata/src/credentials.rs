//! `strata credentials`: the root credentials of an account, ready to paste (with the CA
//! bundle that makes https:// work), and the `credentials.json` file in the data directory
//! that `serve` writes for it.
//!
//! The store is the source of truth; the file is a copy for this command, which must
//! work while the server holds the store open.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use strata_iam::RootAccount;

use crate::cli::{CredentialsArgs, CredentialsFormat};
use crate::config::Config;

const FILE_NAME: &str = "credentials.json";

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct AccountCredentials {
    pub account_id: String,
    pub alias: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct CredentialsFile {
    pub endpoint: String,
    pub region: String,
    pub accounts: Vec<AccountCredentials>,
    /// The local CA's certificate, for `AWS_CA_BUNDLE` (none with the operator's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<String>,
}

impl AccountCredentials {
    pub fn from_root(root: &RootAccount) -> Self {
        Self {
            account_id: root.account.id.to_string(),
            alias: root.account.alias.clone(),
            access_key_id: root.root_key.access_key_id.clone(),
            secret_access_key: root.root_key.secret_access_key.clone(),
        }
    }
}

/// Writes `credentials.json` (mode 0600) into the data directory.
pub fn write_file(data_dir: &Path, file: &CredentialsFile) -> anyhow::Result<()> {
    crate::data_dir::write_private(&data_dir.join(FILE_NAME), &serde_json::to_vec_pretty(file)?)
}

pub fn run(args: CredentialsArgs) -> anyhow::Result<()> {
    let (endpoint, region, accounts, ca_bundle) = match &args.config {
        Some(path) => {
            let config = Config::load(path)?;
            let accounts = config
                .accounts
                .iter()
                .map(AccountCredentials::from_root)
                .collect();
            let ca = args
                .data_dir
                .join(crate::tls::DIR)
                .join(crate::tls::CA_FILE);
            let ca_bundle = ca.exists().then(|| crate::tls::absolute(&ca));
            (
                "http://127.0.0.1:4566".to_owned(),
                config.region,
                accounts,
                ca_bundle,
            )
        }
        None => {
            let path = args.data_dir.join(FILE_NAME);
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "no credentials at {} — start `strata serve --data-dir {}` first (an --in-memory server prints its credentials at start-up)",
                    path.display(),
                    args.data_dir.display()
                )
            })?;
            let file: CredentialsFile = serde_json::from_str(&text)
                .with_context(|| format!("{} is damaged", path.display()))?;
            (file.endpoint, file.region, file.accounts, file.ca_bundle)
        }
    };
    let Some(account) = accounts.iter().find(|a| {
        a.account_id == args.account || a.alias.as_deref() == Some(args.account.as_str())
    }) else {
        let known: Vec<String> = accounts
            .iter()
            .map(|a| match &a.alias {
                Some(alias) => format!("{} ({alias})", a.account_id),
                None => a.account_id.clone(),
            })
            .collect();
        anyhow::bail!("no account {:?}; known: {}", args.account, known.join(", "));
    };
    // The CA bundle goes with https only: exported in a shell, botocore would trust nothing
    // else, real AWS included.
    let (endpoint, ca_bundle) = match endpoint.strip_prefix("http://") {
        Some(rest) if args.https => {
            if ca_bundle.is_none() {
                eprintln!(
                    "strata credentials: no local CA is known for this server (it presents its own certificate, or has not started since TLS was added); AWS_CA_BUNDLE is not printed"
                );
            }
            (format!("https://{rest}"), ca_bundle)
        }
        _ => (endpoint, None),
    };
    print!(
        "{}",
        render(
            account,
            &endpoint,
            &region,
            ca_bundle.as_deref(),
            args.format
        )
    );
    Ok(())
}

/// `text` as one shell word: single-quoted, its own single quotes spliced in.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

pub fn render(
    a: &AccountCredentials,
    endpoint: &str,
    region: &str,
    ca_bundle: Option<&str>,
    format: CredentialsFormat,
) -> String {
    match format {
        CredentialsFormat::Env => {
            let mut out = format!(
                // AWS_REGION as well: the JavaScript SDK reads no other.
                "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\nexport AWS_DEFAULT_REGION={region}\nexport AWS_REGION={region}\nexport AWS_ENDPOINT_URL={endpoint}\n",
                a.access_key_id, a.secret_access_key
            );
            if let Some(ca) = ca_bundle {
                let ca = shell_quoted(ca);
                // Node.js (the JavaScript SDK) trusts extra CAs from NODE_EXTRA_CA_CERTS only.
                out.push_str(&format!(
                    "export AWS_CA_BUNDLE={ca}\nexport NODE_EXTRA_CA_CERTS={ca}\n"
                ));
            }
            out
        }
        CredentialsFormat::AwsConfig => {
            let mut out = format!(
                "[profile {}]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = {region}\nendpoint_url = {endpoint}\n",
                a.alias.as_deref().unwrap_or(&a.account_id),
                a.access_key_id,
                a.secret_access_key
            );
            if let Some(ca) = ca_bundle {
                out.push_str(&format!("ca_bundle = {ca}\n"));
            }
            out
        }
    }
}
