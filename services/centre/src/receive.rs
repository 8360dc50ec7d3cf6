//! One inbound item from any channel (R5.3, R5.4): a web-chat visitor's first words or next
//! message, a mail, a Telegram update, a call. It finds (or makes) the client, finds (or opens)
//! the appeal, stores the text, puts a contact in the queue the routing table chooses when none
//! is open, and tells the citizen the new appeal's number and expected date (R6.1) on their
//! channel. Replaying the same item — same channel, same external id — changes nothing.

use baylanys_domain::{AppealKind, AppealScope, Author, Channel, Direction, Language, Priority};
use baylanys_store::{
    Actor, Appeal, ClientLookup, ContactStart, Message, MessageExtras, NewAppeal, NewClient,
    NewMessage, StoreError,
};
use uuid::Uuid;

use crate::claims::{Checked, Claims};
use crate::{Centre, CentreResult};

/// Where an inbound item belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thread {
    /// The appeal the channel already ties this conversation to (the web chat's session, a
    /// mail's `In-Reply-To`). A closed appeal takes no more: the caller opens a new one.
    Appeal(Uuid),
    /// A new appeal — of this client when the channel already knows who it is (the same
    /// visitor after a closed conversation).
    New { client_id: Option<Uuid> },
}

/// One item as a channel adapter hands it over.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub channel: Channel,
    pub thread: Thread,
    /// The item's own id on its channel (a chat message's client id, a `Message-ID`, a
    /// Telegram `update_id`): `(channel, external_id)` is stored once.
    pub external_id: Option<String>,
    /// The sender's address on the channel, as the channel proves it (the mailbox a mail came
    /// from, the number a call came from): it finds the client (DESIGN principle 11).
    pub sender: Option<String>,
    /// What the sender says about themselves: checked, and kept on a new record only.
    pub claims: Claims,
    pub language: Language,
    pub topic_id: Option<Uuid>,
    /// The text, if the item has any (a web chat's `hello` has none).
    pub text: Option<String>,
    /// A new appeal's subject (a mail's).
    pub subject: Option<String>,
    /// Where a new appeal's contact waits when the channel says (a mailbox feeds a queue);
    /// `None`: the routing table decides.
    pub queue_id: Option<Uuid>,
    /// A mail's headers, the files that came with the item.
    pub extras: MessageExtras,
    /// Written by a machine (an auto-reply) or held back (a flood from one sender): stored on
    /// the appeal, but no contact is queued for it and the citizen is not told of a new appeal,
    /// so two robots never answer each other.
    pub quiet: bool,
    /// Where a new appeal's contact starts: waiting in the queue, or (a call) in the voice
    /// menu, entering a queue when the caller leaves it.
    pub first_contact: ContactStart,
    pub actor: Actor,
}

impl Inbound {
    /// An item with nothing but its channel, thread and language, from the client on that
    /// channel; the rest is set by field.
    pub fn new(channel: Channel, thread: Thread, language: Language) -> Self {
        Inbound {
            channel,
            thread,
            external_id: None,
            sender: None,
            claims: Claims::default(),
            language,
            topic_id: None,
            text: None,
            subject: None,
            queue_id: None,
            extras: MessageExtras::default(),
            quiet: false,
            first_contact: ContactStart::Queued,
            actor: Actor::Client { channel },
        }
    }
}

/// What receiving did.
#[derive(Debug, Clone)]
pub struct Received {
    pub appeal_id: Uuid,
    /// The appeal this item opened (or, on a replay, opened the first time); `None` when the
    /// item joined the appeal its thread named.
    pub opened: Option<Appeal>,
    /// The stored text (or, on a replay, the text stored the first time).
    pub message: Option<Message>,
    /// Something new was stored; `false` for a replay.
    pub stored: bool,
}

impl Centre {
    /// Receives one inbound item; see the module documentation. Bad claims or text are refused
    /// before anything is stored. An appeal that is closed (or not found) is the store's error:
    /// the channel decides whether to open a new one.
    pub async fn receive(&self, item: Inbound) -> CentreResult<Received> {
        let checked = item.claims.clone().check()?;
        match item.thread {
            Thread::Appeal(appeal_id) => self.receive_in(appeal_id, item).await,
            Thread::New { client_id } => {
                let client_id = match client_id {
                    Some(c) => c,
                    None => self.client_of(&item, checked).await?,
                };
                self.open(client_id, item).await
            }
        }
    }

    /// The next item of a conversation with an appeal.
    async fn receive_in(&self, appeal_id: Uuid, item: Inbound) -> CentreResult<Received> {
        let Some(text) = item.text else {
            self.store.get_appeal(appeal_id, AppealScope::All).await?;
            return Ok(Received {
                appeal_id,
                opened: None,
                message: None,
                stored: false,
            });
        };
        let stored = self
            .store
            .add_message(
                appeal_id,
                NewMessage {
                    author: Author::Client,
                    kind: baylanys_domain::MessageKind::Text,
                    staff_id: None,
                    channel: Some(item.channel),
                    body: text,
                    interaction_id: None,
                    external_id: item.external_id,
                    extras: item.extras,
                },
                AppealScope::All,
                item.actor,
            )
            .await?;
        if stored.created {
            self.published(appeal_id, stored.value.seq);
            // The client wrote while no contact of theirs is open on this channel (theirs
            // ended, the appeal still open): a new contact waits, so the message is not left
            // unseen. A machine's mail waits for no one.
            if stored.value.interaction_id.is_none() && !item.quiet {
                self.requeue(appeal_id, item.channel, item.actor).await;
            }
        }
        // Told on a replay too: a crash between the message and its auto-reply is mended by
        // the channel's retry (the notice's key keeps it to once).
        if !item.quiet {
            self.tell_interruption(appeal_id, item.channel).await;
        }
        Ok(Received {
            appeal_id,
            opened: None,
            stored: stored.created,
            message: Some(stored.value),
        })
    }

