//! The router: which waiting contact goes to which operator. One router serves every channel
//! (R5.1–R5.3); it only ever offers a contact to an operator competent for it (R18).
//!
//! Pure and synchronous: the caller feeds it operators and contacts, asks for offers, and reports
//! accepts, declines, timeouts and finished contacts. Every answer is deterministic for the same
//! inputs, so the property tests can replay it, and it is fast enough to run inline — see
//! BENCHMARKS.md.
//!
//! Service order: contacts that have waited at least `starvation_bound` come first, oldest first
//! (so low priority never waits beyond the bound); then by priority, highest first, and within a
//! priority first come, first served. A contact nobody available can serve does not block the
//! ones behind it.

mod rules;
mod table;

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;
use uuid::Uuid;

use crate::enums::string_enum;
use crate::{AppealKind, Channel, Language};

pub use rules::{validate_overflow, OverflowAction, OverflowRule};
pub use table::{ContactFacts, RouteEntry, RoutingTable};

string_enum! {
    /// How to choose among eligible operators.
    Strategy, "routing strategy" {
        /// The one idle the longest (default): spreads work evenly over time.
        LongestIdle = "longest_idle",
        /// The one with the smallest share of capacity in use.
        LeastOccupied = "least_occupied",
    }
}

string_enum! {
    /// An operator's presence in the console. Only `online` operators get offers.
    Presence, "presence" {
        Online = "online",
        Away = "away",
        Offline = "offline",
    }
}

/// How many contacts an operator handles at once on each channel (e.g. up to 3 chats, 5
/// e-mails, 1 call); 0 means the operator is not enabled for the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    #[serde(default)]
    pub web_chat: u8,
    #[serde(default)]
    pub email: u8,
    #[serde(default)]
    pub telegram: u8,
    #[serde(default)]
    pub voice: u8,
    #[serde(default)]
    pub in_person: u8,
}

impl Default for Capacity {
    /// Up to 3 chats, 5 e-mails, 3 Telegram dialogues and 1 call at once.
    fn default() -> Self {
        Capacity {
            web_chat: 3,
            email: 5,
            telegram: 3,
            voice: 1,
            in_person: 0,
        }
    }
}

impl Capacity {
    pub fn per_channel(&self) -> PerChannel {
        let mut out = [0; 5];
        for c in Channel::ALL {
            out[channel_index(*c)] = self.get(*c);
        }
        out
    }

    pub fn get(&self, c: Channel) -> u8 {
        match c {
            Channel::WebChat => self.web_chat,
            Channel::Email => self.email,
            Channel::Telegram => self.telegram,
            Channel::Voice => self.voice,
            Channel::InPerson => self.in_person,
        }
    }

    /// At most 50 of anything at once: beyond that the numbers are a typo.
    pub fn validate(&self) -> Result<(), crate::DomainError> {
        if Channel::ALL.iter().any(|c| self.get(*c) > 50) {
            return Err(crate::DomainError::InvalidField {
                field: "capacity",
                reason: "at most 50 contacts at once per channel".into(),
            });
        }
        Ok(())
    }
}

/// The router's tunables as an admin sets them; see [`RouterConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RouterSettings {
    pub strategy: Strategy,
    pub starvation_bound_secs: u32,
    pub offer_timeout_secs: u32,
    /// Where escalated contacts go: the supervisors' queue (R24.2).
    #[serde(default)]
    pub escalation_queue_id: Option<Uuid>,
}

impl Default for RouterSettings {
    fn default() -> Self {
        let c = RouterConfig::default();
        RouterSettings {
            strategy: c.strategy,
            starvation_bound_secs: c.starvation_bound.num_seconds() as u32,
            offer_timeout_secs: c.offer_timeout.num_seconds() as u32,
            escalation_queue_id: None,
        }
    }
}

impl RouterSettings {
    /// An offer timeout of 5–300 s; a starvation bound of 10 s to 1 day.
    pub fn validate(&self) -> Result<RouterConfig, crate::DomainError> {
        if !(5..=300).contains(&self.offer_timeout_secs) {
            return Err(crate::DomainError::InvalidField {
                field: "offer_timeout_secs",
                reason: "must be 5–300 seconds".into(),
            });
        }
        if !(10..=86_400).contains(&self.starvation_bound_secs) {
            return Err(crate::DomainError::InvalidField {
                field: "starvation_bound_secs",
                reason: "must be 10 seconds to 1 day".into(),
            });
        }
        Ok(RouterConfig {
            strategy: self.strategy,
            starvation_bound: Duration::seconds(i64::from(self.starvation_bound_secs)),
            offer_timeout: Duration::seconds(i64::from(self.offer_timeout_secs)),
        })
    }
}

