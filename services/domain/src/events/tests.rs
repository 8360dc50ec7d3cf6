use std::collections::HashSet;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::router::{OverflowAction, OverflowRule, Presence};
use crate::{
    event_kind, AppealKind, AppealStatus, Author, CodeVia, ComplaintCategory, DayKind, DeliveryVia,
    Direction, InteractionState, Language, MessageKind, Recipient, Role, WeeklyHours,
};

#[test]
fn actors_round_trip_through_their_columns() {
    let id = Uuid::now_v7();
    for a in [
        Actor::System,
        Actor::staff(id),
        Actor::Client {
            channel: Channel::WebChat,
        },
        Actor::Adapter {
            channel: Channel::Email,
        },
        Actor::Body { id },
    ] {
        let back = Actor::from_stored(a.kind(), a.staff_id(), a.reference().as_deref());
        assert_eq!(back, Ok(a));
    }
    assert!(Actor::from_stored("robot", None, None).is_err());
    assert!(Actor::from_stored("client", None, Some("fax")).is_err());
}

#[test]
fn rows_written_before_a_field_existed_still_read() {
    // An interaction.started of the first releases: no direction, no via.
    let old = json!({"channel": "voice", "state": "queued", "queue_id": null});
    let Ok(Some(Payload::ContactStarted(p))) = Payload::read(k::INTERACTION_STARTED, &old) else {
        panic!("old row unread");
    };
    assert_eq!(p.direction, Direction::Inbound);
    assert_eq!(p.via, None);
    let closed = json!({"from": "answered", "state": "ended", "operator_id": null,
        "channel": "web_chat", "via": "appeal closed"});
    let Ok(Some(Payload::ContactMoved(m))) = Payload::read(k::INTERACTION_UPDATED, &closed) else {
        panic!("close unread");
    };
    assert_eq!(m.via, Some(ContactVia::AppealClosed));
}

#[test]
fn every_typed_kind_writes_what_it_reads() {
    let p = Payload::StatusChanged(StatusChanged {
        from: AppealStatus::InProgress,
        to: AppealStatus::Answered,
        reason: None,
        first_contact_resolved: Some(false),
    });
    assert_eq!(Payload::read(p.kind(), &p.to_json()), Ok(Some(p.clone())));
    assert!(Payload::KINDS.contains(&p.kind()));
    assert_eq!(Payload::read("staff.renamed", &Value::Null), Ok(None));
    assert!(Payload::read(k::SURVEY_ANSWERED, &json!({"score": "five"})).is_err());
}

