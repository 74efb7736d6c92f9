//! Request ids in the shapes AWS uses.

/// DynamoDB's request ids: 52 upper-case base32-like characters.
pub fn dynamodb() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..52)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

/// IAM/STS request ids: a version-4 UUID. Request ids need to be unique, not
/// secret, so they come from the thread-local fast RNG rather than a syscall.
pub fn query() -> String {
    let bytes = fastrand::u128(..).to_le_bytes();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// S3's `x-amz-request-id`: 16 upper-case hex characters.
pub fn s3() -> String {
    format!("{:016X}", fastrand::u64(..))
}

/// S3's `x-amz-id-2`: an opaque base64 host id.
pub fn s3_host_id() -> String {
    use base64::Engine as _;
    let bytes: Vec<u8> = (0..48).map(|_| fastrand::u8(..)).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
