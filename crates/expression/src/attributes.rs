//! `ExpressionAttributeNames` and `ExpressionAttributeValues` of one request: the
//! substitutions the expressions draw on, and which of them were used, because DynamoDB
//! refuses a request that supplies one no expression uses.

use std::collections::{BTreeMap, BTreeSet};

use strata_dynamodb_item::{AttributeValue, NAME_TOO_LARGE, name_too_large};

use crate::ExpressionError;

const NAMES_EMPTY: &str = "ExpressionAttributeNames must not be empty";
const VALUES_EMPTY: &str = "ExpressionAttributeValues must not be empty";
const NAMES_INVALID_KEY: &str =
    "ExpressionAttributeNames contains invalid key: Syntax error; key: ";
const VALUES_INVALID_KEY: &str =
    "ExpressionAttributeValues contains invalid key: Syntax error; key: ";
const NAMES_UNUSED: &str =
    "Value provided in ExpressionAttributeNames unused in expressions: keys: ";
const VALUES_UNUSED: &str =
    "Value provided in ExpressionAttributeValues unused in expressions: keys: ";
/// Followed by what is wrong, " for key ", and the key. The empty-name text is AWS's
/// (`ExpressionAttributeNames contains invalid value: Empty attribute name for key #DE`, an
/// application's handling of real DynamoDB answers); the too-large one is DynamoDB Local's
/// (UNCONFIRMED beyond the `6553[56]` alternator checks).
const NAMES_INVALID_VALUE: &str = "ExpressionAttributeNames contains invalid value: ";
const EMPTY_NAME: &str = "Empty attribute name";

/// The substitutions of one request, owned, with a record of which were used.
#[derive(Clone, Debug, Default)]
pub struct ExpressionAttributes {
    names: Option<BTreeMap<String, String>>,
    values: Option<BTreeMap<String, AttributeValue>>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

impl ExpressionAttributes {
    /// `names`: ExpressionAttributeNames (`"#n"` → `"name"`); `values`:
    /// ExpressionAttributeValues (`":v"` → value). `None` means the parameter was absent.
    pub fn new(
        names: Option<BTreeMap<String, String>>,
        values: Option<BTreeMap<String, AttributeValue>>,
    ) -> Self {
        ExpressionAttributes {
            names,
            values,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
        }
    }

    /// DynamoDB's checks of the maps themselves, made before any expression is parsed:
    /// present maps must not be empty and keys must be `#`/`:` followed by `[0-9a-zA-Z_]+`.
    /// (Whether the values are valid AttributeValues is the wire layer's check.)
    pub fn validate(&self) -> Result<(), ExpressionError> {
        if let Some(names) = &self.names {
            if names.is_empty() {
                return Err(ExpressionError::validation(NAMES_EMPTY));
            }
            if let Some(key) = names.keys().find(|key| !valid_key(key, '#')) {
                return Err(ExpressionError::validation(format!(
                    "{NAMES_INVALID_KEY}\"{key}\""
                )));
            }
            for (key, name) in names {
                let problem = if name.is_empty() {
                    EMPTY_NAME
                } else if name_too_large(name) {
                    NAME_TOO_LARGE
                } else {
                    continue;
                };
                return Err(ExpressionError::validation(format!(
                    "{NAMES_INVALID_VALUE}{problem} for key {key}"
                )));
            }
        }
        if let Some(values) = &self.values {
            if values.is_empty() {
                return Err(ExpressionError::validation(VALUES_EMPTY));
            }
            if let Some(key) = values.keys().find(|key| !valid_key(key, ':')) {
                return Err(ExpressionError::validation(format!(
                    "{VALUES_INVALID_KEY}\"{key}\""
                )));
            }
        }
        Ok(())
    }

    /// After all expressions of a request were parsed: AWS's error for substitutions no
    /// expression used (names are reported before values).
    pub fn check_all_used(&self) -> Result<(), ExpressionError> {
        let unused_names: Vec<&str> = self
            .names
            .iter()
            .flat_map(|names| names.keys())
            .filter(|key| !self.used_names.contains(*key))
            .map(String::as_str)
            .collect();
        if !unused_names.is_empty() {
            return Err(ExpressionError::validation(format!(
                "{NAMES_UNUSED}{{{}}}",
                unused_names.join(", ")
            )));
        }
        let unused_values: Vec<&str> = self
            .values
            .iter()
            .flat_map(|values| values.keys())
            .filter(|key| !self.used_values.contains(*key))
            .map(String::as_str)
            .collect();
        if !unused_values.is_empty() {
            return Err(ExpressionError::validation(format!(
                "{VALUES_UNUSED}{{{}}}",
                unused_values.join(", ")
            )));
        }
        Ok(())
    }

    /// Resolve `#name`, recording the use.
    pub(crate) fn name(&mut self, key: &str) -> Option<String> {
        let resolved = self.names.as_ref()?.get(key)?.clone();
        self.used_names.insert(key.to_owned());
        Some(resolved)
    }

    /// Resolve `:value`, recording the use.
    pub(crate) fn value(&mut self, key: &str) -> Option<AttributeValue> {
        let resolved = self.values.as_ref()?.get(key)?.clone();
        self.used_values.insert(key.to_owned());
        Some(resolved)
    }
}

fn valid_key(key: &str, sigil: char) -> bool {
    key.strip_prefix(sigil).is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn validation_messages() {
        let cases: &[(ExpressionAttributes, &str)] = &[
            (
                ExpressionAttributes::new(names(&[]), None),
                "ExpressionAttributeNames must not be empty",
            ),
            (
                ExpressionAttributes::new(names(&[("a", "a")]), None),
                "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"",
            ),
            (
                ExpressionAttributes::new(None, Some(BTreeMap::new())),
                "ExpressionAttributeValues must not be empty",
            ),
            (
                ExpressionAttributes::new(
                    None,
                    Some(
                        [("b".to_owned(), AttributeValue::Null)]
                            .into_iter()
                            .collect(),
                    ),
                ),
                "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"",
            ),
        ];
        for (attributes, message) in cases {
            assert_eq!(attributes.validate().unwrap_err().to_string(), *message);
        }
        assert!(
            ExpressionAttributes::new(names(&[("#a_1", "a")]), None)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn unused_names_then_values() {
        let mut attributes = ExpressionAttributes::new(
            names(&[("#a", "a"), ("#b", "b"), ("#c", "c")]),
            Some(
                [(":a".to_owned(), AttributeValue::Null)]
                    .into_iter()
                    .collect(),
            ),
        );
        assert_eq!(attributes.name("#b").as_deref(), Some("b"));
        assert_eq!(
            attributes.check_all_used().unwrap_err().to_string(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #c}"
        );
        attributes.name("#a");
        attributes.name("#c");
        assert_eq!(
            attributes.check_all_used().unwrap_err().to_string(),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a}"
        );
        attributes.value(":a");
        assert!(attributes.check_all_used().is_ok());
    }
}
