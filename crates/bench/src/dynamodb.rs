//! `strata-bench dynamodb`: a DynamoDB load generator for any endpoint that speaks the
//! DynamoDB JSON 1.0 protocol (strata, Dynoxide, DynamoDB Local, AWS itself).
//!
//! It makes sure the table exists (hash key `pk`, range key `sk`, both S,
//! PAY_PER_REQUEST), fills the keyspace with BatchWriteItem when the workload reads,
//! then runs one workload for a fixed time from `--concurrency` tokio tasks, each with
//! its own keep-alive connection. Every request is signed afresh, as an SDK does.
//!
//! The keyspace is `--items` items, `--items-per-partition` to a partition key:
//! item `i` is `pk = p{i / per}`, `sk = s{i % per}` with a `payload` string of
//! `--item-size` random alphanumerics. GetItem reads a uniformly random item, PutItem
//! overwrites one with a fresh payload, Query reads a whole random partition. With
//! `--stream`, the table's stream is enabled first; the `records` workload then reads the
//! first 1,000 records of its oldest shard with GetRecords (one iterator, reused), the
//! stream's counterpart of a 1,000-item Query (`--items-per-partition 1000`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;

use crate::client::{BENCH_ACCESS_KEY, BENCH_SECRET_KEY, Connection, Endpoint, Signer};
use crate::report::{self, FirstError, OpStats, Report};

const CONTENT_TYPE: &str = "application/x-amz-json-1.0";
/// Items per BatchWriteItem, DynamoDB's maximum.
const BATCH: u64 = 25;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The DynamoDB endpoint, `http://host:port`.
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    #[arg(long, default_value = BENCH_ACCESS_KEY)]
    access_key: String,
    #[arg(long, default_value = BENCH_SECRET_KEY)]
    secret_key: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// The table; created if missing.
    #[arg(long, default_value = "strata-bench")]
    table: String,
    #[arg(long, value_enum, default_value_t = Workload::Mix)]
    workload: Workload,
    /// Concurrent requests, each task on its own keep-alive connection.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Bytes of the `payload` attribute of every item written.
    #[arg(long, default_value_t = 256)]
    item_size: usize,
    /// Items in the keyspace.
    #[arg(long, default_value_t = 10_000)]
    items: u64,
    /// Items sharing a partition key (what one Query returns).
    #[arg(long, default_value_t = 10)]
    items_per_partition: u64,
    /// Client runtime worker threads (default: one per core). The client shares the
    /// machine with the server; fewer threads leave it more CPU.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Don't write the keyspace before a reading workload (it is already there).
    #[arg(long)]
    skip_populate: bool,
    /// Turn point-in-time recovery on for the table first (UpdateContinuousBackups), so
    /// every write also lands in its history.
    #[arg(long)]
    pitr: bool,
    /// Enable the table's stream first (UpdateTable) with this view type, so every write
    /// also writes a stream record: NEW_AND_OLD_IMAGES, NEW_IMAGE, OLD_IMAGE or KEYS_ONLY.
    #[arg(long)]
    stream: Option<String>,
    /// Also report this process's CPU time per request (the server's pid).
    #[arg(long)]
    server_pid: Option<u32>,
    /// A name for the run in the report (default: the endpoint).
    #[arg(long)]
    label: Option<String>,
    /// Also print the report as one JSON line (the last line of stdout).
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// PutItem only.
    Put,
    /// GetItem only.
    Get,
    /// Query of one partition only.
    Query,
    /// 50% GetItem, 40% PutItem, 10% Query.
    Mix,
    /// GetRecords of 1,000 records of the stream's oldest shard (needs `--stream`).
    Records,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Put => "put",
            Workload::Get => "get",
            Workload::Query => "query",
            Workload::Mix => "mix",
            Workload::Records => "records",
        }
    }

    fn ops(self) -> &'static [Op] {
        match self {
            Workload::Put => &[Op::Put],
            Workload::Get => &[Op::Get],
            Workload::Query => &[Op::Query],
            Workload::Mix => &[Op::Get, Op::Put, Op::Query],
            Workload::Records => &[Op::Records],
        }
    }

    fn pick(self, rng: &mut fastrand::Rng) -> Op {
        match self {
            Workload::Put => Op::Put,
            Workload::Get => Op::Get,
            Workload::Query => Op::Query,
            Workload::Records => Op::Records,
            Workload::Mix => match rng.u32(0..10) {
                0..5 => Op::Get,
                5..9 => Op::Put,
                _ => Op::Query,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Get = 0,
    Put = 1,
    Query = 2,
    Records = 3,
}

/// The kinds of operation a run measures.
const OPS: [Op; 4] = [Op::Get, Op::Put, Op::Query, Op::Records];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::Put => "put",
            Op::Query => "query",
            Op::Records => "records",
        }
    }

    /// The whole `X-Amz-Target`.
    fn target(self) -> &'static str {
        match self {
            Op::Get => "DynamoDB_20120810.GetItem",
            Op::Put => "DynamoDB_20120810.PutItem",
            Op::Query => "DynamoDB_20120810.Query",
            Op::Records => "DynamoDBStreams_20120810.GetRecords",
        }
    }
}

