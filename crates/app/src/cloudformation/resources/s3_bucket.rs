//! `AWS::S3::Bucket` (spec cloudformation §5): CreateBucket in the stack's region, then its
//! versioning and tags, as the stack's caller; DeleteBucket to remove it (refused while it
//! holds objects, as S3 refuses). `Ref` is the bucket name.

use std::collections::BTreeMap;

use serde_json::Value;
use strata_s3::{CreateBucket, S3Error, Versioning};

use super::{Created, Provision, handler_error, invalid, required_str};
use crate::Requester;
use crate::s3::access::{authorize_own, resource_arn};
use crate::s3::{AccessError, BucketContext};

/// S3's refusal as a handler message.
pub(super) fn refused(err: &AccessError, bucket: &str) -> String {
    match err {
        AccessError::AccessDenied(message) => handler_error(message, "S3", 403, "AccessDenied"),
        AccessError::Engine(S3Error::BucketAlreadyExists | S3Error::BucketAlreadyOwnedByYou) => {
            handler_error(
                &format!("{bucket} already exists"),
                "S3",
                409,
                "AlreadyExists",
            )
        }
        AccessError::Engine(S3Error::BucketNotEmpty) => handler_error(
            "The bucket you tried to delete is not empty",
            "S3",
            409,
            "GeneralServiceException",
        ),
        AccessError::Engine(S3Error::InvalidBucketName(_)) => handler_error(
            "The specified bucket is not valid.",
            "S3",
            400,
            "InvalidRequest",
        ),
        AccessError::MalformedPolicy(message) => {
            handler_error(message, "S3", 400, "InvalidRequest")
        }
        other => handler_error(&other.to_string(), "S3", 400, "GeneralServiceException"),
    }
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let name = p.name_for(properties, "BucketName", 63, true)?;
    let requester = Requester::Signed(Box::new(p.caller.clone()));
    let account = authorize_own(
        p.app,
        &requester,
        "s3:CreateBucket",
        &resource_arn(&name, None),
    )
    .map_err(|e| refused(&e, &name))?
    .to_owned();
    let versioning = match properties.get("VersioningConfiguration") {
        None => None,
        Some(v) => Some(
            Versioning::parse(required_str(p, v, "Status")?).ok_or_else(|| {
                invalid(
                    p,
                    "#/VersioningConfiguration/Status: must be Enabled or Suspended",
                )
            })?,
        ),
    };
    let tags: Vec<(String, String)> = match properties.get("Tags") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| {
                Ok((
                    required_str(p, t, "Key")?.to_owned(),
                    required_str(p, t, "Value")?.to_owned(),
                ))
            })
            .collect::<Result<_, String>>()?,
        Some(_) => {
            return Err(invalid(
                p,
                "#/Tags: expected type: JSONArray, found: JSONObject",
            ));
        }
    };
    p.app
        .s3
        .create_bucket(CreateBucket {
            name: name.clone(),
            owner: account,
            region: p.caller.region.clone(),
            ownership: None,
            acl: None,
            grants: None,
        })
        .await
        .map_err(|e| refused(&AccessError::Engine(e), &name))?;
    let configured = async {
        let cx = BucketContext::resolve(p.app, requester.clone(), &name, None)?;
        if versioning.is_some() {
            cx.authorize("s3:PutBucketVersioning", None)?;
        }
        if !tags.is_empty() {
            cx.authorize("s3:PutBucketTagging", None)?;
        }
        p.app
            .s3
            .update_bucket(&name, move |bucket| {
                if versioning.is_some() {
                    bucket.versioning = versioning;
                }
                bucket.tags = tags;
                Ok(())
            })
            .await?;
        Ok::<_, AccessError>(())
    }
    .await;
    if let Err(e) = configured {
        // A failed resource leaves nothing behind.
        let _ = p.app.s3.delete_bucket(&name).await;
        return Err(refused(&e, &name));
    }
    let attributes = attributes(&name, &p.caller.region);
    Ok(Created {
        physical_id: name.clone(),
        reference: Value::String(name),
        attributes,
    })
}

