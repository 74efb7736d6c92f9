//! Engine tests over a temporary store and object directory.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use strata_clock::Clock;
use strata_storage::faults::FaultyBackend;
use strata_storage::{FjallBackend, Store};

use crate::objects::NewObject;
use crate::{BlobDir, CreateBucket, ListQuery, S3, S3Error, Upload};

const OWNER: &str = "111111111111";

fn engine() -> (S3, tempfile::TempDir) {
    engine_on(Clock::new())
}

fn engine_on(clock: Clock) -> (S3, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let blobs = BlobDir::open(&dir.path().join("objects")).unwrap();
    (S3::new(store, clock, blobs), dir)
}

async fn bucket(s3: &S3, name: &str) {
    s3.create_bucket(CreateBucket {
        name: name.into(),
        owner: OWNER.into(),
        region: "us-east-1".into(),
        ownership: None,
        acl: None,
        grants: None,
    })
    .await
    .unwrap();
}

/// An upload of `key` to start (the engine fills its id and time).
fn new_upload(bucket: &str, key: &str) -> Upload {
    Upload {
        upload_id: String::new(),
        bucket: bucket.into(),
        key: key.into(),
        initiated_micros: 0,
        initiator: OWNER.into(),
        initiator_arn: format!("arn:aws:iam::{OWNER}:root"),
        headers: Default::default(),
        acl: None,
        grants: None,
        tags: Vec::new(),
        checksum_algorithm: None,
        sse_kms: None,
    }
}

async fn put(s3: &S3, bucket: &str, key: &str, body: &[u8]) -> crate::ObjectMeta {
    let mut writer = s3.body_writer();
    for chunk in body.chunks(100_000) {
        writer.write(chunk).await.unwrap();
    }
    let blob = writer.finish(None).await.unwrap();
    s3.put_object(
        NewObject {
            bucket: bucket.into(),
            key: key.into(),
            owner: OWNER.into(),
            ..Default::default()
        },
        blob,
    )
    .await
    .unwrap()
}

async fn read(s3: &S3, bucket: &str, key: &str, start: u64, len: u64) -> Vec<u8> {
    let object = s3.get_object(bucket, key, None).unwrap();
    let mut reader = s3.read_object(&object, start, len, None).await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = reader.next_chunk().await.unwrap() {
        out.extend_from_slice(&chunk);
    }
    out
}

/// Every blob file under the object directory.
fn files(dir: &tempfile::TempDir) -> usize {
    walk(&dir.path().join("objects"))
}

fn walk(path: &std::path::Path) -> usize {
    std::fs::read_dir(path).map_or(0, |entries| {
        entries
            .map(|e| {
                let p = e.unwrap().path();
                if p.is_dir() { walk(&p) } else { 1 }
            })
            .sum()
    })
}

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

#[tokio::test]
async fn small_objects_stay_inline_and_large_ones_are_files_removed_on_overwrite() {
    let (s3, dir) = engine();
    bucket(&s3, "bk1").await;
    let small = put(&s3, "bk1", "small", b"hello").await;
    assert!(small.segments.is_empty());
    assert_eq!(small.etag, "5d41402abc4b2a76b9719d911017c592");
    assert_eq!(files(&dir), 0);
    let body = bytes(300_000);
    let big = put(&s3, "bk1", "big", &body).await;
    assert_eq!(big.segments.len(), 1);
    assert_eq!(files(&dir), 1);
    assert_eq!(read(&s3, "bk1", "big", 0, big.size).await, body);
    assert_eq!(read(&s3, "bk1", "big", 1000, 10).await, body[1000..1010]);
    put(&s3, "bk1", "big", b"now small").await;
    assert_eq!(files(&dir), 0, "the replaced object's file is removed");
    assert_eq!(read(&s3, "bk1", "big", 0, 9).await, b"now small");
    s3.delete_object("bk1", "small", None, OWNER).await.unwrap();
    assert!(matches!(
        s3.get_object("bk1", "small", None),
        Err(S3Error::NoSuchKey)
    ));
    assert!(matches!(
        s3.get_object("nope", "k", None),
        Err(S3Error::NoSuchBucket)
    ));
}

