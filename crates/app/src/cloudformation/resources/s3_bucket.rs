//! `AWS::S3::Bucket` (spec cloudformation §5): CreateBucket in the stack's region, then its
//! versioning, tags, encryption, ownership, public access block, lifecycle and CORS
//! ([`super::bucket_rules`]), as the stack's caller; DeleteBucket to remove it (refused while it
//! holds objects, as S3 refuses). `Ref` is the bucket name.

use std::collections::BTreeMap;

use serde_json::Value;
use strata_s3::cors::CorsRule;
use strata_s3::lifecycle::LifecycleRule;
use strata_s3::{
    CreateBucket, DefaultEncryption, ObjectOwnership, PublicAccessBlock, S3Error, Versioning,
};

use super::{
    Created, Provision, bucket_rules, handler_error, invalid, key_values, optional_bool,
    optional_str, required_str,
};
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

/// `AccessControl`: `Private` is what every new bucket has; strata's S3 keeps no other
/// canned ACL, so another is refused rather than dropped.
fn access_control(p: &Provision<'_>, properties: &Value) -> Result<(), String> {
    match optional_str(p, properties, "AccessControl")? {
        None | Some("Private") => Ok(()),
        Some(other) => Err(handler_error(
            &format!("AccessControl {other} is not supported by strata's S3"),
            "S3",
            501,
            "InvalidRequest",
        )),
    }
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    access_control(p, properties)?;
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
    // S3 answers CreateBucket for a bucket the account already owns (us-east-1) with
    // success; CloudFormation's handler reports it as existing instead of adopting it.
    if p.app.s3.bucket(&name).is_ok() {
        return Err(refused(
            &AccessError::Engine(S3Error::BucketAlreadyExists),
            &name,
        ));
    }
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
        configure(p, &name, &Value::Null, properties).await?;
        // CloudFormation's own tags on every bucket it makes (the type's schema:
        // `cloudFormationSystemTags`), beside the template's and the stack's.
        let system = system_tags(p);
        p.app
            .s3
            .update_bucket(&name, move |bucket| {
                bucket.tags.extend(system);
                Ok(())
            })
            .await
            .map_err(|e| refused(&AccessError::Engine(e), &name))
    };
    if let Err(reason) = configured.await {
        // A failed resource leaves nothing behind.
        let _ = p.app.s3.delete_bucket(&name).await;
        return Err(reason);
    }
    Ok(Created {
        physical_id: name.clone(),
        attributes: attributes(&name, &p.caller.region),
        reference: Value::String(name),
    })
}

/// `aws:cloudformation:stack-name`, `…:stack-id` and `…:logical-id` of the bucket.
fn system_tags(p: &Provision<'_>) -> Vec<(String, String)> {
    vec![
        (
            "aws:cloudformation:stack-name".to_owned(),
            p.stack.name.clone(),
        ),
        (
            "aws:cloudformation:stack-id".to_owned(),
            p.stack.stack_id.clone(),
        ),
        (
            "aws:cloudformation:logical-id".to_owned(),
            p.logical_id.to_owned(),
        ),
    ]
}

/// The bucket settings a template gives, each `None` when the template leaves it out.
#[derive(PartialEq)]
struct Settings {
    versioning: Option<Versioning>,
    tags: Option<Vec<(String, String)>>,
    encryption: Option<DefaultEncryption>,
    ownership: Option<ObjectOwnership>,
    public_access_block: Option<PublicAccessBlock>,
    lifecycle: Option<Vec<LifecycleRule>>,
    cors: Option<Vec<CorsRule>>,
}

impl Settings {
    fn of(p: &Provision<'_>, properties: &Value) -> Result<Self, String> {
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
        let tags = key_values(p, properties, "Tags")?;
        // S3's own limits on what a requester may set, stack tags included.
        let refused = |message: &str| handler_error(message, "S3", 400, "InvalidRequest");
        if let Some(tags) = &tags {
            if tags.iter().any(|(k, _)| strata_s3::is_system_tag(k)) {
                return Err(refused("Your TagKey cannot be prefixed with aws:"));
            }
            if tags.len() > strata_s3::tags::MAX_BUCKET_TAGS {
                return Err(refused(&format!(
                    "Bucket tags cannot be greater than {}",
                    strata_s3::tags::MAX_BUCKET_TAGS
                )));
            }
        }
        let encryption = match properties
            .get("BucketEncryption")
            .and_then(|e| e.get("ServerSideEncryptionConfiguration"))
            .and_then(Value::as_array)
            .and_then(|rules| rules.first())
        {
            None => None,
            Some(rule) => {
                let default = rule
                    .get("ServerSideEncryptionByDefault")
                    .unwrap_or(&Value::Null);
                Some(DefaultEncryption {
                    algorithm: required_str(p, default, "SSEAlgorithm")?.to_owned(),
                    kms_key_id: optional_str(p, default, "KMSMasterKeyID")?.map(str::to_owned),
                    bucket_key_enabled: optional_bool(p, rule, "BucketKeyEnabled")?
                        .unwrap_or(false),
                })
            }
        };
        let ownership = match properties
            .get("OwnershipControls")
            .and_then(|o| o.get("Rules"))
            .and_then(Value::as_array)
            .and_then(|rules| rules.first())
        {
            None => None,
            Some(rule) => Some(
                ObjectOwnership::parse(required_str(p, rule, "ObjectOwnership")?).ok_or_else(
                    || {
                        invalid(
                            p,
                            "#/OwnershipControls/Rules/ObjectOwnership: not a valid enum value",
                        )
                    },
                )?,
            ),
        };
        let public_access_block = match properties.get("PublicAccessBlockConfiguration") {
            None => None,
            Some(b) => Some(PublicAccessBlock {
                block_public_acls: optional_bool(p, b, "BlockPublicAcls")?.unwrap_or(false),
                ignore_public_acls: optional_bool(p, b, "IgnorePublicAcls")?.unwrap_or(false),
                block_public_policy: optional_bool(p, b, "BlockPublicPolicy")?.unwrap_or(false),
                restrict_public_buckets: optional_bool(p, b, "RestrictPublicBuckets")?
                    .unwrap_or(false),
            }),
        };
        Ok(Self {
            versioning,
            tags,
            encryption,
            ownership,
            public_access_block,
            lifecycle: bucket_rules::lifecycle_rules(p, properties)?,
            cors: bucket_rules::cors_rules(p, properties)?,
        })
    }
}

