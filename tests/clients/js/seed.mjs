// The README's seed with the AWS SDK for JavaScript v3 against a running strata: a table with
// PITR in the source account, an exporter user, a bucket with a bucket policy in the destination
// account, the export FAILED without S3BucketOwner and COMPLETED with it, its files read back,
// the import into the destination account, and a cross-account AssumeRole.
//
// Environment: the source account as `strata credentials source` prints it (AWS_ENDPOINT_URL,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION) and the destination account's keys as
// DESTINATION_AWS_ACCESS_KEY_ID and DESTINATION_AWS_SECRET_ACCESS_KEY. NODE_EXTRA_CA_CERTS for
// an https endpoint. SEED_SUFFIX (optional) names the table `orders-SUFFIX`, the bucket
// `js-seed-SUFFIX` and the imported table `orders-copy-SUFFIX`.
//
// Prints `ok   STEP: value` or `FAIL STEP: error` per step and `N passed, M failed`; exits 1 on
// any failure.
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeExportCommand,
  DescribeImportCommand,
  DynamoDBClient,
  ExportTableToPointInTimeCommand,
  ImportTableCommand,
  ListTablesCommand,
  UpdateContinuousBackupsCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`seed.mjs: ${name} is not set (see the comment at the top of seed.mjs)`);
    process.exit(2);
  }
  return value;
}

const endpoint = required("AWS_ENDPOINT_URL");
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
const source = { accessKeyId: required("AWS_ACCESS_KEY_ID"), secretAccessKey: required("AWS_SECRET_ACCESS_KEY") };
const destination = {
  accessKeyId: required("DESTINATION_AWS_ACCESS_KEY_ID"),
  secretAccessKey: required("DESTINATION_AWS_SECRET_ACCESS_KEY"),
};
const suffix = process.env.SEED_SUFFIX || randomBytes(3).toString("hex");
const table = `orders-${suffix}`;
const bucket = `js-seed-${suffix}`;
const copy = `orders-copy-${suffix}`;
const user = `exporter-${suffix}`;
const role = `reader-${suffix}`;

// Explicit credentials, so a session token or profile in the environment plays no part.
// forcePathStyle: `BUCKET.127.0.0.1` is no host name (virtual-hosted works with `localhost`).
const config = (credentials) => ({ endpoint, region, credentials, maxAttempts: 1 });
const ddb = new DynamoDBClient(config(source));
const doc = DynamoDBDocumentClient.from(ddb);
const iam = new IAMClient(config(source));
const sts = new STSClient(config(source));
const ddbDst = new DynamoDBClient(config(destination));
const iamDst = new IAMClient(config(destination));
const s3Dst = new S3Client({ ...config(destination), forcePathStyle: true });

const results = [];
async function step(name, fn) {
  try {
    const value = await fn();
    const shown = value === undefined ? "" : ": " + (typeof value === "string" ? value : JSON.stringify(value));
    console.log(`ok   ${name}${shown}`);
    results.push(true);
    return value;
  } catch (e) {
    const status = e.$metadata?.httpStatusCode;
    console.log(`FAIL ${name}: ${e.name}: ${e.message}${status ? ` (HTTP ${status})` : ""}`);
    results.push(false);
    return undefined;
  }
}

function expect(ok, message) {
  if (!ok) throw new Error(message);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(describe, status, what) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const d = await describe();
    if (d[status] !== "IN_PROGRESS") return d;
    expect(Date.now() < deadline, `${what} still IN_PROGRESS after 120 s`);
    await sleep(500);
  }
}

const sourceArn = await step("GetCallerIdentity (source)", async () =>
  (await sts.send(new GetCallerIdentityCommand({}))).Arn);
const destinationArn = await step("GetCallerIdentity (destination)", async () =>
  (await new STSClient(config(destination)).send(new GetCallerIdentityCommand({}))).Arn);
const sourceAccount = sourceArn?.split(":")[4];
const destinationAccount = destinationArn?.split(":")[4];
const tableArn = `arn:aws:dynamodb:${region}:${sourceAccount}:table/${table}`;

// A table with point-in-time recovery, and items through the DocumentClient.
await step(`CreateTable ${table}`, async () => {
  const r = await ddb.send(new CreateTableCommand({
    TableName: table,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  }));
  return r.TableDescription.TableStatus;
});
await step("waitUntilTableExists", async () =>
  (await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: table })).state);
