//! IAM policy documents from arbitrary bytes: parsed and validated as every kind of
//! document strata stores; whatever parses is bound and evaluated against a few fixed
//! requests (same account, cross account, role session, anonymous) in every role a
//! policy can play, and the access-denied texts are rendered.

#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_policy::{
    Context, LabeledPolicy, Policies, PolicyDocument, PolicyKind, Request, RequestPrincipal,
    ResourcePolicyKind, access_denied_message, evaluate, limits, s3_access_denied_message,
};

const A: &str = "111122223333";
const B: &str = "444455556666";

fn request(principal: RequestPrincipal, action: &str, resource: &str, owner: &str) -> Request {
    let mut context = Context::new()
        .with("aws:SourceIp", "192.0.2.7")
        .with("aws:SecureTransport", "true")
        .with("aws:CurrentTime", "2026-11-28T03:00:00Z")
        .with("aws:EpochTime", "1795834800")
        .with("s3:prefix", "exports/")
        .with("s3:max-keys", "10")
        .with("dynamodb:LeadingKeys", "p1")
        .with("aws:TagKeys", "team")
        .with("aws:TagKeys", "cost");
    principal.add_global_keys(&mut context);
    Request {
        principal,
        action: action.into(),
        resource: resource.into(),
        resource_account: Some(owner.into()),
        context,
    }
}

fn requests() -> Vec<Request> {
    vec![
        request(
            RequestPrincipal::user(A, "/", "alice", "AIDAALICEALICEALICE12"),
            "s3:PutObject",
            "arn:aws:s3:::bkt/exports/x.json",
            A,
        ),
        request(
            RequestPrincipal::assumed_role(A, "/svc/", "Exporter", "AROAROLEROLEROLEROLE1", "s1"),
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-east-1:444455556666:table/T",
            B,
        ),
        request(
            RequestPrincipal::root(B),
            "sts:AssumeRole",
            "arn:aws:iam::111122223333:role/R",
            A,
        ),
        request(
            RequestPrincipal::anonymous(),
            "s3:GetObject",
            "arn:aws:s3:::bkt/public/a",
            A,
        ),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The callers' checks before parsing.
    limits::policy_size(text);
    limits::has_valid_characters(text);
    let kinds = [
        PolicyKind::Identity,
        PolicyKind::Session,
        PolicyKind::Trust,
        PolicyKind::Resource(ResourcePolicyKind::S3Bucket { bucket: "bkt" }),
        PolicyKind::Resource(ResourcePolicyKind::DynamoDbTable),
    ];
    let mut parsed = Vec::new();
    for kind in kinds {
        let Ok(mut document) = PolicyDocument::parse(text, kind) else {
            continue;
        };
        // Unknown entities refuse the document; known ones become unique ids.
        let mut bound = document.clone();
        let _ = bound.bind_principals(kind, |_| None);
        let _ = document.bind_principals(kind, |arn| {
            (arn.len() % 2 == 0).then(|| "AIDAKNOWNKNOWNKNOWN12".to_owned())
        });
        parsed.push(document);
    }
    let requests = requests();
    for document in &parsed {
        let policy = LabeledPolicy {
            label: "fuzzed",
            document,
        };
        let identity = [policy];
        for policies in [
            Policies {
                identity: &identity,
                ..Policies::default()
            },
            Policies {
                resource: Some(policy),
                resource_policy_required: true,
                ..Policies::default()
            },
            Policies {
                identity: &identity,
                resource: Some(policy),
                permissions_boundary: Some(policy),
                session: &identity,
                resource_policy_required: false,
            },
        ] {
            for request in &requests {
                let decision = evaluate(request, &policies);
                decision.is_allowed();
                decision.denying_policy_type();
                access_denied_message(request, &decision);
                s3_access_denied_message(request, &decision);
            }
        }
    }
});
