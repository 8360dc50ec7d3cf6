//! Raw rows as both backends return them, and their checked conversion into the model. Columns
//! holding enums are text; parsing them here turns a corrupt row into an error, not a panic.

use std::str::FromStr;

use baylanys_domain::{Language, Priority};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;
use uuid::Uuid;

use crate::model::*;
use crate::{StoreError, StoreResult};

fn parse<T: FromStr<Err = baylanys_domain::DomainError>>(s: &str) -> StoreResult<T> {
    s.parse()
        .map_err(|e: baylanys_domain::DomainError| StoreError::Corrupt(e.to_string()))
}

#[derive(FromRow)]
pub(crate) struct StaffRow {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub body_id: Option<Uuid>,
    pub languages: Json<Vec<Language>>,
    pub skills: Json<Vec<Skill>>,
    pub active: bool,
    pub capacity: Option<Json<baylanys_domain::router::Capacity>>,
    pub presence: String,
    pub presence_at: Option<DateTime<Utc>>,
    pub extension: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StaffRow {
    pub fn into_credentials(mut self) -> StoreResult<Credentials> {
        let password_hash = std::mem::take(&mut self.password_hash);
        Ok(Credentials {
            staff: self.into_staff()?,
            password_hash,
        })
    }

    pub fn into_staff(self) -> StoreResult<Staff> {
        Ok(Staff {
            id: self.id,
            login: self.login,
            display_name: self.display_name,
            role: parse(&self.role)?,
            body_id: self.body_id,
            languages: self.languages.0,
            skills: self.skills.0,
            active: self.active,
            capacity: self.capacity.map(|c| c.0).unwrap_or_default(),
            presence: parse(&self.presence)?,
            presence_at: self.presence_at,
            extension: self.extension,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct SessionRow {
    #[sqlx(flatten)]
    pub staff: StaffRow,
    pub expires_at: DateTime<Utc>,
}

#[derive(FromRow)]
pub(crate) struct ClientRow {
    pub id: Uuid,
    pub name: Option<String>,
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub language: String,
    pub vulnerable: bool,
    pub do_not_contact: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ClientRow {
    pub fn into_client(self, identities: Vec<Identity>) -> StoreResult<Client> {
        Ok(Client {
            id: self.id,
            name: self.name,
            iin: self.iin,
            bin: self.bin,
            language: parse(&self.language)?,
            vulnerable: self.vulnerable,
            do_not_contact: self.do_not_contact,
            identities,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct IdentityRow {
    pub client_id: Uuid,
    pub channel: String,
    pub address: String,
    pub created_at: DateTime<Utc>,
}

impl IdentityRow {
    pub fn into_identity(self) -> StoreResult<Identity> {
        Ok(Identity {
            channel: parse(&self.channel)?,
            address: self.address,
            created_at: self.created_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct AppealRow {
    pub id: Uuid,
    pub number: String,
    pub client_id: Uuid,
    pub kind: String,
    pub topic_id: Option<Uuid>,
    pub channel: String,
    pub language: String,
    pub priority: i64,
    pub status: String,
    pub queue_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub body_id: Option<Uuid>,
    pub subject: Option<String>,
    pub resolution: Option<String>,
    pub first_contact_resolved: Option<bool>,
    pub external_id: Option<String>,
    pub last_seq: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verification_method: Option<String>,
    pub first_due_at: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub department_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
}

impl TryFrom<AppealRow> for Appeal {
    type Error = StoreError;
    fn try_from(r: AppealRow) -> StoreResult<Appeal> {
        Ok(Appeal {
            id: r.id,
            number: r.number,
            client_id: r.client_id,
            kind: parse(&r.kind)?,
            topic_id: r.topic_id,
            channel: parse(&r.channel)?,
            language: parse(&r.language)?,
            priority: Priority::new(r.priority).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            status: parse(&r.status)?,
            queue_id: r.queue_id,
            assignee_id: r.assignee_id,
            body_id: r.body_id,
            subject: r.subject,
            resolution: r.resolution,
            first_contact_resolved: r.first_contact_resolved,
            external_id: r.external_id,
            last_seq: r.last_seq,
            due_at: r.due_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            closed_at: r.closed_at,
            verified_at: r.verified_at,
            verification_method: r.verification_method,
            first_due_at: r.first_due_at,
            overdue_at: r.overdue_at,
            department_id: r.department_id,
            parent_id: r.parent_id,
        })
    }
}

/// An appeal row whose `last_seq` was just reserved, with the contact open on the channel.
#[derive(FromRow)]
pub(crate) struct ReservedRow {
    #[sqlx(flatten)]
    pub appeal: AppealRow,
    pub open_interaction: Option<Uuid>,
}

#[derive(FromRow)]
pub(crate) struct MessageRow {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub interaction_id: Option<Uuid>,
    pub seq: i64,
    pub author: String,
    pub staff_id: Option<Uuid>,
    pub channel: String,
    pub direction: String,
    pub body: String,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub kind: String,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> StoreResult<Message> {
        Ok(Message {
            id: r.id,
            appeal_id: r.appeal_id,
            interaction_id: r.interaction_id,
            seq: r.seq,
            author: parse(&r.author)?,
            staff_id: r.staff_id,
            channel: parse(&r.channel)?,
            direction: parse(&r.direction)?,
            body: r.body,
            external_id: r.external_id,
            created_at: r.created_at,
            kind: parse(&r.kind)?,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct InteractionRow {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub channel: String,
    pub direction: String,
    pub state: String,
    pub external_id: Option<String>,
    pub queue_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub queued_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub abandoned_at: Option<DateTime<Utc>>,
    pub offered_to: Option<Uuid>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    #[sqlx(default)]
    pub wrap_up_at: Option<DateTime<Utc>>,
    #[sqlx(default)]
    pub held_at: Option<DateTime<Utc>>,
}

impl TryFrom<InteractionRow> for Interaction {
    type Error = StoreError;
    fn try_from(r: InteractionRow) -> StoreResult<Interaction> {
        Ok(Interaction {
            id: r.id,
            appeal_id: r.appeal_id,
            channel: parse(&r.channel)?,
            direction: parse(&r.direction)?,
            state: parse(&r.state)?,
            external_id: r.external_id,
            queue_id: r.queue_id,
            operator_id: r.operator_id,
            queued_at: r.queued_at,
            answered_at: r.answered_at,
            ended_at: r.ended_at,
            abandoned_at: r.abandoned_at,
            wrap_up_at: r.wrap_up_at,
            offered_to: r.offered_to,
            offer_expires_at: r.offer_expires_at,
            held_at: r.held_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct WaitingRow {
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    pub queue_id: Option<Uuid>,
    pub channel: String,
    pub min_level: i64,
    pub queued_at: DateTime<Utc>,
    pub declined_by: Json<Vec<Uuid>>,
    pub declined_at: Option<DateTime<Utc>>,
    pub offered_to: Option<Uuid>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    pub topic_id: Option<Uuid>,
    pub language: String,
    pub kind: String,
    pub appeal_priority: i64,
    pub vulnerable: bool,
    pub contacts: i64,
    pub escalated: bool,
    pub out_of_hours_at: Option<DateTime<Utc>>,
}

impl TryFrom<WaitingRow> for WaitingContact {
    type Error = StoreError;
    fn try_from(r: WaitingRow) -> StoreResult<WaitingContact> {
        Ok(WaitingContact {
            interaction_id: r.interaction_id,
            appeal_id: r.appeal_id,
            queue_id: r.queue_id,
            topic_id: r.topic_id,
            language: parse(&r.language)?,
            kind: parse(&r.kind)?,
            channel: parse(&r.channel)?,
            appeal_priority: r.appeal_priority,
            vulnerable: r.vulnerable,
            repeat: r.contacts > 1,
            min_level: u8::try_from(r.min_level.clamp(1, 5)).unwrap_or(1),
            queued_at: r.queued_at,
            declined_by: r.declined_by.0,
            declined_at: r.declined_at,
            offered_to: r.offered_to,
            offer_expires_at: r.offer_expires_at,
            escalated: r.escalated,
            out_of_hours_at: r.out_of_hours_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct NoteRow {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<NoteRow> for Note {
    fn from(r: NoteRow) -> Note {
        Note {
            id: r.id,
            appeal_id: r.appeal_id,
            author_id: r.author_id,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct RedirectionRow {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub body_id: Uuid,
    pub department_id: Option<Uuid>,
    pub reason: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub state: String,
    pub responded_at: Option<DateTime<Utc>>,
    pub response: Option<String>,
    pub late: bool,
}

impl TryFrom<RedirectionRow> for Redirection {
    type Error = StoreError;
    fn try_from(r: RedirectionRow) -> StoreResult<Redirection> {
        Ok(Redirection {
            id: r.id,
            appeal_id: r.appeal_id,
            body_id: r.body_id,
            department_id: r.department_id,
            reason: r.reason,
            created_by: r.created_by,
            created_at: r.created_at,
            due_at: r.due_at,
            state: parse(&r.state)?,
            responded_at: r.responded_at,
            response: r.response,
            late: r.late,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct ComplaintRow {
    pub appeal_id: Uuid,
    pub category: String,
    pub about_operator_id: Option<Uuid>,
    pub about_appeal_id: Option<Uuid>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    pub escalated_to: Option<Uuid>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub confirmed: Option<bool>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
pub(crate) struct ComplaintWithTopic {
    #[sqlx(flatten)]
    pub complaint: ComplaintRow,
    pub topic_id: Option<Uuid>,
}

impl TryFrom<ComplaintRow> for Complaint {
    type Error = StoreError;
    fn try_from(r: ComplaintRow) -> StoreResult<Complaint> {
        Ok(Complaint {
            appeal_id: r.appeal_id,
            category: parse(&r.category)?,
            about_operator_id: r.about_operator_id,
            about_appeal_id: r.about_appeal_id,
            reviewed_by: r.reviewed_by,
            reviewed_at: r.reviewed_at,
            review_note: r.review_note,
            escalated_to: r.escalated_to,
            escalated_at: r.escalated_at,
            confirmed: r.confirmed,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            created_at: r.created_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct DepartmentRow {
    pub id: Uuid,
    pub body_id: Uuid,
    pub name_kk: String,
    pub name_ru: String,
    pub position_kk: String,
    pub position_ru: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Department {
        Department {
            id: r.id,
            body_id: r.body_id,
            name_kk: r.name_kk,
            name_ru: r.name_ru,
            position_kk: r.position_kk,
            position_ru: r.position_ru,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_kind: String,
    pub actor_ref: Option<String>,
    pub appeal_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub data: Json<serde_json::Value>,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Event {
        // A kind this build does not know (written by a newer node) reads as the system's.
        let actor = Actor::from_stored(&r.actor_kind, r.actor_id, r.actor_ref.as_deref())
            .unwrap_or_default();
        Event {
            id: r.id,
            at: r.at,
            kind: r.kind,
            actor,
            actor_id: r.actor_id,
            appeal_id: r.appeal_id,
            client_id: r.client_id,
            interaction_id: r.interaction_id,
            data: r.data.0,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Uuid,
    pub client_id: Uuid,
    pub endpoint: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> AuditRecord {
        AuditRecord {
            id: r.id,
            at: r.at,
            staff_id: r.staff_id,
            client_id: r.client_id,
            endpoint: r.endpoint,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct QueueRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub hours: Option<Json<baylanys_domain::WeeklyHours>>,
    pub overflow: Option<Json<Vec<baylanys_domain::router::OverflowRule>>>,
    pub records_calls: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<QueueRow> for Queue {
    fn from(r: QueueRow) -> Queue {
        Queue {
            id: r.id,
            code: r.code,
            name: r.name,
            active: r.active,
            hours: r.hours.map(|h| h.0),
            overflow: r.overflow.map(|o| o.0).unwrap_or_default(),
            records_calls: r.records_calls,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct TopicRow {
    pub id: Uuid,
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    pub queue_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TopicRow> for Topic {
    fn from(r: TopicRow) -> Topic {
        Topic {
            id: r.id,
            code: r.code,
            name_kk: r.name_kk,
            name_ru: r.name_ru,
            name_en: r.name_en,
            queue_id: r.queue_id,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct BodyRow {
    pub id: Uuid,
    pub name_kk: String,
    pub name_ru: String,
    pub bin: Option<String>,
    pub parent_id: Option<Uuid>,
    pub delivery_method: String,
    pub delivery_address: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<BodyRow> for Body {
    type Error = StoreError;
    fn try_from(r: BodyRow) -> StoreResult<Body> {
        Ok(Body {
            id: r.id,
            name_kk: r.name_kk,
            name_ru: r.name_ru,
            bin: r.bin,
            parent_id: r.parent_id,
            delivery_method: parse(&r.delivery_method)?,
            delivery_address: r.delivery_address,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Converts a list of rows, failing on the first corrupt one.
pub(crate) fn convert<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

#[derive(FromRow)]
pub(crate) struct DayRow {
    pub date: chrono::NaiveDate,
    pub kind: String,
    pub name_kk: String,
    pub name_ru: String,
    pub note: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<DayRow> for DayOverrideRecord {
    type Error = StoreError;
    fn try_from(r: DayRow) -> StoreResult<DayOverrideRecord> {
        Ok(DayOverrideRecord {
            day: baylanys_domain::DayOverride {
                date: r.date,
                kind: parse(&r.kind)?,
                name_kk: r.name_kk,
                name_ru: r.name_ru,
            },
            note: r.note,
            updated_at: r.updated_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct CannedRow {
    pub id: Uuid,
    pub title: String,
    pub body_kk: String,
    pub body_ru: String,
    pub topic_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub article_id: Option<Uuid>,
}

impl From<CannedRow> for CannedReply {
    fn from(r: CannedRow) -> CannedReply {
        CannedReply {
            id: r.id,
            title: r.title,
            body_kk: r.body_kk,
            body_ru: r.body_ru,
            topic_id: r.topic_id,
            article_id: r.article_id,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
