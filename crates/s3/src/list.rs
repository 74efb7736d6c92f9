//! ListObjects (V1 and V2) and ListObjectVersions: keys in UTF-8 byte order under a prefix,
//! rolled up into common prefixes at a delimiter, one page at a time.

use crate::layout::{self, OBJECTS, VERSIONS};
use crate::{ObjectMeta, Result, S3};

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// List only keys after this one (V1 `marker`, V2 `start-after` or the continuation
    /// token's position). When it is a common prefix already returned, the keys under it
    /// are skipped too.
    pub after: Option<String>,
    pub max_keys: usize,
}

/// One page.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    pub objects: Vec<ObjectMeta>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    /// The last key or common prefix of this page, where the next page starts after.
    pub last: Option<String>,
}

impl S3 {
    pub fn list_objects(&self, bucket: &str, query: &ListQuery) -> Result<Listing> {
        self.bucket(bucket)?;
        if query.max_keys == 0 {
            // S3 answers an empty, untruncated page.
            return Ok(Listing::default());
        }
        let base = layout::in_bucket(bucket, "");
        let from = match &query.after {
            Some(after) if after.as_str() > query.prefix.as_str() => after.as_str(),
            _ => query.prefix.as_str(),
        };
        let start = layout::in_bucket(bucket, from);
        let mut page = Listing::default();
        let mut count = 0;
        let mut last_prefix: Option<String> = None;
        for entry in self.store.range(OBJECTS, start..)? {
            let (key, value) = entry?;
            let Some(name) = key.strip_prefix(base.as_slice()) else {
                break;
            };
            let name = String::from_utf8_lossy(name);
            if !name.starts_with(&query.prefix) {
                break;
            }
            if query.after.as_deref().is_some_and(|after| *name <= *after) {
                continue;
            }
            let rolled = common_prefix(&name, &query.prefix, query.delimiter.as_deref());
            if let Some(common) = rolled {
                if last_prefix.as_deref() == Some(common.as_str())
                    || query
                        .after
                        .as_deref()
                        .is_some_and(|a| a.starts_with(&common))
                {
                    continue;
                }
                if count == query.max_keys {
                    page.is_truncated = true;
                    break;
                }
                count += 1;
                page.last = Some(common.clone());
                page.common_prefixes.push(common.clone());
                last_prefix = Some(common);
                continue;
            }
            if count == query.max_keys {
                page.is_truncated = true;
                break;
            }
            count += 1;
            let (meta, _) = layout::decode_object(value)?;
            page.last = Some(meta.key.clone());
            page.objects.push(meta);
        }
        Ok(page)
    }
}

/// What ListObjectVersions asks.
#[derive(Clone, Debug, Default)]
pub struct VersionQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// List from this key on: after all its versions, or, with `version_id_marker`, after
    /// that version of it. A common prefix already returned skips the keys under it.
    pub key_marker: Option<String>,
    pub version_id_marker: Option<String>,
    pub max_keys: usize,
}

/// A version (or delete marker) in a listing.
#[derive(Clone, Debug)]
pub struct ListedVersion {
    pub meta: ObjectMeta,
    pub is_latest: bool,
}

/// One page of ListObjectVersions.
#[derive(Clone, Debug, Default)]
pub struct VersionListing {
    /// Versions and delete markers, by key, newest first within a key.
    pub versions: Vec<ListedVersion>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    /// Where the next page starts: the last key (or common prefix) of this page, and the
    /// last version's id.
    pub next_key_marker: Option<String>,
    pub next_version_id_marker: Option<String>,
}

impl S3 {
    /// ListObjectVersions: the current versions (`s3.objects`) and the others (`s3.versions`)
    /// walked merged by key, which is their listing order ([`crate::layout`]).
    pub fn list_versions(&self, bucket: &str, query: &VersionQuery) -> Result<VersionListing> {
        self.bucket(bucket)?;
        if query.max_keys == 0 {
            return Ok(VersionListing::default());
        }
        let base = layout::in_bucket(bucket, "");
        let marker = query.key_marker.as_deref().filter(|m| !m.is_empty());
        let version_marker = query.version_id_marker.as_deref().filter(|m| !m.is_empty());
        let from = match marker {
            Some(m) if m > query.prefix.as_str() => m,
            _ => query.prefix.as_str(),
        };
        let start = layout::in_bucket(bucket, from);
        // One view of both keyspaces: a version moving between them is listed once.
        let view = self.store.snapshot()?;
        let mut current = view.range(OBJECTS, start.as_slice()..)?.peekable();
        let mut others = view.range(VERSIONS, start.as_slice()..)?.peekable();
        let mut page = VersionListing::default();
        let mut count = 0;
        let mut last_prefix: Option<String> = None;
        let mut previous_name: Option<Vec<u8>> = None;
        // With a version marker, the marker key's versions up to that one are skipped.
        let mut before_version_marker = version_marker.is_some();
        loop {
            let take_current = match (current.peek(), others.peek()) {
                (Some(Ok((a, _))), Some(Ok((b, _)))) => a < b,
                (Some(_), _) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let (key, value) = if take_current {
                current.next()
            } else {
                others.next()
            }
            .expect("peeked")?;
            let Some(rest) = key.strip_prefix(base.as_slice()) else {
                break;
            };
            let name_bytes = if take_current {
                rest
            } else {
                rest.get(..rest.len().saturating_sub(9)).unwrap_or_default()
            };
            let is_latest = previous_name.as_deref() != Some(name_bytes);
            previous_name = Some(name_bytes.to_vec());
            let name = String::from_utf8_lossy(name_bytes);
            if !name.starts_with(&query.prefix) {
                break;
            }
            if let Some(marker) = marker {
                if *name < *marker {
                    continue;
                }
                if *name == *marker {
                    // The marker key's versions were listed up to the version marker (all of
                    // them without one).
                    if !before_version_marker {
                        if version_marker.is_none() {
                            continue;
                        }
                    } else {
                        let (meta, _) = layout::decode_object(value)?;
                        before_version_marker = Some(meta.version_text()) != version_marker;
                        continue;
                    }
                }
            }
            let rolled = common_prefix(&name, &query.prefix, query.delimiter.as_deref());
            if let Some(common) = rolled {
                if last_prefix.as_deref() == Some(common.as_str())
                    || marker.is_some_and(|m| m.starts_with(&common))
                {
                    continue;
                }
                if count == query.max_keys {
                    page.is_truncated = true;
                    break;
                }
                count += 1;
                page.next_key_marker = Some(common.clone());
                page.next_version_id_marker = None;
                page.common_prefixes.push(common.clone());
                last_prefix = Some(common);
                continue;
            }
            if count == query.max_keys {
                page.is_truncated = true;
                break;
            }
            count += 1;
            let (meta, _) = layout::decode_object(value)?;
            page.next_key_marker = Some(meta.key.clone());
            page.next_version_id_marker = Some(meta.version_text().to_owned());
            page.versions.push(ListedVersion { meta, is_latest });
        }
        if !page.is_truncated {
            page.next_key_marker = None;
            page.next_version_id_marker = None;
        }
        Ok(page)
    }
}

/// The common prefix `name` rolls up into: `prefix` and what follows up to and including the
/// first `delimiter` after it.
fn common_prefix(name: &str, prefix: &str, delimiter: Option<&str>) -> Option<String> {
    let delimiter = delimiter.filter(|d| !d.is_empty())?;
    let at = name[prefix.len()..].find(delimiter)?;
    Some(name[..prefix.len() + at + delimiter.len()].to_owned())
}
