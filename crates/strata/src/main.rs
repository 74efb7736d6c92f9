//! The `strata` command: a thin CLI over the server and engine crates.
//!
//! - `strata serve` runs the server (see [`serve`]);
//! - `strata credentials ACCOUNT` prints an account's root credentials ready to paste;
//! - `strata policy simulate` decides a request against policy files and explains why;
//! - `strata export` runs an export against a server and explains a failure;
//! - `strata import` loads an export (AWS's or strata's) from a directory or S3 into a table;
//! - `strata demo` runs the seed end to end against an in-process server, narrated;
//! - `strata query` runs SQL over an export (through the `strata-query` companion).

mod caller;
mod cli;
mod config;
mod credentials;
mod data_dir;
mod demo;
mod export;
mod export_source;
mod http;
mod import;
mod policy;
mod query;
mod serve;
mod tls;

use clap::Parser;

/// glibc's allocator serialises the request threads on its arena locks under load
/// (profiled: `__lll_lock_wait_private` behind malloc/free); mimalloc keeps
/// per-thread heaps. It is built without transparent huge pages (`no_thp`): with them its first
/// arena faulted in 2 MiB pages at start, ~9 MB of an idle server's 21 MB RSS.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Serve(args) => serve::run(args),
        cli::Command::Credentials(args) => credentials::run(args),
        cli::Command::Policy(cli::PolicyCommand::Simulate(args)) => policy::simulate(args),
        cli::Command::Export(args) => export::run(args),
        cli::Command::Import(args) => import::run(args),
        cli::Command::Query(args) => query::run(args),
        cli::Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strata: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
