//! From syntax trees to evaluated trees: substituting `#names` and `:values`, checking
//! functions, operand types, reserved words and overlapping paths.
//!
//! DynamoDB reports one error per request, and when an expression has several problems the
//! one it reports follows a fixed precedence per grammar (captured from real responses in
//! dynalite's test suite). Each checker therefore records the first problem of each kind
//! in a slot and picks the first filled slot in that precedence at the end.

pub(crate) mod condition;
pub(crate) mod projection;
pub(crate) mod update;

use strata_dynamodb_item::MAX_NESTING_DEPTH;

use crate::error::{
    PATH_TOO_DEEP, PATHS_CONFLICT, PATHS_OVERLAP, RESERVED_KEYWORD, UNDEFINED_NAME,
    path_for_message,
};
use crate::parser::raw::{RawElement, RawPath};
use crate::reserved::is_reserved;
use crate::{ExpressionAttributes, Path, PathElement};

/// Fill `slot` unless an earlier problem of the same kind already did.
pub(crate) fn note(slot: &mut Option<String>, message: impl FnOnce() -> String) {
    if slot.is_none() {
        *slot = Some(message());
    }
}

/// The first filled slot, in precedence order.
pub(crate) fn first_error(slots: &[&Option<String>]) -> Option<String> {
    slots.iter().find_map(|slot| (*slot).clone())
}

/// Where the problems found while resolving a path go.
pub(crate) struct PathSlots<'s> {
    pub(crate) reserved: &'s mut Option<String>,
    pub(crate) undefined_name: &'s mut Option<String>,
    pub(crate) too_deep: &'s mut Option<String>,
}

/// Substitute names in a path and check bare names against the reserved words. `None` if
/// a name is not defined (the problem is noted).
pub(crate) fn resolve_path(
    raw: &RawPath,
    attributes: &mut ExpressionAttributes,
    slots: PathSlots<'_>,
) -> Option<Path> {
    let mut elements = Vec::with_capacity(raw.0.len());
    let mut complete = true;
    for element in &raw.0 {
        match element {
            RawElement::Ident(name) => {
                if is_reserved(name) {
                    note(slots.reserved, || format!("{RESERVED_KEYWORD}{name}"));
                }
                elements.push(PathElement::Attribute(name.clone()));
            }
            RawElement::Name(key) => match attributes.name(key) {
                Some(name) => elements.push(PathElement::Attribute(name)),
                None => {
                    note(slots.undefined_name, || format!("{UNDEFINED_NAME}{key}"));
                    complete = false;
                }
            },
            RawElement::Index(index) => elements.push(PathElement::Index(*index)),
        }
    }
    if raw.0.len() > MAX_NESTING_DEPTH {
        note(slots.too_deep, || format!("{PATH_TOO_DEEP}{}", raw.0.len()));
    }
    complete.then_some(Path(elements))
}

/// The document paths an update or projection touches, checked pairwise: one may not be a
/// prefix of another (overlap), nor may two differ only in whether a step is a map key or
/// a list index (conflict).
#[derive(Default)]
pub(crate) struct DistinctPaths {
    paths: Vec<Path>,
    pub(crate) overlap: Option<String>,
    pub(crate) conflict: Option<String>,
}

impl DistinctPaths {
    pub(crate) fn add(&mut self, path: &Path) {
        if self.overlap.is_some() {
            return;
        }
        for earlier in &self.paths {
            match relation(earlier, path) {
                Relation::Unrelated => {}
                Relation::Conflict => note(&mut self.conflict, || {
                    pair_message(PATHS_CONFLICT, earlier, path)
                }),
                Relation::Overlap => {
                    self.overlap = Some(pair_message(PATHS_OVERLAP, earlier, path));
                    return;
                }
            }
        }
        self.paths.push(path.clone());
    }
}

fn pair_message(prefix: &str, one: &Path, two: &Path) -> String {
    format!(
        "{prefix}{}, path two: {}",
        path_for_message(one),
        path_for_message(two)
    )
}

enum Relation {
    Unrelated,
    Conflict,
    Overlap,
}

fn relation(one: &Path, two: &Path) -> Relation {
    for (a, b) in one.0.iter().zip(&two.0) {
        match (a, b) {
            (PathElement::Attribute(x), PathElement::Attribute(y)) if x == y => {}
            (PathElement::Index(x), PathElement::Index(y)) if x == y => {}
            (PathElement::Attribute(_), PathElement::Attribute(_))
            | (PathElement::Index(_), PathElement::Index(_)) => return Relation::Unrelated,
            _ => return Relation::Conflict,
        }
    }
    Relation::Overlap
}
