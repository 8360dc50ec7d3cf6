//! The store conformance suite: the same verbs, the same guarantees, on SQLite and PostgreSQL.
//! Called through the `Store` trait directly, so it pins the contract every caller relies on.

use std::collections::BTreeSet;
use std::sync::Arc;

use baylanys_domain::{
    AppealKind, AppealScope, AppealStatus, Author, Channel, Direction, Iin, InteractionState,
    Language, Priority, Role,
};
use baylanys_store::*;
use baylanys_tests::{both, TestApp};
use uuid::Uuid;

both!(
    conversations_read_by_seq,
    ingestion_is_idempotent,
    concurrent_messages_get_gapless_seq,
    concurrent_appeals_get_unique_numbers,
    state_and_event_commit_together,
    records_read_back_equal,
    interaction_lifecycle,
    scope_is_enforced_by_the_store,
    sessions_expire_and_revoke,
);

async fn staff_actor(store: &Arc<dyn Store>) -> anyhow::Result<Actor> {
    let staff = store.list_staff().await?;
    Ok(Actor::staff(
        staff.first().map(|s| s.id).unwrap_or_default(),
    ))
}

async fn new_client(store: &Arc<dyn Store>, actor: Actor) -> anyhow::Result<Client> {
    Ok(store
        .create_client(
            NewClient {
                name: Some("Сынақ Клиент".into()),
                iin: None,
                bin: None,
                language: Language::Kk,
                vulnerable: false,
                do_not_contact: false,
                identities: vec![],
            },
            actor,
        )
        .await?)
}

fn appeal_for(client: Uuid, channel: Channel, external_id: Option<&str>) -> NewAppeal {
    NewAppeal {
        client_id: client,
        kind: AppealKind::Request,
        topic_id: None,
        channel,
        language: Language::Kk,
        priority: Priority::default(),
        queue_id: None,
        subject: None,
        external_id: external_id.map(str::to_owned),
        first_message: Some("бірінші".into()),
        due_at: None,
        first_contact: ContactStart::Queued,
        first_extras: Default::default(),
    }
}

fn client_message(channel: Channel, external_id: Option<String>, body: &str) -> NewMessage {
    NewMessage {
        author: Author::Client,
        kind: baylanys_domain::MessageKind::Text,
        staff_id: None,
        channel: Some(channel),
        body: body.into(),
        interaction_id: None,
        external_id,
        extras: Default::default(),
    }
}

async fn ingestion_is_idempotent(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let actor = Actor::SYSTEM;
    let client = new_client(&store, actor).await?;
    let first = store
        .create_appeal(
            appeal_for(client.id, Channel::Telegram, Some("u-1")),
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?;
    assert!(first.created);
    let events = app.event_count().await?;
    let replay = store
        .create_appeal(
            appeal_for(client.id, Channel::Telegram, Some("u-1")),
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?;
    assert!(!replay.created);
    assert_eq!(replay.value.id, first.value.id);
    assert_eq!(app.event_count().await?, events);
    // Concurrent replays of one message: exactly one is stored.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let id = first.value.id;
        tasks.push(tokio::spawn(async move {
            store
                .add_message(
                    id,
                    client_message(Channel::Telegram, Some("u-2".into()), "қайта"),
                    AppealScope::All,
                    Actor::SYSTEM,
                )
                .await
        }));
    }
    let mut created = 0;
    let mut ids = BTreeSet::new();
    for t in tasks {
        let r = t.await??;
        created += usize::from(r.created);
        ids.insert(r.value.id);
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
    let timeline = store.timeline(first.value.id, AppealScope::All).await?;
    assert_eq!(timeline.messages.len(), 2);
    // Without the channel up front the replay is still recognised (on the appeal's channel).
    let mut implicit = client_message(Channel::Telegram, Some("u-3".into()), "арна жоқ");
    implicit.channel = None;
    let a = store
        .add_message(first.value.id, implicit.clone(), AppealScope::All, actor)
        .await?;
    let events = app.event_count().await?;
    let b = store
        .add_message(first.value.id, implicit, AppealScope::All, actor)
        .await?;
    assert!(a.created && !b.created);
    assert_eq!(
        (a.value.id, a.value.channel, a.value.seq),
        (b.value.id, Channel::Telegram, b.value.seq)
    );
    assert_eq!(app.event_count().await?, events);
    assert_eq!(
        store
            .get_appeal(first.value.id, AppealScope::All)
            .await?
            .last_seq,
        a.value.seq
    );
    // An external id of one appeal cannot be replayed into another.
    let other = store
        .create_appeal(
            appeal_for(client.id, Channel::Telegram, None),
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?;
    let err = store
        .add_message(
            other.value.id,
            client_message(Channel::Telegram, Some("u-2".into()), "x"),
            AppealScope::All,
            actor,
        )
        .await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    Ok(())
}

async fn concurrent_messages_get_gapless_seq(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let client = new_client(&store, Actor::SYSTEM).await?;
    let appeal = store
        .create_appeal(
            appeal_for(client.id, Channel::WebChat, None),
            Actor::SYSTEM,
            baylanys_store::Also::nothing(),
        )
        .await?
        .value;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .add_message(
                    appeal.id,
                    client_message(Channel::WebChat, Some(format!("m-{i}")), "x"),
                    AppealScope::All,
                    Actor::SYSTEM,
                )
                .await
        }));
    }
    for t in tasks {
        t.await??;
    }
    let timeline = store.timeline(appeal.id, AppealScope::All).await?;
    let seqs: Vec<i64> = timeline.messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=31).collect::<Vec<_>>());
    assert_eq!(
        store
            .get_appeal(appeal.id, AppealScope::All)
            .await?
            .last_seq,
        31
    );
    // Messages attach to the contact still open on their channel.
    assert!(timeline
        .messages
        .iter()
        .all(|m| m.interaction_id == Some(timeline.interactions[0].id)));
    Ok(())
}

