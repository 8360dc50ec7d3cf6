//! A contact's course that a web-chat client sees in the conversation: an operator took it
//! (and who), it was transferred or escalated, it ended. Each entry is written in the
//! transaction of the change it reports, keyed so that a retried action tells once; the widget
//! replays them by `seq` like any message.

use baylanys_domain::{notice, AppealScope, Author, Channel, InteractionState, MessageKind};
use baylanys_store::{Actor, Also, Appeal, Interaction, NewMessage, Tell, Transfer};
use uuid::Uuid;

use crate::{Centre, CentreResult};

/// An entry of the web-chat conversation.
fn entry(kind: MessageKind, body: String, staff_id: Option<Uuid>, key: String) -> Tell {
    Tell {
        message: NewMessage {
            author: Author::System,
            kind,
            staff_id,
            channel: Some(Channel::WebChat),
            body,
            interaction_id: None,
            external_id: Some(key),
            extras: Default::default(),
        },
        delivery: None,
    }
}

impl Centre {
    /// The operator takes the contact offered to them; a web-chat client hears who answers.
    pub async fn accept(&self, id: Uuid, operator_id: Uuid) -> CentreResult<Interaction> {
        let contact = self.store.get_interaction(id).await?;
        // A call the centre runs through a PBX or provider is put through to the operator's
        // phone: without one they cannot take it. (A call staff registered through the API is
        // already on someone's phone.)
        if contact.channel == Channel::Voice
            && self.store.call_of_contact(id).await?.is_some()
            && self.store.get_staff(operator_id).await?.extension.is_none()
        {
            return Err(baylanys_domain::DomainError::InvalidField {
                field: "extension",
                reason: "set the phone calls are put through to before taking calls".into(),
            }
            .into());
        }
        let also = if contact.channel == Channel::WebChat {
            let name = self.store.get_staff(operator_id).await?.display_name;
            Also::telling(move |a: &Appeal| {
                vec![entry(
                    MessageKind::Assignment,
                    notice::assignment(a.language, &name),
                    Some(operator_id),
                    format!("assigned:{id}:{operator_id}"),
                )]
            })
        } else {
            Also::nothing()
        };
        let taken = self.store.accept_offer(id, operator_id, also).await?;
        self.moved(&taken).await;
        Ok(taken)
    }

    /// Moves a contact to its next phase (enqueue, wrap-up, end, abandon); a web-chat client
    /// hears that their conversation ended.
    pub async fn move_contact(
        &self,
        id: Uuid,
        state: InteractionState,
        actor: Actor,
    ) -> CentreResult<Interaction> {
        let contact = self.store.get_interaction(id).await?;
        let also = if contact.channel == Channel::WebChat && state == InteractionState::Ended {
            let teller = self.teller_for(Uuid::nil(), Channel::WebChat).await;
            Also::telling(move |a: &Appeal| {
                let text = teller.render(
                    baylanys_domain::templates::Notice::Ended,
                    a.language,
                    &[("number", Some(a.number.as_str()))],
                );
                vec![entry(MessageKind::Close, text, None, format!("close:{id}"))]
            })
        } else {
            Also::nothing()
        };
        let moved = self
            .store
            .update_interaction(id, state, None, actor, also)
            .await?;
        self.moved(&moved).await;
        Ok(moved)
    }

    /// Transfers or escalates a contact (R18, R24.2); a web-chat client hears it.
    pub async fn transfer(
        &self,
        id: Uuid,
        transfer: Transfer,
        actor: Actor,
    ) -> CentreResult<Interaction> {
        let contact = self.store.get_interaction(id).await?;
        let escalation = transfer.escalation;
        let also = if contact.channel == Channel::WebChat {
            let key = format!("transfer:{id}:{}", Uuid::now_v7());
            Also::telling(move |a: &Appeal| {
                vec![entry(
                    MessageKind::Transfer,
                    notice::transfer(a.language, escalation),
                    None,
                    key,
                )]
            })
        } else {
            Also::nothing()
        };
        let moved = self.store.transfer(id, transfer, actor, also).await?;
        self.moved(&moved).await;
        // A caller talking to the operator is taken from their phone to wait for the next.
        if contact.channel == Channel::Voice && contact.state == InteractionState::Answered {
            self.release_operator(moved.id).await;
        }
        Ok(moved)
    }

    /// After a contact moved: routing and the staff sockets are woken, and a web chat's
    /// sockets read the entry it brought.
    async fn moved(&self, contact: &Interaction) {
        self.changed();
        if contact.channel == Channel::WebChat {
            match self
                .store
                .get_appeal(contact.appeal_id, AppealScope::All)
                .await
            {
                Ok(a) => self.published(a.id, a.last_seq),
                Err(e) => tracing::warn!(error = %e, "appeal of a moved contact"),
            }
        }
    }
}
