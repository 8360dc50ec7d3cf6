//! Password guessing: failed logins are counted per login *and address*, per address, and per
//! login from anywhere, each in a window of `lockout`. Five wrong passwords from one address
//! lock that login for that address only — a stranger cannot lock a real operator out for a
//! quarter of an hour — while an address that keeps failing (a spray over many logins) is locked
//! for every login, and a login failing from very many addresses at once is locked for all.
//!
//! Every table is bounded and evicts: when one is full, windows that ran out go first, then the
//! entry with the fewest failures; so a flood of made-up logins neither grows memory nor switches the lock off (an
//! earlier version stopped counting at 100,000 entries). The counts are per node.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries each table keeps at most.
const CAPACITY: usize = 20_000;
/// An address is locked for every login after this many times the per-login allowance.
const ADDRESS_FACTOR: u32 = 10;
/// A login is locked for every address after this many times the allowance.
const LOGIN_FACTOR: u32 = 20;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// A map of failure windows that never holds more than its capacity.
#[derive(Debug)]
struct Bounded<K> {
    capacity: usize,
    entries: HashMap<K, Failures>,
}

impl<K: Hash + Eq + Clone> Bounded<K> {
    fn new(capacity: usize) -> Self {
        Bounded {
            capacity,
            entries: HashMap::new(),
        }
    }

    /// The failures of `key` in the current window.
    fn count(&self, key: &K, window: Duration) -> u32 {
        self.entries
            .get(key)
            .filter(|f| f.since.elapsed() < window)
            .map_or(0, |f| f.count)
    }

    /// When the window of `key` began, if it is still running.
    fn since(&self, key: &K, window: Duration) -> Option<Instant> {
        self.entries
            .get(key)
            .map(|f| f.since)
            .filter(|s| s.elapsed() < window)
    }

    fn fail(&mut self, key: &K, window: Duration) {
        if let Some(f) = self.entries.get_mut(key) {
            if f.since.elapsed() < window {
                f.count += 1;
            } else {
                *f = Failures {
                    count: 1,
                    since: Instant::now(),
                };
            }
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries.retain(|_, f| f.since.elapsed() < window);
        }
        if self.entries.len() >= self.capacity {
            // The entry with the least evidence goes (one failure, the oldest first): a flood
            // of one-off junk evicts itself, not the login someone keeps guessing.
            let weakest = self
                .entries
                .iter()
                .min_by_key(|(_, f)| (f.count, f.since))
                .map(|(k, _)| k.clone());
            if let Some(k) = weakest {
                self.entries.remove(&k);
            }
        }
        self.entries.insert(
            key.clone(),
            Failures {
                count: 1,
                since: Instant::now(),
            },
        );
    }

    fn forget(&mut self, key: &K) {
        self.entries.remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[derive(Debug)]
struct Tables {
    pairs: Bounded<(String, IpAddr)>,
    addresses: Bounded<IpAddr>,
    logins: Bounded<String>,
}

/// The failed-login counts of this node.
#[derive(Debug)]
pub struct Lockout {
    /// Wrong passwords allowed for one login from one address within `window`.
    allowed: u32,
    window: Duration,
    tables: Mutex<Tables>,
}

/// Logins are compared by their first 64 characters (longer ones are refused anyway).
fn key(login: &str) -> String {
    login.chars().take(64).collect()
}

impl Lockout {
    pub fn new(allowed: u32, window: Duration) -> Self {
        Self::with_capacity(allowed, window, CAPACITY)
    }

    fn with_capacity(allowed: u32, window: Duration, capacity: usize) -> Self {
        Lockout {
            allowed: allowed.max(1),
            window,
            tables: Mutex::new(Tables {
                pairs: Bounded::new(capacity),
                addresses: Bounded::new(capacity),
                logins: Bounded::new(capacity),
            }),
        }
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long `login` stays locked for `address`, if it is.
    pub fn locked_for(&self, login: &str, address: IpAddr) -> Option<Duration> {
        let t = self.tables();
        let login = key(login);
        let w = self.window;
        let pair = (login.clone(), address);
        let locked = [
            (t.pairs.count(&pair, w) >= self.allowed).then(|| t.pairs.since(&pair, w)),
            (t.addresses.count(&address, w) >= self.allowed * ADDRESS_FACTOR)
                .then(|| t.addresses.since(&address, w)),
            (t.logins.count(&login, w) >= self.allowed * LOGIN_FACTOR)
                .then(|| t.logins.since(&login, w)),
        ];
        locked
            .into_iter()
            .flatten()
            .flatten()
            .map(|since| w.saturating_sub(since.elapsed()))
            .max()
    }

    /// Counts a wrong password for `login` from `address`.
    pub fn failed(&self, login: &str, address: IpAddr) {
        let mut t = self.tables();
        let login = key(login);
        let w = self.window;
        t.pairs.fail(&(login.clone(), address), w);
        t.addresses.fail(&address, w);
        t.logins.fail(&login, w);
    }

    /// The right password: this address's count for the login starts again.
    pub fn succeeded(&self, login: &str, address: IpAddr) {
        self.tables().pairs.forget(&(key(login), address));
    }

    /// Entries held, for tests of the bound.
    #[cfg(test)]
    fn held(&self) -> usize {
        let t = self.tables();
        t.pairs.len() + t.addresses.len() + t.logins.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(900);

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn five_from_one_address_lock_only_that_address() {
        let l = Lockout::new(5, WINDOW);
        for _ in 0..4 {
            l.failed("aigerim", ip(1));
        }
        assert!(l.locked_for("aigerim", ip(1)).is_none());
        l.failed("aigerim", ip(1));
        assert!(l.locked_for("aigerim", ip(1)).is_some());
        assert!(
            l.locked_for("aigerim", ip(2)).is_none(),
            "the operator's own desk"
        );
        assert!(l.locked_for("admin", ip(1)).is_none());
    }

    #[test]
    fn an_address_spraying_logins_is_locked_for_all() {
        let l = Lockout::new(5, WINDOW);
        for i in 0..50 {
            l.failed(&format!("junk{i}"), ip(3));
        }
        assert!(l.locked_for("admin", ip(3)).is_some());
        assert!(l.locked_for("admin", ip(4)).is_none());
    }

    #[test]
    fn a_login_failing_from_many_addresses_is_locked() {
        let l = Lockout::new(5, WINDOW);
        for i in 0..100u32 {
            l.failed(
                "admin",
                IpAddr::from([10, 1, (i / 256) as u8, (i % 256) as u8]),
            );
        }
        assert!(l.locked_for("admin", ip(9)).is_some());
    }

    #[test]
    fn a_flood_of_made_up_logins_neither_grows_nor_unlocks() {
        let l = Lockout::with_capacity(5, WINDOW, 1000);
        for _ in 0..5 {
            l.failed("admin", ip(1));
        }
        // 100,000 junk logins from as many addresses.
        for i in 0..100_000u32 {
            let a = IpAddr::from([11, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            l.failed(&format!("junk{i}"), a);
            // The attacker keeps trying admin from the first address meanwhile.
            if i % 100 == 0 {
                l.failed("admin", ip(1));
            }
        }
        assert!(l.held() <= 3 * 1000, "{} entries", l.held());
        assert!(l.locked_for("admin", ip(1)).is_some(), "still locked");
    }

    #[test]
    fn success_starts_the_address_again() {
        let l = Lockout::new(5, WINDOW);
        for _ in 0..4 {
            l.failed("op", ip(1));
        }
        l.succeeded("op", ip(1));
        l.failed("op", ip(1));
        assert!(l.locked_for("op", ip(1)).is_none());
    }
}
