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
    /// Export a table to S3 (ExportTableToPointInTime) and follow it to the end,
    /// explaining a failure. Credentials and region come from the environment.
    Export(ExportArgs),
    /// Load a full export (a local copy of `AWSDynamoDB/<ExportId>/` or an s3:// URL, from
    /// AWS or strata) into a table, checking every MD5 first.
    Import(ImportArgs),
    /// Run SQL over an export, as Athena does (`SELECT Item.pk.S FROM items WHERE …`;
    /// the table is `changes` for an incremental export). Needs the `strata-query`
    /// companion (`cargo build --release -p strata-query`).
    Query(QueryArgs),
    /// Run the seed end to end against a server started in this process, narrating each
    /// step: two accounts, PITR, the policies, an export failing without S3BucketOwner and
    /// why, the export completing with it, the import, a SQL query. Exits non-zero if any
    /// step does not answer as AWS does.
    Demo(DemoArgs),
    /// Work with IAM policies offline.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Decide a request against policy files and explain the decision (exit status 0
    /// when allowed, 2 when denied, 1 on bad input).
    Simulate(SimulateArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ResourcePolicyType {
    /// An S3 bucket policy (the bucket is taken from --resource).
    Bucket,
    /// A DynamoDB table policy.
    Table,
    /// A role trust policy (must allow even within one account).
    Trust,
    /// A KMS key policy (must allow even within one account; naming the account delegates
    /// to its IAM policies).
    Key,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Ask a running server, using the policies it has stored (users', roles' and
    /// trust policies), instead of policy files.
    #[arg(long, conflicts_with_all = ["identity_policies", "resource_policy", "session_policies", "context", "principal_id"])]
    pub endpoint: Option<String>,
    /// The caller: `arn:aws:iam::ACCOUNT:root`, `…:user/NAME`,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, or `anonymous`.
    #[arg(long)]
    pub principal: String,
    /// The caller's unique id (`AIDA…` for a user, `AROA…` for a role's sessions).
    #[arg(long)]
    pub principal_id: Option<String>,
    /// The action, e.g. `s3:PutObject`.
    #[arg(long)]
    pub action: String,
    /// The resource ARN, or `*`.
    #[arg(long)]
    pub resource: String,
    /// The account owning the resource (default: the caller's).
    #[arg(long)]
    pub resource_account: Option<String>,
    /// An identity-based policy of the caller (repeatable).
    #[arg(long = "identity-policy", value_name = "FILE")]
    pub identity_policies: Vec<std::path::PathBuf>,
    /// The resource-based policy (bucket, table or trust policy).
    #[arg(long, value_name = "FILE")]
    pub resource_policy: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value = "bucket")]
    pub resource_policy_type: ResourcePolicyType,
    /// A session policy of the caller's role session (repeatable).
    #[arg(long = "session-policy", value_name = "FILE")]
    pub session_policies: Vec<std::path::PathBuf>,
    /// The caller's address (`aws:SourceIp`).
    #[arg(long)]
    pub source_ip: Option<std::net::IpAddr>,
    /// A request context key, e.g. `aws:MultiFactorAuthPresent=true` (repeatable).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
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
    /// strata's own endpoints (`/_strata/*` but health) need an account root's SigV4
    /// signature (signing name `strata`) on loopback too; elsewhere they always do.
    #[arg(long)]
    pub admin_auth: bool,
    /// Another name (DNS name or IP address) the generated TLS certificate covers, besides
    /// localhost, *.localhost, 127.0.0.1 and ::1 (repeatable).
    #[arg(long = "tls-name", value_name = "NAME")]
    pub tls_names: Vec<String>,
    /// Present this PEM certificate chain for TLS instead of one from strata's local CA.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls_names"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Connections served at once; more are answered with a throttling error and closed.
    #[arg(long, default_value_t = strata_server::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Multipart uploads one account may have in progress; CreateMultipartUpload beyond it
    /// is refused with InvalidRequest.
    #[arg(long, default_value_t = strata_s3::DEFAULT_MAX_OPEN_UPLOADS)]
    pub max_open_uploads: u64,
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
    /// Name the server's https:// endpoint (TLS on the same port) instead of http://.
    #[arg(long)]
    pub https: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The table: a name in the caller's account and region, or a table ARN.
    #[arg(long, required_unless_present = "follow")]
    pub table: Option<String>,
    /// The destination bucket.
    #[arg(long, required_unless_present = "follow")]
    pub bucket: Option<String>,
    /// The bucket owner's account (`S3BucketOwner`), needed for another account's bucket.
    #[arg(long)]
    pub bucket_owner: Option<String>,
    /// A key prefix (`S3Prefix`).
    #[arg(long)]
    pub prefix: Option<String>,
    /// `DYNAMODB_JSON` (default) or `ION`.
    #[arg(long)]
    pub format: Option<String>,
    /// Export the table as of this RFC 3339 time (default: now).
    #[arg(long)]
    pub export_time: Option<String>,
    /// `AES256` (default) or `KMS` (`S3SseAlgorithm`).
    #[arg(long)]
    pub sse_algorithm: Option<String>,
    /// The KMS key the files are encrypted with (`S3SseKmsKeyId`); another account's key by
    /// its ARN.
    #[arg(long)]
    pub sse_kms_key_id: Option<String>,
    /// Follow an export already started, by its ARN.
    #[arg(long, conflicts_with_all = ["table", "bucket"])]
    pub follow: Option<String>,
    /// The server (default: $AWS_ENDPOINT_URL, the profile's endpoint_url, else
    /// http://127.0.0.1:4566).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// An AWS CLI profile (from ~/.aws/config and ~/.aws/credentials) to call as,
    /// instead of the environment's keys.
    #[arg(long)]
    pub profile: Option<String>,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The export: its directory (the one holding `manifest-summary.json` and `data/`) or
    /// `s3://BUCKET/[PREFIX/]AWSDynamoDB/EXPORT_ID/`.
    pub source: String,
    /// The table to load into.
    #[arg(long)]
    pub table: String,
    /// Create the table first, with this partition key (`NAME:TYPE`, e.g. `pk:S`).
    #[arg(long)]
    pub partition_key: Option<String>,
    /// The sort key of the table to create (`NAME:TYPE`).
    #[arg(long, requires = "partition_key")]
    pub sort_key: Option<String>,
    /// The server (default: $AWS_ENDPOINT_URL, the profile's endpoint_url, else
    /// http://127.0.0.1:4566).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// An AWS CLI profile (from ~/.aws/config and ~/.aws/credentials) to call as,
    /// instead of the environment's keys.
    #[arg(long)]
    pub profile: Option<String>,
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The export: its directory (the one holding `manifest-summary.json` and `data/`) or
    /// `s3://BUCKET/[PREFIX/]AWSDynamoDB/EXPORT_ID/`.
    pub source: String,
    /// The query, e.g. `SELECT Item.pk.S, Item.total.N FROM items WHERE Item.status.S = 'paid'`.
    pub sql: String,
    /// `table`, `csv` or `json` (JSON lines).
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
    pub output: String,
    /// The S3 endpoint for an s3:// source (default: $AWS_ENDPOINT_URL, the profile's
    /// endpoint_url, else http://127.0.0.1:4566).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// An AWS CLI profile to read an s3:// source as.
    #[arg(long)]
    pub profile: Option<String>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// A pause before each step, in milliseconds, to read along.
    #[arg(long, default_value_t = 0)]
    pub pause_ms: u64,
    /// The KMS variant: the bucket's files are encrypted with a key in the bucket's account,
    /// whose key policy must let the exporter in.
    #[arg(long)]
    pub kms: bool,
}
