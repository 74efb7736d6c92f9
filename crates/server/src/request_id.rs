//! Request ids in the shapes AWS uses.

/// DynamoDB's request ids: 52 upper-case base32-like characters.
pub fn dynamodb() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = fastrand::Rng::new();
    (0..52)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())] as char)
        .collect()
}

/// IAM/STS request ids: a UUID.
pub fn query() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// S3's `x-amz-request-id`: 16 upper-case hex characters.
pub fn s3() -> String {
    format!("{:016X}", fastrand::u64(..))
}
