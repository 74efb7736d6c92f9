//! One line of a data file: a full export's item, or an incremental export's change record.

use strata_dynamodb_item::{Item, item_to_json};

use crate::ion;

/// `ExportFormat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ExportFormat {
    #[serde(rename = "DYNAMODB_JSON")]
    DynamoDbJson,
    #[serde(rename = "ION")]
    Ion,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "DYNAMODB_JSON" => Some(Self::DynamoDbJson),
            "ION" => Some(Self::Ion),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DynamoDbJson => "DYNAMODB_JSON",
            Self::Ion => "ION",
        }
    }

    /// The data file extension, compression included.
    pub fn extension(self) -> &'static str {
        match self {
            Self::DynamoDbJson => ".json.gz",
            Self::Ion => ".ion.gz",
        }
    }
}

/// `ExportViewType` of an incremental export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ViewType {
    #[serde(rename = "NEW_IMAGE")]
    NewImage,
    #[serde(rename = "NEW_AND_OLD_IMAGES")]
    NewAndOldImages,
}

impl ViewType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "NEW_IMAGE" => Some(Self::NewImage),
            "NEW_AND_OLD_IMAGES" => Some(Self::NewAndOldImages),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewImage => "NEW_IMAGE",
            Self::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

/// A full export's line for `item`, newline included.
pub fn item_line(format: ExportFormat, item: &Item) -> String {
    match format {
        ExportFormat::DynamoDbJson => {
            let mut line = String::from("{\"Item\":");
            line.push_str(&item_to_json(item).to_string());
            line.push_str("}\n");
            line
        }
        ExportFormat::Ion => {
            let mut line = String::from("$ion_1_0 {Item:");
            ion::write_item(item, &mut line);
            line.push_str("}\n");
            line
        }
    }
}

/// An item's change over an incremental export's window.
pub struct Change<'a> {
    pub keys: &'a Item,
    /// The item at the window's start (`None`: absent).
    pub old: Option<&'a Item>,
    /// The item at the window's end (`None`: deleted).
    pub new: Option<&'a Item>,
    /// The last write to the item inside the window, µs since the epoch.
    pub write_micros: u64,
}

/// An incremental export's line for `change`, newline included; `None` when the item was
/// created and deleted inside the window (no record, spec §5.3).
pub fn change_line(format: ExportFormat, view: ViewType, change: &Change<'_>) -> Option<String> {
    if change.old.is_none() && change.new.is_none() {
        return None;
    }
    let old = match view {
        ViewType::NewAndOldImages => change.old,
        ViewType::NewImage => None,
    };
    let stamp = change.write_micros.to_string();
    Some(match format {
        ExportFormat::DynamoDbJson => {
            // Built by hand to keep AWS's member order (Metadata, Keys, OldImage, NewImage).
            let mut line = String::from("{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"");
            line.push_str(&stamp);
            line.push_str("\"}},\"Keys\":");
            line.push_str(&item_to_json(change.keys).to_string());
            if let Some(old) = old {
                line.push_str(",\"OldImage\":");
                line.push_str(&item_to_json(old).to_string());
            }
            if let Some(new) = change.new {
                line.push_str(",\"NewImage\":");
                line.push_str(&item_to_json(new).to_string());
            }
            line.push_str("}\n");
            line
        }
        ExportFormat::Ion => {
            let mut line = String::from("$ion_1_0 {Record:{Keys:");
            ion::write_item(change.keys, &mut line);
            line.push_str(",Metadata:{WriteTimestampMicros:");
            line.push_str(&stamp);
            line.push_str(".}");
            if let Some(old) = old {
                line.push_str(",OldImage:");
                ion::write_item(old, &mut line);
            }
            if let Some(new) = change.new {
                line.push_str(",NewImage:");
                ion::write_item(new, &mut line);
            }
            line.push_str("}}\n");
            line
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_dynamodb_item::AttributeValue;

    fn item(pairs: &[(&str, &str)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), AttributeValue::S((*v).to_owned())))
            .collect()
    }

    #[test]
    fn full_lines_wrap_the_item() {
        let it = item(&[("pk", "a")]);
        assert_eq!(
            item_line(ExportFormat::DynamoDbJson, &it),
            "{\"Item\":{\"pk\":{\"S\":\"a\"}}}\n"
        );
        assert_eq!(
            item_line(ExportFormat::Ion, &it),
            "$ion_1_0 {Item:{pk:\"a\"}}\n"
        );
    }

    #[test]
    fn change_records_follow_the_view_type() {
        let keys = item(&[("pk", "a")]);
        let old = item(&[("pk", "a"), ("v", "1")]);
        let updated = Change {
            keys: &keys,
            old: Some(&old),
            new: Some(&keys),
            write_micros: 7,
        };
        let line = change_line(
            ExportFormat::DynamoDbJson,
            ViewType::NewAndOldImages,
            &updated,
        )
        .unwrap();
        assert_eq!(
            line,
            "{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"7\"}},\"Keys\":{\"pk\":{\"S\":\"a\"}},\"OldImage\":{\"pk\":{\"S\":\"a\"},\"v\":{\"S\":\"1\"}},\"NewImage\":{\"pk\":{\"S\":\"a\"}}}\n"
        );
        let deleted = Change {
            keys: &keys,
            old: Some(&old),
            new: None,
            write_micros: 7,
        };
        let line = change_line(ExportFormat::DynamoDbJson, ViewType::NewImage, &deleted).unwrap();
        assert!(!line.contains("Image"), "{line}");
        let transient = Change {
            keys: &keys,
            old: None,
            new: None,
            write_micros: 7,
        };
        assert!(change_line(ExportFormat::Ion, ViewType::NewImage, &transient).is_none());
        let ion = change_line(ExportFormat::Ion, ViewType::NewAndOldImages, &updated).unwrap();
        assert_eq!(
            ion,
            "$ion_1_0 {Record:{Keys:{pk:\"a\"},Metadata:{WriteTimestampMicros:7.},OldImage:{pk:\"a\",v:\"1\"},NewImage:{pk:\"a\"}}}\n"
        );
    }
}
