//! Several routing engines on one database — as on several nodes — never double-book: every
//! contact is offered to one operator at a time and no operator goes over capacity.

use std::collections::HashMap;
use std::sync::Arc;

use baylanys_domain::router::{Capacity, Presence};
use baylanys_domain::{AppealKind, Channel, Direction, Language, Priority, Role};
use baylanys_store::*;
use baylanys_tests::{both, TestApp};
use baylanys_workers::RoutingEngine;
use uuid::Uuid;

both!(engines_racing_never_double_book);

async fn engines_racing_never_double_book(app: TestApp) -> anyhow::Result<()> {
    // Only the three engines below make offers: the node's own would take some of the six (on
    // a loaded machine its tick fell inside the race).
    app.stop_worker(RoutingEngine::NAME).await?;
    let store = app.store.clone();
    let actor = Actor::SYSTEM;
    let queue = store
        .create_queue(
            NewQueue {
                code: "race".into(),
                name: "Race".into(),
            },
            actor,
        )
        .await?;
    let always = baylanys_domain::WeeklyHours::always();
    store.set_queue_hours(queue.id, Some(always), actor).await?;
    let mut operators = Vec::new();
    for i in 0..3 {
        let s = store
            .create_staff(
                NewStaff {
                    login: format!("racer{i}"),
                    display_name: format!("Racer {i}"),
                    role: Role::Operator,
                    password_hash: "$argon2id$unused".into(),
                    body_id: None,
                    languages: vec![Language::Kk],
                    skills: vec![],
                },
                actor,
            )
            .await?;
        store
            .update_staff(
                s.id,
                StaffPatch {
                    capacity: Some(Capacity {
                        web_chat: 2,
                        ..Capacity::default()
                    }),
                    ..Default::default()
                },
                actor,
            )
            .await?;
        store.set_presence(s.id, Presence::Online).await?;
        operators.push(s.id);
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
    let mut contacts = Vec::new();
    for _ in 0..20 {
        let appeal = store
            .create_appeal(
                NewAppeal {
                    client_id: client.id,
                    kind: AppealKind::Request,
                    topic_id: None,
                    channel: Channel::WebChat,
                    language: Language::Kk,
                    priority: Priority::default(),
                    queue_id: None,
                    subject: None,
                    external_id: None,
                    first_message: None,
                    due_at: None,
                    first_contact: ContactStart::AnsweredBy(operators[0]),
                    first_extras: Default::default(),
                },
                Actor::staff(operators[0]),
                baylanys_store::Also::nothing(),
            )
            .await?
            .value;
        // The registering contact is answered by racer0; end it so only queued contacts count.
        let t = store
            .timeline(appeal.id, baylanys_domain::AppealScope::All)
            .await?;
        store
            .update_interaction(
                t.interactions[0].id,
                baylanys_domain::InteractionState::Ended,
                None,
                actor,
                baylanys_store::Also::nothing(),
            )
            .await?;
        let i = store
            .start_interaction(
                NewInteraction {
                    appeal_id: appeal.id,
                    channel: Channel::WebChat,
                    direction: Direction::Inbound,
                    external_id: None,
                    queue_id: Some(queue.id),
                    start: ContactStart::Queued,
                },
                actor,
            )
            .await?
            .value;
        contacts.push(i.id);
    }
    // Three engines, each passing over and over at the same time.
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let engine = Arc::new(RoutingEngine::new(
            store.clone(),
            Arc::new(tokio::sync::Notify::new()),
        ));
        tasks.push(tokio::spawn(async move {
            // Until five passes in a row offer nothing: a pass that loses a race to another
            // engine offers nothing that time (seen on a loaded machine), the next one goes on.
            let (mut offered, mut idle) = (0, 0);
            for _ in 0..40 {
                let n = engine.pass(now()).await?.offered;
                offered += n;
                idle = if n == 0 { idle + 1 } else { 0 };
                if idle >= 5 {
                    break;
                }
                if n == 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            }
            anyhow::Ok(offered)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    // Exactly capacity-many offers were made: 3 operators × 2 chats.
    assert_eq!(total, 6, "offers made across engines");
    let mut per_operator: HashMap<Uuid, usize> = HashMap::new();
    let mut offered_contacts = std::collections::HashSet::new();
    for op in &operators {
        for i in store.offers_for(*op).await? {
            *per_operator.entry(*op).or_default() += 1;
            assert!(
                offered_contacts.insert(i.id),
                "contact {} offered twice",
                i.id
            );
        }
    }
    assert_eq!(
        per_operator.values().copied().collect::<Vec<_>>(),
        vec![2, 2, 2]
    );
    let events = store
        .list_events(EventFilter {
            kind: Some("routing.offered".into()),
            limit: 500,
            ..Default::default()
        })
        .await?;
    assert_eq!(events.len(), 6, "one event per offer");
    assert!(contacts.len() >= offered_contacts.len());
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
