//! The one store where every contact of every channel lands (R5.4, R32).
//!
//! One set of traits of domain verbs, two backends: SQLite (the embedded default, fit for a
//! centre of up to ten operators) and PostgreSQL (any number of stateless nodes). The SQL is
//! written once — `$N` placeholders, `RETURNING` and `ON CONFLICT` work on both — and
//! instantiated for each backend by the macros in the verb modules, so the two can never drift.
//!
//! Every state change writes its event in the same transaction (DESIGN principle 3), and
//! ingestion is idempotent on `(channel, external_id)` (principle 2).

mod appeal_fields;
mod appeal_support;
mod appeals;
mod calendar;
mod catalog;
mod chat;
mod claims;
mod clients;
mod competence;
mod complaints;
mod deadlines;
mod dispatch;
mod error;
mod events;
mod files;
mod interactions;
mod ivr;
pub(crate) mod knowledge;
mod leases;
pub(crate) mod mail;
pub(crate) mod mailboxes;
mod model;
mod outbox;
mod postgres;
mod qa;
pub(crate) mod recordings;
mod redirections;
mod routing;
mod rows;
mod sqlite;
mod staff;
mod surveys;
pub(crate) mod telegram;
mod verification;
mod voice;

use async_trait::async_trait;
use baylanys_domain::AppealScope;
use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

pub use appeal_fields::{AppealFieldStore, FieldChange, Reclassified};
pub use claims::{Claim, ClaimStore};
pub use competence::{CompetenceStore, NewPart};
pub use error::{StoreError, StoreResult};
pub use files::{Files, Kept, Opened, Refused, S3Config, Unsatisfiable, Wanted};
pub use ivr::{IvrStore, StoredMenu};
pub use knowledge::{
    Article, ArticleFilter, ArticleHit, ArticleQuery, ArticleUse, ArticleVersion, KnowledgeStore,
    KnowledgeUsage, NewArticle, NewUsage, ServedArticle,
};
pub use leases::LeaseStore;
pub use mail::{
    Attachment, Bounced, MailHeaders, MailStore, MessageExtras, MessageMail, NewAttachment,
    TimelineExtras,
};
pub use mailboxes::{
    MailLog, MailOutcome, Mailbox, MailboxPatch, MailboxState, MailboxStore, NewMailLog, NewMailbox,
};
pub use model::*;
pub use outbox::{is_message_id, Buttons, Delivery, MailThread, NewDelivery, OutboxStore};
pub use postgres::PgStore;
pub use qa::{NewQaReview, QaCandidate, QaFilter, QaReview, QaStore};
pub use recordings::{
    Announced, NewRecording, Recording, RecordingBody, RecordingState, RecordingStore,
};
pub use sqlite::SqliteStore;
pub use telegram::{Bot, BotPatch, ChatStage, NewBot, TelegramChat, TelegramStore};
pub use voice::{Call, CallStep, CallStore, Callback, NewCall};

