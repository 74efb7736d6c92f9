//! Service handlers: decoded requests in, engine calls, typed results out. They
//! know their protocol's shapes but not HTTP.

pub mod cloudformation;
pub mod dynamodb;
pub mod iam;
pub mod kms;
pub mod s3;
pub mod sts;
