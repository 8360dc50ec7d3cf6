//! Persisted routing passes: the engine's whole cycle (snapshot from the store, decide, write
//! guarded offers) with 1,000 operators and 10,000 waiting contacts.

use std::sync::Arc;
use std::time::Instant;

use crate::Args;
use baylanys_domain::router::{Capacity, Presence};
use baylanys_domain::{AppealKind, Channel, Language, Priority, Role};
use baylanys_store::{Actor, NewAppeal, NewClient, NewQueue, NewStaff, Skill, StaffPatch, Store};
use baylanys_workers::RoutingEngine;

const OPERATORS: usize = 1_000;
const WAITING: usize = 10_000;
const TOPICS: usize = 40;

pub async fn run(store: Arc<dyn Store>, args: &Args) -> anyhow::Result<()> {
    let actor = Actor::SYSTEM;
    let setup = Instant::now();
    let queue = store
        .create_queue(
            NewQueue {
                code: "bench".into(),
                name: "Bench".into(),
            },
            actor,
        )
        .await?;
    store
        .set_queue_hours(
            queue.id,
            Some(baylanys_domain::WeeklyHours::always()),
            actor,
        )
        .await?;
    let mut topics = Vec::new();
    for t in 0..TOPICS {
        let topic = store
            .create_topic(
                baylanys_store::NewTopic {
                    code: format!("t{t}"),
                    name_kk: format!("t{t}"),
                    name_ru: format!("t{t}"),
                    name_en: None,
                    queue_id: Some(queue.id),
                },
                actor,
            )
            .await?;
        topics.push(topic.id);
    }
    for i in 0..OPERATORS {
        let s = store
            .create_staff(
                NewStaff {
                    login: format!("op{i}"),
                    display_name: format!("Operator {i}"),
                    role: Role::Operator,
                    password_hash: "$argon2id$unused".into(),
                    body_id: None,
                    languages: if i % 3 == 0 {
                        vec![Language::Ru]
                    } else {
                        vec![Language::Kk, Language::Ru]
                    },
                    skills: (0..8)
                        .map(|k| Skill {
                            topic_id: topics[(i * 7 + k * 5) % TOPICS],
                            level: 1 + (k % 5) as u8,
                        })
                        .collect(),
                },
                actor,
            )
            .await?;
        store
            .update_staff(
                s.id,
                StaffPatch {
                    capacity: Some(Capacity {
                        web_chat: 3,
                        ..Capacity::default()
                    }),
                    ..Default::default()
                },
                actor,
            )
            .await?;
        store.set_presence(s.id, Presence::Online).await?;
    }
    let client = store
        .create_client(
            NewClient {
                name: None,
                iin: None,
                bin: None,
                language: Language::Kk,
                vulnerable: false,
                do_not_contact: false,
                identities: vec![],
            },
            actor,
        )
        .await?;
    for i in 0..WAITING {
        let appeal = store
            .create_appeal(
                NewAppeal {
                    client_id: client.id,
                    kind: if i % 10 == 0 {
                        AppealKind::Complaint
                    } else {
                        AppealKind::Request
                    },
                    topic_id: Some(topics[(i * 13) % TOPICS]),
                    channel: Channel::WebChat,
                    language: if i % 4 == 0 {
                        Language::Ru
                    } else {
                        Language::Kk
                    },
                    priority: Priority::default(),
                    queue_id: Some(queue.id),
                    subject: None,
                    external_id: Some(format!("bench-{i}")),
                    first_message: None,
                    due_at: None,
                    first_contact: baylanys_store::ContactStart::Queued,
                    first_extras: Default::default(),
                },
                actor,
                baylanys_store::Also::nothing(),
            )
            .await?;
        // Registered as a channel does, its contact waits in the queue.
        debug_assert!(appeal.created);
    }
    println!(
        "backend={:?} operators={OPERATORS} waiting={WAITING} setup={:.1}s",
        args.backend,
        setup.elapsed().as_secs_f64()
    );
    // The operators here are rows, not consoles: presence is not swept.
    let engine = RoutingEngine::new(store.clone(), Arc::new(tokio::sync::Notify::new()))
        .with_absent_after(None);
    // First pass: every operator has room; it makes up to 3,000 offers.
    let t = Instant::now();
    let first = engine.pass(baylanys_store::now()).await?;
    let first_secs = t.elapsed().as_secs_f64();
    // Then steady state: everyone is full, the pass reads everything and finds nothing to do.
    let mut idle = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        engine.pass(baylanys_store::now()).await?;
        idle.push(t.elapsed().as_secs_f64());
    }
    idle.sort_by(f64::total_cmp);
    println!(
        "| first pass: {} offers | {:.2} s | {:.0} offers/s |",
        first.offered,
        first_secs,
        first.offered as f64 / first_secs
    );
    println!(
        "| steady pass (all full, 10,000 waiting), median of 5 | {:.0} ms |",
        idle[idle.len() / 2] * 1000.0
    );
    Ok(())
}
