//! Request ids in the shapes AWS uses.

/// DynamoDB's request ids: 52 upper-case base32-like characters.
pub fn dynamodb() -> String {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const LEN: usize = 52;
    // Ten characters from each random u64 (2^64 is 5,040 times 36^10 and a little more, so
    // the digits are uniform but for less than 1 in 5,000): a sixth of the generator calls.
    let mut id = String::with_capacity(LEN);
    while id.len() < LEN {
        let mut bits = fastrand::u64(..);
        for _ in 0..(LEN - id.len()).min(10) {
            id.push(char::from(ALPHABET[(bits % 36) as usize]));
            bits /= 36;
        }
    }
    id
}

/// IAM/STS/KMS request ids: a version-4 UUID. Request ids need to be unique, not
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

#[cfg(test)]
mod tests {
    #[test]
    fn dynamodb_ids_are_52_upper_case_letters_and_digits() {
        for _ in 0..100 {
            let id = super::dynamodb();
            assert_eq!(id.len(), 52);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            );
        }
    }
}
