//! An export read back by the import readers gives the same items, in both formats: the
//! property behind "an export of strata imported back gives an identical table".

use proptest::prelude::*;
use strata_dynamodb_item::strategies::item;
use strata_export_format::import;
use strata_export_format::lines::{ExportFormat, item_line};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn dynamodb_json_lines_read_back_unchanged(items in proptest::collection::vec(item(), 0..8)) {
        let text: String = items.iter().map(|i| item_line(ExportFormat::DynamoDbJson, i)).collect();
        let read: Vec<_> = import::dynamodb_json(&text).into_iter().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(read, items);
    }

    #[test]
    fn ion_lines_read_back_unchanged(items in proptest::collection::vec(item(), 0..8)) {
        let text: String = items.iter().map(|i| item_line(ExportFormat::Ion, i)).collect();
        let read: Vec<_> = import::ion(&text).into_iter().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(read, items);
    }
}
