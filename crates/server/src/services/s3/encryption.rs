//! Bucket default encryption: Get/Put/DeleteBucketEncryption. Every bucket encrypts with
//! SSE-S3 (`AES256`) unless told otherwise, as S3 has since January 2023; an SSE-KMS default
//! names its key as given (`KMSMasterKeyID` is echoed, never resolved here), and the writes
//! that use it resolve it in their requester's account (`strata_app::s3::sse`).

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_s3::DefaultEncryption;

use super::context::Cx;
use super::errors::{from_engine, with_elements};

pub async fn get_bucket_encryption(
    app: &App,
    req: S3Request<GetBucketEncryptionInput>,
) -> S3Result<S3Response<GetBucketEncryptionOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetEncryptionConfiguration")?;
    let rule = cx
        .bucket
        .encryption
        .clone()
        .unwrap_or_else(DefaultEncryption::sse_s3);
    Ok(S3Response::new(GetBucketEncryptionOutput {
        server_side_encryption_configuration: Some(ServerSideEncryptionConfiguration {
            rules: vec![ServerSideEncryptionRule {
                apply_server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                    kms_master_key_id: rule.kms_key_id,
                    sse_algorithm: ServerSideEncryption::from(rule.algorithm),
                }),
                bucket_key_enabled: Some(rule.bucket_key_enabled),
            }],
        }),
    }))
}

pub async fn put_bucket_encryption(
    app: &App,
    req: S3Request<PutBucketEncryptionInput>,
) -> S3Result<S3Response<PutBucketEncryptionOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutEncryptionConfiguration")?;
    let rules = &req.input.server_side_encryption_configuration.rules;
    let [rule] = rules.as_slice() else {
        return Err(s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ));
    };
    let Some(default) = &rule.apply_server_side_encryption_by_default else {
        return Err(s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ));
    };
    let algorithm = default.sse_algorithm.as_str();
    match algorithm {
        "AES256" if default.kms_master_key_id.is_some() => {
            return Err(with_elements(
                s3s::S3Error::with_message(
                    s3s::S3ErrorCode::InvalidArgument,
                    "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                ),
                &[("ArgumentName", "ApplyServerSideEncryptionByDefault")],
            ));
        }
        // The key is not checked here: a bad one fails the uploads that use it (spec kms-sse
        // §4.6).
        "AES256" | "aws:kms" | "aws:kms:dsse" => {}
        _ => {
            return Err(s3_error!(
                MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema"
            ));
        }
    }
    let encryption = DefaultEncryption {
        algorithm: algorithm.to_owned(),
        kms_key_id: default.kms_master_key_id.clone(),
        bucket_key_enabled: rule.bucket_key_enabled.unwrap_or(false),
    };
    app.s3
        .update_bucket(&cx.bucket.name, move |b| {
            b.encryption = Some(encryption);
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutBucketEncryptionOutput::default()))
}

/// Back to S3's default, SSE-S3 (authorized as `s3:PutEncryptionConfiguration`: there is no
/// delete action).
pub async fn delete_bucket_encryption(
    app: &App,
    req: S3Request<DeleteBucketEncryptionInput>,
) -> S3Result<S3Response<DeleteBucketEncryptionOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutEncryptionConfiguration")?;
    app.s3
        .update_bucket(&cx.bucket.name, |b| {
            b.encryption = None;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteBucketEncryptionOutput::default(),
        http::StatusCode::NO_CONTENT,
    ))
}