async fn concurrent_appeals_get_unique_numbers(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let client = new_client(&store, Actor::SYSTEM).await?;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let store = store.clone();
        let id = client.id;
        tasks.push(tokio::spawn(async move {
            store
                .create_appeal(
                    appeal_for(id, Channel::Email, None),
                    Actor::SYSTEM,
                    baylanys_store::Also::nothing(),
                )
                .await
        }));
    }
    let mut numbers = BTreeSet::new();
    for t in tasks {
        numbers.insert(t.await??.value.number);
    }
    let year = baylanys_domain::local_year(chrono::Utc::now());
    let expected: BTreeSet<String> = (1..=20)
        .map(|n| baylanys_domain::appeal_number(year, n))
        .collect();
    assert_eq!(numbers, expected);
    Ok(())
}

async fn state_and_event_commit_together(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let actor = staff_actor(&store).await?;
    let client = new_client(&store, actor).await?;
    let appeal = store
        .create_appeal(
            appeal_for(client.id, Channel::Voice, None),
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?
        .value;
    let before = app.event_count().await?;
    // Refused changes leave state and log untouched.
    let illegal = store
        .change_status(
            appeal.id,
            StatusChange {
                to: AppealStatus::Redirected,
                reason: None,
                resolution: None,
                first_contact_resolved: None,
            },
            AppealScope::All,
            actor,
            baylanys_store::Also::nothing(),
        )
        .await;
    assert!(matches!(illegal, Err(StoreError::Domain(_))), "{illegal:?}");
    let missing = store
        .create_appeal(
            NewAppeal {
                topic_id: Some(Uuid::now_v7()),
                ..appeal_for(client.id, Channel::Voice, None)
            },
            actor,
            baylanys_store::Also::nothing(),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound("topic"))),
        "{missing:?}"
    );
    let no_body = store
        .redirect(
            appeal.id,
            RedirectTo {
                body_id: Uuid::now_v7(),
                department_id: None,
                reason: "x".into(),
                due_at: now(),
                late: false,
                delivery: None,
            },
            actor,
            baylanys_store::Also::nothing(),
        )
        .await;
    assert!(
        matches!(no_body, Err(StoreError::NotFound("body"))),
        "{no_body:?}"
    );
    assert_eq!(app.event_count().await?, before);
    assert_eq!(store.get_appeal(appeal.id, AppealScope::All).await?, appeal);
    // An accepted change writes exactly one event naming it.
    let changed = store
        .change_status(
            appeal.id,
            StatusChange {
                to: AppealStatus::Answered,
                reason: Some("done".into()),
                resolution: Some("жауап".into()),
                first_contact_resolved: Some(true),
            },
            AppealScope::All,
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?;
    assert_eq!(changed.status, AppealStatus::Answered);
    let events = store
        .list_events(EventFilter {
            after: None,
            appeal_id: Some(appeal.id),
            kind: Some("appeal.status_changed".into()),
            limit: 10,
            ..Default::default()
        })
        .await?;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data["from"], "new");
    assert_eq!(events[0].data["to"], "answered");
    assert_eq!(events[0].data["first_contact_resolved"], true);
    assert_eq!(events[0].actor_id, actor.staff_id());
    assert_eq!(app.event_count().await?, before + 1);
    Ok(())
}

