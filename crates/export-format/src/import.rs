//! Reading ImportTable's input records (spec dynamodb-export-import §6.5): DynamoDB JSON
//! (`{"Item":{…}}` objects, one per line or simply concatenated), Ion (`$ion_1_0
//! {Item:{…}}`, the export's Ion in reverse) and CSV (a header line or a given header list;
//! every column a string except the key attributes, which take their declared types).
//!
//! A record that parses but is not an item of the right shape costs one error and reading
//! goes on; data that does not parse costs one error and ends the object ([`Records`]).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;
use strata_dynamodb_item::{AttributeValue, Item, item_from_json};
use strata_number::Number;

/// Why a record was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// The record parsed but is not an acceptable item; reading goes on.
    Invalid(String),
    /// The data does not parse; the rest of the object is skipped.
    Unparseable(String),
}

/// The records of one object, in order; an [`RecordError::Unparseable`] is always last.
pub type Records = Vec<Result<Item, RecordError>>;

/// DynamoDB JSON: `{"Item":{…}}` objects separated by whitespace (or nothing).
pub fn dynamodb_json(text: &str) -> Records {
    let mut stream = DynamoDbJsonStream::new(text.as_bytes());
    let mut out = Vec::new();
    while let Some(records) = stream.next_chunk().expect("reading a slice never fails") {
        out.extend(records);
    }
    out
}

/// [`dynamodb_json`] over a reader, a few megabytes at a time, so an object of any size is
/// read in bounded memory (and at `from_slice` speed).
pub struct DynamoDbJsonStream<R> {
    reader: R,
    buffer: Vec<u8>,
    reader_done: bool,
    ended: bool,
}

impl<R: std::io::Read> DynamoDbJsonStream<R> {
    /// Bytes read per chunk, about.
    const CHUNK: usize = 4 << 20;

    pub fn new(reader: R) -> Self {
        Self {
            reader,
            buffer: Vec::new(),
            reader_done: false,
            ended: false,
        }
    }