/// Staff accounts and their login sessions.
#[async_trait]
pub trait StaffStore: Send + Sync {
    async fn create_staff(&self, new: NewStaff, actor: Actor) -> StoreResult<Staff>;
    async fn get_staff(&self, id: Uuid) -> StoreResult<Staff>;
    /// Looks up an active account by login for password checking.
    async fn credentials(&self, login: &str) -> StoreResult<Option<Credentials>>;
    async fn list_staff(&self) -> StoreResult<Vec<Staff>>;
    async fn update_staff(&self, id: Uuid, patch: StaffPatch, actor: Actor) -> StoreResult<Staff>;
    /// Records an operator's presence (online, away, offline); the change is an event.
    async fn set_presence(
        &self,
        id: Uuid,
        presence: baylanys_domain::router::Presence,
    ) -> StoreResult<Staff>;
    /// An operator's console is open (a live socket): noted so presence can follow it.
    async fn staff_seen(&self, id: Uuid) -> StoreResult<()>;
    /// Sets `away` every `online` operator whose console was last seen (or who went online,
    /// if no console was seen since) before `cutoff`, each with its presence event from the
    /// system; returns who.
    async fn away_unseen(&self, cutoff: DateTime<Utc>) -> StoreResult<Vec<Uuid>>;
    /// Stores a session under the hash of its bearer token (the token itself is never stored).
    async fn create_session(
        &self,
        staff_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// A live session: not expired, not revoked, account still active.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>>;
    /// Revokes a session; returns whether it was live.
    async fn revoke_session(&self, token_hash: &str, actor: Actor) -> StoreResult<bool>;
}

/// Queues, topics and administrative bodies: the configuration the centre routes by.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn create_queue(&self, new: NewQueue, actor: Actor) -> StoreResult<Queue>;
    async fn list_queues(&self) -> StoreResult<Vec<Queue>>;
    async fn update_queue(&self, id: Uuid, patch: QueuePatch, actor: Actor) -> StoreResult<Queue>;
    async fn get_queue(&self, id: Uuid) -> StoreResult<Queue>;
    /// Sets (or with `None` resets to the default) a queue's business hours.
    async fn set_queue_hours(
        &self,
        id: Uuid,
        hours: Option<baylanys_domain::WeeklyHours>,
        actor: Actor,
    ) -> StoreResult<Queue>;
    async fn create_topic(&self, new: NewTopic, actor: Actor) -> StoreResult<Topic>;
    async fn list_topics(&self) -> StoreResult<Vec<Topic>>;
    async fn update_topic(&self, id: Uuid, patch: TopicPatch, actor: Actor) -> StoreResult<Topic>;
    async fn create_body(&self, new: NewBody, actor: Actor) -> StoreResult<Body>;
    async fn list_bodies(&self) -> StoreResult<Vec<Body>>;
    async fn get_body(&self, id: Uuid) -> StoreResult<Body>;
    async fn update_body(&self, id: Uuid, patch: BodyPatch, actor: Actor) -> StoreResult<Body>;
}

/// Clients, their identities on each channel, their history, and the audit trail of staff reads
/// of their personal data (R11, R33).
#[async_trait]
pub trait ClientStore: Send + Sync {
    async fn create_client(&self, new: NewClient, actor: Actor) -> StoreResult<Client>;
    async fn get_client(&self, id: Uuid) -> StoreResult<Client>;
    async fn find_clients(&self, lookup: ClientLookup, limit: u32) -> StoreResult<Vec<Client>>;
    async fn add_identity(
        &self,
        client_id: Uuid,
        channel: baylanys_domain::Channel,
        address: &str,
        actor: Actor,
    ) -> StoreResult<Client>;
    /// Changes the vulnerable and do-not-contact flags (`None` keeps one), with the reason, as
    /// an event in the same transaction; nothing changed writes nothing.
    async fn set_client_flags(
        &self,
        client_id: Uuid,
        vulnerable: Option<bool>,
        do_not_contact: Option<bool>,
        reason: &str,
        actor: Actor,
    ) -> StoreResult<Client>;
    /// Every appeal of the client across every channel, newest first, within the scope.
    async fn client_history(
        &self,
        client_id: Uuid,
        scope: AppealScope,
    ) -> StoreResult<Vec<AppealHistory>>;
    async fn record_access(
        &self,
        staff_id: Uuid,
        client_ids: &[Uuid],
        endpoint: &str,
    ) -> StoreResult<()>;
    async fn list_audit(&self, filter: AuditFilter) -> StoreResult<Vec<AuditRecord>>;
}