/// Every kind of `event_kind`, listed by hand: a kind added there and not here fails below, and
/// one added here without a payload fails too.
const EVERY_KIND: &[&str] = &[
    event_kind::STAFF_CREATED,
    event_kind::STAFF_UPDATED,
    event_kind::STAFF_LOGGED_IN,
    event_kind::STAFF_LOGGED_OUT,
    event_kind::CLIENT_CREATED,
    event_kind::CLIENT_IDENTITY_ADDED,
    event_kind::APPEAL_CREATED,
    event_kind::APPEAL_STATUS_CHANGED,
    event_kind::APPEAL_ASSIGNED,
    event_kind::APPEAL_REDIRECTED,
    event_kind::APPEAL_NOTE_ADDED,
    event_kind::APPEAL_SPLIT,
    event_kind::BODY_TOPICS_SET,
    event_kind::REDIRECTION_ACCEPTED,
    event_kind::REDIRECTION_RETURNED,
    event_kind::DEPARTMENT_SAVED,
    event_kind::SURVEY_ANSWERED,
    event_kind::SURVEY_ASKED,
    event_kind::COMPLAINT_REGISTERED,
    event_kind::COMPLAINT_REVIEWED,
    event_kind::COMPLAINT_ESCALATED,
    event_kind::COMPLAINT_DECIDED,
    event_kind::QA_REVIEWED,
    event_kind::APPEAL_EXTENDED,
    event_kind::APPEAL_KIND_CHANGED,
    event_kind::APPEAL_TOPIC_CHANGED,
    event_kind::APPEAL_PRIORITY_CHANGED,
    event_kind::APPEAL_DEADLINE_NEAR,
    event_kind::APPEAL_OVERDUE,
    event_kind::MESSAGE_ADDED,
    event_kind::INTERACTION_STARTED,
    event_kind::INTERACTION_UPDATED,
    event_kind::QUEUE_CREATED,
    event_kind::QUEUE_UPDATED,
    event_kind::TOPIC_CREATED,
    event_kind::TOPIC_UPDATED,
    event_kind::BODY_CREATED,
    event_kind::BODY_UPDATED,
    event_kind::QUEUE_HOURS_SET,
    event_kind::CALENDAR_DAY_SET,
    event_kind::CALENDAR_DAY_REMOVED,
    event_kind::STAFF_PRESENCE_CHANGED,
    event_kind::QUEUE_OVERFLOW_SET,
    event_kind::SETTING_CHANGED,
    event_kind::ROUTING_OFFERED,
    event_kind::ROUTING_ACCEPTED,
    event_kind::ROUTING_DECLINED,
    event_kind::ROUTING_TIMED_OUT,
    event_kind::ROUTING_REOFFERED,
    event_kind::ROUTING_OVERFLOWED,
    event_kind::ROUTING_TRANSFERRED,
    event_kind::ROUTING_ESCALATED,
    event_kind::ROUTING_OUT_OF_HOURS,
    event_kind::CANNED_SAVED,
    event_kind::CLIENT_VERIFIED,
    event_kind::CLIENT_CODE_SENT,
    event_kind::CLIENT_VERIFICATION_FAILED,
    event_kind::CLIENT_LINKED,
    event_kind::DELIVERY_SENT,
    event_kind::DELIVERY_FAILED,
    event_kind::DELIVERY_FALLBACK,
    event_kind::DELIVERY_RETRIED,
    event_kind::BODY_SECRET_ISSUED,
    event_kind::BODY_WEBHOOK_RECEIVED,
    event_kind::DELIVERY_BOUNCED,
    event_kind::MAILBOX_SAVED,
    event_kind::MAILBOX_REMOVED,
    event_kind::BOT_SAVED,
    event_kind::BOT_REMOVED,
    event_kind::CLIENT_CLAIMED,
    event_kind::IVR_SAVED,
    event_kind::IVR_REMOVED,
    event_kind::CALL_MENU,
    event_kind::CALLBACK_REQUESTED,
    event_kind::CALLBACK_ATTEMPTED,
    event_kind::CALLBACK_PLACED,
    event_kind::CALL_ANNOUNCED,
    event_kind::CALL_HELD,
    event_kind::CALL_RESUMED,
    event_kind::SERVICE_INTERRUPTED,
    event_kind::SERVICE_RESUMED,
    event_kind::CALL_RECORDING_STORED,
    event_kind::CALL_RECORDING_FAILED,
    event_kind::CALL_RECORDING_EXPIRED,
    event_kind::CALL_RECORDING_PLAYED,
    event_kind::CLIENT_FLAGS_CHANGED,
    event_kind::ARTICLE_SAVED,
    event_kind::ARTICLE_STATE_CHANGED,
];

#[test]
fn every_event_kind_has_a_payload() {
    let typed: HashSet<&str> = Payload::KINDS.iter().copied().collect();
    assert_eq!(typed.len(), Payload::KINDS.len(), "a kind typed twice");
    for kind in EVERY_KIND {
        assert!(typed.contains(kind), "{kind} has no payload");
    }
    assert_eq!(typed.len(), EVERY_KIND.len(), "a payload of no listed kind");
}

