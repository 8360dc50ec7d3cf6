//! What the store returns and accepts. These are storage-neutral records: enums are parsed into
//! domain types on the way out, so a corrupt row is an error, not a surprise further up.

use baylanys_domain::{
    AppealKind, AppealScope, AppealStatus, Author, Bin, Channel, DeliveryMethod, Direction, Iin,
    InteractionState, Language, MessageKind, Priority, Role,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who caused a change (DESIGN principle 12); recorded on every event.
pub use baylanys_domain::Actor;

/// A topic an operator is competent for, with a level 1–5 (R18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub topic_id: Uuid,
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub body_id: Option<Uuid>,
    pub languages: Vec<Language>,
    pub skills: Vec<Skill>,
    pub active: bool,
    /// Contacts at once per channel (R18 routing); the default when never set.
    pub capacity: baylanys_domain::router::Capacity,
    pub presence: baylanys_domain::router::Presence,
    pub presence_at: Option<DateTime<Utc>>,
    /// The operator's phone on the PBX (a SIP URI or a number) that calls are put through to.
    pub extension: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Staff {
    pub fn scope(&self) -> AppealScope {
        AppealScope::for_staff(self.role, self.body_id)
    }
}

/// The stored password hash travels only with this type, never with [`Staff`].
pub struct Credentials {
    pub staff: Staff,
    pub password_hash: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("staff", &self.staff)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub body_id: Option<Uuid>,
    pub languages: Vec<Language>,
    pub skills: Vec<Skill>,
}

/// A partial update; `None` leaves a field as it is. `body_id: Some(None)` detaches from a body.
#[derive(Debug, Clone, Default)]
pub struct StaffPatch {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub body_id: Option<Option<Uuid>>,
    pub languages: Option<Vec<Language>>,
    pub skills: Option<Vec<Skill>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub capacity: Option<baylanys_domain::router::Capacity>,
    pub extension: Option<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub staff: Staff,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub channel: Channel,
    pub address: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: Uuid,
    pub name: Option<String>,
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub language: Language,
    pub vulnerable: bool,
    pub do_not_contact: bool,
    pub identities: Vec<Identity>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewClient {
    pub name: Option<String>,
    pub iin: Option<Iin>,
    pub bin: Option<Bin>,
    pub language: Language,
    pub vulnerable: bool,
    pub do_not_contact: bool,
    pub identities: Vec<(Channel, String)>,
}

/// How staff look a client up; every form is exact, so no partial personal data is guessed at.
#[derive(Debug, Clone)]
pub enum ClientLookup {
    Iin(Iin),
    Bin(Bin),
    Identity(Channel, String),
    /// Normalised name prefix (see `normalize_search`).
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appeal {
    pub id: Uuid,
    pub number: String,
    pub client_id: Uuid,
    pub kind: AppealKind,
    pub topic_id: Option<Uuid>,
    pub channel: Channel,
    pub language: Language,
    pub priority: Priority,
    pub status: AppealStatus,
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
    /// When and how the client proved who they are (R11).
    pub verified_at: Option<DateTime<Utc>>,
    pub verification_method: Option<String>,
    /// The due date set at registration (or redirection): extensions are bounded from it.
    pub first_due_at: Option<DateTime<Utc>>,
    /// When the appeal was found past its due date and escalated.
    pub overdue_at: Option<DateTime<Utc>>,
    pub department_id: Option<Uuid>,
    /// The appeal this one was split from: a part of it sent elsewhere (R30).
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewAppeal {
    pub client_id: Uuid,
    pub kind: AppealKind,
    pub topic_id: Option<Uuid>,
    pub channel: Channel,
    pub language: Language,
    pub priority: Priority,
    pub queue_id: Option<Uuid>,
    pub subject: Option<String>,
    /// Channel-side id of the contact that opened the appeal; a replay returns the same appeal.
    pub external_id: Option<String>,
    /// The client's first words, stored as message seq 1 of the appeal.
    pub first_message: Option<String>,
    /// What the first message carries besides its text (a mail's headers, files).
    pub first_extras: crate::MessageExtras,
    /// The legal due date (see `baylanys_domain::deadline`), computed by the caller.
    pub due_at: Option<DateTime<Utc>>,
    /// Where the contact that brought the appeal starts (inbound, on the appeal's channel).
    pub first_contact: ContactStart,
}

/// Filters for listing appeals. The scope always applies: it is how body officers are confined
/// to their own body's appeals (R33).
#[derive(Debug, Clone)]
pub struct AppealFilter {
    pub scope: AppealScope,
    pub status: Option<AppealStatus>,
    pub kind: Option<AppealKind>,
    pub channel: Option<Channel>,
    pub client_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub body_id: Option<Uuid>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Only appeals past their due date and not yet answered or closed.
    pub overdue: bool,
    /// Newest first; the cursor is the id of the last appeal of the previous page.
    pub before: Option<Uuid>,
    pub limit: u32,
}

impl AppealFilter {
    pub fn new(scope: AppealScope) -> Self {
        AppealFilter {
            scope,
            status: None,
            kind: None,
            channel: None,
            client_id: None,
            assignee_id: None,
            queue_id: None,
            topic_id: None,
            body_id: None,
            created_from: None,
            created_to: None,
            overdue: false,
            before: None,
            limit: 50,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StatusChange {
    pub to: AppealStatus,
    pub reason: Option<String>,
    pub resolution: Option<String>,
    pub first_contact_resolved: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub interaction_id: Option<Uuid>,
    pub seq: i64,
    pub author: Author,
    pub staff_id: Option<Uuid>,
    pub channel: Channel,
    pub direction: Direction,
    pub body: String,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub kind: MessageKind,
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub author: Author,
    /// `Text` for what people write; the other kinds are what the client is told of.
    pub kind: MessageKind,
    pub staff_id: Option<Uuid>,
    /// `None`: the appeal's own channel.
    pub channel: Option<Channel>,
    pub body: String,
    pub interaction_id: Option<Uuid>,
    /// Channel-side id; `(channel, external_id)` is unique, so a replay is recognised.
    pub external_id: Option<String>,
    /// A mail's headers and the files that came with it, written with the message.
    pub extras: crate::MessageExtras,
}

/// A notice that reports a change to the client (R6): the entry on the appeal's timeline and,
/// off the web chat, the outbox delivery that carries it.
#[derive(Debug, Clone)]
pub struct Tell {
    pub message: NewMessage,
    pub delivery: Option<crate::NewDelivery>,
}

/// A body's webhook call, recorded by its id (replays are refused) together with the change it
/// makes: a call whose change fails leaves no receipt, so the body's retry is applied.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub body_id: Uuid,
    pub webhook_id: String,
    pub action: String,
}

/// What a state-changing verb also writes in its own transaction, so it commits or vanishes
/// with the change it reports (DESIGN principles 3 and 4): the notices to the client — decided
/// on the appeal as the change leaves it — and the receipt of the body's call that asked for it.
/// Decides the notices on the appeal as the change leaves it.
type TellFn = Box<dyn FnOnce(&Appeal) -> Vec<Tell> + Send>;

#[derive(Default)]
pub struct Also {
    tells: Option<TellFn>,
    pub receipt: Option<Receipt>,
}

impl std::fmt::Debug for Also {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Also")
            .field("tells", &self.tells.is_some())
            .field("receipt", &self.receipt)
            .finish()
    }
}

impl Also {
    /// Nothing besides the change.
    pub fn nothing() -> Self {
        Also::default()
    }

    /// Tells the client what `tells` decides on the changed appeal.
    pub fn telling(tells: impl FnOnce(&Appeal) -> Vec<Tell> + Send + 'static) -> Self {
        Also {
            tells: Some(Box::new(tells)),
            receipt: None,
        }
    }

    pub fn with_receipt(mut self, receipt: Receipt) -> Self {
        self.receipt = Some(receipt);
        self
    }

    /// Nothing to write besides the change.
    pub fn is_nothing(&self) -> bool {
        self.tells.is_none() && self.receipt.is_none()
    }

    pub(crate) fn tells(&mut self, appeal: &Appeal) -> Vec<Tell> {
        self.tells.take().map(|f| f(appeal)).unwrap_or_default()
    }
}

/// Whether an ingestion call stored something new or recognised a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested<T> {
    pub value: T,
    pub created: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirection {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub body_id: Uuid,
    pub department_id: Option<Uuid>,
    pub reason: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    /// The body's due date for the appeal.
    pub due_at: Option<DateTime<Utc>>,
    pub state: baylanys_domain::RedirectionState,
    pub responded_at: Option<DateTime<Utc>>,
    /// The body's reason when it returned the appeal.
    pub response: Option<String>,
    /// Forwarded after the centre's deadline for forwarding (АППК art. 65).
    pub late: bool,
}

/// Where and by when a redirected appeal goes (the caller computed the dates).
#[derive(Debug, Clone)]
pub struct RedirectTo {
    pub body_id: Uuid,
    pub department_id: Option<Uuid>,
    pub reason: String,
    pub due_at: DateTime<Utc>,
    pub late: bool,
    /// How the body receives it (e-mail or webhook); `None` for a body working in the portal.
    pub delivery: Option<crate::NewDelivery>,
}

/// A complaint (R8–R10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub appeal_id: Uuid,
    pub category: baylanys_domain::ComplaintCategory,
    pub about_operator_id: Option<Uuid>,
    pub about_appeal_id: Option<Uuid>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    pub escalated_to: Option<Uuid>,
    pub escalated_at: Option<DateTime<Utc>>,
    /// Report row 20 counts the confirmed ones.
    pub confirmed: Option<bool>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub category: baylanys_domain::ComplaintCategory,
    pub about_operator_id: Option<Uuid>,
    pub about_appeal_id: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
}

/// A step of a complaint's review (R9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComplaintStep {
    Review { note: Option<String> },
    Escalate { to: Uuid, reason: String },
    Decide { confirmed: bool },
}

/// A body's answer to a redirection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyAnswer {
    Accept,
    /// Not its competence.
    Return {
        reason: String,
    },
}

/// A department of a body and the position answerable for appeals there (R6: the citizen is
/// told who is responsible).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
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

#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub name_kk: String,
    pub name_ru: String,
    pub position_kk: String,
    pub position_ru: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub channel: Channel,
    pub direction: Direction,
    pub state: InteractionState,
    pub external_id: Option<String>,
    pub queue_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub queued_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub abandoned_at: Option<DateTime<Utc>>,
    /// When the client left and the after-contact work began.
    pub wrap_up_at: Option<DateTime<Utc>>,
    /// A pending offer of this queued contact to one operator.
    pub offered_to: Option<Uuid>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    /// Since when the operator holds the client (a call waits away from their phone).
    pub held_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewInteraction {
    pub appeal_id: Uuid,
    pub channel: Channel,
    pub direction: Direction,
    pub external_id: Option<String>,
    pub queue_id: Option<Uuid>,
    /// Where it starts: in the voice menu, waiting in the queue, or answered by `operator_id`.
    /// Nothing is inferred from who records it.
    pub start: ContactStart,
}

/// Where a new contact starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactStart {
    /// In the voice menu or self-service; it enters a queue later (or ends there).
    Menu,
    /// Waiting for an operator.
    Queued,
    /// Handled from its start by this operator (a visit at the desk, a call staff are on).
    AnsweredBy(Uuid),
    /// A contact that already happened, recorded as it was (a call registered after the
    /// fact): it entered the queue at `queued_at`, was answered by `operator_id` at
    /// `answered_at` (or abandoned then, with no operator), and ended at `ended_at`.
    Recorded(RecordedContact),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedContact {
    pub queued_at: DateTime<Utc>,
    pub operator_id: Option<Uuid>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
}

impl NewInteraction {
    /// The operator a contact starts with, if any.
    pub fn start_operator(&self) -> Option<Uuid> {
        match self.start {
            ContactStart::AnsweredBy(op) => Some(op),
            ContactStart::Recorded(r) => r.operator_id,
            ContactStart::Menu | ContactStart::Queued => None,
        }
    }
}

impl ContactStart {
    pub fn state(self) -> InteractionState {
        match self {
            ContactStart::Menu => InteractionState::Menu,
            ContactStart::Queued => InteractionState::Queued,
            ContactStart::AnsweredBy(_) => InteractionState::Answered,
            ContactStart::Recorded(r) if r.answered_at.is_some() => InteractionState::Ended,
            ContactStart::Recorded(_) => InteractionState::Abandoned,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    /// Who acted.
    pub actor: Actor,
    /// The staff member who acted, if one did (`actor`'s id, kept as its own column).
    pub actor_id: Option<Uuid>,
    pub appeal_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub data: serde_json::Value,
}

impl Event {
    /// The typed payload; `None` only for a kind this release does not know (every kind it
    /// writes has a type).
    pub fn payload(
        &self,
    ) -> Result<Option<baylanys_domain::Payload>, baylanys_domain::DomainError> {
        baylanys_domain::Payload::read(&self.kind, &self.data)
    }
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub after: Option<i64>,
    pub kind: Option<String>,
    pub appeal_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// Everything that happened to one appeal, for the single window (R32).
#[derive(Debug, Clone)]
pub struct Timeline {
    pub interactions: Vec<Interaction>,
    pub messages: Vec<Message>,
    pub notes: Vec<Note>,
    pub redirections: Vec<Redirection>,
    pub events: Vec<Event>,
}

/// One appeal with its contacts and messages, as shown in a client's history.
#[derive(Debug, Clone)]
pub struct AppealHistory {
    pub appeal: Appeal,
    pub interactions: Vec<Interaction>,
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Uuid,
    pub client_id: Uuid,
    pub endpoint: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub staff_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub before: Option<i64>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub active: bool,
    /// `None`: the default hours, 09:00–18:00 on working days.
    pub hours: Option<baylanys_domain::WeeklyHours>,
    /// What happens to contacts that wait too long here.
    pub overflow: Vec<baylanys_domain::router::OverflowRule>,
    /// Its calls are recorded, and callers are told so on entering (issue "The phone", 9).
    pub records_calls: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewQueue {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct QueuePatch {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub records_calls: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
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

#[derive(Debug, Clone)]
pub struct NewTopic {
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    pub queue_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct TopicPatch {
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    pub name_en: Option<Option<String>>,
    pub queue_id: Option<Option<Uuid>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub id: Uuid,
    pub name_kk: String,
    pub name_ru: String,
    pub bin: Option<String>,
    pub parent_id: Option<Uuid>,
    pub delivery_method: DeliveryMethod,
    pub delivery_address: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewBody {
    pub name_kk: String,
    pub name_ru: String,
    pub bin: Option<Bin>,
    pub parent_id: Option<Uuid>,
    pub delivery_method: DeliveryMethod,
    pub delivery_address: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct BodyPatch {
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
    pub delivery_method: Option<DeliveryMethod>,
    pub delivery_address: Option<Option<String>>,
    pub active: Option<bool>,
}

/// A calendar override as stored, with who-knows-why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOverrideRecord {
    pub day: baylanys_domain::DayOverride,
    pub note: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// An operator as routing sees them, with what they are handling now.
#[derive(Debug, Clone)]
pub struct RoutableOperator {
    pub staff: Staff,
    /// Answered and offered contacts per channel, indexed like `Channel::ALL`.
    pub load: baylanys_domain::router::PerChannel,
}

/// A queued contact with the facts routing needs from its appeal and client.
#[derive(Debug, Clone)]
pub struct WaitingContact {
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub language: baylanys_domain::Language,
    pub kind: baylanys_domain::AppealKind,
    pub channel: baylanys_domain::Channel,
    pub appeal_priority: i64,
    pub vulnerable: bool,
    /// The appeal already had other contacts: a repeat contact.
    pub repeat: bool,
    pub min_level: u8,
    pub queued_at: DateTime<Utc>,
    pub declined_by: Vec<Uuid>,
    /// When an operator last declined it.
    pub declined_at: Option<DateTime<Utc>>,
    pub offered_to: Option<Uuid>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    /// Escalated to management: waits for a supervisor (R24.2).
    pub escalated: bool,
    /// When the client was told the queue is closed.
    pub out_of_hours_at: Option<DateTime<Utc>>,
}

impl WaitingContact {
    /// The contact as the router sees it in `queue_id`, its priority from its appeal's, its
    /// kind, the client's vulnerability and whether it is a repeat.
    pub fn for_router(&self, queue_id: Uuid) -> baylanys_domain::router::Contact {
        let base = baylanys_domain::Priority::new(self.appeal_priority)
            .map(|p| p.get())
            .unwrap_or(3) as u8;
        baylanys_domain::router::Contact {
            id: self.interaction_id,
            queue_id,
            topic_id: self.topic_id,
            language: self.language,
            channel: self.channel,
            priority: baylanys_domain::router::priority(
                base,
                self.kind,
                self.vulnerable,
                self.repeat,
            ),
            min_level: self.min_level,
            enqueued_at: self.queued_at,
            declined_by: self.declined_by.clone(),
            needs_supervisor: self.escalated,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RoutingSnapshot {
    pub operators: Vec<RoutableOperator>,
    pub waiting: Vec<WaitingContact>,
    pub queues: Vec<Queue>,
}

/// Where a transfer sends a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferTarget {
    Queue(Uuid),
    /// Offered directly to this operator until `expires_at`.
    Operator {
        id: Uuid,
        expires_at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone)]
pub struct Transfer {
    pub target: TransferTarget,
    pub reason: String,
    /// An escalation to a supervisor (R24.2) rather than a plain transfer.
    pub escalation: bool,
}

/// A ready answer in both state languages, kept by supervisors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    pub id: Uuid,
    pub title: String,
    pub body_kk: String,
    pub body_ru: String,
    pub topic_id: Option<Uuid>,
    /// The knowledge-base article the reply stands on, if any.
    pub article_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewCannedReply {
    pub title: String,
    pub body_kk: String,
    pub body_ru: String,
    pub topic_id: Option<Uuid>,
    pub article_id: Option<Uuid>,
    pub active: bool,
}
