//! Amazon Ion text for items, as DynamoDB's ION exports write it: decimals for numbers
//! (`103.`, `6d2`, `1.5`), `{{base64}}` blobs, sets as lists annotated `$dynamodb_SS::`,
//! `$dynamodb_NS::`, `$dynamodb_BS::`, maps as structs with bare or quoted field names.

use base64::Engine as _;
use strata_dynamodb_item::{AttributeValue, Item};
use strata_number::Number;

/// Writes `item` as an Ion struct.
pub fn write_item(item: &Item, out: &mut String) {
    out.push('{');
    for (i, (name, value)) in item.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field_name(name, out);
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

/// Writes one attribute value.
pub fn write_value(value: &AttributeValue, out: &mut String) {
    match value {
        AttributeValue::S(s) => write_string(s, out),
        AttributeValue::N(n) => write_decimal(n, out),
        AttributeValue::B(b) => write_blob(b, out),
        AttributeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AttributeValue::Null => out.push_str("null"),
        AttributeValue::Ss(set) => {
            write_list("$dynamodb_SS::", set, out, |s, out| write_string(s, out));
        }
        AttributeValue::Ns(set) => write_list("$dynamodb_NS::", set, out, write_decimal),
        AttributeValue::Bs(set) => {
            write_list("$dynamodb_BS::", set, out, |b, out| write_blob(b, out));
        }
        AttributeValue::L(list) => write_list("", list, out, write_value),
        AttributeValue::M(map) => write_item(map, out),
    }
}

fn write_list<T>(annotation: &str, items: &[T], out: &mut String, write: impl Fn(&T, &mut String)) {
    out.push_str(annotation);
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out);
    }
    out.push(']');
}

fn write_blob(bytes: &[u8], out: &mut String) {
    out.push_str("{{");
    out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
    out.push_str("}}");
}

/// A double-quoted Ion string with Ion's escapes.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    escape_into(s, '"', out);
    out.push('"');
}

fn escape_into(s: &str, quote: char, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
}

/// A field name: bare when it is an Ion identifier and not a reserved word, else a
/// single-quoted symbol. `$` and a digit start a symbol ID in Ion text (`$1` reads as `$ion`,
/// and ion-rs rejects `$1y`), so such names are quoted too.
fn write_field_name(name: &str, out: &mut String) {
    let identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let symbol_id = name
        .strip_prefix('$')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    let reserved =
        matches!(name, "null" | "true" | "false" | "nan") || name.starts_with("$ion") || symbol_id;
    if identifier && !reserved {
        out.push_str(name);
    } else {
        out.push('\'');
        escape_into(name, '\'', out);
        out.push('\'');
    }
}

/// An Ion decimal the way ion-java's text writer prints it (spec §4.8; UNCONFIRMED in
/// detail): `u.` for integers, `ud<e>` for positive exponents, a plain point inside the
/// digits, `0.00…` down to six leading zeros, `ud-<e>` below.
pub fn write_decimal(n: &Number, out: &mut String) {
    let digits: String = n
        .significant_digits()
        .iter()
        .map(|d| char::from(b'0' + d))
        .collect();
    if digits.is_empty() {
        out.push_str("0.");
        return;
    }
    if n.is_negative() {
        out.push('-');
    }
    // value = digits × 10^e, with digits an integer.
    let e = n.exponent() - (digits.len() as i32 - 1);
    if e == 0 {
        out.push_str(&digits);
        out.push('.');
    } else if e > 0 {
        out.push_str(&digits);
        out.push('d');
        out.push_str(&e.to_string());
    } else {
        let adjusted = digits.len() as i32 - 1 + e;
        if adjusted >= 0 {
            let point = (adjusted + 1) as usize;
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        } else if adjusted >= -6 {
            out.push_str("0.");
            for _ in 0..(-adjusted - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            out.push_str(&digits);
            out.push_str("d-");
            out.push_str(&(-e).to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> String {
        let mut out = String::new();
        write_decimal(&Number::parse(text).unwrap(), &mut out);
        out
    }

    #[test]
    fn decimals_print_as_ion_java_does() {
        assert_eq!(decimal("103"), "103.");
        assert_eq!(decimal("600"), "6d2");
        assert_eq!(decimal("2000"), "2d3");
        assert_eq!(decimal("0"), "0.");
        assert_eq!(decimal("-7"), "-7.");
        assert_eq!(decimal("1.5"), "1.5");
        assert_eq!(decimal("12.75"), "12.75");
        assert_eq!(decimal("0.001"), "0.001");
        assert_eq!(decimal("1E-130"), "1d-130");
        assert_eq!(decimal("-0.5"), "-0.5");
    }

    #[test]
    fn items_use_annotations_blobs_and_quoted_names() {
        let item: Item = [
            (
                "Id".to_owned(),
                AttributeValue::N(Number::parse("103").unwrap()),
            ),
            (
                "Authors".to_owned(),
                AttributeValue::Ss(vec!["A1".into(), "A\"2".into()]),
            ),
            (
                "Passenger ID".to_owned(),
                AttributeValue::B(b"bar".to_vec()),
            ),
            ("null".to_owned(), AttributeValue::Null),
            (
                "m".to_owned(),
                AttributeValue::M([("t".to_owned(), AttributeValue::Bool(true))].into()),
            ),
        ]
        .into();
        let mut out = String::new();
        write_item(&item, &mut out);
        assert_eq!(
            out,
            r#"{Authors:$dynamodb_SS::["A1","A\"2"],Id:103.,'Passenger ID':{{YmFy}},m:{t:true},'null':null}"#
        );
    }

    #[test]
    fn names_that_spell_symbol_ids_are_quoted() {
        // Found by fuzz/ (export_import round trip): `$1` was written bare and read back as
        // `$ion`, the name of symbol 1; `$10` names no symbol and did not read at all, nor
        // did `$1y`.
        let item: Item = [
            "$1",
            "$10",
            "$0",
            "$99999999999999999999",
            "$1_0",
            "$1y",
            "$x",
        ]
        .into_iter()
        .map(|name| (name.to_owned(), AttributeValue::Bool(true)))
        .collect();
        let mut out = String::new();
        write_item(&item, &mut out);
        assert_eq!(
            out,
            "{'$0':true,'$1':true,'$10':true,'$1_0':true,'$1y':true,'$99999999999999999999':true,$x:true}"
        );
        let line = crate::lines::item_line(crate::ExportFormat::Ion, &item);
        assert_eq!(crate::import::ion(&line), vec![Ok(item)]);
    }
}
