//! A stream's shards and sequence numbers, computed from its definition and the clock: no
//! shard is stored, so a rollover needs no job and survives any crash.
//!
//! A stream enabled at stamp `E` (and disabled at `D`, if it was) has shard `k` over the
//! commit stamps `[E + k·P, E + (k+1)·P)` cut at `D`, where `P` is [`SHARD_PERIOD_MICROS`]:
//! every four hours of server time the open shard closes and its child opens, as AWS's
//! shards roll over (spec dynamodb-streams §6; the period is inferred there). A shard is
//! listed while part of it is younger than the retention, so closed shards stay readable
//! for 24 hours.
//!
//! A record's sequence number is `10^23 + stamp·10^6 + rank`, where `rank` is its place
//! among the records of its stamp (a batch or transaction commits several items under one
//! stamp; records are keyed by stamp and primary key, so the rank is stable). The numbers
//! have 24 digits and increase within a shard, across shards and across restarts.

use std::fmt;

/// How long a shard stays open: four hours of server time (spec §6, UNCONFIRMED period).
pub const SHARD_PERIOD_MICROS: u64 = 4 * 3600 * 1_000_000;

/// How long records stay readable: 24 hours (spec §8).
pub const RETENTION_MICROS: u64 = 24 * 3600 * 1_000_000;

const SEQUENCE_BASE: u128 = 100_000_000_000_000_000_000_000;
const RANKS_PER_STAMP: u128 = 1_000_000;

/// A place in a stream: the first record at or after `(stamp, rank)` is next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub stamp: u64,
    pub rank: u32,
}

impl Position {
    pub fn at_stamp(stamp: u64) -> Position {
        Position { stamp, rank: 0 }
    }

    /// The position just after this one's record.
    pub fn next(self) -> Position {
        Position {
            stamp: self.stamp,
            rank: self.rank.saturating_add(1),
        }
    }

    /// Parses a `SequenceNumber` strata issued; `None` for any other string.
    pub fn parse_sequence_number(text: &str) -> Option<Position> {
        if text.is_empty() || text.len() > 40 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u128 = text.parse().ok()?;
        let offset = n.checked_sub(SEQUENCE_BASE)?;
        let stamp = u64::try_from(offset / RANKS_PER_STAMP).ok()?;
        let rank = u32::try_from(offset % RANKS_PER_STAMP).ok()?;
        Some(Position { stamp, rank })
    }

    /// This position as a `SequenceNumber`.
    pub fn sequence_number(self) -> SequenceNumber {
        SequenceNumber(self)
    }
}

/// A record's `SequenceNumber` (decimal digits on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceNumber(Position);

impl fmt::Display for SequenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Position { stamp, rank } = self.0;
        if stamp < 100_000_000_000_000_000 && u128::from(rank) < RANKS_PER_STAMP {
            // 10^23 + stamp·10^6 + rank, written as its digits (u128 formatting is slow).
            write!(f, "1{stamp:017}{rank:06}")
        } else {
            let n = SEQUENCE_BASE + u128::from(stamp) * RANKS_PER_STAMP + u128::from(rank);
            write!(f, "{n}")
        }
    }
}

/// One shard of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Its place in the stream: shard 0 opened when the stream was enabled.
    pub index: u32,
    /// The first commit stamp it holds.
    pub start: u64,
    /// The first commit stamp it does not hold.
    pub end: u64,
    /// No more records can come into it.
    pub closed: bool,
}

/// The stream a shard belongs to, as far as its shards are concerned.
#[derive(Clone, Copy, Debug)]
pub struct Lifetime {
    /// A number that tells this stream's shards from another stream's of the same table.
    pub salt: u64,
    pub enabled_at: u64,
    pub disabled_at: Option<u64>,
}

impl Lifetime {
    /// The shard that holds commit stamp `stamp`, if the stream does.
    pub fn shard_of(&self, stamp: u64) -> Option<u32> {
        if stamp < self.enabled_at || self.disabled_at.is_some_and(|d| stamp >= d) {
            return None;
        }
        u32::try_from((stamp - self.enabled_at) / SHARD_PERIOD_MICROS).ok()
    }

    /// The first commit stamp of shard `index` (saturating: an index from a forged iterator
    /// names a shard that holds nothing, never an overflow).
    fn shard_start(&self, index: u32) -> u64 {
        u64::from(index)
            .saturating_mul(SHARD_PERIOD_MICROS)
            .saturating_add(self.enabled_at)
    }

    /// Shard `index`, closed or not as of `now` (µs): open while `now` is inside its period
    /// and the stream is enabled.
    pub fn shard(&self, index: u32, now: u64) -> Shard {
        let start = self.shard_start(index);
        let mut end = start.saturating_add(SHARD_PERIOD_MICROS);
        if let Some(d) = self.disabled_at {
            end = end.min(d);
        }
        Shard {
            index,
            start,
            end,
            closed: self.disabled_at.is_some() || now >= end,
        }
    }

    /// The shards listed at `now`: from the oldest that still holds readable time (younger
    /// than the retention) to the newest, which is open unless the stream is disabled.
    pub fn shards(&self, now: u64) -> Vec<Shard> {
        let last_stamp = match self.disabled_at {
            Some(d) => d.saturating_sub(1).max(self.enabled_at),
            None => now.max(self.enabled_at),
        };
        let last =
            u32::try_from((last_stamp - self.enabled_at) / SHARD_PERIOD_MICROS).unwrap_or(u32::MAX);
        let horizon = now.saturating_sub(RETENTION_MICROS);
        let first = u32::try_from(horizon.saturating_sub(self.enabled_at) / SHARD_PERIOD_MICROS)
            .unwrap_or(u32::MAX);
        (first..=last)
            .map(|k| self.shard(k, now))
            .filter(|s| s.end > horizon)
            .collect()
    }

