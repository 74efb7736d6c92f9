//! Checked IAM names and paths, with the messages IAM's model validation gives.

use crate::IamError;

const NAME_PATTERN: &str = r"[\w+=,.@-]+";

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// `UserName` / `RoleName`: 1–64 characters of `[\w+=,.@-]`.
pub fn check_name(value: &str, member: &str) -> Result<(), IamError> {
    if value.is_empty() || value.chars().count() > 64 {
        return Err(IamError::Validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to 64"
        )));
    }
    if !value.chars().all(name_char) {
        return Err(IamError::Validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {NAME_PATTERN}"
        )));
    }
    Ok(())
}

/// `Path`: `/` or `/segments/`, at most 512 printable ASCII characters.
pub fn check_path(value: &str) -> Result<(), IamError> {
    let ok = value.len() <= 512
        && value.starts_with('/')
        && value.ends_with('/')
        && value.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(IamError::Validation(format!(
            "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters. Value: {value}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert!(check_name("alice+ops@example.com", "userName").is_ok());
        assert!(check_name("", "userName").is_err());
        assert!(check_name(&"a".repeat(65), "userName").is_err());
        assert!(check_name("no spaces", "userName").is_err());
        assert!(check_path("/").is_ok());
        assert!(check_path("/division/team/").is_ok());
        assert!(check_path("division/").is_err());
        assert!(check_path("/x").is_err());
    }
}
