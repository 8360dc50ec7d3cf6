use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::{
    any, prop, prop_assert, prop_assert_eq, prop_oneof, proptest, Just, ProptestConfig,
    Strategy as Gen,
};
use uuid::Uuid;

use super::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 6, 0, 0)
        .single()
        .unwrap_or_default()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn chats(n: u8) -> PerChannel {
    let mut c = [0; 5];
    c[channel_index(Channel::WebChat)] = n;
    c
}

fn operator(n: u128, langs: &[Language], skills: &[(Uuid, u8)], idle_secs: i64) -> Operator {
    Operator {
        id: id(n),
        online: true,
        languages: langs.to_vec(),
        skills: skills.to_vec(),
        capacity: chats(2),
        idle_since: t0() - Duration::seconds(idle_secs),
        supervisor: false,
    }
}

fn contact(n: u128, lang: Language, topic: Option<Uuid>, prio: u8, at_secs: i64) -> Contact {
    Contact {
        id: id(n),
        queue_id: id(900),
        topic_id: topic,
        language: lang,
        channel: Channel::WebChat,
        priority: prio,
        min_level: 1,
        enqueued_at: t0() + Duration::seconds(at_secs),
        declined_by: vec![],
        needs_supervisor: false,
    }
}

#[test]
fn language_decides_who_gets_the_chat() {
    let mut r = Router::new(RouterConfig::default());
    r.upsert_operator(operator(1, &[Language::Ru], &[], 100));
    r.upsert_operator(operator(2, &[Language::Kk], &[], 10));
    r.enqueue(contact(10, Language::Kk, None, 3, 0)).ok();
    let offer = r.route_one(t0() + Duration::seconds(1));
    assert_eq!(offer.map(|o| o.operator_id), Some(id(2)));
}

#[test]
fn capacity_full_means_waiting() {
    let mut r = Router::new(RouterConfig::default());
    r.upsert_operator(operator(1, &[Language::Kk], &[], 0));
    for n in 0..3 {
        r.enqueue(contact(10 + n, Language::Kk, None, 3, n as i64))
            .ok();
    }
    let offers = r.route(t0());
    assert_eq!(offers.len(), 2, "capacity 2");
    assert_eq!(r.waiting_len(), 1);
    assert!(r.route_one(t0()).is_none());
    // Accepting keeps the capacity in use; releasing frees it for the third.
    for o in &offers {
        assert!(r.accept(o.contact_id, o.operator_id).is_ok());
    }
    assert!(r.route_one(t0()).is_none());
    assert!(r.release(id(1), Channel::WebChat, t0()).is_ok());
    assert_eq!(r.route_one(t0()).map(|o| o.contact_id), Some(id(12)));
}

#[test]
fn strategies_pick_differently() {
    let mut longest = Router::new(RouterConfig::default());
    let mut least = Router::new(RouterConfig {
        strategy: Strategy::LeastOccupied,
        ..RouterConfig::default()
    });
    for r in [&mut longest, &mut least] {
        r.upsert_operator(operator(1, &[Language::Kk], &[], 500)); // idle longest, but busy
        r.upsert_operator(operator(2, &[Language::Kk], &[], 10));
        r.enqueue(contact(10, Language::Kk, None, 3, 0)).ok();
        // Operator 1 already has a chat.
        let first = r.route_one(t0());
        assert_eq!(first.map(|o| o.operator_id), Some(id(1)));
        r.enqueue(contact(11, Language::Kk, None, 3, 1)).ok();
    }
    assert_eq!(longest.route_one(t0()).map(|o| o.operator_id), Some(id(1)));
    assert_eq!(least.route_one(t0()).map(|o| o.operator_id), Some(id(2)));
}

#[test]
fn declined_and_timed_out_offers_move_on() {
    let mut r = Router::new(RouterConfig::default());
    r.upsert_operator(operator(1, &[Language::Ru], &[], 100));
    r.upsert_operator(operator(2, &[Language::Ru], &[], 50));
    r.enqueue(contact(10, Language::Ru, None, 3, 0)).ok();
    let o = r.route_one(t0());
    assert_eq!(o.map(|o| o.operator_id), Some(id(1)));
    assert!(r.decline(id(10), id(1)).is_ok());
    let o = r.route_one(t0());
    assert_eq!(o.map(|o| o.operator_id), Some(id(2)));
    let expired = r.expire(t0() + Duration::seconds(21));
    assert_eq!(expired.len(), 1);
    // Both declined: nobody left for it, it waits.
    assert!(r.route_one(t0() + Duration::seconds(21)).is_none());
    assert_eq!(r.waiting_len(), 1);
    assert!(matches!(
        r.accept(id(10), id(2)),
        Err(RouteError::NoSuchOffer { .. })
    ));
}

