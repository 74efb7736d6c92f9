//! Bucket operations: create, head, list, delete, location, policy, ownership controls,
//! public access block, ACL.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_s3::{
    CannedAcl, CreateBucket, ObjectOwnership as Ownership, S3Error as EngineError, Versioning,
};

use strata_app::s3::access::{authorize_own, grants_public_access, resource_arn};
use strata_app::{App, Requester};

use super::context::Cx;
use super::errors::{access_denied, custom, from_access, from_engine};
use super::{acl, canonical_owner, requester, timestamp};

/// S3's region without a LocationConstraint.
const DEFAULT_REGION: &str = "us-east-1";

pub async fn create_bucket(
    app: &App,
    req: S3Request<CreateBucketInput>,
) -> S3Result<S3Response<CreateBucketOutput>> {
    let requester = &requester(&req)?.clone();
    let input = req.input;
    let Requester::Signed(caller) = requester else {
        return Err(access_denied("Access Denied"));
    };
    let constraint = input
        .create_bucket_configuration
        .as_ref()
        .and_then(|c| c.location_constraint.as_ref())
        .map(|c| c.as_str().to_owned());
    let region = match constraint {
        Some(c) if c == DEFAULT_REGION => {
            return Err(s3_error!(
                InvalidLocationConstraint,
                "The specified location-constraint is not valid"
            ));
        }
        Some(c) if caller.region != DEFAULT_REGION && c != caller.region => {
            return Err(s3_error!(
                IllegalLocationConstraintException,
                "The {c} location constraint is incompatible for the region specific endpoint this request was sent to."
            ));
        }
        Some(c) => c,
        None if caller.region != DEFAULT_REGION => {
            return Err(s3_error!(
                IllegalLocationConstraintException,
                "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."
            ));
        }
        None => DEFAULT_REGION.to_owned(),
    };
    let resource = resource_arn(&input.bucket, None);
    authorize_own(app, requester, "s3:CreateBucket", &resource).map_err(from_access)?;
    let ownership = match &input.object_ownership {
        Some(o) => {
            authorize_own(app, requester, "s3:PutBucketOwnershipControls", &resource)
                .map_err(from_access)?;
            Some(Ownership::parse(o.as_str()).ok_or_else(|| {
                s3_error!(InvalidArgument, "Invalid x-amz-object-ownership header")
            })?)
        }
        None => None,
    };
    let acl = match &input.acl {
        Some(acl) => Some(
            CannedAcl::parse(acl.as_str())
                .ok_or_else(|| s3_error!(InvalidArgument, "Invalid canned ACL"))?,
        ),
        None => None,
    };
    let grants_sent = input.grant_full_control.is_some()
        || input.grant_read.is_some()
        || input.grant_read_acp.is_some()
        || input.grant_write.is_some()
        || input.grant_write_acp.is_some();
    if (grants_sent || acl.is_some_and(|a| a != CannedAcl::Private))
        && ownership.is_none_or(|o| o == Ownership::BucketOwnerEnforced)
    {
        return Err(s3_error!(
            InvalidBucketAclWithObjectOwnership,
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
        ));
    }
    // ACLs are enabled (checked above); Block Public Access is on for every new bucket, so a
    // public ACL has its own error here.
    let settings = acl::AclSettings {
        acls_disabled: false,
        block_public_acls: false,
    };
    let change = acl::requested(
        app,
        settings,
        input.acl.as_ref().map(BucketCannedACL::as_str),
        acl::GrantHeaders {
            full_control: input.grant_full_control.as_deref(),
            read: input.grant_read.as_deref(),
            read_acp: input.grant_read_acp.as_deref(),
            write: input.grant_write.as_deref(),
            write_acp: input.grant_write_acp.as_deref(),
        },
        None,
        false,
    )?;
    if change.is_public() {
        return Err(custom(
            "InvalidBucketAclWithBlockPublicAccessError",
            http::StatusCode::BAD_REQUEST,
            "Bucket cannot have public ACLs set with BlockPublicAccess enabled",
        ));
    }
    let bucket = app
        .s3
        .create_bucket(CreateBucket {
            name: input.bucket,
            owner: caller.principal.account().to_string(),
            region,
            ownership,
            acl: change.canned,
            grants: change.grants,
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(CreateBucketOutput {
        location: Some(format!("/{}", bucket.name)),
    }))
}

pub async fn head_bucket(
    app: &App,
    req: S3Request<HeadBucketInput>,
) -> S3Result<S3Response<HeadBucketOutput>> {
    let cx = Cx::of(app, &req)?;
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "x-amz-bucket-region",
        http::HeaderValue::from_str(&cx.bucket.region).expect("regions are ASCII"),
    );
    if let Err(mut err) = cx.authorize("s3:ListBucket", None) {
        err.set_headers(headers);
        return Err(err);
    }
    let mut response = S3Response::new(HeadBucketOutput {
        bucket_region: Some(cx.bucket.region.clone()),
        ..Default::default()
    });
    response.headers = headers;
    Ok(response)
}