/// One value of every variant, with its optional fields set where it has them.
fn samples() -> Vec<Payload> {
    let id = Uuid::now_v7;
    let at = Utc.with_ymd_and_hms(2025, 3, 14, 9, 30, 0).single();
    let Some(at) = at else {
        panic!("a valid instant");
    };
    let date = NaiveDate::from_ymd_opt(2025, 3, 21).unwrap_or_default();
    let step = DeliveryStep {
        delivery_id: id(),
        recipient: Recipient::Client,
        method: DeliveryVia::Email,
        attempts: 2,
        message_id: Some(id()),
        redirection_id: None,
    };
    let moved = RoutingMoved {
        from_interaction: id(),
        from_operator: Some(id()),
        to_queue: Some(id()),
        to_operator: None,
        reason: Some("needs a lawyer".into()),
        reason_note_id: Some(id()),
    };
    let swept = DeadlineSwept {
        due_at: Some(at),
        assignee_id: Some(id()),
        body_id: None,
    };
    let answered = RedirectionAnswered {
        redirection_id: id(),
        body_id: id(),
        reason: Some("not ours".into()),
    };
    let declined = RoutingDeclined {
        operator_id: id(),
        queue_id: Some(id()),
    };
    vec![
        Payload::AppealCreated(AppealCreated {
            kind: AppealKind::Complaint,
            channel: Channel::Telegram,
            language: Language::Kk,
            priority: 2,
            topic_id: Some(id()),
            queue_id: Some(id()),
            split_from: None,
        }),
        Payload::StatusChanged(StatusChanged {
            from: AppealStatus::New,
            to: AppealStatus::InProgress,
            reason: Some("taken".into()),
            first_contact_resolved: None,
        }),
        Payload::Redirected(Redirected {
            redirection_id: id(),
            from_status: Some(AppealStatus::InProgress),
            from_body: None,
            to_body: id(),
            department_id: Some(id()),
            due_at: Some(at),
            late: true,
            reason: None,
        }),
        Payload::ContactStarted(ContactStarted {
            channel: Channel::Voice,
            direction: Direction::Outbound,
            state: InteractionState::Answered,
            queue_id: Some(id()),
            via: Some(ContactVia::Recorded),
            at: Some(at),
            operator_id: Some(id()),
        }),
        Payload::ContactMoved(ContactMoved {
            from: Some(InteractionState::Queued),
            state: InteractionState::Answered,
            operator_id: Some(id()),
            channel: Some(Channel::WebChat),
            queue_id: None,
            via: Some(ContactVia::Transfer),
            at: None,
        }),
        Payload::MessageAdded(MessageAdded {
            message_id: id(),
            seq: 7,
            author: Author::Client,
            kind: MessageKind::Text,
            channel: Channel::Email,
            direction: Direction::Inbound,
        }),
        Payload::SurveyAnswered(SurveyAnswered {
            score: 4,
            channel: Some(Channel::WebChat),
            assignee_id: Some(id()),
            commented: true,
        }),
        Payload::QaReviewed(QaReviewed {
            review_id: id(),
            interaction_id: Some(id()),
            operator_id: Some(id()),
            channel: Some(Channel::Voice),
            queue_id: None,
            total: Some(87.5),
            accurate: true,
        }),
        Payload::ComplaintDecided(ComplaintDecided {
            confirmed: false,
            category: ComplaintCategory::OperatorConduct,
            about_operator_id: Some(id()),
            topic_id: None,
        }),
        Payload::RoutingAccepted(RoutingAccepted {
            operator_id: id(),
            queue_id: Some(id()),
            wait_secs: 12.5,
        }),
        Payload::RoutingTransferred(moved.clone()),
        Payload::RoutingEscalated(moved),
        Payload::StaffCreated(StaffCreated {
            staff_id: id(),
            login: "a.operator".into(),
            role: Role::BodyOfficer,
            body_id: Some(id()),
        }),
        Payload::StaffUpdated(StaffUpdated {
            staff_id: id(),
            changed: vec!["role".into(), "password".into()],
        }),
        Payload::StaffLoggedIn(LoggedIn { expires_at: at }),
        Payload::StaffLoggedOut(LoggedOut {}),
        Payload::PresenceChanged(PresenceChanged {
            from: Some(Presence::Offline),
            to: Presence::Online,
            operator_id: None,
            reason: None,
        }),
        Payload::PresenceChanged(PresenceChanged {
            from: Some(Presence::Online),
            to: Presence::Away,
            operator_id: Some(id()),
            reason: Some("offer_unanswered".into()),
        }),
        Payload::ClientCreated(ClientCreated {
            has_iin: true,
            has_bin: false,
            language: Language::Ru,
            channels: vec![Channel::Email, Channel::Telegram],
        }),
        Payload::IdentityAdded(IdentityAdded {
            channel: Channel::Voice,
        }),
        Payload::Claimed(Claimed {
            kind: "phone".into(),
            channel: Channel::Telegram,
        }),
        Payload::ClientVerified(ClientVerified {
            method: "otp_sms".into(),
        }),
        Payload::ClientLinked(ClientLinked {
            from: id(),
            method: "otp_sms".into(),
            appeals_moved: 2,
        }),
        Payload::CodeSent(CodeSent {
            via: CodeVia::Sms,
            code_id: id(),
        }),
        Payload::VerificationFailed(VerificationFailed {
            method: "otp_email".into(),
            attempts: 3,
        }),
        Payload::Assigned(Assigned {
            from: None,
            to: Some(id()),
            via: Some(AssignedVia::Routing),
        }),
        Payload::NoteAdded(NoteAdded { note_id: id() }),
        Payload::Split(Split {
            part_id: id(),
            part_number: "2025-000042".into(),
            subject: "Land plot".into(),
        }),
        Payload::Extended(Extended {
            from: Some(at),
            to: at,
            reason: "a request to another body".into(),
        }),
        Payload::KindChanged(KindChanged {
            from: AppealKind::Request,
            to: AppealKind::Application,
            reason: Some("the citizen asks for a decision".into()),
            due_from: Some(at),
            due_to: Some(at),
        }),
        Payload::TopicChanged(TopicChanged {
            from: None,
            to: Some(id()),
            reason: Some("land, not housing".into()),
        }),
        Payload::PriorityChanged(PriorityChanged {
            from: 3,
            to: 5,
            reason: None,
        }),
        Payload::DeadlineNear(swept.clone()),
        Payload::Overdue(swept),
        Payload::BodyTopicsSet(BodyTopicsSet {
            body_id: id(),
            topic_ids: vec![id(), id()],
        }),
        Payload::RedirectionAccepted(RedirectionAnswered {
            reason: None,
            ..answered.clone()
        }),
        Payload::RedirectionReturned(answered),
        Payload::DepartmentSaved(DepartmentSaved {
            department_id: id(),
            body_id: id(),
            active: true,
        }),
        Payload::SurveyAsked(SurveyAsked {
            channel: Channel::WebChat,
            by_link: true,
        }),
        Payload::ComplaintRegistered(ComplaintRegistered {
            category: ComplaintCategory::OperatorConduct,
            about_operator_id: Some(id()),
            about_appeal_id: Some(id()),
            topic_id: None,
        }),
        Payload::ComplaintReviewed(ComplaintReviewed {
            category: ComplaintCategory::OperatorConduct,
        }),
        Payload::ComplaintEscalated(ComplaintEscalated {
            to: id(),
            reason: "repeated".into(),
            category: ComplaintCategory::OperatorConduct,
        }),
        Payload::QueueCreated(QueueCreated {
            queue_id: id(),
            code: "general".into(),
        }),
        Payload::QueueUpdated(QueueUpdated {
            queue_id: id(),
            changed: vec!["name".into()],
        }),
        Payload::QueueHoursSet(QueueHoursSet {
            queue_id: id(),
            hours: Some(WeeklyHours::default()),
        }),
        Payload::QueueOverflowSet(QueueOverflowSet {
            queue_id: id(),
            rules: vec![OverflowRule {
                queue_id: id(),
                after: chrono::Duration::seconds(90),
                action: OverflowAction::WidenLevel { min_level: 1 },
            }],
        }),
        Payload::TopicCreated(TopicCreated {
            topic_id: id(),
            code: "land".into(),
            queue_id: Some(id()),
        }),
        Payload::TopicUpdated(TopicUpdated {
            topic_id: id(),
            changed: vec!["active".into()],
        }),
        Payload::BodyCreated(BodyCreated {
            body_id: id(),
            parent_id: Some(id()),
        }),
        Payload::BodyUpdated(BodyUpdated {
            body_id: id(),
            changed: vec!["delivery".into()],
        }),
        Payload::SecretIssued(SecretIssued { body_id: id() }),
        Payload::WebhookReceived(WebhookReceived {
            body_id: id(),
            webhook_id: "msg_1".into(),
            action: "accept".into(),
        }),
        Payload::CalendarDaySet(DaySet {
            date,
            kind: DayKind::DayOff,
        }),
        Payload::CalendarDayRemoved(DayRemoved { date }),
        Payload::SettingChanged(SettingChanged {
            key: "kpi".into(),
            value: json!({"bands": [1, 2]}),
        }),
        Payload::CannedSaved(CannedSaved {
            canned_id: id(),
            active: false,
        }),
        Payload::RoutingOffered(RoutingOffered {
            operator_id: id(),
            queue_id: Some(id()),
            channel: Channel::WebChat,
            expires_at: at,
            via: Some(ContactVia::Transfer),
        }),
        Payload::RoutingDeclined(declined.clone()),
        Payload::RoutingTimedOut(declined),
        Payload::RoutingReoffered(RoutingReoffered {
            declined_by: vec![id(), id()],
            escalated_to: Some(id()),
        }),
        Payload::RoutingOverflowed(RoutingOverflowed {
            from_queue: Some(id()),
            action: OverflowAction::MoveTo { queue_id: id() },
        }),
        Payload::RoutingOutOfHours(OutOfHours {
            queue_id: Some(id()),
            channel: Channel::Voice,
        }),
        Payload::DeliverySent(DeliverySent {
            delivery: step.clone(),
        }),
        Payload::DeliveryFailed(DeliveryFailed {
            delivery: step.clone(),
            error: "550 mailbox unavailable".into(),
            retry_at: Some(at),
            gave_up: false,
        }),
        Payload::DeliveryBounced(DeliveryBounced {
            delivery: step.clone(),
            status: Some("5.1.1".into()),
            diagnostic: Some("550 5.1.1 user unknown".into()),
            permanent: true,
        }),
        Payload::DeliveryFallback(DeliveryFallback {
            delivery: step,
            from_delivery: id(),
            from_method: DeliveryVia::Sms,
        }),
        Payload::DeliveryRetried(DeliveryRetried {
            delivery_id: id(),
            method: DeliveryVia::Webhook,
        }),
        Payload::MailboxSaved(MailboxSaved {
            mailbox_id: id(),
            changed: vec!["password".into()],
        }),
        Payload::MailboxRemoved(MailboxRemoved { mailbox_id: id() }),
        Payload::BotSaved(BotSaved {
            bot_id: id(),
            changed: vec!["token".into()],
        }),
        Payload::BotRemoved(BotRemoved { bot_id: id() }),
        Payload::IvrSaved(IvrSaved {
            key: "main".into(),
            language: Language::Kk,
            version: 2,
        }),
        Payload::ArticleSaved(ArticleSaved {
            article_id: id(),
            revision: 3,
            created: false,
        }),
        Payload::ArticleStateChanged(ArticleStateChanged {
            article_id: id(),
            from: crate::knowledge::ArticleState::InReview,
            to: crate::knowledge::ArticleState::Published,
            version: Some(2),
        }),
        Payload::IvrRemoved(IvrRemoved {
            key: "benefits".into(),
            language: Language::Ru,
        }),
        Payload::CallMenu(CallMenu {
            menu: "main".into(),
            digit: Some("1".into()),
            led_to: "menu".into(),
            label: Some("Жәрдемақы".into()),
        }),
        Payload::CallbackRequested(CallbackRequested {
            callback_id: id(),
            waited_secs: 42,
        }),
        Payload::ClientFlagsChanged(ClientFlagsChanged {
            vulnerable: false,
            do_not_contact: true,
            changed: vec!["do_not_contact".into()],
            reason: "asked on the phone".into(),
        }),
        Payload::CallAnnounced(CallAnnounced {
            number: 2,
            position: Some(1),
            estimated_wait_secs: Some(45),
        }),
        Payload::CallHeld(CallHold {
            operator_id: id(),
            held_secs: None,
        }),
        Payload::CallResumed(CallHold {
            operator_id: id(),
            held_secs: Some(42),
        }),
        Payload::ServiceInterrupted(ServiceInterruption {
            resumes_at: Some(chrono::Utc::now()),
            lasted_secs: None,
        }),
        Payload::ServiceResumed(ServiceInterruption {
            resumes_at: None,
            lasted_secs: Some(5400),
        }),
        Payload::CallRecordingStored(CallRecordingStored {
            recording_id: id(),
            call_id: "CA1".into(),
            size: 16_044,
            duration_secs: Some(12),
        }),
        Payload::CallRecordingFailed(CallRecordingFailed {
            recording_id: id(),
            error: "404 Not Found".into(),
        }),
        Payload::CallRecordingExpired(CallRecording { recording_id: id() }),
        Payload::CallRecordingPlayed(CallRecording { recording_id: id() }),
        Payload::CallbackPlaced(CallbackPlaced {
            callback_id: id(),
            call_id: "out-1".into(),
            operator_id: id(),
            reason: Some("Құжаттарыңызды нақтылау".into()),
        }),
        Payload::CallbackAttempted(CallbackAttempted {
            callback_id: id(),
            outcome: "no_answer".into(),
            attempts: 1,
            state: "pending".into(),
        }),
    ]
}

