//! Which queue a contact enters (R18): the routing table's first match, else the topic's
//! queue, else the default queue.

use baylanys_domain::router::ContactFacts;
use baylanys_domain::{AppealKind, Channel, Language};
use baylanys_store::{Actor, Appeal, ContactStart, Interaction, NewInteraction};
use uuid::Uuid;

use crate::{Centre, CentreResult};

impl Centre {
    pub async fn choose_queue(
        &self,
        topic_id: Option<Uuid>,
        language: Language,
        kind: AppealKind,
        channel: Channel,
    ) -> CentreResult<Option<Uuid>> {
        let topic_queue_id = match topic_id {
            Some(t) => self
                .store
                .list_topics()
                .await?
                .into_iter()
                .find(|x| x.id == t)
                .and_then(|x| x.queue_id),
            None => None,
        };
        Ok(self.store.routing_table().await?.choose(&ContactFacts {
            topic_id,
            language,
            kind,
            channel,
            topic_queue_id,
        }))
    }

    /// Puts a new contact of the appeal in line on `channel` — in `queue_id`, else where the
    /// routing table says — and wakes the routing engine. With `start` `Menu` it is in the
    /// voice menu first and enters that queue when the caller leaves the menu.
    pub async fn queue_contact(
        &self,
        appeal: &Appeal,
        channel: Channel,
        direction: baylanys_domain::Direction,
        queue_id: Option<Uuid>,
        start: ContactStart,
        actor: Actor,
    ) -> CentreResult<Interaction> {
        let queue_id = match queue_id {
            Some(q) => Some(q),
            None => {
                self.choose_queue(appeal.topic_id, appeal.language, appeal.kind, channel)
                    .await?
            }
        };
        let started = self
            .store
            .start_interaction(
                NewInteraction {
                    appeal_id: appeal.id,
                    channel,
                    direction,
                    external_id: None,
                    queue_id,
                    start,
                },
                actor,
            )
            .await?;
        self.changed();
        Ok(started.value)
    }
}
