//! DynamoDB at the application layer: each operation's typed input and output (named as in
//! DynamoDB's API) and the function that runs it for a caller — DynamoDB's checks beyond its
//! model in its order, authorization on the table ([`access`]), the engine, and the jobs
//! exports, imports and restores record.
//!
//! The protocol edge decodes a request into the input here (JSON types and DynamoDB's model
//! constraints, with their `SerializationException` and "N validation errors detected"
//! messages) and encodes the output and the [`Error`].
//!
//! Map: [`items`] (PutItem, GetItem, UpdateItem, DeleteItem), [`read`] (Query, Scan),
//! [`batch`], [`transact`], [`tables`] (the control plane), [`settings`] (tags, TTL,
//! resource policies, limits, endpoints), [`pitr`], [`export`], [`import`], [`restore`], [`streams`] (DynamoDB Streams' API);
//! shared members in [`model`], export and import ARNs in [`job_arn`], table schemas in
//! [`schema`], `TableDescription` in [`description`]; GetItem's, Query's and Scan's bodies
//! written with a faster item writer in `json_body`.

pub mod access;
pub mod batch;
pub mod description;
pub mod error;
pub mod export;
pub mod import;
pub mod items;
pub mod job_arn;
pub mod model;
pub mod pitr;
pub mod read;
pub mod restore;
pub mod schema;
pub mod settings;
pub mod streams;
pub mod tables;
pub mod transact;

pub use error::{Error, Result};