/// Brings the bucket's settings from what `old` gave to what `new` gives, each changed one
/// authorized as its S3 call is (PutBucketVersioning, PutBucketTagging,
/// PutEncryptionConfiguration, PutBucketOwnershipControls, PutBucketPublicAccessBlock,
/// PutBucketLifecycleConfiguration, PutBucketCors).
/// A setting the template drops goes back to S3's default; versioning to Suspended, as a
/// bucket never returns to unversioned.
async fn configure(p: &Provision<'_>, name: &str, old: &Value, new: &Value) -> Result<(), String> {
    // Properties an update failed on (refused before anything was applied) are what a
    // rollback starts from: read as unset rather than failing the rollback too.
    let after = Settings::of(p, new)?;
    let before = Settings::of(p, old).unwrap_or(Settings {
        versioning: None,
        tags: None,
        encryption: None,
        ownership: None,
        public_access_block: None,
        lifecycle: None,
        cors: None,
    });
    if before == after {
        return Ok(());
    }
    let requester = Requester::Signed(Box::new(p.caller.clone()));
    let applied = async {
        let cx = BucketContext::resolve(p.app, requester, name, None)?;
        let changed = [
            (
                before.versioning != after.versioning,
                "s3:PutBucketVersioning",
            ),
            (before.tags != after.tags, "s3:PutBucketTagging"),
            (
                before.encryption != after.encryption,
                "s3:PutEncryptionConfiguration",
            ),
            (
                before.ownership != after.ownership,
                "s3:PutBucketOwnershipControls",
            ),
            (
                before.public_access_block != after.public_access_block,
                "s3:PutBucketPublicAccessBlock",
            ),
            (
                before.lifecycle != after.lifecycle,
                "s3:PutLifecycleConfiguration",
            ),
            (before.cors != after.cors, "s3:PutBucketCORS"),
        ];
        for (_, action) in changed.iter().filter(|(c, _)| *c) {
            cx.authorize(action, None)?;
        }
        p.app
            .s3
            .update_bucket(name, move |bucket| {
                if before.versioning != after.versioning {
                    bucket.versioning = Some(after.versioning.unwrap_or(Versioning::Suspended));
                }
                if before.tags != after.tags {
                    // CloudFormation's system tags stay whatever the template's tags do.
                    let system: Vec<(String, String)> = bucket
                        .tags
                        .drain(..)
                        .filter(|(k, _)| strata_s3::is_system_tag(k))
                        .collect();
                    bucket.tags = after.tags.unwrap_or_default();
                    bucket.tags.extend(system);
                }
                if before.encryption != after.encryption {
                    bucket.encryption = after.encryption;
                }
                if before.ownership != after.ownership {
                    bucket.ownership = Some(
                        after
                            .ownership
                            .unwrap_or(ObjectOwnership::BucketOwnerEnforced),
                    );
                }
                if before.public_access_block != after.public_access_block {
                    bucket.public_access_block =
                        Some(after.public_access_block.unwrap_or(PublicAccessBlock::ALL));
                }
                if before.lifecycle != after.lifecycle {
                    let mut rules = after.lifecycle.unwrap_or_default();
                    bucket_rules::name_rules(&mut rules);
                    bucket.lifecycle = rules;
                }
                if before.cors != after.cors {
                    bucket.cors = after.cors.unwrap_or_default();
                }
                Ok(())
            })
            .await?;
        Ok::<_, AccessError>(())
    };
    applied.await.map_err(|e| refused(&e, name))
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

/// Every setting but the name and object lock, in place.
pub async fn update(
    p: &Provision<'_>,
    name: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    access_control(p, new)?;
    configure(p, name, old, new).await?;
    Ok(Created {
        physical_id: name.to_owned(),
        reference: Value::String(name.to_owned()),
        attributes: attributes(name, &p.caller.region),
    })
}