/// What `object` reads as from `start` for `len` bytes, with data key `key`.
async fn read_with(
    s3: &S3,
    object: &crate::StoredObject,
    start: u64,
    len: u64,
    key: Option<&crate::DataKey>,
) -> crate::Result<Vec<u8>> {
    let mut reader = s3.read_object(object, start, len, key).await?;
    let mut out = Vec::new();
    while let Some(chunk) = reader.next_chunk().await? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[tokio::test]
async fn encrypted_bodies_are_ciphertext_on_disk_and_read_back_from_any_offset() {
    let (s3, dir) = engine();
    bucket(&s3, "enc").await;
    let key: crate::DataKey = [7; 32];
    // A small body, kept inline encrypted; and a multipart object of two parts, each with its
    // own IV.
    let body = b"a small secret".to_vec();
    let mut writer = s3.body_writer().encrypt(&key).unwrap();
    writer.write(&body).await.unwrap();
    let blob = writer.finish(None).await.unwrap();
    // The ETag of an encrypted body is not the MD5 of its data, as on S3.
    assert_ne!(
        blob.etag(),
        hex::encode(<md5::Md5 as md5::Digest>::digest(&body))
    );
    assert_eq!(blob.md5[..], <md5::Md5 as md5::Digest>::digest(&body)[..]);
    s3.put_object(
        NewObject {
            bucket: "enc".into(),
            key: "small".into(),
            owner: OWNER.into(),
            ..Default::default()
        },
        blob,
    )
    .await
    .unwrap();
    let object = s3.get_object("enc", "small", None).unwrap();
    // Kept inline, as ciphertext.
    assert_eq!(object.inline.len(), body.len());
    assert_ne!(&object.inline[..], &body[..]);
    assert_eq!(
        read_with(&s3, &object, 0, 14, Some(&key)).await.unwrap(),
        body
    );
    assert_eq!(
        read_with(&s3, &object, 2, 5, Some(&key)).await.unwrap(),
        &body[2..7]
    );
    assert!(read_with(&s3, &object, 0, 14, None).await.is_err());
    assert_ne!(
        read_with(&s3, &object, 0, 14, Some(&[8; 32]))
            .await
            .unwrap(),
        body
    );

    let upload = s3.create_upload(new_upload("enc", "mp")).await.unwrap();
    let parts = [bytes(5 << 20), bytes(70_000)];
    let mut chosen = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let mut writer = s3.part_writer().encrypt(&key).unwrap();
        writer.write(part).await.unwrap();
        let blob = writer.finish(None).await.unwrap();
        let stored = s3
            .put_part(&upload, i as u32 + 1, blob, Vec::new())
            .await
            .unwrap();
        chosen.push((i as u32 + 1, stored.etag));
    }
    s3.complete_upload(&upload, OWNER.into(), &chosen, Vec::new(), None)
        .await
        .unwrap();
    let object = s3.get_object("enc", "mp", None).unwrap();
    let whole = [parts[0].clone(), parts[1].clone()].concat();
    let start = (5 << 20) - 1000;
    assert_eq!(
        read_with(&s3, &object, start, 3000, Some(&key))
            .await
            .unwrap(),
        &whole[start as usize..start as usize + 3000]
    );
    // No file holds the plaintext.
    let needle = &parts[1][..64];
    for entry in walkdir(&dir.path().join("objects")) {
        let stored = std::fs::read(entry).unwrap();
        assert!(!stored.windows(64).any(|w| w == needle));
    }
}

fn walkdir(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_body_failing_its_md5_leaves_no_file_and_no_object() {
    let (s3, dir) = engine();
    bucket(&s3, "bk1").await;
    let mut writer = s3.body_writer();
    writer.write(&bytes(200_000)).await.unwrap();
    let err = writer.finish(Some(&[0; 16])).await.err().unwrap();
    assert!(matches!(err, S3Error::BadDigest));
    assert_eq!(files(&dir), 0);
    assert_eq!(s3.object_count("bk1").unwrap(), 0);
}

#[tokio::test]
async fn objects_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let body = bytes(150_000);
    {
        let store = Store::open(&dir.path().join("db")).unwrap();
        let s3 = S3::new(
            store,
            Clock::new(),
            BlobDir::open(&dir.path().join("objects")).unwrap(),
        );
        bucket(&s3, "bk1").await;
        put(&s3, "bk1", "k", &body).await;
    }
    let store = Store::open(&dir.path().join("db")).unwrap();
    let s3 = S3::new(
        store,
        Clock::new(),
        BlobDir::open(&dir.path().join("objects")).unwrap(),
    );
    assert_eq!(read(&s3, "bk1", "k", 0, body.len() as u64).await, body);
}

