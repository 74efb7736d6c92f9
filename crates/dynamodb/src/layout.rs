//! Where the engine's data lives in the store: keyspace names and key builders. Every
//! key of a table starts with its 8-byte storage id, so a table's data is one range and a
//! recreated table never sees its predecessor's.
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `dynamodb.tables` | account `\0` region `\0` name | table definition (JSON) |
//! | `dynamodb.meta` | `next_table_id`, `last_stamp` | u64 |
//! | `dynamodb.items` | table · primary key | newest [`Version`](crate::version::Version) |
//! | `dynamodb.index` | table · index id · index key · primary key | projected version |
//! | `dynamodb.history` | table · primary key · stamp | version (PITR on only) |
//! | `dynamodb.changes` | table · stamp · primary key | empty (PITR on only) |
//! | `dynamodb.stats` | table | item count, total size |
//! | `dynamodb.streams` | account `\0` region `\0` name `/stream/` label | stream definition (JSON) |
//! | `dynamodb.stream_records` | table · stamp · primary key | stream record (stream on only) |
//! | `dynamodb.tokens` | account `\0` region `\0` ClientRequestToken | request digest, time |
//! | `dynamodb.exports`, `dynamodb.imports` | account `\0` region `\0` ARN | export / import record (JSON) |
//! | `dynamodb.export_tokens`, `dynamodb.import_tokens` | account `\0` region `\0` ClientToken | ARN |
//!
//! An encoded (primary or index) key starts with its partition's hash
//! (`crate::key::encode_partition`), unless its table or index is from before hashed keys.

use strata_storage::RecordKind;

pub const TABLES: &str = "dynamodb.tables";
pub const META: &str = "dynamodb.meta";
pub const ITEMS: &str = "dynamodb.items";
pub const INDEX: &str = "dynamodb.index";
pub const HISTORY: &str = "dynamodb.history";
pub const CHANGES: &str = "dynamodb.changes";
pub const STATS: &str = "dynamodb.stats";
pub const STREAMS: &str = "dynamodb.streams";
pub const STREAM_RECORDS: &str = "dynamodb.stream_records";
pub const TOKENS: &str = "dynamodb.tokens";
pub const EXPORTS: &str = "dynamodb.exports";
pub const EXPORT_TOKENS: &str = "dynamodb.export_tokens";
pub const IMPORTS: &str = "dynamodb.imports";
pub const IMPORT_TOKENS: &str = "dynamodb.import_tokens";

pub const NEXT_TABLE_ID: &[u8] = b"next_table_id";
pub const LAST_STAMP: &[u8] = b"last_stamp";

/// The kinds of record the engine stores, with the format its code writes
/// ([`strata_storage::RecordKind`]). Format 1 is the first recorded one. Table definitions
/// are at format 2: key schemas with several `HASH`/`RANGE` attributes and a key layout
/// ([`crate::schema::KeyLayout`]; a format-1 definition reads as the `Ordered` layout, so
/// nothing is rewritten, but a strata that knows only format 1 must not read them).
pub const RECORD_KINDS: &[RecordKind] = &[
    RecordKind {
        keyspace: TABLES,
        format: 2,
    },
    RecordKind {
        keyspace: META,
        format: 1,
    },
    RecordKind {
        keyspace: ITEMS,
        format: 1,
    },
    RecordKind {
        keyspace: INDEX,
        format: 1,
    },
    RecordKind {
        keyspace: HISTORY,
        format: 1,
    },
    RecordKind {
        keyspace: CHANGES,
        format: 1,
    },
    RecordKind {
        keyspace: STATS,
        format: 1,
    },
    RecordKind {
        keyspace: STREAMS,
        format: 1,
    },
    RecordKind {
        keyspace: STREAM_RECORDS,
        format: 1,
    },
    RecordKind {
        keyspace: TOKENS,
        format: 1,
    },
    RecordKind {
        keyspace: EXPORTS,
        format: 1,
    },
    RecordKind {
        keyspace: EXPORT_TOKENS,
        format: 1,
    },
    RecordKind {
        keyspace: IMPORTS,
        format: 1,
    },
    RecordKind {
        keyspace: IMPORT_TOKENS,
        format: 1,
    },
];

/// `account \0 region \0 name` (names never contain NUL).
pub fn table_key(account: &str, region: &str, name: &str) -> Vec<u8> {
    let mut key = scope_prefix(account, region);
    key.extend_from_slice(name.as_bytes());
    key
}

/// The prefix of every table key of one account and region.
pub fn scope_prefix(account: &str, region: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(account.len() + region.len() + 24);
    key.extend_from_slice(account.as_bytes());
    key.push(0);
    key.extend_from_slice(region.as_bytes());
    key.push(0);
    key
}

pub fn table_prefix(table: u64) -> [u8; 8] {
    table.to_be_bytes()
}

/// `table · encoded primary key`.
pub fn item_key(table: u64, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + key.len());
    out.extend_from_slice(&table.to_be_bytes());
    out.extend_from_slice(key);
    out
}

pub fn index_prefix(table: u64, index: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(12);
    out.extend_from_slice(&table.to_be_bytes());
    out.extend_from_slice(&index.to_be_bytes());
    out
}

/// `table · index · encoded index key · encoded primary key`.
pub fn index_key(table: u64, index: u32, index_key: &[u8], primary_key: &[u8]) -> Vec<u8> {
    let mut out = index_prefix(table, index);
    out.extend_from_slice(index_key);
    out.extend_from_slice(primary_key);
    out
}

/// `table · encoded primary key · stamp`.
pub fn history_key(table: u64, key: &[u8], stamp: u64) -> Vec<u8> {
    let mut out = item_key(table, key);
    out.extend_from_slice(&stamp.to_be_bytes());
    out
}

/// `table · stamp · encoded primary key`.
pub fn change_key(table: u64, stamp: u64, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + key.len());
    out.extend_from_slice(&table.to_be_bytes());
    out.extend_from_slice(&stamp.to_be_bytes());
    out.extend_from_slice(key);
    out
}

/// The commit stamp of a `table · stamp · key` key (the change index's, a stream record's);
/// `None` if it is too short to hold one.
pub fn change_key_stamp(key: &[u8]) -> Option<u64> {
    key.get(8..16)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
}

/// `account \0 region \0 table name /stream/ label`: a scope's streams sort as their ARNs do.
pub fn stream_key(account: &str, region: &str, table_name: &str, label: &str) -> Vec<u8> {
    let mut key = table_key(account, region, table_name);
    key.extend_from_slice(b"/stream/");
    key.extend_from_slice(label.as_bytes());
    key
}

pub fn token_key(account: &str, region: &str, token: &str) -> Vec<u8> {
    table_key(account, region, token)
}
