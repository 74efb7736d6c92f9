//! What expressions ask of attribute values: equality (sets ignore order, numbers compare
//! by value), ordering of the three ordered types, `contains`, `begins_with`, `size`, and
//! how a value is printed inside an error message.

use std::cmp::Ordering;

use strata_dynamodb_item::AttributeValue;

/// DynamoDB equality: same type and same value; sets compare as sets, numbers by value,
/// lists element-wise and maps key-wise.
pub(crate) fn values_equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (a, b) {
        (V::S(x), V::S(y)) => x == y,
        (V::N(x), V::N(y)) => x == y,
        (V::B(x), V::B(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Null, V::Null) => true,
        (V::Ss(x), V::Ss(y)) => same_members(x, y),
        (V::Ns(x), V::Ns(y)) => same_members(x, y),
        (V::Bs(x), V::Bs(y)) => same_members(x, y),
        (V::L(x), V::L(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (V::M(x), V::M(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, p)| y.get(key).is_some_and(|q| values_equal(p, q)))
        }
        _ => false,
    }
}

/// Sets hold no duplicates, so equal length plus inclusion is equality.
fn same_members<T: PartialEq>(x: &[T], y: &[T]) -> bool {
    x.len() == y.len() && x.iter().all(|member| y.contains(member))
}

/// Order of two values of the same ordered type (S by UTF-8 bytes, N by value, B by
/// unsigned bytes); `None` for any other pair.
pub(crate) fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    use AttributeValue as V;
    match (a, b) {
        (V::S(x), V::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (V::N(x), V::N(y)) => Some(x.cmp(y)),
        (V::B(x), V::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `contains(haystack, needle)`: a substring of a string, a subsequence of a binary, a
/// member of a set of the needle's type, or an element of a list.
pub(crate) fn contains(haystack: &AttributeValue, needle: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (haystack, needle) {
        (V::S(text), V::S(part)) => text.contains(part.as_str()),
        (V::B(bytes), V::B(part)) => {
            part.is_empty()
                || bytes
                    .windows(part.len())
                    .any(|window| window == part.as_slice())
        }
        (V::Ss(set), V::S(member)) => set.contains(member),
        (V::Ns(set), V::N(member)) => set.contains(member),
        (V::Bs(set), V::B(member)) => set.contains(member),
        (V::L(list), element) => list.iter().any(|item| values_equal(item, element)),
        _ => false,
    }
}

/// `begins_with(value, prefix)` for strings and binaries.
pub(crate) fn begins_with(value: &AttributeValue, prefix: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (value, prefix) {
        (V::S(text), V::S(start)) => text.starts_with(start.as_str()),
        (V::B(bytes), V::B(start)) => bytes.starts_with(start),
        _ => false,
    }
}

/// `size(value)`: strings and binaries by bytes, collections by element count; numbers,
/// booleans and nulls have no size.
///
/// UNCONFIRMED: the documentation says "length of the string" and, for PartiQL's SIZE,
/// "size in bytes"; strings are measured in UTF-8 bytes here.
pub(crate) fn size(value: &AttributeValue) -> Option<usize> {
    use AttributeValue as V;
    Some(match value {
        V::S(text) => text.len(),
        V::B(bytes) => bytes.len(),
        V::Ss(set) => set.len(),
        V::Ns(set) => set.len(),
        V::Bs(set) => set.len(),
        V::L(list) => list.len(),
        V::M(map) => map.len(),
        V::N(_) | V::Bool(_) | V::Null => return None,
    })
}

/// A value as AWS prints it in BETWEEN errors: `{N:1}`, `{S:a}`.
pub(crate) fn render(value: &AttributeValue) -> String {
    use AttributeValue as V;
    let body = match value {
        V::S(text) => text.clone(),
        V::N(number) => number.to_string(),
        V::B(bytes) => base64(bytes),
        V::Bool(flag) => flag.to_string(),
        V::Null => "true".to_owned(),
        V::Ss(set) => set.join(","),
        V::Ns(set) => set
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        V::Bs(set) => set.iter().map(|b| base64(b)).collect::<Vec<_>>().join(","),
        V::L(list) => list.iter().map(render).collect::<Vec<_>>().join(","),
        V::M(map) => map
            .iter()
            .map(|(key, v)| format!("{key}={}", render(v)))
            .collect::<Vec<_>>()
            .join(","),
    };
    format!("{{{}:{body}}}", value.type_name())
}

/// Standard base64 with padding, for binaries in messages.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_number::Number;

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(text).unwrap())
    }
    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    #[test]
    fn equality_is_by_value_and_ignores_set_order() {
        assert!(values_equal(&n("1.0"), &n("1")));
        assert!(values_equal(
            &AttributeValue::Ss(vec!["a".into(), "b".into()]),
            &AttributeValue::Ss(vec!["b".into(), "a".into()])
        ));
        assert!(!values_equal(&n("1"), &s("1")));
        assert!(values_equal(
            &AttributeValue::L(vec![n("1"), s("x")]),
            &AttributeValue::L(vec![n("1.00"), s("x")])
        ));
    }

    #[test]
    fn ordering_only_within_ordered_types() {
        assert_eq!(compare(&n("10"), &n("9")), Some(Ordering::Greater));
        assert_eq!(compare(&s("a"), &s("b")), Some(Ordering::Less));
        assert_eq!(
            compare(&AttributeValue::B(vec![0xff]), &AttributeValue::B(vec![1])),
            Some(Ordering::Greater)
        );
        assert_eq!(compare(&n("1"), &s("1")), None);
        assert_eq!(
            compare(&AttributeValue::Bool(true), &AttributeValue::Bool(false)),
            None
        );
    }

    #[test]
    fn contains_begins_with_size() {
        assert!(contains(&s("hello"), &s("ell")));
        assert!(contains(
            &AttributeValue::Ns(vec![Number::from(3)]),
            &n("3.0")
        ));
        assert!(contains(&AttributeValue::L(vec![s("a"), n("2")]), &n("2")));
        assert!(!contains(&AttributeValue::Ss(vec!["a".into()]), &n("1")));
        assert!(contains(
            &AttributeValue::B(vec![1, 2, 3]),
            &AttributeValue::B(vec![2, 3])
        ));
        assert!(begins_with(&s("prefix-x"), &s("prefix")));
        assert!(!begins_with(&s("x"), &n("1")));
        assert_eq!(size(&s("héllo")), Some(6));
        assert_eq!(size(&n("1")), None);
    }

    #[test]
    fn rendering() {
        assert_eq!(render(&n("1")), "{N:1}");
        assert_eq!(render(&s("a")), "{S:a}");
        assert_eq!(render(&AttributeValue::B(b"a".to_vec())), "{B:YQ==}");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
