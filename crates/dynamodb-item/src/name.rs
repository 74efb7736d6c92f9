//! Attribute names: DynamoDB's model allows names of up to 65,535 bytes (the `AttributeName`
//! shape of botocore's `service-2.json`, `max: 65535`) anywhere an attribute is named — an
//! item's or a map's keys, `AttributesToGet`, the legacy condition and update maps, the
//! values of `ExpressionAttributeNames`. Key and index attributes have their own 255 limit,
//! checked with the schema.

/// The longest attribute name, in UTF-8 bytes. 65,535 is accepted and 65,536 refused
/// (alternator's `test_limits.py::test_limit_attribute_length_nonkey_good/_bad`, run
/// against AWS).
pub const MAX_ATTRIBUTE_NAME_BYTES: usize = 65_535;

/// UNCONFIRMED wording: DynamoDB Local's text. AWS's is confirmed only to match
/// `ValidationException.*6553[56]` (alternator's `test_limit_attribute_length_nonkey_bad`).
pub const NAME_TOO_LARGE: &str = "Attribute name is too large, must be less than 65536 bytes";

/// Whether `name` is longer than [`MAX_ATTRIBUTE_NAME_BYTES`].
pub fn name_too_large(name: &str) -> bool {
    name.len() > MAX_ATTRIBUTE_NAME_BYTES
}
