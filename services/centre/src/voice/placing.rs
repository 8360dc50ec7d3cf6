//! Calling clients through the PBX or the TwiML provider (R13; issue "The phone", point 7):
//! back, when a waiting
//! caller asked for it, or because an operator needs to (to clarify an appeal), with the
//! reason they open with. An operator presses "call"; the centre checks the rules — never a client marked
//! do-not-contact (R13.4), only inside the calling window on working days (R13.5) — marks the
//! callback placed and has the PBX dial the client. When the client answers, the operator's
//! phone is put through, the call becomes an outbound contact of the appeal answered by that
//! operator, and the attempt counts as answered; a busy line or no answer counts as such, and
//! after the attempts allowed the callback fails. Outbound contacts never count among the
//! inbound calls of the KPIs (`reports::contributions`).
//!
//! The PBX tells a placed call's events twice: over the call-control socket (the node that
//! placed it puts the operator through) and through its event webhook (any node). Each event
//! is applied once: a callback takes one outcome per placement, a contact is opened once per
//! call, and a contact already in after-call work is not moved again. A TwiML provider places
//! the call through its REST API, fetches the centre's TwiML when the client answers (which
//! puts the operator's phone through) and tells how the call ended at its status callback;
//! both name the call by the centre's own id, in their URLs.

use baylanys_channels::rwi::CallEvent;
use baylanys_channels::ChannelError;
use baylanys_domain::voice::outbound::Outcome;
use baylanys_domain::{AppealScope, Channel, Direction, DomainError, InteractionState};
use baylanys_store::{Actor, Callback, ContactStart, NewCall, NewInteraction, Staff, StoreError};
use uuid::Uuid;

use crate::{Centre, CentreError, CentreResult};

/// Who heard a placed call's event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// The node that placed the call, over its socket: it puts the operator through.
    Socket,
    /// The PBX's event webhook: outcomes only.
    Webhook,
}

