//! Checking a parsed ProjectionExpression. Precedence of problems, highest first: too deep
//! a path, a reserved word, an undefined name, overlapping paths, conflicting paths.

use super::{DistinctPaths, PathSlots, first_error, resolve_path};
use crate::parser::raw::RawPath;
use crate::{ExpressionAttributes, Path};

pub(crate) fn check_projection(
    raw: &[RawPath],
    attributes: &mut ExpressionAttributes,
) -> Result<Vec<Path>, String> {
    let mut too_deep = None;
    let mut reserved = None;
    let mut undefined_name = None;
    let mut paths = Vec::with_capacity(raw.len());
    for raw_path in raw {
        let path = resolve_path(
            raw_path,
            attributes,
            PathSlots {
                reserved: &mut reserved,
                undefined_name: &mut undefined_name,
                too_deep: &mut too_deep,
            },
        );
        paths.push(path);
    }
    let mut distinct = DistinctPaths::default();
    for path in paths.iter().flatten() {
        distinct.add(path);
    }
    if let Some(message) = first_error(&[
        &too_deep,
        &reserved,
        &undefined_name,
        &distinct.overlap,
        &distinct.conflict,
    ]) {
        return Err(message);
    }
    Ok(paths.into_iter().flatten().collect())
}
