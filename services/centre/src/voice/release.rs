//! Taking a caller away from the operator's phone (issue "The phone", point 6: transfer), so
//! the call's next event puts them where their contact went. The provider is asked where it
//! can be: a TwiML provider redirects the call (its REST API), RustPBX drops the operator's leg
//! (its call control). Where neither is configured, the operator hanging up their phone does
//! the same: the caller is not cut off either way.

use uuid::Uuid;

use crate::Centre;

impl Centre {
    /// Releases the operator's phone from the call whose contact is now `contact_id`; whether
    /// the provider was asked to (false: the operator's hang-up will).
    pub(crate) async fn release_operator(&self, contact_id: Uuid) -> bool {
        let call = match self.store.call_of_contact(contact_id).await {
            Ok(Some(call)) => call,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(error = %e, %contact_id, "the call of a moved contact");
                return false;
            }
        };
        let asked = match (call.provider.as_str(), &self.twilio_calls, &self.dialler) {
            ("twilio", Some(calls), _) => {
                let url = format!(
                    "{}/webhooks/voice/twilio/released?contact={contact_id}",
                    self.settings.public_url
                );
                calls.redirect(&call.call_id, &url).await.map(|()| true)
            }
            ("rustpbx", _, Some(pbx)) if pbx.is_connected() => {
                pbx.release(&call.call_id).await.map(|()| true)
            }
            _ => Ok(false),
        };
        match asked {
            Ok(asked) => asked,
            Err(e) => {
                // The contact moved already; the operator's hang-up still passes the caller on.
                tracing::warn!(error = %e, call_id = %call.call_id,
                    "the provider could not take the caller from the operator's phone");
                false
            }
        }
    }
}
