//! The phone's use case (clause 3.15, R12, R13): one provider event of one call in, the actions
//! the PBX or provider is to take out. Adapters (RustPBX's step IVR, TwiML webhooks) only translate.
//!
//! Each event is taken once: the answer is stored with the call's new state, so a replayed
//! event gets the same answer and changes nothing, and the state lives in the database, so any
//! node can answer a call's next event after another node died. A silence that changes nothing
//! is the one answer not stored: its replay is answered from the same state. A call only moves forward
//! (`CallPhase`), so a late event (a status callback overtaking a wait tick) cannot move it back.
//!
//! Its contact's phases are the KPIs' instants: out of the menu into the queue starts the wait
//! after the voice menu (KPI 1), hanging up in the queue is a lost call (KPI 5), a callback
//! request ends the contact without being lost, the operator's hang-up starts the after-contact
//! work that ends the handling time.
//!
//! [`menu`] walks the voice menu; [`queue`] keeps the caller waiting, takes callbacks and ends
//! the call.

mod menu;
pub mod placing;
mod queue;
pub mod recording;
mod release;

use baylanys_domain::events::CallMenu;
use baylanys_domain::voice::{phrases, CallEvent, CallPhase, Prompt, VoiceAction, MAIN_MENU};
use baylanys_domain::{Channel, DomainError, Language};
use baylanys_store::{Actor, Call, CallStep, ContactStart, StoreError};

use crate::receive::{Inbound, Thread};
use crate::{Centre, CentreError, CentreResult};

/// The menu a caller is in while hearing that the centre is closed (not a key an administrator
/// can give a menu).
pub(super) const CLOSED: &str = "!closed";

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
    /// Days a call's recording is kept; then its bytes are deleted (R33).
    pub recording_retention_days: u32,
    /// Seconds a client's phone rings, for a call the centre places, before it is not answered.
    pub ring_secs: u32,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        VoiceSettings {
            language: Language::Kk,
            announce_every_secs: 60,
            hold_pause_secs: 3,
            calling_window: baylanys_domain::voice::outbound::CallingWindow::default(),
            recording_retention_days: 365,
            ring_secs: 30,
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

pub(super) fn prompt_actions(p: &Prompt, language: Language) -> Vec<VoiceAction> {
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

pub(super) fn say(text: impl Into<String>, language: Language) -> VoiceAction {
    VoiceAction::Say {
        text: text.into(),
        language,
    }
}

/// What one event does: the call's new state, the actions, the menu steps to log.
pub(super) struct Turn {
    pub(super) call: Call,
    pub(super) actions: Vec<VoiceAction>,
    pub(super) menu_steps: Vec<CallMenu>,
    /// What a waiting caller is told, for the log (R12.1–2).
    pub(super) announced: Option<baylanys_domain::events::CallAnnounced>,
}

impl Turn {
    pub(super) fn of(call: Call, actions: Vec<VoiceAction>) -> Self {
        Turn {
            call,
            actions,
            menu_steps: Vec::new(),
            announced: None,
        }
    }
}

impl Turn {
    /// A silence that changes nothing — a caller still waiting, nothing due — is answered
    /// without a write: a retry of it is answered from the same state the same way, so there
    /// is nothing to keep, and a long wait is not a transaction every few seconds (on a busy
    /// machine each one is several round trips to the database).
    fn is_silence(&self, before: &Call) -> bool {
        self.call == *before
            && self.menu_steps.is_empty()
            && self.announced.is_none()
            && !self.actions.is_empty()
            && self
                .actions
                .iter()
                .all(|a| matches!(a, VoiceAction::Pause { .. }))
    }
}

/// A contact already moved by someone else (a replay, a race with staff) is where it is.
pub(super) fn moved_or_already(r: CentreResult<baylanys_store::Interaction>) -> CentreResult<()> {
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
            let (call, answer) = self
                .store
                .call_and_answer(input.provider, &input.call_id, &input.event_id)
                .await?;
            if let Some(answer) = answer {
                return serde_json::from_str(&answer)
                    .map_err(|e| StoreError::Corrupt(format!("call answer: {e}")).into());
            }
            let turn = match call {
                Some(call) => {
                    let before = call.clone();
                    let turn = self.turn(call, &input.event).await?;
                    if turn.is_silence(&before) {
                        return Ok(turn.actions);
                    }
                    turn
                }
                None => match &input.event {
                    CallEvent::Arrived { from, to } => {
                        self.arrived(&input, from.as_deref(), to.as_deref()).await?
                    }
                    // A call we never took (its arrival failed, or it is another system's):
                    // nothing to record; the provider is told to end it.
                    CallEvent::HungUp | CallEvent::BridgeEnded { .. } | CallEvent::Released => {
                        return Ok(Vec::new())
                    }
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
                announced: turn.announced,
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
            recorded: false,
            version: 0,
            created_at: now,
            updated_at: now,
        };
        self.changed();
        // A service interruption is said first, with the other channels (R34).
        let notice: Vec<VoiceAction> = self
            .interruption()
            .await?
            .and_then(|i| i.prompt(language))
            .map(|p| prompt_actions(&p, language))
            .unwrap_or_default();
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
        if matches!(call.phase, Connecting | Talking)
            && matches!(event, CallEvent::BridgeEnded { .. } | CallEvent::Released)
        {
            let contact = self.store.get_interaction(call.interaction_id).await?;
            // The operator passed the caller on (a transfer): the call follows its new contact
            // back into the queue, for the colleague or queue it was sent to.
            if contact.state == baylanys_domain::InteractionState::Queued {
                call.phase = Queued;
                call.queued_at = Some(baylanys_store::now());
                call.announced_at = None;
                call.announcements = 0;
                call.bridge_to = None;
                return Ok(Turn::of(
                    call,
                    vec![say(phrases::passed_on(l), l), VoiceAction::Enqueue],
                ));
            }
            // The operator put the caller on hold: they wait in the holding area, still the
            // operator's, until taken back (see `waiting`).
            if contact.state == baylanys_domain::InteractionState::Answered
                && contact.held_at.is_some()
            {
                call.phase = Queued;
                call.announced_at = Some(baylanys_store::now());
                call.bridge_to = None;
                return Ok(Turn::of(
                    call,
                    vec![say(phrases::on_hold(l), l), VoiceAction::Enqueue],
                ));
            }
            // Released, but taken back before the provider asked (a hold undone at once): back
            // through the holding area to the operator's phone.
            if *event == CallEvent::Released {
                call.phase = Queued;
                call.bridge_to = None;
                return Ok(Turn::of(call, vec![VoiceAction::Enqueue]));
            }
        }
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
            // Out of the holding area by a release that raced the bridge: back in; the next
            // tick puts the caller where their contact is.
            (Queued | Connecting, CallEvent::Released) => {
                Ok(Turn::of(call, vec![VoiceAction::Enqueue]))
            }
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
                let record = call.recorded;
                Ok(Turn::of(
                    call,
                    vec![
                        say(phrases::connecting(l), l),
                        VoiceAction::Bridge { to, record },
                    ],
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
}