#[tokio::test]
async fn buckets_are_global_and_delete_only_when_empty() {
    let (s3, _dir) = engine();
    bucket(&s3, "bk1").await;
    // us-east-1: re-creating one's own bucket answers the existing one.
    bucket(&s3, "bk1").await;
    let other = s3
        .create_bucket(CreateBucket {
            name: "bk1".into(),
            owner: "222222222222".into(),
            region: "us-east-1".into(),
            ownership: None,
            acl: None,
            grants: None,
        })
        .await;
    assert!(matches!(other, Err(S3Error::BucketAlreadyExists)));
    let bad = s3
        .create_bucket(CreateBucket {
            name: "Bad_Name".into(),
            owner: OWNER.into(),
            region: "us-east-1".into(),
            ownership: None,
            acl: None,
            grants: None,
        })
        .await;
    assert!(matches!(bad, Err(S3Error::InvalidBucketName(_))));
    put(&s3, "bk1", "k", b"x").await;
    assert!(matches!(
        s3.delete_bucket("bk1").await,
        Err(S3Error::BucketNotEmpty)
    ));
    s3.delete_object("bk1", "k", None, OWNER).await.unwrap();
    s3.delete_bucket("bk1").await.unwrap();
    assert!(s3.list_buckets(OWNER).unwrap().is_empty());
}

#[tokio::test]
async fn listing_rolls_up_common_prefixes_and_pages() {
    let (s3, _dir) = engine();
    bucket(&s3, "bk1").await;
    for key in ["a/1", "a/2", "b", "c/1", "c/2/x", "d"] {
        put(&s3, "bk1", key, b"x").await;
    }
    let query = |after: Option<&str>, max| ListQuery {
        prefix: String::new(),
        delimiter: Some("/".into()),
        after: after.map(str::to_owned),
        max_keys: max,
    };
    let page = s3.list_objects("bk1", &query(None, 3)).unwrap();
    assert_eq!(page.common_prefixes, ["a/", "c/"]);
    assert_eq!(
        page.objects
            .iter()
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>(),
        ["b"]
    );
    assert!(page.is_truncated);
    assert_eq!(page.last.as_deref(), Some("c/"));
    let next = s3.list_objects("bk1", &query(Some("c/"), 3)).unwrap();
    assert!(next.common_prefixes.is_empty());
    assert_eq!(
        next.objects
            .iter()
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>(),
        ["d"]
    );
    assert!(!next.is_truncated);
    let under = s3
        .list_objects(
            "bk1",
            &ListQuery {
                prefix: "c/".into(),
                delimiter: Some("/".into()),
                after: None,
                max_keys: 1000,
            },
        )
        .unwrap();
    assert_eq!(under.common_prefixes, ["c/2/"]);
    assert_eq!(under.objects[0].key, "c/1");
}

