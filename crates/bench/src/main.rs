//! `strata-bench`: strata's benchmarks, one subcommand each.
//!
//! - `request-path` ([`request_path`]): signed `GetCallerIdentity` through strata
//!   against a bare hyper server, to price routing, SigV4 and serialisation.
//! - `dynamodb` ([`dynamodb`]): a DynamoDB load generator (put, get, query, mix)
//!   against any endpoint, reporting ops/s and latency percentiles ([`report`]).
//! - `s3` ([`s3`]): PutObject/GetObject load of fixed-size objects against any endpoint.
//! - `bench-config`: prints the `strata serve --config` file with the bench account,
//!   whose keys both benchmarks sign with by default.
//!
//! This file only parses the command line and starts the runtime; the signed HTTP
//! client all of them share is [`client`].

mod client;
mod dynamodb;
mod report;
mod request_path;
mod s3;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "strata-bench", about = "strata's benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Signed GetCallerIdentity through strata vs. a bare hyper server.
    RequestPath(request_path::Args),
    /// DynamoDB load (PutItem, GetItem, Query) against an endpoint.
    Dynamodb(dynamodb::Args),
    /// S3 load (PutObject, GetObject of fixed-size objects) against an endpoint.
    S3(s3::Args),
    /// Print a strata config declaring the bench account and its fixed root keys.
    BenchConfig,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Command::Dynamodb(args) = &cli.command
        && let Some(threads) = args.threads
    {
        anyhow::ensure!(threads > 0, "--threads must be at least 1");
        builder.worker_threads(threads);
    }
    let runtime = builder.enable_all().build()?;
    match cli.command {
        Command::RequestPath(args) => runtime.block_on(request_path::main(args)),
        Command::Dynamodb(args) => runtime.block_on(dynamodb::main(args)),
        Command::S3(args) => runtime.block_on(s3::main(args)),
        Command::BenchConfig => {
            print!("{}", client::bench_config());
            Ok(())
        }
    }
}
