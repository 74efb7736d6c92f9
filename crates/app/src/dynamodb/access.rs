//! Which table a request names (a name in the caller's account and region, or a table
//! ARN, possibly in another account) and whether the caller may act on it: every
//! DynamoDB operation asks [`authorize_table`], which goes through the server's one
//! authorization entry point with the table's resource-based policy and DynamoDB's
//! condition keys.

use std::borrow::Cow;
use strata_dynamodb::schema::table_arn;
use strata_dynamodb::tables::parse_table_arn;
use strata_dynamodb::{DynamoDbError, Scope, Table};
use strata_dynamodb_item::{AttributeValue, Item};
use strata_policy::{PolicyDocument, PolicyKind, ResourcePolicyKind};

use super::error::Error;
use crate::App;
use crate::Caller;
use crate::authz::{Denied, ResourcePolicy, Target, authorize_target};
use strata_dynamodb::schema::ResourcePolicy as StoredPolicy;

/// A table as a request names it.
#[derive(Clone, Debug)]
pub struct TableRef {
    pub account: String,
    pub region: String,
    pub name: String,
}

impl TableRef {
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            account: &self.account,
            region: &self.region,
        }
    }

    pub fn arn(&self) -> String {
        table_arn(&self.region, &self.account, &self.name)
    }
}

/// Resolves a `TableName` member: a plain name is in the caller's account and region.
pub fn resolve(caller: &Caller, name: &str) -> Result<TableRef, Error> {
    if name.starts_with("arn:") {
        let (region, account, table) = parse_table_arn(name).ok_or_else(|| {
            Error::Validation(format!(
                "Invalid TableName: Invalid ARN provided as input {name}"
            ))
        })?;
        return Ok(TableRef {
            account: account.to_owned(),
            region: region.to_owned(),
            name: table.to_owned(),
        });
    }
    Ok(TableRef {
        account: caller.principal.account().as_str().to_owned(),
        region: caller.region.clone(),
        name: name.to_owned(),
    })
}

/// Condition keys of one request.
#[derive(Default)]
pub struct Conditions {
    pub leading_keys: Vec<String>,
    pub attributes: Vec<String>,
    pub select: Option<String>,
    pub return_values: Option<String>,
}

impl Conditions {
    /// `dynamodb:LeadingKeys` from the partition key value of `key`.
    pub fn leading_key(&mut self, table: Option<&Table>, key: &Item) {
        let Some(table) = table else { return };
        if let Some(value) = key.get(&table.def.key_schema.partition.name) {
            self.leading_value(value);
        }
    }

    /// Adds a partition key value to `dynamodb:LeadingKeys`, as text.
    pub fn leading_value(&mut self, value: &AttributeValue) {
        let text = match value {
            AttributeValue::S(s) => s.clone(),
            AttributeValue::N(n) => n.to_string(),
            AttributeValue::B(b) => String::from_utf8_lossy(b).into_owned(),
            _ => return,
        };
        if !self.leading_keys.contains(&text) {
            self.leading_keys.push(text);
        }
    }

    fn into_context(self) -> Vec<(Cow<'static, str>, Vec<String>)> {
        let mut out = Vec::new();
        if !self.leading_keys.is_empty() {
            out.push(("dynamodb:LeadingKeys".into(), self.leading_keys));
        }
        if !self.attributes.is_empty() {
            out.push(("dynamodb:Attributes".into(), self.attributes));
        }
        if let Some(s) = self.select {
            out.push(("dynamodb:Select".into(), vec![s]));
        }
        if let Some(r) = self.return_values {
            out.push(("dynamodb:ReturnValues".into(), vec![r]));
        }
        out
    }
}

/// Authorizes `dynamodb:<operation>` on the table (or `/index/NAME`) and returns the
/// table if it exists. Denials come before "not found", as on AWS.
pub fn authorize_table(
    app: &App,
    caller: &Caller,
    operation: &str,
    table: &TableRef,
    index: Option<&str>,
    conditions: Conditions,
) -> Result<Option<Table>, Error> {
    let found = app.dynamodb.table(table.scope(), &table.name).ok();
    authorize_found(
        app,
        caller,
        operation,
        table,
        found.as_ref(),
        index,
        conditions,
    )?;
    Ok(found)
}

