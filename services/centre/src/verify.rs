//! Who the client of an appeal can prove to be, and where a one-time code goes (R11, DESIGN
//! principle 11).
//!
//! A web-chat visitor's typed IIN, phone or e-mail is a claim on the conversation's own record.
//! The operator verifies against the record a claim points at — the code goes to *that*
//! record's phone or e-mail on file, never to an address the visitor typed — and only a right
//! answer joins the conversation to it. With no such record, a code to a claimed phone or
//! e-mail proves the visitor holds it, and it becomes the own record's address.

use baylanys_domain::{Channel, Iin};
use baylanys_store::{Appeal, Claim, Client, ClientLookup};

use crate::{Centre, CentreResult};

/// The record a verification of an appeal proves, and whether it is the appeal's own.
#[derive(Debug, Clone)]
pub struct VerificationTarget {
    pub client: Client,
    /// The record one of the own record's claims points at (a right answer joins them).
    pub claimed_record: bool,
    /// The own record's claimed phone and e-mail, for a code when nothing is on file.
    claimed_phone: Option<String>,
    claimed_email: Option<String>,
}

/// Where a code goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAddress {
    pub address: String,
    /// A claim of the own record, not an address on file.
    pub claimed: bool,
}

impl VerificationTarget {
    /// The address on file for `channel` (`Voice` for SMS, `Email`); for the own record
    /// without one, the address its visitor claimed.
    pub fn address(&self, channel: Channel) -> Option<CodeAddress> {
        if let Some(i) = self.client.identities.iter().find(|i| i.channel == channel) {
            return Some(CodeAddress {
                address: i.address.clone(),
                claimed: false,
            });
        }
        if self.claimed_record {
            return None;
        }
        let claim = match channel {
            Channel::Voice => self.claimed_phone.clone(),
            Channel::Email => self.claimed_email.clone(),
            _ => None,
        };
        claim.map(|address| CodeAddress {
            address,
            claimed: true,
        })
    }
}

impl Centre {
    /// The record the appeal's client is to prove to be: the one its own record's claims point
    /// at — the IIN first, then the phone, then the e-mail — when the own record has no IIN of
    /// its own; else the own record.
    pub async fn verification_target(&self, appeal: &Appeal) -> CentreResult<VerificationTarget> {
        let own = self.store.get_client(appeal.client_id).await?;
        let claims = self.store.claims_of(own.id).await?;
        self.target_of(own, &claims).await
    }

    /// As [`Centre::verification_target`], for the appeal's client and claims already read.
    pub async fn target_of(
        &self,
        own: Client,
        claims: &[Claim],
    ) -> CentreResult<VerificationTarget> {
        let value = |kind: &str| {
            claims
                .iter()
                .find(|c| c.kind == kind)
                .map(|c| c.value.clone())
        };
        let (iin, phone, email) = (value("iin"), value("phone"), value("email"));
        if own.iin.is_none() && own.bin.is_none() {
            let lookups = [
                iin.as_deref()
                    .and_then(|i| Iin::parse(i).ok())
                    .map(ClientLookup::Iin),
                phone
                    .clone()
                    .map(|p| ClientLookup::Identity(Channel::Voice, p)),
                email
                    .clone()
                    .map(|e| ClientLookup::Identity(Channel::Email, e)),
            ];
            for lookup in lookups.into_iter().flatten() {
                let found = self.store.find_clients(lookup, 1).await?.into_iter().next();
                if let Some(other) = found.filter(|c| c.id != own.id) {
                    return Ok(VerificationTarget {
                        client: other,
                        claimed_record: true,
                        claimed_phone: None,
                        claimed_email: None,
                    });
                }
            }
        }
        Ok(VerificationTarget {
            client: own,
            claimed_record: false,
            claimed_phone: phone,
            claimed_email: email,
        })
    }

    /// The record with this IIN, if any: who a caller naming it is to prove to be.
    pub async fn client_with_iin(&self, iin: Iin) -> CentreResult<Option<Client>> {
        Ok(self
            .store
            .find_clients(ClientLookup::Iin(iin), 1)
            .await?
            .into_iter()
            .next())
    }
}
