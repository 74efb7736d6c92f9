//! Where an export's objects go (spec §4.1, §5.1): everything under
//! `<P>AWSDynamoDB/<ExportId>/`, where `P` is the prefix with a `/` added unless it has
//! one; an incremental export's data files in the shared `<P>AWSDynamoDB/data/`.

use md5::{Digest, Md5};

/// The keys of one export's objects.
#[derive(Clone, Debug)]
pub struct ExportKeys {
    root: String,
    export_dir: String,
    incremental: bool,
}

impl ExportKeys {
    pub fn new(prefix: Option<&str>, export_id: &str, incremental: bool) -> Self {
        let root = match prefix {
            None => String::new(),
            Some(p) if p.ends_with('/') => p.to_owned(),
            Some(p) => format!("{p}/"),
        };
        let export_dir = format!("{root}AWSDynamoDB/{export_id}/");
        Self {
            root,
            export_dir,
            incremental,
        }
    }

    pub fn started(&self) -> String {
        format!("{}_started", self.export_dir)
    }

    pub fn data_file(&self, name: &str) -> String {
        if self.incremental {
            format!("{}AWSDynamoDB/data/{name}", self.root)
        } else {
            format!("{}data/{name}", self.export_dir)
        }
    }

    pub fn manifest_files(&self) -> String {
        format!("{}manifest-files.json", self.export_dir)
    }

    pub fn manifest_files_md5(&self) -> String {
        format!("{}manifest-files.md5", self.export_dir)
    }

    pub fn manifest_summary(&self) -> String {
        format!("{}manifest-summary.json", self.export_dir)
    }

    pub fn manifest_summary_md5(&self) -> String {
        format!("{}manifest-summary.md5", self.export_dir)
    }
}

/// The name of data file `index` of export `export_id`: 26 lowercase base32 characters
/// plus the format's extension. Derived from the export, so a resumed export rewrites the
/// same objects instead of leaving strays.
pub fn data_file_name(export_id: &str, index: usize, extension: &str) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let digest = Md5::new()
        .chain_update(export_id.as_bytes())
        .chain_update(index.to_be_bytes())
        .finalize();
    let bits = u128::from_be_bytes(digest.into());
    let mut name: String = (0..26)
        .map(|i| {
            let shift = 128i32 - 5 * (i + 1);
            let chunk = if shift >= 0 {
                (bits >> shift) & 0x1f
            } else {
                (bits << -shift) & 0x1f
            };
            char::from(ALPHABET[chunk as usize])
        })
        .collect();
    name.push_str(extension);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_prefix_rules() {
        let keys = ExportKeys::new(Some("exports"), "01693467621041-039fcf72", false);
        assert_eq!(
            keys.started(),
            "exports/AWSDynamoDB/01693467621041-039fcf72/_started"
        );
        assert_eq!(
            keys.manifest_summary(),
            "exports/AWSDynamoDB/01693467621041-039fcf72/manifest-summary.json"
        );
        assert_eq!(
            ExportKeys::new(Some("foo/"), "x", false).manifest_files_md5(),
            "foo/AWSDynamoDB/x/manifest-files.md5"
        );
        assert_eq!(
            ExportKeys::new(None, "x", false).data_file("a.json.gz"),
            "AWSDynamoDB/x/data/a.json.gz"
        );
        assert_eq!(
            ExportKeys::new(None, "x", true).data_file("a.json.gz"),
            "AWSDynamoDB/data/a.json.gz"
        );
    }

    #[test]
    fn data_file_names_are_26_base32_characters_and_stable() {
        let name = data_file_name("01693467621041-039fcf72", 0, ".json.gz");
        assert_eq!(name.len(), 26 + 8);
        assert!(
            name[..26]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        );
        assert_eq!(
            name,
            data_file_name("01693467621041-039fcf72", 0, ".json.gz")
        );
        assert_ne!(
            name,
            data_file_name("01693467621041-039fcf72", 1, ".json.gz")
        );
    }
}