async fn records_read_back_equal(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let actor = staff_actor(&store).await?;
    let iin = Iin::parse("061211600012")?;
    let client = store
        .create_client(
            NewClient {
                name: Some("Дәулет".into()),
                iin: Some(iin.clone()),
                bin: None,
                language: Language::Ru,
                vulnerable: true,
                do_not_contact: true,
                identities: vec![
                    (Channel::Telegram, "777".into()),
                    (Channel::Email, "d@example.kz".into()),
                ],
            },
            actor,
        )
        .await?;
    assert_eq!(store.get_client(client.id).await?, client);
    assert_eq!(client.identities.len(), 2);
    let found = store.find_clients(ClientLookup::Iin(iin), 10).await?;
    assert_eq!(found, vec![client.clone()]);
    let found = store
        .find_clients(ClientLookup::Identity(Channel::Telegram, "777".into()), 10)
        .await?;
    assert_eq!(found, vec![client.clone()]);
    // A LIKE wildcard in the name is a literal.
    assert!(store
        .find_clients(ClientLookup::Name("%".into()), 10)
        .await?
        .is_empty());
    let created = store
        .create_appeal(
            appeal_for(client.id, Channel::Email, Some("<id@mail>")),
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?
        .value;
    assert_eq!(
        store.get_appeal(created.id, AppealScope::All).await?,
        created
    );
    let listed = store
        .list_appeals(AppealFilter::new(AppealScope::All))
        .await?;
    assert_eq!(listed, vec![created]);
    let staff = store.list_staff().await?;
    assert_eq!(store.get_staff(staff[0].id).await?, staff[0]);
    let dup = store
        .create_client(
            NewClient {
                name: None,
                iin: Some(Iin::parse("061211600012")?),
                bin: None,
                language: Language::Kk,
                vulnerable: false,
                do_not_contact: false,
                identities: vec![],
            },
            actor,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let queue = store
        .create_queue(
            NewQueue {
                code: "kk-general".into(),
                name: "Жалпы".into(),
            },
            actor,
        )
        .await?;
    assert_eq!(store.list_queues().await?, vec![queue.clone()]);
    let dup = store
        .create_queue(
            NewQueue {
                code: "kk-general".into(),
                name: "x".into(),
            },
            actor,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let topic = store
        .create_topic(
            NewTopic {
                code: "pension".into(),
                name_kk: "Зейнетақы".into(),
                name_ru: "Пенсия".into(),
                name_en: None,
                queue_id: Some(queue.id),
            },
            actor,
        )
        .await?;
    assert_eq!(store.list_topics().await?, vec![topic]);
    let body = store
        .create_body(
            NewBody {
                name_kk: "Еңбек министрлігі".into(),
                name_ru: "Министерство труда".into(),
                bin: None,
                parent_id: None,
                delivery_method: baylanys_domain::DeliveryMethod::Email,
                delivery_address: Some("kense@enbek.kz".into()),
            },
            actor,
        )
        .await?;
    assert_eq!(store.get_body(body.id).await?, body);
    // The hierarchy of bodies stays a tree.
    let child = store
        .create_body(
            NewBody {
                name_kk: "Комитет".into(),
                name_ru: "Комитет".into(),
                bin: None,
                parent_id: Some(body.id),
                delivery_method: baylanys_domain::DeliveryMethod::Portal,
                delivery_address: None,
            },
            actor,
        )
        .await?;
    let grandchild = store
        .create_body(
            NewBody {
                name_kk: "Департамент".into(),
                name_ru: "Департамент".into(),
                bin: None,
                parent_id: Some(child.id),
                delivery_method: baylanys_domain::DeliveryMethod::Portal,
                delivery_address: None,
            },
            actor,
        )
        .await?;
    for parent in [body.id, grandchild.id] {
        let cycle = store
            .update_body(
                body.id,
                BodyPatch {
                    parent_id: Some(Some(parent)),
                    ..Default::default()
                },
                actor,
            )
            .await;
        assert!(matches!(cycle, Err(StoreError::Domain(_))), "{cycle:?}");
    }
    assert_eq!(store.get_body(body.id).await?.parent_id, None);
    let moved = store
        .update_body(
            grandchild.id,
            BodyPatch {
                parent_id: Some(Some(body.id)),
                ..Default::default()
            },
            actor,
        )
        .await?;
    assert_eq!(moved.parent_id, Some(body.id));
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn interaction_lifecycle(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let actor = staff_actor(&store).await?;
    let client = new_client(&store, Actor::SYSTEM).await?;
    let appeal = store
        .create_appeal(
            appeal_for(client.id, Channel::Voice, None),
            Actor::SYSTEM,
            baylanys_store::Also::nothing(),
        )
        .await?
        .value;
    let call = NewInteraction {
        appeal_id: appeal.id,
        channel: Channel::Voice,
        direction: Direction::Inbound,
        external_id: Some("CA123:1".into()),
        queue_id: None,
        start: ContactStart::Queued,
    };
    let first = store.start_interaction(call.clone(), Actor::SYSTEM).await?;
    assert!(first.created);
    assert_eq!(first.value.state, InteractionState::Queued);
    let replay = store.start_interaction(call, Actor::SYSTEM).await?;
    assert!(!replay.created);
    assert_eq!(replay.value, first.value);
    let answered = store
        .update_interaction(
            first.value.id,
            InteractionState::Answered,
            actor.staff_id(),
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?;
    assert!(answered.answered_at.is_some());
    assert_eq!(answered.operator_id, actor.staff_id());
    let ended = store
        .update_interaction(
            first.value.id,
            InteractionState::Ended,
            None,
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?;
    assert!(ended.ended_at.is_some());
    assert_eq!(ended.operator_id, actor.staff_id());
    let back = store
        .update_interaction(
            first.value.id,
            InteractionState::Answered,
            None,
            actor,
            baylanys_store::Also::nothing(),
        )
        .await;
    assert!(matches!(back, Err(StoreError::Conflict(_))));
    // A call that hangs up in the queue is abandoned (lost-call KPI).
    let lost = store
        .start_interaction(
            NewInteraction {
                appeal_id: appeal.id,
                channel: Channel::Voice,
                direction: Direction::Inbound,
                external_id: Some("CA124:1".into()),
                queue_id: None,
                start: ContactStart::Queued,
            },
            Actor::SYSTEM,
        )
        .await?;
    let lost = store
        .update_interaction(
            lost.value.id,
            InteractionState::Abandoned,
            None,
            Actor::SYSTEM,
            baylanys_store::Also::nothing(),
        )
        .await?;
    assert!(lost.abandoned_at.is_some() && lost.answered_at.is_none());
    let t = store.timeline(appeal.id, AppealScope::All).await?;
    assert_eq!(t.interactions.len(), 3);
    let kinds: Vec<&str> = t.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "interaction.updated")
            .count(),
        3
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn scope_is_enforced_by_the_store(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let actor = staff_actor(&store).await?;
    let client = new_client(&store, actor).await?;
    let appeal = store
        .create_appeal(
            appeal_for(client.id, Channel::WebChat, None),
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?
        .value;
    let body = store
        .create_body(
            NewBody {
                name_kk: "А".into(),
                name_ru: "А".into(),
                bin: None,
                parent_id: None,
                delivery_method: baylanys_domain::DeliveryMethod::Portal,
                delivery_address: None,
            },
            actor,
        )
        .await?;
    let mine = AppealScope::Body(body.id);
    let other = AppealScope::Body(Uuid::now_v7());
    assert!(matches!(
        store.get_appeal(appeal.id, mine).await,
        Err(StoreError::NotFound(_))
    ));
    store
        .redirect(
            appeal.id,
            RedirectTo {
                body_id: body.id,
                department_id: None,
                reason: "competence".into(),
                due_at: now(),
                late: false,
                delivery: None,
            },
            actor,
            baylanys_store::Also::nothing(),
        )
        .await?;
    assert_eq!(
        store.get_appeal(appeal.id, mine).await?.body_id,
        Some(body.id)
    );
    assert!(matches!(
        store.get_appeal(appeal.id, other).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.timeline(appeal.id, other).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.add_note(appeal.id, "x", other, actor).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.list_appeals(AppealFilter::new(mine)).await?.len(), 1);
    assert!(store
        .list_appeals(AppealFilter::new(other))
        .await?
        .is_empty());
    assert!(store
        .list_appeals(AppealFilter::new(AppealScope::Nothing))
        .await?
        .is_empty());
    assert_eq!(store.client_history(client.id, mine).await?.len(), 1);
    assert!(store.client_history(client.id, other).await?.is_empty());
    Ok(())
}

async fn sessions_expire_and_revoke(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let staff = store
        .create_staff(
            NewStaff {
                login: "s1".into(),
                display_name: "S".into(),
                role: Role::Operator,
                password_hash: "$argon2id$x".into(),
                body_id: None,
                languages: vec![Language::Kk],
                skills: vec![Skill {
                    topic_id: Uuid::now_v7(),
                    level: 3,
                }],
            },
            Actor::SYSTEM,
        )
        .await?;
    let now = now();
    store
        .create_session(staff.id, "hash-1", now + chrono::Duration::minutes(5))
        .await?;
    assert_eq!(
        store.session("hash-1", now).await?.map(|s| s.staff),
        Some(staff.clone())
    );
    assert!(store
        .session("hash-1", now + chrono::Duration::minutes(6))
        .await?
        .is_none());
    assert!(store.session("unknown", now).await?.is_none());
    assert!(
        store
            .revoke_session("hash-1", Actor::staff(staff.id))
            .await?
    );
    assert!(
        !store
            .revoke_session("hash-1", Actor::staff(staff.id))
            .await?
    );
    assert!(store.session("hash-1", now).await?.is_none());
    let creds = store.credentials("s1").await?.map(|c| c.password_hash);
    assert_eq!(creds.as_deref(), Some("$argon2id$x"));
    let dup = store
        .create_staff(
            NewStaff {
                login: "s1".into(),
                display_name: "S".into(),
                role: Role::Operator,
                password_hash: "h".into(),
                body_id: None,
                languages: vec![],
                skills: vec![],
            },
            Actor::SYSTEM,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// Conversations are read by `seq` for sockets: one appeal after a `seq`, several at once in one
/// query (ordered by appeal, then `seq`), and read marks that never move back.
async fn conversations_read_by_seq(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let actor = Actor::SYSTEM;
    let client = new_client(&store, actor).await?;
    let mut appeals = Vec::new();
    for n in 0..2 {
        let a = store
            .create_appeal(
                appeal_for(client.id, Channel::WebChat, None),
                actor,
                baylanys_store::Also::nothing(),
            )
            .await?
            .value;
        for i in 0..3 {
            store
                .add_message(
                    a.id,
                    client_message(Channel::WebChat, None, &format!("{n}-{i}")),
                    AppealScope::All,
                    actor,
                )
                .await?;
        }
        appeals.push(a.id);
    }
    // Each appeal has seq 1 (the first message) and 2..=4.
    let one = store.messages_after(appeals[0], 2, 10).await?;
    assert_eq!(one.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4]);
    let many = store
        .messages_after_many(&[(appeals[0], 3), (appeals[1], 1)], 10)
        .await?;
    let got: Vec<(Uuid, i64)> = many.iter().map(|m| (m.appeal_id, m.seq)).collect();
    let mut want = vec![
        (appeals[0], 4),
        (appeals[1], 2),
        (appeals[1], 3),
        (appeals[1], 4),
    ];
    want.sort();
    assert_eq!(got, want);
    assert!(store.messages_after_many(&[], 10).await?.is_empty());
    assert_eq!(
        store
            .messages_after_many(&[(appeals[1], 0)], 2)
            .await?
            .len(),
        2
    );
    // Read marks: kept per side, never moving back, never past the conversation.
    assert_eq!(store.mark_read(appeals[0], Reader::Client, 3).await?, 3);
    assert_eq!(store.mark_read(appeals[0], Reader::Client, 1).await?, 3);
    assert_eq!(store.mark_read(appeals[0], Reader::Staff, 2).await?, 2);
    assert!(store
        .mark_read(appeals[0], Reader::Staff, 99)
        .await
        .is_err());
    assert_eq!(store.read_marks(appeals[0]).await?, (3, 2));
    assert_eq!(store.read_marks(appeals[1]).await?, (0, 0));
    Ok(())
}
