//! UIDs in compact sets (`1:5,7,9:12`), split so no command line grows too long.

/// The longest UID set put into one command. Dovecot reads lines of up to 64 KiB, but some
/// servers stop at 8 KiB; longer sets are sent as several commands.
const MAX_SET_LEN: usize = 4000;

/// Sorted, distinct UIDs as compact sets (`1:5,7,9:12`), split so no set exceeds
/// [`MAX_SET_LEN`].
pub(super) fn uid_sets(uids: &[u32]) -> Vec<String> {
    let mut sets = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < uids.len() {
        let first = uids[i];
        let mut last = first;
        while i + 1 < uids.len() && uids[i + 1] == last.wrapping_add(1) {
            i += 1;
            last = uids[i];
        }
        i += 1;
        let range = if first == last {
            first.to_string()
        } else {
            format!("{first}:{last}")
        };
        if !current.is_empty() && current.len() + 1 + range.len() > MAX_SET_LEN {
            sets.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(',');
        }
        current.push_str(&range);
    }
    if !current.is_empty() {
        sets.push(current);
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_sets(&[]), Vec::<String>::new());
        assert_eq!(uid_sets(&[7]), vec!["7"]);
        assert_eq!(
            uid_sets(&[1, 2, 3, 4, 5, 7, 9, 10, 11, 12]),
            vec!["1:5,7,9:12"]
        );
        assert_eq!(
            uid_sets(&[u32::MAX - 1, u32::MAX]),
            vec!["4294967294:4294967295"]
        );
    }

    #[test]
    fn long_uid_sets_are_split() {
        let uids: Vec<u32> = (1..20_000).step_by(2).collect();
        let sets = uid_sets(&uids);
        assert!(sets.len() > 1);
        assert!(sets.iter().all(|s| s.len() <= MAX_SET_LEN));
        let back: Vec<u32> = sets
            .iter()
            .flat_map(|s| s.split(','))
            .filter_map(|n| n.parse().ok())
            .collect();
        assert_eq!(back, uids);
    }
}
