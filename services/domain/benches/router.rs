//! Routing decisions per second and per-decision latency with 1,000 operators and 10,000
//! waiting contacts (routing issue benchmark; aim: p99 under 1 ms per decision).
//!
//! `cargo bench -p baylanys-domain --bench router`
//!
//! Steady state of a busy centre: every operator is full, 10,000 contacts wait; one operator at
//! a time finishes a contact and the router picks the next one for them (scanning the line in
//! service order for the first contact that operator may take). A second pass measures the other
//! kind of decision: a contact arrives while operators are free.

use std::time::{Duration, Instant};

use baylanys_domain::router::{Contact, Operator, Router, RouterConfig};
use baylanys_domain::{Channel, Language};
use chrono::{TimeZone, Utc};
use uuid::Uuid;

/// A small deterministic generator: the same population on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const OPERATORS: usize = 1_000;
const WAITING: usize = 10_000;
const TOPICS: u64 = 40;
const DECISIONS: usize = 20_000;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map(|d| d.as_secs_f64() * 1e6).unwrap_or(0.0)
}

fn main() {
    let mut rng = Lcg(42);
    let start = Utc
        .with_ymd_and_hms(2026, 6, 1, 4, 0, 0)
        .single()
        .unwrap_or_default();
    let langs = [Language::Kk, Language::Ru, Language::En];
    let topic = |n: u64| Uuid::from_u128(10_000 + u128::from(n));
    let mut router = Router::new(RouterConfig::default());
    let mut chat = [0u8; 5];
    chat[0] = 3; // web chat, index of Channel::WebChat in Channel::ALL
    for i in 0..OPERATORS {
        // Everyone speaks Russian or Kazakh, most both; each knows 8 of 40 topics.
        let languages = match rng.below(10) {
            0..=5 => vec![Language::Kk, Language::Ru],
            6..=7 => vec![Language::Kk],
            8 => vec![Language::Ru],
            _ => vec![Language::Ru, Language::En],
        };
        let skills = (0..8)
            .map(|_| (topic(rng.below(TOPICS)), 1 + rng.below(5) as u8))
            .collect();
        router.upsert_operator(Operator {
            id: Uuid::from_u128(i as u128 + 1),
            online: true,
            languages,
            skills,
            capacity: chat,
            idle_since: start,
            supervisor: false,
        });
    }
    let mut next_id = 1_000_000u128;
    let mut contact = |rng: &mut Lcg, at| {
        next_id += 1;
        Contact {
            id: Uuid::from_u128(next_id),
            queue_id: Uuid::from_u128(1),
            topic_id: Some(topic(rng.below(TOPICS))),
            language: langs[(rng.below(100) as usize * 3 / 100).min(2)],
            channel: Channel::WebChat,
            priority: 1 + rng.below(5) as u8,
            min_level: 1 + rng.below(3) as u8,
            enqueued_at: at,
            declined_by: vec![],
            needs_supervisor: false,
        }
    };
    // Fill every operator, then leave WAITING contacts in line.
    let mut now = start;
    let mut accepted: Vec<Uuid> = Vec::new();
    while accepted.len() < OPERATORS * 3 {
        now += chrono::Duration::milliseconds(10);
        let _ = router.enqueue(contact(&mut rng, now));
        for offer in router.route(now) {
            let _ = router.accept(offer.contact_id, offer.operator_id);
            accepted.push(offer.operator_id);
        }
        if accepted.len() + router.waiting_len() > OPERATORS * 3 + WAITING * 2 {
            break;
        }
    }
    while router.waiting_len() < WAITING {
        now += chrono::Duration::milliseconds(10);
        let _ = router.enqueue(contact(&mut rng, now));
    }
    println!(
        "operators={OPERATORS} waiting={} busy slots={} decisions={DECISIONS}",
        router.waiting_len(),
        accepted.len()
    );

    // 1. An operator frees up: pick their next contact.
    let mut lat = Vec::with_capacity(DECISIONS);
    let mut made = 0usize;
    let wall = Instant::now();
    for _ in 0..DECISIONS {
        now += chrono::Duration::milliseconds(50);
        let op = Uuid::from_u128(1 + u128::from(rng.below(OPERATORS as u64)));
        let _ = router.release(op, Channel::WebChat, now);
        // Keep the line at its size.
        let _ = router.enqueue(contact(&mut rng, now));
        let t = Instant::now();
        let offer = router.route_one(now);
        lat.push(t.elapsed());
        if let Some(o) = offer {
            made += 1;
            let _ = router.accept(o.contact_id, o.operator_id);
        }
    }
    let total = wall.elapsed();
    lat.sort();
    let sum: Duration = lat.iter().sum();
    println!(
        "| operator frees up, pick a contact | {:.0} decisions/s | p50 {:.1} µs | p99 {:.1} µs | max {:.1} µs | {made} offers |",
        DECISIONS as f64 / sum.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
    println!(
        "(wall time for the loop including setup of each step: {:.2} s)",
        total.as_secs_f64()
    );

    // 2. Contacts arrive while some operators are free: pick an operator.
    let mut lat = Vec::with_capacity(DECISIONS);
    let mut router2 = Router::new(RouterConfig::default());
    for i in 0..OPERATORS {
        let skills = (0..8)
            .map(|_| (topic(rng.below(TOPICS)), 1 + rng.below(5) as u8))
            .collect();
        router2.upsert_operator(Operator {
            id: Uuid::from_u128(i as u128 + 1),
            online: true,
            languages: vec![Language::Kk, Language::Ru],
            skills,
            capacity: chat,
            idle_since: start - chrono::Duration::seconds(rng.below(3600) as i64),
            supervisor: false,
        });
    }
    for _ in 0..DECISIONS {
        now += chrono::Duration::milliseconds(50);
        let mut c = contact(&mut rng, now);
        c.language = Language::Kk;
        let _ = router2.enqueue(c);
        let t = Instant::now();
        let offer = router2.route_one(now);
        lat.push(t.elapsed());
        match offer {
            // Free the operator again at once so the population stays mostly available.
            Some(o) => {
                let _ = router2.accept(o.contact_id, o.operator_id);
                let _ = router2.release(o.operator_id, Channel::WebChat, now);
            }
            None => {
                let ids: Vec<Uuid> = router2.waiting().map(|c| c.id).collect();
                for id in ids {
                    let _ = router2.cancel(id);
                }
            }
        }
    }
    lat.sort();
    let sum: Duration = lat.iter().sum();
    println!(
        "| contact arrives, pick an operator (1,000 available) | {:.0} decisions/s | p50 {:.1} µs | p99 {:.1} µs | max {:.1} µs |",
        DECISIONS as f64 / sum.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
}
