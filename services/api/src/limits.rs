//! Flood limits of the public web chat, per visitor address. The chat is open to anyone, so
//! one address must not be able to hold every socket, fill the queue with empty conversations
//! or drown operators in messages. Counters are fixed windows kept in memory on each node:
//! behind a balancer that spreads one address over N nodes the effective limit is N times the
//! setting, which is still a bound.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

/// Settings of the citizens' web chat.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// Queue status at least this often while a visitor waits (R12.2: at most a minute).
    pub queue_status_every: Duration,
    /// Messages one visitor may send a minute.
    pub visitor_messages_per_minute: u32,
    /// Sockets open at once from one address (a public service centre's NAT holds many).
    pub ip_sockets: u32,
    /// Messages a minute from one address, over all its sockets.
    pub ip_messages_per_minute: u32,
    /// New conversations an hour from one address (each creates a client and an appeal).
    pub ip_conversations_per_hour: u32,
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxy); anyone else's is ignored.
    /// None by default: a header anyone can send names nobody until a proxy is configured.
    pub trusted_proxies: Vec<TrustedProxy>,
}

/// A reverse proxy, or a network of them (`10.0.0.5`, `172.16.0.0/12`): containers get their
/// addresses from a network, not one fixed address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy(ipnet::IpNet);

impl TrustedProxy {
    pub fn contains(&self, ip: &IpAddr) -> bool {
        self.0.contains(ip)
    }
}

impl std::str::FromStr for TrustedProxy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Ok(net) = s.parse::<ipnet::IpNet>() {
            return Ok(TrustedProxy(net));
        }
        s.parse::<IpAddr>()
            .map(|ip| TrustedProxy(ipnet::IpNet::from(ip)))
            .map_err(|_| format!("{s:?} is not an IP address or network"))
    }
}

impl<'de> serde::Deserialize<'de> for TrustedProxy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Default for ChatConfig {
    fn default() -> Self {
        ChatConfig {
            queue_status_every: Duration::from_secs(30),
            visitor_messages_per_minute: 30,
            ip_sockets: 200,
            ip_messages_per_minute: 600,
            ip_conversations_per_hour: 120,
            trusted_proxies: Vec::new(),
        }
    }
}

/// A fixed-window counter.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    start: Instant,
    count: u32,
}

impl Window {
    pub fn new() -> Self {
        Window {
            start: Instant::now(),
            count: 0,
        }
    }

    /// Counts one more; `false` when the window already holds `limit`.
    pub fn admit(&mut self, limit: u32, length: Duration) -> bool {
        if self.start.elapsed() >= length {
            *self = Window::new();
        }
        if self.count >= limit {
            return false;
        }
        self.count += 1;
        true
    }

    fn expired(&self, length: Duration) -> bool {
        self.start.elapsed() >= length
    }
}

impl Default for Window {
    fn default() -> Self {
        Window::new()
    }
}

#[derive(Debug, Default)]
struct Entry {
    sockets: u32,
    messages: Window,
    conversations: Window,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// The counters of every address seen lately.
#[derive(Debug, Default, Clone)]
pub struct IpLimits {
    entries: Arc<Mutex<HashMap<IpAddr, Entry>>>,
}

/// An open socket's place in its address's count; released on drop.
#[derive(Debug)]
pub struct SocketSlot {
    limits: IpLimits,
    ip: IpAddr,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        if let Ok(mut map) = self.limits.entries.lock() {
            if let Some(e) = map.get_mut(&self.ip) {
                e.sockets = e.sockets.saturating_sub(1);
            }
        }
    }
}

impl IpLimits {
    fn with<T>(&self, ip: IpAddr, f: impl FnOnce(&mut Entry) -> T) -> Option<T> {
        let mut map = self.entries.lock().ok()?;
        // Forget idle addresses now and then so the map stays as small as the live traffic.
        if map.len() > 10_000 {
            map.retain(|_, e| {
                e.sockets > 0 || !e.messages.expired(MINUTE) || !e.conversations.expired(HOUR)
            });
        }
        Some(f(map.entry(ip).or_default()))
    }

    /// Takes a socket slot, or `None` when the address holds `limit` already.
    pub fn open_socket(&self, ip: IpAddr, limit: u32) -> Option<SocketSlot> {
        let admitted = self.with(ip, |e| {
            if e.sockets >= limit {
                false
            } else {
                e.sockets += 1;
                true
            }
        })?;
        admitted.then(|| SocketSlot {
            limits: self.clone(),
            ip,
        })
    }

    pub fn admit_message(&self, ip: IpAddr, per_minute: u32) -> bool {
        self.with(ip, |e| e.messages.admit(per_minute, MINUTE))
            .unwrap_or(false)
    }

    pub fn admit_conversation(&self, ip: IpAddr, per_hour: u32) -> bool {
        self.with(ip, |e| e.conversations.admit(per_hour, HOUR))
            .unwrap_or(false)
    }
}

/// The visitor's address: the peer, or the last hop a trusted proxy reports in
/// `X-Forwarded-For` (the right-most entry is the one our proxy added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if !state
            .config
            .chat
            .trusted_proxies
            .iter()
            .any(|p| p.contains(&peer))
        {
            return Ok(ClientIp(peer));
        }
        // Only the entry our proxy appended counts; anything left of it is the client's word.
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|s| s.trim().parse::<IpAddr>().ok());
        Ok(ClientIp(forwarded.unwrap_or(peer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_are_counted_and_released() {
        let limits = IpLimits::default();
        let ip = IpAddr::from([10, 0, 0, 1]);
        let a = limits.open_socket(ip, 2);
        let b = limits.open_socket(ip, 2);
        assert!(a.is_some() && b.is_some());
        assert!(limits.open_socket(ip, 2).is_none());
        assert!(limits.open_socket(IpAddr::from([10, 0, 0, 2]), 2).is_some());
        drop(a);
        assert!(limits.open_socket(ip, 2).is_some());
    }

    #[test]
    fn windows_admit_up_to_the_limit() {
        let limits = IpLimits::default();
        let ip = IpAddr::from([10, 0, 0, 3]);
        assert!((0..5).all(|_| limits.admit_message(ip, 5)));
        assert!(!limits.admit_message(ip, 5));
        assert!(limits.admit_conversation(ip, 1));
        assert!(!limits.admit_conversation(ip, 1));
    }
}
