//! DynamoDB's data model: [`AttributeValue`]s and items, read from and written to the
//! wire's typed JSON (`{"S": "x"}`, `{"N": "1"}`, …) with the validation DynamoDB applies
//! and its messages, and sized the way DynamoDB counts against the 400 KB item limit.
//!
//! Pure: no I/O. The DynamoDB engine and the export/import file formats build on it;
//! numbers are the exact `strata-number` type.

mod attribute_value;
mod binary;
mod encoded;
mod error;
mod name;
mod size;
#[cfg(feature = "strategies")]
pub mod strategies;
mod wire;

pub use attribute_value::{AttributeValue, Item};
pub use binary::{DecodeError, decode_item, encode_item, write_encoded_item_json};
pub use encoded::EncodedItem;
pub use error::ValueError;
pub use name::{MAX_ATTRIBUTE_NAME_BYTES, NAME_TOO_LARGE, name_too_large};
pub use size::{MAX_ITEM_SIZE, attribute_value_size, item_size};
pub use wire::{
    MAX_NESTING_DEPTH, attribute_value_from_json, item_from_json, item_to_json, json_token_name,
    write_item_json, write_items_json,
};
