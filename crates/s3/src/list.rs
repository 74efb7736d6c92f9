//! ListObjects (V1 and V2): keys in UTF-8 byte order under a prefix, rolled up into common
//! prefixes at a delimiter, one page at a time.

use crate::layout::{self, OBJECTS};
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
            let rolled = query
                .delimiter
                .as_deref()
                .filter(|d| !d.is_empty())
                .and_then(|d| {
                    name[query.prefix.len()..]
                        .find(d)
                        .map(|at| name[..query.prefix.len() + at + d.len()].to_owned())
                });
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
