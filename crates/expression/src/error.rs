//! Why an expression was refused, with DynamoDB's `ValidationException` message text.
//!
//! Parse-time messages are prefixed with the parameter they came from ("Invalid
//! ConditionExpression: …"); the prefix is [`ExpressionKind::prefix`]. Messages that AWS
//! sends without a prefix (runtime update errors, key-condition shape errors, legacy
//! parameter errors) are built with [`ExpressionError::validation`].

/// The single error of this crate; the engine maps it to a `ValidationException` whose
/// message is `Display`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    #[error("{0}")]
    Validation(String),
}

impl ExpressionError {
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        ExpressionError::Validation(message.into())
    }

    /// The message text (what `Display` prints).
    pub fn message(&self) -> &str {
        match self {
            ExpressionError::Validation(message) => message,
        }
    }
}

/// Which request parameter an expression came from; it names the error prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExpressionKind {
    Condition,
    Filter,
    KeyCondition,
    Projection,
    Update,
}

impl ExpressionKind {
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            ExpressionKind::Condition => "Invalid ConditionExpression: ",
            ExpressionKind::Filter => "Invalid FilterExpression: ",
            ExpressionKind::KeyCondition => "Invalid KeyConditionExpression: ",
            ExpressionKind::Projection => "Invalid ProjectionExpression: ",
            ExpressionKind::Update => "Invalid UpdateExpression: ",
        }
    }

    /// An error for this expression: the prefix, then `detail`.
    pub(crate) fn error(self, detail: impl std::fmt::Display) -> ExpressionError {
        ExpressionError::Validation(format!("{}{detail}", self.prefix()))
    }
}

// Parse-time details (each follows the kind's prefix).
pub(crate) const EMPTY_EXPRESSION: &str = "The expression can not be empty;";
pub(crate) const REDUNDANT_PARENTHESES: &str = "The expression has redundant parentheses;";
pub(crate) const RESERVED_KEYWORD: &str =
    "Attribute name is a reserved keyword; reserved keyword: ";
pub(crate) const UNDEFINED_NAME: &str =
    "An expression attribute name used in the document path is not defined; attribute name: ";
pub(crate) const UNDEFINED_VALUE: &str =
    "An expression attribute value used in expression is not defined; attribute value: ";
pub(crate) const INVALID_FUNCTION: &str = "Invalid function name; function: ";
pub(crate) const MISUSED_FUNCTION: &str =
    "The function is not allowed to be used this way in an expression; function: ";
/// UNCONFIRMED beyond "not allowed": AWS's DAX client words it "The function is not allowed in
/// a condition expression"; the function's name follows as in AWS's other function messages.
pub(crate) const NOT_IN_CONDITION: &str =
    "The function is not allowed in a condition expression; function: ";
/// UNCONFIRMED wording, the update-side counterpart of [`NOT_IN_CONDITION`]: a condition's
/// function in an UpdateExpression.
pub(crate) const NOT_IN_UPDATE: &str =
    "The function is not allowed in an update expression; function: ";
pub(crate) const OPERAND_COUNT: &str =
    "Incorrect number of operands for operator or function; operator or function: ";
pub(crate) const OPERAND_TYPE: &str =
    "Incorrect operand type for operator or function; operator or function: ";
pub(crate) const NEEDS_PATH: &str =
    "Operator or function requires a document path; operator or function: ";
pub(crate) const NOT_DISTINCT: &str = "The first operand must be distinct from the remaining operands for this operator or function; operator: ";
pub(crate) const PATHS_OVERLAP: &str = "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ";
pub(crate) const PATHS_CONFLICT: &str = "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ";
/// UNCONFIRMED: the 4 KB limit is documented; the wording is the one reported by clients.
pub(crate) const EXPRESSION_TOO_LONG: &str =
    "Expression size has exceeded the maximum allowed size; expression size: ";
pub(crate) const TOO_MANY_OPERATORS: &str =
    "The expression contains too many operators; operator count: ";
pub(crate) const TOO_MANY_IN_OPERANDS: &str =
    "The IN operator is provided with too many operands; number of operands: ";
/// UNCONFIRMED: the wording of the 32-level document path limit.
pub(crate) const PATH_TOO_DEEP: &str =
    "The document path has too many nesting levels; nesting levels: ";

// Runtime update messages (no prefix).
pub const ATTRIBUTE_DOES_NOT_EXIST: &str =
    "The provided expression refers to an attribute that does not exist in the item";
pub const INCORRECT_OPERAND_TYPE: &str =
    "An operand in the update expression has an incorrect data type";
pub const INVALID_DOCUMENT_PATH: &str =
    "The document path provided in the update expression is invalid for update";

/// Paths as AWS prints them in messages: `[a, b, [1], c]`.
pub(crate) fn path_for_message(path: &crate::Path) -> String {
    use crate::PathElement;
    let parts: Vec<String> = path
        .0
        .iter()
        .map(|element| match element {
            PathElement::Attribute(name) => name.clone(),
            PathElement::Index(index) => format!("[{index}]"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}
