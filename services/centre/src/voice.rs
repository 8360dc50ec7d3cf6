//! The phone's use case (clause 3.15, R12, R13): one provider event of one call in, the actions
//! the PBX or provider is to take out. Adapters (RustPBX's RWI, TwiML webhooks) only translate.
//!
//! Each event is taken once: the answer is stored with the call's new state, so a replayed
//! event gets the same answer and changes nothing, and the state lives in the database, so any
//! node can answer a call's next event after another node died. A call only moves forward
//! (`CallPhase`), so a late event (a status callback overtaking a wait tick) cannot move it back.
//!
//! Its contact's phases are the KPIs' instants: out of the menu into the queue starts the wait
//! after the voice menu (KPI 1), hanging up in the queue is a lost call (KPI 5), a callback
//! request ends the contact without being lost, the operator's hang-up starts the after-contact
//! work that ends the handling time.

use baylanys_domain::events::CallMenu;
use baylanys_domain::voice::{
    phrases, CallEvent, CallPhase, Choice, IvrMenu, Prompt, VoiceAction, MAIN_MENU,
};
use baylanys_domain::{
    AppealScope, AppealStatus, Channel, DomainError, InteractionState, Language,
};
use baylanys_store::{Actor, Call, CallStep, ContactStart, StatusChange, StoreError};
use uuid::Uuid;

use crate::receive::{Inbound, Thread};
use crate::{Centre, CentreError, CentreResult};

/// The menu a caller is in while hearing that the centre is closed (not a key an administrator
/// can give a menu).
const CLOSED: &str = "!closed";

/// The phone's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceSettings {
    /// The language a call starts in (Kazakh first, Law on Languages art. 11).
    pub language: Language,
    /// Seconds between the announcements to a waiting caller; never below 60 (R12.2: at
    /// intervals of at least one minute).
    pub announce_every_secs: u32,
    /// Seconds of each silence in the holding area between two looks at whether an operator
    /// took the call: how late, at most, a call is put through after the operator accepts.
    pub hold_pause_secs: u32,
    /// When callbacks may be made (R13.5).
    pub calling_window: baylanys_domain::voice::outbound::CallingWindow,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        VoiceSettings {
            language: Language::Kk,
            announce_every_secs: 60,
            hold_pause_secs: 3,
            calling_window: baylanys_domain::voice::outbound::CallingWindow::default(),
        }
    }
}

/// One provider event, as an adapter hands it over.
#[derive(Debug, Clone)]
pub struct CallIn {
    /// `twilio`, `rustpbx`: the adapter.
    pub provider: &'static str,
    pub call_id: String,
    /// Unique per call for this event (a provider's retry carries the same one).
    pub event_id: String,
    pub event: CallEvent,
}

/// An id from a provider: 1–128 printable ASCII characters.
fn provider_id(field: &'static str, v: &str) -> Result<(), DomainError> {
    if (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(DomainError::InvalidField {
            field,
            reason: "1 to 128 printable ASCII characters".into(),
        })
    }
}

fn prompt_actions(p: &Prompt, language: Language) -> Vec<VoiceAction> {
    let mut out = Vec::new();
    if let Some(url) = &p.audio_url {
        out.push(VoiceAction::Play { url: url.clone() });
    } else if let Some(text) = &p.text {
        out.push(VoiceAction::Say {
            text: text.clone(),
            language,
        });
    }
    out
}

fn say(text: impl Into<String>, language: Language) -> VoiceAction {
    VoiceAction::Say {
        text: text.into(),
        language,
    }
}

/// What one event does: the call's new state, the actions, the menu steps to log.
struct Turn {
    call: Call,
    actions: Vec<VoiceAction>,
    menu_steps: Vec<CallMenu>,
}

impl Turn {
    fn of(call: Call, actions: Vec<VoiceAction>) -> Self {
        Turn {
            call,
            actions,
            menu_steps: Vec::new(),
        }
    }
}

/// A contact already moved by someone else (a replay, a race with staff) is where it is.
fn moved_or_already(r: CentreResult<baylanys_store::Interaction>) -> CentreResult<()> {
    match r {
        Ok(_) | Err(CentreError::Store(StoreError::Conflict(_))) => Ok(()),
        Err(e) => Err(e),
    }
}

