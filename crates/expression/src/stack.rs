//! Deep recursion on a stack that grows. The parsers and checkers recurse once per nesting
//! level (parentheses, NOT, function calls), and an expression within DynamoDB's 4 KB may nest
//! about 2,000 deep (`((((a<b))))`, which AWS answers with "redundant parentheses" rather
//! than a syntax error) — in a debug build several MB of frames, more than a tokio worker's
//! 2 MB. Each recursive step runs through [`deeper`], which moves to a fresh heap-allocated
//! stack segment when little is left, so memory stays bounded by the expression's length.

/// Below this much stack left, the next level runs on a new segment.
const RED_ZONE: usize = 64 * 1024;
/// The size of each new segment.
const SEGMENT: usize = 1024 * 1024;

/// Runs `f` — one level deeper in a recursive descent — with enough stack.
pub(crate) fn deeper<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
