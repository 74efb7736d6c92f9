//! `strata-query DIR SQL`: the companion binary `strata query` runs (see the crate docs).

use std::path::PathBuf;

use clap::Parser;
use strata_query::output::{self, Output};

#[derive(Parser, Debug)]
#[command(
    name = "strata-query",
    version,
    about = "SQL over a DynamoDB export directory (table `items`, or `changes` for an incremental export)"
)]
struct Args {
    /// The export's directory: the one holding `manifest-summary.json` and `data/`.
    dir: PathBuf,
    /// The query, e.g. `SELECT Item.pk.S FROM items WHERE Item.status.S = 'x'`.
    sql: String,
    #[arg(long, value_enum, default_value = "table")]
    output: Output,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(strata_query::query(&args.dir, &args.sql));
    let result = result.and_then(|batches| {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        output::write(&batches, args.output, &mut out)?;
        std::io::Write::flush(&mut out)?;
        Ok(())
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strata query: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
