//! The ARNs DescribeExport and DescribeImport take, checked in the order AWS answers them
//! (spec dynamodb-export-import §2.8, §6.8): not an ARN, another account (or a partition or
//! service that is not DynamoDB's), not `table/<name>/<kind>/<id>`, another region.

/// What DescribeExport and DescribeImport make of an ARN that names no job of the caller's.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// `ValidationException` `Invalid Export ARN` / `Invalid Import ARN`.
    Invalid,
    /// `AccessDeniedException` [`ACCESS_DENIED`].
    AccessDenied,
    /// Well formed, but of another region: the job's not-found error.
    OtherRegion,
}

/// The message of every AccessDeniedException these ARNs draw [LIVE: another account's
/// export or import ARN, spec §2.8].
pub const ACCESS_DENIED: &str = "Access is denied";

/// Checks `arn` as the ARN of an export (`kind` = `export`) or import (`import`) of a caller
/// in `account` calling `region`'s endpoint.
///
/// AWS, in order [LIVE: ack-api-quirks DDB-EXPORT-006 and DDB-IMPORT-010; ScyllaDB's
/// `test_describe_export_incorrect_arns` and `test_describe_import_malformed_arn`, run
/// against AWS]: anything not starting `arn:` is invalid; an ARN whose account is not the
/// caller's is denied — also when its partition, service or region is bogus, so the account
/// is judged before the rest; a resource other than `table/<TableName>/<kind>/<id>` is invalid
/// (a table name of one character is; an id such as `0` is not: it is simply not found); a
/// well-formed ARN of another region is not found.
///
/// UNCONFIRMED: the caller's own account with a partition or service other than
/// `aws`/`dynamodb` (AWS was only seen denying those together with a foreign account);
/// denied here too.
pub fn check(arn: &str, kind: &str, account: &str, region: &str) -> Result<(), Refused> {
    let Some(rest) = arn.strip_prefix("arn:") else {
        return Err(Refused::Invalid);
    };
    let mut parts = rest.splitn(5, ':');
    let (Some(partition), Some(service), Some(arn_region), Some(arn_account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(Refused::Invalid);
    };
    if arn_account != account || partition != "aws" || service != "dynamodb" {
        return Err(Refused::AccessDenied);
    }
    let job = resource
        .strip_prefix("table/")
        .and_then(|r| r.split_once('/'))
        .filter(|(table, _)| is_table_name(table))
        .and_then(|(_, job)| job.strip_prefix(kind))
        .and_then(|job| job.strip_prefix('/'));
    if job.is_none_or(str::is_empty) {
        return Err(Refused::Invalid);
    }
    if arn_region != region {
        return Err(Refused::OtherRegion);
    }
    Ok(())
}

/// The model's `TableName`: 3 to 255 of `[a-zA-Z0-9_.-]`.
fn is_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::{Refused, check};

    const ACCOUNT: &str = "111111111111";
    const REGION: &str = "us-east-1";

    #[test]
    fn export_arns_in_aws_order() {
        let ours = "arn:aws:dynamodb:us-east-1:111111111111:table/t-1";
        let cases: &[(String, Result<(), Refused>)] = &[
            (format!("{ours}/export/01700000000000-0123abcd"), Ok(())),
            // An id AWS did not issue is well formed: ExportNotFoundException follows.
            (format!("{ours}/export/0"), Ok(())),
            (ours.to_owned(), Err(Refused::Invalid)),
            (format!("{ours}/export/"), Err(Refused::Invalid)),
            (
                format!("{ours}/import/01700000000000-0123abcd"),
                Err(Refused::Invalid),
            ),
            (format!("{ours}/extra-chars"), Err(Refused::Invalid)),
            ("x".repeat(40), Err(Refused::Invalid)),
            (
                "qwerty:aws:dynamodb:us-east-1:000000000000:table/nonexistent_table_xyz".to_owned(),
                Err(Refused::Invalid),
            ),
            (
                "arn:aws:dynamodb:us-east-1:111111111111:table/x/export/01700000000000-0123abcd"
                    .to_owned(),
                Err(Refused::Invalid),
            ),
            // ScyllaDB's ARNs, run against AWS: all in a foreign account, all denied.
            (
                "arn:qwerty:dynamodb:us-east-1:000000000000:table/nonexistent_table_xyz".to_owned(),
                Err(Refused::AccessDenied),
            ),
            (
                "arn:aws:qwerty:us-east-1:000000000000:table/nonexistent_table_xyz".to_owned(),
                Err(Refused::AccessDenied),
            ),
            (
                "arn:aws:dynamodb:qwerty:000000000000:table/nonexistent_table_xyz".to_owned(),
                Err(Refused::AccessDenied),
            ),
            (
                "arn:aws:dynamodb:us-east-1:qwerty:table/nonexistent_table_xyz".to_owned(),
                Err(Refused::AccessDenied),
            ),
            (
                "arn:aws:dynamodb:eu-west-1:111111111111:table/t-1/export/01700000000000-0123abcd"
                    .to_owned(),
                Err(Refused::OtherRegion),
            ),
        ];
        for (arn, expected) in cases {
            assert_eq!(&check(arn, "export", ACCOUNT, REGION), expected, "{arn}");
        }
    }

    #[test]
    fn import_arns_name_an_import() {
        let ours = "arn:aws:dynamodb:us-east-1:111111111111:table/t-1";
        assert_eq!(
            check(
                &format!("{ours}/import/01700000000000-0123abcd"),
                "import",
                ACCOUNT,
                REGION
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &format!("{ours}/export/01700000000000-0123abcd"),
                "import",
                ACCOUNT,
                REGION
            ),
            Err(Refused::Invalid)
        );
    }
}