#[test]
fn every_variant_round_trips_through_its_json() {
    let samples = samples();
    let sampled: HashSet<&str> = samples.iter().map(Payload::kind).collect();
    assert_eq!(
        sampled.len(),
        Payload::KINDS.len(),
        "a variant without a sample"
    );
    for p in samples {
        let json = p.to_json();
        assert!(json.is_object(), "{}: {json}", p.kind());
        assert_eq!(
            Payload::read(p.kind(), &json),
            Ok(Some(p.clone())),
            "{}",
            p.kind()
        );
    }
}

#[test]
fn payloads_keep_the_shapes_written_before_they_were_typed() {
    let id = Uuid::now_v7();
    // A person's assignment: no `via` key, as before.
    let a = Payload::Assigned(Assigned {
        from: None,
        to: Some(id),
        via: None,
    });
    assert_eq!(a.to_json(), json!({"from": null, "to": id}));
    // A delivery's step flattened beside the event's own fields.
    let sent = json!({"delivery_id": id, "recipient": "body", "method": "webhook", "attempts": 1,
        "message_id": null, "redirection_id": id});
    let Ok(Some(Payload::DeliverySent(s))) = Payload::read(k::DELIVERY_SENT, &sent) else {
        panic!("delivery.sent unread");
    };
    assert_eq!(Payload::DeliverySent(s).to_json(), sent);
    // An overflow: the rule's action nested under `action`.
    let over = json!({"from_queue": id, "action": {"action": "move_to", "to_queue_id": id}});
    let Ok(Some(p)) = Payload::read(k::ROUTING_OVERFLOWED, &over) else {
        panic!("routing.overflowed unread");
    };
    assert_eq!(p.to_json(), over);
    assert_eq!(
        Payload::read(k::STAFF_LOGGED_OUT, &json!({})),
        Ok(Some(Payload::StaffLoggedOut(LoggedOut {})))
    );
}

#[test]
fn a_reclassification_names_the_due_date_only_when_it_moved() {
    // An extended appeal keeps its date when reclassified: no due keys in the event.
    let kept = Payload::KindChanged(KindChanged {
        from: AppealKind::Request,
        to: AppealKind::Proposal,
        reason: None,
        due_from: None,
        due_to: None,
    });
    assert_eq!(
        kept.to_json(),
        json!({"from": "request", "to": "proposal", "reason": null})
    );
    assert_eq!(kept.kind(), event_kind::APPEAL_KIND_CHANGED);
    // A topic cleared reads back as none.
    let cleared = json!({"from": Uuid::nil(), "to": null, "reason": "wrong topic"});
    let Ok(Some(Payload::TopicChanged(t))) = Payload::read(k::APPEAL_TOPIC_CHANGED, &cleared)
    else {
        panic!("appeal.topic_changed unread");
    };
    assert_eq!((t.from, t.to), (Some(Uuid::nil()), None));
    // A priority outside what the store writes is still a number, never a silent default.
    assert!(Payload::read(
        k::APPEAL_PRIORITY_CHANGED,
        &json!({"from": "high", "to": 5})
    )
    .is_err());
}
