//! KMS as AWS's services call it for their caller (spec kms-sse §4.4, §5.2): S3 asks for a
//! data key to encrypt an object and for its plaintext to read one, *as the requester*, with
//! `kms:ViaService` set, so the key policy and the requester's identity policies decide
//! exactly as for a direct call. The call is made in the region of the service's resource
//! (the bucket's), whatever region the requester signed for: an export job from a table in
//! another region still uses keys of the bucket's region (§4.2 rule 3). The AWS managed
//! `aws/<service>` keys are made here on first use (§2.6).

use strata_kms::{EncryptionContext, Key};

use super::Error;
use super::access::Via;
use super::crypto::{decrypt_blob, encrypt_under, random_data_key, sealed_by};
use crate::{App, Caller};

/// The size of the data keys S3 encrypts objects with (AES-256).
pub const DATA_KEY_LEN: usize = 32;

/// A data key for one object: its plaintext (never stored) and its ciphertext under the KMS
/// key (stored with the object).
pub struct DataKey {
    /// The KMS key's ARN: what S3 answers in `x-amz-server-side-encryption-aws-kms-key-id`.
    pub key_arn: String,
    pub plaintext: [u8; DATA_KEY_LEN],
    pub ciphertext: Vec<u8>,
}

/// The key policy AWS writes for an AWS managed key (FogSecurity/aws-managed-kms-keys, for
/// `aws/s3`; the same shape for every service): any principal of the account may use it
/// through the service, and the account may read its metadata.
fn aws_managed_policy(account: &str, region: &str, service: &str) -> String {
    format!(
        r#"{{
  "Version" : "2012-10-17",
  "Id" : "auto-{service}-2",
  "Statement" : [ {{
    "Sid" : "Allow access through {upper} for all principals in the account that are authorized to use {upper}",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "*"
    }},
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "kms:CallerAccount" : "{account}",
        "kms:ViaService" : "{service}.{region}.amazonaws.com"
      }}
    }}
  }}, {{
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "arn:aws:iam::{account}:root"
    }},
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*" ],
    "Resource" : "*"
  }} ]
}}"#,
        upper = service.to_ascii_uppercase(),
    )
}

/// The AWS managed key of `service` in (account, region), created on first use.
pub(crate) async fn aws_managed_key(
    app: &App,
    account: &str,
    region: &str,
    service: &str,
) -> Result<Key, Error> {
    // S3's text is recorded (LS-S3); other services' are UNCONFIRMED and follow it.
    let description = match service {
        "s3" => "Default key that protects my S3 objects when no other key is defined".to_owned(),
        other => format!(
            "Default key that protects my {} data when no other key is defined",
            other.to_ascii_uppercase()
        ),
    };
    Ok(app
        .kms
        .aws_managed_key(account, region, service, &description, || {
            aws_managed_policy(account, region, service)
        })
        .await?)
}

/// `caller` as KMS sees a service's call for it: in `region`.
fn in_region(caller: &Caller, region: &str) -> Caller {
    Caller {
        region: region.to_owned(),
        ..caller.clone()
    }
}

/// A new data key under the key `key_id` names (resolved in the caller's account unless an
/// ARN), or under the caller's `aws/<service>` key when none is named; authorized as
/// `kms:GenerateDataKey` for `caller` through `service` in `region`.
pub async fn generate_data_key(
    app: &App,
    caller: &Caller,
    key_id: Option<&str>,
    context: &EncryptionContext,
    service: &str,
    region: &str,
) -> Result<DataKey, Error> {
    let caller = &in_region(caller, region);
    let via = Some(Via { service });
    let action = "kms:GenerateDataKey";
    let plaintext = random_data_key(DATA_KEY_LEN)?;
    let (key, ciphertext) = match key_id {
        Some(id) => encrypt_under(app, caller, id, &plaintext, context, via, action).await?,
        None => {
            let key = aws_managed_key(app, caller.account(), &caller.region, service).await?;
            sealed_by(app, caller, key, &plaintext, context, via, action)?
        }
    };
    Ok(DataKey {
        key_arn: key.arn(),
        plaintext: plaintext
            .try_into()
            .map_err(|_| Error::Internal("data key of the wrong size".into()))?,
        ciphertext,
    })
}

/// The plaintext of a data key `ciphertext` made under `context`, authorized as
/// `kms:Decrypt` for `caller` through `service` in `region`.
pub async fn decrypt_data_key(
    app: &App,
    caller: &Caller,
    ciphertext: &[u8],
    context: &EncryptionContext,
    service: &str,
    region: &str,
) -> Result<[u8; DATA_KEY_LEN], Error> {
    let caller = &in_region(caller, region);
    let via = Some(Via { service });
    let (_, plaintext) =
        decrypt_blob(app, caller, ciphertext, context, None, via, "kms:Decrypt").await?;
    plaintext
        .try_into()
        .map_err(|_| Error::Internal("stored data key of the wrong size".into()))
}