#[tokio::test]
async fn multipart_objects_are_their_parts_with_the_md5_of_md5s_etag() {
    let (s3, dir) = engine();
    bucket(&s3, "bk1").await;
    let upload = s3.create_upload(new_upload("bk1", "mp")).await.unwrap();
    let first = bytes(5 * 1024 * 1024);
    let last = b"tail".to_vec();
    let mut etags = Vec::new();
    for (number, body) in [(1, &first), (2, &last), (3, &last)] {
        let mut writer = s3.part_writer();
        writer.write(body).await.unwrap();
        let blob = writer.finish(None).await.unwrap();
        etags.push(
            s3.put_part(&upload, number, blob, Vec::new())
                .await
                .unwrap()
                .etag,
        );
    }
    assert_eq!(files(&dir), 3);
    let small_first = s3
        .complete_upload(
            &upload,
            OWNER.into(),
            &[(2, etags[1].clone()), (3, etags[2].clone())],
            Vec::new(),
            None,
        )
        .await;
    assert!(matches!(small_first, Err(S3Error::EntityTooSmall)));
    let wrong = s3
        .complete_upload(&upload, OWNER.into(), &[(1, "00".into())], Vec::new(), None)
        .await;
    assert!(matches!(wrong, Err(S3Error::InvalidPart)));
    let meta = s3
        .complete_upload(
            &upload,
            OWNER.into(),
            &[(1, etags[0].clone()), (2, etags[1].clone())],
            Vec::new(),
            None,
        )
        .await
        .unwrap();
    let mut md5s = Vec::new();
    for etag in &etags[..2] {
        md5s.extend(hex::decode(etag).unwrap());
    }
    use md5::Digest;
    assert_eq!(
        meta.etag,
        format!("{}-2", hex::encode(md5::Md5::digest(&md5s)))
    );
    assert_eq!(files(&dir), 2, "the part left out is removed");
    let mut whole = first.clone();
    whole.extend_from_slice(&last);
    assert_eq!(read(&s3, "bk1", "mp", 0, meta.size).await, whole);
    assert!(matches!(
        s3.upload("bk1", "mp", &upload.upload_id),
        Err(S3Error::NoSuchUpload)
    ));
}

#[tokio::test]
async fn files_no_record_names_are_removed_at_startup() {
    let (s3, dir) = engine();
    bucket(&s3, "bk1").await;
    let body = bytes(100_000);
    put(&s3, "bk1", "kept", &body).await;
    // What a crash between a body's fsync and its record's commit leaves behind.
    let orphan = dir
        .path()
        .join("objects/ab/ab000000000000000000000000000000");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"lost").unwrap();
    assert_eq!(files(&dir), 2);
    assert_eq!(s3.remove_unreferenced_files().await.unwrap(), 1);
    assert_eq!(files(&dir), 1);
    assert_eq!(read(&s3, "bk1", "kept", 0, body.len() as u64).await, body);
}

#[tokio::test]
async fn a_commit_failed_part_way_keeps_its_file_and_a_refused_one_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let body = bytes(200_000);
    {
        let backend = FaultyBackend::new(FjallBackend::open(&dir.path().join("db")).unwrap());
        let fail = backend.fail.clone();
        let store = Store::with_backend(Arc::new(backend)).unwrap();
        let blobs = BlobDir::open(&dir.path().join("objects")).unwrap();
        let s3 = S3::new(store, Clock::new(), blobs);
        bucket(&s3, "bk1").await;

        fail.store(true, Ordering::SeqCst);
        let mut writer = s3.body_writer();
        writer.write(&body).await.unwrap();
        let blob = writer.finish(None).await.unwrap();
        let new = |key: &str| NewObject {
            bucket: "bk1".into(),
            key: key.into(),
            owner: OWNER.into(),
            ..Default::default()
        };
        let err = s3.put_object(new("k"), blob).await.unwrap_err();
        assert!(err.may_have_written() && err.is_unavailable(), "{err:?}");
        // The record is applied: its file must stay, and the body reads back whole.
        assert_eq!(files(&dir), 1);
        assert_eq!(read(&s3, "bk1", "k", 0, body.len() as u64).await, body);

        // The store now refuses writes (poisoned): nothing was written, the file goes.
        let mut writer = s3.body_writer();
        writer.write(&body).await.unwrap();
        let blob = writer.finish(None).await.unwrap();
        let err = s3.put_object(new("refused"), blob).await.unwrap_err();
        assert!(!err.may_have_written() && err.is_unavailable(), "{err:?}");
        assert_eq!(files(&dir), 1);
    }
    // Closing fjall flushed the journal, so the failed commit survived: with its body.
    let store = Store::open(&dir.path().join("db")).unwrap();
    let blobs = BlobDir::open(&dir.path().join("objects")).unwrap();
    let s3 = S3::new(store, Clock::new(), blobs);
    assert_eq!(s3.remove_unreferenced_files().await.unwrap(), 0);
    assert_eq!(read(&s3, "bk1", "k", 0, body.len() as u64).await, body);
    assert!(matches!(
        s3.get_object("bk1", "refused", None),
        Err(S3Error::NoSuchKey)
    ));
}

