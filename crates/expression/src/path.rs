//! Document paths (`a.b[0].c`): the resolved form every expression refers to attributes by,
//! and how one is looked up in an item.

use strata_dynamodb_item::{AttributeValue, Item};

/// One step of a document path. Names are already substituted (`#n` → its value), so an
/// `Attribute` may hold any text, including dots or brackets.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    Attribute(String),
    Index(usize),
}

/// A document path. The first element is always an [`PathElement::Attribute`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<PathElement>);

impl Path {
    /// A top-level attribute.
    pub fn attribute(name: impl Into<String>) -> Path {
        Path(vec![PathElement::Attribute(name.into())])
    }

    /// The top-level attribute this path starts in.
    pub fn top_level(&self) -> Option<&str> {
        match self.0.first() {
            Some(PathElement::Attribute(name)) => Some(name),
            _ => None,
        }
    }

    /// The value at this path, if every step exists with the right container type.
    pub fn get<'a>(&self, item: &'a Item) -> Option<&'a AttributeValue> {
        let (first, rest) = self.0.split_first()?;
        let PathElement::Attribute(name) = first else {
            return None;
        };
        let mut current = item.get(name)?;
        for element in rest {
            current = step(current, element)?;
        }
        Some(current)
    }
}

/// One step down from a value: a map key or a list index.
pub(crate) fn step<'a>(
    value: &'a AttributeValue,
    element: &PathElement,
) -> Option<&'a AttributeValue> {
    match (value, element) {
        (AttributeValue::M(map), PathElement::Attribute(key)) => map.get(key),
        (AttributeValue::L(list), PathElement::Index(index)) => list.get(*index),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    #[test]
    fn get_walks_maps_and_lists() {
        let mut inner = std::collections::BTreeMap::new();
        inner.insert("c".to_owned(), AttributeValue::L(vec![s("x"), s("y")]));
        let mut item = Item::new();
        item.insert("a".to_owned(), AttributeValue::M(inner));
        let path = Path(vec![
            PathElement::Attribute("a".into()),
            PathElement::Attribute("c".into()),
            PathElement::Index(1),
        ]);
        assert_eq!(path.get(&item), Some(&s("y")));
        let wrong = Path(vec![
            PathElement::Attribute("a".into()),
            PathElement::Index(0),
        ]);
        assert_eq!(wrong.get(&item), None);
        assert_eq!(Path::attribute("zz").get(&item), None);
    }
}