impl Centre {
    /// Takes one event of a call; see the module documentation.
    pub async fn call_event(&self, input: CallIn) -> CentreResult<Vec<VoiceAction>> {
        provider_id("call_id", &input.call_id)?;
        provider_id("event_id", &input.event_id)?;
        let actor = Actor::Adapter {
            channel: Channel::Voice,
        };
        // Two nodes may take two events of one call at once; the loser reads the winner's
        // state and answers again (a few rounds at most: a call has few events at a time).
        for _ in 0..5 {
            if let Some(answer) = self
                .store
                .call_answer(input.provider, &input.call_id, &input.event_id)
                .await?
            {
                return serde_json::from_str(&answer)
                    .map_err(|e| StoreError::Corrupt(format!("call answer: {e}")).into());
            }
            let turn = match self.store.call(input.provider, &input.call_id).await? {
                Some(call) => self.turn(call, &input.event).await?,
                None => match &input.event {
                    CallEvent::Arrived { from, to } => {
                        self.arrived(&input, from.as_deref(), to.as_deref()).await?
                    }
                    // A call we never took (its arrival failed, or it is another system's):
                    // nothing to record; the provider is told to end it.
                    CallEvent::HungUp | CallEvent::BridgeEnded { .. } => return Ok(Vec::new()),
                    _ => return Ok(vec![VoiceAction::Hangup]),
                },
            };
            let answer = serde_json::to_string(&turn.actions)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let step = CallStep {
                event_id: input.event_id.clone(),
                event: input.event.name(),
                answer,
                menu_steps: turn.menu_steps,
            };
            if self.store.save_call(&turn.call, step, actor).await? {
                return Ok(turn.actions);
            }
        }
        Err(StoreError::Conflict("the call changed too often to answer".into()).into())
    }

    /// A new call: its appeal and its contact, in the voice menu; the caller's number as the
    /// network gives it finds the client (evidence, DESIGN principle 11).
    async fn arrived(
        &self,
        input: &CallIn,
        from: Option<&str>,
        to: Option<&str>,
    ) -> CentreResult<Turn> {
        let settings = self.settings.voice;
        let language = settings.language;
        let number = from.and_then(crate::claims::normalise_phone);
        let mut item = Inbound::new(Channel::Voice, Thread::New { client_id: None }, language);
        item.external_id = Some(format!("{}:{}", input.provider, input.call_id));
        item.sender = number.clone();
        item.first_contact = ContactStart::Menu;
        // The operator tells a caller their appeal's number; no SMS for every call.
        item.quiet = true;
        let received = self.receive(item).await?;
        let interaction_id = self
            .store
            .first_contact_of(received.appeal_id)
            .await?
            .ok_or(StoreError::NotFound("the call's contact"))?;
        let now = baylanys_store::now();
        let call = Call {
            provider: input.provider.to_owned(),
            call_id: input.call_id.clone(),
            appeal_id: received.appeal_id,
            interaction_id,
            from_number: number,
            to_number: to.map(|t| t.chars().take(64).collect()),
            phase: CallPhase::Menu,
            language,
            menu: MAIN_MENU.into(),
            tries: 0,
            path: Vec::new(),
            steps: 0,
            queued_at: None,
            announced_at: None,
            announcements: 0,
            bridge_to: None,
            version: 0,
            created_at: now,
            updated_at: now,
        };
        self.changed();
        // A service interruption is said first, with the other channels (R34).
        let notice: Vec<VoiceAction> = self
            .store
            .service_notice()
            .await?
            .text(language)
            .map(|t| say(t, language))
            .into_iter()
            .collect();
        match self.store.ivr_menu(language, MAIN_MENU).await? {
            Some(main) => {
                let mut call = call;
                let actions = Self::ask(&mut call, &main.menu, notice);
                Ok(Turn::of(call, actions))
            }
            // No menu configured: a greeting, then straight to an operator.
            None => {
                let mut first = vec![say(phrases::greeting(language), language)];
                first.extend(notice);
                self.to_operator(call, None, None, first).await
            }
        }
    }

