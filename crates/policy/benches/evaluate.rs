//! `cargo bench -p strata-policy --bench evaluate`: time to evaluate one typical
//! cross-account S3 write (role session → bucket in another account) against 5 parsed
//! policies holding 20 statements, a few with conditions.

use std::hint::black_box;
use std::time::Instant;

use strata_policy::{
    Context, LabeledPolicy, Policies, PolicyDocument, PolicyKind, Request, RequestPrincipal,
    ResourcePolicyKind, evaluate,
};

const A: &str = "111122223333";
const B: &str = "444455556666";

fn identity(statements: &[String]) -> PolicyDocument {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    PolicyDocument::parse(&text, PolicyKind::Identity).expect("benchmark identity policy is valid")
}

fn main() {
    let mut docs = Vec::new();
    for p in 0..4 {
        let statements: Vec<String> = (0..4)
            .map(|s| match (p, s) {
                (3, 3) => r#"{"Sid":"Write","Effect":"Allow","Action":["s3:PutObject","s3:PutObjectAcl","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::bkt/exports/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#.to_string(),
                (0, 0) => r#"{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}"#.to_string(),
                (1, 1) => r#"{"Effect":"Deny","NotAction":["s3:*","dynamodb:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}"#.to_string(),
                _ => format!(
                    r#"{{"Sid":"S{p}x{s}","Effect":"Allow","Action":["dynamodb:Get*","dynamodb:Query","dynamodb:Export*"],"Resource":"arn:aws:dynamodb:*:{A}:table/T{p}{s}*","Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}"#
                ),
            })
            .collect();
        docs.push(identity(&statements));
    }
    let bucket_text = format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::bkt","arn:aws:s3:::bkt/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}},
        {{"Sid":"Reader","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{B}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}},
        {{"Sid":"OrgOnly","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bkt","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"o-123"}}}}}},
        {{"Sid":"Exports","Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{A}:role/Exporter","{A}"]}},"Action":["s3:PutObject","s3:PutObjectAcl","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::bkt/exports/*","Condition":{{"StringEquals":{{"s3:x-amz-acl":"bucket-owner-full-control"}}}}}}]}}"#
    );
    let bucket = PolicyDocument::parse(
        &bucket_text,
        PolicyKind::Resource(ResourcePolicyKind::S3Bucket { bucket: "bkt" }),
    )
    .expect("benchmark bucket policy is valid");
    let labels = [
        "role/Exporter inline a",
        "role/Exporter inline b",
        "managed c",
        "managed d",
    ];
    let identity: Vec<LabeledPolicy<'_>> = docs
        .iter()
        .zip(labels)
        .map(|(document, label)| LabeledPolicy { label, document })
        .collect();
    let policies = Policies {
        identity: &identity,
        resource: Some(LabeledPolicy {
            label: "bucket policy: bkt",
            document: &bucket,
        }),
        ..Policies::default()
    };
    let statements: usize =
        docs.iter().map(|d| d.statements.len()).sum::<usize>() + bucket.statements.len();

    let principal =
        RequestPrincipal::assumed_role(A, "/", "Exporter", "AROAROLEROLEROLEROLE1", "export");
    let mut context = Context::new()
        .with("aws:SecureTransport", "true")
        .with("aws:SourceIp", "10.1.2.3")
        .with("aws:RequestedRegion", "us-east-1")
        .with("s3:x-amz-acl", "bucket-owner-full-control")
        .with("aws:CurrentTime", "2026-01-01T00:00:00Z");
    principal.add_global_keys(&mut context);
    let request = Request {
        principal,
        action: "s3:PutObject".into(),
        resource: "arn:aws:s3:::bkt/exports/AWSDynamoDB/0123/data/abc.json.gz".into(),
        resource_account: Some(B.into()),
        context,
    };
    assert!(evaluate(&request, &policies).is_allowed());

    let iterations = 500_000;
    for _ in 0..3 {
        let started = Instant::now();
        for _ in 0..iterations {
            black_box(evaluate(black_box(&request), black_box(&policies)));
        }
        let per = started.elapsed().as_secs_f64() * 1e9 / iterations as f64;
        println!(
            "evaluate (5 policies, {statements} statements, cross-account allow): {per:.0} ns"
        );
    }
}
