//! DynamoDB at the application layer: which table a request names and whether the caller
//! may act on it ([`access`]).

pub mod access;
