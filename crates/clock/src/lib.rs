//! The one clock of a strata server.
//!
//! Every engine asks a [`Clock`] for the time; nothing inside strata calls
//! `SystemTime::now()` for service time. The clock is real time plus an offset
//! that an operator or a test may only move forward (`POST /_strata/clock`), so
//! that PITR windows, incremental-export minimums and session expiry can be
//! exercised without waiting.
//!
//! Two times exist on purpose:
//! - [`Clock::now`] is *service time* (real time + offset): commit stamps, job
//!   times, token expiry.
//! - [`Clock::real_now`] is wall time, used only where AWS compares against
//!   the caller's own clock: SigV4 request-time skew.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub use jiff::Timestamp;

/// A cheap, cloneable handle to the server clock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

/// Returned when a caller asks to move the clock backwards.
#[derive(Debug, PartialEq, Eq)]
pub struct ClockCannotGoBack;

impl Clock {
    /// A clock at real time with no offset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Service time: real time plus the accumulated offset.
    pub fn now(&self) -> Timestamp {
        let offset = self.offset_micros.load(Ordering::Acquire);
        let real = Timestamp::now().as_microsecond();
        Timestamp::from_microsecond(real.saturating_add(offset))
            .expect("offset is bounded by advance(), so service time stays in jiff's range")
    }

    /// Wall time, for comparisons with the caller's clock (SigV4 skew).
    pub fn real_now(&self) -> Timestamp {
        Timestamp::now()
    }

    /// How far service time is ahead of real time, in seconds.
    pub fn offset_seconds(&self) -> f64 {
        self.offset_micros.load(Ordering::Acquire) as f64 / 1e6
    }

    /// Moves service time forward by `seconds`. Negative amounts are refused:
    /// history stamped with service time must never see time run backwards.
    pub fn advance(&self, seconds: f64) -> Result<(), ClockCannotGoBack> {
        // Bounded to 100 years per call so repeated calls cannot overflow jiff's range quickly.
        if !seconds.is_finite() || !(0.0..=3.2e9).contains(&seconds) {
            return Err(ClockCannotGoBack);
        }
        self.offset_micros
            .fetch_add((seconds * 1e6) as i64, Ordering::AcqRel);
        Ok(())
    }

    /// Restores an offset persisted by an earlier run (the offset is part of
    /// the data directory: service time must not go back across restarts).
    pub fn with_offset_micros(offset_micros: i64) -> Self {
        Self {
            offset_micros: Arc::new(AtomicI64::new(offset_micros.max(0))),
        }
    }

    /// The offset in microseconds, for persisting.
    pub fn offset_micros(&self) -> i64 {
        self.offset_micros.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_service_time_but_not_real_time() {
        let clock = Clock::new();
        let before = clock.now();
        clock.advance(3600.0).unwrap();
        let after = clock.now();
        assert!(after.as_second() - before.as_second() >= 3600);
        assert!(clock.real_now().as_second() - before.as_second() < 60);
    }

    #[test]
    fn refuses_to_go_back() {
        let clock = Clock::new();
        assert_eq!(clock.advance(-1.0), Err(ClockCannotGoBack));
        assert_eq!(clock.advance(f64::NAN), Err(ClockCannotGoBack));
        assert_eq!(clock.offset_micros(), 0);
    }
}