/// Resolves the table a control-plane request names and authorizes `operation` on it:
/// its reference and the table if it exists (CREATING or not: [`require`] or
/// [`require_visible`] says which the operation sees).
pub fn named_table(
    app: &App,
    caller: &Caller,
    name: &str,
    operation: &str,
) -> Result<(TableRef, Option<Table>), Error> {
    let table = resolve(caller, name)?;
    let found = authorize_table(app, caller, operation, &table, None, Conditions::default())?;
    Ok((table, found))
}

/// [`authorize_table`] for a table already looked up.
pub fn authorize_found(
    app: &App,
    caller: &Caller,
    operation: &str,
    table: &TableRef,
    found: Option<&Table>,
    index: Option<&str>,
    conditions: Conditions,
) -> Result<(), Error> {
    let mut resource = table.arn();
    if let Some(index) = index {
        resource.push_str("/index/");
        resource.push_str(index);
    }
    let action = format!("dynamodb:{operation}");
    let policy = found
        .and_then(|t| t.def.resource_policy.as_ref())
        .map(stored_policy)
        .transpose()?;
    let label = policy
        .as_ref()
        .map(|_| format!("table {} resource policy", table.name));
    authorize_target(
        app,
        caller,
        Target {
            action: &action,
            resource: &resource,
            resource_account: &table.account,
            resource_policy: policy
                .as_ref()
                .zip(label.as_deref())
                .map(|(document, label)| ResourcePolicy {
                    label,
                    document,
                    required: false,
                }),
            context: conditions.into_context(),
            denial: Default::default(),
        },
    )
    .map_err(denied)
}

/// A stored resource-based policy (a table's or a stream's) with its principals bound to the
/// unique ids they had when it was saved.
pub(crate) fn stored_policy(p: &StoredPolicy) -> Result<PolicyDocument, Error> {
    let kind = PolicyKind::Resource(ResourcePolicyKind::DynamoDbTable);
    let corrupt =
        |e: strata_policy::PolicyError| Error::Internal(format!("stored policy: {}", e.message));
    let mut document = PolicyDocument::parse(&p.document, kind).map_err(corrupt)?;
    document
        .bind_principals(kind, |arn| {
            p.bindings
                .iter()
                .find(|(a, _)| a == arn)
                .map(|(_, id)| id.clone())
        })
        .map_err(corrupt)?;
    Ok(document)
}

/// A denial as DynamoDB's error.
pub(crate) fn denied(d: Denied) -> Error {
    match d {
        Denied::AccessDenied(m) => Error::AccessDenied(m),
        Denied::Internal(e) => Error::Internal(e.to_string()),
    }
}

/// An item operation's authorization on one table: looks the table up once, adds the
/// partition key of every item or key it touches (`dynamodb:LeadingKeys`), authorizes, and
/// returns the table.
pub fn authorize_items<'i>(
    app: &App,
    caller: &Caller,
    operation: &str,
    table: &TableRef,
    items_or_keys: impl IntoIterator<Item = &'i Item>,
    mut conditions: Conditions,
) -> Result<Table, Error> {
    let found = app.dynamodb.table(table.scope(), &table.name).ok();
    for item in items_or_keys {
        conditions.leading_key(found.as_ref(), item);
    }
    authorize_found(
        app,
        caller,
        operation,
        table,
        found.as_ref(),
        None,
        conditions,
    )?;
    require(found)
}

/// The table, or `ResourceNotFoundException` (after authorization passed). A table that a
/// restore or an import is still filling (CREATING) is not found either: only DescribeTable
/// and DeleteTable see it ([`require_visible`]; spec dynamodb-export-import §1.4, §6.4).
pub fn require(found: Option<Table>) -> Result<Table, Error> {
    require_visible(found.filter(|t| t.def.creating.is_none()))
}

/// The table, CREATING or not, or `ResourceNotFoundException`.
pub fn require_visible(found: Option<Table>) -> Result<Table, Error> {
    found.ok_or_else(|| DynamoDbError::table_not_found().into())
}

/// Authorizes `operation` on a resource of the caller's own account that is not a table or
/// an index (an export or import ARN, or `*`): identity policies only.
pub fn authorize_resource(
    app: &App,
    caller: &Caller,
    operation: &str,
    resource: &str,
) -> Result<(), Error> {
    crate::authz::authorize(
        app,
        caller,
        &format!("dynamodb:{operation}"),
        resource,
        caller.principal.account().as_str(),
        None,
    )
    .map_err(denied)
}
