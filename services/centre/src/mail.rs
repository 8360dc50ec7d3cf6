//! One mail read from a mailbox (R5.3, R5.4), as the mailbox poller hands it over: it joins the
//! appeal it answers — by `In-Reply-To` / `References` to a mail we received or sent, else by
//! the appeal number in its subject when it comes from that appeal's own address — or opens a
//! new one, and the citizen is told the number and date (R6.1) in the mail's thread. A robot's
//! mail (an auto-reply, a list, a bounce) is never answered: a bounce is recorded on the
//! delivery it reports, an auto-reply to our mail is kept quietly on its appeal, any other is
//! held in the mailbox's log. One sender's flood joins their latest appeal instead of opening
//! hundreds. Whatever happens to a mail is one line of the mailbox's log.

use baylanys_channels::mail::parse::{self, Attachment, InboundMail};
use baylanys_domain::{AppealScope, AppealStatus, Channel, Language};
use baylanys_store::{
    Files, MailHeaders, MailOutcome, Mailbox, MessageExtras, NewAttachment, NewMailLog,
};
use uuid::Uuid;

use crate::{Centre, CentreResult, Claims, Inbound, Thread};

/// What the centre takes from a mailbox.
#[derive(Debug, Clone)]
pub struct MailLimits {
    /// A mail larger than this is not fetched whole: its headers are recorded and it stays on
    /// the mail server.
    pub max_mail: u32,
    /// A file larger than this is recorded (name, type, size) but not kept.
    pub max_file: u64,
    /// Files kept of one mail; the rest are recorded as refused.
    pub max_files: usize,
    /// New appeals one sender may open through one mailbox in a minute; later mails join the
    /// latest of them, unanswered.
    pub per_sender_per_minute: u32,
    /// The longest text kept of one mail (characters); the rest is cut with a mark.
    pub max_text: usize,
}

impl Default for MailLimits {
    fn default() -> Self {
        MailLimits {
            max_mail: 64 * 1024 * 1024,
            max_file: 10 * 1024 * 1024,
            max_files: 20,
            per_sender_per_minute: 5,
            max_text: 100_000,
        }
    }
}

/// One fetched mail and where it sits in its mailbox.
#[derive(Debug, Clone)]
pub struct MailIn {
    pub uid_validity: u32,
    pub uid: u32,
    pub size: u32,
    /// The whole mail; `None` when it was larger than [`MailLimits::max_mail`].
    pub raw: Option<Vec<u8>>,
    /// Its header block.
    pub header: Vec<u8>,
}

/// What became of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailReceipt {
    pub outcome: MailOutcome,
    pub appeal_id: Option<Uuid>,
}

/// Why a file was recorded but not kept: a stable code the console words in the operator's
/// language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Larger than [`MailLimits::max_file`].
    TooLarge,
    /// A program or script.
    Program,
    /// Past [`MailLimits::max_files`] of one mail.
    TooMany,
    /// The whole mail was larger than [`MailLimits::max_mail`]; it stays on the mail server.
    MailTooLarge,
}

impl Refused {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refused::TooLarge => "too_large",
            Refused::Program => "program",
            Refused::TooMany => "too_many",
            Refused::MailTooLarge => "mail_too_large",
        }
    }
}

/// File types never kept, whatever the sender calls them: programs and scripts a click would
/// run on an operator's machine.
const REFUSED_TYPES: &[&str] = &[
    "application/x-msdownload",
    "application/x-msdos-program",
    "application/x-ms-installer",
    "application/x-dosexec",
    "application/x-executable",
    "application/x-sh",
    "application/x-bat",
    "application/hta",
    "application/javascript",
    "text/javascript",
    "application/x-javascript",
    "text/vbscript",
];
const REFUSED_EXTENSIONS: &[&str] = &[
    "exe", "com", "scr", "bat", "cmd", "msi", "js", "jse", "vbs", "vbe", "wsf", "hta", "ps1",
    "jar", "lnk", "sh",
];