/// What places this centre's calls: the PBX's call control, else the TwiML provider.
enum Placer<'a> {
    Pbx(&'a baylanys_channels::rwi::Dialler),
    Cloud(&'a baylanys_channels::TwilioCalls),
}

impl Centre {
    fn placer(&self) -> Option<Placer<'_>> {
        match (&self.dialler, &self.twilio_calls) {
            (Some(d), _) => Some(Placer::Pbx(d)),
            (None, Some(c)) if c.places_calls() => Some(Placer::Cloud(c)),
            _ => None,
        }
    }

    /// Whether calls can be placed from this node now (the PBX's call control connected, or a
    /// TwiML provider with the centre's number).
    pub fn can_place_calls(&self) -> bool {
        match self.placer() {
            Some(Placer::Pbx(d)) => d.is_connected(),
            Some(Placer::Cloud(_)) => true,
            None => false,
        }
    }

    /// The checks before placing: a placer, and the operator's phone.
    fn placer_for(&self, operator: &Staff) -> CentreResult<Placer<'_>> {
        // Not a failure of the server but how this centre is set up: a conflict, said as such.
        let Some(placer) = self.placer() else {
            return Err(StoreError::Conflict(
                "no PBX places calls for this centre: call from your phone and record the outcome"
                    .into(),
            )
            .into());
        };
        if operator.extension.is_none() {
            return Err(DomainError::InvalidField {
                field: "extension",
                reason: "your phone (extension) is not set: ask an administrator".into(),
            }
            .into());
        }
        Ok(placer)
    }

    fn ready(placer: &Placer<'_>) -> CentreResult<()> {
        match placer {
            Placer::Pbx(d) if !d.is_connected() => Err(CentreError::Unavailable(
                "the PBX is not connected now: call from your phone and record the outcome".into(),
            )),
            _ => Ok(()),
        }
    }

    /// The rules of R13 for calling the client of `appeal_id` now.
    pub(crate) async fn may_call(&self, appeal_id: Uuid, field: &'static str) -> CentreResult<()> {
        let appeal = self.store.get_appeal(appeal_id, AppealScope::All).await?;
        let client = self.store.get_client(appeal.client_id).await?;
        if client.do_not_contact {
            return Err(DomainError::InvalidField {
                field,
                reason: "the client asked not to be contacted (R13.4): cancel the callback".into(),
            }
            .into());
        }
        let calendar = self.store.calendar().await?;
        let window = self.settings.voice.calling_window;
        if !window.is_open(&calendar, baylanys_store::now()) {
            return Err(DomainError::InvalidField {
                field,
                reason: format!(
                    "outside the calling hours {}–{} on working days (R13.5)",
                    window.from.format("%H:%M"),
                    window.to.format("%H:%M")
                ),
            }
            .into());
        }
        Ok(())
    }

    /// Has the PBX call the client of a waiting callback for `operator`, whose phone is put
    /// through when the client answers. Refused, with nothing changed: without a dialler, for
    /// an operator without a phone, a callback not waiting, and against R13.4–5. When the PBX
    /// does not take the call, the callback waits again (no attempt counted).
    pub async fn place_callback(
        &self,
        id: Uuid,
        operator: &Staff,
        actor: Actor,
    ) -> CentreResult<Callback> {
        let placer = self.placer_for(operator)?;
        let callback = self.store.get_callback(id).await?;
        if callback.state != "pending" {
            return Err(StoreError::Conflict(format!(
                "the callback is {}, not waiting",
                callback.state
            ))
            .into());
        }
        self.may_call(callback.appeal_id, "callback").await?;
        Self::ready(&placer)?;
        let call_id = format!("cb-{}", Uuid::now_v7().simple());
        let placed = self
            .store
            .place_callback(id, &call_id, operator.id, actor)
            .await?;
        self.dial_placed(&placer, &placed, &call_id, &callback.number)
            .await?;
        Ok(placed)
    }

    /// An operator calls the client of an appeal through the PBX, for `reason` (their opening
    /// line, kept with the call): the phone number on the client's record.
    /// The same rules and refusals as [`Centre::place_callback`]; a client without a number is
    /// refused. Unanswered, the call waits among the callbacks for the next attempt.
    pub async fn call_client(
        &self,
        appeal_id: Uuid,
        reason: &str,
        operator: &Staff,
        actor: Actor,
    ) -> CentreResult<Callback> {
        let reason = baylanys_domain::BoundedText::new("reason", reason, 300)?.into_inner();
        let placer = self.placer_for(operator)?;
        let appeal = self.store.get_appeal(appeal_id, AppealScope::All).await?;
        let client = self.store.get_client(appeal.client_id).await?;
        let number = client
            .identities
            .iter()
            .find(|i| i.channel == Channel::Voice)
            .map(|i| i.address.clone())
            .ok_or_else(|| DomainError::InvalidField {
                field: "number",
                reason: "the client has no phone number on file".into(),
            })?;
        self.may_call(appeal_id, "call").await?;
        Self::ready(&placer)?;
        let call_id = format!("op-{}", Uuid::now_v7().simple());
        let placed = self
            .store
            .place_call(
                NewCall {
                    appeal_id,
                    number: number.clone(),
                    language: client.language,
                    reason,
                    operator_id: operator.id,
                },
                &call_id,
                actor,
            )
            .await?;
        self.dial_placed(&placer, &placed, &call_id, &number)
            .await?;
        Ok(placed)
    }

    /// Dials a call just marked placed; when the PBX does not take it, the call waits again
    /// with no attempt counted.
    async fn dial_placed(
        &self,
        placer: &Placer<'_>,
        placed: &Callback,
        call_id: &str,
        number: &str,
    ) -> CentreResult<()> {
        let dialled = match placer {
            Placer::Pbx(d) => d.dial(call_id, number).await,
            Placer::Cloud(c) => {
                let hooks = format!("{}/webhooks/voice/twilio", self.settings.public_url);
                c.place(
                    number,
                    &format!("{hooks}/placed?call={call_id}"),
                    &format!("{hooks}/placed-status?call={call_id}"),
                    self.settings.voice.ring_secs,
                )
                .await
                .map(|_| ())
            }
        };
        let Err(e) = dialled else {
            return Ok(());
        };
        tracing::warn!(%call_id, error = %e, "the PBX did not place a call");
        self.store
            .callback_outcome(placed.id, Outcome::NotPlaced, Some(call_id), Actor::SYSTEM)
            .await?;
        Err(match e {
            ChannelError::Address(n) => DomainError::InvalidField {
                field: "number",
                reason: format!("{n:?} cannot be dialled"),
            }
            .into(),
            e => CentreError::Unavailable(format!("the PBX did not place the call: {e}")),
        })
    }

    /// An event of a call the centre placed; `false` when the call is not one of them (an
    /// inbound call's event, or one of another system).
    pub async fn placed_call_event(
        &self,
        call_id: &str,
        event: &CallEvent,
        heard: Heard,
    ) -> CentreResult<bool> {
        let Some(callback) = self.store.callback_of_call(call_id).await? else {
            return Ok(false);
        };
        let operator = callback.placed_by.ok_or(StoreError::NotFound("operator"))?;
        let actor = Actor::Adapter {
            channel: Channel::Voice,
        };
        match event {
            CallEvent::Ringing => {}
            CallEvent::Answered => {
                if heard == Heard::Socket {
                    let staff = self.store.get_staff(operator).await?;
                    if let (Some(phone), Some(dialler)) = (staff.extension, &self.dialler) {
                        if let Err(e) = dialler.join(call_id, &phone).await {
                            tracing::warn!(%call_id, error = %e, "the operator's phone was not put through");
                        }
                    }
                }
                let contact = self
                    .store
                    .start_interaction(
                        NewInteraction {
                            appeal_id: callback.appeal_id,
                            channel: Channel::Voice,
                            direction: Direction::Outbound,
                            external_id: Some(call_id.to_owned()),
                            queue_id: None,
                            start: ContactStart::AnsweredBy(operator),
                        },
                        actor,
                    )
                    .await?;
                if contact.created {
                    self.changed();
                }
                self.settle(&callback, Outcome::Answered, actor).await?;
            }
            CallEvent::Busy => self.settle(&callback, Outcome::Busy, actor).await?,
            CallEvent::NoAnswer => self.settle(&callback, Outcome::NoAnswer, actor).await?,
            CallEvent::Hangup { .. } => {
                // Ended before an answer (refused, unreachable): not reached.
                self.settle(&callback, Outcome::NoAnswer, actor).await?;
                let contact = self
                    .store
                    .contact_by_external(Channel::Voice, call_id)
                    .await?;
                if let Some(c) = contact.filter(|c| c.state == InteractionState::Answered) {
                    match self
                        .move_contact(c.id, InteractionState::WrapUp, actor)
                        .await
                    {
                        Ok(_) | Err(CentreError::Store(StoreError::Conflict(_))) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(true)
    }

    /// The phone of the operator a placed call is for, to put through when the client answers
    /// (the TwiML provider asks for it); `None` when the call is not one the centre placed.
    pub async fn placed_call_phone(&self, call_id: &str) -> CentreResult<Option<String>> {
        let Some(callback) = self.store.callback_of_call(call_id).await? else {
            return Ok(None);
        };
        let operator = callback.placed_by.ok_or(StoreError::NotFound("operator"))?;
        Ok(self.store.get_staff(operator).await?.extension)
    }

    /// The placement's one outcome: the first event that decides it wins, later ones (the
    /// same event from the webhook, the hang-up after an answer) change nothing.
    async fn settle(
        &self,
        callback: &Callback,
        outcome: Outcome,
        actor: Actor,
    ) -> CentreResult<()> {
        let call_id = callback.call_id.as_deref();
        match self
            .store
            .callback_outcome(callback.id, outcome, call_id, actor)
            .await
        {
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// After the connection to the PBX came (back): the events of the calls placed before are
    /// taken back; a call the PBX no longer has ended meanwhile, and its webhook told how.
    pub async fn take_back_placed_calls(&self) -> CentreResult<usize> {
        let Some(dialler) = self.dialler.as_ref() else {
            return Ok(0);
        };
        let mut taken = 0;
        for c in self.store.callbacks(Some("placed"), 500).await? {
            let Some(call_id) = c.call_id else { continue };
            match dialler.take_back(&call_id).await {
                Ok(()) => taken += 1,
                Err(e) => tracing::info!(%call_id, error = %e, "a placed call was not taken back"),
            }
        }
        Ok(taken)
    }
}
