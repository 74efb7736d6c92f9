//! The engine over a temporary store: keys, aliases, ciphertexts and deletion.

use super::*;

fn engine() -> Kms {
    Kms::new(
        strata_storage::Store::open_temporary().unwrap(),
        strata_clock::Clock::with_offset_micros(0),
    )
}

fn new_key(account: &str) -> NewKey {
    NewKey {
        account: account.to_owned(),
        region: "us-east-1".to_owned(),
        description: String::new(),
        manager: KeyManager::Customer,
        policy: "{}".to_owned(),
        policy_bindings: Vec::new(),
        tags: Vec::new(),
    }
}

fn context(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn ciphertexts_open_only_under_their_key_and_context() {
    let kms = engine();
    let a = kms.create_key(new_key("111111111111")).await.unwrap();
    let b = kms.create_key(new_key("111111111111")).await.unwrap();
    let ctx = context(&[("aws:s3:arn", "arn:aws:s3:::b/k"), ("x", "1")]);
    let blob = a.encrypt(b"secret", &ctx).unwrap();
    assert_eq!(
        ciphertext::key_of(&blob),
        Some(CiphertextKey {
            account: "111111111111".into(),
            region: "us-east-1".into(),
            key_id: a.key_id.clone(),
        })
    );
    assert_eq!(
        a.decrypt(&blob, &ctx).unwrap().as_deref(),
        Some(&b"secret"[..])
    );
    // Order of the pairs does not matter; their content does.
    let reordered = context(&[("x", "1"), ("aws:s3:arn", "arn:aws:s3:::b/k")]);
    assert!(a.decrypt(&blob, &reordered).unwrap().is_some());
    assert!(a.decrypt(&blob, &context(&[("x", "1")])).unwrap().is_none());
    assert!(
        a.decrypt(&blob, &EncryptionContext::new())
            .unwrap()
            .is_none()
    );
    assert!(b.decrypt(&blob, &ctx).unwrap().is_none());
    for i in 0..blob.len() {
        let mut bad = blob.clone();
        bad[i] ^= 1;
        assert!(a.decrypt(&bad, &ctx).unwrap().is_none(), "byte {i} flipped");
    }
    assert!(a.decrypt(&blob[..blob.len() - 1], &ctx).unwrap().is_none());
    assert_eq!(ciphertext::key_of(b"garbage"), None);
    assert_eq!(ciphertext::key_of(&[]), None);
}

#[tokio::test]
async fn keys_are_per_account_and_region() {
    let kms = engine();
    let key = kms.create_key(new_key("111111111111")).await.unwrap();
    assert!(
        kms.key("111111111111", "us-east-1", &key.key_id)
            .unwrap()
            .is_some()
    );
    assert!(
        kms.key("222222222222", "us-east-1", &key.key_id)
            .unwrap()
            .is_none()
    );
    assert!(
        kms.key("111111111111", "eu-west-1", &key.key_id)
            .unwrap()
            .is_none()
    );
    assert_eq!(kms.keys("111111111111", "us-east-1").unwrap().len(), 1);
    assert!(kms.keys("222222222222", "us-east-1").unwrap().is_empty());
    assert_eq!(key.material_id().len(), 64);
}

#[tokio::test]
async fn aliases_are_unique_and_go_with_their_deleted_key() {
    let kms = engine();
    let (acct, region) = ("111111111111", "us-east-1");
    let key = kms.create_key(new_key(acct)).await.unwrap();
    kms.create_alias(acct, region, "alias/a", &key.key_id)
        .await
        .unwrap();
    assert!(matches!(
        kms.create_alias(acct, region, "alias/a", &key.key_id).await,
        Err(KmsError::AliasExists)
    ));
    assert!(matches!(
        kms.create_alias(acct, region, "alias/b", "no-such").await,
        Err(KmsError::NoSuchKey)
    ));
    let past = kms.now() - jiff::SignedDuration::from_secs(1);
    kms.update_key(acct, region, &key.key_id, move |k| {
        k.state = KeyState::PendingDeletion;
        k.deletion_date = Some(past);
        Ok::<_, KmsError>(())
    })
    .await
    .unwrap();
    assert!(kms.key(acct, region, &key.key_id).unwrap().is_none());
    assert_eq!(kms.delete_due_keys().await.unwrap(), 1);
    assert!(kms.aliases(acct, region).unwrap().is_empty());
    // The alias records themselves are gone, not only hidden.
    assert_eq!(kms.store.prefix(ALIASES, b"").unwrap().count(), 0);
}

#[tokio::test]
async fn an_aws_managed_key_is_made_once() {
    let kms = engine();
    let first = kms
        .aws_managed_key("111111111111", "us-east-1", "s3", "d", || "{}".into())
        .await
        .unwrap();
    let again = kms
        .aws_managed_key("111111111111", "us-east-1", "s3", "d", || "{}".into())
        .await
        .unwrap();
    assert_eq!(first.key_id, again.key_id);
    assert_eq!(first.manager, KeyManager::Aws);
    let alias = kms
        .alias("111111111111", "us-east-1", "alias/aws/s3")
        .unwrap()
        .unwrap();
    assert_eq!(alias.target_key_id, first.key_id);
}
