//! An appeal staff register from a call, a visit or a paper letter (R5.4): dated by the legal
//! term of its kind, and the citizen told its number and date on their own channel (R6.1).

use baylanys_domain::{AppealKind, Channel, Language, Priority};
use baylanys_store::{Actor, Appeal, ContactStart, Ingested, NewAppeal};
use uuid::Uuid;

use crate::{Centre, CentreResult};

/// What staff register.
#[derive(Debug, Clone)]
pub struct Registration {
    pub client_id: Uuid,
    pub kind: AppealKind,
    pub topic_id: Option<Uuid>,
    pub channel: Channel,
    /// `None`: the client's preferred language.
    pub language: Option<Language>,
    pub priority: Priority,
    pub queue_id: Option<Uuid>,
    pub subject: Option<String>,
    /// The channel's id of what is registered: a replay returns the appeal registered first.
    pub external_id: Option<String>,
    /// The client's words, the appeal's first message.
    pub text: Option<String>,
    /// The contact that brought the appeal: answered by the registering operator (a visit, a
    /// call they are on), waiting in the queue (what a voice menu registers), or a call that
    /// already happened, recorded as it was. Said by the caller, never inferred.
    pub contact: ContactStart,
    pub actor: Actor,
}

impl Centre {
    pub async fn register(&self, r: Registration) -> CentreResult<Ingested<Appeal>> {
        let language = match r.language {
            Some(l) => l,
            None => self.store.get_client(r.client_id).await?.language,
        };
        // A contact that waits for an operator waits in the queue the routing table chooses,
        // as a channel's would.
        let queue_id = match (r.queue_id, r.contact) {
            (None, ContactStart::Queued | ContactStart::Menu) => {
                self.choose_queue(r.topic_id, language, r.kind, r.channel)
                    .await?
            }
            (q, _) => q,
        };
        let due_at = self.due_for(r.kind, baylanys_store::now()).await?;
        let also = self.registered(r.client_id, r.channel, None).await;
        let ingested = self
            .store
            .create_appeal(
                NewAppeal {
                    client_id: r.client_id,
                    kind: r.kind,
                    topic_id: r.topic_id,
                    channel: r.channel,
                    language,
                    priority: r.priority,
                    queue_id,
                    subject: r.subject,
                    external_id: r.external_id,
                    first_message: r.text,
                    due_at: Some(due_at),
                    first_contact: r.contact,
                    first_extras: Default::default(),
                },
                r.actor,
                also,
            )
            .await?;
        if ingested.created {
            self.changed();
            self.told(&ingested.value);
        }
        Ok(ingested)
    }
}