#[tokio::test]
async fn a_body_the_disk_has_no_room_for_is_refused_before_it_is_read() {
    let (s3, _dir) = engine();
    for writer in [s3.body_writer(), s3.part_writer()] {
        let err = writer.check_room(u64::MAX / 2).unwrap_err();
        assert!(err.is_unavailable(), "{err:?}");
    }
    // A body that stays inline is the store's to refuse.
    s3.body_writer().check_room(1000).unwrap();
    s3.body_writer().check_room(1024 * 1024).unwrap();
}

// --- versioning ------------------------------------------------------------------------

async fn set_versioning(s3: &S3, bucket: &str, state: crate::Versioning) {
    s3.update_bucket(bucket, move |b| {
        b.versioning = Some(state);
        Ok(())
    })
    .await
    .unwrap();
}

fn version(meta: &crate::ObjectMeta) -> crate::VersionId {
    crate::VersionId::parse(meta.version_text()).unwrap()
}

fn all_versions(s3: &S3, bucket: &str) -> Vec<(String, String, bool, bool)> {
    let query = crate::VersionQuery {
        max_keys: 1000,
        ..Default::default()
    };
    s3.list_versions(bucket, &query)
        .unwrap()
        .versions
        .into_iter()
        .map(|v| {
            let id = v.meta.version_text().to_owned();
            (v.meta.key, id, v.meta.delete_marker, v.is_latest)
        })
        .collect()
}

#[tokio::test]
async fn enabled_versions_stack_and_a_delete_marker_hides_them() {
    use crate::Versioning::Enabled;
    let (s3, _dir) = engine();
    bucket(&s3, "bk1").await;
    put(&s3, "bk1", "k", b"before").await;
    set_versioning(&s3, "bk1", Enabled).await;
    let one = put(&s3, "bk1", "k", b"one").await;
    let two = put(&s3, "bk1", "k", b"two").await;
    assert_ne!(one.version_id, two.version_id);
    assert!(one.version_id.is_some());
    let got = s3.get_object("bk1", "k", Some(&version(&one))).unwrap();
    assert_eq!(got.inline.as_ref(), b"one");
    let null = crate::VersionId::Null;
    assert_eq!(
        s3.get_object("bk1", "k", Some(&null))
            .unwrap()
            .inline
            .as_ref(),
        b"before"
    );

    let deleted = s3.delete_object("bk1", "k", None, OWNER).await.unwrap();
    assert!(deleted.delete_marker);
    let marker = deleted.version_id.unwrap();
    assert!(matches!(
        s3.get_object("bk1", "k", None),
        Err(S3Error::DeleteMarker { named: false, .. })
    ));
    let marker_id = crate::VersionId::parse(&marker).unwrap();
    assert!(matches!(
        s3.get_object("bk1", "k", Some(&marker_id)),
        Err(S3Error::DeleteMarker { named: true, .. })
    ));
    let listed = all_versions(&s3, "bk1");
    let ids: Vec<&str> = listed.iter().map(|v| v.1.as_str()).collect();
    assert_eq!(
        ids,
        [
            marker.as_str(),
            two.version_text(),
            one.version_text(),
            "null"
        ]
    );
    assert_eq!(
        listed.iter().map(|v| (v.2, v.3)).collect::<Vec<_>>(),
        [(true, true), (false, false), (false, false), (false, false)]
    );
    assert_eq!(s3.object_count("bk1").unwrap(), 4);
    assert!(
        s3.list_objects(
            "bk1",
            &ListQuery {
                max_keys: 10,
                ..Default::default()
            }
        )
        .unwrap()
        .objects
        .is_empty()
    );

    // Deleting the marker brings the newest version back.
    let undone = s3
        .delete_object("bk1", "k", Some(marker_id), OWNER)
        .await
        .unwrap();
    assert!(undone.delete_marker);
    assert_eq!(read(&s3, "bk1", "k", 0, 3).await, b"two");
    // Deleting the current version makes the previous one current.
    s3.delete_object("bk1", "k", Some(version(&two)), OWNER)
        .await
        .unwrap();
    assert_eq!(read(&s3, "bk1", "k", 0, 3).await, b"one");
    assert!(matches!(
        s3.get_object("bk1", "k", Some(&version(&two))),
        Err(S3Error::NoSuchVersion)
    ));
    assert_eq!(s3.object_count("bk1").unwrap(), 2);
    assert!(matches!(
        s3.delete_bucket("bk1").await,
        Err(S3Error::BucketNotEmpty)
    ));
    s3.delete_object("bk1", "k", Some(version(&one)), OWNER)
        .await
        .unwrap();
    s3.delete_object("bk1", "k", Some(null), OWNER)
        .await
        .unwrap();
    s3.delete_bucket("bk1").await.unwrap();
}

