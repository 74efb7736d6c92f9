//! `TableDescription` and its parts as DescribeTable, CreateTable, UpdateTable and
//! DeleteTable return them.

use serde_json::{Map, Value, json};
use strata_dynamodb::Table;
use strata_dynamodb::schema::{
    BillingMode, IndexDefinition, IndexKind, IndexStatus, KeySchema, Projection,
};

/// Seconds since the epoch as DynamoDB's JSON timestamps (a number with a fraction).
pub fn epoch_seconds(micros: i64) -> Value {
    json!(micros as f64 / 1e6)
}

/// `yyyy-MM-ddTHH:mm:ssZ`, as time errors print instants.
pub fn iso_seconds(micros: i64) -> String {
    jiff::Timestamp::from_second(micros.div_euclid(1_000_000))
        .map(|t| t.to_string())
        .unwrap_or_default()
}

pub fn key_schema(schema: &KeySchema) -> Value {
    let mut out = vec![json!({"AttributeName": schema.partition.name, "KeyType": "HASH"})];
    if let Some(sort) = &schema.sort {
        out.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
    }
    Value::Array(out)
}

fn projection(p: &Projection) -> Value {
    let mut o = Map::new();
    o.insert("ProjectionType".into(), p.projection_type.name().into());
    if !p.non_key_attributes.is_empty() {
        o.insert("NonKeyAttributes".into(), json!(p.non_key_attributes));
    }
    Value::Object(o)
}

fn throughput(read: u64, write: u64) -> Value {
    json!({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": read, "WriteCapacityUnits": write})
}

fn index(table: &Table, index: &IndexDefinition, arn: &str) -> Value {
    let mut o = Map::new();
    o.insert("IndexName".into(), index.name.clone().into());
    o.insert("KeySchema".into(), key_schema(&index.key_schema));
    o.insert("Projection".into(), projection(&index.projection));
    if index.kind == IndexKind::Global {
        let status = match index.status {
            IndexStatus::Creating => "CREATING",
            IndexStatus::Active => "ACTIVE",
        };
        o.insert("IndexStatus".into(), status.into());
        if index.status == IndexStatus::Creating {
            o.insert("Backfilling".into(), true.into());
        }
        let (r, w) = index
            .provisioned_throughput
            .map(|p| (p.read_capacity_units, p.write_capacity_units))
            .unwrap_or((0, 0));
        o.insert("ProvisionedThroughput".into(), throughput(r, w));
        if table.def.billing_mode == BillingMode::PayPerRequest {
            o.insert(
                "OnDemandThroughput".into(),
                json!({"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}),
            );
        }
    }
    // AWS refreshes these about every six hours; strata keeps them exact.
    let (count, bytes) = table.index_stats(index.id);
    o.insert("IndexSizeBytes".into(), bytes.into());
    o.insert("ItemCount".into(), count.into());
    o.insert(
        "IndexArn".into(),
        format!("{arn}/index/{}", index.name).into(),
    );
    Value::Object(o)
}

/// `RestoreSummary`: where a table being restored comes from, while the restore runs.
pub fn restore_summary(source_table_arn: &str, restore_micros: i64) -> Value {
    json!({
        "SourceTableArn": source_table_arn,
        "RestoreDateTime": epoch_seconds(restore_micros),
        "RestoreInProgress": true,
    })
}

/// `TableDescription` with `status` (`ACTIVE`, `CREATING`, `DELETING`, `UPDATING`).
pub fn table_description(table: &Table, status: &str) -> Value {
    let def = &table.def;
    let arn = def.arn();
    let mut o = Map::new();
    o.insert(
        "AttributeDefinitions".into(),
        Value::Array(
            def.attribute_definitions
                .iter()
                .map(|a| json!({"AttributeName": a.name, "AttributeType": a.attribute_type.name()}))
                .collect(),
        ),
    );
    o.insert("TableName".into(), def.name.clone().into());
    o.insert("KeySchema".into(), key_schema(&def.key_schema));
    o.insert("TableStatus".into(), status.into());
    o.insert(
        "CreationDateTime".into(),
        epoch_seconds(def.creation_micros),
    );
    let (r, w) = def
        .provisioned_throughput
        .map(|p| (p.read_capacity_units, p.write_capacity_units))
        .unwrap_or((0, 0));
    o.insert("ProvisionedThroughput".into(), throughput(r, w));
    o.insert("TableSizeBytes".into(), table.size_bytes().into());
    o.insert("ItemCount".into(), table.item_count().into());
    o.insert("TableArn".into(), arn.clone().into());
    o.insert("TableId".into(), def.table_id.clone().into());
    if def.billing_mode == BillingMode::PayPerRequest {
        let mut summary = Map::new();
        summary.insert("BillingMode".into(), "PAY_PER_REQUEST".into());
        let since = def
            .last_update_to_pay_per_request_micros
            .unwrap_or(def.creation_micros);
        summary.insert(
            "LastUpdateToPayPerRequestDateTime".into(),
            epoch_seconds(since),
        );
        o.insert("BillingModeSummary".into(), Value::Object(summary));
        o.insert(
            "OnDemandThroughput".into(),
            json!({"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}),
        );
    }
    let globals: Vec<Value> = def
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Global)
        .map(|i| index(table, i, &arn))
        .collect();
    let locals: Vec<Value> = def
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Local)
        .map(|i| index(table, i, &arn))
        .collect();
    if !locals.is_empty() {
        o.insert("LocalSecondaryIndexes".into(), Value::Array(locals));
    }
    if !globals.is_empty() {
        o.insert("GlobalSecondaryIndexes".into(), Value::Array(globals));
    }
    if let Some(stream) = &def.stream {
        let mut s = Map::new();
        s.insert("StreamEnabled".into(), stream.stream_enabled.into());
        if let Some(view) = &stream.stream_view_type {
            s.insert("StreamViewType".into(), view.clone().into());
        }
        o.insert("StreamSpecification".into(), Value::Object(s));
    }
    if let Some(label) = &def.stream_label {
        o.insert("LatestStreamLabel".into(), label.clone().into());
        o.insert(
            "LatestStreamArn".into(),
            format!("{arn}/stream/{label}").into(),
        );
    }
    if let Some(sse) = def.sse.as_ref().filter(|s| s.enabled) {
        let key = sse.kms_master_key_id.clone().unwrap_or_else(|| {
            format!(
                "arn:aws:kms:{}:{}:key/aws/dynamodb",
                def.region, def.account
            )
        });
        let key = if key.starts_with("arn:") {
            key
        } else {
            format!("arn:aws:kms:{}:{}:key/{key}", def.region, def.account)
        };
        o.insert(
            "SSEDescription".into(),
            json!({"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}),
        );
    }
    if let Some(class) = &def.table_class {
        o.insert("TableClassSummary".into(), json!({"TableClass": class}));
    }
    o.insert(
        "DeletionProtectionEnabled".into(),
        def.deletion_protection.into(),
    );
    Value::Object(o)
}