/// Per-channel numbers (capacity or load), indexed like [`Channel::ALL`].
pub type PerChannel = [u8; 5];

fn channel_index(c: Channel) -> usize {
    Channel::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

fn language_bit(l: Language) -> u8 {
    match l {
        Language::Kk => 1,
        Language::Ru => 2,
        Language::En => 4,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterConfig {
    pub strategy: Strategy,
    /// A contact waiting this long is served before any newer one, whatever the priorities.
    pub starvation_bound: Duration,
    /// How long an operator has to accept an offer before it goes to the next one.
    pub offer_timeout: Duration,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            strategy: Strategy::LongestIdle,
            starvation_bound: Duration::minutes(5),
            offer_timeout: Duration::seconds(20),
        }
    }
}

/// What the router knows of an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: Uuid,
    pub online: bool,
    pub languages: Vec<Language>,
    /// Topic and level 1–5.
    pub skills: Vec<(Uuid, u8)>,
    /// How many contacts at once per channel; 0 means not enabled for the channel.
    pub capacity: PerChannel,
    /// Since when the operator has had nothing new; the longest-idle strategy reads it.
    pub idle_since: DateTime<Utc>,
    /// Supervisors take escalated contacts (R24.2); operators do not.
    pub supervisor: bool,
}

impl Operator {
    pub fn level(&self, topic: Uuid) -> u8 {
        self.skills
            .iter()
            .find(|(t, _)| *t == topic)
            .map(|(_, l)| *l)
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
struct OperatorSlot {
    op: Operator,
    languages: u8,
    load: PerChannel,
}

/// A contact waiting to be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: Uuid,
    pub queue_id: Uuid,
    /// `None`: any operator may take it.
    pub topic_id: Option<Uuid>,
    pub language: Language,
    pub channel: Channel,
    /// Higher first; see [`priority`].
    pub priority: u8,
    /// The skill level required for the topic; overflow rules lower it.
    pub min_level: u8,
    pub enqueued_at: DateTime<Utc>,
    /// Operators who declined it or let the offer time out: never offered again (issue rule).
    pub declined_by: Vec<Uuid>,
    /// Escalated to management: only supervisors may take it.
    pub needs_supervisor: bool,
}

/// Priority rises for complaints, for clients flagged as vulnerable (R5.6) and for repeat
/// contacts on an open appeal.
pub fn priority(base: u8, kind: AppealKind, vulnerable: bool, repeat: bool) -> u8 {
    base.saturating_add(u8::from(kind == AppealKind::Complaint))
        .saturating_add(u8::from(vulnerable))
        .saturating_add(u8::from(repeat))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub contact_id: Uuid,
    pub operator_id: Uuid,
    pub channel: Channel,
    pub offered_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RouteError {
    #[error("contact {0} is already known to the router")]
    DuplicateContact(Uuid),
    #[error("no such contact {0}")]
    UnknownContact(Uuid),
    #[error("no such operator {0}")]
    UnknownOperator(Uuid),
    #[error("no offer of contact {contact} to operator {operator}")]
    NoSuchOffer { contact: Uuid, operator: Uuid },
    #[error("operator {0} has no contact on that channel to release")]
    NothingToRelease(Uuid),
}

type PriorityKey = (Reverse<u8>, DateTime<Utc>, Uuid);

/// The router's state.
#[derive(Debug, Clone)]
pub struct Router {
    config: RouterConfig,
    operators: HashMap<Uuid, OperatorSlot>,
    /// Per channel, the operators online with room on it: the only ones worth scanning for a
    /// contact on that channel.
    available: [BTreeSet<Uuid>; 5],
    waiting: HashMap<Uuid, Contact>,
    by_time: BTreeSet<(DateTime<Utc>, Uuid)>,
    by_priority: BTreeSet<PriorityKey>,
    offers: HashMap<Uuid, (Offer, Contact)>,
}

impl Router {
    pub fn new(config: RouterConfig) -> Self {
        Router {
            config,
            operators: HashMap::new(),
            available: Default::default(),
            waiting: HashMap::new(),
            by_time: BTreeSet::new(),
            by_priority: BTreeSet::new(),
            offers: HashMap::new(),
        }
    }

    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    fn refresh_availability(&mut self, id: Uuid) {
        let slot = self.operators.get(&id);
        for (ch, set) in self.available.iter_mut().enumerate() {
            let free = slot.is_some_and(|s| s.op.online && s.load[ch] < s.op.capacity[ch]);
            if free {
                set.insert(id);
            } else {
                set.remove(&id);
            }
        }
    }

    /// Adds or updates an operator; the current load is kept.
    pub fn upsert_operator(&mut self, op: Operator) {
        let languages = op.languages.iter().fold(0, |acc, l| acc | language_bit(*l));
        let id = op.id;
        let load = self.operators.get(&id).map(|s| s.load).unwrap_or_default();
        self.operators.insert(
            id,
            OperatorSlot {
                op,
                languages,
                load,
            },
        );
        self.refresh_availability(id);
    }

    /// From now on only supervisors may take this waiting contact (escalation, R24.2).
    pub fn require_supervisor(&mut self, contact_id: Uuid) {
        if let Some(c) = self.waiting.get_mut(&contact_id) {
            c.needs_supervisor = true;
        }
    }

    /// Sets the contacts an operator already handles (when the router is rebuilt from the
    /// store).
    pub fn restore_load(&mut self, id: Uuid, load: PerChannel) {
        if let Some(slot) = self.operators.get_mut(&id) {
            slot.load = load;
        }
        self.refresh_availability(id);
    }

    pub fn set_online(&mut self, id: Uuid, online: bool) -> Result<(), RouteError> {
        let slot = self
            .operators
            .get_mut(&id)
            .ok_or(RouteError::UnknownOperator(id))?;
        slot.op.online = online;
        self.refresh_availability(id);
        Ok(())
    }

    pub fn operator(&self, id: Uuid) -> Option<(&Operator, PerChannel)> {
        self.operators.get(&id).map(|s| (&s.op, s.load))
    }

    pub fn waiting(&self) -> impl Iterator<Item = &Contact> {
        self.waiting.values()
    }

    pub fn waiting_len(&self) -> usize {
        self.waiting.len()
    }

    pub fn offers(&self) -> impl Iterator<Item = &Offer> {
        self.offers.values().map(|(o, _)| o)
    }

    /// Puts a contact in line.
    pub fn enqueue(&mut self, contact: Contact) -> Result<(), RouteError> {
        if self.waiting.contains_key(&contact.id) || self.offers.contains_key(&contact.id) {
            return Err(RouteError::DuplicateContact(contact.id));
        }
        self.index(&contact);
        self.waiting.insert(contact.id, contact);
        Ok(())
    }

    fn index(&mut self, c: &Contact) {
        self.by_time.insert((c.enqueued_at, c.id));
        self.by_priority
            .insert((Reverse(c.priority), c.enqueued_at, c.id));
    }

    fn unindex(&mut self, c: &Contact) {
        self.by_time.remove(&(c.enqueued_at, c.id));
        self.by_priority
            .remove(&(Reverse(c.priority), c.enqueued_at, c.id));
    }

    /// Removes a contact that left (abandoned, or served elsewhere), waiting or offered; an
    /// offer's reserved capacity is released.
    pub fn cancel(&mut self, contact_id: Uuid) -> Result<Contact, RouteError> {
        if let Some(c) = self.waiting.remove(&contact_id) {
            self.unindex(&c);
            return Ok(c);
        }
        if let Some((offer, c)) = self.offers.remove(&contact_id) {
            self.unload(offer.operator_id, offer.channel);
            return Ok(c);
        }
        Err(RouteError::UnknownContact(contact_id))
    }

    /// Whether `op` may take `c` right now: online, speaks the language, skilled enough for the
    /// topic, enabled for the channel with room left, and has not declined it before.
    pub fn eligible(&self, operator_id: Uuid, c: &Contact) -> bool {
        self.operators
            .get(&operator_id)
            .is_some_and(|slot| Self::fits(slot, c))
    }

    /// Whether every operator who could ever take `c` now — online, speaking its language,
    /// skilled enough, a supervisor where it needs one; busy or not — has declined it, and
    /// there is at least one such operator: then it would wait forever (issue "Trustworthy in
    /// the field", point 6).
    pub fn declined_by_all(&self, c: &Contact) -> bool {
        let mut able = self.operators.values().filter(|slot| {
            slot.op.online
                && slot.languages & language_bit(c.language) != 0
                && slot.op.capacity[channel_index(c.channel)] > 0
                && c.topic_id
                    .is_none_or(|t| slot.op.level(t) >= c.min_level.max(1))
                && (!c.needs_supervisor || slot.op.supervisor)
        });
        let mut any = false;
        let all = able.all(|slot| {
            any = true;
            c.declined_by.contains(&slot.op.id)
        });
        any && all
    }

    fn fits(slot: &OperatorSlot, c: &Contact) -> bool {
        let ch = channel_index(c.channel);
        slot.op.online
            && slot.languages & language_bit(c.language) != 0
            && slot.load[ch] < slot.op.capacity[ch]
            && c.topic_id
                .is_none_or(|t| slot.op.level(t) >= c.min_level.max(1))
            && !c.declined_by.contains(&slot.op.id)
            && (!c.needs_supervisor || slot.op.supervisor)
    }

    /// Better operator first: the strategy's key, then the id for determinism.
    fn rank(&self, slot: &OperatorSlot) -> (u64, DateTime<Utc>, Uuid) {
        let share = match self.config.strategy {
            Strategy::LongestIdle => 0,
            Strategy::LeastOccupied => {
                let cap: u64 = slot.op.capacity.iter().map(|c| u64::from(*c)).sum();
                let load: u64 = slot.load.iter().map(|l| u64::from(*l)).sum();
                // Load as a share of capacity, in millionths.
                (load * 1_000_000).checked_div(cap).unwrap_or(u64::MAX)
            }
        };
        (share, slot.op.idle_since, slot.op.id)
    }

    fn best_operator(&self, c: &Contact) -> Option<Uuid> {
        self.available[channel_index(c.channel)]
            .iter()
            .filter_map(|id| self.operators.get(id))
            .filter(|slot| Self::fits(slot, c))
            .min_by_key(|slot| self.rank(slot))
            .map(|slot| slot.op.id)
    }

    /// Contacts in service order (see the module docs).
    pub fn service_order(&self, now: DateTime<Utc>) -> impl Iterator<Item = Uuid> + '_ {
        let cutoff = now - self.config.starvation_bound;
        let starving = self
            .by_time
            .iter()
            .take_while(move |(at, _)| *at <= cutoff)
            .map(|(_, id)| *id);
        let rest = self
            .by_priority
            .iter()
            .filter(move |(_, at, _)| *at > cutoff)
            .map(|(_, _, id)| *id);
        starving.chain(rest)
    }

    /// Makes the next offer, if any contact can be served by an available operator. The
    /// operator's capacity is reserved until accept, decline or timeout.
    pub fn route_one(&mut self, now: DateTime<Utc>) -> Option<Offer> {
        if self.available.iter().all(BTreeSet::is_empty) {
            return None;
        }
        let (contact_id, operator_id) = self.service_order(now).find_map(|id| {
            let c = self.waiting.get(&id)?;
            self.best_operator(c).map(|op| (id, op))
        })?;
        self.offer(contact_id, operator_id, now)
    }

    /// Moves a waiting contact to an offer, reserving the operator's capacity.
    fn offer(&mut self, contact_id: Uuid, operator_id: Uuid, now: DateTime<Utc>) -> Option<Offer> {
        let contact = self.waiting.remove(&contact_id)?;
        self.unindex(&contact);
        let offer = Offer {
            contact_id,
            operator_id,
            channel: contact.channel,
            offered_at: now,
            expires_at: now + self.config.offer_timeout,
        };
        self.load(operator_id, contact.channel);
        self.offers.insert(contact_id, (offer, contact));
        Some(offer)
    }

    /// Makes every offer that can be made now, in one walk of the line: offering only ever
    /// takes capacity away, so a contact nobody could serve earlier in the walk still cannot.
    pub fn route(&mut self, now: DateTime<Utc>) -> Vec<Offer> {
        let order: Vec<Uuid> = self.service_order(now).collect();
        let mut offers = Vec::new();
        for id in order {
            if self.available.iter().all(BTreeSet::is_empty) {
                break;
            }
            let Some(op) = self.waiting.get(&id).and_then(|c| self.best_operator(c)) else {
                continue;
            };
            offers.extend(self.offer(id, op, now));
        }
        offers
    }

    fn load(&mut self, operator_id: Uuid, channel: Channel) {
        if let Some(slot) = self.operators.get_mut(&operator_id) {
            let ch = channel_index(channel);
            slot.load[ch] = slot.load[ch].saturating_add(1);
        }
        self.refresh_availability(operator_id);
    }

    fn unload(&mut self, operator_id: Uuid, channel: Channel) {
        if let Some(slot) = self.operators.get_mut(&operator_id) {
            let ch = channel_index(channel);
            slot.load[ch] = slot.load[ch].saturating_sub(1);
        }
        self.refresh_availability(operator_id);
    }

    /// The operator took the contact: it leaves the router, the capacity stays in use until
    /// [`Router::release`].
    pub fn accept(&mut self, contact_id: Uuid, operator_id: Uuid) -> Result<Contact, RouteError> {
        match self.offers.get(&contact_id) {
            Some((offer, _)) if offer.operator_id == operator_id => {}
            _ => {
                return Err(RouteError::NoSuchOffer {
                    contact: contact_id,
                    operator: operator_id,
                })
            }
        }
        let (_, contact) = self
            .offers
            .remove(&contact_id)
            .ok_or(RouteError::UnknownContact(contact_id))?;
        Ok(contact)
    }

    /// The operator declined: the contact goes back in line with its original place and is
    /// never offered to this operator again.
    pub fn decline(&mut self, contact_id: Uuid, operator_id: Uuid) -> Result<(), RouteError> {
        match self.offers.get(&contact_id) {
            Some((offer, _)) if offer.operator_id == operator_id => {}
            _ => {
                return Err(RouteError::NoSuchOffer {
                    contact: contact_id,
                    operator: operator_id,
                })
            }
        }
        let (offer, mut contact) = self
            .offers
            .remove(&contact_id)
            .ok_or(RouteError::UnknownContact(contact_id))?;
        self.unload(offer.operator_id, offer.channel);
        contact.declined_by.push(operator_id);
        self.index(&contact);
        self.waiting.insert(contact_id, contact);
        Ok(())
    }

    /// Offers not accepted in time count as declined; returns them.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Vec<Offer> {
        let mut expired: Vec<Offer> = self
            .offers
            .values()
            .map(|(o, _)| *o)
            .filter(|o| o.expires_at <= now)
            .collect();
        expired.sort_by_key(|o| (o.expires_at, o.contact_id));
        for o in &expired {
            // Cannot fail: the offer was just read from the map.
            let _ = self.decline(o.contact_id, o.operator_id);
        }
        expired
    }