#[tokio::test]
async fn suspended_writes_replace_only_the_null_version() {
    use crate::Versioning::{Enabled, Suspended};
    let (s3, dir) = engine();
    bucket(&s3, "bk1").await;
    let big = vec![7u8; 100_000];
    put(&s3, "bk1", "k", &big).await;
    set_versioning(&s3, "bk1", Enabled).await;
    let one = put(&s3, "bk1", "k", b"one").await;
    set_versioning(&s3, "bk1", Suspended).await;
    let null = put(&s3, "bk1", "k", b"null again").await;
    assert_eq!(null.version_id, None);
    assert_ne!(null.seq, 0);
    let listed = all_versions(&s3, "bk1");
    assert_eq!(
        listed.iter().map(|v| v.1.as_str()).collect::<Vec<_>>(),
        ["null", one.version_text()]
    );
    // The first null version's file went with it.
    let files = walk_files(&dir.path().join("objects"));
    assert_eq!(files, 0);
    // A delete while suspended is a null delete marker, replacing the null version.
    let deleted = s3.delete_object("bk1", "k", None, OWNER).await.unwrap();
    assert_eq!(deleted.version_id.as_deref(), Some("null"));
    let listed = all_versions(&s3, "bk1");
    assert_eq!(
        listed
            .iter()
            .map(|v| (v.1.as_str(), v.2))
            .collect::<Vec<_>>(),
        [("null", true), (one.version_text(), false)]
    );
    assert_eq!(s3.object_count("bk1").unwrap(), 2);
}

