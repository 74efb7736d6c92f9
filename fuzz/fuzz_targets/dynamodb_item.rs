//! DynamoDB items: the wire's typed JSON from arbitrary bytes (as the HTTP layer decodes a
//! request body), the JSON and binary (storage) round trips of whatever decodes, item
//! size, and the binary decoder on arbitrary bytes (what a corrupt store would hand it).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use strata_dynamodb_item::{
    attribute_value_from_json, attribute_value_size, decode_item, encode_item, item_from_json,
    item_size, item_to_json,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(decoded) = decode_item(data) {
        item_size(&decoded);
        // Decoding is lenient (any LEB128 form, any key order), so compare after one trip.
        let mut bytes = Vec::new();
        encode_item(&decoded, &mut bytes);
        assert_eq!(decode_item(&bytes), Ok(decoded));
    }
    let Ok(json) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(value) = attribute_value_from_json(&json) {
        attribute_value_size(&value);
    }
    let Ok(item) = item_from_json(&json) else {
        return;
    };
    item_size(&item);
    let mut bytes = Vec::new();
    encode_item(&item, &mut bytes);
    assert_eq!(decode_item(&bytes).as_ref(), Ok(&item), "{json}");
    let written = item_to_json(&item);
    assert_eq!(item_from_json(&written).as_ref(), Ok(&item), "{json}");
    // The JSON text as the wire would carry it reads back the same.
    let text = written.to_string();
    let reread: Value = serde_json::from_str(&text).expect("serde_json reads its own output");
    assert_eq!(item_from_json(&reread).as_ref(), Ok(&item), "{json}");
});
