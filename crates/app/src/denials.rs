//! The recent denials, for "why was this denied?" (the console's page and
//! `GET /_strata/denials`): who asked, for what action on which resource, when, the message
//! AWS's answer carried and the policy trace that decided it.
//!
//! Diagnostics, like a log's tail: kept in memory only, the newest [`KEPT`]; a restart
//! starts an empty list. Every denial [`crate::authz`] decides is recorded; simulations are
//! not (they deny nothing).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// How many denials are kept.
pub const KEPT: usize = 200;

/// One denied request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Denial {
    /// When, on the server clock (ISO 8601).
    pub at: String,
    pub principal: String,
    /// The account of the principal (empty for an anonymous request).
    pub principal_account: String,
    /// The account that owns the resource.
    pub resource_account: String,
    pub action: String,
    pub resource: String,
    /// The message of the AccessDenied the caller received.
    pub message: String,
    /// The policy trace: each statement that matched, or which side allowed nothing.
    pub trace: Vec<String>,
}

/// The newest denials, newest last.
#[derive(Default)]
pub struct Denials {
    kept: Mutex<VecDeque<Denial>>,
}

impl Denials {
    pub fn record(&self, denial: Denial) {
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(denial);
    }

    /// The denials, newest first: every one, or those whose principal or resource belongs to
    /// `account`.
    pub fn recent(&self, account: Option<&str>) -> Vec<Denial> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.iter()
            .rev()
            .filter(|d| account.is_none_or(|a| d.principal_account == a || d.resource_account == a))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denial(n: usize, account: &str) -> Denial {
        Denial {
            at: n.to_string(),
            principal: format!("arn:aws:iam::{account}:root"),
            principal_account: account.to_owned(),
            resource_account: "999999999999".to_owned(),
            action: "s3:GetObject".to_owned(),
            resource: "arn:aws:s3:::b/k".to_owned(),
            message: "Access Denied".to_owned(),
            trace: Vec::new(),
        }
    }

    #[test]
    fn newest_first_bounded_and_by_account() {
        let denials = Denials::default();
        for n in 0..KEPT + 5 {
            denials.record(denial(
                n,
                if n % 2 == 0 {
                    "111111111111"
                } else {
                    "222222222222"
                },
            ));
        }
        let all = denials.recent(None);
        assert_eq!(all.len(), KEPT);
        assert_eq!(all[0].at, (KEPT + 4).to_string());
        assert!(
            denials
                .recent(Some("111111111111"))
                .iter()
                .all(|d| d.principal_account == "111111111111")
        );
        // The resource's account sees every denial on its resources.
        assert_eq!(denials.recent(Some("999999999999")).len(), KEPT);
    }
}