    /// The next event of a known call.
    async fn turn(&self, mut call: Call, event: &CallEvent) -> CentreResult<Turn> {
        use CallPhase::*;
        let l = call.language;
        match (call.phase, event) {
            (Ended, _) => Ok(Turn::of(call, vec![VoiceAction::Hangup])),
            (_, CallEvent::HungUp) => {
                self.call_gone(&call).await?;
                call.phase = Ended;
                Ok(Turn::of(call, Vec::new()))
            }
            (_, CallEvent::Arrived { .. }) => Ok(Turn::of(call, Vec::new())),
            (Menu, CallEvent::Digits(d)) => self.menu_choice(call, Some(d)).await,
            (Menu, CallEvent::NoInput) => self.menu_choice(call, None).await,
            (Menu, _) => Ok(Turn::of(call, Vec::new())),
            (Queued, CallEvent::WaitTick) => self.waiting(call).await,
            (Queued, CallEvent::Digits(d)) if d.starts_with(phrases::CALLBACK_DIGIT) => {
                self.callback(call).await
            }
            (Queued, CallEvent::Digits(_)) => {
                let pause = self.settings.voice.hold_pause_secs;
                Ok(Turn::of(call, vec![VoiceAction::Pause { secs: pause }]))
            }
            // Nothing pressed at an announcement, or a silence ended: the caller is still
            // waiting.
            (Queued, CallEvent::NoInput) => self.waiting(call).await,
            (Queued, CallEvent::Dequeued) => {
                // Out of the holding area with nobody to talk to (the provider's queue
                // dropped it): back in.
                Ok(Turn::of(call, vec![VoiceAction::Enqueue]))
            }
            (
                Connecting | Talking,
                CallEvent::WaitTick | CallEvent::Digits(_) | CallEvent::NoInput,
            ) => Ok(Turn::of(call, vec![VoiceAction::Leave])),
            (Connecting, CallEvent::Dequeued) => {
                let to = call.bridge_to.clone().unwrap_or_default();
                Ok(Turn::of(
                    call,
                    vec![say(phrases::connecting(l), l), VoiceAction::Bridge { to }],
                ))
            }
            (Connecting, CallEvent::Bridged) => {
                call.phase = Talking;
                Ok(Turn::of(call, Vec::new()))
            }
            (Connecting, CallEvent::BridgeEnded { answered: false }) => {
                // The operator's phone did not answer: the caller is not left in silence; a
                // callback is taken for them.
                self.store
                    .request_callback(
                        call.interaction_id,
                        call.from_number.as_deref().unwrap_or(""),
                        l,
                        Actor::Adapter {
                            channel: Channel::Voice,
                        },
                    )
                    .await?;
                call.phase = Ended;
                Ok(Turn::of(
                    call,
                    vec![say(phrases::callback_taken(l), l), VoiceAction::Hangup],
                ))
            }
            (Connecting | Talking, CallEvent::BridgeEnded { .. }) => {
                // The operator hung up: the after-contact work begins.
                self.call_gone(&call).await?;
                call.phase = Ended;
                Ok(Turn::of(call, vec![VoiceAction::Hangup]))
            }
            (Queued | Talking, _) => Ok(Turn::of(call, Vec::new())),
        }
    }

    /// The Gather that asks a menu's question: the prefix (what went wrong before), the
    /// menu's prompt, and the operator hint.
    fn ask(call: &mut Call, menu: &IvrMenu, prefix: Vec<VoiceAction>) -> Vec<VoiceAction> {
        call.steps += 1;
        let mut prompts = prefix;
        prompts.extend(prompt_actions(&menu.prompt, call.language));
        prompts.push(say(phrases::operator_hint(call.language), call.language));
        vec![VoiceAction::Gather {
            prompts,
            max_digits: 1,
            timeout_secs: menu.timeout_secs,
            step: call.steps,
        }]
    }