await step("ListTables shows it", async () => {
  expect((await ddb.send(new ListTablesCommand({}))).TableNames.includes(table), `${table} not listed`);
});
await step("UpdateContinuousBackups (PITR on)", async () => {
  const r = await ddb.send(new UpdateContinuousBackupsCommand({
    TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  }));
  return r.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus;
});
await step("DescribeContinuousBackups", async () => {
  const r = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: table }));
  const status = r.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus;
  expect(status === "ENABLED", `PITR ${status}`);
  return status;
});
await step("Put (map, list, string set, number, binary)", async () => {
  await doc.send(new PutCommand({
    TableName: table,
    Item: { pk: "order-1", sk: 1, total: 42, tags: new Set(["a", "b"]), lines: [{ sku: "x", qty: 2 }], blob: new Uint8Array([1, 2, 3]) },
  }));
});
await step("BatchWrite 25 items", async () => {
  const puts = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: "order-2", sk: i, total: i * 1.5 } } }));
  const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: puts } }));
  expect(Object.keys(r.UnprocessedItems ?? {}).length === 0, "unprocessed items");
});
await step("Get (ConsistentRead)", async () => {
  const it = (await doc.send(new GetCommand({ TableName: table, Key: { pk: "order-1", sk: 1 }, ConsistentRead: true }))).Item;
  expect(it && it.total === 42 && it.tags instanceof Set && it.lines[0].qty === 2 && it.blob[2] === 3, `item ${JSON.stringify(it)}`);
  return { total: it.total, tags: [...it.tags] };
});
await step("Update (SET and ADD, ReturnValues ALL_NEW)", async () => {
  const r = await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: "order-1", sk: 1 },
    UpdateExpression: "SET #t = #t + :d ADD tags :s",
    ExpressionAttributeNames: { "#t": "total" }, ExpressionAttributeValues: { ":d": 1, ":s": new Set(["c"]) },
    ReturnValues: "ALL_NEW",
  }));
  expect(r.Attributes.total === 43 && r.Attributes.tags.size === 3, `attributes ${JSON.stringify(r.Attributes)}`);
  return r.Attributes.total;
});
await step("Query BETWEEN, paged by Limit 2", async () => {
  let items = 0, pages = 0, key;
  do {
    const r = await doc.send(new QueryCommand({
      TableName: table, KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
      ExpressionAttributeValues: { ":p": "order-2", ":a": 5, ":b": 9 }, Limit: 2, ExclusiveStartKey: key,
    }));
    items += r.Items.length; key = r.LastEvaluatedKey; pages++;
  } while (key);
  expect(items === 5, `${items} items`);
  return { items, pages };
});
const count = await step("Scan COUNT", async () => {
  const n = (await doc.send(new ScanCommand({ TableName: table, Select: "COUNT" }))).Count;
  expect(n === 26, `${n} items`);
  return n;
});