    /// Reads until the buffer holds `CHUNK` bytes or the reader ends.
    fn fill(&mut self) -> std::io::Result<()> {
        let want = self.buffer.len() + Self::CHUNK;
        while !self.reader_done && self.buffer.len() < want {
            let start = self.buffer.len();
            self.buffer.resize(start + (want - start).min(1 << 20), 0);
            match self.reader.read(&mut self.buffer[start..]) {
                Ok(n) => {
                    self.buffer.truncate(start + n);
                    self.reader_done = n == 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    self.buffer.truncate(start);
                }
                Err(e) => {
                    self.buffer.truncate(start);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// The next records (`None` once everything is read); after a
    /// [`RecordError::Unparseable`] there are no more. An `Err` is the reader's (e.g. data
    /// that is not what its compression says).
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Records>> {
        loop {
            if self.ended {
                return Ok(None);
            }
            self.fill()?;
            let mut out = Vec::new();
            let mut values =
                serde_json::Deserializer::from_slice(&self.buffer).into_iter::<Value>();
            let mut consumed = 0;
            loop {
                match values.next() {
                    None => {
                        consumed = self.buffer.len();
                        break;
                    }
                    // A record cut by the chunk's end: read on and parse it whole.
                    Some(Err(err)) if err.is_eof() && !self.reader_done => break,
                    Some(Err(err)) => {
                        out.push(Err(RecordError::Unparseable(format!(
                            "Unexpected content: {err}"
                        ))));
                        self.ended = true;
                        break;
                    }
                    Some(Ok(value)) => {
                        consumed = values.byte_offset();
                        match value {
                            Value::Object(mut record)
                                if record.len() == 1 && record.contains_key("Item") =>
                            {
                                let item = record.remove("Item").expect("checked");
                                out.push(
                                    item_from_json(&item)
                                        .map_err(|e| RecordError::Invalid(e.to_string())),
                                );
                            }
                            _ => {
                                out.push(Err(RecordError::Unparseable(
                                    "Unexpected content: the record is not of the form {\"Item\": {...}}"
                                        .into(),
                                )));
                                self.ended = true;
                                break;
                            }
                        }
                    }
                }
            }
            self.buffer.drain(..consumed);
            if self.reader_done && self.buffer.iter().all(u8::is_ascii_whitespace) && !self.ended {
                self.ended = true;
                if out.is_empty() {
                    return Ok(None);
                }
            }
            if !out.is_empty() {
                return Ok(Some(out));
            }
        }
    }
}

/// Every top-level Ion value of `text`, or why it does not parse.
///
/// ion-rs 1.2.0 panics on some malformed text (a symbol ID such as `$99999999999999999999`
/// that overflows `usize`, found by fuzz/); an object it cannot read is unparseable data
/// like any other, not a failed import.
fn read_ion(text: &str) -> Result<ion_rs::Sequence, String> {
    match std::panic::catch_unwind(|| ion_rs::Element::read_all(text.as_bytes())) {
        Ok(read) => read.map_err(|e| e.to_string()),
        Err(_) => Err("the Ion reader failed on this text".to_owned()),
    }
}

/// Ion text: top-level structs with one field `Item`.
pub fn ion(text: &str) -> Records {
    let mut out = Vec::new();
    let elements = match read_ion(text) {
        Ok(elements) => elements,
        Err(err) => {
            // Keep what parsed before the error by reading value by value is not offered by
            // the Element API; the whole object counts as one unparseable record.
            out.push(Err(RecordError::Unparseable(format!(
                "Unexpected content: {err}"
            ))));
            return out;
        }
    };
    for element in &elements {
        let item = element
            .as_struct()
            .filter(|s| s.len() == 1)
            .and_then(|s| s.get("Item"))
            .and_then(|item| item.as_struct());
        match item {
            Some(fields) => out.push(ion_struct(fields).map_err(RecordError::Invalid)),
            None => {
                out.push(Err(RecordError::Unparseable(
                    "Unexpected content: the record is not of the form {Item:{...}}".into(),
                )));
                break;
            }
        }
    }
    out
}

/// Every top-level record of an Ion export as its parts (`Item`, or `Metadata`, `Keys`,
/// `OldImage`, `NewImage` of an incremental export), each an attribute map; what `strata
/// query` turns into DynamoDB JSON so both formats answer the same SQL.
pub fn ion_records(text: &str) -> Result<Vec<BTreeMap<String, Item>>, String> {
    let elements = read_ion(text)?;
    elements
        .iter()
        .map(|element| {
            let mut record = element.as_struct().ok_or("a record is not an Ion struct")?;
            // Incremental records come wrapped: `{Record:{Keys:…, Metadata:…, …}}`.
            if let Some(inner) = record.get("Record").and_then(|r| r.as_struct()) {
                record = inner;
            }
            let mut parts = BTreeMap::new();
            for (name, part) in record {
                let name = name.text().ok_or("a field name has no text")?.to_owned();
                let fields = part
                    .as_struct()
                    .ok_or_else(|| format!("{name} is not an Ion struct"))?;
                parts.insert(name, ion_struct(fields)?);
            }
            Ok(parts)
        })
        .collect()
}

fn ion_struct(fields: &ion_rs::Struct) -> Result<Item, String> {
    let mut item = BTreeMap::new();
    for (name, value) in fields {
        let name = name.text().ok_or("a field name has no text")?.to_owned();
        item.insert(name, ion_value(value)?);
    }
    Ok(item)
}

fn ion_decimal(element: &ion_rs::Element) -> Result<Number, String> {
    let text = if let Some(d) = element.as_decimal() {
        format!("{}E{}", d.coefficient(), d.exponent())
    } else if let Some(i) = element.as_int() {
        i.to_string()
    } else {
        return Err("a number is neither a decimal nor an integer".into());
    };
    Number::parse(&text).map_err(|e| e.to_string())
}

fn ion_value(element: &ion_rs::Element) -> Result<AttributeValue, String> {
    use ion_rs::IonType;
    let annotation = element
        .annotations()
        .iter()
        .next()
        .and_then(|a| a.text().map(str::to_owned));
    if element.is_null() {
        return Ok(AttributeValue::Null);
    }
    let list = || element.as_sequence().ok_or("a set is not a list");
    Ok(match annotation.as_deref() {
        Some("$dynamodb_SS") => AttributeValue::Ss(
            list()?
                .iter()
                .map(|e| {
                    e.as_string()
                        .map(str::to_owned)
                        .ok_or("a string set holds a non-string")
                })
                .collect::<Result<_, _>>()?,
        ),
        Some("$dynamodb_NS") => {
            AttributeValue::Ns(list()?.iter().map(ion_decimal).collect::<Result<_, _>>()?)
        }
        Some("$dynamodb_BS") => AttributeValue::Bs(
            list()?
                .iter()
                .map(|e| {
                    e.as_blob()
                        .map(<[u8]>::to_vec)
                        .ok_or("a binary set holds a non-blob")
                })
                .collect::<Result<_, _>>()?,
        ),
        _ => match element.ion_type() {
            IonType::String | IonType::Symbol => {
                AttributeValue::S(element.as_string().unwrap_or_default().to_owned())
            }
            IonType::Decimal | IonType::Int => AttributeValue::N(ion_decimal(element)?),
            IonType::Blob | IonType::Clob => {
                AttributeValue::B(element.as_blob().unwrap_or_default().to_vec())
            }
            IonType::Bool => AttributeValue::Bool(element.as_bool().unwrap_or_default()),
            IonType::List | IonType::SExp => {
                AttributeValue::L(list()?.iter().map(ion_value).collect::<Result<_, _>>()?)
            }
            IonType::Struct => {
                AttributeValue::M(ion_struct(element.as_struct().expect("a struct"))?)
            }
            other => return Err(format!("Ion type {other} has no DynamoDB type")),
        },
    })
}

/// The declared type of a key attribute, for CSV typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    S,
    N,
    B,
}

/// CSV (RFC 4180 quoting): the first line is the header unless `header` is given; empty
/// fields are left out; key attributes (of the table and its indexes) take their types.
pub fn csv(
    text: &str,
    delimiter: u8,
    header: Option<&[String]>,
    key_types: &BTreeMap<String, KeyType>,
) -> Records {
    let mut out = Vec::new();
    let mut rows = CsvRows {
        text: text.as_bytes(),
        pos: 0,
        delimiter,
    };
    let names: Vec<String> = match header {
        Some(h) => h.to_vec(),
        None => match rows.next() {
            Some(Ok(names)) => names,
            Some(Err(e)) => {
                out.push(Err(RecordError::Unparseable(e)));
                return out;
            }
            None => return out,
        },
    };
    for row in rows {
        let fields = match row {
            Ok(fields) => fields,
            Err(e) => {
                out.push(Err(RecordError::Unparseable(e)));
                break;
            }
        };
        if fields.len() != names.len() {
            out.push(Err(RecordError::Invalid(format!(
                "The number of columns ({}) does not match the header ({})",
                fields.len(),
                names.len()
            ))));
            continue;
        }
        let mut item = BTreeMap::new();
        let mut bad = None;
        for (name, field) in names.iter().zip(fields) {
            if field.is_empty() {
                continue;
            }
            let value = match key_types.get(name) {
                Some(KeyType::N) => match Number::parse(&field) {
                    Ok(n) => AttributeValue::N(n),
                    Err(e) => {
                        bad = Some(format!(
                            "The parameter cannot be converted to a numeric value: {field} ({e})"
                        ));
                        break;
                    }
                },
                Some(KeyType::B) => {
                    match base64::engine::general_purpose::STANDARD.decode(&field) {
                        Ok(b) => AttributeValue::B(b),
                        Err(_) => {
                            bad = Some(format!("Invalid binary value for key {name}"));
                            break;
                        }
                    }
                }
                _ => AttributeValue::S(field),
            };
            item.insert(name.clone(), value);
        }
        out.push(match bad {
            Some(message) => Err(RecordError::Invalid(message)),
            None => Ok(item),
        });
    }
    out
}

/// RFC 4180 rows: quoted fields may hold delimiters, newlines and doubled quotes.
struct CsvRows<'a> {
    text: &'a [u8],
    pos: usize,
    delimiter: u8,
}

impl Iterator for CsvRows<'_> {
    type Item = Result<Vec<String>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        // Skip blank lines.
        while self.pos < self.text.len() && matches!(self.text[self.pos], b'\n' | b'\r') {
            self.pos += 1;
        }
        if self.pos >= self.text.len() {
            return None;
        }
        let mut fields = Vec::new();
        let mut field = Vec::new();
        let mut quoted = false;
        let mut at_start = true;
        while self.pos < self.text.len() {
            let b = self.text[self.pos];
            self.pos += 1;
            if quoted {
                if b == b'"' {
                    if self.text.get(self.pos) == Some(&b'"') {
                        field.push(b'"');
                        self.pos += 1;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.push(b);
                }
                continue;
            }
            match b {
                b'"' if at_start => {
                    quoted = true;
                    at_start = false;
                }
                b'\n' => break,
                b'\r' if self.text.get(self.pos) == Some(&b'\n') => {}
                _ if b == self.delimiter => {
                    fields.push(std::mem::take(&mut field));
                    at_start = true;
                }
                _ => {
                    field.push(b);
                    at_start = false;
                }
            }
        }
        if quoted {
            return Some(Err(
                "Unexpected content: an unterminated quoted field".into()
            ));
        }
        fields.push(field);
        Some(
            fields
                .into_iter()
                .map(|f| {
                    String::from_utf8(f).map_err(|_| "Unexpected content: invalid UTF-8".to_owned())
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::{ExportFormat, item_line};

    fn sample() -> Item {
        let n = |t: &str| Number::parse(t).unwrap();
        [
            ("pk".to_owned(), AttributeValue::S("a".into())),
            ("n".to_owned(), AttributeValue::N(n("600"))),
            ("f".to_owned(), AttributeValue::N(n("-0.001"))),
            ("b".to_owned(), AttributeValue::B(vec![0, 255])),
            (
                "ss".to_owned(),
                AttributeValue::Ss(vec!["x".into(), "y".into()]),
            ),
            ("ns".to_owned(), AttributeValue::Ns(vec![n("1"), n("2.5")])),
            ("bs".to_owned(), AttributeValue::Bs(vec![vec![1], vec![2]])),
            (
                "l".to_owned(),
                AttributeValue::L(vec![AttributeValue::Null, AttributeValue::Bool(true)]),
            ),
            (
                "odd name".to_owned(),
                AttributeValue::M([("k".to_owned(), AttributeValue::S("v".into()))].into()),
            ),
        ]
        .into()
    }

    #[test]
    fn export_lines_read_back_as_the_same_items() {
        for format in [ExportFormat::DynamoDbJson, ExportFormat::Ion] {
            let text = item_line(format, &sample()).repeat(2);
            let records = match format {
                ExportFormat::DynamoDbJson => dynamodb_json(&text),
                ExportFormat::Ion => ion(&text),
            };
            assert_eq!(records, vec![Ok(sample()), Ok(sample())], "{format:?}");
        }
    }

    #[test]
    fn ion_records_unwrap_incremental_changes() {
        let records = ion_records(
            "$ion_1_0 {Record:{Keys:{pk:\"a\"},Metadata:{WriteTimestampMicros:7.},NewImage:{pk:\"a\",n:1.5}}}\n$ion_1_0 {Item:{pk:\"b\"}}",
        )
        .unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["Keys"]["pk"], AttributeValue::S("a".into()));
        assert_eq!(
            records[0]["Metadata"]["WriteTimestampMicros"],
            AttributeValue::N(Number::parse("7").unwrap())
        );
        assert_eq!(records[1]["Item"]["pk"], AttributeValue::S("b".into()));
        assert!(ion_records("{Item:").is_err());
    }

    #[test]
    fn streams_cut_records_at_any_chunk_boundary() {
        // A reader handing out 7 bytes at a time splits records everywhere.
        struct Trickle<'a>(&'a [u8]);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = "{\"Item\":{\"pk\":{\"S\":\"a\"}}}\n{\n \"Item\": {\"pk\": {\"N\": \"1\"}}\n}{\"Item\":{}}\n\n";
        let mut stream = DynamoDbJsonStream::new(Trickle(text.as_bytes()));
        let mut records = Vec::new();
        while let Some(chunk) = stream.next_chunk().unwrap() {
            records.extend(chunk);
        }
        assert_eq!(records.len(), 3);
        assert!(records[0].is_ok() && records[1].is_ok());
        assert_eq!(records, dynamodb_json(text));
        let garbage = dynamodb_json("{\"Item\":{\"pk\":{\"S\":\"a\"}}} {oops} {\"Item\":{}}");
        assert_eq!(garbage.len(), 2);
        assert!(matches!(garbage[1], Err(RecordError::Unparseable(_))));
        assert!(dynamodb_json("  \n").is_empty());
    }

    #[test]
    fn bad_records_cost_one_error_and_garbage_ends_the_object() {
        let text = "{\"Item\":{\"pk\":{\"S\":\"a\"}}}{\"Item\":{\"pk\":{\"Q\":\"a\"}}}\n{\"Item\":{\"pk\":{\"S\":\"b\"}}}\nnot json\n{\"Item\":{}}";
        let records = dynamodb_json(text);
        assert_eq!(records.len(), 4);
        assert!(records[0].is_ok() && records[2].is_ok());
        assert!(matches!(records[1], Err(RecordError::Invalid(_))));
        assert!(matches!(records[3], Err(RecordError::Unparseable(_))));
    }

    #[test]
    fn ion_reader_panics_are_unparseable_objects() {
        // Found by fuzz/ (export_import): ion-rs 1.2.0 unwraps the parse of a symbol ID,
        // which panics when it overflows usize.
        for text in [
            "$555555555555555555555",
            "$ion_1_0 {Item:{a:$99999999999999999999}}",
            // ... and unwraps `char::from_u32` of an escape beyond Unicode.
            r#"$ion_1_0 {Item:{a:"\U88888888"}}"#,
        ] {
            assert!(
                matches!(ion(text).as_slice(), [Err(RecordError::Unparseable(_))]),
                "{text}"
            );
            assert!(ion_records(text).is_err(), "{text}");
        }
    }

    #[test]
    fn csv_types_keys_and_leaves_the_rest_as_strings() {
        let keys: BTreeMap<String, KeyType> = [("pk".to_owned(), KeyType::N)].into();
        let text = "pk,name,note\n1,\"Smith, J\",\"said \"\"hi\"\"\"\n2,,x\nq,a,b\n";
        let records = csv(text, b',', None, &keys);
        assert_eq!(records.len(), 3);
        let first = records[0].as_ref().unwrap();
        assert_eq!(first["pk"], AttributeValue::N(Number::parse("1").unwrap()));
        assert_eq!(first["name"], AttributeValue::S("Smith, J".into()));
        assert_eq!(first["note"], AttributeValue::S("said \"hi\"".into()));
        assert!(!records[1].as_ref().unwrap().contains_key("name"));
        assert!(matches!(records[2], Err(RecordError::Invalid(_))));
        let given = csv("7;x\n", b';', Some(&["pk".into(), "v".into()]), &keys);
        assert_eq!(given.len(), 1);
        assert_eq!(
            given[0].as_ref().unwrap()["v"],
            AttributeValue::S("x".into())
        );
    }
}
