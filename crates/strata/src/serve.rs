//! `strata serve`: open the store, make sure the accounts exist, listen.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use strata_app::App;
use strata_iam::{
    AccessKey, Account, AccountId, RootAccount, generate_root_access_key_id,
    generate_secret_access_key,
};
use strata_s3::BlobDir;
use strata_storage::Store;

use crate::cli::ServeArgs;
use crate::config::{Config, DEFAULT_REGION};
use crate::credentials::{AccountCredentials, CredentialsFile, write_file};

/// The accounts a server without a config starts with.
const DEFAULT_ACCOUNTS: [(&str, &str); 2] =
    [("111111111111", "source"), ("222222222222", "destination")];

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args, config))
}

/// Opens the store and the object directory, and makes sure the accounts exist (a
/// config's, else the two defaults on a first start).
pub async fn open_state(
    args: &ServeArgs,
    config: Option<Config>,
) -> anyhow::Result<(Arc<App>, String)> {
    let store = if args.in_memory {
        Store::open_temporary()?
    } else {
        crate::data_dir::prepare(&args.data_dir)?;
        Store::open(&args.data_dir.join("db"))
            .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?
    };
    let region = config
        .as_ref()
        .map_or(DEFAULT_REGION.to_owned(), |c| c.region.clone());
    let objects = if args.in_memory {
        BlobDir::temporary()?
    } else {
        BlobDir::open(&args.data_dir.join("objects")).with_context(|| {
            format!(
                "cannot open the object directory in {}",
                args.data_dir.display()
            )
        })?
    };
    let state = App::open(store, objects, region.clone()).await?;
    state.s3.limit_open_uploads(args.max_open_uploads);
    let removed = state.s3.remove_unreferenced_files().await?;
    if removed > 0 {
        tracing::info!(
            removed,
            "removed object files of uploads that never completed"
        );
    }
    match config {
        Some(config) => state.iam.ensure_accounts(config.accounts).await?,
        None if state.iam.root_accounts()?.is_empty() => {
            state.iam.ensure_accounts(default_accounts()).await?;
        }
        None => {}
    }
    Ok((state, region))
}

async fn serve(args: ServeArgs, config: Option<Config>) -> anyhow::Result<()> {
    crate::data_dir::private_files();
    let admin_keys = config
        .as_ref()
        .map(|c| c.admin_access_key_ids.clone())
        .unwrap_or_default();
    let (state, region) = open_state(&args, config).await?;
    for key in &admin_keys {
        if state.iam.authenticate(key)?.is_none() {
            tracing::warn!(key, "the config names an admin key no account has");
        }
    }
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let bound: SocketAddr = listener.local_addr()?;
    // Clients reach a server listening on every address at loopback; one listening on a
    // specific address there, which its certificate then names.
    let addr = if bound.ip().is_unspecified() {
        let loopback: std::net::IpAddr = match bound {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        };
        SocketAddr::new(loopback, bound.port())
    } else {
        bound
    };
    let mut tls_names = args.tls_names.clone();
    if !addr.ip().is_loopback() {
        tls_names.push(addr.ip().to_string());
    }
    // An --in-memory server's CA lives as long as the server.
    let temporary = if args.in_memory {
        Some(tempfile::TempDir::new()?)
    } else {
        None
    };
    let tls = match (&args.tls_cert, &args.tls_key, &temporary) {
        (Some(cert), Some(key), _) => crate::tls::own(cert, key)?,
        (_, _, Some(temporary)) => {
            crate::tls::local(&temporary.path().join(crate::tls::DIR), &tls_names)?
        }
        _ => crate::tls::local(&args.data_dir.join(crate::tls::DIR), &tls_names)?,
    };
    let ca_bundle = tls.ca_bundle.as_ref().map(|p| crate::tls::absolute(p));
    let endpoint = format!("http://{addr}");
    let accounts: Vec<AccountCredentials> = state
        .iam
        .root_accounts()?
        .iter()
        .map(AccountCredentials::from_root)
        .collect();
    if !args.in_memory {
        write_file(
            &args.data_dir,
            &CredentialsFile {
                endpoint: endpoint.clone(),
                region: region.clone(),
                accounts: accounts.clone(),
                ca_bundle: ca_bundle.clone(),
            },
        )?;
    }
    print_banner(&addr, &args, &region, &accounts, ca_bundle.as_deref());
    if !bound.ip().is_loopback() {
        tracing::warn!(
            addr = %bound,
            "listening beyond loopback: plain HTTP is served next to TLS, and credentials and data sent over it cross the network unencrypted (a bucket policy denying aws:SecureTransport false refuses them); strata's own endpoints need a signature here"
        );
    }
    let options = strata_server::Options {
        admin_auth: args.admin_auth,
        admin_keys,
        tls: Some(tls.config),
        max_connections: args.max_connections,
    };
    strata_server::serve_with(listener, Arc::clone(&state), options, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

fn default_accounts() -> Vec<RootAccount> {
    DEFAULT_ACCOUNTS
        .iter()
        .map(|(id, alias)| {
            let id = AccountId::parse(id).expect("default account ids are 12 digits");
            RootAccount {
                account: Account::new(id.clone(), Some((*alias).to_owned())),
                root_key: AccessKey::root(
                    id,
                    generate_root_access_key_id(),
                    generate_secret_access_key(),
                ),
            }
        })
        .collect()
}

/// Start-up output on stdout: where to connect and with which keys. The line
/// `strata listening on …` comes first and alone, so scripts can wait for it.
fn print_banner(
    addr: &SocketAddr,
    args: &ServeArgs,
    region: &str,
    accounts: &[AccountCredentials],
    ca_bundle: Option<&str>,
) {
    use std::io::Write;
    let endpoint = format!("http://{addr}");
    let data = if args.in_memory {
        "in memory".to_owned()
    } else {
        args.data_dir.display().to_string()
    };
    let mut out = format!("strata listening on {endpoint} (data: {data}, region: {region})\n");
    match ca_bundle {
        Some(ca) => out.push_str(&format!(
            "and on https://{addr} (TLS on the same port; AWS_CA_BUNDLE={ca})\n"
        )),
        None => out.push_str(&format!(
            "and on https://{addr} (TLS on the same port, with your certificate)\n"
        )),
    }
    out.push_str("accounts:\n");
    for a in accounts {
        out.push_str(&format!(
            "  {} {:<12} AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={}\n",
            a.account_id,
            a.alias.as_deref().unwrap_or("-"),
            a.access_key_id,
            a.secret_access_key
        ));
    }
    out.push_str(&format!("try: aws --endpoint-url {endpoint} sts get-caller-identity   (after `eval $(strata credentials source)`)\n"));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
