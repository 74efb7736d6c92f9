//! Why a value was refused, in DynamoDB's two categories with its message text: a
//! value of the wrong JSON shape is a `SerializationException`, a well-formed but invalid
//! one a `ValidationException`. The engine maps the variant to the wire.

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    Serialization(String),
}

impl ValueError {
    /// DynamoDB prefixes most value errors with this sentence.
    pub(crate) fn invalid(detail: impl std::fmt::Display) -> Self {
        Self::Validation(format!(
            "One or more parameter values were invalid: {detail}"
        ))
    }
}
