//! Browser POST uploads (`multipart/form-data` to a bucket), read whole before s3s parses them,
//! for what S3 does first and s3s does not: `${filename}` in the form's fields replaced by the
//! uploaded file's name (S3 expands variables before it checks the policy), the policy's
//! `expiration` in S3's one format, and whether the form is signed at all.

use bytes::Bytes;

/// The largest browser POST upload taken (the form is held in memory, as s3s holds it).
pub const MAX_FORM_BYTES: usize = 256 * 1024 * 1024;

/// A form as received, and what strata learned from it.
pub struct PostForm {
    /// The body to hand to s3s (with `${filename}` expanded).
    pub body: Bytes,
    /// Whether it carries a signature field (`signature` or `x-amz-signature`).
    pub signed: bool,
    /// The policy's `expiration` when S3 would refuse it.
    pub bad_expiration: Option<String>,
}

impl PostForm {
    pub fn read(body: Bytes, boundary: &str) -> Self {
        let delimiter = format!("--{boundary}");
        let text = String::from_utf8_lossy(&body);
        let lower = text.to_ascii_lowercase();
        let signed =
            lower.contains("name=\"signature\"") || lower.contains("name=\"x-amz-signature\"");
        let bad_expiration = field(&text, &delimiter, "policy")
            .and_then(|policy| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(policy.trim())
                    .ok()
            })
            .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
            .and_then(|doc| doc["expiration"].as_str().map(str::to_owned))
            .filter(|expiration| !is_iso8601_utc(expiration));
        let body = match file_name(&text) {
            Some(name) if text.contains("${filename}") => {
                Bytes::from(expand_filename(&body, &text, &name))
            }
            _ => body,
        };
        Self {
            body,
            signed,
            bad_expiration,
        }
    }
}

/// The value of form field `name`.
fn field<'a>(text: &'a str, delimiter: &str, name: &str) -> Option<&'a str> {
    text.split(delimiter).find_map(|part| {
        let (head, value) = part.split_once("\r\n\r\n")?;
        let wanted = format!("name=\"{name}\"");
        head.to_ascii_lowercase()
            .contains(&wanted)
            .then(|| value.strip_suffix("\r\n").unwrap_or(value))
    })
}

/// Where the part of field `file` (the upload itself) starts.
fn file_part(text: &str) -> Option<usize> {
    text.find("name=\"file\"")
}

/// The uploaded file's name, without any directory (S3 keeps what follows the last `/` or
/// `\`).
fn file_name(text: &str) -> Option<String> {
    let part = &text[file_part(text)?..];
    let head = &part[..part.find("\r\n").unwrap_or(part.len())];
    let at = head.find("filename=\"")? + "filename=\"".len();
    let name = &head[at..at + head[at..].find('"')?];
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    (!base.is_empty()).then(|| base.to_owned())
}

/// `body` with `${filename}` replaced in the fields before the file's part.
fn expand_filename(body: &[u8], text: &str, name: &str) -> Vec<u8> {
    // `text` is a lossy view of `body`: replace only while the two agree byte for byte.
    let Some(file_part) = file_part(text).filter(|_| text.len() == body.len()) else {
        return body.to_vec();
    };
    let mut out = text[..file_part].replace("${filename}", name).into_bytes();
    out.extend_from_slice(&body[file_part..]);
    out
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z`, the only form S3 takes for a POST policy's expiration.
fn is_iso8601_utc(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let fixed = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    fixed
        && match &b[19..] {
            [b'Z'] => true,
            [b'.', rest @ .., b'Z'] => !rest.is_empty() && rest.iter().all(u8::is_ascii_digit),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiration_takes_s3s_one_format() {
        assert!(is_iso8601_utc("2026-12-06T10:00:00Z"));
        assert!(is_iso8601_utc("2026-12-06T10:00:00.123Z"));
        assert!(!is_iso8601_utc("2026-12-06 10:00:00.123456+00:00"));
        assert!(!is_iso8601_utc("2026-12-06T10:00:00+02:00"));
    }

    #[test]
    fn filename_is_expanded_in_the_fields_only() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nup/${filename}\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dir/a.txt\"\r\n\r\n${filename}\r\n--b--\r\n";
        let form = PostForm::read(Bytes::from(body), "b");
        let text = String::from_utf8(form.body.to_vec()).unwrap();
        assert!(text.contains("up/a.txt\r\n"));
        assert!(text.contains("\r\n\r\n${filename}\r\n--b--"));
        assert!(!form.signed);
    }
}
