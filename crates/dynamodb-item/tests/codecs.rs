//! Property tests of the two item codecs: any item survives the storage encoding and the
//! wire JSON unchanged.

use proptest::prelude::*;
use strata_dynamodb_item::strategies::item;
use strata_dynamodb_item::{decode_item, encode_item, item_from_json, item_to_json};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn storage_encoding_round_trips(item in item()) {
        let mut bytes = Vec::new();
        encode_item(&item, &mut bytes);
        prop_assert_eq!(decode_item(&bytes), Ok(item));
    }

    #[test]
    fn wire_json_round_trips(item in item()) {
        let json = item_to_json(&item);
        prop_assert_eq!(item_from_json(&json), Ok(item));
    }
}
