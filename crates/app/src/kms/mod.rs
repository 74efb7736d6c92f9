//! KMS at the application layer: each operation of `TrentService` as a typed input, one
//! function that runs it with AWS's rules (key identifiers, key states, validation) and a
//! typed output; key policies judged by the one authorization entry point ([`access`]).
//!
//! S3 (SSE-KMS) and the export and import jobs call KMS *as their caller* through
//! [`service`], with `kms:ViaService`, as AWS's services do.

pub mod access;
mod aliases;
mod crypto;
mod error;
mod keys;
mod model;
mod policy;
mod resolve;
pub mod service;

pub use aliases::{create_alias, delete_alias, list_aliases, update_alias};
pub use crypto::{
    decrypt, encrypt, generate_data_key, generate_data_key_without_plaintext, re_encrypt,
};
pub use error::Error;
pub use keys::{
    cancel_key_deletion, create_key, describe_key, disable_key, enable_key, list_keys,
    list_resource_tags, schedule_key_deletion, tag_resource, untag_resource,
    update_key_description,
};
pub use model::*;
pub use policy::{get_key_policy, list_key_policies, put_key_policy};
