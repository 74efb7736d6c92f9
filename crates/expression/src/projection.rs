//! Projecting an item onto document paths: what ProjectionExpression, AttributesToGet and
//! ReturnValues UPDATED_OLD/UPDATED_NEW return.
//!
//! Selected list elements keep their order and close up (`l[1], l[3]` of a five-element
//! list gives a two-element list); a path that does not resolve contributes nothing, and
//! a map or list left with nothing selected is left out.

use std::collections::BTreeMap;

use strata_dynamodb_item::{AttributeValue, Item};

use crate::{Path, PathElement};

/// A ProjectionExpression or the legacy AttributesToGet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    pub(crate) paths: Vec<Path>,
}

impl Projection {
    /// The projected copy of `item`.
    pub fn apply(&self, item: &Item) -> Item {
        project(item, &self.paths)
    }

    /// The projected paths, in the order given.
    pub fn paths(&self) -> &[Path] {
        &self.paths
    }

    /// The top-level attribute of each path, once each (`dynamodb:Attributes`).
    pub fn top_level_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for path in &self.paths {
            if let Some(name) = path.top_level()
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        names
    }
}

/// The parts of `item` that `paths` select.
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut selection = Selection::default();
    for path in paths {
        selection.insert(&path.0);
    }
    let mut out = Item::new();
    for (element, child) in &selection.children {
        if let PathElement::Attribute(name) = element
            && let Some(value) = item.get(name).and_then(|value| child.extract(value))
        {
            out.insert(name.clone(), value);
        }
    }
    out
}

#[derive(Default)]
struct Selection {
    /// The whole value at this point is selected.
    whole: bool,
    children: BTreeMap<PathElement, Selection>,
}

impl Selection {
    fn insert(&mut self, path: &[PathElement]) {
        match path.split_first() {
            None => self.whole = true,
            Some((first, rest)) => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    fn extract(&self, value: &AttributeValue) -> Option<AttributeValue> {
        if self.whole {
            return Some(value.clone());
        }
        match value {
            AttributeValue::M(map) => {
                let picked: BTreeMap<String, AttributeValue> = self
                    .children
                    .iter()
                    .filter_map(|(element, child)| match element {
                        PathElement::Attribute(key) => {
                            Some((key.clone(), child.extract(map.get(key)?)?))
                        }
                        PathElement::Index(_) => None,
                    })
                    .collect();
                (!picked.is_empty()).then_some(AttributeValue::M(picked))
            }
            AttributeValue::L(list) => {
                let picked: Vec<AttributeValue> = self
                    .children
                    .iter()
                    .filter_map(|(element, child)| match element {
                        PathElement::Index(index) => child.extract(list.get(*index)?),
                        PathElement::Attribute(_) => None,
                    })
                    .collect();
                (!picked.is_empty()).then_some(AttributeValue::L(picked))
            }
            _ => None,
        }
    }
}
