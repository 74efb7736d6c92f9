//! Consumed capacity as DynamoDB computes it: a write unit per started 1 KB of the larger
//! of the old and new item, a read unit per started 4 KB (half for eventually consistent
//! reads, double inside transactions), summed over a query's or scan's items before
//! rounding (a batch get rounds each item), and charged to each index an item write touches.

use crate::write_path::WriteCost;

/// What `ReturnConsumedCapacity` asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReturnConsumedCapacity {
    #[default]
    None,
    Total,
    Indexes,
}

/// The capacity one operation consumed on one table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsumedCapacity {
    pub table_name: String,
    pub read_units: f64,
    pub write_units: f64,
    pub table_units: f64,
    pub global_indexes: Vec<(String, f64)>,
    pub local_indexes: Vec<(String, f64)>,
}

impl ConsumedCapacity {
    pub fn total(&self) -> f64 {
        self.read_units + self.write_units
    }
}

fn units(bytes: usize, unit: usize) -> f64 {
    (bytes.max(1)).div_ceil(unit) as f64
}

/// Read units for `bytes` read in one operation.
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let full = units(bytes, 4096);
    if consistent { full } else { full / 2.0 }
}

/// Write units for one item write.
pub fn write_units(bytes: usize) -> f64 {
    units(bytes, 1024)
}

/// Capacity for item writes on one table (`transactional` doubles it).
pub fn for_writes(table_name: &str, costs: &[WriteCost], transactional: bool) -> ConsumedCapacity {
    let factor = if transactional { 2.0 } else { 1.0 };
    let mut out = ConsumedCapacity {
        table_name: table_name.to_owned(),
        ..Default::default()
    };
    for cost in costs {
        out.table_units += write_units(cost.table_bytes) * factor;
        for (name, bytes, global) in &cost.indexes {
            let list = if *global {
                &mut out.global_indexes
            } else {
                &mut out.local_indexes
            };
            let u = write_units(*bytes) * factor;
            match list.iter_mut().find(|(n, _)| n == name) {
                Some((_, total)) => *total += u,
                None => list.push((name.clone(), u)),
            }
        }
    }
    out.write_units = out.table_units
        + out.global_indexes.iter().map(|(_, u)| u).sum::<f64>()
        + out.local_indexes.iter().map(|(_, u)| u).sum::<f64>();
    out
}

/// Capacity for reading `bytes` from a table or one of its indexes.
pub fn for_read(
    table_name: &str,
    index: Option<(&str, bool)>,
    bytes: usize,
    consistent: bool,
) -> ConsumedCapacity {
    let u = read_units(bytes, consistent);
    let mut out = ConsumedCapacity {
        table_name: table_name.to_owned(),
        read_units: u,
        ..Default::default()
    };
    match index {
        None => out.table_units = u,
        Some((name, true)) => out.global_indexes.push((name.to_owned(), u)),
        Some((name, false)) => out.local_indexes.push((name.to_owned(), u)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_per_started_unit() {
        assert_eq!(write_units(0), 1.0);
        assert_eq!(write_units(1024), 1.0);
        assert_eq!(write_units(1025), 2.0);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(100, false), 0.5);
    }
}
