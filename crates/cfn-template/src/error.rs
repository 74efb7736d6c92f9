//! The one error of the template language: AWS's `ValidationError` message for it.

/// A template, parameter or function error; the text is AWS's message (spec
/// cloudformation §4), shown to clients as a `ValidationError` or in a stack event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl TemplateError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// `Template format error: …`.
    pub fn format(message: impl std::fmt::Display) -> Self {
        Self(format!("Template format error: {message}"))
    }
}
