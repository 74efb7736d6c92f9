//! The limits S3 puts on a presigned SigV4 URL's `X-Amz-Expires`, checked before s3s
//! verifies the request: at most a week (604,800 s), never negative, a number. S3 answers
//! each with 403 `AuthorizationQueryParametersError` (the week's text as captured in
//! bryanjos/aws_auth#31 and aws-cli#5464; ceph s3-tests'
//! `test_object_raw_get_x_amz_expires_out_*` expect the 403). An expired URL is s3s's
//! `AccessDenied` "Request has expired", as on S3. SigV2 presigned URLs (`Expires`) have no
//! such limit on S3.

/// The longest a SigV4 signature (and so a presigned URL) is valid.
const MAX_EXPIRES: i64 = 604_800;

/// Why S3 refuses the URL's `X-Amz-Expires`, if it does: the error code and message.
pub(super) fn refusal(query: Option<&str>) -> Option<(&'static str, String)> {
    let query = query?;
    let mut sigv4 = false;
    let mut expires = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "X-Amz-Algorithm" => sigv4 = true,
            "X-Amz-Expires" => expires = Some(value.into_owned()),
            _ => {}
        }
    }
    let expires = expires.filter(|_| sigv4)?;
    const CODE: &str = "AuthorizationQueryParametersError";
    let message = match expires.parse::<i64>() {
        Err(_) => "X-Amz-Expires should be a number".to_owned(),
        Ok(n) if n < 0 => "X-Amz-Expires must be non-negative".to_owned(),
        Ok(n) if n > MAX_EXPIRES => format!(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than {MAX_EXPIRES} seconds"
        ),
        Ok(_) => return None,
    };
    Some((CODE, message))
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn expires_beyond_a_week_negative_or_not_a_number_is_refused() {
        let q =
            |e: &str| format!("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires={e}&X-Amz-Date=x");
        assert!(refusal(Some(&q("604800"))).is_none());
        assert!(refusal(Some(&q("1"))).is_none());
        assert!(
            refusal(Some(&q("604801")))
                .unwrap()
                .1
                .contains("less than a week")
        );
        assert!(refusal(Some(&q("4294967295"))).is_some());
        assert_eq!(
            refusal(Some(&q("-7"))).unwrap().1,
            "X-Amz-Expires must be non-negative"
        );
        assert!(refusal(Some(&q("soon"))).is_some());
        // SigV2's Expires, and no presigning at all, are not this check's.
        assert!(refusal(Some("AWSAccessKeyId=a&Expires=99999999999&Signature=s")).is_none());
        assert!(refusal(None).is_none());
        assert!(refusal(Some("X-Amz-Expires=999999999")).is_none());
    }
}
