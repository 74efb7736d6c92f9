//! [`AttributeValue`]: one of DynamoDB's ten data types.

use std::collections::BTreeMap;

use strata_number::Number;

/// A DynamoDB attribute value. Sets keep the order they were sent in (DynamoDB does not
/// promise an order) and never hold duplicates or nothing: the wire parser refuses both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    S(String),
    N(Number),
    B(Vec<u8>),
    Bool(bool),
    Null,
    Ss(Vec<String>),
    Ns(Vec<Number>),
    Bs(Vec<Vec<u8>>),
    L(Vec<AttributeValue>),
    M(BTreeMap<String, AttributeValue>),
}

/// An item: attribute names to values.
pub type Item = BTreeMap<String, AttributeValue>;

impl AttributeValue {
    /// The type's wire name (`S`, `N`, `BOOL`, …), as `attribute_type()` takes it.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
            AttributeValue::L(_) => "L",
            AttributeValue::M(_) => "M",
        }
    }
}
