//! A staff reply, stored on the appeal's timeline and delivered **on the appeal's own channel**
//! (R5.3, R6): in the web chat through the live socket (the conversation's sockets read it by
//! `seq`); to an e-mail appeal as a mail of the citizen's thread — our `Message-ID`, with
//! `In-Reply-To` and `References` chaining it to the mails before it — with the phone's SMS as
//! the fallback; to an appeal of another channel (a call, a visit) by the e-mail or SMS on file,
//! as notices go. The message and the outbox delivery that carries it commit together, so an
//! acknowledged reply is never stored without its way out.

use baylanys_domain::{AppealScope, Author, Channel, DeliveryVia, Direction, MessageKind};
use baylanys_store::{Actor, Appeal, MailThread, Message, NewDelivery, NewMessage};
use uuid::Uuid;

use crate::notify::address;
use crate::{Centre, CentreResult};

/// A mail's `References` keeps the thread's first id and the latest ones: enough for every
/// mail program to thread it, bounded however long the conversation.
const MAX_REFERENCES: usize = 10;

/// A reply as staff write it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub appeal_id: Uuid,
    pub staff_id: Uuid,
    pub body: String,
    /// `None`: the appeal's own channel.
    pub channel: Option<Channel>,
    /// The caller's idempotency key: a resend returns the stored reply and sends nothing again.
    pub external_id: Option<String>,
    pub scope: AppealScope,
    pub actor: Actor,
}

/// What replying did.
#[derive(Debug, Clone)]
pub struct Replied {
    pub message: Message,
    /// `false`: a resend of a reply already stored.
    pub created: bool,
    /// How it leaves the centre off the live socket; `None` for the web chat, and for a client
    /// who cannot be reached (no address on file, or no sender configured).
    pub delivery: Option<DeliveryVia>,
}

impl Centre {
    pub async fn reply(&self, r: Reply) -> CentreResult<Replied> {
        let appeal = self.store.get_appeal(r.appeal_id, r.scope).await?;
        let channel = r.channel.unwrap_or(appeal.channel);
        let mut message = NewMessage {
            author: Author::Operator,
            kind: MessageKind::Text,
            staff_id: Some(r.staff_id),
            channel: Some(channel),
            body: r.body,
            interaction_id: None,
            external_id: r.external_id,
            extras: Default::default(),
        };
        let delivery = match channel {
            Channel::WebChat => None,
            Channel::Email => self.mail_reply(&appeal, &message.body).await?,
            _ => self.plain_reply(&appeal, &message.body).await,
        };
        let Some(delivery) = delivery else {
            if channel != Channel::WebChat {
                tracing::warn!(appeal_id = %appeal.id, channel = channel.as_str(),
                    "a reply stored with no way to reach the client on file");
            }
            let stored = self
                .store
                .add_message(appeal.id, message, r.scope, r.actor)
                .await?;
            if stored.created {
                self.published(appeal.id, stored.value.seq);
            }
            return Ok(Replied {
                message: stored.value,
                created: stored.created,
                delivery: None,
            });
        };
        // The message is recorded on the channel it actually leaves by: a text to the phone is
        // the phone's (voice), as notices are.
        let via = delivery.method;
        if via == DeliveryVia::Sms {
            message.channel = Some(Channel::Voice);
        }
        let stored = self
            .store
            .add_delivered_message(appeal.id, message, delivery, r.scope, r.actor)
            .await?;
        if stored.created {
            self.published(appeal.id, stored.value.seq);
            self.wake.outbox.notify_one();
        }
        Ok(Replied {
            message: stored.value,
            created: stored.created,
            delivery: Some(via),
        })
    }

    /// A reply to an e-mail appeal: a mail of the citizen's thread to the address on file, the
    /// phone's SMS as the fallback.
    async fn mail_reply(&self, appeal: &Appeal, body: &str) -> CentreResult<Option<NewDelivery>> {
        let client = self.store.get_client(appeal.client_id).await?;
        let sms = address(&client, Channel::Voice)
            .filter(|_| self.reach.sms)
            .map(|a| (DeliveryVia::Sms, a));
        // Back to the address the citizen's mails came from (the latest), else the one on file.
        let to = match self.store.mail_senders(appeal.id).await?.into_iter().next() {
            Some(sender) => Some(sender),
            None => address(&client, Channel::Email),
        };
        let Some(to) = to.filter(|_| self.reach.email) else {
            return Ok(sms.map(|(method, address)| NewDelivery {
                method,
                address,
                subject: None,
                payload: body.to_owned(),
                fallbacks: Vec::new(),
                mail_thread: None,
                buttons: Vec::new(),
            }));
        };
        Ok(Some(NewDelivery {
            method: DeliveryVia::Email,
            address: to,
            subject: Some(crate::notify::mail_subject(appeal)),
            payload: body.to_owned(),
            fallbacks: sms.into_iter().collect(),
            mail_thread: Some(self.next_in_thread(appeal).await?),
            buttons: Vec::new(),
        }))
    }

    /// The place of our next mail in the appeal's thread: a fresh `Message-ID` of this centre,
    /// in reply to the citizen's latest mail (else our latest), referencing the thread.
    pub(crate) async fn next_in_thread(&self, appeal: &Appeal) -> CentreResult<MailThread> {
        let ids = self.store.mail_thread_ids(appeal.id).await?;
        let parent = ids
            .iter()
            .rev()
            .find(|(_, d)| *d == Direction::Inbound)
            .or(ids.last())
            .map(|(id, _)| id.clone());
        Ok(MailThread {
            message_id: format!("<{}@{}>", Uuid::now_v7(), self.settings.mail_domain),
            in_reply_to: parent,
            references: references(ids.into_iter().map(|(id, _)| id).collect()),
        })
    }

    /// A written reply to an appeal of a channel that has no written way back (a call, a
    /// visit): by the e-mail or SMS on file, as notices go.
    async fn plain_reply(&self, appeal: &Appeal, body: &str) -> Option<NewDelivery> {
        let plan = self.delivery_plan(appeal).await;
        let ((method, address), rest) = plan.split_first()?;
        Some(NewDelivery {
            method: *method,
            address: address.clone(),
            subject: Some(crate::notify::subject(appeal)),
            payload: body.to_owned(),
            fallbacks: rest.to_vec(),
            mail_thread: None,
            buttons: Vec::new(),
        })
    }
}

fn references(mut ids: Vec<String>) -> Vec<String> {
    if ids.len() > MAX_REFERENCES {
        let tail = ids.split_off(ids.len() - (MAX_REFERENCES - 1));
        ids.truncate(1);
        ids.extend(tail);
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_keep_the_first_and_the_latest() {
        let ids: Vec<String> = (0..25).map(|i| format!("<{i}@x.kz>")).collect();
        let kept = references(ids);
        assert_eq!(kept.len(), MAX_REFERENCES);
        assert_eq!(kept[0], "<0@x.kz>");
        assert_eq!(kept[1], "<16@x.kz>");
        assert_eq!(kept[MAX_REFERENCES - 1], "<24@x.kz>");
        let few: Vec<String> = vec!["<a@x.kz>".into()];
        assert_eq!(references(few.clone()), few);
    }
}
