//! Generated identifiers in AWS's formats (spec iam-s3-authz §5.3).

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = fastrand::Rng::new();
    (0..len)
        .map(|_| alphabet[rng.usize(..alphabet.len())] as char)
        .collect()
}

/// `AKIA` + 16 base32 characters.
pub fn generate_root_access_key_id() -> String {
    format!("AKIA{}", random_from(BASE32, 16))
}

/// `AKIA` + 16 base32 characters, for an IAM user's key.
pub fn generate_user_access_key_id() -> String {
    generate_root_access_key_id()
}

/// `ASIA` + 16 base32 characters: a temporary (STS) access key id.
pub fn generate_session_access_key_id() -> String {
    format!("ASIA{}", random_from(BASE32, 16))
}

/// An opaque session token, base64-alphabet like AWS's (several hundred characters).
pub fn generate_session_token() -> String {
    format!("IQoJb3JpZ2luX2Vj{}", random_from(SECRET_CHARS, 340))
}

/// `AROA` + 17 base32 characters: a role's unique id.
pub fn generate_role_id() -> String {
    format!("AROA{}", random_from(BASE32, 17))
}

/// `ANPA` + 17 base32 characters: a managed policy's id.
pub fn generate_policy_id() -> String {
    format!("ANPA{}", random_from(BASE32, 17))
}

/// `AIDA` + 17 base32 characters: an IAM user's unique id.
pub fn generate_user_id() -> String {
    format!("AIDA{}", random_from(BASE32, 17))
}

/// 40 characters of AWS's secret alphabet.
pub fn generate_secret_access_key() -> String {
    random_from(SECRET_CHARS, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_aws() {
        let id = generate_root_access_key_id();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("AKIA"));
        assert!(crate::AccessKey::check_id(&id).is_ok());
        let secret = generate_secret_access_key();
        assert_eq!(secret.len(), 40);
        assert!(crate::AccessKey::check_secret(&secret).is_ok());
        assert_ne!(generate_root_access_key_id(), id);
    }
}