    /// Shard `index`'s `ShardId`: `shardId-` + its opening time in epoch milliseconds padded to
    /// 20 digits + `-` + 8 hex digits (spec §1), so ids sort in opening order.
    pub fn shard_id(&self, index: u32) -> String {
        let start = self.shard_start(index);
        let mut tag = Vec::with_capacity(12);
        tag.extend_from_slice(&self.salt.to_be_bytes());
        tag.extend_from_slice(&index.to_be_bytes());
        // FNV of nearly equal inputs differs in few bits: mix it (splitmix64's finalizer).
        let mut hash = crate::key::fnv1a(&tag);
        hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        let hash = (hash ^ (hash >> 31)) as u32;
        format!("shardId-{:020}-{hash:08x}", start / 1000)
    }

    /// The shard a `ShardId` names, if it is one of this stream's (listed or not).
    pub fn shard_index(&self, shard_id: &str, now: u64) -> Option<u32> {
        let millis: u64 = shard_id.get(8..28)?.parse().ok()?;
        let start_ms = self.enabled_at / 1000;
        let offset = millis.checked_sub(start_ms)?.checked_mul(1000)?;
        let index = u32::try_from(offset / SHARD_PERIOD_MICROS).ok()?;
        // Millisecond ids round the start down; try the neighbours too.
        let newest = self.shards(now).last().map_or(0, |s| s.index);
        [index, index.saturating_add(1)]
            .into_iter()
            .filter(|k| *k <= newest)
            .find(|k| self.shard_id(*k) == shard_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3600 * 1_000_000;

    fn stream(disabled_at: Option<u64>) -> Lifetime {
        Lifetime {
            salt: 7,
            enabled_at: 1_700_000_000_000_000,
            disabled_at,
        }
    }

    #[test]
    fn sequence_numbers_round_trip_and_increase() {
        let a = Position {
            stamp: 1_700_000_000_000_000,
            rank: 0,
        };
        let b = Position {
            stamp: 1_700_000_000_000_000,
            rank: 3,
        };
        let c = Position::at_stamp(1_700_000_000_000_001);
        for p in [a, b, c] {
            let text = p.sequence_number().to_string();
            assert!(text.len() >= 21 && text.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(Position::parse_sequence_number(&text), Some(p));
        }
        let n = |p: Position| p.sequence_number().to_string().parse::<u128>().unwrap();
        assert!(n(a) < n(b) && n(b) < n(c));
        let exact = |p: Position| {
            SEQUENCE_BASE + u128::from(p.stamp) * RANKS_PER_STAMP + u128::from(p.rank)
        };
        for p in [
            a,
            b,
            c,
            Position { stamp: 0, rank: 0 },
            Position {
                stamp: u64::MAX,
                rank: 7,
            },
        ] {
            assert_eq!(n(p), exact(p));
        }
        assert_eq!(Position::parse_sequence_number("12"), None);
        assert_eq!(Position::parse_sequence_number("abc"), None);
        assert_eq!(Position::parse_sequence_number(""), None);
    }

    #[test]
    fn shards_roll_over_every_period_and_age_out() {
        let s = stream(None);
        let e = s.enabled_at;
        let one = s.shards(e + HOUR);
        assert_eq!(one.len(), 1);
        assert!(!one[0].closed);
        let two = s.shards(e + 4 * HOUR + 1);
        assert_eq!(two.len(), 2);
        assert!(two[0].closed && !two[1].closed);
        assert_eq!(two[0].end, two[1].start);
        // After 30 hours the first shards hold nothing readable and are no longer listed.
        let later = s.shards(e + 30 * HOUR);
        assert_eq!(later.first().map(|s| s.index), Some(1));
        assert_eq!(later.last().map(|s| s.index), Some(7));
    }

    #[test]
    fn a_disabled_stream_has_only_closed_shards() {
        let s = stream(Some(1_700_000_000_000_000 + 5 * HOUR));
        let shards = s.shards(1_700_000_000_000_000 + 6 * HOUR);
        assert_eq!(shards.len(), 2);
        assert!(shards.iter().all(|s| s.closed));
        assert_eq!(shards[1].end, s.disabled_at.unwrap());
        assert!(s.shards(s.disabled_at.unwrap() + 25 * HOUR).is_empty());
    }

    #[test]
    fn any_shard_index_is_safe() {
        let s = stream(None);
        let far = s.shard(u32::MAX, s.enabled_at);
        assert!(far.start <= far.end);
        assert!(s.shard_id(u32::MAX).starts_with("shardId-"));
    }

    #[test]
    fn shard_ids_sort_by_opening_and_resolve() {
        let s = stream(None);
        let now = s.enabled_at + 9 * HOUR;
        let ids: Vec<String> = (0..3).map(|k| s.shard_id(k)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        for (k, id) in ids.iter().enumerate() {
            assert!(id.len() >= 28 && id.len() <= 65);
            assert_eq!(s.shard_index(id, now), Some(k as u32));
        }
        assert_eq!(
            s.shard_index("shardId-00000000000000000000-00000000", now),
            None
        );
        assert_eq!(s.shard_index("nonsense", now), None);
        let other = Lifetime { salt: 8, ..s };
        assert_eq!(other.shard_index(&ids[0], now), None);
    }
}
