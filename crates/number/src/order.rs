//! Numeric order, the order of DynamoDB's number comparisons and number sort keys.

use std::cmp::Ordering;

use crate::Number;

impl Number {
    fn sign_rank(&self) -> i8 {
        if self.is_zero() {
            0
        } else if self.negative {
            -1
        } else {
            1
        }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        let by_sign = self.sign_rank().cmp(&other.sign_rank());
        if by_sign != Ordering::Equal || self.is_zero() {
            return by_sign;
        }
        // Canonical digits have no leading zeros, so the exponent decides first; then the
        // digit strings compare lexicographically (a proper prefix is the smaller magnitude).
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.significant_digits().cmp(other.significant_digits()));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use crate::Number;

    #[test]
    fn ascending_table() {
        let ascending = [
            "-9.9999999999999999999999999999999999999E125",
            "-1E125",
            "-1000",
            "-100.5",
            "-100",
            "-99.99",
            "-2",
            "-1.21",
            "-1.2",
            "-1",
            "-0.5",
            "-1E-130",
            "0",
            "1E-130",
            "1.1E-130",
            "0.5",
            "1",
            "1.2",
            "1.21",
            "2",
            "99.99",
            "100",
            "100.5",
            "1000",
            "1E125",
            "9.9999999999999999999999999999999999999E125",
        ];
        let numbers: Vec<Number> = ascending.iter().map(|t| t.parse().unwrap()).collect();
        for (i, a) in numbers.iter().enumerate() {
            for (j, b) in numbers.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn equal_values_are_equal() {
        for (a, b) in [
            ("1.0", "1"),
            ("-0", "0"),
            ("1E+3", "1000"),
            ("0.50", ".5"),
            ("+7", "7"),
        ] {
            let (a, b): (Number, Number) = (a.parse().unwrap(), b.parse().unwrap());
            assert_eq!(a, b);
            assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        }
    }
}
