//! The outbox's store contract on both backends (R6, R30): a notice and its delivery commit
//! together and a replay adds neither; a claim leases, so two workers never hold one delivery; a
//! failed attempt is retried or, given up, falls back to the next channel; every step is an event
//! of the appeal; a body's webhook ids are remembered against replays.

use std::collections::BTreeSet;
use std::sync::Arc;

use baylanys_domain::{
    AppealScope, AppealStatus, Author, Channel, DeliveryMethod, DeliveryState, DeliveryVia,
    Language, MessageKind,
};
use baylanys_store::*;
use baylanys_tests::{both, TestApp};
use chrono::Duration;
use uuid::Uuid;

both!(
    outbox_retries_and_falls_back,
    outbox_claims_are_exclusive,
    webhook_ids_are_remembered
);

async fn appeal(store: &Arc<dyn Store>) -> anyhow::Result<Appeal> {
    let client = store
        .create_client(
            NewClient {
                name: Some("Айгүл".into()),
                iin: None,
                bin: None,
                language: Language::Kk,
                vulnerable: false,
                do_not_contact: false,
                identities: vec![],
            },
            Actor::SYSTEM,
        )
        .await?;
    Ok(store
        .create_appeal(
            NewAppeal {
                client_id: client.id,
                kind: baylanys_domain::AppealKind::Request,
                topic_id: None,
                channel: Channel::Voice,
                language: Language::Kk,
                priority: baylanys_domain::Priority::default(),
                queue_id: None,
                subject: None,
                external_id: None,
                first_message: Some("сұрақ".into()),
                due_at: None,
                first_contact: baylanys_store::ContactStart::Queued,
                first_extras: Default::default(),
            },
            Actor::SYSTEM,
            baylanys_store::Also::nothing(),
        )
        .await?
        .value)
}

fn notice(key: &str) -> NewMessage {
    NewMessage {
        author: Author::System,
        kind: MessageKind::Notice,
        staff_id: None,
        channel: Some(Channel::Email),
        body: "№ 1 өтінішіңізге жауап берілді".into(),
        interaction_id: None,
        external_id: Some(key.into()),
        extras: Default::default(),
    }
}

fn by_mail() -> NewDelivery {
    NewDelivery {
        method: DeliveryVia::Email,
        address: "aigul@example.kz".into(),
        subject: Some("№ 1".into()),
        payload: "№ 1 өтінішіңізге жауап берілді".into(),
        fallbacks: vec![(DeliveryVia::Sms, "+77011234567".into())],
        mail_thread: None,
        buttons: Vec::new(),
    }
}

async fn kinds(store: &Arc<dyn Store>, appeal: Uuid) -> anyhow::Result<Vec<String>> {
    let timeline = store.timeline(appeal, AppealScope::All).await?;
    Ok(timeline
        .events
        .iter()
        .filter(|e| e.kind.starts_with("delivery."))
        .map(|e| e.kind.clone())
        .collect())
}

