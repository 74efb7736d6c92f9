//! Whether a credential scope names a region as AWS names them: a partition prefix (`us`,
//! `eu`, `ap`, … with `-gov` or `-iso…` where AWS has them), a direction, a number —
//! `us-east-1`, `ap-southeast-7`, `us-gov-west-1`, `eu-isoe-west-1`. AWS checks the scope
//! against its own list of regions ("Credential should be scoped to a valid region"); strata
//! serves every region, so it checks the shape, which refuses made-up names without a list
//! to keep current.

const AREAS: [&str; 10] = ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"];
const DIRECTIONS: [&str; 9] = [
    "east",
    "west",
    "north",
    "south",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];

/// Whether `region` has the shape of an AWS region name.
pub fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let (area, middle, number) = match parts.as_slice() {
        [area, direction, number] => (*area, vec![*direction], *number),
        [area, partition, direction, number] => (*area, vec![*partition, *direction], *number),
        _ => return false,
    };
    let partition_ok = match middle.as_slice() {
        [_] => true,
        [partition, _] => *partition == "gov" || partition.starts_with("iso"),
        _ => false,
    };
    AREAS.contains(&area)
        && partition_ok
        && middle.last().is_some_and(|d| DIRECTIONS.contains(d))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::is_region_name;

    #[test]
    fn real_names_pass_and_made_up_ones_do_not() {
        for real in [
            "us-east-1",
            "eu-west-2",
            "ap-southeast-7",
            "us-gov-west-1",
            "cn-northwest-1",
            "eu-isoe-west-1",
            "us-isob-east-1",
            "il-central-1",
            "mx-central-1",
        ] {
            assert!(is_region_name(real), "{real}");
        }
        for made_up in [
            "bogus-region-9",
            "us-east",
            "us-east-1a",
            "US-EAST-1",
            "xx-east-1",
            "us-foo-east-1",
            "",
            "us-east-123",
        ] {
            assert!(!is_region_name(made_up), "{made_up}");
        }
    }
}