    async fn menu_choice(&self, mut call: Call, digits: Option<&str>) -> CentreResult<Turn> {
        let l = call.language;
        if call.menu == CLOSED {
            return self.closed_choice(call, digits).await;
        }
        let Some(menu) = self.store.ivr_menu(l, &call.menu).await? else {
            // The menu was removed while the caller was in it.
            return self.to_operator(call, None, None, Vec::new()).await;
        };
        let menu = menu.menu;
        let choice = menu.choose(digits);
        let (led_to, label) = match &choice {
            Choice::Nothing => ("nothing", None),
            Choice::Unknown => ("unknown", None),
            Choice::Menu { label, .. } => ("menu", Some(label.clone())),
            Choice::Operator { label, .. } => ("operator", label.clone()),
            Choice::Answer { label, .. } => ("answer", Some(label.clone())),
            Choice::Language(lang) => ("language", Some(lang.as_str().to_owned())),
            Choice::Repeat => ("repeat", None),
            Choice::Hangup => ("hangup", None),
        };
        let step = CallMenu {
            menu: call.menu.clone(),
            digit: digits.map(|d| d.chars().take(8).collect()),
            led_to: led_to.into(),
            label: label.clone(),
        };
        if let Some(label) = &label {
            if call.path.len() < 20 {
                call.path.push(label.chars().take(80).collect());
            }
        }
        let mut turn = match choice {
            Choice::Nothing | Choice::Unknown => {
                call.tries += 1;
                if call.tries > menu.retries {
                    self.to_operator(call, None, None, Vec::new()).await?
                } else {
                    let why = if matches!(choice, Choice::Nothing) {
                        phrases::nothing_pressed(l)
                    } else {
                        phrases::not_understood(l)
                    };
                    let actions = Self::ask(&mut call, &menu, vec![say(why, l)]);
                    Turn::of(call, actions)
                }
            }
            Choice::Repeat => {
                let actions = Self::ask(&mut call, &menu, Vec::new());
                Turn::of(call, actions)
            }
            Choice::Menu { key, .. } => self.enter_menu(call, l, &key, Vec::new()).await?,
            Choice::Language(lang) => {
                call.language = lang;
                self.enter_menu(call, lang, MAIN_MENU, Vec::new()).await?
            }
            Choice::Answer { prompt, .. } => {
                // Self-service (R12.3): the answer, then the same menu again.
                call.tries = 0;
                let answer = prompt_actions(&prompt, l);
                let actions = Self::ask(&mut call, &menu, answer);
                Turn::of(call, actions)
            }
            Choice::Operator {
                topic_id, queue_id, ..
            } => {
                self.to_operator(call, topic_id, queue_id, Vec::new())
                    .await?
            }
            Choice::Hangup => {
                self.call_gone(&call).await?;
                call.phase = CallPhase::Ended;
                Turn::of(call, vec![say(phrases::goodbye(l), l), VoiceAction::Hangup])
            }
        };
        turn.menu_steps.insert(0, step);
        Ok(turn)
    }

    async fn enter_menu(
        &self,
        mut call: Call,
        language: Language,
        key: &str,
        prefix: Vec<VoiceAction>,
    ) -> CentreResult<Turn> {
        match self.store.ivr_menu(language, key).await? {
            Some(menu) => {
                call.menu = key.to_owned();
                call.tries = 0;
                let actions = Self::ask(&mut call, &menu.menu, prefix);
                Ok(Turn::of(call, actions))
            }
            // An option to a menu not written yet reaches an operator.
            None => self.to_operator(call, None, None, prefix).await,
        }
    }

    /// Out of the menu to an operator: into the queue the routing table (or the option) names,
    /// unless that queue is closed now by its hours and the calendar — then the caller hears
    /// when it opens and may leave a callback request.
    async fn to_operator(
        &self,
        mut call: Call,
        topic_id: Option<Uuid>,
        queue_id: Option<Uuid>,
        mut prefix: Vec<VoiceAction>,
    ) -> CentreResult<Turn> {
        let l = call.language;
        let appeal = self
            .store
            .get_appeal(call.appeal_id, AppealScope::All)
            .await?;
        let topic_id = topic_id.or(appeal.topic_id);
        let queue_id = match queue_id {
            Some(q) => Some(q),
            None => {
                self.choose_queue(topic_id, l, appeal.kind, Channel::Voice)
                    .await?
            }
        };
        if let Some(q) = queue_id {
            let queue = self.store.get_queue(q).await?;
            let hours = queue.hours.unwrap_or_default();
            let calendar = self.store.calendar().await?;
            let now = baylanys_store::now();
            if !hours.is_open(&calendar, now) {
                call.menu = CLOSED.into();
                call.tries = 0;
                call.steps += 1;
                prefix.push(say(
                    phrases::closed(l, hours.next_opening(&calendar, now)),
                    l,
                ));
                prefix.push(say(phrases::callback_offer(l), l));
                let step = call.steps;
                return Ok(Turn::of(
                    call,
                    vec![VoiceAction::Gather {
                        prompts: prefix,
                        max_digits: 1,
                        timeout_secs: 6,
                        step,
                    }],
                ));
            }
        }
        self.store
            .enqueue_call(
                call.interaction_id,
                queue_id,
                topic_id,
                Actor::Client {
                    channel: Channel::Voice,
                },
            )
            .await?;
        self.changed();
        call.phase = CallPhase::Queued;
        call.queued_at = Some(baylanys_store::now());
        prefix.push(VoiceAction::Enqueue);
        Ok(Turn::of(call, prefix))
    }