/// Appeals and everything on their timeline.
#[async_trait]
pub trait AppealStore: Send + Sync {
    /// Registers an appeal (with its first interaction and message); idempotent on
    /// `(channel, external_id)` (a replay writes nothing, `also` included).
    async fn create_appeal(
        &self,
        new: NewAppeal,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Ingested<Appeal>>;
    /// Reads an appeal the scope may see; an appeal outside the scope is `NotFound`, so its
    /// existence is not disclosed.
    async fn get_appeal(&self, id: Uuid, scope: AppealScope) -> StoreResult<Appeal>;
    async fn list_appeals(&self, filter: AppealFilter) -> StoreResult<Vec<Appeal>>;
    async fn timeline(&self, id: Uuid, scope: AppealScope) -> StoreResult<Timeline>;
    /// Moves the appeal along its lifecycle; `also` (the notices that report it) in the same
    /// transaction.
    async fn change_status(
        &self,
        id: Uuid,
        change: StatusChange,
        scope: AppealScope,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Appeal>;
    async fn assign(
        &self,
        id: Uuid,
        assignee: Option<Uuid>,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<Appeal>;
    async fn add_note(
        &self,
        id: Uuid,
        body: &str,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<Note>;
    /// Appends a message with the appeal's next `seq`; idempotent on `(channel, external_id)`.
    async fn add_message(
        &self,
        id: Uuid,
        new: NewMessage,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<Ingested<Message>>;
    /// Records that the appeal's client proved to be `client_id`, and how (R11); an event.
    /// When that is not the appeal's own record, the own record joins it first (`client.linked`,
    /// see `VerificationStore::check_code`): a record that has an IIN of its own never does.
    async fn mark_verified(
        &self,
        id: Uuid,
        client_id: Uuid,
        method: &str,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<Appeal>;
}

/// Contacts of an appeal, one per channel session (a chat, a call, an e-mail exchange).
#[async_trait]
pub trait InteractionStore: Send + Sync {
    /// The contact a channel knows as `external_id` (a placed call's id).
    async fn contact_by_external(
        &self,
        channel: baylanys_domain::Channel,
        external_id: &str,
    ) -> StoreResult<Option<Interaction>>;
    /// Opens one contact on one channel; idempotent on `(channel, external_id)`.
    async fn start_interaction(
        &self,
        new: NewInteraction,
        actor: Actor,
    ) -> StoreResult<Ingested<Interaction>>;
    /// Moves an interaction to its next phase and stamps the time; `also` (what the client is
    /// told of it) in the same transaction.
    async fn update_interaction(
        &self,
        id: Uuid,
        state: baylanys_domain::InteractionState,
        operator_id: Option<Uuid>,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Interaction>;
}

/// Routing configuration: overflow rules, the routing table, the router's tunables.
#[async_trait]
pub trait RoutingStore: Send + Sync {
    /// Replaces a queue's overflow rules after checking them together with every other
    /// queue's, in one transaction (unknown queues, bad times or levels, cycles are refused).
    async fn set_queue_overflow(
        &self,
        id: Uuid,
        rules: Vec<baylanys_domain::router::OverflowRule>,
        actor: Actor,
    ) -> StoreResult<Queue>;
    async fn routing_table(&self) -> StoreResult<baylanys_domain::router::RoutingTable>;
    /// Replaces the routing table after checking that its queues and topics exist.
    async fn set_routing_table(
        &self,
        table: baylanys_domain::router::RoutingTable,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::router::RoutingTable>;
    async fn router_settings(&self) -> StoreResult<baylanys_domain::router::RouterSettings>;
    async fn out_of_hours_settings(
        &self,
    ) -> StoreResult<baylanys_domain::notice::OutOfHoursSettings>;
    async fn set_out_of_hours_settings(
        &self,
        settings: baylanys_domain::notice::OutOfHoursSettings,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::notice::OutOfHoursSettings>;
    async fn set_router_settings(
        &self,
        settings: baylanys_domain::router::RouterSettings,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::router::RouterSettings>;
}

/// The routing engine's reads and writes. Offers are guarded in the database (the contact must
/// still be queued and unoffered, the operator online with room on the channel, checked under a
/// lock on the operator's row), so several nodes routing at once never double-book.
#[async_trait]
pub trait DispatchStore: Send + Sync {
    async fn routing_snapshot(&self) -> StoreResult<RoutingSnapshot>;
    /// Offers queued contacts to operators (contact, operator, expiry) in one transaction;
    /// an offer whose contact or operator's capacity was taken meanwhile is skipped. Returns how
    /// many were made.
    async fn make_offers(&self, offers: &[(Uuid, Uuid, DateTime<Utc>)]) -> StoreResult<usize>;
    /// The operator takes the offered contact: it is answered now, and the appeal is assigned
    /// to them if nobody has it.
    async fn accept_offer(
        &self,
        interaction_id: Uuid,
        operator_id: Uuid,
        also: Also,
    ) -> StoreResult<Interaction>;
    /// The operator declines (or, with `timed_out`, did not answer in time); the contact goes
    /// back in line and is never offered to them again.
    async fn decline_offer(
        &self,
        interaction_id: Uuid,
        operator_id: Uuid,
        timed_out: bool,
    ) -> StoreResult<Interaction>;
    /// Forgets the declines of a waiting contact that every operator who could take it has
    /// declined, so it is offered again; with `escalate_to` (the escalation queue) it moves
    /// there to wait for a supervisor, unless it already does. `false` when it no longer
    /// waits, has an offer out, or has no declines.
    async fn reoffer_contact(
        &self,
        interaction_id: Uuid,
        escalate_to: Option<Uuid>,
    ) -> StoreResult<bool>;
    /// Applies an overflow step to a queued contact; with `escalate` (a move into the
    /// escalation queue) it then waits for a supervisor.
    async fn overflow_contact(
        &self,
        interaction_id: Uuid,
        action: baylanys_domain::router::OverflowAction,
        escalate: bool,
    ) -> StoreResult<()>;
    /// Tells a queued contact, once, that its queue is closed: a system message on the appeal's
    /// timeline (delivered by its channel) and a routing.out_of_hours event. `false` when it was
    /// already told or is no longer waiting.
    async fn notify_out_of_hours(&self, interaction_id: Uuid, text: &str) -> StoreResult<bool>;
    /// The operator's pending offers.
    async fn offers_for(&self, operator_id: Uuid) -> StoreResult<Vec<Interaction>>;
    /// The contacts the operator is answering or wrapping up (answered, on hold, after-call
    /// work), oldest first.
    async fn contacts_of(&self, operator_id: Uuid) -> StoreResult<Vec<Interaction>>;
    /// Transfers or escalates a contact to a queue or an operator. An answered contact ends
    /// and a new one is queued on the same appeal, so each operator's handling time stays
    /// theirs; a queued contact just moves. The reason becomes an internal note on the appeal,
    /// so the receiving operator sees why. Returns the contact as it now waits.
    async fn transfer(
        &self,
        interaction_id: Uuid,
        transfer: Transfer,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Interaction>;
    async fn get_interaction(&self, id: Uuid) -> StoreResult<Interaction>;
    /// Contacts in after-contact work since before `before`, oldest first, at most `limit`.
    async fn wrap_ups_before(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Uuid>>;
}

/// A web-chat visitor's session: which client the browser is, which appeal it talks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatSession {
    pub client_id: Uuid,
    pub appeal_id: Uuid,
}

/// Web-chat sessions (stored under the hash of the visitor token) and conversations by `seq`.
#[async_trait]
pub trait ChatStore: Send + Sync {
    async fn create_chat_session(
        &self,
        token_hash: &str,
        client_id: Uuid,
        appeal_id: Uuid,
    ) -> StoreResult<()>;
    async fn chat_session(&self, token_hash: &str) -> StoreResult<Option<ChatSession>>;
    /// Points the session at a new appeal (the old one was closed).
    async fn move_chat_session(&self, token_hash: &str, appeal_id: Uuid) -> StoreResult<()>;
    async fn list_canned(&self) -> StoreResult<Vec<CannedReply>>;
    /// Creates (`id` None) or replaces a canned reply.
    async fn save_canned(
        &self,
        id: Option<Uuid>,
        reply: NewCannedReply,
        actor: Actor,
    ) -> StoreResult<CannedReply>;
    /// Messages of an appeal with `seq` greater than `seq`, in order: what a reconnecting
    /// socket missed.
    async fn messages_after(
        &self,
        appeal_id: Uuid,
        seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// The entries after each `(appeal, seq)` in one query, ordered by appeal then `seq` (a
    /// staff socket following many conversations catches them all up at once); at most `limit`.
    async fn messages_after_many(
        &self,
        from: &[(Uuid, i64)],
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// The database's plan for [`ChatStore::messages_after_many`], as text: the test that keeps
    /// it an index walk per conversation at a million messages reads it.
    async fn messages_after_many_plan(&self, from: &[(Uuid, i64)]) -> StoreResult<String>;
    /// Each appeal's last `seq` (what a socket compares with what it sent, to catch up only
    /// the conversations that moved); appeals that do not exist are left out.
    async fn last_seqs(&self, appeals: &[Uuid]) -> StoreResult<Vec<(Uuid, i64)>>;
    /// Records that `reader` has seen the conversation up to `seq`; a mark never moves back
    /// (receipts may arrive out of order from two tabs). Returns the mark now kept. A `seq`
    /// beyond the conversation is `Invalid`.
    async fn mark_read(&self, appeal_id: Uuid, reader: Reader, seq: i64) -> StoreResult<i64>;
    /// How far each side has read: (client, staff); 0 when nothing was marked.
    async fn read_marks(&self, appeal_id: Uuid) -> StoreResult<(i64, i64)>;
}

/// Redirection to the competent body (clause 3.8, R30): the directory's departments, the
/// redirection with its due date, and the body's answer.
#[async_trait]
pub trait RedirectionStore: Send + Sync {
    /// Makes the body (and department) responsible for the appeal, due at `to.due_at`; the
    /// chain of redirections is kept. Unknown body 404; inactive body or a department of another
    /// body `Invalid`; the same body again, or a status that cannot be redirected, a conflict.
    async fn redirect(
        &self,
        id: Uuid,
        to: RedirectTo,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Appeal>;
    /// The body's answer to the open redirection of the appeal (within the caller's scope):
    /// accepted (the appeal is in progress at the body) or returned (back to the centre).
    async fn answer_redirection(
        &self,
        id: Uuid,
        answer: BodyAnswer,
        scope: AppealScope,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Appeal>;
    async fn create_department(
        &self,
        body_id: Uuid,
        new: NewDepartment,
        actor: Actor,
    ) -> StoreResult<Department>;
    async fn update_department(
        &self,
        id: Uuid,
        new: NewDepartment,
        actor: Actor,
    ) -> StoreResult<Department>;
    async fn list_departments(&self, body_id: Uuid) -> StoreResult<Vec<Department>>;
    async fn get_department(&self, id: Uuid) -> StoreResult<Department>;
}

/// Complaints (R8–R10).
#[async_trait]
pub trait ComplaintStore: Send + Sync {
    /// Registers the appeal as a complaint with its category (the appeal's kind becomes
    /// `complaint`, due at `new.due_at` when given). Registered already: a conflict.
    async fn register_complaint(
        &self,
        appeal_id: Uuid,
        new: NewComplaint,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<Complaint>;
    async fn get_complaint(&self, appeal_id: Uuid) -> StoreResult<Complaint>;
    /// Review, escalation or decision; a decided complaint takes no more steps, and deciding
    /// needs the review first (R9).
    async fn complaint_step(
        &self,
        appeal_id: Uuid,
        step: ComplaintStep,
        actor: Actor,
    ) -> StoreResult<Complaint>;
    /// The published procedure (R8); the default until an admin edits it.
    async fn complaint_procedure(&self)
        -> StoreResult<baylanys_domain::notice::ComplaintProcedure>;
    async fn set_complaint_procedure(
        &self,
        procedure: baylanys_domain::notice::ComplaintProcedure,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::notice::ComplaintProcedure>;
    /// Complaints registered in `[from, to)`, each with its appeal's topic, for the analytics.
    async fn complaints_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(Complaint, Option<Uuid>)>>;
}

/// Satisfaction surveys (R5.7, KPI 3).
#[async_trait]
pub trait SurveyStore: Send + Sync {
    /// Records that the client was asked on `channel`, with `also` (the question itself) in
    /// the same transaction; returns the appeal as it then is, or `None` when the client was
    /// asked already (one survey per appeal) and nothing was written.
    async fn ask_survey(
        &self,
        appeal_id: Uuid,
        channel: baylanys_domain::Channel,
        token_hash: Option<String>,
        also: Also,
    ) -> StoreResult<Option<Appeal>>;
    /// The survey a link's token opens: the appeal, its number and language, whether answered.
    async fn survey_by_token(&self, token_hash: &str) -> StoreResult<Option<SurveyLink>>;
    /// The client's answer, 1–5 with an optional comment; an event. Not asked: `NotFound`;
    /// answered already: a conflict, and the first answer stands.
    async fn answer_survey(
        &self,
        appeal_id: Uuid,
        score: u8,
        comment: Option<String>,
    ) -> StoreResult<()>;
}

/// A survey reached by its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyLink {
    pub appeal_id: Uuid,
    pub number: String,
    pub language: baylanys_domain::Language,
    pub answered: bool,
}

/// What one deadline sweep found (each appeal once per due date).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadlineSweep {
    /// Due within the reminder window.
    pub near: Vec<Appeal>,
    /// Past due and not answered: escalated to the supervisors.
    pub overdue: Vec<Appeal>,
}

/// Legal deadlines (АППК art. 65, 76).
#[async_trait]
pub trait DeadlineStore: Send + Sync {
    async fn deadline_settings(&self) -> StoreResult<baylanys_domain::deadline::DeadlineSettings>;
    async fn set_deadline_settings(
        &self,
        settings: baylanys_domain::deadline::DeadlineSettings,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::deadline::DeadlineSettings>;
    /// Moves the due date by a reasoned decision (the caller checked the date); an event with
    /// the old date, the new one and the reason. Answered or closed appeals are a conflict.
    async fn extend_deadline(
        &self,
        id: Uuid,
        due_at: DateTime<Utc>,
        reason: &str,
        scope: AppealScope,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Appeal>;
    /// Records, once per due date, the appeals due by `remind_until` and those past due at `now`.
    async fn sweep_deadlines(
        &self,
        now: DateTime<Utc>,
        remind_until: DateTime<Utc>,
    ) -> StoreResult<DeadlineSweep>;
}

/// Where a one-time code was sent.
pub use baylanys_domain::CodeVia;

/// What checking a one-time code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code matched: the appeal is verified now.
    Verified(Box<Appeal>),
    /// It did not; the code stops working when no attempts are left.
    Wrong {
        attempts_left: u32,
    },
    Expired,
    /// No code is open (none sent, used, superseded or exhausted).
    NoCode,
}

/// A one-time code to record (R11): how it went, its hash, until when it works, which record it
/// proves the appeal's client to be, and where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCode {
    pub via: CodeVia,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    /// The appeal's own record, or the record one of its claims points at.
    pub client_id: Uuid,
    /// The address the code went to when it was a claim of the own record, not an address
    /// on file: a right code proves it.
    pub claimed: Option<String>,
}

/// One-time verification codes (R11).
#[async_trait]
pub trait VerificationStore: Send + Sync {
    /// Records a code (its hash) sent for the appeal; earlier open codes stop working. An event
    /// says a code was sent and how, never the code or the address.
    async fn issue_code(
        &self,
        appeal_id: Uuid,
        code: NewCode,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<Uuid>;
    /// How many codes the appeal got since `since`, against flooding a client's phone.
    async fn codes_issued_since(&self, appeal_id: Uuid, since: DateTime<Utc>) -> StoreResult<u32>;
    /// Failed verifications of the appeal since `since` (wrong codes, wrong answers), against
    /// guessing.
    async fn verification_failures_since(
        &self,
        appeal_id: Uuid,
        since: DateTime<Utc>,
    ) -> StoreResult<u32>;
    /// Records a failed verification that was not a code (an answer that does not match the
    /// record); an event.
    async fn verification_failed(
        &self,
        appeal_id: Uuid,
        method: &str,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<()>;
    /// Counts an attempt against the open code; on a match, in the same transaction, the
    /// appeal's own record joins the code's target record if that is another one, a claimed
    /// address the code went to becomes the record's, and the appeal is marked verified with
    /// `otp_email` or `otp_sms`.
    async fn check_code(
        &self,
        appeal_id: Uuid,
        code_hash: &str,
        max_attempts: u32,
        scope: AppealScope,
        actor: Actor,
    ) -> StoreResult<CodeCheck>;
}

/// Whose read receipt a mark is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Client,
    Staff,
}

impl Reader {
    pub fn as_str(self) -> &'static str {
        match self {
            Reader::Client => "client",
            Reader::Staff => "staff",
        }
    }
}

/// The calendar's data: the days the law does not fix (Kurban Ait, decree transfers).
#[async_trait]
pub trait CalendarStore: Send + Sync {
    async fn day_overrides(&self) -> StoreResult<Vec<DayOverrideRecord>>;
    /// Creates or replaces the override of one date.
    async fn set_day_override(
        &self,
        day: baylanys_domain::DayOverride,
        note: Option<String>,
        actor: Actor,
    ) -> StoreResult<DayOverrideRecord>;
    /// Removes the override of one date; returns whether there was one.
    async fn remove_day_override(&self, date: chrono::NaiveDate, actor: Actor)
        -> StoreResult<bool>;

    /// The calendar as the rules and the stored overrides make it.
    async fn calendar(&self) -> StoreResult<baylanys_domain::Calendar> {
        Ok(baylanys_domain::Calendar::new(
            self.day_overrides().await?.into_iter().map(|r| r.day),
        ))
    }
}

/// A local day's KPI totals as the reports crate keeps them (R35): JSON only it reads, the KPI
/// settings they were computed with, and whether the day can still change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptDay {
    /// `YYYY-MM-DD`, Asia/Almaty.
    pub day: String,
    pub settings: String,
    /// Final: nothing the log can still receive changes the day's figures.
    pub settled: bool,
    /// The log was read as it was at this instant.
    pub computed_at: DateTime<Utc>,
    pub total: String,
    /// Empty when not asked for.
    pub hours: String,
    /// Empty when not asked for.
    pub slices: String,
}

/// Which parts of kept days to read besides the day's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeptParts {
    pub hours: bool,
    pub slices: bool,
}

/// The append-only event log, read by KPIs and supervisors (R35).
#[async_trait]
pub trait EventStore: Send + Sync {
    async fn list_events(&self, filter: EventFilter) -> StoreResult<Vec<Event>>;
    /// Every event of the given kinds in `[from, to)`, oldest first, for the KPI engine (R35):
    /// read on the `(kind, at)` index, one kind at a time.
    async fn scan_events(
        &self,
        kinds: &[&str],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;
    /// The events of the given kinds of these appeals, wherever in time they are (e.g. what an
    /// appeal was when it came in, or its contacts before it was resolved), oldest first.
    async fn events_of_appeals(&self, appeals: &[Uuid], kinds: &[&str]) -> StoreResult<Vec<Event>>;
    /// The kept KPI totals of the local days `first..=last` (`YYYY-MM-DD`), oldest first; the
    /// hourly totals and the slices only when asked for (they are most of the bytes).
    async fn kpi_days(
        &self,
        first: &str,
        last: &str,
        parts: KeptParts,
    ) -> StoreResult<Vec<KeptDay>>;
    /// Keeps (or replaces) a day's totals.
    async fn save_kpi_day(&self, day: &KeptDay) -> StoreResult<()>;
    /// These events, oldest first (a figure's evidence).
    async fn events_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Event>>;
    async fn kpi_settings(&self) -> StoreResult<baylanys_domain::kpi::KpiSettings>;
    /// The centre's profile for the БОҚБЕ report (R36); empty until an admin fills it.
    async fn centre_profile(&self) -> StoreResult<baylanys_domain::report::CentreProfile>;
    async fn set_centre_profile(
        &self,
        profile: baylanys_domain::report::CentreProfile,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::report::CentreProfile>;
    /// A half-year's report state, e.g. `2026-H1`; a draft without comments until changed.
    async fn report_state(&self, half: &str) -> StoreResult<baylanys_domain::report::ReportState>;
    async fn save_report_state(
        &self,
        half: &str,
        state: baylanys_domain::report::ReportState,
        actor: Actor,
    ) -> StoreResult<()>;
    async fn set_kpi_settings(
        &self,
        settings: baylanys_domain::kpi::KpiSettings,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::kpi::KpiSettings>;
}

/// The whole store, chosen once at start-up.
#[async_trait]
pub trait Store:
    StaffStore
    + CatalogStore
    + ClientStore
    + AppealStore
    + AppealFieldStore
    + InteractionStore
    + EventStore
    + CalendarStore
    + RoutingStore
    + DispatchStore
    + ChatStore
    + VerificationStore
    + DeadlineStore
    + RedirectionStore
    + SurveyStore
    + ComplaintStore
    + OutboxStore
    + CompetenceStore
    + QaStore
    + LeaseStore
    + MailStore
    + MailboxStore
    + TelegramStore
    + ClaimStore
    + IvrStore
    + CallStore
    + RecordingStore
    + KnowledgeStore
{
    /// `sqlite` or `postgres`, for logs and `/readyz`.
    fn backend(&self) -> &'static str;
    /// Round-trips the database, for readiness.
    async fn ping(&self) -> StoreResult<()>;
    async fn migrate(&self) -> StoreResult<()>;
}

/// Opens the backend named by the URL scheme.
pub async fn connect(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Config(
            "database URL must start with sqlite: or postgres://".into(),
        ))
    }
}

/// Timestamps are cut to microseconds, PostgreSQL's precision, so a value reads back equal on
/// both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Page sizes are bounded whatever the caller asks.
pub(crate) fn page_limit(limit: u32) -> i64 {
    i64::from(limit.clamp(1, 500))
}
