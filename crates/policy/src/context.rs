//! The request context: condition keys and their values (spec §2.1, §2.6).
//!
//! Keys are case-insensitive (`aws:SourceIP` ≡ `AWS:sourceip`, spec §1.5) and may carry
//! several values (`aws:TagKeys`, `aws:CalledVia`). A key with an empty value list counts
//! as absent for `Null` and the set operators. The clock enters here: the caller puts
//! `aws:CurrentTime`/`aws:EpochTime` in; this crate never reads a clock.

use std::collections::HashMap;

/// Multi-valued condition keys of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    values: HashMap<String, Vec<String>>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value to `key` (keeping earlier values).
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .entry(key.to_ascii_lowercase())
            .or_default()
            .push(value.into());
    }

    /// Sets all values of `key`, replacing earlier ones; an empty list is kept (present but
    /// empty, as for a request with zero tags).
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_ascii_lowercase(), values);
    }

    /// Builder form of [`Context::insert`].
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// The values of `key`, any case.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.get_lower(&key.to_ascii_lowercase())
        } else {
            self.get_lower(key)
        }
    }

    /// The single value of `key`, when it has exactly one.
    pub fn get_single(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some([one]) => Some(one),
            _ => None,
        }
    }

    pub(crate) fn get_lower(&self, key_lower: &str) -> Option<&[String]> {
        self.values.get(key_lower).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_multivalued() {
        let mut c = Context::new().with("aws:SourceIp", "10.0.0.1");
        c.insert("AWS:TagKeys", "a");
        c.insert("aws:tagkeys", "b");
        assert_eq!(c.get_single("aws:sourceip"), Some("10.0.0.1"));
        assert_eq!(c.get("aws:TAGKEYS").map(<[String]>::len), Some(2));
        assert_eq!(c.get_single("aws:TagKeys"), None);
        assert_eq!(c.get("aws:username"), None);
    }
}
