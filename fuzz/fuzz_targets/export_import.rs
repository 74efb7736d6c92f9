//! ImportTable's readers on arbitrary bytes: DynamoDB JSON (whole text and the streaming
//! reader, which must agree), Ion (`ion`, `ion_records`), CSV (delimiter, header and key
//! types chosen by the first byte) and the export manifests. Every item read back is
//! written as an export line in both formats and must read back unchanged.
//!
//! Input: one control byte, then the object's bytes.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use strata_dynamodb_item::Item;
use strata_export_format::ExportFormat;
use strata_export_format::ExportListing;
use strata_export_format::import::{
    DynamoDbJsonStream, KeyType, Records, csv, dynamodb_json, ion, ion_records,
};
use strata_export_format::lines::item_line;

fn stream(bytes: &[u8]) -> Records {
    let mut stream = DynamoDbJsonStream::new(bytes);
    let mut out = Vec::new();
    while let Some(records) = stream.next_chunk().expect("reading a slice never fails") {
        out.extend(records);
    }
    out
}

/// An item written as an export line reads back as itself.
fn round_trip(item: &Item, json_too: bool) {
    let line = item_line(ExportFormat::Ion, item);
    assert_eq!(ion(&line), vec![Ok(item.clone())], "{line}");
    if json_too {
        let line = item_line(ExportFormat::DynamoDbJson, item);
        assert_eq!(dynamodb_json(&line), vec![Ok(item.clone())], "{line}");
    }
}

/// ion-rs 1.2.0 panics on some malformed text (a symbol ID that overflows `usize`, a `\U`
/// escape beyond Unicode, ...); strata-export-format catches those panics and reports the
/// object as unparseable (its test `ion_reader_panics_are_unparseable_objects`). libFuzzer's
/// panic hook aborts on any panic, caught or not, so the Ion readers run under a silent hook.
/// A panic that escapes them still ends the run: libfuzzer-sys aborts when the input panics.
fn with_silent_panic_hook<T>(f: impl FnOnce() -> T) -> T {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(hook);
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, bytes)) = data.split_first() else {
        return;
    };
    let streamed = stream(bytes);
    let _ = ExportListing::parse(bytes, bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };

    let records = dynamodb_json(text);
    assert_eq!(records, streamed);
    for item in records.iter().flatten() {
        round_trip(item, true);
    }

    let (items, _) = with_silent_panic_hook(|| (ion(text), ion_records(text)));
    for item in items.iter().flatten() {
        // Ion import keeps what DynamoDB JSON would refuse (empty or repeated sets).
        round_trip(item, false);
    }

    let delimiter = [b',', b';', b'\t', b'|'][usize::from(control & 3)];
    let header: Option<Vec<String>> =
        (control & 4 != 0).then(|| vec!["pk".into(), "sk".into(), "b".into(), "v".into()]);
    let key_types: BTreeMap<String, KeyType> = [
        ("pk".to_owned(), KeyType::S),
        ("sk".to_owned(), KeyType::N),
        ("b".to_owned(), KeyType::B),
    ]
    .into();
    let _ = csv(text, delimiter, header.as_deref(), &key_types);
});