/// Builds the request bodies of the keyspace.
struct Keyspace {
    /// The table name as a JSON string literal.
    table: String,
    items: u64,
    per_partition: u64,
    item_size: usize,
    /// The shard iterator every GetRecords of the `records` workload reads from (set once
    /// the keyspace is written).
    shard_iterator: OnceLock<String>,
}

impl Keyspace {
    fn partitions(&self) -> u64 {
        self.items.div_ceil(self.per_partition)
    }

    fn key(&self, i: u64) -> String {
        format!(
            r#""pk":{{"S":"p{:08}"}},"sk":{{"S":"s{:05}"}}"#,
            i / self.per_partition,
            i % self.per_partition
        )
    }

    /// An item of about `item_size` bytes: its key, a `category` (one of 16 strings) and
    /// an `amount` (a number with two decimals) for aggregates over exports, and a payload.
    fn item(&self, i: u64, rng: &mut fastrand::Rng) -> String {
        let payload: String = (0..self.item_size).map(|_| rng.alphanumeric()).collect();
        format!(
            r#"{{{},"category":{{"S":"c{:02}"}},"amount":{{"N":"{}.{:02}"}},"payload":{{"S":"{payload}"}}}}"#,
            self.key(i),
            i % 16,
            i % 1000,
            i % 100
        )
    }

    fn body(&self, op: Op, rng: &mut fastrand::Rng) -> String {
        let table = &self.table;
        match op {
            Op::Get => format!(
                r#"{{"TableName":{table},"Key":{{{}}}}}"#,
                self.key(rng.u64(0..self.items))
            ),
            Op::Put => format!(
                r#"{{"TableName":{table},"Item":{}}}"#,
                self.item(rng.u64(0..self.items), rng)
            ),
            Op::Query => format!(
                r#"{{"TableName":{table},"KeyConditionExpression":"pk = :pk","ExpressionAttributeValues":{{":pk":{{"S":"p{:08}"}}}}}}"#,
                rng.u64(0..self.partitions())
            ),
            Op::Records => serde_json::json!({
                "ShardIterator": self.shard_iterator.get(),
                "Limit": 1000,
            })
            .to_string(),
        }
    }