#[test]
fn skills_levels_and_overflow_widening() {
    let pensions = id(500);
    let mut r = Router::new(RouterConfig::default());
    r.upsert_operator(operator(1, &[Language::Kk], &[(pensions, 2)], 0));
    let mut c = contact(10, Language::Kk, Some(pensions), 3, 0);
    c.min_level = 3;
    r.enqueue(c).ok();
    assert!(r.route_one(t0()).is_none(), "level 2 is not enough");
    let rules = [OverflowRule {
        queue_id: id(900),
        after: Duration::seconds(30),
        action: OverflowAction::WidenLevel { min_level: 2 },
    }];
    assert!(r
        .apply_overflow(&rules, t0() + Duration::seconds(29))
        .is_empty());
    let changed = r.apply_overflow(&rules, t0() + Duration::seconds(30));
    assert_eq!(changed.len(), 1);
    assert!(
        r.apply_overflow(&rules, t0() + Duration::seconds(60))
            .is_empty(),
        "applied once"
    );
    assert_eq!(
        r.route_one(t0() + Duration::seconds(30))
            .map(|o| o.operator_id),
        Some(id(1))
    );
}

#[test]
fn starvation_bound_beats_priority() {
    let mut r = Router::new(RouterConfig {
        starvation_bound: Duration::seconds(60),
        ..RouterConfig::default()
    });
    r.upsert_operator(Operator {
        capacity: chats(1),
        ..operator(1, &[Language::Kk], &[], 0)
    });
    r.enqueue(contact(10, Language::Kk, None, 1, 0)).ok(); // low, early
    r.enqueue(contact(11, Language::Kk, None, 5, 50)).ok(); // high, later
    assert_eq!(
        r.route_one(t0() + Duration::seconds(59))
            .map(|o| o.contact_id),
        Some(id(11))
    );
    let mut r2 = r.clone();
    assert!(r2.cancel(id(11)).is_ok());
    r2.enqueue(contact(11, Language::Kk, None, 5, 50)).ok();
    assert_eq!(
        r2.route_one(t0() + Duration::seconds(60))
            .map(|o| o.contact_id),
        Some(id(10))
    );
}

#[test]
fn priority_rules() {
    assert_eq!(priority(3, AppealKind::Request, false, false), 3);
    assert_eq!(priority(3, AppealKind::Complaint, true, true), 6);
}

#[test]
fn overflow_rules_are_validated() {
    let (a, b, c) = (id(1), id(2), id(3));
    let queues: HashSet<Uuid> = [a, b, c].into();
    let mv = |from, to, secs| OverflowRule {
        queue_id: from,
        after: Duration::seconds(secs),
        action: OverflowAction::MoveTo { queue_id: to },
    };
    assert!(validate_overflow(&[mv(a, b, 30), mv(b, c, 60)], &queues).is_ok());
    assert!(validate_overflow(&[mv(a, b, 30), mv(b, c, 60), mv(c, a, 90)], &queues).is_err());
    assert!(validate_overflow(&[mv(a, a, 30)], &queues).is_err());
    assert!(validate_overflow(&[mv(a, id(9), 30)], &queues).is_err());
    assert!(validate_overflow(&[mv(a, b, -1)], &queues).is_err());
    let widen = OverflowRule {
        queue_id: a,
        after: Duration::seconds(5),
        action: OverflowAction::WidenLevel { min_level: 0 },
    };
    assert!(validate_overflow(&[widen], &queues).is_err());
}

// ---- Properties -------------------------------------------------------------------------------

/// Independent statement of eligibility, written apart from the router's own.
fn may_take(op: &Operator, load: PerChannel, c: &Contact) -> bool {
    let ch = Channel::ALL
        .iter()
        .position(|x| *x == c.channel)
        .unwrap_or(0);
    op.online
        && op.languages.contains(&c.language)
        && load[ch] < op.capacity[ch]
        && match c.topic_id {
            None => true,
            Some(t) => op
                .skills
                .iter()
                .any(|(s, l)| *s == t && *l >= c.min_level.max(1)),
        }
        && !c.declined_by.contains(&op.id)
        && (!c.needs_supervisor || op.supervisor)
}