pub async fn list_buckets(
    app: &App,
    req: S3Request<ListBucketsInput>,
) -> S3Result<S3Response<ListBucketsOutput>> {
    let requester = requester(&req)?;
    let account = authorize_own(app, requester, "s3:ListAllMyBuckets", "*").map_err(from_access)?;
    let prefix = req.input.prefix.clone().unwrap_or_default();
    let buckets = app
        .s3
        .list_buckets(account)
        .map_err(from_engine)?
        .into_iter()
        .filter(|b| b.name.starts_with(&prefix))
        .filter(|b| {
            req.input
                .bucket_region
                .as_ref()
                .is_none_or(|r| *r == b.region)
        })
        .map(|b| Bucket {
            name: Some(b.name),
            creation_date: Some(timestamp(b.created_micros)),
            bucket_region: Some(b.region),
        })
        .collect();
    Ok(S3Response::new(ListBucketsOutput {
        buckets: Some(buckets),
        owner: Some(canonical_owner(account)),
        prefix: req.input.prefix,
        continuation_token: None,
    }))
}

pub async fn delete_bucket(
    app: &App,
    req: S3Request<DeleteBucketInput>,
) -> S3Result<S3Response<DeleteBucketOutput>> {
    let cx = Cx::authorized(app, &req, "s3:DeleteBucket")?;
    match app.s3.delete_bucket(&cx.bucket.name).await {
        Err(EngineError::BucketNotEmpty) if cx.bucket.versioning.is_some() => {
            return Err(s3_error!(
                BucketNotEmpty,
                "The bucket you tried to delete is not empty. You must delete all versions in the bucket."
            ));
        }
        done => done.map_err(from_engine)?,
    }
    Ok(S3Response::with_status(
        DeleteBucketOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn get_bucket_location(
    app: &App,
    req: S3Request<GetBucketLocationInput>,
) -> S3Result<S3Response<GetBucketLocationOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketLocation")?;
    // us-east-1 is reported as an empty LocationConstraint.
    let location_constraint = (cx.bucket.region != DEFAULT_REGION)
        .then(|| BucketLocationConstraint::from(cx.bucket.region.clone()));
    Ok(S3Response::new(GetBucketLocationOutput {
        location_constraint,
    }))
}

pub async fn put_bucket_policy(
    app: &App,
    req: S3Request<PutBucketPolicyInput>,
) -> S3Result<S3Response<PutBucketPolicyOutput>> {
    let cx = Cx::of(app, &req)?;
    cx.authorize_policy_management("s3:PutBucketPolicy")?;
    cx.put_policy(req.input.policy).await.map_err(from_access)?;
    Ok(S3Response::with_status(
        PutBucketPolicyOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn get_bucket_policy(
    app: &App,
    req: S3Request<GetBucketPolicyInput>,
) -> S3Result<S3Response<GetBucketPolicyOutput>> {
    let cx = Cx::of(app, &req)?;
    cx.authorize_policy_management("s3:GetBucketPolicy")?;
    Ok(S3Response::new(GetBucketPolicyOutput {
        policy: Some(cx.displayed_policy().map_err(from_access)?),
    }))
}

/// Whether the bucket policy makes the bucket public (NoSuchBucketPolicy without one, as S3).
pub async fn get_bucket_policy_status(
    app: &App,
    req: S3Request<GetBucketPolicyStatusInput>,
) -> S3Result<S3Response<GetBucketPolicyStatusOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketPolicyStatus")?;
    let policy = cx
        .bucket
        .policy
        .as_ref()
        .ok_or_else(|| from_engine(EngineError::NoSuchBucketPolicy))?;
    Ok(S3Response::new(GetBucketPolicyStatusOutput {
        policy_status: Some(PolicyStatus {
            is_public: Some(grants_public_access(&policy.document)),
        }),
    }))
}

pub async fn delete_bucket_policy(
    app: &App,
    req: S3Request<DeleteBucketPolicyInput>,
) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
    let cx = Cx::of(app, &req)?;
    cx.authorize_policy_management("s3:DeleteBucketPolicy")?;
    app.s3
        .update_bucket(&cx.bucket.name, |b| {
            b.policy = None;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteBucketPolicyOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn put_bucket_ownership_controls(
    app: &App,
    req: S3Request<PutBucketOwnershipControlsInput>,
) -> S3Result<S3Response<PutBucketOwnershipControlsOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketOwnershipControls")?;
    let rules = &req.input.ownership_controls.rules;
    let [rule] = rules.as_slice() else {
        return Err(s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ));
    };
    let ownership = Ownership::parse(rule.object_ownership.as_str()).ok_or_else(|| {
        s3_error!(MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
    })?;
    if ownership == Ownership::BucketOwnerEnforced && cx.bucket.acl != CannedAcl::Private {
        return Err(s3_error!(
            InvalidBucketAclWithObjectOwnership,
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
        ));
    }
    app.s3
        .update_bucket(&cx.bucket.name, move |b| {
            b.ownership = Some(ownership);
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutBucketOwnershipControlsOutput {}))
}

pub async fn get_bucket_ownership_controls(
    app: &App,
    req: S3Request<GetBucketOwnershipControlsInput>,
) -> S3Result<S3Response<GetBucketOwnershipControlsOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketOwnershipControls")?;
    let ownership = cx
        .bucket
        .ownership
        .ok_or_else(|| from_engine(EngineError::OwnershipControlsNotFound))?;
    Ok(S3Response::new(GetBucketOwnershipControlsOutput {
        ownership_controls: Some(OwnershipControls {
            rules: vec![OwnershipControlsRule {
                object_ownership: ObjectOwnership::from(ownership.as_str().to_owned()),
            }],
        }),
    }))
}

pub async fn delete_bucket_ownership_controls(
    app: &App,
    req: S3Request<DeleteBucketOwnershipControlsInput>,
) -> S3Result<S3Response<DeleteBucketOwnershipControlsOutput>> {
    let cx = Cx::of(app, &req)?;
    // There is no s3:DeleteBucketOwnershipControls action (spec §3.1).
    cx.authorize("s3:PutBucketOwnershipControls", None)?;
    app.s3
        .update_bucket(&cx.bucket.name, |b| {
            b.ownership = None;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteBucketOwnershipControlsOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn put_public_access_block(
    app: &App,
    req: S3Request<PutPublicAccessBlockInput>,
) -> S3Result<S3Response<PutPublicAccessBlockOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketPublicAccessBlock")?;
    let c = &req.input.public_access_block_configuration;
    let block = strata_s3::PublicAccessBlock {
        block_public_acls: c.block_public_acls.unwrap_or(false),
        ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
        block_public_policy: c.block_public_policy.unwrap_or(false),
        restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
    };
    app.s3
        .update_bucket(&cx.bucket.name, move |b| {
            b.public_access_block = Some(block);
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutPublicAccessBlockOutput {}))
}

pub async fn get_public_access_block(
    app: &App,
    req: S3Request<GetPublicAccessBlockInput>,
) -> S3Result<S3Response<GetPublicAccessBlockOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketPublicAccessBlock")?;
    let block = cx
        .bucket
        .public_access_block
        .ok_or_else(|| from_engine(EngineError::NoSuchPublicAccessBlockConfiguration))?;
    Ok(S3Response::new(GetPublicAccessBlockOutput {
        public_access_block_configuration: Some(PublicAccessBlockConfiguration {
            block_public_acls: Some(block.block_public_acls),
            ignore_public_acls: Some(block.ignore_public_acls),
            block_public_policy: Some(block.block_public_policy),
            restrict_public_buckets: Some(block.restrict_public_buckets),
        }),
    }))
}

pub async fn delete_public_access_block(
    app: &App,
    req: S3Request<DeletePublicAccessBlockInput>,
) -> S3Result<S3Response<DeletePublicAccessBlockOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketPublicAccessBlock")?;
    app.s3
        .update_bucket(&cx.bucket.name, |b| {
            b.public_access_block = None;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeletePublicAccessBlockOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn get_bucket_acl(
    app: &App,
    req: S3Request<GetBucketAclInput>,
) -> S3Result<S3Response<GetBucketAclOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketAcl")?;
    Ok(S3Response::new(GetBucketAclOutput {
        grants: Some(acl::to_wire(&cx.bucket.acl_grants())),
        owner: Some(canonical_owner(&cx.bucket.owner)),
    }))
}

pub async fn put_bucket_acl(
    app: &App,
    req: S3Request<PutBucketAclInput>,
) -> S3Result<S3Response<PutBucketAclOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketAcl")?;
    let input = &req.input;
    let change = acl::requested(
        app,
        acl::AclSettings::of(&cx.bucket),
        input.acl.as_ref().map(BucketCannedACL::as_str),
        acl::GrantHeaders {
            full_control: input.grant_full_control.as_deref(),
            read: input.grant_read.as_deref(),
            read_acp: input.grant_read_acp.as_deref(),
            write: input.grant_write.as_deref(),
            write_acp: input.grant_write_acp.as_deref(),
        },
        input.access_control_policy.as_ref(),
        true,
    )?;
    app.s3
        .update_bucket(&cx.bucket.name, move |b| {
            b.acl = change.canned.unwrap_or_default();
            b.grants = change.grants;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutBucketAclOutput {}))
}

pub async fn get_bucket_versioning(
    app: &App,
    req: S3Request<GetBucketVersioningInput>,
) -> S3Result<S3Response<GetBucketVersioningOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketVersioning")?;
    // A bucket never versioned has no Status element.
    Ok(S3Response::new(GetBucketVersioningOutput {
        status: cx
            .bucket
            .versioning
            .map(|v| BucketVersioningStatus::from_static(v.as_str())),
        mfa_delete: None,
    }))
}

pub async fn put_bucket_versioning(
    app: &App,
    req: S3Request<PutBucketVersioningInput>,
) -> S3Result<S3Response<PutBucketVersioningOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketVersioning")?;
    let configuration = &req.input.versioning_configuration;
    if configuration
        .mfa_delete
        .as_ref()
        .is_some_and(|m| m.as_str() == "Enabled")
    {
        return Err(s3_error!(NotImplemented, "MFA Delete is not supported"));
    }
    let state = match configuration.status.as_ref().map(BucketVersioningStatus::as_str) {
        None => {
            return Err(custom(
                "IllegalVersioningConfigurationException",
                http::StatusCode::BAD_REQUEST,
                "The Versioning element must be specified",
            ));
        }
        Some(status) => Versioning::parse(status).ok_or_else(|| {
            s3_error!(
                MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        })?,
    };
    app.s3
        .update_bucket(&cx.bucket.name, move |bucket| {
            bucket.versioning = Some(state);
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutBucketVersioningOutput::default()))
}
