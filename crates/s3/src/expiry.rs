//! The lifecycle pass: every bucket's enabled rules ([`crate::lifecycle`]) carried out as of now
//! on the server clock, through the same writes as DeleteObject and AbortMultipartUpload.
//!
//! The pass keeps no record: it reads what is due from the store each time, and each action
//! re-checks, inside its own write, that the version it judged is still there and still in
//! the same place (a newer write in between wins), so a pass cut short by a crash is simply
//! done again by the next one.

use strata_storage::WriteTxn;

use crate::layout::{self, BUCKETS, OBJECTS};
use crate::lifecycle::{self, Expiration, LifecycleRule};
use crate::objects::{bucket_record, delete_in};
use crate::versions::{self, Place, VersionId};
use crate::{Bucket, ListedVersion, ObjectMeta, Result, S3, S3Error, VersionQuery};

/// What falls due for one version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// The current object expires: removed, or hidden behind a delete marker when versioned.
    ExpireCurrent,
    /// A delete marker with no versions behind it goes.
    RemoveLoneMarker,
    /// A noncurrent version goes for good.
    RemoveNoncurrent,
}

impl S3 {
    /// Carries out every bucket's lifecycle rules as of now; returns how many actions it took.
    pub async fn apply_lifecycle(&self) -> Result<usize> {
        let now = self.now_micros();
        let mut buckets = Vec::new();
        for entry in self.store.prefix(BUCKETS, b"")? {
            let bucket: Bucket = layout::decode(&entry?.1)?;
            if bucket.lifecycle.iter().any(|r| r.enabled) {
                buckets.push(bucket);
            }
        }
        let mut done = 0;
        for bucket in buckets {
            match self.apply_rules(&bucket, now).await {
                Ok(n) => done += n,
                // Deleted while the pass ran.
                Err(S3Error::NoSuchBucket) => {}
                // The store itself failing stops the pass; anything else is this bucket's.
                Err(err @ S3Error::Storage(_)) => return Err(err),
                Err(err) => {
                    tracing::warn!(bucket = %bucket.name, error = %err, "lifecycle pass skipped a bucket");
                }
            }
        }
        Ok(done)
    }