/// Independent statement of service order: does `a` come before `b`?
fn precedes(a: &Contact, b: &Contact, now: DateTime<Utc>, bound: Duration) -> bool {
    let starving = |c: &Contact| now - c.enqueued_at >= bound;
    match (starving(a), starving(b)) {
        (true, false) => true,
        (false, true) => false,
        (true, true) => (a.enqueued_at, a.id) < (b.enqueued_at, b.id),
        (false, false) => {
            (Reverse(a.priority), a.enqueued_at, a.id) < (Reverse(b.priority), b.enqueued_at, b.id)
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Arrive {
        lang: u8,
        topic: u8,
        prio: u8,
        level: u8,
        channel: u8,
        escalated: bool,
    },
    Route,
    Accept(u8),
    Decline(u8),
    Release(u8),
    Advance(u16),
    Expire,
    Presence(u8, bool),
}

fn step() -> impl Gen<Value = Step> {
    prop_oneof![
        3 => (0u8..3, 0u8..4, 1u8..6, 1u8..4, 0u8..2, prop::bool::weighted(0.2)).prop_map(|(lang, topic, prio, level, channel, escalated)| Step::Arrive { lang, topic, prio, level, channel, escalated }),
        4 => Just(Step::Route),
        2 => any::<u8>().prop_map(Step::Accept),
        1 => any::<u8>().prop_map(Step::Decline),
        2 => any::<u8>().prop_map(Step::Release),
        2 => (1u16..90).prop_map(Step::Advance),
        1 => Just(Step::Expire),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(i, on)| Step::Presence(i, on)),
    ]
}

fn operators() -> impl Gen<Value = Vec<(u8, u8, u8, u8)>> {
    // (languages bitmask, topic bitmask, level, chat capacity)
    prop::collection::vec((1u8..8, 0u8..8, 1u8..6, 0u8..3), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn router_invariants(ops in operators(), steps in prop::collection::vec(step(), 1..80), least in any::<bool>()) {
        let langs = [Language::Kk, Language::Ru, Language::En];
        let topics = [id(501), id(502), id(503)];
        let bound = Duration::seconds(120);
        let config = RouterConfig {
            strategy: if least { Strategy::LeastOccupied } else { Strategy::LongestIdle },
            starvation_bound: bound,
            offer_timeout: Duration::seconds(20),
        };
        let mut r = Router::new(config);
        for (i, (lmask, tmask, level, cap)) in ops.iter().enumerate() {
            let mut capacity = [0u8; 5];
            capacity[channel_index(Channel::WebChat)] = *cap;
            capacity[channel_index(Channel::Voice)] = 1;
            r.upsert_operator(Operator {
                id: id(i as u128 + 1),
                online: true,
                languages: langs.iter().enumerate().filter(|(b, _)| lmask & (1 << b) != 0).map(|(_, l)| *l).collect(),
                skills: topics.iter().enumerate().filter(|(b, _)| tmask & (1 << b) != 0).map(|(_, t)| (*t, *level)).collect(),
                capacity,
                idle_since: t0() - Duration::seconds(i as i64 * 7),
                supervisor: i % 3 == 0,
            });
        }
        let op_ids: Vec<Uuid> = (1..=ops.len() as u128).map(id).collect();
        let mut now = t0();
        let mut next_contact = 1000u128;
        let mut accepted: Vec<(Uuid, Channel)> = Vec::new();
        let mut ever_declined: HashSet<(Uuid, Uuid)> = HashSet::new();
        for s in steps {
            match s {
                Step::Arrive { lang, topic, prio, level, channel, escalated } => {
                    next_contact += 1;
                    let c = Contact {
                        id: id(next_contact),
                        queue_id: id(900),
                        topic_id: if topic == 3 { None } else { Some(topics[topic as usize]) },
                        language: langs[lang as usize],
                        channel: if channel == 0 { Channel::WebChat } else { Channel::Voice },
                        priority: prio,
                        min_level: level,
                        enqueued_at: now,
                        declined_by: vec![],
                        needs_supervisor: escalated,
                    };
                    prop_assert!(r.enqueue(c).is_ok());
                }
                Step::Route => {
                    let waiting: Vec<Contact> = r.waiting().cloned().collect();
                    if let Some(offer) = r.route_one(now) {
                        let c = waiting.iter().find(|c| c.id == offer.contact_id).cloned();
                        prop_assert!(c.is_some());
                        let c = c.unwrap_or_else(|| waiting[0].clone());
                        let (op, load) = r.operator(offer.operator_id).map(|(o, l)| (o.clone(), l)).unwrap_or_else(|| (operator(0, &[], &[], 0), [0; 5]));
                        // Eligible before the reservation: undo it for the check.
                        let mut before = load;
                        let ch = channel_index(c.channel);
                        before[ch] -= 1;
                        prop_assert!(may_take(&op, before, &c), "ineligible offer {:?} to {:?}", c, op);
                        prop_assert!(!ever_declined.contains(&(c.id, op.id)), "re-offered after decline");
                        // Nobody ahead in line could have been served by this operator.
                        for other in waiting.iter().filter(|o| o.id != c.id) {
                            if precedes(other, &c, now, bound) {
                                prop_assert!(!may_take(&op, before, other), "{:?} jumped ahead of {:?}", c.id, other.id);
                            }
                        }
                    } else {
                        // No offer: nobody waiting fits anybody available.
                        for c in &waiting {
                            for oid in &op_ids {
                                if let Some((op, load)) = r.operator(*oid) {
                                    prop_assert!(!may_take(op, load, c), "{:?} could have gone to {:?}", c.id, oid);
                                }
                            }
                        }
                    }
                }
                Step::Accept(i) => {
                    let offers: Vec<Offer> = r.offers().copied().collect();
                    if let Some(o) = offers.get(i as usize % offers.len().max(1)) {
                        prop_assert!(r.accept(o.contact_id, o.operator_id).is_ok());
                        accepted.push((o.operator_id, o.channel));
                    }
                }
                Step::Decline(i) => {
                    let offers: Vec<Offer> = r.offers().copied().collect();
                    if let Some(o) = offers.get(i as usize % offers.len().max(1)) {
                        prop_assert!(r.decline(o.contact_id, o.operator_id).is_ok());
                        ever_declined.insert((o.contact_id, o.operator_id));
                    }
                }
                Step::Release(i) => {
                    if !accepted.is_empty() {
                        let (op, ch) = accepted.remove(i as usize % accepted.len());
                        prop_assert!(r.release(op, ch, now).is_ok());
                    }
                }
                Step::Advance(secs) => now += Duration::seconds(i64::from(secs)),
                Step::Expire => {
                    for o in r.expire(now) {
                        prop_assert!(o.expires_at <= now);
                        ever_declined.insert((o.contact_id, o.operator_id));
                    }
                }
                Step::Presence(i, on) => {
                    let oid = op_ids[i as usize % op_ids.len()];
                    prop_assert!(r.set_online(oid, on).is_ok());
                }
            }
            // Capacity is never exceeded, and the load equals accepted plus offered contacts.
            for oid in &op_ids {
                if let Some((op, load)) = r.operator(*oid) {
                    for (ch, (used, cap)) in load.iter().zip(op.capacity.iter()).enumerate() {
                        prop_assert!(used <= cap, "over capacity");
                        let expected = accepted.iter().filter(|(o, c)| o == oid && channel_index(*c) == ch).count()
                            + r.offers().filter(|o| o.operator_id == *oid && channel_index(o.channel) == ch).count();
                        prop_assert_eq!(usize::from(*used), expected);
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// `route` (one walk of the line) makes exactly the offers repeated `route_one` would.
    #[test]
    fn one_walk_equals_repeated_single_decisions(
        ops in operators(),
        arrivals in prop::collection::vec((0u8..3, 0u8..4, 1u8..6, 1u8..4, 0u8..2, any::<bool>(), 0u16..600), 0..40),
        at in 0i64..900,
    ) {
        let langs = [Language::Kk, Language::Ru, Language::En];
        let topics = [id(501), id(502), id(503)];
        let mut r = Router::new(RouterConfig { starvation_bound: Duration::seconds(300), ..RouterConfig::default() });
        for (i, (lmask, tmask, level, cap)) in ops.iter().enumerate() {
            let mut capacity = [0u8; 5];
            capacity[channel_index(Channel::WebChat)] = *cap;
            capacity[channel_index(Channel::Email)] = 2;
            r.upsert_operator(Operator {
                id: id(i as u128 + 1),
                online: true,
                languages: langs.iter().enumerate().filter(|(b, _)| lmask & (1 << b) != 0).map(|(_, l)| *l).collect(),
                skills: topics.iter().enumerate().filter(|(b, _)| tmask & (1 << b) != 0).map(|(_, t)| (*t, *level)).collect(),
                capacity,
                idle_since: t0() - Duration::seconds(i as i64 * 3),
                supervisor: i % 2 == 0,
            });
        }
        for (n, (lang, topic, prio, level, channel, esc, secs)) in arrivals.into_iter().enumerate() {
            let _ = r.enqueue(Contact {
                id: id(5000 + n as u128),
                queue_id: id(900),
                topic_id: if topic == 3 { None } else { Some(topics[topic as usize]) },
                language: langs[lang as usize],
                channel: if channel == 0 { Channel::WebChat } else { Channel::Email },
                priority: prio,
                min_level: level,
                enqueued_at: t0() + Duration::seconds(i64::from(secs)),
                declined_by: vec![],
                needs_supervisor: esc,
            });
        }
        let now = t0() + Duration::seconds(at);
        let mut single = r.clone();
        let expected: Vec<Offer> = std::iter::from_fn(|| single.route_one(now)).collect();
        prop_assert_eq!(r.route(now), expected);
    }
}
