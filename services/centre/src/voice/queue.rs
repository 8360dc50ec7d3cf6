//! The caller who waits (R12.1–2): put through once an operator accepts, told their place and
//! wait, and at least every minute that waiting is free; a callback instead of waiting (R13);
//! and what a hang-up means for the contact and the appeal.

use baylanys_domain::voice::{phrases, CallPhase, VoiceAction};
use baylanys_domain::{AppealScope, AppealStatus, Channel, InteractionState};
use baylanys_store::{Actor, Call, StatusChange, StoreError};
use uuid::Uuid;

use super::{moved_or_already, say, Turn};
use crate::{Centre, CentreResult};

impl Centre {
    /// A waiting caller's tick: put through if an operator took the call; otherwise the
    /// announcement when one is due (on entering, then at least every minute: R12.1–2), or a
    /// short silence.
    pub(super) async fn waiting(&self, mut call: Call) -> CentreResult<Turn> {
        let l = call.language;
        let settings = self.settings.voice;
        let contact = self.store.get_interaction(call.interaction_id).await?;
        match contact.state {
            // On hold: told so at least every minute, put through once taken back.
            InteractionState::Answered if contact.held_at.is_some() => {
                let now = baylanys_store::now();
                let every = i64::from(settings.announce_every_secs.max(60));
                let pause = VoiceAction::Pause {
                    secs: settings.hold_pause_secs,
                };
                if call
                    .announced_at
                    .is_none_or(|at| (now - at).num_seconds() >= every)
                {
                    call.announced_at = Some(now);
                    return Ok(Turn::of(call, vec![say(phrases::on_hold(l), l), pause]));
                }
                return Ok(Turn::of(call, vec![pause]));
            }
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
        // An offer ringing at a console counts as next in line (see `queue_position`).
        let status = self.queue_position(call.interaction_id).await?;
        let text = if call.announcements == 0 {
            phrases::place_in_queue(l, status.position, status.estimated_wait_secs)
        } else {
            phrases::still_waiting(l, status.position, status.estimated_wait_secs)
        };
        call.announced_at = Some(now);
        call.announcements += 1;
        call.steps += 1;
        let step = call.steps;
        let announced = baylanys_domain::events::CallAnnounced {
            number: call.announcements,
            position: status.position,
            estimated_wait_secs: status.estimated_wait_secs,
        };
        let mut turn = Turn::of(
            call,
            vec![VoiceAction::Gather {
                prompts: vec![say(text, l), say(phrases::callback_offer(l), l)],
                max_digits: 1,
                timeout_secs: 3,
                step,
            }],
        );
        turn.announced = Some(announced);
        Ok(turn)
    }

    /// The caller asked to be called back: the contact ends as a callback request (not a lost
    /// call), the callback waits for an operator.
    pub(super) async fn callback(&self, mut call: Call) -> CentreResult<Turn> {
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
    pub(super) async fn call_gone(&self, call: &Call) -> CentreResult<()> {
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
            self.may_call(callback.appeal_id, "outcome").await?;
        }
        Ok(self
            .store
            .callback_outcome(id, outcome, None, actor)
            .await?)
    }

    /// The call a contact belongs to, if it is a call.
    pub async fn call_of_contact(&self, interaction_id: Uuid) -> CentreResult<Option<Call>> {
        Ok(self.store.call_of_contact(interaction_id).await?)
    }
}
