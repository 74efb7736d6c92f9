//! `strata query SOURCE SQL`: SQL over an export, as Athena runs it. The source is opened
//! (and, for an `s3://` URL, downloaded and checked) here; the SQL runs in the
//! `strata-query` companion binary, which carries DataFusion. It is built separately
//! because DataFusion adds ~20 minutes to a release build on two cores, and `cargo run
//! --release -- serve` should not pay that.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::caller::Caller;
use crate::cli::QueryArgs;
use crate::export_source;

const COMPANION: &str = "strata-query";

/// The companion next to this executable, else on `PATH`.
pub fn companion() -> Option<PathBuf> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(COMPANION)))
        .filter(|path| path.is_file());
    beside.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(COMPANION))
            .find(|path| path.is_file())
    })
}

pub fn run(args: QueryArgs) -> anyhow::Result<()> {
    let Some(binary) = companion() else {
        bail!(
            "strata query runs SQL with DataFusion, which is kept out of the default build (it adds \
             ~20 minutes to a release build). Build the companion once, next to strata:\n\n    \
             cargo build --release -p strata-query\n\n(or `cargo install --path crates/query`), then run this again."
        );
    };
    let resolve = || Caller::resolve(args.endpoint.as_deref(), args.profile.as_deref());
    let export = export_source::open(&args.source, resolve)?;
    let status = Command::new(&binary)
        .args(["--output", &args.output, "--"])
        .arg(&export.dir)
        .arg(&args.sql)
        .status()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    // A downloaded copy goes before the exit status is passed on.
    drop(export);
    if !status.success() {
        // The companion has said what went wrong.
        std::process::exit(status.code().unwrap_or(1));
    }
    Ok(())
}
