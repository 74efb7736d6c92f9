//! The rules of a bucket's tag set that involve system tags: keys under `aws:`, which AWS
//! services put on a bucket (CloudFormation's `aws:cloudformation:*`) and a requester can
//! neither add, change nor remove. A PutBucketTagging must send them back unchanged
//! (terraform-provider-aws#7323, cloud-custodian#2834: `InvalidTag`, "System Tags cannot be
//! removed by requester"); they do not count toward the 50 a bucket may carry.

/// Most tags a requester may put on a bucket (system tags aside).
pub const MAX_BUCKET_TAGS: usize = 50;

/// Whether `key` is a system tag's key (the prefix in any case).
pub fn is_system_tag(key: &str) -> bool {
    key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
}

/// Why a requester's new tag set for a bucket holding `existing` is refused, if it is.
pub fn refuse_bucket_tags(
    existing: &[(String, String)],
    new: &[(String, String)],
) -> Option<&'static str> {
    let kept = existing
        .iter()
        .filter(|(k, _)| is_system_tag(k))
        .all(|tag| new.contains(tag));
    if !kept {
        return Some("System Tags cannot be removed by requester");
    }
    let added = new
        .iter()
        .any(|tag| is_system_tag(&tag.0) && !existing.contains(tag));
    added.then_some("Your TagKey cannot be prefixed with aws:")
}

/// How many of `tags` count toward a bucket's limit.
pub fn counted(tags: &[(String, String)]) -> usize {
    tags.iter().filter(|(k, _)| !is_system_tag(k)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn system_tags_must_come_back_unchanged_and_cannot_be_added() {
        let existing = tags(&[("aws:cloudformation:stack-name", "s"), ("team", "a")]);
        assert_eq!(
            refuse_bucket_tags(&existing, &tags(&[("aws:cloudformation:stack-name", "s")])),
            None
        );
        assert_eq!(
            refuse_bucket_tags(&existing, &tags(&[("team", "b")])),
            Some("System Tags cannot be removed by requester")
        );
        assert_eq!(
            refuse_bucket_tags(&existing, &tags(&[("aws:cloudformation:stack-name", "t")])),
            Some("System Tags cannot be removed by requester")
        );
        assert_eq!(
            refuse_bucket_tags(&[], &tags(&[("aws:mine", "x")])),
            Some("Your TagKey cannot be prefixed with aws:")
        );
        assert_eq!(counted(&existing), 1);
    }
}