    async fn apply_rules(&self, bucket: &Bucket, now: i64) -> Result<usize> {
        let rules = &bucket.lifecycle;
        let mut done = 0;
        for upload in self.uploads_in(&bucket.name)? {
            let due = rules.iter().any(|r| {
                r.applies(&upload.key, None)
                    && r.abort_incomplete_days
                        .is_some_and(|days| lifecycle::due(upload.initiated_micros, days) <= now)
            });
            if due {
                match self.abort_upload(&upload).await {
                    Ok(()) => done += 1,
                    Err(S3Error::NoSuchUpload) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        let mut query = VersionQuery {
            max_keys: 1000,
            ..Default::default()
        };
        // The time the next newer version of the same key was written (when the one after
        // it became noncurrent), and how many noncurrent versions of the key came before.
        let mut newer_written = 0;
        let mut noncurrent_rank = 0;
        loop {
            let page = self.list_versions(&bucket.name, &query)?;
            for ListedVersion { meta, is_latest } in page.versions {
                if is_latest {
                    noncurrent_rank = 0;
                }
                let judged = Judged {
                    is_latest,
                    newer_written,
                    noncurrent_rank,
                };
                let action = judged.action(rules, &meta, now);
                if !is_latest {
                    noncurrent_rank += 1;
                }
                newer_written = meta.last_modified_micros;
                if let Some(action) = action
                    && self.expire(bucket, meta, judged, action, now).await?
                {
                    done += 1;
                }
            }
            if !page.is_truncated {
                break;
            }
            query.key_marker = page.next_key_marker;
            query.version_id_marker = page.next_version_id_marker;
        }
        Ok(done)
    }

    /// Takes `action` on version `meta` if it still holds inside the write: the version is
    /// where it was, and the bucket's rules as they are now (with the version's tags as they
    /// are now) still make the action due; returns whether it took it.
    async fn expire(
        &self,
        bucket: &Bucket,
        meta: ObjectMeta,
        judged: Judged,
        action: Action,
        now: i64,
    ) -> Result<bool> {
        let (name, owner) = (bucket.name.clone(), bucket.owner.clone());
        let unused = self
            .store
            .write(move |txn| {
                let rules = bucket_record(txn, &name)?.lifecycle;
                let version = version_of(&meta);
                let Some(found) = versions::locate(&*txn, &name, &meta.key, &version)? else {
                    return Ok(None);
                };
                let current = matches!(found.place, Place::Current(_));
                let unchanged = found.meta.seq == meta.seq
                    && found.meta.last_modified_micros == meta.last_modified_micros
                    && judged.action(&rules, &found.meta, now) == Some(action);
                let judged = meta;
                let unused = match action {
                    Action::ExpireCurrent if unchanged && current => {
                        delete_in(txn, &name, &judged.key, None, owner, now)?.1
                    }
                    Action::RemoveLoneMarker
                        if unchanged && lone_marker(txn, &name, &judged.key)? =>
                    {
                        versions::remove(txn, &name, found)?
                    }
                    Action::RemoveNoncurrent if unchanged && !current => {
                        delete_in(txn, &name, &judged.key, Some(version), owner, now)?.1
                    }
                    _ => return Ok(None),
                };
                Ok::<_, S3Error>(Some(unused))
            })
            .await?;
        let Some(unused) = unused else {
            return Ok(false);
        };
        self.blobs.remove(unused).await;
        Ok(true)
    }
}

/// Where a version stood in the listing the pass judged it from.
#[derive(Clone, Copy, Debug)]
struct Judged {
    /// Whether it was its key's latest version.
    is_latest: bool,
    /// When the next newer version of its key was written (when this one became noncurrent).
    newer_written: i64,
    /// How many noncurrent versions of its key are newer.
    noncurrent_rank: i32,
}

impl Judged {
    fn action(self, rules: &[LifecycleRule], meta: &ObjectMeta, now: i64) -> Option<Action> {
        due_action(
            rules,
            meta,
            self.is_latest,
            self.newer_written,
            self.noncurrent_rank,
            now,
        )
    }
}

/// What, if anything, `rules` make due now for `meta`: the key's latest version or its
/// `noncurrent_rank`-th noncurrent one, the next newer version written at `newer_written`.
fn due_action(
    rules: &[LifecycleRule],
    meta: &ObjectMeta,
    is_latest: bool,
    newer_written: i64,
    noncurrent_rank: i32,
    now: i64,
) -> Option<Action> {
    let object = (!meta.delete_marker).then_some((meta.tags.as_slice(), meta.size));
    let applying = || rules.iter().filter(|r| r.applies(&meta.key, object));
    if is_latest && !meta.delete_marker {
        let expired = applying().any(|r| {
            r.expires_at(meta.last_modified_micros)
                .is_some_and(|at| at <= now)
        });
        return expired.then_some(Action::ExpireCurrent);
    }
    if is_latest {
        // ExpiredObjectDeleteMarker, or Expiration Days, which cleans such markers up too
        // once they are as old as it asks.
        let lone = applying().any(|r| match r.expiration {
            Some(Expiration::ExpiredObjectDeleteMarker) => true,
            Some(Expiration::Days(days)) => lifecycle::due(meta.last_modified_micros, days) <= now,
            _ => false,
        });
        return lone.then_some(Action::RemoveLoneMarker);
    }
    let expired = applying().any(|r| {
        r.noncurrent_expiration.is_some_and(|n| {
            noncurrent_rank >= n.newer_noncurrent_versions.unwrap_or(0)
                && lifecycle::due(newer_written, n.days) <= now
        })
    });
    expired.then_some(Action::RemoveNoncurrent)
}

fn version_of(meta: &ObjectMeta) -> VersionId {
    match &meta.version_id {
        Some(text) => VersionId::Id {
            seq: meta.seq,
            text: text.clone(),
        },
        None => VersionId::Null,
    }
}

/// Whether `key`'s only version is a delete marker (so it is also the latest).
fn lone_marker(txn: &WriteTxn, bucket: &str, key: &str) -> Result<bool> {
    use versions::Records;
    if txn.get(OBJECTS, &layout::in_bucket(bucket, key))?.is_some() {
        return Ok(false);
    }
    let prefix = layout::versions_of(bucket, key);
    let own = txn.all_under(crate::layout::VERSIONS, &prefix)?;
    Ok(own
        .iter()
        .filter(|(at, _)| at.len() == prefix.len() + 8)
        .count()
        == 1)
}
