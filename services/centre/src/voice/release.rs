//! Taking a caller away from the operator's phone (issue "The phone", point 6: transfer and
//! hold), so the call's next event puts them where their contact went — another queue, a
//! colleague, the holding area. A TwiML provider is asked to (its REST API redirects the call).
//! RustPBX 0.5's call control cannot end the operator's leg alone (see `channels::rwi`): there,
//! and with a TwiML provider whose account is not configured, a transfer happens when the
//! operator hangs up their phone, and a hold is made with the phone's own hold key.

use baylanys_domain::voice::CallPhase;
use baylanys_domain::Channel;
use baylanys_store::{Actor, Call, Interaction, StoreError};
use uuid::Uuid;

use crate::{Centre, CentreError, CentreResult};

impl Centre {
    /// Whether the provider of `call` can be asked to take the caller from the operator.
    fn can_release(&self, call: &Call) -> bool {
        call.provider == "twilio" && self.twilio_calls.is_some()
    }

    /// Whether the caller is on the operator's phone (or it is ringing): only then is there
    /// anything to take them from. A caller still in the holding area goes where their contact
    /// went at the next tick.
    fn on_the_phone(call: &Call) -> bool {
        matches!(call.phase, CallPhase::Connecting | CallPhase::Talking)
    }

    /// Asks the provider to take the caller of `call` from the operator's phone. A TwiML call
    /// is sent to `released?id=…`, an id of its own for each release (the event's id, so a
    /// retry of that request is recognised and a later release is not taken for one).
    async fn release(&self, call: &Call) -> baylanys_channels::ChannelResult<()> {
        match (call.provider.as_str(), &self.twilio_calls) {
            ("twilio", Some(calls)) => {
                let url = format!(
                    "{}/webhooks/voice/twilio/released?id={}",
                    self.settings.public_url,
                    Uuid::now_v7()
                );
                calls.redirect(&call.call_id, &url).await
            }
            _ => Err(baylanys_channels::ChannelError::Config(
                "no call control for this provider".into(),
            )),
        }
    }

    /// After a transfer: releases the operator's phone from the call whose contact is now
    /// `contact_id`, where the provider can be asked; otherwise, or when it fails, the
    /// operator's hang-up passes the caller on.
    pub(crate) async fn release_operator(&self, contact_id: Uuid) {
        let call = match self.store.call_of_contact(contact_id).await {
            Ok(Some(call)) if Self::on_the_phone(&call) && self.can_release(&call) => call,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, %contact_id, "the call of a moved contact");
                return;
            }
        };
        if let Err(e) = self.release(&call).await {
            // The contact moved already; the operator's hang-up still passes the caller on.
            tracing::warn!(error = %e, call_id = %call.call_id,
                "the provider could not take the caller from the operator's phone");
        }
    }

    /// The operator puts the caller of the answered call contact `id` on hold (`on`): the
    /// caller waits in the holding area, told so every minute, and the operator's phone is
    /// free; or takes them back: their phone rings again within a pause of the holding area.
    /// 409 for a contact that is not a call being answered, or a call whose provider cannot be
    /// asked (the phone's own hold key works there); 503 when the provider fails (nothing
    /// changed).
    pub async fn hold_call(&self, id: Uuid, on: bool, actor: Actor) -> CentreResult<Interaction> {
        let contact = self.store.get_interaction(id).await?;
        let call = match (contact.channel, self.store.call_of_contact(id).await?) {
            (Channel::Voice, Some(call)) => call,
            _ => {
                return Err(StoreError::Conflict(
                    "only a call through the centre's phone is held from the console".into(),
                )
                .into())
            }
        };
        let on_the_phone = Self::on_the_phone(&call);
        if on && on_the_phone && !self.can_release(&call) {
            return Err(StoreError::Conflict(
                "the centre's phone cannot hold this call from the console: use your phone's hold key"
                    .into(),
            )
            .into());
        }
        let held = self.store.hold_contact(id, on, actor).await?;
        self.changed();
        if on && on_the_phone {
            if let Err(e) = self.release(&call).await {
                // Not held after all: the caller is still with the operator.
                self.store.hold_contact(id, false, actor).await?;
                self.changed();
                return Err(CentreError::Unavailable(format!(
                    "the phone provider did not take the caller: {e}"
                )));
            }
        }
        Ok(held)
    }
}