fn walk_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                walk_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[tokio::test]
async fn version_listing_pages_by_key_and_version_markers() {
    let (s3, _dir) = engine();
    bucket(&s3, "bk1").await;
    set_versioning(&s3, "bk1", crate::Versioning::Enabled).await;
    for key in ["a", "b/1", "b/2", "c"] {
        for _ in 0..3 {
            put(&s3, "bk1", key, key.as_bytes()).await;
        }
    }
    let everything = all_versions(&s3, "bk1");
    assert_eq!(everything.len(), 12);
    let mut paged = Vec::new();
    let mut query = crate::VersionQuery {
        max_keys: 5,
        ..Default::default()
    };
    loop {
        let page = s3.list_versions("bk1", &query).unwrap();
        paged.extend(
            page.versions
                .iter()
                .map(|v| v.meta.version_text().to_owned()),
        );
        if !page.is_truncated {
            break;
        }
        query.key_marker = page.next_key_marker;
        query.version_id_marker = page.next_version_id_marker;
    }
    let ids: Vec<String> = everything.iter().map(|v| v.1.clone()).collect();
    assert_eq!(paged, ids);
    let latest: Vec<bool> = everything.iter().map(|v| v.3).collect();
    assert_eq!(latest, [true, false, false].repeat(4));

    let rolled = s3
        .list_versions(
            "bk1",
            &crate::VersionQuery {
                delimiter: Some("/".into()),
                max_keys: 4,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(rolled.common_prefixes, ["b/"]);
    assert_eq!(rolled.versions.len(), 3);
    assert!(rolled.is_truncated);
    assert_eq!(rolled.next_key_marker.as_deref(), Some("b/"));
    let rest = s3
        .list_versions(
            "bk1",
            &crate::VersionQuery {
                delimiter: Some("/".into()),
                key_marker: Some("b/".into()),
                max_keys: 4,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(rest.common_prefixes.is_empty());
    assert_eq!(rest.versions.len(), 3);
    assert!(rest.versions.iter().all(|v| v.meta.key == "c"));
}

#[tokio::test]
async fn noncurrent_version_files_survive_the_startup_sweep() {
    let (s3, _dir) = engine();
    bucket(&s3, "bk1").await;
    set_versioning(&s3, "bk1", crate::Versioning::Enabled).await;
    let big = vec![1u8; 100_000];
    let first = put(&s3, "bk1", "k", &big).await;
    put(&s3, "bk1", "k", &big).await;
    assert_eq!(s3.remove_unreferenced_files().await.unwrap(), 0);
    let old = s3.get_object("bk1", "k", Some(&version(&first))).unwrap();
    let mut reader = s3.read_object(&old, 0, 100_000, None).await.unwrap();
    let mut len = 0;
    while let Some(chunk) = reader.next_chunk().await.unwrap() {
        len += chunk.len();
    }
    assert_eq!(len, 100_000);
}

// --- lifecycle ---------------------------------------------------------------------------

async fn set_lifecycle(s3: &S3, bucket: &str, rules: Vec<crate::lifecycle::LifecycleRule>) {
    s3.update_bucket(bucket, move |b| {
        b.lifecycle = rules;
        Ok(())
    })
    .await
    .unwrap();
}

const DAY: f64 = 86_400.0;

#[tokio::test]
async fn lifecycle_expires_current_then_noncurrent_versions_then_the_lone_marker() {
    use crate::lifecycle::{Expiration, Filter, LifecycleRule, NoncurrentExpiration};
    let clock = Clock::new();
    let (s3, _dir) = engine_on(clock.clone());
    bucket(&s3, "bk1").await;
    set_versioning(&s3, "bk1", crate::Versioning::Enabled).await;
    put(&s3, "bk1", "logs/a", b"1").await;
    put(&s3, "bk1", "keep/b", b"2").await;
    set_lifecycle(
        &s3,
        "bk1",
        vec![
            LifecycleRule {
                id: "current".into(),
                enabled: true,
                filter: Some(Filter::Prefix("logs/".into())),
                expiration: Some(Expiration::Days(1)),
                ..Default::default()
            },
            LifecycleRule {
                id: "old".into(),
                enabled: true,
                noncurrent_expiration: Some(NoncurrentExpiration {
                    days: 1,
                    newer_noncurrent_versions: None,
                }),
                ..Default::default()
            },
        ],
    )
    .await;
    assert_eq!(s3.apply_lifecycle().await.unwrap(), 0);
    clock.advance(2.0 * DAY).unwrap();
    // The current version of logs/a goes behind a delete marker; keep/b stays.
    assert_eq!(s3.apply_lifecycle().await.unwrap(), 1);
    assert!(matches!(
        s3.get_object("bk1", "logs/a", None),
        Err(S3Error::DeleteMarker { named: false, .. })
    ));
    assert_eq!(read(&s3, "bk1", "keep/b", 0, 1).await, b"2");
    // A day or two later the now noncurrent version goes, and with it (Days cleans up lone
    // markers) the marker.
    clock.advance(2.0 * DAY).unwrap();
    s3.apply_lifecycle().await.unwrap();
    s3.apply_lifecycle().await.unwrap();
    let left = all_versions(&s3, "bk1");
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].0, "keep/b");
}

#[tokio::test]
async fn lifecycle_aborts_incomplete_uploads_and_leaves_disabled_rules_alone() {
    use crate::lifecycle::{Expiration, LifecycleRule};
    let clock = Clock::new();
    let (s3, _dir) = engine_on(clock.clone());
    bucket(&s3, "bk1").await;
    put(&s3, "bk1", "k", b"x").await;
    let upload = s3.create_upload(new_upload("bk1", "big")).await.unwrap();
    set_lifecycle(
        &s3,
        "bk1",
        vec![
            LifecycleRule {
                id: "uploads".into(),
                enabled: true,
                abort_incomplete_days: Some(1),
                ..Default::default()
            },
            LifecycleRule {
                id: "off".into(),
                enabled: false,
                expiration: Some(Expiration::Days(1)),
                ..Default::default()
            },
        ],
    )
    .await;
    clock.advance(3.0 * DAY).unwrap();
    assert_eq!(s3.apply_lifecycle().await.unwrap(), 1);
    assert!(matches!(
        s3.upload("bk1", "big", &upload.upload_id),
        Err(S3Error::NoSuchUpload)
    ));
    assert_eq!(read(&s3, "bk1", "k", 0, 1).await, b"x");
}
