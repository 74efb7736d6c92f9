//! `Resource` / `NotResource` values (spec §1.4): `*` or an ARN pattern, validated with
//! IAM's rules or, for bucket policies, S3's "this bucket only" rule.

use crate::arn::{Arn, ArnPattern};
use crate::error::PolicyError;

/// `Resource <r> must be in ARN format or "*".`
pub(crate) fn msg_not_arn(r: &str) -> String {
    format!("Resource {r} must be in ARN format or \"*\".")
}
/// `Partition "<p>" is not valid for resource "<r>".`
pub(crate) fn msg_partition(p: &str, r: &str) -> String {
    format!("Partition \"{p}\" is not valid for resource \"{r}\".")
}
pub(crate) const MSG_LEGACY_PARSING: &str = "The policy failed legacy parsing";
pub(crate) const MSG_VENDOR: &str =
    "Resource vendor must be fully qualified and cannot contain regexes.";
pub(crate) const MSG_IAM_PATH: &str = "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.";
/// `IAM resource <r> cannot contain region information.`
pub(crate) fn msg_iam_region(r: &str) -> String {
    format!("IAM resource {r} cannot contain region information.")
}
/// `Resource <r> can not contain region information.` (S3, spec §1.4).
pub(crate) fn msg_s3_region(r: &str) -> String {
    format!("Resource {r} can not contain region information.")
}
pub(crate) const MSG_S3_INVALID_RESOURCE: &str = "Policy has invalid resource";

const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

const IAM_PATHS: [&str; 13] = [
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];

/// IAM's resource rules, in the order moto's AWS-recorded fixtures check them.
pub(crate) fn check_iam(r: &str) -> Result<(), PolicyError> {
    if r == "*" {
        return Ok(());
    }
    if !r.starts_with("arn:") {
        return Err(PolicyError::new(msg_not_arn(r)));
    }
    let Some(arn) = Arn::parse(r) else {
        return Err(PolicyError::new(MSG_LEGACY_PARSING));
    };
    let wild = |s: &str| s.contains(['*', '?']);
    if !PARTITIONS.contains(&arn.partition) && !wild(arn.partition) {
        return Err(PolicyError::new(msg_partition(arn.partition, r)));
    }
    if arn.service.is_empty() || wild(arn.service) {
        return Err(PolicyError::new(MSG_VENDOR));
    }
    match arn.service {
        "iam" => {
            if !arn.region.is_empty() {
                return Err(PolicyError::new(msg_iam_region(r)));
            }
            let res = arn.resource;
            if res != "*" && !IAM_PATHS.iter().any(|p| res.starts_with(p)) && res != "root" {
                return Err(PolicyError::new(MSG_IAM_PATH));
            }
        }
        "s3" if !arn.region.is_empty() && !arn.resource.starts_with("accesspoint/") => {
            return Err(PolicyError::new(msg_s3_region(r)));
        }
        _ => {}
    }
    Ok(())
}

/// S3 bucket policies may only name their own bucket and its objects (spec §1.4).
pub(crate) fn check_bucket(r: &str, bucket: &str) -> Result<(), PolicyError> {
    let own = r
        .strip_prefix("arn:aws:s3:::")
        .and_then(|rest| rest.strip_prefix(bucket))
        .is_some_and(|tail| tail.is_empty() || tail.starts_with('/'));
    if own {
        Ok(())
    } else {
        Err(PolicyError::new(MSG_S3_INVALID_RESOURCE))
    }
}

/// Compiles a validated resource; variables only in the resource segment.
pub(crate) fn compile(r: &str, variables: bool) -> ArnPattern {
    ArnPattern::compile(r, variables, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_rules() {
        let cases: [(&str, Result<(), String>); 13] = [
            ("*", Ok(())),
            ("arn:aws:s3:::bucket/*", Ok(())),
            ("arn:aws:dynamodb:us-east-1:111122223333:table/T", Ok(())),
            ("arn:aws:iam::111122223333:role/R", Ok(())),
            ("arn:aws:s3:us-east-1:111122223333:accesspoint/ap", Ok(())),
            ("bucket", Err(msg_not_arn("bucket"))),
            ("arn:aws:s3::bucket", Err(MSG_LEGACY_PARSING.into())),
            ("arn:aws:s3", Err(MSG_LEGACY_PARSING.into())),
            (
                "arn:bogus:s3:::b",
                Err(msg_partition("bogus", "arn:bogus:s3:::b")),
            ),
            ("arn:aws:s*:::b", Err(MSG_VENDOR.into())),
            (
                "arn:aws:iam:us-east-1:1:user/u",
                Err(msg_iam_region("arn:aws:iam:us-east-1:1:user/u")),
            ),
            ("arn:aws:iam::1:thing/x", Err(MSG_IAM_PATH.into())),
            (
                "arn:aws:s3:us-east-1::b",
                Err(msg_s3_region("arn:aws:s3:us-east-1::b")),
            ),
        ];
        for (r, want) in cases {
            assert_eq!(check_iam(r).map_err(|e| e.message), want, "{r}");
        }
    }

    #[test]
    fn bucket_rules() {
        for ok in [
            "arn:aws:s3:::bkt",
            "arn:aws:s3:::bkt/*",
            "arn:aws:s3:::bkt/a/b*",
        ] {
            assert_eq!(check_bucket(ok, "bkt"), Ok(()), "{ok}");
        }
        for bad in [
            "*",
            "arn:aws:s3:::other/*",
            "arn:aws:s3:::bkt2/*",
            "arn:aws:s3:::bk*",
            "arn:aws:dynamodb:::bkt",
        ] {
            assert_eq!(
                check_bucket(bad, "bkt").map_err(|e| e.message),
                Err(MSG_S3_INVALID_RESOURCE.into()),
                "{bad}"
            );
        }
    }
}
