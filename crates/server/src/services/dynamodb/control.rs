//! Control-plane operations: tables, tags, TTL, limits, endpoints and resource-based
//! policies. Each decodes its input with DynamoDB's checks, authorizes, and calls the
//! engine.

use serde_json::{Map, Value, json};
use strata_dynamodb::schema::{
    BillingMode, Creating, IndexKind, KeyAttribute, KeySchema, Projection, ProjectionType,
    ProvisionedThroughput, ResourcePolicy, ScalarType, SseSpecification, StreamSpecification,
    TimeToLive,
};
use strata_dynamodb::tables::{
    CreateTable, MAX_GLOBAL_INDEXES, MAX_LOCAL_INDEXES, NewIndex, UpdateTable,
};
use strata_dynamodb::{DynamoDbError, Table};
use strata_policy::{PolicyDocument, PolicyKind, ResourcePolicyKind};

use super::describe::{restore_summary, table_description};
use super::wire::{Input, check_name};
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{
    Conditions, TableRef, authorize_found, authorize_resource, authorize_table, require,
    require_visible, resolve,
};

type Out = Result<Value, DynamoDbError>;

fn invalid(detail: impl std::fmt::Display) -> DynamoDbError {
    DynamoDbError::Validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// `AttributeDefinitions`.
fn attribute_definitions(input: &mut Input) -> Result<Vec<KeyAttribute>, DynamoDbError> {
    let Some(list) = input.array("AttributeDefinitions")?.cloned() else {
        input.violation(super::wire::null_violation("attributeDefinitions"));
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let Value::Object(o) = v else {
            return Err(super::wire::wrong_type(v, "AttributeDefinition"));
        };
        let el = Input::from_map(o.clone());
        let name = el.str("AttributeName")?.map(str::to_owned);
        let ty = el.str("AttributeType")?.map(str::to_owned);
        if name.is_none() {
            input.violation(format!(
                "Value null at 'attributeDefinitions.{}.member.attributeName' failed to satisfy constraint: Member must not be null",
                i + 1
            ));
        }
        match ty.as_deref() {
            None => input.violation(format!(
                "Value null at 'attributeDefinitions.{}.member.attributeType' failed to satisfy constraint: Member must not be null",
                i + 1
            )),
            Some(t) if ScalarType::parse(t).is_none() => input.violation(format!(
                "Value '{t}' at 'attributeDefinitions.{}.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
                i + 1
            )),
            _ => {}
        }
        if let (Some(name), Some(t)) = (name, ty.as_deref().and_then(ScalarType::parse)) {
            out.push(KeyAttribute {
                name,
                attribute_type: t,
            });
        }
    }
    Ok(out)
}

/// A `KeySchema` member (table's or an index's), checked against the definitions.
fn key_schema(
    input: &mut Input,
    member: &str,
) -> Result<Option<Vec<(String, String)>>, DynamoDbError> {
    let Some(list) = input.array("KeySchema")?.cloned() else {
        input.violation(super::wire::null_violation(member));
        return Ok(None);
    };
    if list.is_empty() || list.len() > 2 {
        input.violation(format!(
            "Value '[]' at '{member}' failed to satisfy constraint: Member must have length {}",
            if list.is_empty() {
                "greater than or equal to 1"
            } else {
                "less than or equal to 2"
            }
        ));
        return Ok(None);
    }
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let Value::Object(o) = v else {
            return Err(super::wire::wrong_type(v, "KeySchemaElement"));
        };
        let el = Input::from_map(o.clone());
        let name = el.str("AttributeName")?.map(str::to_owned);
        let ty = el.str("KeyType")?.map(str::to_owned);
        if name.is_none() {
            input.violation(format!(
                "Value null at '{member}.{}.member.attributeName' failed to satisfy constraint: Member must not be null",
                i + 1
            ));
        }
        match ty.as_deref() {
            None => input.violation(format!(
                "Value null at '{member}.{}.member.keyType' failed to satisfy constraint: Member must not be null",
                i + 1
            )),
            Some(t) if t != "HASH" && t != "RANGE" => input.violation(format!(
                "Value '{t}' at '{member}.{}.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
                i + 1
            )),
            _ => {}
        }
        if let (Some(n), Some(t)) = (name, ty) {
            out.push((n, t));
        }
    }
    Ok(Some(out))
}

