//! `strata demo`: the seed, end to end, in one command. A server starts in this process on
//! a free port with a temporary store and two accounts; every step below is a real,
//! SigV4-signed HTTP request, narrated in plain language. The run stops with a non-zero
//! exit at the first step whose answer is not the one AWS would give.

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};
use strata_sigv4::Credentials;

use crate::caller::{Caller, xml_element, xml_elements};
use crate::cli::{DemoArgs, ServeArgs};
use crate::credentials::AccountCredentials;
use crate::http::Endpoint;

const SOURCE: &str = "111111111111";
const DESTINATION: &str = "222222222222";
const TABLE: &str = "orders";
const BUCKET: &str = "dest-bucket";
const USER: &str = "exporter";
const EXPORT_ACTIONS: [&str; 3] = ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"];

/// The demo's orders: (id, status, total, customer).
const ORDERS: [(&str, &str, &str, &str); 8] = [
    ("order-1", "paid", "42.50", "ana"),
    ("order-2", "shipped", "17", "ben"),
    ("order-3", "paid", "8.25", "ana"),
    ("order-4", "pending", "99.99", "chloe"),
    ("order-5", "shipped", "5", "dan"),
    ("order-6", "paid", "120", "ben"),
    ("order-7", "pending", "1.01", "ana"),
    ("order-8", "shipped", "64", "chloe"),
];

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let serve_args = ServeArgs {
        port: 0,
        host: "127.0.0.1".into(),
        data_dir: ".strata".into(),
        in_memory: true,
        config: None,
        admin_auth: false,
        tls_names: Vec::new(),
        tls_cert: None,
        tls_key: None,
        max_connections: strata_server::DEFAULT_MAX_CONNECTIONS,
        max_open_uploads: strata_s3::DEFAULT_MAX_OPEN_UPLOADS,
    };
    let (state, region) = runtime.block_on(crate::serve::open_state(&serve_args, None))?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let roots: Vec<AccountCredentials> = state
        .iam
        .root_accounts()?
        .iter()
        .map(AccountCredentials::from_root)
        .collect();
    runtime.spawn(strata_server::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let root = |account: &str| -> anyhow::Result<Caller> {
        let a = roots
            .iter()
            .find(|a| a.account_id == account)
            .context("the demo's accounts exist")?;
        caller(&endpoint, &region, &a.access_key_id, &a.secret_access_key)
    };
    let demo = Demo {
        source: root(SOURCE)?,
        destination: root(DESTINATION)?,
        endpoint: endpoint.clone(),
        region,
        pause: Duration::from_millis(args.pause_ms),
        kms: args.kms,
        steps: std::cell::Cell::new(0),
    };
    let started = Instant::now();
    let result = demo.run();
    runtime.shutdown_background();
    match result {
        Ok(()) => {
            println!(
                "\nDone in {:.1} s: every step answered as AWS does.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(e) => Err(e.context("the demo stopped: this step did not answer as AWS does")),
    }
}

fn caller(endpoint: &str, region: &str, key: &str, secret: &str) -> anyhow::Result<Caller> {
    Ok(Caller {
        endpoint: Endpoint::parse(endpoint)?,
        credentials: Credentials {
            access_key_id: key.to_owned(),
            secret_access_key: secret.to_owned(),
            session_token: None,
        },
        region: region.to_owned(),
    })
}

struct Demo {
    source: Caller,
    destination: Caller,
    endpoint: String,
    region: String,
    pause: Duration,
    /// The KMS variant.
    kms: bool,
    /// Steps told so far.
    steps: std::cell::Cell<u32>,
}

/// What the exporter needs of the bucket account's key: a data key for each file, and its
/// plaintext back for the data files' part upload (spec kms-sse §5.2).
const KEY_ACTIONS: [&str; 2] = ["kms:GenerateDataKey", "kms:Decrypt"];

impl Demo {
    fn step(&self, text: &str) {
        std::thread::sleep(self.pause);
        let number = self.steps.get() + 1;
        self.steps.set(number);
        println!("\n{number}. {text}");
    }

    fn run(&self) -> anyhow::Result<()> {
        println!(
            "strata demo — the seed, end to end, against a server on {}",
            self.endpoint
        );
        self.step(&format!(
            "Two AWS accounts on one server: {SOURCE} owns a DynamoDB table, \
                 {DESTINATION} owns the S3 bucket the table is exported to."
        ));
        for caller in [&self.source, &self.destination] {
            println!("   {}", caller.arn()?);
        }

        self.step(&format!(
            "In {SOURCE}: table `{TABLE}` with point-in-time recovery, and {} orders.",
            ORDERS.len()
        ));
        let table_arn = self.create_table()?;

        let key_arn = if self.kms {
            self.step(&format!(
                "In {DESTINATION}: a KMS key for the exports, with the default key policy: only \
                     {DESTINATION}'s own principals may use it."
            ));
            Some(self.create_key()?)
        } else {
            None
        };
        self.step(&format!(
            "In {SOURCE}: IAM user `{USER}` whose identity policy allows the export and the \
                 writes to the bucket ({}){}.",
            EXPORT_ACTIONS.join(", "),
            if self.kms {
                ", and the use of that key"
            } else {
                ""
            }
        ));
        let exporter = self.create_exporter(&table_arn, key_arn.as_deref())?;

        self.step(&format!(
                "In {DESTINATION}: bucket `{BUCKET}`, whose bucket policy lets {SOURCE}'s `{USER}` write \
                 into it. Across accounts both sides must allow: the identity policy and the bucket policy."
            ),
        );
        self.create_bucket()?;

        self.step(
            "The export WITHOUT S3BucketOwner: DynamoDB accepts it, then it fails — without an \
             owner, the export insists the bucket belongs to the table's own account.",
        );
        let failed = Self::export(&exporter, &table_arn, None, key_arn.as_deref())?;
        denied(&failed)?;
        crate::export::explain_denial(&exporter, &failed);

        if let Some(key_arn) = &key_arn {
            self.step(&format!(
                    "WITH S3BucketOwner={DESTINATION}, encrypted with {DESTINATION}'s key: it fails \
                     again. The key policy is mandatory, and across accounts it must name the exporter \
                     (or its account) as well as the exporter's own identity policy allowing the key."
                ),
            );
            let failed = Self::export(&exporter, &table_arn, Some(DESTINATION), Some(key_arn))?;
            denied(&failed)?;
            crate::export::explain_key_denial(&exporter, &failed);
            self.step(&format!(
                "In {DESTINATION}: the key policy gains a statement for {SOURCE}'s `{USER}`."
            ));
            self.allow_exporter(key_arn)?;
        }
        self.step(&format!(
            "The same export WITH S3BucketOwner={DESTINATION}: it completes."
        ));
        let done = Self::export(&exporter, &table_arn, Some(DESTINATION), key_arn.as_deref())?;
        ensure!(
            done["ExportStatus"] == "COMPLETED",
            "expected COMPLETED, got {done}"
        );
        ensure!(
            done["ItemCount"] == ORDERS.len(),
            "expected {} items exported, got {}",
            ORDERS.len(),
            done["ItemCount"]
        );
        let export_id = done["ExportArn"]
            .as_str()
            .and_then(|a| a.rsplit('/').next())
            .context("no ExportArn")?
            .to_owned();
        println!(
            "   COMPLETED: {} items, export id {export_id}",
            done["ItemCount"]
        );

        self.step(&format!(
            "The files in {DESTINATION}'s bucket (listed as the bucket owner):"
        ));
        let (status, listing) =
            self.destination
                .s3("GET", BUCKET, "", "list-type=2&prefix=AWSDynamoDB%2F", b"")?;
        ensure!(status == 200, "ListObjectsV2 answered {status}");
        let keys = xml_elements(&listing, "Key");
        for key in &keys {
            println!("   s3://{BUCKET}/{key}");
        }
        for name in ["manifest-summary.json", "manifest-files.json", "_started"] {
            ensure!(
                keys.iter()
                    .any(|k| k.ends_with(&format!("{export_id}/{name}"))),
                "{name} is missing from the bucket"
            );
        }
        ensure!(
            keys.iter().any(|k| k.ends_with(".json.gz")),
            "no data file in the bucket"
        );
        if let Some(key_arn) = &key_arn {
            let data = keys
                .iter()
                .find(|k| k.ends_with(".json.gz"))
                .context("no data file")?;
            let headers = self.destination.s3_head(BUCKET, data)?;
            let header = |name: &str| {
                headers
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str())
            };
            ensure!(
                header("x-amz-server-side-encryption") == Some("aws:kms")
                    && header("x-amz-server-side-encryption-aws-kms-key-id") == Some(key_arn),
                "the data file is not SSE-KMS under {key_arn}: {headers:?}"
            );
            println!("   each file is SSE-KMS under {key_arn}");
        }

        self.step(&format!("In {DESTINATION}: ImportTable from the export's data files into a new table `orders-copy`."),
        );
        self.import(&export_id)?;

        self.step("SQL over the export, as Athena runs it (`strata query`):");
        self.query(&export_id)
    }

    fn create_table(&self) -> anyhow::Result<String> {
        let ddb = |op: &str, body: Value| self.source.dynamodb(op, body);
        let table = ddb(
            "CreateTable",
            json!({"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
        )?;
        ddb(
            "UpdateContinuousBackups",
            json!({"TableName": TABLE,
                   "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
        )?;
        for (id, status, total, customer) in ORDERS {
            ddb(
                "PutItem",
                json!({"TableName": TABLE, "Item": {
                    "pk": {"S": id}, "status": {"S": status}, "total": {"N": total},
                    "customer": {"M": {"name": {"S": customer}, "tags": {"L": [{"S": "demo"}]}}}}}),
            )?;
        }
        let arn = table["TableDescription"]["TableArn"]
            .as_str()
            .context("CreateTable answered no TableArn")?
            .to_owned();
        println!("   {arn}: PITR on, {} items", ORDERS.len());
        Ok(arn)
    }

    /// A key in the bucket's account with the default key policy; its ARN.
    fn create_key(&self) -> anyhow::Result<String> {
        let key = self
            .destination
            .kms("CreateKey", json!({"Description": "strata demo exports"}))?;
        let arn = key["KeyMetadata"]["Arn"]
            .as_str()
            .context("CreateKey answered no Arn")?
            .to_owned();
        self.destination.kms(
            "CreateAlias",
            json!({"AliasName": "alias/exports", "TargetKeyId": arn}),
        )?;
        println!("   {arn} (alias/exports)");
        Ok(arn)
    }

    /// Adds the key-users statement for the exporter to the key policy (spec kms-sse §5.4).
    fn allow_exporter(&self, key_arn: &str) -> anyhow::Result<()> {
        let current = self
            .destination
            .kms("GetKeyPolicy", json!({"KeyId": key_arn}))?;
        let mut policy: Value = serde_json::from_str(
            current["Policy"]
                .as_str()
                .context("GetKeyPolicy answered no Policy")?,
        )?;
        let statement = json!({
            "Sid": "AllowExporter", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{SOURCE}:user/{USER}")},
            "Action": KEY_ACTIONS, "Resource": "*"});
        println!("   key policy statement: {statement}");
        policy["Statement"]
            .as_array_mut()
            .context("the key policy has no Statement list")?
            .push(statement);
        self.destination.kms(
            "PutKeyPolicy",
            json!({"KeyId": key_arn, "PolicyName": "default", "Policy": policy.to_string()}),
        )?;
        Ok(())
    }

    fn create_exporter(&self, table_arn: &str, key_arn: Option<&str>) -> anyhow::Result<Caller> {
        let iam = |action: &str, params: &[(&str, &str)]| {
            self.source
                .query_protocol("iam", "2010-05-08", action, params)
        };
        iam("CreateUser", &[("UserName", USER)])?;
        let mut policy = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow",
             "Action": ["dynamodb:ExportTableToPointInTime", "dynamodb:DescribeExport"],
             "Resource": [table_arn, format!("{table_arn}/export/*")]},
            {"Effect": "Allow", "Action": EXPORT_ACTIONS,
             "Resource": format!("arn:aws:s3:::{BUCKET}/*")}]});
        if let (Some(key_arn), Some(statements)) = (key_arn, policy["Statement"].as_array_mut()) {
            statements.push(json!({"Effect": "Allow", "Action": KEY_ACTIONS, "Resource": key_arn}));
        }
        iam(
            "PutUserPolicy",
            &[
                ("UserName", USER),
                ("PolicyName", "export"),
                ("PolicyDocument", &policy.to_string()),
            ],
        )?;
        println!("   identity policy: {policy}");
        let key = iam("CreateAccessKey", &[("UserName", USER)])?;
        let id = xml_element(&key, "AccessKeyId").context("no AccessKeyId")?;
        let secret = xml_element(&key, "SecretAccessKey").context("no SecretAccessKey")?;
        let exporter = caller(&self.endpoint, &self.region, &id, &secret)?;
        println!("   signed in as {}", exporter.arn()?);
        Ok(exporter)
    }

    fn create_bucket(&self) -> anyhow::Result<()> {
        let (status, body) = self.destination.s3("PUT", BUCKET, "", "", b"")?;
        ensure!(
            status == 200,
            "CreateBucket answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        let policy = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{SOURCE}:user/{USER}")},
            "Action": EXPORT_ACTIONS,
            "Resource": format!("arn:aws:s3:::{BUCKET}/*")}]});
        let (status, body) =
            self.destination
                .s3("PUT", BUCKET, "", "policy=", policy.to_string().as_bytes())?;
        ensure!(
            status == 204 || status == 200,
            "PutBucketPolicy answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        println!("   bucket policy: {policy}");
        Ok(())
    }

    /// Starts an export as `exporter` (encrypted with `key_arn` when given) and follows it to
    /// its end.
    fn export(
        exporter: &Caller,
        table_arn: &str,
        owner: Option<&str>,
        key_arn: Option<&str>,
    ) -> anyhow::Result<Value> {
        let mut request = json!({"TableArn": table_arn, "S3Bucket": BUCKET});
        if let Some(owner) = owner {
            request["S3BucketOwner"] = json!(owner);
        }
        if let Some(key_arn) = key_arn {
            request["S3SseAlgorithm"] = json!("KMS");
            request["S3SseKmsKeyId"] = json!(key_arn);
        }
        let started = exporter.dynamodb("ExportTableToPointInTime", request)?;
        let arn = started["ExportDescription"]["ExportArn"]
            .as_str()
            .context("no ExportArn")?
            .to_owned();
        println!(
            "   accepted: {} ({})",
            arn,
            started["ExportDescription"]["ExportStatus"]
                .as_str()
                .unwrap_or_default()
        );
        wait(|| {
            let d = exporter.dynamodb("DescribeExport", json!({"ExportArn": arn}))?;
            Ok((d["ExportDescription"]["ExportStatus"] != "IN_PROGRESS")
                .then(|| d["ExportDescription"].clone()))
        })
    }

    fn import(&self, export_id: &str) -> anyhow::Result<()> {
        let ddb = |op: &str, body: Value| self.destination.dynamodb(op, body);
        let started = ddb(
            "ImportTable",
            // A ClientToken, as every SDK sends one: AWS refuses an ImportTable without.
            json!({"ClientToken": format!("demo-import-{export_id}"),
                   "S3BucketSource": {"S3Bucket": BUCKET,
                                      "S3KeyPrefix": format!("AWSDynamoDB/{export_id}/data/")},
                   "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
                   "TableCreationParameters": {
                       "TableName": "orders-copy", "BillingMode": "PAY_PER_REQUEST",
                       "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}),
        )?;
        let arn = started["ImportTableDescription"]["ImportArn"]
            .as_str()
            .context("no ImportArn")?
            .to_owned();
        let done = wait(|| {
            let d = ddb("DescribeImport", json!({"ImportArn": arn}))?;
            Ok(
                (d["ImportTableDescription"]["ImportStatus"] != "IN_PROGRESS")
                    .then(|| d["ImportTableDescription"].clone()),
            )
        })?;
        ensure!(
            done["ImportStatus"] == "COMPLETED",
            "expected the import COMPLETED, got {done}"
        );
        let count = ddb(
            "Scan",
            json!({"TableName": "orders-copy", "Select": "COUNT"}),
        )?["Count"]
            .as_u64()
            .unwrap_or(0);
        ensure!(
            count == ORDERS.len() as u64,
            "orders-copy holds {count} items, expected {}",
            ORDERS.len()
        );
        println!(
            "   COMPLETED: {} items imported; `orders-copy` in {DESTINATION} holds {count} items",
            done["ImportedItemCount"]
        );
        Ok(())
    }

    fn query(&self, export_id: &str) -> anyhow::Result<()> {
        let source = format!("s3://{BUCKET}/AWSDynamoDB/{export_id}/");
        let sql = "SELECT Item.status.S AS status, COUNT(*) AS orders, \
                   SUM(CAST(Item.total.N AS DECIMAL(10,2))) AS total \
                   FROM items GROUP BY Item.status.S ORDER BY status";
        println!("   strata query {source} \"{sql}\"");
        let Some(companion) = crate::query::companion() else {
            println!(
                "   (skipped: the strata-query companion is not built — \
                 `cargo build --release -p strata-query` adds it)"
            );
            return Ok(());
        };
        let export = crate::export_source::open(&source, || {
            caller(
                &self.endpoint,
                &self.region,
                &self.destination.credentials.access_key_id,
                &self.destination.credentials.secret_access_key,
            )
        })?;
        let run = |output: &str| -> anyhow::Result<String> {
            let out = std::process::Command::new(&companion)
                .args(["--output", output, "--"])
                .arg(&export.dir)
                .arg(sql)
                .output()
                .with_context(|| format!("cannot run {}", companion.display()))?;
            if !out.status.success() {
                bail!(
                    "strata query failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        for line in run("table")?.lines() {
            println!("   {line}");
        }
        // The same numbers, checked against the orders written in step 2.
        let rows: Vec<Value> = run("json")?
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        for status in ["paid", "pending", "shipped"] {
            let expected: f64 = ORDERS
                .iter()
                .filter(|o| o.1 == status)
                .map(|o| o.2.parse::<f64>().unwrap_or(0.0))
                .sum();
            let row = rows
                .iter()
                .find(|r| r["status"] == status)
                .with_context(|| format!("no row for {status}"))?;
            let total: f64 = row["total"]
                .as_str()
                .map(str::parse)
                .transpose()?
                .or_else(|| row["total"].as_f64())
                .unwrap_or(f64::NAN);
            ensure!(
                (total - expected).abs() < 0.005,
                "{status}: SQL says {total}, the table held {expected}"
            );
        }
        Ok(())
    }
}

/// Checks that an export FAILED with `S3AccessDenied` and says so, before its explanation.
fn denied(failed: &Value) -> anyhow::Result<()> {
    ensure!(
        failed["ExportStatus"] == "FAILED" && failed["FailureCode"] == "S3AccessDenied",
        "expected FAILED with S3AccessDenied, got {failed}"
    );
    println!(
        "   FAILED: {}: {}",
        failed["FailureCode"].as_str().unwrap_or_default(),
        failed["FailureMessage"].as_str().unwrap_or_default()
    );
    println!("   Why, as `strata export` explains it:");
    Ok(())
}

/// Polls `check` every 100 ms for up to 30 s until it has an answer.
fn wait(mut check: impl FnMut() -> anyhow::Result<Option<Value>>) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(answer) = check()? {
            return Ok(answer);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("still IN_PROGRESS after 30 s")
}
