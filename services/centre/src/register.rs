//! An appeal staff register from a call, a visit or a paper letter (R5.4): dated by the legal
//! term of its kind, and the citizen told its number and date on their own channel (R6.1).

use baylanys_domain::{AppealKind, Channel, Language, Priority};
use baylanys_store::{Actor, Appeal, Ingested, NewAppeal};
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
    pub actor: Actor,
}

impl Centre {
    pub async fn register(&self, r: Registration) -> CentreResult<Ingested<Appeal>> {
        let language = match r.language {
            Some(l) => l,
            None => self.store.get_client(r.client_id).await?.language,
        };
        let due_at = self.due_for(r.kind, baylanys_store::now()).await?;
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
                    queue_id: r.queue_id,
                    subject: r.subject,
                    external_id: r.external_id,
                    first_message: r.text,
                    due_at: Some(due_at),
                },
                r.actor,
            )
            .await?;
        if ingested.created {
            self.changed();
            self.tell_registered(&ingested.value).await;
        }
        Ok(ingested)
    }
}