impl Centre {
    /// Takes one mail of `mailbox`; see the module documentation. An error is a store error
    /// (the database is down): nothing of the mail was committed, and the poller reads it again.
    pub async fn receive_mail(
        &self,
        mailbox: &Mailbox,
        files: &Files,
        limits: &MailLimits,
        m: MailIn,
    ) -> CentreResult<MailReceipt> {
        let log =
            |outcome, mail: Option<&InboundMail>, detail: Option<String>, appeal| NewMailLog {
                mailbox_id: mailbox.id,
                uid_validity: m.uid_validity,
                uid: m.uid,
                mail_id: mail.and_then(|x| x.message_id.clone()),
                sender: mail.and_then(|x| x.from.as_ref().map(|a| a.email.clone())),
                outcome,
                detail,
                appeal_id: appeal,
                size: u64::from(m.size),
            };
        let (mail, too_large) = match &m.raw {
            Some(raw) => (parse::parse(raw), false),
            None => (parse::parse(&m.header), true),
        };
        let mut mail = match mail {
            Ok(mail) => mail,
            Err(_) => {
                // Kept byte for byte, so nothing is lost; staff find it by the log's key.
                let raw = m.raw.as_deref().unwrap_or(&m.header);
                let key = files.put(raw).await?;
                let entry = log(
                    MailOutcome::Unreadable,
                    None,
                    Some(format!("not a readable mail; kept as file {key}")),
                    None,
                );
                self.store.log_mail(entry).await?;
                return Ok(MailReceipt {
                    outcome: MailOutcome::Unreadable,
                    appeal_id: None,
                });
            }
        };
        let external_id = mail.message_id.clone().unwrap_or_else(|| {
            format!(
                "sha256:{}",
                Files::key(m.raw.as_deref().unwrap_or(&m.header))
            )
        });

        // Read before (a cut connection, a rebuilt mailbox): recorded, nothing else.
        if let Some(appeal) = self
            .store
            .appeal_of_mail(std::slice::from_ref(&external_id))
            .await?
        {
            let entry = log(MailOutcome::Duplicate, Some(&mail), None, Some(appeal));
            self.store.log_mail(entry).await?;
            return Ok(MailReceipt {
                outcome: MailOutcome::Duplicate,
                appeal_id: Some(appeal),
            });
        }

        if let Some(bounce) = mail.bounce.clone() {
            if let Some(original) = bounce.original_message_id.clone() {
                let bounced = baylanys_store::Bounced {
                    mail_id: original.clone(),
                    status: bounce.status.clone(),
                    diagnostic: bounce.diagnostic.clone(),
                    permanent: bounce.permanent,
                };
                let detail = format!(
                    "bounce of {original}: {}",
                    bounce.status.as_deref().unwrap_or("no status")
                );
                let entry = log(MailOutcome::Bounce, Some(&mail), Some(detail), None);
                if let Some(d) = self.store.delivery_bounced(bounced, entry).await? {
                    self.wake.outbox.notify_one();
                    return Ok(MailReceipt {
                        outcome: MailOutcome::Bounce,
                        appeal_id: Some(d.appeal_id),
                    });
                }
            }
        }

        // The address a reply goes back to, as every channel stores it; a mail without a usable
        // one cannot be answered and opens nothing.
        let from = mail.from.clone().and_then(|a| {
            let email = crate::channel_address(Channel::Email, &a.email).ok()?;
            email.contains('@').then_some(parse::Address {
                name: a.name.map(|n| clean(&n, 200)).filter(|n| !n.is_empty()),
                email,
            })
        });
        let Some(from) = from else {
            let entry = log(
                MailOutcome::Automatic,
                Some(&mail),
                Some("no usable sender address".into()),
                None,
            );
            self.store.log_mail(entry).await?;
            return Ok(MailReceipt {
                outcome: MailOutcome::Automatic,
                appeal_id: None,
            });
        };
        let answered = self.thread_of(&mail, &from.email).await?;
        let automatic = mail.automatic.clone().or_else(|| {
            // Our own mail come back (a forward loop, a misconfigured alias): a robot's.
            mail.message_id
                .as_deref()
                .filter(|id| id.ends_with(&format!("@{}>", self.settings.mail_domain)))
                .map(|_| parse::Automatic::AutoResponse)
        });

        let mut quiet = false;
        let mut outcome = MailOutcome::Opened;
        let thread = match (answered, &automatic) {
            (Some(t), Some(_)) => {
                quiet = true;
                t
            }
            (Some(t), None) => t,
            (None, Some(why)) => {
                let entry = log(
                    MailOutcome::Automatic,
                    Some(&mail),
                    Some(format!("written by a machine ({why:?}); not answered")),
                    None,
                );
                self.store.log_mail(entry).await?;
                return Ok(MailReceipt {
                    outcome: MailOutcome::Automatic,
                    appeal_id: None,
                });
            }
            (None, None) => {
                let since = baylanys_store::now() - chrono::Duration::seconds(60);
                let (opened, latest) = self
                    .store
                    .opened_by_sender(mailbox.id, &from.email, since)
                    .await?;
                match latest {
                    Some(latest) if opened >= limits.per_sender_per_minute => {
                        quiet = true;
                        outcome = MailOutcome::RateLimited;
                        Thread::Appeal(latest)
                    }
                    _ => Thread::New { client_id: None },
                }
            }
        };

        let attachments = std::mem::take(&mut mail.attachments);
        let mut kept = self.keep_files(files, limits, attachments).await?;
        if too_large {
            kept.push(NewAttachment {
                name: mail.subject.clone().map(|s| format!("{s}.eml")),
                content_type: "message/rfc822".into(),
                size: u64::from(m.size),
                sha256: String::new(),
                refused: Some(Refused::MailTooLarge.as_str().to_owned()),
            });
        }
        let language = match mail.language_hint() {
            Some("kk") => Language::Kk,
            Some("ru") => Language::Ru,
            _ => mailbox.language,
        };
        let text = mail_text(&mail, limits.max_text);
        let headers = MailHeaders {
            mailbox_id: Some(mailbox.id),
            subject: mail.subject.as_deref().map(|s| clean(s, 500)),
            sender: Some(from.email.clone()),
            to: mail.to.iter().map(|a| clean(&a.email, 320)).collect(),
            cc: mail.cc.iter().map(|a| clean(&a.email, 320)).collect(),
            recipients: u32::try_from(mail.recipients).unwrap_or(u32::MAX),
            quoted: mail.quoted.as_deref().map(|q| clean(q, limits.max_text)),
            from_html: mail.from_html,
            automatic: automatic.as_ref().map(|a| format!("{a:?}")),
        };
        let mut item = Inbound::new(Channel::Email, thread, language);
        item.external_id = Some(external_id);
        item.sender = Some(from.email.clone());
        item.claims = Claims {
            name: from.name.clone(),
            ..Claims::default()
        };
        item.topic_id = mailbox.topic_id;
        item.queue_id = mailbox.queue_id;
        item.subject = mail.subject.as_deref().map(|s| clean(s, 500));
        item.text = Some(text);
        item.extras = MessageExtras {
            mail: Some(headers),
            attachments: kept,
            edits: None,
        };
        item.quiet = quiet;
        let raw = m.raw.as_deref().unwrap_or(&m.header);
        let received = self.receive(item.clone()).await;
        let received = match received {
            Ok(r) => r,
            Err(crate::CentreError::Domain(e)) => {
                return self
                    .refused(
                        raw,
                        files,
                        log(MailOutcome::Unreadable, Some(&mail), None, None),
                        e,
                    )
                    .await
            }
            // A closed appeal takes no more: the mail opens a new one of the same client.
            Err(crate::CentreError::Store(baylanys_store::StoreError::Conflict(_)))
                if matches!(item.thread, Thread::Appeal(_)) =>
            {
                let client = match item.thread {
                    Thread::Appeal(a) => self
                        .store
                        .get_appeal(a, AppealScope::All)
                        .await
                        .ok()
                        .map(|a| a.client_id),
                    Thread::New { client_id } => client_id,
                };
                item.thread = Thread::New { client_id: client };
                item.quiet = automatic.is_some();
                outcome = MailOutcome::Opened;
                match self.receive(item).await {
                    Ok(r) => r,
                    Err(crate::CentreError::Domain(e)) => {
                        let entry = log(MailOutcome::Unreadable, Some(&mail), None, None);
                        return self.refused(raw, files, entry, e).await;
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        let outcome = match (received.stored, received.opened.is_some(), outcome) {
            (false, _, _) => MailOutcome::Duplicate,
            (true, _, MailOutcome::RateLimited) => MailOutcome::RateLimited,
            (true, true, _) => MailOutcome::Opened,
            (true, false, _) => MailOutcome::Joined,
        };
        let detail = match outcome {
            MailOutcome::RateLimited => Some(format!(
                "more than {} new appeals from this sender in a minute: joined the latest, not answered",
                limits.per_sender_per_minute
            )),
            _ if quiet => Some("written by a machine: kept on its appeal, not answered".into()),
            _ => None,
        };
        let entry = log(outcome, Some(&mail), detail, Some(received.appeal_id));
        self.store.log_mail(entry).await?;
        Ok(MailReceipt {
            outcome,
            appeal_id: Some(received.appeal_id),
        })
    }

    /// A mail the centre's checks refused (a field no record can hold): kept byte for byte in
    /// the attachment store and logged with why, so the poller moves on and nothing is lost.
    async fn refused(
        &self,
        raw: &[u8],
        files: &Files,
        mut entry: NewMailLog,
        why: baylanys_domain::DomainError,
    ) -> CentreResult<MailReceipt> {
        let key = files.put(raw).await?;
        entry.detail = Some(format!("refused: {why}; kept as file {key}"));
        self.store.log_mail(entry).await?;
        Ok(MailReceipt {
            outcome: MailOutcome::Unreadable,
            appeal_id: None,
        })
    }

    /// The open appeal a mail answers, or for a closed one a new appeal of its client. By our
    /// thread first; by the number in the subject only when the mail comes from an address the
    /// appeal's mails came from or its client holds, so writing a number does not let a
    /// stranger into someone's appeal.
    async fn thread_of(&self, mail: &InboundMail, sender: &str) -> CentreResult<Option<Thread>> {
        let mut found = self.store.appeal_of_mail(&mail.answered_ids()).await?;
        if found.is_none() {
            if let Some(number) = mail.appeal_number() {
                if let Some(id) = self.store.appeal_by_number(&number).await? {
                    if self.writes_from(id, sender).await? {
                        found = Some(id);
                    }
                }
            }
        }
        let Some(id) = found else { return Ok(None) };
        let appeal = self.store.get_appeal(id, AppealScope::All).await?;
        Ok(Some(if appeal.status == AppealStatus::Closed {
            Thread::New {
                client_id: Some(appeal.client_id),
            }
        } else {
            Thread::Appeal(id)
        }))
    }

    /// Whether `sender` is an address of the appeal: one its mails came from, or its client's.
    async fn writes_from(&self, appeal_id: Uuid, sender: &str) -> CentreResult<bool> {
        if self
            .store
            .mail_senders(appeal_id)
            .await?
            .iter()
            .any(|s| s == sender)
        {
            return Ok(true);
        }
        let appeal = self.store.get_appeal(appeal_id, AppealScope::All).await?;
        let client = self.store.get_client(appeal.client_id).await?;
        Ok(client
            .identities
            .iter()
            .any(|i| i.channel == Channel::Email && i.address.eq_ignore_ascii_case(sender)))
    }

    /// Keeps what the limits allow in the attachment store; records the rest with why.
    async fn keep_files(
        &self,
        files: &Files,
        limits: &MailLimits,
        attachments: Vec<Attachment>,
    ) -> CentreResult<Vec<NewAttachment>> {
        let mut out = Vec::with_capacity(attachments.len());
        for (i, a) in attachments.into_iter().enumerate() {
            let size = a.bytes.len() as u64;
            let refused = if i >= limits.max_files {
                Some(Refused::TooMany)
            } else if size > limits.max_file {
                Some(Refused::TooLarge)
            } else if refused_type(&a) {
                Some(Refused::Program)
            } else {
                None
            };
            let sha256 = match refused {
                Some(_) => Files::key(&a.bytes),
                None => files.put(&a.bytes).await?,
            };
            out.push(NewAttachment {
                name: a.name.map(|n| clean(&n, 200)),
                content_type: clean(&a.content_type, 100),
                size,
                sha256,
                refused: refused.map(|r| r.as_str().to_owned()),
            });
        }
        Ok(out)
    }
}

fn refused_type(a: &Attachment) -> bool {
    is_program(a.name.as_deref(), &a.content_type)
}

/// A program or script a click would run on an operator's machine, by its type or its name:
/// never kept, whatever channel brings it.
pub(crate) fn is_program(name: Option<&str>, content_type: &str) -> bool {
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    REFUSED_TYPES.contains(&content_type)
        || ext.is_some_and(|e| REFUSED_EXTENSIONS.contains(&e.as_str()))
}

/// The text stored for a mail: what the sender wrote now, else its subject; bounded.
fn mail_text(mail: &InboundMail, max: usize) -> String {
    let text = if mail.text.trim().is_empty() {
        mail.subject.clone().unwrap_or_default()
    } else {
        mail.text.clone()
    };
    if text.chars().count() > max {
        let mut cut: String = text.chars().take(max).collect();
        cut.push_str("\n[…]");
        cut
    } else {
        text
    }
}

/// A header value as stored: no control characters (PostgreSQL refuses NUL in text, and no
/// screen should show the others), at most `max` characters.
pub(crate) fn clean(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .take(max)
        .collect()
}
