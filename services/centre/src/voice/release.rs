//! Taking a caller away from the operator's phone (issue "The phone", point 6: transfer and
//! hold), so the call's next event puts them where their contact went — another queue, a
//! colleague, the holding area. The provider is asked where it can be: a TwiML provider
//! redirects the call (its REST API), RustPBX drops the operator's leg (its call control).
//! Without either, a transfer still happens when the operator hangs up their phone; a hold
//! cannot be made from the console (the phone's own hold key does it).

use baylanys_domain::Channel;
use baylanys_store::{Actor, Call, Interaction, StoreError};
use uuid::Uuid;

use crate::{Centre, CentreError, CentreResult};

impl Centre {
    /// Whether the provider of `call` can be asked to take the caller from the operator.
    fn can_release(&self, call: &Call) -> bool {
        match call.provider.as_str() {
            "twilio" => self.twilio_calls.is_some(),
            "rustpbx" => self.dialler.as_ref().is_some_and(|d| d.is_connected()),
            _ => false,
        }
    }

    /// Asks the provider to take the caller of `call` from the operator's phone. A TwiML call
    /// is sent to `released?id=…`, an id of its own for each release (the event's id, so a
    /// retry of that request is recognised and a later release is not taken for one).
    async fn release(&self, call: &Call) -> baylanys_channels::ChannelResult<()> {
        match (call.provider.as_str(), &self.twilio_calls, &self.dialler) {
            ("twilio", Some(calls), _) => {
                let url = format!(
                    "{}/webhooks/voice/twilio/released?id={}",
                    self.settings.public_url,
                    Uuid::now_v7()
                );
                calls.redirect(&call.call_id, &url).await
            }
            ("rustpbx", _, Some(pbx)) => pbx.release(&call.call_id).await,
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
            Ok(Some(call)) if self.can_release(&call) => call,
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
        if on && !self.can_release(&call) {
            return Err(StoreError::Conflict(
                "the centre's phone cannot hold this call from the console: use your phone's hold key"
                    .into(),
            )
            .into());
        }
        let held = self.store.hold_contact(id, on, actor).await?;
        self.changed();
        if on {
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
