//! `AWS::S3::BucketPolicy` (spec cloudformation §5): PutBucketPolicy on `Bucket` as the
//! stack's caller (so only the bucket owner's account may, as S3 rules), DeleteBucketPolicy to
//! remove it. `Ref` is the bucket name (UNCONFIRMED, spec §8.4).

use std::collections::BTreeMap;

use serde_json::Value;
use strata_s3::S3Error;

use super::s3_bucket::refused;
use super::{Created, Provision, policy_document, required_str};
use crate::Requester;
use crate::s3::{AccessError, BucketContext};

/// A new `Bucket` needs a new policy resource.
pub fn requires_replacement(old: &Value, new: &Value) -> bool {
    old.get("Bucket") != new.get("Bucket")
}

/// PutBucketPolicy with the new document (create does exactly that).
pub async fn update(p: &Provision<'_>, new: &Value) -> Result<Created, String> {
    create(p, new).await
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let bucket = required_str(p, properties, "Bucket")?.to_owned();
    let document = policy_document(p, properties.get("PolicyDocument"), "PolicyDocument")?;
    let requester = Requester::Signed(Box::new(p.caller.clone()));
    let put = async {
        let cx = BucketContext::resolve(p.app, requester, &bucket, None)?;
        cx.authorize_policy_management("s3:PutBucketPolicy")?;
        cx.put_policy(document).await
    };
    put.await.map_err(|e| refused(&e, &bucket))?;
    Ok(Created {
        physical_id: bucket.clone(),
        reference: Value::String(bucket),
        attributes: BTreeMap::new(),
    })
}

pub async fn delete(p: &Provision<'_>, bucket: &str) -> Result<(), String> {
    let requester = Requester::Signed(Box::new(p.caller.clone()));
    let cx = match BucketContext::resolve(p.app, requester, bucket, None) {
        Ok(cx) => cx,
        Err(AccessError::Engine(S3Error::NoSuchBucket)) => return Ok(()),
        Err(e) => return Err(refused(&e, bucket)),
    };
    cx.authorize_policy_management("s3:DeleteBucketPolicy")
        .map_err(|e| refused(&e, bucket))?;
    p.app
        .s3
        .update_bucket(bucket, |b| {
            b.policy = None;
            Ok(())
        })
        .await
        .map_err(|e| refused(&AccessError::Engine(e), bucket))?;
    Ok(())
}
