//! IAM, STS and S3's authorization at the application layer, without HTTP.

mod common;

use common::{DESTINATION, SOURCE, app, create_bucket, root, signed, user};
use strata_app::Caller;
use strata_app::iam::inline_policies::{HolderInput, PutPolicyInput};
use strata_app::iam::roles::CreateRoleInput;
use strata_app::iam::sts::AssumeRoleInput;
use strata_app::iam::users::CreateUserInput;
use strata_app::iam::{Error, inline_policies, roles, sts, users};
use strata_app::s3::{AccessError, BucketContext};
use strata_iam::PolicyHolder;
use strata_s3::BucketPolicy;

#[tokio::test]
async fn an_inline_policy_grants_what_it_says_and_nothing_else() {
    let app = app().await;
    let admin = root(SOURCE);
    let bob = user(&app, SOURCE, "bob").await;
    let denied = users::create_user(
        &app,
        &bob,
        CreateUserInput {
            user_name: "carol".into(),
            path: None,
            tags: Vec::new(),
        },
    )
    .await;
    assert!(matches!(denied, Err(Error::AccessDenied(_))), "{denied:?}");
    inline_policies::put_policy(
        &app,
        &admin,
        PutPolicyInput {
            holder: PolicyHolder::User("bob".into()),
            policy_name: "users".into(),
            policy_document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}]}"#.into(),
        },
    )
    .await
    .unwrap();
    let created = users::create_user(
        &app,
        &bob,
        CreateUserInput {
            user_name: "carol".into(),
            path: Some("/team/".into()),
            tags: Vec::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        created.user.arn,
        "arn:aws:iam::111111111111:user/team/carol"
    );
    let listed = inline_policies::list_policies(
        &app,
        &admin,
        HolderInput {
            holder: PolicyHolder::User("bob".into()),
        },
    )
    .unwrap();
    assert_eq!(listed.policy_names.member, ["users"]);
}

#[tokio::test]
async fn assume_role_needs_the_trust_policy_even_in_the_same_account() {
    let app = app().await;
    let admin = root(SOURCE);
    let trust_other = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{DESTINATION}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    roles::create_role(
        &app,
        &admin,
        CreateRoleInput {
            role_name: "exporter".into(),
            path: None,
            assume_role_policy_document: trust_other,
            description: None,
            max_session_duration: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap();
    let assume = |caller| {
        let app = app.clone();
        async move {
            sts::assume_role(
                &app,
                &caller,
                AssumeRoleInput {
                    role_arn: "arn:aws:iam::111111111111:role/exporter".into(),
                    role_session_name: "s1".into(),
                    duration_seconds: None,
                    policy: None,
                    external_id: None,
                },
            )
            .await
        }
    };
    let allow_assume = |admin: Caller, user: &'static str| {
        let app = app.clone();
        async move {
            inline_policies::put_policy(
                &app,
                &admin,
                PutPolicyInput {
                    holder: PolicyHolder::User(user.into()),
                    policy_name: "assume".into(),
                    policy_document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#.into(),
                },
            )
            .await
            .unwrap();
        }
    };
    let bob = user(&app, SOURCE, "bob").await;
    allow_assume(admin.clone(), "bob").await;
    let same_account = assume(bob).await;
    assert!(
        matches!(&same_account, Err(Error::AccessDenied(m)) if m == "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/exporter"),
        "{same_account:?}"
    );
    let dana = user(&app, DESTINATION, "dana").await;
    allow_assume(root(DESTINATION), "dana").await;
    let session = assume(dana).await.unwrap();
    assert_eq!(
        session.assumed_role_user.arn,
        "arn:aws:sts::111111111111:assumed-role/exporter/s1"
    );
    assert!(session.credentials.access_key_id.starts_with("ASIA"));
}

#[tokio::test]
async fn roles_may_not_be_assumed_by_root_accounts() {
    // Not even when the trust policy names the root's own account.
    let app = app().await;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{SOURCE}:root","{DESTINATION}"]}},"Action":"sts:AssumeRole"}}]}}"#
    );
    roles::create_role(
        &app,
        &root(SOURCE),
        CreateRoleInput {
            role_name: "trusting".into(),
            path: None,
            assume_role_policy_document: trust,
            description: None,
            max_session_duration: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap();
    for account in [SOURCE, DESTINATION] {
        let refused = sts::assume_role(
            &app,
            &root(account),
            AssumeRoleInput {
                role_arn: "arn:aws:iam::111111111111:role/trusting".into(),
                role_session_name: "s1".into(),
                duration_seconds: None,
                policy: None,
                external_id: None,
            },
        )
        .await;
        assert!(
            matches!(&refused, Err(Error::AccessDenied(m)) if m == sts::ROOT_MAY_NOT_ASSUME_ROLES),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn another_accounts_bucket_needs_its_policy_and_the_expected_owner() {
    let app = app().await;
    create_bucket(&app, DESTINATION, "their-bucket").await;
    let me = root(SOURCE);
    let context = |expected: Option<&str>| {
        BucketContext::resolve(
            &app,
            signed(&me),
            "their-bucket",
            expected.map(str::to_owned),
        )
        .unwrap()
    };
    let denied = context(None).authorize("s3:PutObject", Some("k"));
    assert!(
        matches!(&denied, Err(AccessError::AccessDenied(m)) if m == "Access Denied"),
        "cross-account refusals say no more: {denied:?}"
    );
    app.s3
        .update_bucket("their-bucket", |b| {
            b.policy = Some(BucketPolicy {
                document: format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{SOURCE}:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::their-bucket/*"}}]}}"#),
                bindings: Vec::new(),
            });
            Ok(())
        })
        .await
        .unwrap();
    context(None).authorize("s3:PutObject", Some("k")).unwrap();
    context(Some(DESTINATION))
        .authorize("s3:PutObject", Some("k"))
        .unwrap();
    let wrong_owner = context(Some(SOURCE)).authorize("s3:PutObject", Some("k"));
    assert!(matches!(wrong_owner, Err(AccessError::AccessDenied(_))));
    let explained = context(Some(SOURCE)).authorize_explained("s3:PutObject", Some("k"));
    assert!(matches!(explained, Err(AccessError::AccessDenied(_))));
    let missing = BucketContext::resolve(&app, signed(&me), "no-such-bucket", None);
    assert!(matches!(
        missing,
        Err(AccessError::Engine(strata_s3::S3Error::NoSuchBucket))
    ));
}