    /// A contact the operator accepted has ended: the capacity frees up and the operator's
    /// idle time starts now.
    pub fn release(
        &mut self,
        operator_id: Uuid,
        channel: Channel,
        now: DateTime<Utc>,
    ) -> Result<(), RouteError> {
        let slot = self
            .operators
            .get_mut(&operator_id)
            .ok_or(RouteError::UnknownOperator(operator_id))?;
        let ch = channel_index(channel);
        if slot.load[ch] == 0 {
            return Err(RouteError::NothingToRelease(operator_id));
        }
        slot.load[ch] -= 1;
        slot.op.idle_since = now;
        self.refresh_availability(operator_id);
        Ok(())
    }

    /// Applies overflow rules to contacts that have waited long enough; returns what changed,
    /// for the event log.
    pub fn apply_overflow(
        &mut self,
        rules: &[OverflowRule],
        now: DateTime<Utc>,
    ) -> Vec<(Uuid, OverflowAction)> {
        let mut changed = Vec::new();
        let ids: Vec<Uuid> = self.by_time.iter().map(|(_, id)| *id).collect();
        for id in ids {
            let Some(old) = self.waiting.get(&id).cloned() else {
                continue;
            };
            let mut c = old.clone();
            let mut touched = false;
            // A moved contact may meet its new queue's rules in the same pass; validated rules
            // have no cycles, and the bound stops a bad set anyway.
            for _ in 0..8 {
                let Some(rule) = rules.iter().find(|r| {
                    r.queue_id == c.queue_id && now - c.enqueued_at >= r.after && r.applies(&c)
                }) else {
                    break;
                };
                rule.action.apply(&mut c);
                changed.push((id, rule.action));
                touched = true;
            }
            if touched {
                self.unindex(&old);
                self.index(&c);
                self.waiting.insert(id, c);
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests;