    /// Closed hours: `1` leaves a callback request, anything else says goodbye.
    async fn closed_choice(&self, mut call: Call, digits: Option<&str>) -> CentreResult<Turn> {
        let l = call.language;
        if digits.is_some_and(|d| d.starts_with(phrases::CALLBACK_DIGIT)) {
            return self.callback(call).await;
        }
        self.call_gone(&call).await?;
        call.phase = CallPhase::Ended;
        Ok(Turn::of(
            call,
            vec![say(phrases::goodbye(l), l), VoiceAction::Hangup],
        ))
    }

    /// A waiting caller's tick: put through if an operator took the call; otherwise the
    /// announcement when one is due (on entering, then at least every minute: R12.1–2), or a
    /// short silence.
    async fn waiting(&self, mut call: Call) -> CentreResult<Turn> {
        let l = call.language;
        let settings = self.settings.voice;
        let contact = self.store.get_interaction(call.interaction_id).await?;
        match contact.state {
            InteractionState::Answered => {
                let operator = contact
                    .operator_id
                    .ok_or(StoreError::NotFound("operator"))?;
                let staff = self.store.get_staff(operator).await?;
                match staff.extension {
                    Some(to) => {
                        call.bridge_to = Some(to);
                        call.phase = CallPhase::Connecting;
                        return Ok(Turn::of(call, vec![VoiceAction::Leave]));
                    }
                    None => {
                        tracing::warn!(%operator, "a call was taken by an operator without a phone");
                    }
                }
            }
            InteractionState::Queued => {}
            // Staff ended it (the appeal closed while the caller waited).
            _ => {
                call.phase = CallPhase::Ended;
                return Ok(Turn::of(
                    call,
                    vec![say(phrases::goodbye(l), l), VoiceAction::Hangup],
                ));
            }
        }
        let now = baylanys_store::now();
        let every = i64::from(settings.announce_every_secs.max(60));
        let due = call
            .announced_at
            .is_none_or(|at| (now - at).num_seconds() >= every);
        if !due {
            let left = call
                .announced_at
                .map_or(0, |at| every - (now - at).num_seconds());
            let secs =
                u32::try_from(left.clamp(1, i64::from(settings.hold_pause_secs))).unwrap_or(1);
            return Ok(Turn::of(call, vec![VoiceAction::Pause { secs }]));
        }
        let mut status = self.queue_position(call.interaction_id).await?;
        if contact.offered_to.is_some() && status.position.is_none() {
            // Ringing at an operator's console right now: next in line.
            status.position = Some(1);
        }
        let text = if call.announcements == 0 {
            phrases::place_in_queue(l, status.position, status.estimated_wait_secs)
        } else {
            phrases::still_waiting(l, status.position, status.estimated_wait_secs)
        };
        call.announced_at = Some(now);
        call.announcements += 1;
        call.steps += 1;
        let step = call.steps;
        Ok(Turn::of(
            call,
            vec![VoiceAction::Gather {
                prompts: vec![say(text, l), say(phrases::callback_offer(l), l)],
                max_digits: 1,
                timeout_secs: 3,
                step,
            }],
        ))
    }