    /// A BatchWriteItem of items `range`.
    fn batch(&self, range: std::ops::Range<u64>, rng: &mut fastrand::Rng) -> String {
        let puts: Vec<String> = range
            .map(|i| format!(r#"{{"PutRequest":{{"Item":{}}}}}"#, self.item(i, rng)))
            .collect();
        format!(
            r#"{{"RequestItems":{{{}:[{}]}}}}"#,
            self.table,
            puts.join(",")
        )
    }
}

/// Everything a task needs to send DynamoDB requests.
struct Client {
    endpoint: Endpoint,
    signer: Signer,
}

impl Client {
    /// A request with the whole `X-Amz-Target` `target`.
    fn request(&self, target: &str, body: Bytes) -> http::Request<http_body_util::Full<Bytes>> {
        self.signer.post(
            &self.endpoint,
            CONTENT_TYPE,
            &[("x-amz-target", target)],
            body,
        )
    }

    /// One DynamoDB request during setup; any transport failure is an error.
    async fn call(
        &self,
        conn: &mut Connection,
        operation: &str,
        body: String,
    ) -> anyhow::Result<(u16, serde_json::Value, String)> {
        self.call_target(conn, &format!("DynamoDB_20120810.{operation}"), body)
            .await
    }

    /// One DynamoDB Streams request during setup.
    async fn call_streams(
        &self,
        conn: &mut Connection,
        operation: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let target = format!("DynamoDBStreams_20120810.{operation}");
        let (status, json, text) = self.call_target(conn, &target, body.to_string()).await?;
        anyhow::ensure!(status == 200, "{operation}: HTTP {status}: {text}");
        Ok(json)
    }

    async fn call_target(
        &self,
        conn: &mut Connection,
        target: &str,
        body: String,
    ) -> anyhow::Result<(u16, serde_json::Value, String)> {
        let (status, bytes) = conn
            .send(self.request(target, Bytes::from(body)))
            .await
            .with_context(|| format!("{target} to {}", self.endpoint.authority))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Ok((status.as_u16(), json, text))
    }
}

pub async fn main(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(args.items > 0, "--items must be at least 1");
    anyhow::ensure!(
        args.items_per_partition > 0,
        "--items-per-partition must be at least 1"
    );
    let client = Arc::new(Client {
        endpoint: Endpoint::parse(&args.endpoint).await?,
        signer: Signer::new(&args.access_key, &args.secret_key, &args.region, "dynamodb"),
    });
    let keyspace = Arc::new(Keyspace {
        table: serde_json::to_string(&args.table)?,
        items: args.items,
        per_partition: args.items_per_partition,
        item_size: args.item_size,
        shard_iterator: OnceLock::new(),
    });
    anyhow::ensure!(
        args.workload != Workload::Records || args.stream.is_some(),
        "the records workload reads the table's stream: pass --stream"
    );
    let label = args.label.clone().unwrap_or_else(|| args.endpoint.clone());

    ensure_table(&client, &args.table).await?;
    if args.pitr {
        let mut conn = Connection::open(&client.endpoint).await?;
        let body = serde_json::json!({
            "TableName": args.table,
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
        });
        let (status, _, text) = client
            .call(&mut conn, "UpdateContinuousBackups", body.to_string())
            .await?;
        anyhow::ensure!(
            status == 200,
            "UpdateContinuousBackups: HTTP {status}: {text}"
        );
    }
    if let Some(view) = &args.stream {
        enable_stream(&client, &args.table, view).await?;
    }
    if args.workload != Workload::Put && !args.skip_populate {
        let started = Instant::now();
        populate(&client, &keyspace, args.concurrency.min(16)).await?;
        eprintln!(
            "{label}: wrote {} items to {} in {:.2} s",
            args.items,
            args.table,
            started.elapsed().as_secs_f64()
        );
    }

    if args.workload == Workload::Records {
        let iterator = oldest_shard_iterator(&client, &args.table).await?;
        keyspace.shard_iterator.get_or_init(|| iterator);
    }
    let report = run(&args, label, client, keyspace).await?;
    report.print_text();
    if args.json {
        println!("{}", report.json());
    }
    Ok(())
}

/// Enables the table's stream with view type `view`, unless one is enabled.
async fn enable_stream(client: &Client, table: &str, view: &str) -> anyhow::Result<()> {
    let mut conn = Connection::open(&client.endpoint).await?;
    let body = serde_json::json!({
        "TableName": table,
        "StreamSpecification": {"StreamEnabled": true, "StreamViewType": view},
    });
    let (status, _, text) = client
        .call(&mut conn, "UpdateTable", body.to_string())
        .await?;
    anyhow::ensure!(
        status == 200 || text.contains("already has an enabled stream"),
        "UpdateTable (stream): HTTP {status}: {text}"
    );
    Ok(())
}

/// A TRIM_HORIZON iterator on the oldest shard of the table's newest stream.
async fn oldest_shard_iterator(client: &Client, table: &str) -> anyhow::Result<String> {
    let mut conn = Connection::open(&client.endpoint).await?;
    let streams = client
        .call_streams(
            &mut conn,
            "ListStreams",
            serde_json::json!({"TableName": table}),
        )
        .await?;
    let arn = streams["Streams"]
        .as_array()
        .and_then(|s| s.last())
        .and_then(|s| s["StreamArn"].as_str())
        .context("the table has no stream")?
        .to_owned();
    let described = client
        .call_streams(
            &mut conn,
            "DescribeStream",
            serde_json::json!({"StreamArn": arn}),
        )
        .await?;
    let shard = described["StreamDescription"]["Shards"][0]["ShardId"]
        .as_str()
        .context("the stream has no shard")?
        .to_owned();
    let iterator = client
        .call_streams(
            &mut conn,
            "GetShardIterator",
            serde_json::json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
        )
        .await?;
    iterator["ShardIterator"]
        .as_str()
        .map(str::to_owned)
        .context("no ShardIterator")
}

/// Creates the table unless it exists, and waits until it is ACTIVE.
async fn ensure_table(client: &Client, table: &str) -> anyhow::Result<()> {
    let mut conn = Connection::open(&client.endpoint).await?;
    let describe = serde_json::json!({ "TableName": table }).to_string();
    let (status, _, text) = client
        .call(&mut conn, "DescribeTable", describe.clone())
        .await?;
    if status != 200 {
        if !text.contains("ResourceNotFoundException") {
            bail!("DescribeTable {table}: HTTP {status}: {text}");
        }
        let create = serde_json::json!({
            "TableName": table,
            "AttributeDefinitions": [
                { "AttributeName": "pk", "AttributeType": "S" },
                { "AttributeName": "sk", "AttributeType": "S" },
            ],
            "KeySchema": [
                { "AttributeName": "pk", "KeyType": "HASH" },
                { "AttributeName": "sk", "KeyType": "RANGE" },
            ],
            "BillingMode": "PAY_PER_REQUEST",
        });
        let (status, _, text) = client
            .call(&mut conn, "CreateTable", create.to_string())
            .await?;
        // Someone else creating it at the same time is fine.
        if status != 200 && !text.contains("ResourceInUseException") {
            bail!("CreateTable {table}: HTTP {status}: {text}");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, json, text) = client
            .call(&mut conn, "DescribeTable", describe.clone())
            .await?;
        if status != 200 {
            bail!("DescribeTable {table}: HTTP {status}: {text}");
        }
        match json["Table"]["TableStatus"].as_str() {
            Some("ACTIVE") => return Ok(()),
            Some(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            _ => bail!("table {table} is not ACTIVE: {text}"),
        }
    }
}

/// Writes the whole keyspace with BatchWriteItem from `workers` connections,
/// resending unprocessed items.
async fn populate(
    client: &Arc<Client>,
    keyspace: &Arc<Keyspace>,
    workers: usize,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(0));
    let batches = keyspace.items.div_ceil(BATCH);
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (client, keyspace, next) = (client.clone(), keyspace.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(0xba7c4 + worker as u64);
            let mut conn = Connection::open(&client.endpoint).await?;
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= batches {
                    return Ok::<_, anyhow::Error>(());
                }
                let range = b * BATCH..((b + 1) * BATCH).min(keyspace.items);
                let mut body = keyspace.batch(range, &mut rng);
                let mut backoff = Duration::from_millis(10);
                for attempt in 0.. {
                    let (status, json, text) =
                        client.call(&mut conn, "BatchWriteItem", body).await?;
                    if status != 200 {
                        bail!("BatchWriteItem: HTTP {status}: {text}");
                    }
                    let unprocessed = &json["UnprocessedItems"];
                    if unprocessed
                        .as_object()
                        .is_none_or(serde_json::Map::is_empty)
                    {
                        break;
                    }
                    if attempt == 20 {
                        bail!("BatchWriteItem: items still unprocessed after 20 retries: {text}");
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    body = serde_json::json!({ "RequestItems": unprocessed }).to_string();
                }
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// What one task measured.
struct TaskResult {
    latency: [report::Histogram; 4],
    errors: [u64; 4],
    get_misses: u64,
    reconnects: u64,
}

async fn run(
    args: &Args,
    label: String,
    client: Arc<Client>,
    keyspace: Arc<Keyspace>,
) -> anyhow::Result<Report> {
    // All connections are open before the clock starts.
    let mut connections = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        connections.push(Connection::open(&client.endpoint).await?);
    }
    let first_error = Arc::new(OnceLock::<FirstError>::new());
    let workload = args.workload;
    let server_pid = args.server_pid.map(|p| p.to_string());
    let server_before = server_pid.as_deref().map(report::process_cpu).transpose()?;
    let client_before = report::process_cpu("self")?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for (n, mut conn) in connections.into_iter().enumerate() {
        let (client, keyspace, first_error) =
            (client.clone(), keyspace.clone(), first_error.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(0x5eed_0000 + n as u64);
            let mut result = TaskResult {
                latency: OPS.map(|_| report::histogram()),
                errors: [0; 4],
                get_misses: 0,
                reconnects: 0,
            };
            while Instant::now() < deadline {
                let op = workload.pick(&mut rng);
                let body = Bytes::from(keyspace.body(op, &mut rng));
                let request = client.request(op.target(), body.clone());
                let t = Instant::now();
                let outcome = conn.send(request).await;
                let elapsed = t.elapsed();
                let failure = match outcome {
                    Ok((status, response)) if status == 200 => {
                        result.latency[op as usize]
                            .record(elapsed.as_micros() as u64)
                            .ok();
                        if op == Op::Get && !contains(&response, b"\"Item\"") {
                            result.get_misses += 1;
                        }
                        None
                    }
                    Ok((status, response)) => Some((
                        Some(status.as_u16()),
                        String::from_utf8_lossy(&response).into_owned(),
                    )),
                    Err(e) => Some((None, format!("{e:#}"))),
                };
                if let Some((status, response)) = failure {
                    result.errors[op as usize] += 1;
                    if first_error.get().is_none() {
                        let _ = first_error.set(FirstError {
                            op: op.target(),
                            status,
                            request: String::from_utf8_lossy(&body).into_owned(),
                            response,
                        });
                    }
                    if status.is_none() {
                        // The connection is gone; don't spin if the server is.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            result.reconnects = conn.reconnects;
            result
        }));
    }
    let mut per_op: Vec<OpStats> = OPS
        .into_iter()
        .map(|op| OpStats {
            name: op.name(),
            latency: report::histogram(),
            errors: 0,
        })
        .collect();
    let (mut get_misses, mut reconnects) = (0, 0);
    for task in tasks {
        let result = task.await?;
        for (i, stats) in per_op.iter_mut().enumerate() {
            stats.latency.add(&result.latency[i]).ok();
            stats.errors += result.errors[i];
        }
        get_misses += result.get_misses;
        reconnects += result.reconnects;
    }
    let elapsed = started.elapsed();
    let client_cpu = report::process_cpu("self")? - client_before;
    let server_cpu = match (&server_pid, server_before) {
        (Some(pid), Some(before)) => Some(report::process_cpu(pid)? - before),
        _ => None,
    };
    per_op.retain(|s| workload.ops().iter().any(|op| op.name() == s.name));
    Ok(Report {
        label,
        workload: workload.name(),
        endpoint: args.endpoint.clone(),
        table: args.table.clone(),
        concurrency: args.concurrency,
        item_size: args.item_size,
        items: args.items,
        elapsed,
        per_op,
        get_misses,
        reconnects,
        client_cpu,
        server_cpu,
        first_error: first_error.get().cloned(),
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
