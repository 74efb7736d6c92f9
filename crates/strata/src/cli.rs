//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "strata",
    version,
    about = "DynamoDB, S3, IAM and STS for several AWS accounts on one port"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Print an account's root credentials, ready to paste.
    Credentials(CredentialsArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4566)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Where data lives between runs.
    #[arg(long, default_value = "./.strata")]
    pub data_dir: PathBuf,
    /// Keep data in a temporary directory removed at exit.
    #[arg(long, conflicts_with = "data_dir")]
    pub in_memory: bool,
    /// A TOML file fixing the region and the accounts with their root keys.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CredentialsFormat {
    /// `export AWS_…=…` lines for a shell.
    Env,
    /// A `[profile …]` section for `~/.aws/config`.
    AwsConfig,
}

#[derive(Args, Debug)]
pub struct CredentialsArgs {
    /// Account id or alias (e.g. `source`).
    pub account: String,
    #[arg(long, value_enum, default_value = "env")]
    pub format: CredentialsFormat,
    /// The data directory of the server whose credentials to print.
    #[arg(long, default_value = "./.strata")]
    pub data_dir: PathBuf,
    /// Read the credentials from this config file instead of the data directory.
    #[arg(long)]
    pub config: Option<PathBuf>,
}