/// The regions older than 2014 name website endpoints with a dash (`s3-website-us-east-1`),
/// the others with a dot (the S3 website endpoints table).
const DASHED_WEBSITE_REGIONS: [&str; 9] = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-west-1",
    "sa-east-1",
    "us-gov-west-1",
];

fn website_url(name: &str, region: &str) -> String {
    let separator = if DASHED_WEBSITE_REGIONS.contains(&region) {
        '-'
    } else {
        '.'
    };
    format!("http://{name}.s3-website{separator}{region}.amazonaws.com")
}

/// `Fn::GetAtt`'s values for a bucket.
fn attributes(name: &str, region: &str) -> BTreeMap<String, Value> {
    BTreeMap::from([
        (
            "Arn".to_owned(),
            Value::String(format!("arn:aws:s3:::{name}")),
        ),
        (
            "DomainName".to_owned(),
            Value::String(format!("{name}.s3.amazonaws.com")),
        ),
        (
            "RegionalDomainName".to_owned(),
            Value::String(format!("{name}.s3.{region}.amazonaws.com")),
        ),
        (
            "DualStackDomainName".to_owned(),
            Value::String(format!("{name}.s3.dualstack.{region}.amazonaws.com")),
        ),
        (
            "WebsiteURL".to_owned(),
            Value::String(website_url(name, region)),
        ),
    ])
}

pub async fn delete(p: &Provision<'_>, name: &str) -> Result<(), String> {
    let requester = Requester::Signed(Box::new(p.caller.clone()));
    let cx = match BucketContext::resolve(p.app, requester, name, None) {
        Ok(cx) => cx,
        Err(AccessError::Engine(S3Error::NoSuchBucket)) => return Ok(()),
        Err(e) => return Err(refused(&e, name)),
    };
    cx.authorize("s3:DeleteBucket", None)
        .map_err(|e| refused(&e, name))?;
    match p.app.s3.delete_bucket(name).await {
        Ok(()) | Err(S3Error::NoSuchBucket) => Ok(()),
        Err(e) => Err(refused(&AccessError::Engine(e), name)),
    }
}

/// The properties a change of which needs a new bucket (spec §5.2).
pub fn requires_replacement(old: &Value, new: &Value) -> bool {
    ["BucketName", "ObjectLockEnabled"]
        .iter()
        .any(|k| old.get(k) != new.get(k))
}

/// Versioning and tags, in place.
pub async fn update(
    p: &Provision<'_>,
    name: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    let requester = Requester::Signed(Box::new(p.caller.clone()));
    let versioning = match new.get("VersioningConfiguration") {
        None => None,
        Some(v) => Some(
            Versioning::parse(required_str(p, v, "Status")?).ok_or_else(|| {
                invalid(
                    p,
                    "#/VersioningConfiguration/Status: must be Enabled or Suspended",
                )
            })?,
        ),
    };
    let tags: Vec<(String, String)> = match new.get("Tags") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| {
                Ok((
                    required_str(p, t, "Key")?.to_owned(),
                    required_str(p, t, "Value")?.to_owned(),
                ))
            })
            .collect::<Result<_, String>>()?,
        _ => Vec::new(),
    };
    let versioning_changed =
        old.get("VersioningConfiguration") != new.get("VersioningConfiguration");
    let tags_changed = old.get("Tags") != new.get("Tags");
    let applied = async {
        let cx = BucketContext::resolve(p.app, requester, name, None)?;
        if versioning_changed {
            cx.authorize("s3:PutBucketVersioning", None)?;
        }
        if tags_changed {
            cx.authorize("s3:PutBucketTagging", None)?;
        }
        p.app
            .s3
            .update_bucket(name, move |bucket| {
                // Removing VersioningConfiguration suspends versioning: a bucket never goes
                // back to unversioned.
                if versioning_changed {
                    bucket.versioning = Some(versioning.unwrap_or(Versioning::Suspended));
                }
                if tags_changed {
                    bucket.tags = tags;
                }
                Ok(())
            })
            .await?;
        Ok::<_, AccessError>(())
    };
    applied.await.map_err(|e| refused(&e, name))?;
    Ok(Created {
        physical_id: name.to_owned(),
        reference: Value::String(name.to_owned()),
        attributes: attributes(name, &p.caller.region),
    })
}
