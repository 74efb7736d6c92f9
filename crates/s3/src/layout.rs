//! Where the engine keeps its records in the store.
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `s3.buckets` | bucket name | [`Bucket`] JSON |
//! | `s3.counts` | bucket name | object count, u64 big-endian |
//! | `s3.objects` | `bucket/key` | u32 BE JSON length, [`ObjectMeta`] JSON, inline bytes |
//! | `s3.uploads` | `bucket/upload id` | [`Upload`] JSON |
//! | `s3.parts` | `upload id/` + part number u32 BE | [`Part`] JSON |
//! | `s3.versions` | `bucket/key` 0x00 + `!seq` u64 BE | as `s3.objects` |
//! | `s3.counts` | bucket name 0x00 `seq` | the last version sequence number, u64 BE |
//! | `s3.counts` | 0x01 `uploads/` account id | the account's open multipart uploads, u64 BE |
//!
//! Bucket names contain no `/`, so `bucket/` prefixes one bucket's objects exactly and keys
//! sort as S3 lists them (by UTF-8 bytes). `s3.objects` holds each key's current version
//! when it is an object; `s3.versions` every other version (see [`crate::versions`]),
//! newest first within a key, and after the key itself in byte order, so walking both
//! keyspaces merged by key visits a bucket's versions in ListObjectVersions order.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ObjectMeta, Result, S3Error};

use strata_storage::RecordKind;

pub const BUCKETS: &str = "s3.buckets";
pub const COUNTS: &str = "s3.counts";
pub const OBJECTS: &str = "s3.objects";
pub const UPLOADS: &str = "s3.uploads";
pub const PARTS: &str = "s3.parts";
pub const VERSIONS: &str = "s3.versions";

/// The kinds of record the engine stores, with the format its code writes
/// ([`strata_storage::RecordKind`]). Format 1 is the first recorded one.
pub const RECORD_KINDS: &[RecordKind] = &[
    RecordKind {
        keyspace: BUCKETS,
        format: 1,
    },
    // Format 2 adds each account's count of open multipart uploads (0x01 `uploads/` keys),
    // recounted from `s3.uploads` when an older directory is opened
    // ([`crate::recount_open_uploads`]).
    RecordKind {
        keyspace: COUNTS,
        format: 2,
    },
    RecordKind {
        keyspace: OBJECTS,
        format: 1,
    },
    RecordKind {
        keyspace: UPLOADS,
        format: 1,
    },
    RecordKind {
        keyspace: PARTS,
        format: 1,
    },
    RecordKind {
        keyspace: VERSIONS,
        format: 1,
    },
];

/// `bucket/` + `rest`.
pub fn in_bucket(bucket: &str, rest: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(bucket.len() + 1 + rest.len());
    key.extend_from_slice(bucket.as_bytes());
    key.push(b'/');
    key.extend_from_slice(rest.as_bytes());
    key
}

/// Where version `seq` of `key` lives in [`VERSIONS`].
pub fn version_key(bucket: &str, key: &str, seq: u64) -> Vec<u8> {
    let mut out = versions_of(bucket, key);
    out.extend_from_slice(&(u64::MAX - seq).to_be_bytes());
    out
}

/// The prefix of every stored version of `key` in [`VERSIONS`].
pub fn versions_of(bucket: &str, key: &str) -> Vec<u8> {
    let mut out = in_bucket(bucket, key);
    out.push(0);
    out
}

/// The key under which [`COUNTS`] keeps a bucket's last version sequence number.
pub fn sequence_key(bucket: &str) -> Vec<u8> {
    let mut out = bucket.as_bytes().to_vec();
    out.extend_from_slice(b"\0seq");
    out
}

/// The key under which [`COUNTS`] keeps the number of multipart uploads `account` has in
/// progress (0x01 starts no bucket name).
pub fn open_uploads_key(account: &str) -> Vec<u8> {
    let mut out = b"\x01uploads/".to_vec();
    out.extend_from_slice(account.as_bytes());
    out
}

pub fn part_key(upload_id: &str, part_number: u32) -> Vec<u8> {
    let mut key = in_bucket(upload_id, "");
    key.extend_from_slice(&part_number.to_be_bytes());
    key
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialize")
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| S3Error::Corrupt(e.to_string()))
}

pub fn encode_object(meta: &ObjectMeta, inline: &[u8]) -> Vec<u8> {
    let json = encode(meta);
    let mut out = Vec::with_capacity(4 + json.len() + inline.len());
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(inline);
    out
}

pub fn decode_object(bytes: Vec<u8>) -> Result<(ObjectMeta, Bytes)> {
    let corrupt = || S3Error::Corrupt("object record too short".into());
    let len = u32::from_be_bytes(
        bytes
            .get(..4)
            .ok_or_else(corrupt)?
            .try_into()
            .expect("4 bytes"),
    ) as usize;
    let json = bytes.get(4..4 + len).ok_or_else(corrupt)?;
    let meta = decode(json)?;
    let inline = Bytes::from(bytes).slice(4 + len..);
    Ok((meta, inline))
}

pub fn count(bytes: Option<Vec<u8>>) -> u64 {
    bytes
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_be_bytes)
}
