//! DynamoDB's expression language: ConditionExpression, FilterExpression,
//! KeyConditionExpression, ProjectionExpression and UpdateExpression, parsed and checked
//! with AWS's `ValidationException` messages, then evaluated against items. The legacy
//! parameters (Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates,
//! AttributesToGet) build the same trees in [`legacy`].
//!
//! Pure: no I/O, no JSON, never panics on any input. The DynamoDB engine calls it after
//! parsing the request: it builds one [`ExpressionAttributes`] per request, parses each
//! expression with it, calls [`ExpressionAttributes::check_all_used`], then evaluates.
//! Turning [`ExpressionError`] into a `ValidationException` is the engine's job.

mod ast;
mod attributes;
mod check;
mod comparison_operator;
mod error;
mod evaluate;
mod key_condition;
pub mod legacy;
mod lexer;
mod parser;
mod path;
mod projection;
mod reserved;
mod stack;
mod update;
mod value;

pub use ast::Condition;
pub use attributes::ExpressionAttributes;
pub use comparison_operator::ComparisonOperator;
pub use error::{
    ATTRIBUTE_DOES_NOT_EXIST, ExpressionError, INCORRECT_OPERAND_TYPE, INVALID_DOCUMENT_PATH,
};
pub use key_condition::{KeyCondition, KeyConditionEntry, KeyConditions, SortKeyCondition};
pub use path::{Path, PathElement};
pub use projection::{Projection, project};
pub use update::Update;

use error::{EMPTY_EXPRESSION, EXPRESSION_TOO_LONG, ExpressionKind};

/// The longest expression DynamoDB accepts, in bytes.
pub const MAX_EXPRESSION_LENGTH: usize = 4096;

/// Which parameter a condition came from; it names the parameter in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionKind {
    /// ConditionExpression (PutItem, UpdateItem, DeleteItem, TransactWriteItems).
    Condition,
    /// FilterExpression (Query, Scan).
    Filter,
}

impl From<ConditionKind> for ExpressionKind {
    fn from(kind: ConditionKind) -> Self {
        match kind {
            ConditionKind::Condition => ExpressionKind::Condition,
            ConditionKind::Filter => ExpressionKind::Filter,
        }
    }
}

/// The checks every expression string gets before it is parsed.
fn check_text(text: &str, kind: ExpressionKind) -> Result<(), ExpressionError> {
    if text.len() > MAX_EXPRESSION_LENGTH {
        return Err(kind.error(format!("{EXPRESSION_TOO_LONG}{}", text.len())));
    }
    if text.is_empty() {
        return Err(kind.error(EMPTY_EXPRESSION));
    }
    Ok(())
}

fn parse_checked_condition(
    text: &str,
    kind: ExpressionKind,
    attributes: &mut ExpressionAttributes,
) -> Result<ast::Expr, ExpressionError> {
    check_text(text, kind)?;
    let parsed = parser::parse_condition(text).map_err(|e| kind.error(e.0))?;
    check::condition::check_condition(
        &parsed.condition,
        parsed.redundant_parens,
        kind != ExpressionKind::KeyCondition,
        attributes,
    )
    .map_err(|message| kind.error(message))
}

/// Parse a ConditionExpression or FilterExpression.
pub fn parse_condition(
    text: &str,
    kind: ConditionKind,
    attributes: &mut ExpressionAttributes,
) -> Result<Condition, ExpressionError> {
    parse_checked_condition(text, kind.into(), attributes).map(Condition)
}

/// Parse a KeyConditionExpression into its per-attribute conditions, before the key
/// schema is known; match them to the schema with [`KeyConditions::for_schema`].
pub fn parse_key_conditions(
    text: &str,
    attributes: &mut ExpressionAttributes,
) -> Result<KeyConditions, ExpressionError> {
    let expr = parse_checked_condition(text, ExpressionKind::KeyCondition, attributes)?;
    key_condition::from_expression(&expr)
}

/// Parse a ProjectionExpression.
pub fn parse_projection(
    text: &str,
    attributes: &mut ExpressionAttributes,
) -> Result<Projection, ExpressionError> {
    let kind = ExpressionKind::Projection;
    check_text(text, kind)?;
    let raw = parser::parse_projection(text).map_err(|e| kind.error(e.0))?;
    let paths = check::projection::check_projection(&raw, attributes)
        .map_err(|message| kind.error(message))?;
    Ok(Projection { paths })
}

/// Parse an UpdateExpression.
pub fn parse_update(
    text: &str,
    attributes: &mut ExpressionAttributes,
) -> Result<Update, ExpressionError> {
    let kind = ExpressionKind::Update;
    check_text(text, kind)?;
    let sections = parser::parse_update(text).map_err(|e| kind.error(e.0))?;
    let actions = check::update::check_update(&sections, attributes)
        .map_err(|message| kind.error(message))?;
    Ok(Update {
        actions,
        style: update::Style::Expression,
    })
}

#[cfg(test)]
mod tests;
