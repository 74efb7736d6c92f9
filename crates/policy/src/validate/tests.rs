//! Validator tables: documents AWS accepts and the exact messages for those it rejects.

use super::*;
use crate::document::ResourcePolicyKind;
use crate::principal::Principal;

const BUCKET: PolicyKind<'static> =
    PolicyKind::Resource(ResourcePolicyKind::S3Bucket { bucket: "bkt" });
const TABLE: PolicyKind<'static> = PolicyKind::Resource(ResourcePolicyKind::DynamoDbTable);

fn check(kind: PolicyKind<'_>, text: &str) -> Result<PolicyDocument, String> {
    PolicyDocument::parse(text, kind).map_err(|e| e.message)
}

#[test]
fn accepted_documents() {
    #[rustfmt::skip]
    let cases: &[(PolicyKind<'_>, &str)] = &[
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A1","Effect":"Deny","NotAction":["s3:*","iam:Get*"],"NotResource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#),
        (PolicyKind::Session, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#),
        (PolicyKind::Trust, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}"#),
        (PolicyKind::Trust, r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#),
        (BUCKET, r#"{"Statement":[{"Sid":"any sid ok","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}"#),
        (BUCKET, r#"  {"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/a"]},"Action":["s3:*"],"Resource":["arn:aws:s3:::bkt","arn:aws:s3:::bkt/*"]}]}"#),
        (TABLE, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/T"}]}"#),
        // An unknown operator with an empty block is ignored.
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Whatever":{}}}}"#),
    ];
    for (kind, text) in cases {
        assert!(
            check(*kind, text).is_ok(),
            "{kind:?} {text}: {:?}",
            check(*kind, text).err()
        );
    }
}

#[test]
fn typed_values() {
    let doc = check(
        PolicyKind::Trust,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:root"]},"Action":"sts:AssumeRole"}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.version, Version::V2012_10_17);
    let st = &doc.statements[0];
    assert_eq!(st.effect, Effect::Allow);
    assert!(st.resource.is_none());
    assert_eq!(
        st.principal,
        Some(PrincipalBlock::Principal(vec![
            Principal::Account("111122223333".into()),
            Principal::Account("444455556666".into()),
        ]))
    );
}

#[test]
fn rejected_documents() {
    let s = |x: &str| x.to_string();
    #[rustfmt::skip]
    let cases: Vec<(PolicyKind<'_>, &str, String)> = vec![
        // IAM identity
        (PolicyKind::Identity, "not json", s(MSG_SYNTAX)),
        (PolicyKind::Identity, "[]", s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":[],"Extra":1}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":[]}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17"}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":"x"}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Id":5,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, s(MSG_VERSION_2012)),
        (PolicyKind::Identity, r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, s(MSG_VERSION_2012)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Action":"s3:*","Resource":"*"}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:x","Resource":"*"}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":{"a":1}}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":"x"}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":"x"}}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}}"#, s(MSG_SYNTAX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#, s(MSG_NO_PRINCIPAL_ALLOWED)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}"#, s(MSG_NEEDS_ACTIONS)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#, s(MSG_NEEDS_ACTIONS)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}"#, s(MSG_NEEDS_RESOURCES)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":[]}}"#, s(MSG_NEEDS_RESOURCES)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#, s(MSG_DUPLICATE_SID)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, s(MSG_SID_ALPHANUMERIC)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}"#, s(crate::action::MSG_VENDOR_PREFIX)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}"#, s(r#"Resource bucket must be in ARN format or "*"."#)),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3::bucket"}}"#, s("The policy failed legacy parsing")),
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}}"#, s("The policy failed legacy parsing")),
        // Syntax errors win over earlier semantic ones.
        (PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"x","Resource":"*"},{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}"#, s(MSG_SYNTAX)),
        // Trust
        (PolicyKind::Trust, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#, s(MSG_TRUST_NO_PRINCIPAL)),
        (PolicyKind::Trust, "not json", s(MSG_TRUST_INVALID_JSON)),
        (PolicyKind::Trust, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","NotResource":"*"}}"#, s(MSG_TRUST_NOT_RESOURCE)),
        (PolicyKind::Trust, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Resource":"*"}}"#, s(MSG_TRUST_RESOURCE)),
        (PolicyKind::Trust, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject"}}"#, s(MSG_TRUST_ACTIONS)),
        (PolicyKind::Trust, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"sts:AssumeRole"}}"#, s(r#"Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/*""#)),
        // S3 bucket policy
        (BUCKET, "x{}", s(MSG_S3_FIRST_BYTE)),
        (BUCKET, "{", s(MSG_S3_INVALID_JSON)),
        (BUCKET, r#"{"Version":"2012-10-17"}"#, s("Missing required field Statement")),
        (BUCKET, r#"{"Version":"2012-10-17","Statement":[]}"#, s(MSG_S3_STATEMENT_EMPTY)),
        (BUCKET, r#"{"Version":"1999","Statement":[]}"#, s(MSG_S3_VERSION)),
        (BUCKET, r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}"#, s("Missing required field Principal")),
        (BUCKET, r#"{"Statement":{"Effect":"Permit","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}"#, s("Invalid effect: Permit")),
        (BUCKET, r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}"#, s("Invalid principal in policy")),
        (BUCKET, r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}}"#, s("Policy has invalid resource")),
        (BUCKET, r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#, s("Policy has invalid resource")),
        (BUCKET, r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"dynamodb:GetItem","Resource":"arn:aws:s3:::bkt"}}"#, s("Policy has invalid action")),
        // DynamoDB table policy
        (TABLE, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}}"#, s("Missing required field Principal")),
    ];
    for (kind, text, want) in cases {
        assert_eq!(check(kind, text).map(|_| ()), Err(want), "{kind:?} {text}");
    }
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        "",
        "{}",
        "null",
        "\"x\"",
        "{\"Statement\":null}",
        "{\"Statement\":[null]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":[],\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[[]]},\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::${\"}}",
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::é${aws:username, 'd'}\"}}",
    ];
    let deep = "[".repeat(10_000);
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Trust,
        PolicyKind::Session,
        BUCKET,
        TABLE,
    ] {
        for text in odd.iter().copied().chain([deep.as_str()]) {
            let _ = PolicyDocument::parse(text, kind);
        }
    }
}

#[test]
fn bind_principals_to_unique_ids() {
    let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/R","111122223333"]},"Action":"sts:AssumeRole"}}"#;
    let mut doc = check(PolicyKind::Trust, text).unwrap_or_else(|e| panic!("{e}"));
    let ok = doc.bind_principals(PolicyKind::Trust, |arn| {
        arn.ends_with(":role/R")
            .then(|| "AROAROLEROLEROLEROLE1".to_string())
    });
    assert_eq!(ok, Ok(()));
    assert_eq!(
        doc.statements[0].principal,
        Some(PrincipalBlock::Principal(vec![
            Principal::UniqueId("AROAROLEROLEROLEROLE1".into()),
            Principal::Account("111122223333".into()),
        ]))
    );
    let mut doc = check(PolicyKind::Trust, text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        doc.bind_principals(PolicyKind::Trust, |_| None)
            .map_err(|e| e.message),
        Err(r#"Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/R""#.to_string())
    );
}