// The exporter: a user of the source account allowed to export the table and write the bucket.
let exporter;
await step(`IAM CreateUser ${user}, PutUserPolicy, CreateAccessKey`, async () => {
  await iam.send(new CreateUserCommand({ UserName: user }));
  await iam.send(new PutUserPolicyCommand({
    UserName: user, PolicyName: "export", PolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["dynamodb:ExportTableToPointInTime", "dynamodb:DescribeExport"], Resource: [tableArn, `${tableArn}/export/*`] },
        { Effect: "Allow", Action: ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"], Resource: `arn:aws:s3:::${bucket}/*` },
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${destinationAccount}:role/${role}` },
      ],
    }),
  }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
  exporter = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey, arn: `arn:aws:iam::${sourceAccount}:user/${user}` };
  return exporter.arn;
});

// The bucket in the destination account, its policy naming the exporter.
await step(`CreateBucket ${bucket} (destination)`, async () => (await s3Dst.send(new CreateBucketCommand({ Bucket: bucket }))).Location);
await step("PutBucketPolicy naming the exporter", async () => {
  await s3Dst.send(new PutBucketPolicyCommand({
    Bucket: bucket, Policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow", Principal: { AWS: exporter.arn },
        Action: ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"], Resource: `arn:aws:s3:::${bucket}/*`,
      }],
    }),
  }));
});
await step("PutObject (the SDK's default CRC32 checksum), HeadBucket", async () => {
  const r = await s3Dst.send(new PutObjectCommand({ Bucket: bucket, Key: "hello.txt", Body: "hello from js" }));
  await s3Dst.send(new HeadBucketCommand({ Bucket: bucket }));
  expect(r.ETag, "no ETag");
  return { ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 };
});

// The export, as the exporter: FAILED without S3BucketOwner, COMPLETED with it.
const ddbExporter = new DynamoDBClient(config(exporter ?? source));
async function exportTable(prefix, owner) {
  const r = await ddbExporter.send(new ExportTableToPointInTimeCommand({
    TableArn: tableArn, S3Bucket: bucket, S3Prefix: prefix, ExportFormat: "DYNAMODB_JSON",
    ...(owner ? { S3BucketOwner: owner } : {}),
  }));
  return until(
    async () => (await ddbExporter.send(new DescribeExportCommand({ ExportArn: r.ExportDescription.ExportArn }))).ExportDescription,
    "ExportStatus", "export",
  );
}
await step("Export without S3BucketOwner: FAILED S3AccessDenied", async () => {
  const d = await exportTable("without-owner", undefined);
  expect(d.ExportStatus === "FAILED" && d.FailureCode === "S3AccessDenied", `${d.ExportStatus} ${d.FailureCode}`);
  return `${d.ExportStatus} ${d.FailureCode}`;
});
const exported = await step("Export with S3BucketOwner: COMPLETED", async () => {
  const d = await exportTable("seed", destinationAccount);
  expect(d.ExportStatus === "COMPLETED", `${d.ExportStatus} ${d.FailureCode} ${d.FailureMessage}`);
  expect(d.ItemCount === count, `ItemCount ${d.ItemCount}, table has ${count}`);
  return { ExportStatus: d.ExportStatus, ItemCount: d.ItemCount, ExportManifest: d.ExportManifest };
});

// The files, read by the bucket's account.
const exportDir = exported?.ExportManifest.replace(/\/manifest-summary\.json$/, "");
await step("ListObjectsV2 of the export, paged by MaxKeys 2", async () => {
  const keys = [];
  let token;
  do {
    const r = await s3Dst.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${exportDir}/`, ContinuationToken: token, MaxKeys: 2 }));
    keys.push(...(r.Contents ?? []).map((o) => o.Key.slice(exportDir.length + 1)));
    token = r.NextContinuationToken;
  } while (token);
  for (const name of ["_started", "manifest-summary.json", "manifest-files.json"]) expect(keys.includes(name), `no ${name} in ${keys}`);
  return keys;
});
await step("GetObject manifests and data files: every item there", async () => {
  const text = async (key) => (await s3Dst.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body.transformToString();
  const summary = JSON.parse(await text(exported.ExportManifest));
  const files = (await text(summary.manifestFilesS3Key)).trim().split("\n").map((l) => JSON.parse(l));
  const items = [];
  for (const f of files) {
    const body = await (await s3Dst.send(new GetObjectCommand({ Bucket: bucket, Key: f.dataFileS3Key }))).Body.transformToByteArray();
    const lines = gunzipSync(body).toString().split("\n").filter(Boolean);
    expect(lines.length === f.itemCount, `${f.dataFileS3Key}: ${lines.length} lines, manifest says ${f.itemCount}`);
    items.push(...lines.map((l) => JSON.parse(l).Item));
  }
  expect(items.length === count && summary.itemCount === count, `${items.length} items, summary ${summary.itemCount}, table ${count}`);
  const first = items.find((i) => i.pk.S === "order-1");
  expect(first?.total.N === "43", `order-1 ${JSON.stringify(first)}`);
  return { itemCount: summary.itemCount, dataFiles: files.length };
});

// Import it as a new table in the bucket's account.
await step(`ImportTable ${copy} (destination): COMPLETED`, async () => {
  const r = await ddbDst.send(new ImportTableCommand({
    S3BucketSource: { S3Bucket: bucket, S3KeyPrefix: `${exportDir}/data/` },
    InputFormat: "DYNAMODB_JSON", InputCompressionType: "GZIP",
    TableCreationParameters: {
      TableName: copy, BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    },
  }));
  const d = await until(
    async () => (await ddbDst.send(new DescribeImportCommand({ ImportArn: r.ImportTableDescription.ImportArn }))).ImportTableDescription,
    "ImportStatus", "import",
  );
  expect(d.ImportStatus === "COMPLETED", `${d.ImportStatus} ${d.FailureCode} ${d.FailureMessage}`);
  expect(d.ImportedItemCount === count, `ImportedItemCount ${d.ImportedItemCount}`);
  return { ImportStatus: d.ImportStatus, ImportedItemCount: d.ImportedItemCount };
});
await step(`Get from ${copy} (destination)`, async () => {
  const it = (await DynamoDBDocumentClient.from(ddbDst).send(new GetCommand({ TableName: copy, Key: { pk: "order-1", sk: 1 } }))).Item;
  expect(it && it.total === 43 && it.tags.size === 3 && it.blob[2] === 3, `item ${JSON.stringify(it)}`);
  return { total: it.total };
});

// A role of the destination account the exporter may assume; the root user may not.
await step("AssumeRole across accounts, GetCallerIdentity as the role", async () => {
  await iamDst.send(new CreateRoleCommand({
    RoleName: role, AssumeRolePolicyDocument: JSON.stringify({
      Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: exporter.arn }, Action: "sts:AssumeRole" }],
    }),
  }));
  const roleArn = `arn:aws:iam::${destinationAccount}:role/${role}`;
  const c = (await new STSClient(config(exporter)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "js", DurationSeconds: 900 }))).Credentials;
  const session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  const arn = (await new STSClient(config(session)).send(new GetCallerIdentityCommand({}))).Arn;
  expect(arn === `arn:aws:sts::${destinationAccount}:assumed-role/${role}/js`, arn);
  return arn;
});
await step("AssumeRole as the source root: refused, as on AWS", async () => {
  try {
    await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${destinationAccount}:role/${role}`, RoleSessionName: "js" }));
  } catch (e) {
    expect(e.name === "AccessDenied", `${e.name}: ${e.message}`);
    return e.name;
  }
  throw new Error("accepted");
});

const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