/// Turns checked `(name, HASH|RANGE)` pairs into a [`KeySchema`] with DynamoDB's rules.
fn build_key_schema(
    elements: &[(String, String)],
    definitions: &[KeyAttribute],
) -> Result<KeySchema, DynamoDbError> {
    let find = |name: &str| definitions.iter().find(|d| d.name == name).cloned();
    let missing: Vec<&str> = elements
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| find(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            missing.join(", "),
            definitions
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if elements[0].1 != "HASH" {
        return Err(invalid(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    let sort = match elements.get(1) {
        None => None,
        Some((name, ty)) => {
            if name == &elements[0].0 {
                return Err(invalid(
                    "Both the Hash Key and the Range Key element in the KeySchema have the same name",
                ));
            }
            if ty != "RANGE" {
                return Err(invalid(
                    "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
                ));
            }
            find(name)
        }
    };
    Ok(KeySchema {
        partition: find(&elements[0].0).expect("checked above"),
        sort,
    })
}

fn provisioned(
    input: &mut Input,
    member: &str,
) -> Result<Option<ProvisionedThroughput>, DynamoDbError> {
    let Some(pt) = input.child("ProvisionedThroughput")? else {
        return Ok(None);
    };
    let r = pt.int("ReadCapacityUnits")?;
    let w = pt.int("WriteCapacityUnits")?;
    for (name, v) in [("readCapacityUnits", r), ("writeCapacityUnits", w)] {
        match v {
            None => input.violation(format!(
                "Value null at '{member}.{name}' failed to satisfy constraint: Member must not be null"
            )),
            Some(v) if v < 1 => input.violation(format!(
                "Value '{v}' at '{member}.{name}' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )),
            _ => {}
        }
    }
    Ok(match (r, w) {
        (Some(r), Some(w)) if r >= 1 && w >= 1 => Some(ProvisionedThroughput {
            read_capacity_units: r as u64,
            write_capacity_units: w as u64,
        }),
        _ => None,
    })
}

fn projection(index: &Input, index_name: &str) -> Result<Projection, DynamoDbError> {
    let Some(p) = index.child("Projection")? else {
        return Err(invalid(format!(
            "Projection is required for index: {index_name}"
        )));
    };
    let ty = match p.str("ProjectionType")? {
        None | Some("ALL") => ProjectionType::All,
        Some("KEYS_ONLY") => ProjectionType::KeysOnly,
        Some("INCLUDE") => ProjectionType::Include,
        Some(other) => {
            return Err(DynamoDbError::Validation(format!(
                "1 validation error detected: Value '{other}' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"
            )));
        }
    };
    let non_key: Vec<String> = p
        .array("NonKeyAttributes")?
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if ty != ProjectionType::Include && !non_key.is_empty() {
        return Err(invalid(format!(
            "ProjectionType is {}, but NonKeyAttributes is specified",
            ty.name()
        )));
    }
    if ty == ProjectionType::Include && non_key.is_empty() {
        return Err(invalid(
            "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
        ));
    }
    Ok(Projection {
        projection_type: ty,
        non_key_attributes: non_key,
    })
}

/// One index of `GlobalSecondaryIndexes`/`LocalSecondaryIndexes` or a GSI `Create`.
fn new_index(
    value: &Value,
    kind: IndexKind,
    definitions: &[KeyAttribute],
    billing: BillingMode,
) -> Result<NewIndex, DynamoDbError> {
    let Value::Object(o) = value else {
        return Err(super::wire::wrong_type(value, "Index"));
    };
    let mut index = Input::from_map(o.clone());
    let name = index.required_str("IndexName")?;
    if let Some(n) = &name {
        check_name(&mut index, "IndexName", n, 3);
    }
    let elements = key_schema(&mut index, "keySchema")?;
    let pt = provisioned(&mut index, "provisionedThroughput")?;
    index.finish()?;
    let name = name.expect("required member checked by finish");
    let schema = build_key_schema(
        &elements.expect("required member checked by finish"),
        definitions,
    )?;
    let projection = projection(&index, &name)?;
    if kind == IndexKind::Global {
        if billing == BillingMode::Provisioned && pt.is_none() {
            return Err(invalid(format!(
                "ProvisionedThroughput is not specified for index: {name}"
            )));
        }
        if billing == BillingMode::PayPerRequest && pt.is_some() {
            return Err(invalid(format!(
                "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
            )));
        }
    }
    Ok(NewIndex {
        name,
        kind,
        key_schema: schema,
        projection,
        provisioned_throughput: pt,
    })
}

fn billing_mode(input: &mut Input) -> Result<Option<BillingMode>, DynamoDbError> {
    Ok(
        match input
            .enum_str("BillingMode", &["PROVISIONED", "PAY_PER_REQUEST"])?
            .as_deref()
        {
            Some("PAY_PER_REQUEST") => Some(BillingMode::PayPerRequest),
            Some("PROVISIONED") => Some(BillingMode::Provisioned),
            _ => None,
        },
    )
}

fn sse(input: &Input) -> Result<Option<SseSpecification>, DynamoDbError> {
    Ok(match input.child("SSESpecification")? {
        None => None,
        Some(s) => Some(SseSpecification {
            enabled: s.bool("Enabled")?.unwrap_or(false),
            sse_type: s.str("SSEType")?.map(str::to_owned),
            kms_master_key_id: s.str("KMSMasterKeyId")?.map(str::to_owned),
        }),
    })
}

fn stream(input: &Input) -> Result<Option<StreamSpecification>, DynamoDbError> {
    Ok(match input.child("StreamSpecification")? {
        None => None,
        Some(s) => {
            let enabled = s.bool("StreamEnabled")?.unwrap_or(false);
            let view = s.str("StreamViewType")?.map(str::to_owned);
            if enabled && view.is_none() {
                return Err(invalid(
                    "StreamViewType is required when StreamEnabled is true",
                ));
            }
            Some(StreamSpecification {
                stream_enabled: enabled,
                stream_view_type: view,
            })
        }
    })
}

fn tags(input: &Input) -> Result<Vec<(String, String)>, DynamoDbError> {
    let mut out = Vec::new();
    for (n, v) in (1..).zip(input.array("Tags")?.cloned().unwrap_or_default()) {
        let Value::Object(o) = &v else {
            return Err(super::wire::wrong_type(&v, "Tag"));
        };
        let t = Input::from_map(o.clone());
        let key = t.str("Key")?.unwrap_or_default().to_owned();
        let value = t.str("Value")?.unwrap_or_default().to_owned();
        if key.is_empty() {
            return Err(DynamoDbError::Validation(format!(
                "1 validation error detected: {}",
                super::wire::null_violation(&format!("tags.{n}.member.key"))
            )));
        }
        out.push((key, value));
    }
    Ok(out)
}

pub async fn create_table(app: &App, caller: &Caller, input: Input) -> Out {
    let mut scope = None;
    let create = table_to_create(input, |name| {
        let table = resolve(caller, name)?;
        authorize_table(
            app,
            caller,
            "CreateTable",
            &table,
            None,
            Conditions::default(),
        )?;
        scope = Some(table);
        Ok(())
    })?;
    let table = scope.expect("authorized before the table was built");
    let created = app.dynamodb.create_table(table.scope(), create).await?;
    Ok(json!({"TableDescription": table_description(&created, "CREATING")}))
}

/// CreateTable's input (also ImportTable's `TableCreationParameters`), checked in
/// DynamoDB's order: the shape, then `authorize` with the table name, then the schema.
pub(crate) fn table_to_create(
    mut input: Input,
    authorize: impl FnOnce(&str) -> Result<(), DynamoDbError>,
) -> Result<CreateTable, DynamoDbError> {
    let definitions = attribute_definitions(&mut input)?;
    let name = input.table_name("TableName")?;
    let elements = key_schema(&mut input, "keySchema")?;
    let billing = billing_mode(&mut input)?;
    let pt = provisioned(&mut input, "provisionedThroughput")?;
    input.finish()?;
    let name = name.expect("checked by finish");
    authorize(&name)?;
    let schema = build_key_schema(&elements.expect("checked by finish"), &definitions)?;
    let billing = billing.unwrap_or(BillingMode::Provisioned);
    match billing {
        BillingMode::Provisioned if pt.is_none() => {
            return Err(invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ));
        }
        BillingMode::PayPerRequest if pt.is_some() => {
            return Err(invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ));
        }
        _ => {}
    }
    let mut indexes = Vec::new();
    let locals = input
        .array("LocalSecondaryIndexes")?
        .cloned()
        .unwrap_or_default();
    let globals = input
        .array("GlobalSecondaryIndexes")?
        .cloned()
        .unwrap_or_default();
    if input.has("LocalSecondaryIndexes") && locals.is_empty() {
        return Err(invalid("List of LocalSecondaryIndexes is empty"));
    }
    if input.has("GlobalSecondaryIndexes") && globals.is_empty() {
        return Err(invalid("List of GlobalSecondaryIndexes is empty"));
    }
    if locals.len() > MAX_LOCAL_INDEXES {
        return Err(invalid(
            "Number of LocalSecondaryIndexes exceeds per-table limit of 5",
        ));
    }
    if globals.len() > MAX_GLOBAL_INDEXES {
        return Err(DynamoDbError::LimitExceeded(format!(
            "Subscriber limit exceeded: The number of global secondary indexes for the table exceeds the limit of {MAX_GLOBAL_INDEXES}"
        )));
    }
    for v in &locals {
        let index = new_index(v, IndexKind::Local, &definitions, billing)?;
        if schema.sort.is_none() {
            return Err(invalid(
                "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
            ));
        }
        if index.key_schema.partition.name != schema.partition.name {
            return Err(invalid(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {}. index hash key: {}, table hash key: {}",
                index.name, index.key_schema.partition.name, schema.partition.name
            )));
        }
        if index.key_schema.sort.is_none() {
            return Err(invalid(format!(
                "Index KeySchema does not have a range key for index: {}",
                index.name
            )));
        }
        indexes.push(index);
    }
    for v in &globals {
        indexes.push(new_index(v, IndexKind::Global, &definitions, billing)?);
    }
    for (i, index) in indexes.iter().enumerate() {
        if indexes[..i].iter().any(|o| o.name == index.name) {
            return Err(invalid(format!("Duplicate index name: {}", index.name)));
        }
    }
    let used = |n: &str| {
        schema.is_key_attribute(n) || indexes.iter().any(|i| i.key_schema.is_key_attribute(n))
    };
    if definitions.iter().any(|d| !used(&d.name)) {
        return Err(invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    let table_class = input.enum_str("TableClass", &["STANDARD", "STANDARD_INFREQUENT_ACCESS"])?;
    input.finish()?;
    Ok(CreateTable {
        name: name.rsplit('/').next().unwrap_or(&name).to_owned(),
        key_schema: schema,
        attribute_definitions: definitions,
        indexes,
        billing_mode: billing,
        provisioned_throughput: pt,
        sse: sse(&input)?,
        stream: stream(&input)?,
        table_class,
        tags: tags(&input)?,
        deletion_protection: input.bool("DeletionProtectionEnabled")?.unwrap_or(false),
        table_id: None,
    })
}

/// Resolves and authorizes the `TableName` member of a control-plane request.
fn named_table(
    app: &App,
    caller: &Caller,
    input: &mut Input,
    operation: &str,
) -> Result<(TableRef, Table), DynamoDbError> {
    let name = input.table_name("TableName")?;
    input.finish()?;
    let table = resolve(caller, &name.expect("checked by finish"))?;
    let found = authorize_table(app, caller, operation, &table, None, Conditions::default())?;
    Ok((table, require_visible(found)?))
}

pub fn describe_table(app: &App, caller: &Caller, mut input: Input) -> Out {
    let (_, table) = named_table(app, caller, &mut input, "DescribeTable")?;
    let status = match table.def.creating {
        Some(_) => "CREATING",
        None => "ACTIVE",
    };
    let mut description = table_description(&table, status);
    // While a restore fills it, and only then, the table says where it comes from.
    if let Some(Creating::Restore {
        source_table_arn,
        restore_micros,
    }) = &table.def.creating
    {
        description["RestoreSummary"] = restore_summary(source_table_arn, *restore_micros);
    }
    Ok(json!({ "Table": description }))
}

pub fn list_tables(app: &App, caller: &Caller, mut input: Input) -> Out {
    let start = input.str("ExclusiveStartTableName")?.map(str::to_owned);
    if let Some(s) = &start {
        check_name(&mut input, "ExclusiveStartTableName", s, 3);
    }
    let limit = input.int("Limit")?;
    if let Some(l) = limit
        && !(1..=100).contains(&l)
    {
        input.violation(format!(
            "Value '{l}' at 'limit' failed to satisfy constraint: Member must have value {} 100",
            if l < 1 {
                "greater than or equal to 1"
            } else {
                "less than or equal to"
            }
        ));
    }
    input.finish()?;
    let scope = TableRef {
        account: caller.principal.account().as_str().to_owned(),
        region: caller.region.clone(),
        name: String::new(),
    };
    authorize_resource(app, caller, "ListTables", "*")?;
    let (names, last) = app.dynamodb.list_tables(
        scope.scope(),
        start.as_deref(),
        limit.unwrap_or(100) as usize,
    );
    let mut out = Map::new();
    out.insert("TableNames".into(), json!(names));
    if let Some(last) = last {
        out.insert("LastEvaluatedTableName".into(), last.into());
    }
    Ok(Value::Object(out))
}

pub async fn update_table(app: &App, caller: &Caller, mut input: Input) -> Out {
    let name = input.table_name("TableName")?;
    let billing = billing_mode(&mut input)?;
    let pt = provisioned(&mut input, "provisionedThroughput")?;
    input.finish()?;
    let table_ref = resolve(caller, &name.expect("checked by finish"))?;
    let found = authorize_table(
        app,
        caller,
        "UpdateTable",
        &table_ref,
        None,
        Conditions::default(),
    )?;
    let table = require(found)?;
    let definitions = if input.has("AttributeDefinitions") {
        attribute_definitions(&mut input)?
    } else {
        Vec::new()
    };
    let effective_billing = billing.unwrap_or(table.def.billing_mode);
    let mut update = UpdateTable {
        attribute_definitions: definitions.clone(),
        billing_mode: billing,
        provisioned_throughput: pt,
        deletion_protection: input.bool("DeletionProtectionEnabled")?,
        sse: sse(&input)?,
        stream: stream(&input)?,
        table_class: input.enum_str("TableClass", &["STANDARD", "STANDARD_INFREQUENT_ACCESS"])?,
        ..Default::default()
    };
    input.finish()?;
    if billing == Some(BillingMode::Provisioned)
        && table.def.billing_mode == BillingMode::PayPerRequest
        && pt.is_none()
    {
        return Err(invalid(
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
        ));
    }
    let mut all_definitions = table.def.attribute_definitions.clone();
    for d in &definitions {
        if !all_definitions.iter().any(|a| a.name == d.name) {
            all_definitions.push(d.clone());
        }
    }
    for v in input
        .array("GlobalSecondaryIndexUpdates")?
        .cloned()
        .unwrap_or_default()
    {
        let Value::Object(o) = &v else {
            return Err(super::wire::wrong_type(&v, "GlobalSecondaryIndexUpdate"));
        };
        let u = Input::from_map(o.clone());
        if let Some(create) = u.raw("Create") {
            update.create_indexes.push(new_index(
                create,
                IndexKind::Global,
                &all_definitions,
                effective_billing,
            )?);
        }
        if let Some(delete) = u.child("Delete")? {
            let name = delete.str("IndexName")?.unwrap_or_default().to_owned();
            update.delete_indexes.push(name);
        }
        if let Some(mut change) = u.child("Update")? {
            let name = change.str("IndexName")?.unwrap_or_default().to_owned();
            if let Some(pt) = provisioned(&mut change, "provisionedThroughput")? {
                update.update_indexes.push((name, pt));
            }
            change.finish()?;
        }
    }
    let updated = app
        .dynamodb
        .update_table(table_ref.scope(), &table_ref.name, update)
        .await?;
    Ok(json!({"TableDescription": table_description(&updated, "UPDATING")}))
}

pub async fn delete_table(app: &App, caller: &Caller, mut input: Input) -> Out {
    let (table_ref, _) = named_table(app, caller, &mut input, "DeleteTable")?;
    let deleted = app
        .dynamodb
        .delete_table(table_ref.scope(), &table_ref.name)
        .await?;
    Ok(json!({"TableDescription": table_description(&deleted, "DELETING")}))
}

/// Resolves and authorizes a `ResourceArn` member (tags, resource policies).
fn by_arn(
    app: &App,
    caller: &Caller,
    input: &mut Input,
    operation: &str,
) -> Result<Table, DynamoDbError> {
    let arn = input.required_str("ResourceArn")?;
    input.finish()?;
    let arn = arn.expect("checked by finish");
    let table_ref = resolve(caller, &arn).map_err(|_| {
        DynamoDbError::Validation(format!(
            "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
        ))
    })?;
    if !arn.starts_with("arn:") {
        return Err(DynamoDbError::Validation(format!(
            "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
        )));
    }
    let found = app.dynamodb.table_by_arn(&arn).ok();
    authorize_found(
        app,
        caller,
        operation,
        &table_ref,
        found.as_ref(),
        None,
        Conditions::default(),
    )?;
    app.dynamodb.table_by_arn(&arn)
}

pub async fn tag_resource(app: &App, caller: &Caller, mut input: Input) -> Out {
    let table = by_arn(app, caller, &mut input, "TagResource")?;
    let tags = tags(&input)?;
    if tags.is_empty() {
        return Err(DynamoDbError::Validation(
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null".to_owned(),
        ));
    }
    app.dynamodb.tag_resource(&table, tags).await?;
    Ok(json!({}))
}

pub async fn untag_resource(app: &App, caller: &Caller, mut input: Input) -> Out {
    let table = by_arn(app, caller, &mut input, "UntagResource")?;
    let keys: Vec<String> = match input.array("TagKeys")? {
        Some(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        None => {
            return Err(DynamoDbError::Validation(
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null".to_owned(),
            ));
        }
    };
    app.dynamodb.untag_resource(&table, keys).await?;
    Ok(json!({}))
}

pub fn list_tags_of_resource(app: &App, caller: &Caller, mut input: Input) -> Out {
    let table = by_arn(app, caller, &mut input, "ListTagsOfResource")?;
    let tags: Vec<Value> = table
        .def
        .tags
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect();
    Ok(json!({"Tags": tags}))
}

pub async fn update_time_to_live(app: &App, caller: &Caller, mut input: Input) -> Out {
    let name = input.table_name("TableName")?;
    let spec = input.child("TimeToLiveSpecification")?;
    if spec.is_none() {
        input.violation(super::wire::null_violation("timeToLiveSpecification"));
    }
    let (attr, enabled) = match &spec {
        Some(s) => (
            s.str("AttributeName")?.map(str::to_owned),
            s.bool("Enabled")?,
        ),
        None => (None, None),
    };
    if spec.is_some() && attr.is_none() {
        input.violation(super::wire::null_violation(
            "timeToLiveSpecification.attributeName",
        ));
    }
    if spec.is_some() && enabled.is_none() {
        input.violation(super::wire::null_violation(
            "timeToLiveSpecification.enabled",
        ));
    }
    input.finish()?;
    let table_ref = resolve(caller, &name.expect("checked by finish"))?;
    let found = authorize_table(
        app,
        caller,
        "UpdateTimeToLive",
        &table_ref,
        None,
        Conditions::default(),
    )?;
    require(found)?;
    let spec = TimeToLive {
        attribute_name: attr.expect("checked by finish"),
        enabled: enabled.expect("checked by finish"),
    };
    let spec = app
        .dynamodb
        .update_time_to_live(table_ref.scope(), &table_ref.name, spec)
        .await?;
    Ok(
        json!({"TimeToLiveSpecification": {"AttributeName": spec.attribute_name, "Enabled": spec.enabled}}),
    )
}

pub fn describe_time_to_live(app: &App, caller: &Caller, mut input: Input) -> Out {
    let (_, table) = named_table(app, caller, &mut input, "DescribeTimeToLive")?;
    Ok(match table.def.ttl.as_ref().filter(|t| t.enabled) {
        Some(ttl) => {
            json!({"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": ttl.attribute_name}})
        }
        None => json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}),
    })
}

pub fn describe_limits(app: &App, caller: &Caller) -> Out {
    authorize_resource(app, caller, "DescribeLimits", "*")?;
    Ok(json!({
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000
    }))
}

pub fn describe_endpoints(caller: &Caller) -> Out {
    Ok(json!({"Endpoints": [{
        "Address": format!("dynamodb.{}.amazonaws.com", caller.region),
        "CachePeriodInMinutes": 1440
    }]}))
}

fn policy_not_found(arn: &str) -> DynamoDbError {
    DynamoDbError::PolicyNotFound(format!(
        "Resource-based policy not found for the provided ResourceArn: {arn}"
    ))
}

pub async fn put_resource_policy(app: &App, caller: &Caller, mut input: Input) -> Out {
    let policy = input.required_str("Policy")?;
    let table = by_arn(app, caller, &mut input, "PutResourcePolicy")?;
    let policy = policy.expect("checked by finish");
    let kind = PolicyKind::Resource(ResourcePolicyKind::DynamoDbTable);
    let mut document = PolicyDocument::parse(&policy, kind).map_err(|e| {
        DynamoDbError::Validation(format!("Invalid policy document: {}", e.message))
    })?;
    let mut bindings = Vec::new();
    document
        .bind_principals(kind, |arn| {
            let id = app.iam.unique_id_of(arn)?;
            bindings.push((arn.to_owned(), id.clone()));
            Some(id)
        })
        .map_err(|e| {
            DynamoDbError::Validation(format!("Invalid policy document: {}", e.message))
        })?;
    let expected = input.str("ExpectedRevisionId")?.map(str::to_owned);
    let current = table
        .def
        .resource_policy
        .as_ref()
        .map(|p| p.revision_id.clone());
    if let Some(expected) = &expected
        && current.as_deref() != Some(expected.as_str())
    {
        return Err(DynamoDbError::PolicyNotFound(format!(
            "A policy with the given revision ID {expected} does not exist for the provided ResourceArn: {}",
            table.def.arn()
        )));
    }
    let revision = app.clock.now().as_microsecond().to_string();
    let stored = ResourcePolicy {
        document: policy,
        revision_id: revision.clone(),
        bindings,
    };
    app.dynamodb
        .set_resource_policy(&table, Some(stored))
        .await?;
    Ok(json!({"RevisionId": revision}))
}

pub fn get_resource_policy(app: &App, caller: &Caller, mut input: Input) -> Out {
    let table = by_arn(app, caller, &mut input, "GetResourcePolicy")?;
    match &table.def.resource_policy {
        Some(p) => Ok(json!({"Policy": p.document, "RevisionId": p.revision_id})),
        None => Err(policy_not_found(&table.def.arn())),
    }
}

pub async fn delete_resource_policy(app: &App, caller: &Caller, mut input: Input) -> Out {
    let table = by_arn(app, caller, &mut input, "DeleteResourcePolicy")?;
    let Some(current) = table.def.resource_policy.clone() else {
        return Err(policy_not_found(&table.def.arn()));
    };
    app.dynamodb.set_resource_policy(&table, None).await?;
    Ok(json!({"RevisionId": current.revision_id}))
}