    /// The caller asked to be called back: the contact ends as a callback request (not a lost
    /// call), the callback waits for an operator.
    async fn callback(&self, mut call: Call) -> CentreResult<Turn> {
        let l = call.language;
        let Some(number) = call.from_number.clone() else {
            // No number to call back (a withheld caller id): they keep waiting.
            let pause = self.settings.voice.hold_pause_secs;
            return Ok(Turn::of(call, vec![VoiceAction::Pause { secs: pause }]));
        };
        self.store
            .request_callback(
                call.interaction_id,
                &number,
                l,
                Actor::Client {
                    channel: Channel::Voice,
                },
            )
            .await?;
        self.changed();
        call.phase = CallPhase::Ended;
        Ok(Turn::of(
            call,
            vec![say(phrases::callback_taken(l), l), VoiceAction::Hangup],
        ))
    }

    /// The caller is gone: the contact's phase says what that was — ended in the menu (the
    /// appeal closed as self-service), lost in the queue, or the start of the operator's
    /// after-contact work.
    async fn call_gone(&self, call: &Call) -> CentreResult<()> {
        let actor = Actor::Client {
            channel: Channel::Voice,
        };
        let contact = self.store.get_interaction(call.interaction_id).await?;
        match contact.state {
            InteractionState::Menu => {
                moved_or_already(
                    self.move_contact(call.interaction_id, InteractionState::Ended, actor)
                        .await,
                )?;
                self.close_self_served(call).await
            }
            InteractionState::Queued => {
                moved_or_already(
                    self.move_contact(call.interaction_id, InteractionState::Abandoned, actor)
                        .await,
                )?;
                self.changed();
                Ok(())
            }
            InteractionState::Answered => moved_or_already(
                self.move_contact(call.interaction_id, InteractionState::WrapUp, actor)
                    .await,
            ),
            _ => Ok(()),
        }
    }

    /// A call that never reached the queue was served by the voice menu alone: its appeal is
    /// closed with the path the caller took, so it is not left open to go overdue.
    async fn close_self_served(&self, call: &Call) -> CentreResult<()> {
        let appeal = self
            .store
            .get_appeal(call.appeal_id, AppealScope::All)
            .await?;
        if appeal.status != AppealStatus::New {
            return Ok(());
        }
        let path = if call.path.is_empty() {
            "—".to_owned()
        } else {
            call.path.join(" › ")
        };
        let resolution = format!("voice menu: {path}");
        let closed = self
            .store
            .change_status(
                appeal.id,
                StatusChange {
                    to: AppealStatus::Closed,
                    reason: None,
                    resolution: Some(resolution),
                    first_contact_resolved: None,
                },
                AppealScope::All,
                Actor::Adapter {
                    channel: Channel::Voice,
                },
                baylanys_store::Also::nothing(),
            )
            .await;
        match closed {
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// What came of calling a client back (R13): an attempt only inside the calling window
    /// (R13.5) and never to a client who asked not to be contacted (R13.4); a cancellation
    /// always. After the attempts allowed, the callback is given up as failed.
    pub async fn callback_outcome(
        &self,
        id: Uuid,
        outcome: baylanys_domain::voice::outbound::Outcome,
        actor: Actor,
    ) -> CentreResult<baylanys_store::Callback> {
        let callback = self.store.get_callback(id).await?;
        if outcome.is_attempt() {
            let appeal = self
                .store
                .get_appeal(callback.appeal_id, AppealScope::All)
                .await?;
            let client = self.store.get_client(appeal.client_id).await?;
            if client.do_not_contact {
                return Err(DomainError::InvalidField {
                    field: "outcome",
                    reason: "the client asked not to be contacted (R13.4): cancel the callback"
                        .into(),
                }
                .into());
            }
            let calendar = self.store.calendar().await?;
            let window = self.settings.voice.calling_window;
            if !window.is_open(&calendar, baylanys_store::now()) {
                return Err(DomainError::InvalidField {
                    field: "outcome",
                    reason: format!(
                        "outside the calling hours {}–{} on working days (R13.5)",
                        window.from.format("%H:%M"),
                        window.to.format("%H:%M")
                    ),
                }
                .into());
            }
        }
        Ok(self.store.callback_outcome(id, outcome, actor).await?)
    }

    /// The call a contact belongs to, if it is a call.
    pub async fn call_of_contact(&self, interaction_id: Uuid) -> CentreResult<Option<Call>> {
        Ok(self.store.call_of_contact(interaction_id).await?)
    }
}
