//! Decision tables: same/cross account × allow/deny/none, explicit deny, root, role ARN vs
//! unique id, session policies, and the access-denied texts.

use super::*;
use crate::context::Context;
use crate::document::{PolicyKind, ResourcePolicyKind};
use crate::message::{access_denied_message, s3_access_denied_message};
use crate::request::RequestPrincipal;

const A: &str = "111122223333";
const B: &str = "444455556666";
const ALICE_ID: &str = "AIDAALICEALICEALICE12";
const ROLE_ID: &str = "AROAROLEROLEROLEROLE1";

fn identity(statements: &str) -> PolicyDocument {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    PolicyDocument::parse(&text, PolicyKind::Identity).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn bucket(statements: &str) -> PolicyDocument {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    let kind = PolicyKind::Resource(ResourcePolicyKind::S3Bucket { bucket: "bkt" });
    PolicyDocument::parse(&text, kind).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn alice(account: &str) -> RequestPrincipal {
    RequestPrincipal::user(account, "/", "alice", ALICE_ID)
}

fn session() -> RequestPrincipal {
    RequestPrincipal::assumed_role(A, "/", "Exporter", ROLE_ID, "s1")
}

fn put(principal: RequestPrincipal, owner: &str) -> Request {
    let mut context = Context::new();
    principal.add_global_keys(&mut context);
    Request {
        principal,
        action: "s3:PutObject".into(),
        resource: "arn:aws:s3:::bkt/exports/x.json".into(),
        resource_account: Some(owner.into()),
        context,
    }
}

const ID_ALLOW: &str =
    r#"{"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bkt/*"}"#;
const ID_DENY: &str = r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#;

fn bp_allow(principal: &str) -> String {
    format!(
        r#"{{"Sid":"BP","Effect":"Allow","Principal":{principal},"Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::bkt/*"}}"#
    )
}

fn run(
    req: &Request,
    identity_doc: Option<&PolicyDocument>,
    bucket_doc: Option<&PolicyDocument>,
) -> Decision {
    let ids: Vec<LabeledPolicy<'_>> = identity_doc
        .map(|d| LabeledPolicy {
            label: "identity: inline",
            document: d,
        })
        .into_iter()
        .collect();
    let policies = Policies {
        identity: &ids,
        resource: bucket_doc.map(|d| LabeledPolicy {
            label: "bucket policy: bkt",
            document: d,
        }),
        ..Policies::default()
    };
    evaluate(req, &policies)
}

use DecisionEffect::{Allow, ExplicitDeny, ImplicitDeny};

/// Name, request, identity policy, bucket policy, expected effect, denying policy type.
type Case<'a> = (
    &'static str,
    Request,
    Option<&'a PolicyDocument>,
    Option<&'a PolicyDocument>,
    DecisionEffect,
    Option<PolicyType>,
);

#[test]
fn decision_table() {
    let id_allow = identity(ID_ALLOW);
    let id_deny = identity(&format!("{ID_ALLOW},{ID_DENY}"));
    let bp_alice = bucket(&bp_allow(&format!(
        r#"{{"AWS":"arn:aws:iam::{A}:user/alice"}}"#
    )));
    let bp_acct_a = bucket(&bp_allow(&format!(r#"{{"AWS":"{A}"}}"#)));
    let bp_root_a = bucket(&bp_allow(&format!(r#"{{"AWS":"arn:aws:iam::{A}:root"}}"#)));
    let bp_role = bucket(&bp_allow(&format!(
        r#"{{"AWS":"arn:aws:iam::{A}:role/Exporter"}}"#
    )));
    let bp_role_id = bucket(&bp_allow(&format!(r#"{{"AWS":"{ROLE_ID}"}}"#)));
    let bp_old_role_id = bucket(&bp_allow(r#"{"AWS":"AROAOLDROLEOLDROLE123"}"#));
    let bp_session = bucket(&bp_allow(&format!(
        r#"{{"AWS":"arn:aws:sts::{A}:assumed-role/Exporter/s1"}}"#
    )));
    let bp_star = bucket(&bp_allow(r#""*""#));
    let bp_deny_role = bucket(&format!(
        r#"{},{{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::{A}:role/Exporter"}},"Action":"s3:*","Resource":"arn:aws:s3:::bkt/*"}}"#,
        bp_allow(r#""*""#)
    ));
    let bp_deny_all = bucket(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt/*"}"#,
    );

    #[rustfmt::skip]
    let cases: Vec<Case<'_>> = vec![
        // Same account (bucket owned by A).
        ("same: identity allow", put(alice(A), A), Some(&id_allow), None, Allow, None),
        ("same: nothing", put(alice(A), A), None, None, ImplicitDeny, Some(PolicyType::IdentityBased)),
        ("same: explicit deny wins", put(alice(A), A), Some(&id_deny), Some(&bp_alice), ExplicitDeny, Some(PolicyType::IdentityBased)),
        ("same: bucket names user", put(alice(A), A), None, Some(&bp_alice), Allow, None),
        ("same: bucket names account only", put(alice(A), A), None, Some(&bp_acct_a), ImplicitDeny, Some(PolicyType::IdentityBased)),
        ("same: bucket names account + identity", put(alice(A), A), Some(&id_allow), Some(&bp_root_a), Allow, None),
        ("same: bucket star", put(alice(A), A), None, Some(&bp_star), Allow, None),
        ("same: root, no policies", put(RequestPrincipal::root(A), A), None, None, Allow, None),
        ("same: root, bucket deny", put(RequestPrincipal::root(A), A), None, Some(&bp_deny_all), ExplicitDeny, Some(PolicyType::ResourceBased)),
        ("same: role ARN grants session", put(session(), A), None, Some(&bp_role), Allow, None),
        ("same: role unique id grants session", put(session(), A), None, Some(&bp_role_id), Allow, None),
        ("same: re-created role not matched", put(session(), A), None, Some(&bp_old_role_id), ImplicitDeny, Some(PolicyType::IdentityBased)),
        ("same: session ARN direct", put(session(), A), None, Some(&bp_session), Allow, None),
        ("same: deny on role ARN hits session", put(session(), A), Some(&id_allow), Some(&bp_deny_role), ExplicitDeny, Some(PolicyType::ResourceBased)),
        // Cross account (bucket owned by B).
        ("cross: both allow (account principal)", put(alice(A), B), Some(&id_allow), Some(&bp_acct_a), Allow, None),
        ("cross: both allow (root ARN)", put(alice(A), B), Some(&id_allow), Some(&bp_root_a), Allow, None),
        ("cross: identity only", put(alice(A), B), Some(&id_allow), None, ImplicitDeny, Some(PolicyType::ResourceBased)),
        ("cross: bucket only", put(alice(A), B), None, Some(&bp_alice), ImplicitDeny, Some(PolicyType::IdentityBased)),
        ("cross: bucket names other account", put(alice(B), "999988887777"), Some(&id_allow), Some(&bp_acct_a), ImplicitDeny, Some(PolicyType::ResourceBased)),
        ("cross: explicit deny", put(alice(A), B), Some(&id_allow), Some(&bp_deny_all), ExplicitDeny, Some(PolicyType::ResourceBased)),
        ("cross: role ARN + identity", put(session(), B), Some(&id_allow), Some(&bp_role), Allow, None),
        ("cross: role id + identity", put(session(), B), Some(&id_allow), Some(&bp_role_id), Allow, None),
        ("cross: old role id", put(session(), B), Some(&id_allow), Some(&bp_old_role_id), ImplicitDeny, Some(PolicyType::ResourceBased)),
        ("cross: root of A with bucket allow", put(RequestPrincipal::root(A), B), None, Some(&bp_acct_a), Allow, None),
        ("cross: root of A without", put(RequestPrincipal::root(A), B), None, None, ImplicitDeny, Some(PolicyType::ResourceBased)),
        // Anonymous.
        ("anonymous: public bucket", put(RequestPrincipal::anonymous(), B), None, Some(&bp_star), Allow, None),
        ("anonymous: account grant", put(RequestPrincipal::anonymous(), B), None, Some(&bp_acct_a), ImplicitDeny, Some(PolicyType::ResourceBased)),
    ];
    for (name, req, id, bp, want, why) in cases {
        let d = run(&req, id, bp);
        assert_eq!(d.effect, want, "{name}: {:#?}", d.trace);
        assert_eq!(d.denying_policy_type(), why, "{name}");
    }
}

#[test]
fn session_policies_and_boundaries_restrict() {
    let id_allow = identity(ID_ALLOW);
    let session_other = identity(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#);
    let bp_role = bucket(&bp_allow(&format!(
        r#"{{"AWS":"arn:aws:iam::{A}:role/Exporter"}}"#
    )));
    let bp_session = bucket(&bp_allow(&format!(
        r#"{{"AWS":"arn:aws:sts::{A}:assumed-role/Exporter/s1"}}"#
    )));
    let ids = [LabeledPolicy {
        label: "identity: role Exporter",
        document: &id_allow,
    }];
    let sess = [LabeledPolicy {
        label: "session policy",
        document: &session_other,
    }];
    let req = put(session(), A);
    let base = Policies {
        identity: &ids,
        session: &sess,
        ..Policies::default()
    };
    assert_eq!(
        evaluate(&req, &base).denying_policy_type(),
        Some(PolicyType::SessionPolicy)
    );
    let role = Policies {
        resource: Some(LabeledPolicy {
            label: "bp",
            document: &bp_role,
        }),
        ..base
    };
    assert_eq!(evaluate(&req, &role).effect, ImplicitDeny);
    let direct = Policies {
        resource: Some(LabeledPolicy {
            label: "bp",
            document: &bp_session,
        }),
        ..base
    };
    assert_eq!(evaluate(&req, &direct).effect, Allow);
    let bounded = Policies {
        session: &[],
        permissions_boundary: Some(LabeledPolicy {
            label: "boundary",
            document: &session_other,
        }),
        ..base
    };
    assert_eq!(
        evaluate(&req, &bounded).denying_policy_type(),
        Some(PolicyType::PermissionsBoundary)
    );
    let same_session = [LabeledPolicy {
        label: "session policy",
        document: &id_allow,
    }];
    assert_eq!(
        evaluate(
            &req,
            &Policies {
                session: &same_session,
                ..base
            }
        )
        .effect,
        Allow
    );
}

#[test]
fn trust_policy_must_allow() {
    let trust_text = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"sts:AssumeRole"}}}}"#
    );
    let trust =
        PolicyDocument::parse(&trust_text, PolicyKind::Trust).unwrap_or_else(|e| panic!("{e}"));
    let other_text = trust_text.replace("user/alice", "user/bob");
    let other =
        PolicyDocument::parse(&other_text, PolicyKind::Trust).unwrap_or_else(|e| panic!("{e}"));
    let id = identity(r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}"#);
    let ids = [LabeledPolicy {
        label: "identity",
        document: &id,
    }];
    let req = Request {
        action: "sts:AssumeRole".into(),
        resource: format!("arn:aws:iam::{A}:role/R"),
        resource_account: Some(A.into()),
        ..put(alice(A), A)
    };
    let with = |doc| Policies {
        identity: &ids,
        resource: Some(LabeledPolicy {
            label: "trust policy: R",
            document: doc,
        }),
        resource_policy_required: true,
        ..Policies::default()
    };
    assert_eq!(evaluate(&req, &with(&trust)).effect, Allow);
    let d = evaluate(&req, &with(&other));
    assert_eq!(d.denying_policy_type(), Some(PolicyType::ResourceBased));
}

#[test]
fn variables_and_conditions_in_evaluation() {
    let doc = identity(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bkt/home/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"}}}"#,
    );
    let mut req = put(alice(A), A);
    req.resource = "arn:aws:s3:::bkt/home/alice/notes".into();
    req.context.insert("aws:SourceIp", "10.2.3.4");
    req.context.insert("aws:SecureTransport", "true");
    assert_eq!(run(&req, Some(&doc), None).effect, Allow);
    req.resource = "arn:aws:s3:::bkt/home/bob/notes".into();
    assert_eq!(run(&req, Some(&doc), None).effect, ImplicitDeny);
    req.resource = "arn:aws:s3:::bkt/home/alice/notes".into();
    req.context.set("aws:SourceIp", vec!["192.0.2.1".into()]);
    assert_eq!(run(&req, Some(&doc), None).effect, ImplicitDeny);
    // A role session has no aws:username: the resource matches nothing.
    let mut req = put(session(), A);
    req.resource = "arn:aws:s3:::bkt/home/Exporter/notes".into();
    req.context.insert("aws:SourceIp", "10.2.3.4");
    req.context.insert("aws:SecureTransport", "true");
    assert_eq!(run(&req, Some(&doc), None).effect, ImplicitDeny);
}

#[test]
fn trace_names_policy_and_statement() {
    let id_deny = identity(&format!("{ID_ALLOW},{ID_DENY}"));
    let d = run(&put(alice(A), A), Some(&id_deny), None);
    assert_eq!(
        d.trace,
        vec![
            TraceEntry::Statement {
                policy_type: PolicyType::IdentityBased,
                policy: "identity: inline".into(),
                statement: "Write".into(),
                effect: Effect::Allow,
                principal: None,
            },
            TraceEntry::Statement {
                policy_type: PolicyType::IdentityBased,
                policy: "identity: inline".into(),
                statement: "#1".into(),
                effect: Effect::Deny,
                principal: None,
            },
        ]
    );
    let bp_acct = bucket(&bp_allow(&format!(r#"{{"AWS":"{A}"}}"#)));
    let d = run(&put(alice(A), A), None, Some(&bp_acct));
    assert!(d.trace.contains(&TraceEntry::AccountPrincipalInsufficient));
    assert_eq!(
        d.trace.last().map(ToString::to_string).as_deref(),
        Some("no identity-based policy allows the action")
    );
}

#[test]
fn access_denied_texts() {
    let req = put(alice(A), A);
    let none = run(&req, None, None);
    assert_eq!(
        access_denied_message(&req, &none),
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::bkt/exports/x.json because no identity-based policy allows the s3:PutObject action"
    );
    assert_eq!(
        s3_access_denied_message(&req, &none),
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::bkt/exports/x.json\" because no identity-based policy allows the s3:PutObject action"
    );
    let deny = run(&req, Some(&identity(ID_DENY)), None);
    assert_eq!(
        access_denied_message(&req, &deny),
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::bkt/exports/x.json with an explicit deny in an identity-based policy"
    );
    let req = put(session(), B);
    let d = run(&req, Some(&identity(ID_ALLOW)), None);
    assert_eq!(
        access_denied_message(&req, &d),
        "User: arn:aws:sts::111122223333:assumed-role/Exporter/s1 is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::bkt/exports/x.json because no resource-based policy allows the s3:PutObject action"
    );
    let d = run(
        &req,
        Some(&identity(ID_ALLOW)),
        Some(&bucket(
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt/*"}"#,
        )),
    );
    assert!(
        access_denied_message(&req, &d)
            .ends_with("with an explicit deny in a resource-based policy")
    );
    let ok = run(&put(alice(A), A), Some(&identity(ID_ALLOW)), None);
    assert_eq!(access_denied_message(&req, &ok), "");
}

#[test]
fn global_keys_from_principal() {
    let mut c = Context::new();
    session().add_global_keys(&mut c);
    assert_eq!(c.get_single("aws:userid"), Some("AROAROLEROLEROLEROLE1:s1"));
    assert_eq!(
        c.get_single("aws:PrincipalArn"),
        Some("arn:aws:iam::111122223333:role/Exporter")
    );
    assert_eq!(c.get_single("aws:principaltype"), Some("AssumedRole"));
    assert_eq!(c.get("aws:username"), None);
    let mut c = Context::new();
    RequestPrincipal::root(A).add_global_keys(&mut c);
    assert_eq!(c.get_single("aws:userid"), Some(A));
    assert_eq!(c.get_single("aws:PrincipalType"), Some("Account"));
}
