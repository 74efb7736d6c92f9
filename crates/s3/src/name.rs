//! S3's rules for general-purpose bucket names.

use crate::S3Error;

/// Checks `name` against S3's naming rules: 3–63 characters of lowercase letters, digits,
/// `.` and `-`, starting and ending with a letter or digit, no `..`, not an IPv4 address,
/// none of the reserved prefixes and suffixes.
pub fn check_bucket_name(name: &str) -> Result<(), S3Error> {
    let invalid = |why: &str| Err(S3Error::InvalidBucketName(why.to_owned()));
    if !(3..=63).contains(&name.len()) {
        return invalid("bucket names must be between 3 and 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return invalid(
            "bucket names can consist only of lowercase letters, numbers, periods and hyphens",
        );
    }
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !edge(name.as_bytes()[0]) || !edge(name.as_bytes()[name.len() - 1]) {
        return invalid("bucket names must begin and end with a letter or number");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return invalid("bucket names must not contain two adjacent periods");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return invalid("bucket names must not be formatted as an IP address");
    }
    const PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
    const SUFFIXES: [&str; 4] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"];
    if PREFIXES.iter().any(|p| name.starts_with(p)) || SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return invalid("bucket names must not use a reserved prefix or suffix");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_bucket_name;

    #[test]
    fn accepts_and_rejects_like_s3() {
        for ok in ["abc", "my-bucket.logs", "a1b2", &"a".repeat(63)] {
            assert!(check_bucket_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            &"a".repeat(64),
            "MyBucket",
            "my_bucket",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "abc-s3alias",
            "a.-b",
        ] {
            assert!(check_bucket_name(bad).is_err(), "{bad}");
        }
    }
}