async fn outbox_retries_and_falls_back(app: TestApp) -> anyhow::Result<()> {
    app.pause_outbox();
    let store = app.store.clone();
    let a = appeal(&store).await?;
    let stored = store.add_notice(a.id, notice("n1"), by_mail()).await?;
    assert!(stored.created);
    // A replayed key: the same notice, no second delivery.
    let replay = store.add_notice(a.id, notice("n1"), by_mail()).await?;
    assert!(!replay.created);
    assert_eq!(replay.value.id, stored.value.id);
    let list = store.deliveries_of(a.id).await?;
    assert_eq!(list.len(), 1);
    let first = &list[0];
    assert_eq!(first.message_id, Some(stored.value.id));
    assert_eq!(first.state, DeliveryState::Pending);
    assert_eq!(first.recipient, baylanys_domain::Recipient::Client);

    let now = baylanys_store::now();
    let lease = now + Duration::minutes(2);
    let claimed = store.claim_deliveries(now, lease, 10).await?;
    assert_eq!(claimed.len(), 1);
    // Leased: not handed out again before the lease ends.
    assert!(store.claim_deliveries(now, lease, 10).await?.is_empty());
    // A transient failure: pending again at the retry time.
    let retry_at = now + Duration::seconds(1);
    assert_eq!(
        store
            .delivery_failed(first.id, "timeout", Some(retry_at))
            .await?,
        None
    );
    let again = store
        .claim_deliveries(now + Duration::seconds(2), lease, 10)
        .await?;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    // Given up: the SMS fallback is a new pending delivery of the same notice.
    let fallback = store
        .delivery_failed(first.id, "550 mailbox unavailable", None)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no fallback"))?;
    assert_eq!(fallback.method, DeliveryVia::Sms);
    assert_eq!(fallback.fallback_of, Some(first.id));
    assert_eq!(fallback.message_id, Some(stored.value.id));
    assert!(fallback.fallbacks.is_empty());
    let picked = store
        .claim_deliveries(now + Duration::seconds(3), lease, 10)
        .await?;
    assert_eq!(
        picked.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![fallback.id]
    );
    store.delivery_sent(fallback.id).await?;
    assert!(matches!(
        store.delivery_sent(fallback.id).await,
        Err(StoreError::Conflict(_))
    ));
    let list = store.deliveries_of(a.id).await?;
    assert_eq!(
        list.iter()
            .map(|d| (d.state, d.attempts))
            .collect::<Vec<_>>(),
        vec![(DeliveryState::Failed, 2), (DeliveryState::Sent, 1)]
    );
    assert_eq!(
        list[0].last_error.as_deref(),
        Some("550 mailbox unavailable")
    );
    // Tried again by staff: pending, attempts counted afresh; only a failed one.
    let retried = store.retry_delivery(first.id, Actor::SYSTEM).await?;
    assert_eq!(
        (retried.state, retried.attempts),
        (DeliveryState::Pending, 0)
    );
    assert!(matches!(
        store.retry_delivery(fallback.id, Actor::SYSTEM).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.retry_delivery(Uuid::now_v7(), Actor::SYSTEM).await,
        Err(StoreError::NotFound(_))
    ));
    // Given up again after the retry: no second fallback of the same notice.
    let now = baylanys_store::now();
    let again = store
        .claim_deliveries(now, now + Duration::minutes(2), 10)
        .await?;
    assert_eq!(
        again.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![first.id]
    );
    assert_eq!(
        store.delivery_failed(first.id, "550 again", None).await?,
        None
    );
    assert_eq!(store.deliveries_of(a.id).await?.len(), 2);
    assert_eq!(
        kinds(&store, a.id).await?,
        [
            "delivery.failed",
            "delivery.failed",
            "delivery.fallback",
            "delivery.sent",
            "delivery.retried",
            "delivery.failed"
        ]
    );
    let sent = store.list_deliveries(Some(DeliveryState::Sent), 10).await?;
    assert_eq!(
        sent.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![fallback.id]
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn outbox_claims_are_exclusive(app: TestApp) -> anyhow::Result<()> {
    app.pause_outbox();
    let store = app.store.clone();
    let a = appeal(&store).await?;
    for i in 0..12 {
        store
            .add_notice(a.id, notice(&format!("k{i}")), by_mail())
            .await?;
    }
    let now = baylanys_store::now();
    let lease = now + Duration::minutes(2);
    let (x, y) = tokio::join!(
        store.claim_deliveries(now, lease, 8),
        store.claim_deliveries(now, lease, 8)
    );
    let (x, y) = (x?, y?);
    let xs: BTreeSet<Uuid> = x.iter().map(|d| d.id).collect();
    let ys: BTreeSet<Uuid> = y.iter().map(|d| d.id).collect();
    assert!(xs.is_disjoint(&ys), "a delivery was claimed twice");
    // Between them they took everything due (8 + 4, or 8 + 0 then the rest on the next claim).
    let rest = store.claim_deliveries(now, lease, 20).await?;
    assert_eq!(xs.len() + ys.len() + rest.len(), 12);
    Ok(())
}

async fn webhook_ids_are_remembered(app: TestApp) -> anyhow::Result<()> {
    let store = app.store.clone();
    let a = appeal(&store).await?;
    let body = store
        .create_body(
            NewBody {
                name_kk: "Цифрлық даму министрлігі".into(),
                name_ru: "Министерство цифрового развития".into(),
                bin: None,
                parent_id: None,
                delivery_method: DeliveryMethod::Webhook,
                delivery_address: Some("https://mcd.example.kz/hook".into()),
            },
            Actor::SYSTEM,
        )
        .await?;
    assert_eq!(store.webhook_secret(body.id).await?, None);
    store
        .set_webhook_secret(body.id, "whsec_c2VjcmV0", Actor::SYSTEM)
        .await?;
    assert_eq!(
        store.webhook_secret(body.id).await?.as_deref(),
        Some("whsec_c2VjcmV0")
    );
    assert!(matches!(
        store
            .set_webhook_secret(Uuid::now_v7(), "whsec_x", Actor::SYSTEM)
            .await,
        Err(StoreError::NotFound("body"))
    ));
    // A body's call is recorded with the change it asks for, in one transaction: a call whose
    // change fails leaves no receipt and no notice, so the body's retry is applied; a replay of
    // an applied call is refused and changes nothing.
    let receipt = || Receipt {
        body_id: body.id,
        webhook_id: "call-1".into(),
        action: "ask".into(),
    };
    let notice = |key: &'static str| {
        Also::telling(move |appeal: &Appeal| {
            vec![Tell {
                message: NewMessage {
                    author: baylanys_domain::Author::System,
                    kind: baylanys_domain::MessageKind::Notice,
                    staff_id: None,
                    channel: None,
                    body: format!("№ {} — толығырақ ақпарат керек", appeal.number),
                    interaction_id: None,
                    external_id: Some(key.into()),
                    extras: Default::default(),
                },
                delivery: Some(by_mail()),
            }]
        })
    };
    let ask = |to| StatusChange {
        to,
        reason: Some("Құжат керек".into()),
        resolution: None,
        first_contact_resolved: None,
    };
    let received = |t: &Timeline| {
        t.events
            .iter()
            .filter(|e| e.kind == "body.webhook_received")
            .count()
    };
    let before = store.timeline(a.id, AppealScope::All).await?;
    // `answered` needs a resolution: refused, and nothing of the call is kept.
    let failed = store
        .change_status(
            a.id,
            ask(AppealStatus::Answered),
            AppealScope::All,
            Actor::Body { id: body.id },
            notice("asked-1").with_receipt(receipt()),
        )
        .await;
    assert!(failed.is_err(), "{failed:?}");
    let after = store.timeline(a.id, AppealScope::All).await?;
    assert_eq!(received(&after), 0);
    assert_eq!(after.messages.len(), before.messages.len());
    assert_eq!(store.deliveries_of(a.id).await?.len(), 0);
    // The retry with the same id is applied, with its notice and delivery.
    let asked = store
        .change_status(
            a.id,
            ask(AppealStatus::AwaitingClient),
            AppealScope::All,
            Actor::Body { id: body.id },
            notice("asked-1").with_receipt(receipt()),
        )
        .await?;
    assert_eq!(asked.status, AppealStatus::AwaitingClient);
    assert_eq!(
        asked.last_seq,
        before.messages.len() as i64 + 1,
        "the notice's seq"
    );
    let after = store.timeline(a.id, AppealScope::All).await?;
    assert_eq!(received(&after), 1);
    assert_eq!(after.messages.len(), before.messages.len() + 1);
    // (The node's outbox may already have tried it and fallen back to the SMS: one first try.)
    let first_tries = store
        .deliveries_of(a.id)
        .await?
        .iter()
        .filter(|d| d.fallback_of.is_none())
        .count();
    assert_eq!(first_tries, 1);
    let by = after
        .events
        .iter()
        .find(|e| e.kind == "body.webhook_received")
        .map(|e| e.actor);
    assert_eq!(by, Some(Actor::Body { id: body.id }));
    // A replay is refused and changes nothing.
    let replay = store
        .change_status(
            a.id,
            ask(AppealStatus::InProgress),
            AppealScope::All,
            Actor::Body { id: body.id },
            Also::nothing().with_receipt(receipt()),
        )
        .await;
    assert!(matches!(replay, Err(StoreError::Replayed(_))), "{replay:?}");
    assert_eq!(
        store.get_appeal(a.id, AppealScope::All).await?.status,
        AppealStatus::AwaitingClient
    );
    assert_eq!(received(&store.timeline(a.id, AppealScope::All).await?), 1);
    Ok(())
}