    async fn requeue(&self, appeal_id: Uuid, channel: Channel, actor: Actor) {
        let queued = match self.store.get_appeal(appeal_id, AppealScope::All).await {
            Ok(appeal) => {
                self.queue_contact(
                    &appeal,
                    channel,
                    Direction::Inbound,
                    None,
                    ContactStart::Queued,
                    actor,
                )
                .await
            }
            Err(e) => Err(e.into()),
        };
        if let Err(e) = queued {
            tracing::warn!(error = %e, "contact not queued again");
        }
    }

    /// A new appeal of the client, its contact waiting in the queue the routing table chooses;
    /// the text (if any) is its first message.
    async fn open(&self, client_id: Uuid, item: Inbound) -> CentreResult<Received> {
        let kind = AppealKind::Request;
        let queue_id = match item.queue_id {
            Some(q) => Some(q),
            None => {
                self.choose_queue(item.topic_id, item.language, kind, item.channel)
                    .await?
            }
        };
        let received = baylanys_store::now();
        let due_at = self.due_for(kind, received).await?;
        let also = if item.quiet {
            baylanys_store::Also::nothing()
        } else {
            let interruption = if crate::interruption::auto_replied(item.channel) {
                self.interruption().await?
            } else {
                None
            };
            self.registered(client_id, item.channel, interruption).await
        };
        let ingested = self
            .store
            .create_appeal(
                NewAppeal {
                    client_id,
                    kind,
                    topic_id: item.topic_id,
                    channel: item.channel,
                    language: item.language,
                    priority: Priority::default(),
                    queue_id,
                    subject: item.subject,
                    external_id: item.external_id,
                    first_message: item.text,
                    due_at: Some(due_at),
                    // It waits for an operator in the queue the routing table chose (a call:
                    // after the voice menu).
                    first_contact: item.first_contact,
                    first_extras: item.extras,
                },
                item.actor,
                also,
            )
            .await?;
        let appeal = ingested.value;
        let message = if appeal.last_seq > 0 {
            self.store
                .messages_after(appeal.id, 0, 1)
                .await?
                .into_iter()
                .next()
        } else {
            None
        };
        if ingested.created {
            self.changed();
            self.told(&appeal);
        }
        Ok(Received {
            appeal_id: appeal.id,
            opened: Some(appeal),
            message,
            stored: ingested.created,
        })
    }

    /// The client a new conversation belongs to: the record the sender's proved address on the
    /// channel points at; else a new record of its own. What the visitor typed about themselves
    /// — IIN, phone, e-mail — is a claim on that record (R11, DESIGN principle 11): it joins
    /// the conversation to no other client's history, and nothing is sent to a claimed address,
    /// until staff verify the visitor (`Centre::verification_target`). Two first contacts
    /// racing from one proved address: the loser finds the winner's record.
    async fn client_of(&self, item: &Inbound, checked: Checked) -> CentreResult<Uuid> {
        let proved = match &item.sender {
            Some(s) => Some((
                item.channel,
                crate::claims::channel_address(item.channel, s)?,
            )),
            None => None,
        };
        if let Some(found) = self.proved_client(&proved).await? {
            return Ok(found);
        }
        let created = self
            .store
            .create_client(
                NewClient {
                    name: checked.name.clone(),
                    iin: None,
                    bin: None,
                    language: item.language,
                    vulnerable: false,
                    do_not_contact: false,
                    identities: proved.iter().cloned().collect(),
                },
                Actor::SYSTEM,
            )
            .await;
        let client_id = match created {
            Ok(c) => c.id,
            Err(StoreError::Conflict(_)) => match self.proved_client(&proved).await? {
                Some(found) => return Ok(found),
                None => {
                    return Err(
                        StoreError::Conflict("the client record changed; try again".into()).into(),
                    )
                }
            },
            Err(e) => return Err(e.into()),
        };
        let claims = [
            ("iin", checked.iin.map(|i| i.as_str().to_owned())),
            ("phone", checked.phone),
            ("email", checked.email),
        ];
        for (kind, value) in claims {
            if let Some(value) = value {
                self.store
                    .add_claim(client_id, kind, &value, item.channel, Actor::SYSTEM)
                    .await?;
            }
        }
        Ok(client_id)
    }

    /// The record a proved channel address belongs to.
    async fn proved_client(
        &self,
        proved: &Option<(Channel, String)>,
    ) -> CentreResult<Option<Uuid>> {
        let Some((channel, address)) = proved else {
            return Ok(None);
        };
        Ok(self
            .store
            .find_clients(ClientLookup::Identity(*channel, address.clone()), 1)
            .await?
            .into_iter()
            .next()
            .map(|c| c.id))
    }
}
