//! STS sessions: temporary credentials (`ASIA…` key, secret, session token) with an
//! expiry on the server clock, issued for a principal.
//!
//! A session authenticates as the principal it was issued for (a user's, only while that very
//! user, by unique id, exists); the verifier requires
//! the token and refuses it once `expiration` has passed (service time, so tests can
//! expire sessions by moving the clock). Expired records are left in place for now:
//! they are small and refused on use.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ids::{
    generate_secret_access_key, generate_session_access_key_id, generate_session_token,
};
use crate::{Authenticated, Iam, IamError, Principal, SESSIONS, decode, encode};

pub(crate) const SESSION_KEY_PREFIX: &str = "ASIA";

/// Temporary credentials as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: Timestamp,
    pub principal: Principal,
}

/// A requested session length, checked against the caller's allowed range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionDuration {
    pub seconds: i64,
}

impl SessionDuration {
    /// Checks `DurationSeconds` of GetSessionToken: 900 s to 36 h for IAM users,
    /// at most 1 h for the root user (AWS's documented limits), default 12 h / 1 h.
    pub fn for_session_token(requested: Option<i64>, root: bool) -> Result<Self, IamError> {
        let (max, default) = if root {
            (3_600, 3_600)
        } else {
            (129_600, 43_200)
        };
        let seconds = requested.unwrap_or(default);
        if seconds < 900 {
            return Err(IamError::Validation(format!(
                "1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
            )));
        }
        if seconds > 129_600 {
            return Err(IamError::Validation(format!(
                "1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"
            )));
        }
        // UNCONFIRMED: AWS caps a root session at one hour rather than refusing longer
        // requests; strata does the same.
        Ok(Self {
            seconds: seconds.min(max),
        })
    }
}

impl SessionDuration {
    /// Checks `DurationSeconds` of AssumeRole: 900 s up to the role's
    /// `MaxSessionDuration` (default 1 h), and at most 1 h when a session assumes a
    /// role (role chaining).
    pub fn for_assume_role(
        requested: Option<i64>,
        role_max: i64,
        chained: bool,
    ) -> Result<Self, IamError> {
        let seconds = requested.unwrap_or(3_600);
        if seconds < 900 {
            return Err(IamError::Validation(format!(
                "1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
            )));
        }
        if chained && seconds > 3_600 {
            return Err(IamError::Validation(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
                    .to_owned(),
            ));
        }
        if seconds > role_max {
            return Err(IamError::Validation(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                    .to_owned(),
            ));
        }
        Ok(Self { seconds })
    }
}

impl Iam {
    /// Issues temporary credentials for `principal`, valid for `duration` from `now`.
    pub async fn create_session(
        &self,
        principal: Principal,
        duration: SessionDuration,
        now: Timestamp,
    ) -> Result<Session, IamError> {
        let session = Session {
            access_key_id: generate_session_access_key_id(),
            secret_access_key: generate_secret_access_key(),
            session_token: generate_session_token(),
            expiration: now + SignedDuration::from_secs(duration.seconds),
            principal,
        };
        self.store
            .write(move |txn| {
                txn.put(
                    SESSIONS,
                    session.access_key_id.as_bytes(),
                    encode(&session)?,
                );
                Ok(session)
            })
            .await
    }

    pub(crate) fn authenticate_session(
        &self,
        access_key_id: &str,
    ) -> Result<Option<Authenticated>, IamError> {
        let Some(bytes) = self.store.get(SESSIONS, access_key_id.as_bytes())? else {
            return Ok(None);
        };
        let mut session: Session = decode(&bytes)?;
        // A user's session is bound to the user's unique id: once the user is deleted it is
        // unknown, and a user created again under the same name (a new id, on AWS a
        // different principal) never inherits it.
        if let Principal::User {
            account,
            user_name,
            user_id,
            path,
        } = &mut session.principal
        {
            match self.find_user(account, user_name)? {
                Some(user) if user.user_id == *user_id => *path = user.path,
                _ => return Ok(None),
            }
        }
        Ok(Some(Authenticated {
            secret: strata_sigv4::Secret {
                secret_access_key: session.secret_access_key,
                session_token: Some(session.session_token),
                expiration: Some(session.expiration),
            },
            principal: session.principal,
            session: true,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccountId;

    #[test]
    fn durations_follow_aws_limits() {
        assert_eq!(
            SessionDuration::for_session_token(None, false)
                .unwrap()
                .seconds,
            43_200
        );
        assert_eq!(
            SessionDuration::for_session_token(None, true)
                .unwrap()
                .seconds,
            3_600
        );
        assert_eq!(
            SessionDuration::for_session_token(Some(7_200), true)
                .unwrap()
                .seconds,
            3_600
        );
        assert!(SessionDuration::for_session_token(Some(899), false).is_err());
        assert!(SessionDuration::for_session_token(Some(129_601), false).is_err());
    }

    #[tokio::test]
    async fn sessions_authenticate_with_their_token_and_expiry() {
        let iam = Iam::new(strata_storage::Store::open_temporary().unwrap());
        let principal = Principal::Root {
            account: AccountId::parse("111111111111").unwrap(),
        };
        let now = Timestamp::now();
        let session = iam
            .create_session(principal.clone(), SessionDuration { seconds: 900 }, now)
            .await
            .unwrap();
        assert!(session.access_key_id.starts_with("ASIA") && session.access_key_id.len() == 20);
        let found = iam.authenticate(&session.access_key_id).unwrap().unwrap();
        assert!(found.session);
        assert_eq!(found.principal, principal);
        assert_eq!(
            found.secret.session_token.as_deref(),
            Some(session.session_token.as_str())
        );
        assert_eq!(
            found.secret.expiration,
            Some(now + SignedDuration::from_secs(900))
        );
        assert!(iam.authenticate("ASIAUNKNOWN000000000").unwrap().is_none());
    }
}
