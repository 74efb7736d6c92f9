//! Size and character-set limits on policy text (spec §1.1, §1.7), for the caller to apply
//! before parsing: which limit applies depends on where the policy is stored.
//!
//! Sizes count non-whitespace characters, as AWS does.

/// Aggregate of all inline policies of one user.
pub const USER_INLINE_POLICIES: usize = 2_048;
/// Aggregate of all inline policies of one group.
pub const GROUP_INLINE_POLICIES: usize = 5_120;
/// Aggregate of all inline policies of one role.
pub const ROLE_INLINE_POLICIES: usize = 10_240;
/// One customer-managed policy version.
pub const MANAGED_POLICY: usize = 6_144;
/// A role trust policy (default quota; raisable to 4,096).
pub const TRUST_POLICY: usize = 2_048;
/// An inline session policy passed to STS.
pub const SESSION_POLICY: usize = 2_048;
/// Managed session policy ARNs per STS call.
pub const SESSION_POLICY_ARNS: usize = 10;
/// An S3 bucket policy (20 KB).
pub const BUCKET_POLICY: usize = 20 * 1024;
/// A DynamoDB resource policy (20 KB, whitespace not counted).
pub const TABLE_POLICY: usize = 20 * 1024;
/// IAM's `policyDocumentType` maximum length, whitespace included.
pub const POLICY_DOCUMENT_MAX_LENGTH: usize = 131_072;
/// Managed policies attachable to one user or role (default quota).
pub const ATTACHED_POLICIES: usize = 10;
/// Versions kept per managed policy.
pub const POLICY_VERSIONS: usize = 5;

/// The size AWS compares with the limits above: characters other than whitespace.
pub fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Whether `text` uses only TAB, LF, CR and U+0020–U+00FF (IAM's `policyDocumentType`).
pub fn has_valid_characters(text: &str) -> bool {
    text.chars()
        .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_and_characters() {
        assert_eq!(policy_size("{ \"a\" :\n\t1 }"), 7);
        assert!(has_valid_characters("{\"a\":\"é\"}\r\n\t"));
        assert!(!has_valid_characters("{\"a\":\"€\"}"));
        assert!(!has_valid_characters("\u{0}"));
    }
}
