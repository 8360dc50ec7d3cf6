//! One raw mail (RFC 5322 bytes as IMAP fetched them) read into what the contact centre stores.
//!
//! mail-parser does the MIME work (transfer encodings, charsets, RFC 2047 and RFC 2231); this
//! module decides what the centre keeps: ids with their angle brackets (mail-parser strips them,
//! lettre and the store need them), bounded lists and texts (a mail may name 500 recipients or
//! carry a 100 KB subject), what the sender wrote now apart from the quoted history, whether a
//! machine wrote the mail (such mails get no automatic answer, or two auto-responders would
//! answer each other forever), and whether it reports one of our mails as undeliverable.
//!
//! Nothing here fails on a malformed mail that has anything readable: a bad part is left out or
//! kept as text, never the whole mail lost.

mod fold;
mod html;
mod machine;

use mail_parser::{Addr, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// At most this many To, Cc and References are kept (a mail to 500 recipients is counted, not
/// listed).
const MAX_LIST: usize = 50;
const MAX_SUBJECT: usize = 500;
const MAX_FILE_NAME: usize = 200;
/// Display names are the sender's free text; kept as long as a file name.
const MAX_DISPLAY_NAME: usize = 200;
/// A message id longer than a mail line may be (RFC 5322 §2.1.1) is not one.
const MAX_ID: usize = 998;

/// A mailbox address as the mail names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The display name, control characters removed, at most 200 characters.
    pub name: Option<String>,
    /// Lower-cased and trimmed.
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The decoded file name (RFC 2231 / RFC 2047) reduced to its last path component, without
    /// control or bidirectional-override characters, at most 200 characters (the extension kept).
    pub name: Option<String>,
    /// Lower-case `type/subtype` only, e.g. "application/pdf".
    pub content_type: String,
    /// The decoded content. A text part comes as UTF-8, whatever charset it was sent in (the
    /// charset is not kept in `content_type`, so UTF-8 is the only reading that stays right).
    pub bytes: Vec<u8>,
}

/// Why a mail was written by a machine, not a person: it gets no automatic answer (no loops).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Automatic {
    /// Auto-Submitted: anything but "no" (RFC 3834); the keyword, lower-cased.
    AutoSubmitted(String),
    /// Precedence: bulk / list / junk / auto_reply; the value, lower-cased.
    Precedence(String),
    /// List-Id or List-Unsubscribe present.
    MailingList,
    /// From mailer-daemon@ / postmaster@, or an empty Return-Path "<>".
    MailerDaemon,
    /// X-Autoreply, X-Autorespond, or X-Auto-Response-Suppress: All / OOF / AutoReply (Microsoft).
    AutoResponse,
    /// Content-Type multipart/report (DSN, MDN).
    Report,
}

/// A delivery status notification (RFC 3464) for a mail we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The Message-ID of the mail that bounced, with angle brackets: from the returned
    /// message/rfc822 or text/rfc822-headers part, else from In-Reply-To/References.
    pub original_message_id: Option<String>,
    /// "5.1.1" from the message/delivery-status part.
    pub status: Option<String>,
    /// Diagnostic-Code text without its type ("smtp; "), trimmed, at most 500 chars.
    pub diagnostic: Option<String>,
    /// A 5.x.x status is permanent, 4.x.x is not; without a status, Action: failed is permanent
    /// and delayed is not.
    pub permanent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// With angle brackets ("<abc@x.kz>"), as they go on the wire (mail-parser strips them;
    /// lettre and our store need them). None when the mail has none.
    pub message_id: Option<String>,
    /// With angle brackets.
    pub in_reply_to: Vec<String>,
    /// With angle brackets, at most 50: the first (the thread's root) and the latest 49.
    pub references: Vec<String>,
    pub from: Option<Address>,
    pub reply_to: Option<Address>,
    /// At most 50 kept.
    pub to: Vec<Address>,
    /// At most 50 kept.
    pub cc: Vec<Address>,
    /// How many To+Cc recipients the mail named in all (a mail to 500 recipients is recorded as
    /// such).
    pub recipients: usize,
    /// RFC 2047 decoded, trimmed, control chars removed, at most 500 chars.
    pub subject: Option<String>,
    pub date: Option<chrono::DateTime<chrono::Utc>>,
    /// What the sender wrote now: the text/plain body (else the HTML body converted to text, no
    /// markup, scripts or styles) with the quoted history folded away; control characters other
    /// than \n and \t removed; CRLF → LF; trimmed. Never empty if the mail had any text: when
    /// folding would leave nothing, the unfolded text is kept.
    pub text: String,
    /// The quoted history that was folded away, if any (the console shows it collapsed).
    pub quoted: Option<String>,
    /// The text came from an HTML part (there was no text/plain, or only a blank one).
    pub from_html: bool,
    /// Every non-body part: attachments and inline images; a nested message/rfc822 counts as an
    /// attachment named like its subject + ".eml".
    pub attachments: Vec<Attachment>,
    pub automatic: Option<Automatic>,
    pub bounce: Option<Bounce>,
    /// Size of the raw mail in bytes.
    pub size: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the mail could not be read as a message")]
    Unreadable,
}

/// Reads one raw mail. Fails only when nothing of a mail is there: no header mail-parser can
/// read, or none of From, Message-ID, Subject and a body.
pub fn parse(raw: &[u8]) -> Result<InboundMail, ParseError> {
    let m = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::Unreadable)?;
    // Random bytes still parse as "headers" with names no mail has.
    let named = m.root_part().headers.iter().any(|h| {
        let name = h.name.as_str();
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
    });
    if !named {
        return Err(ParseError::Unreadable);
    }

    let message_id = m.message_id().and_then(bracketed);
    let in_reply_to = dedup(ids(m.in_reply_to()));
    let mut references = dedup(ids(m.references()));
    if references.len() > MAX_LIST {
        references.drain(1..references.len() - (MAX_LIST - 1));
    }
    let from = first_address(m.from());
    let reply_to = first_address(m.reply_to());
    let (to, to_count) = addresses(m.all_to());
    let (cc, cc_count) = addresses(m.all_cc());
    let subject = m
        .subject()
        .map(|s| truncate(&clean_line(s), MAX_SUBJECT))
        .filter(|s| !s.is_empty());
    let date = m
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| chrono::DateTime::from_timestamp(d.to_timestamp(), 0));

    let (body, from_html) = body_text(&m);
    let (text, quoted) = fold::fold(&clean_text(&body));
    let attachments: Vec<Attachment> = m
        .attachments
        .iter()
        .filter_map(|&id| m.parts.get(id as usize))
        .map(attachment)
        .collect();

    if from.is_none()
        && message_id.is_none()
        && subject.is_none()
        && text.is_empty()
        && attachments.is_empty()
    {
        return Err(ParseError::Unreadable);
    }

    let automatic = machine::automatic(&m, from.as_ref());
    let bounce = machine::bounce(&m, &in_reply_to, &references);
    Ok(InboundMail {
        message_id,
        in_reply_to,
        references,
        from,
        reply_to,
        to,
        cc,
        recipients: to_count + cc_count,
        subject,
        date,
        text,
        quoted,
        from_html,
        attachments,
        automatic,
        bounce,
        size: raw.len(),
    })
}

impl InboundMail {
    /// The appeal number a subject names: "2026-000123" (four-digit year, dash, six digits), as
    /// our notices and replies put it ("[№ 2026-000123]"); the first one found. Digits running on
    /// either side make it some other number.
    pub fn appeal_number(&self) -> Option<String> {
        let s = self.subject.as_deref()?.as_bytes();
        let digits = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_digit);
        (0..s.len().checked_sub(10)?)
            .find(|&i| {
                digits(i..i + 4)
                    && s[i + 4] == b'-'
                    && digits(i + 5..i + 11)
                    && (i == 0 || !s[i - 1].is_ascii_digit())
                    && s.get(i + 11).is_none_or(|b| !b.is_ascii_digit())
            })
            .map(|i| String::from_utf8_lossy(&s[i..i + 11]).into_owned())
    }

    /// The ids this mail answers, nearest first: In-Reply-To, then References newest to oldest;
    /// no duplicates.
    pub fn answered_ids(&self) -> Vec<String> {
        let ids = self.in_reply_to.iter().chain(self.references.iter().rev());
        dedup(ids.cloned().collect())
    }

    /// Whether the subject and text are written in Kazakh (any of the letters ә ғ қ ң ө ұ ү һ і,
    /// either case), Russian (Cyrillic without those), or neither: Some("kk") / Some("ru") / None.
    pub fn language_hint(&self) -> Option<&'static str> {
        const KAZAKH: &str = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";
        let chars = || {
            self.subject
                .iter()
                .map(String::as_str)
                .chain([self.text.as_str()])
                .flat_map(str::chars)
        };
        if chars().any(|c| KAZAKH.contains(c)) {
            Some("kk")
        } else if chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)) {
            Some("ru")
        } else {
            None
        }
    }
}

/// An id with its angle brackets; None when it cannot be one (empty, spaces, too long).
fn bracketed(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let valid = !id.is_empty()
        && id.len() <= MAX_ID
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    valid.then(|| format!("<{id}>"))
}

/// The ids of an In-Reply-To or References header, bracketed.
fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    match value {
        mail_parser::HeaderValue::Text(id) => bracketed(id).into_iter().collect(),
        mail_parser::HeaderValue::TextList(ids) => {
            ids.iter().filter_map(|i| bracketed(i)).collect()
        }
        _ => Vec::new(),
    }
}

/// The list without repeats, first occurrence kept.
fn dedup(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for item in list {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn address(a: &Addr<'_>) -> Option<Address> {
    let email = a.address.as_deref()?.trim().to_lowercase();
    if email.is_empty() || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let name = a
        .name
        .as_deref()
        .map(|n| truncate(&clean_line(n), MAX_DISPLAY_NAME))
        .filter(|n| !n.is_empty());
    Some(Address { name, email })
}

fn first_address(list: Option<&mail_parser::Address<'_>>) -> Option<Address> {
    list?.iter().find_map(address)
}

/// The first 50 addresses of all the headers given, and how many there were in all.
fn addresses<'a>(
    headers: impl Iterator<Item = &'a mail_parser::Address<'a>>,
) -> (Vec<Address>, usize) {
    let mut kept = Vec::new();
    let mut count = 0;
    for a in headers.flat_map(|h| h.iter()).filter_map(address) {
        count += 1;
        if kept.len() < MAX_LIST {
            kept.push(a);
        }
    }
    (kept, count)
}

/// The body as the sender wrote it and whether it came from HTML: the text/plain parts, else
/// (none, or all blank) the HTML parts converted.
fn body_text(m: &Message<'_>) -> (String, bool) {
    let part = |id: &u32| m.parts.get(*id as usize);
    let plain: Vec<&str> = m
        .text_body
        .iter()
        .filter_map(part)
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    if plain.iter().any(|t| !t.trim().is_empty()) {
        return (plain.join("\n"), false);
    }
    // An HTML part may sit in both lists (an HTML-only alternative); the part ids give the order.
    let mut html_ids: Vec<u32> = m.html_body.iter().chain(&m.text_body).copied().collect();
    html_ids.sort_unstable();
    html_ids.dedup();
    let html: Vec<String> = html_ids
        .iter()
        .filter_map(part)
        .filter_map(|p| match &p.body {
            PartType::Html(h) => Some(html::to_text(h)),
            _ => None,
        })
        .collect();
    if html.is_empty() {
        (plain.join("\n"), false)
    } else {
        (html.join("\n"), true)
    }
}

/// CRLF and lone CR as LF; control characters other than \n and \t (NUL first of all) and byte
/// order marks removed.
fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || c == '\u{FEFF}'))
        .collect()
}

/// One line of header text: control characters removed, runs of white space as one space.
fn clean_line(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|&c| c.is_whitespace() || !c.is_control())
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The part's `type/subtype`, lower-case; a part without a usable one is named by what it holds.
fn content_type(part: &MessagePart<'_>) -> String {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    if let Some(ct) = part.content_type() {
        if let Some(sub) = ct.subtype() {
            if token(ct.ctype()) && token(sub) {
                return format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase();
            }
        }
    }
    match part.body {
        PartType::Text(_) => "text/plain",
        PartType::Html(_) => "text/html",
        PartType::Message(_) => "message/rfc822",
        _ => "application/octet-stream",
    }
    .into()
}

/// Whether the part's Content-Type is `kind` and one of `subtypes`.
fn is_type(part: &MessagePart<'_>, kind: &str, subtypes: &[&str]) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case(kind)
            && ct
                .subtype()
                .is_some_and(|s| subtypes.iter().any(|t| s.eq_ignore_ascii_case(t)))
    })
}

fn attachment(part: &MessagePart<'_>) -> Attachment {
    let name = match (part.attachment_name(), &part.body) {
        (Some(name), _) => file_name(name),
        // A forwarded or returned mail: named after its subject, whose slashes are no paths.
        (None, PartType::Message(nested)) => {
            let subject = nested.subject().map(|s| s.replace(['/', '\\'], "_"));
            let subject = subject.as_deref().map(str::trim).filter(|s| !s.is_empty());
            file_name(&format!("{}.eml", subject.unwrap_or("message")))
        }
        (None, _) => None,
    };
    Attachment {
        name,
        content_type: content_type(part),
        bytes: part.contents().to_vec(),
    }
}

/// A file name safe to store and offer for download: the last path component (clients have sent
/// "C:\Users\…\a.pdf", and "../../etc/passwd" must not climb), without control characters or
/// bidirectional overrides (which disguise "cod.exe" as "exe.doc"), at most 200 characters with
/// the extension kept.
fn file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).find(|s| !s.trim().is_empty())?;
    let clean: String = base
        .chars()
        .filter(|&c| {
            !c.is_control()
                && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let clean = clean.trim();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        return None;
    }
    if clean.chars().count() <= MAX_FILE_NAME {
        return Some(clean.to_string());
    }
    let ext = clean
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= 10)
        .map_or(String::new(), |e| format!(".{e}"));
    let stem = truncate(clean, MAX_FILE_NAME - ext.chars().count());
    Some(format!("{stem}{ext}"))
}

/// The unfolded value of the first top-level header of this name, as it was written.
fn header(m: &Message<'_>, name: &str) -> Option<String> {
    let h = m
        .root_part()
        .headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    let raw = m
        .raw_message
        .get(h.offset_start as usize..h.offset_end as usize)
        .unwrap_or_default();
    Some(clean_line(&String::from_utf8_lossy(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A raw mail: header lines (LF in the source, CRLF on the wire), a blank line, the body.
    fn mail(headers: &str, body: &[u8]) -> Vec<u8> {
        let mut raw = headers.trim_end().replace('\n', "\r\n").into_bytes();
        raw.extend_from_slice(b"\r\n\r\n");
        raw.extend_from_slice(body);
        raw
    }

    fn crlf(text: &str) -> Vec<u8> {
        text.replace('\n', "\r\n").into_bytes()
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    const CYRILLIC: &str = "абвгдежзийклмнопрстуфхцчшщъыьэюя";

    /// Russian text in windows-1251: а..я are 0xE0..0xFF, А..Я 0xC0..0xDF.
    fn cp1251(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for c in text.chars() {
            let lower = c.to_lowercase().next().unwrap_or(c);
            match CYRILLIC.chars().position(|l| l == lower) {
                Some(i) if c == lower => out.push(0xE0 + i as u8),
                Some(i) => out.push(0xC0 + i as u8),
                None if c.is_ascii() => out.push(c as u8),
                None => panic!("no windows-1251 byte for {c:?} in this table"),
            }
        }
        out
    }

    /// Russian text in KOI8-R: lower case at 0xC0.., upper case at 0xE0.., in KOI8's letter order.
    fn koi8r(text: &str) -> Vec<u8> {
        const ORDER: &str = "юабцдефгхийклмнопярстужвьызшэщчъ";
        let mut out = Vec::new();
        for c in text.chars() {
            let lower = c.to_lowercase().next().unwrap_or(c);
            match ORDER.chars().position(|l| l == lower) {
                Some(i) if c == lower => out.push(0xC0 + i as u8),
                Some(i) => out.push(0xE0 + i as u8),
                None if c.is_ascii() => out.push(c as u8),
                None => panic!("no KOI8-R byte for {c:?} in this table"),
            }
        }
        out
    }

    /// Quoted-printable (or RFC 2047 "Q" with `word`) of any bytes; lines are short enough.
    fn qp(bytes: &[u8], word: bool) -> String {
        bytes
            .iter()
            .map(|&b| match b {
                b' ' if word => "_".to_string(),
                b'\r' | b'\n' if !word => (b as char).to_string(),
                b'=' | b'?' | b'_' | 0x80.. | ..0x20 => format!("={b:02X}"),
                b => (b as char).to_string(),
            })
            .collect()
    }

    fn plain(headers: &str, body: &str) -> Result<InboundMail, ParseError> {
        let headers = format!(
            "From: Aidar <aidar@mail.kz>\nTo: centre@baylanys.test\nMessage-ID: <m1@mail.kz>\n{headers}\nContent-Type: text/plain; charset=utf-8"
        );
        parse(&mail(&headers, &crlf(body)))
    }

    #[test]
    fn kazakh_in_utf8_reads_back_exactly() -> TestResult {
        let subject = "Сәлеметсіз бе, өтініш қайда?";
        let raw = mail(
            &format!(
                "From: =?UTF-8?B?{}?= <Aigul@Mail.KZ >\nTo: centre@baylanys.test\nSubject: =?UTF-8?B?{}?=\nMessage-ID: <k1@mail.kz>\nDate: Tue, 1 Dec 2026 10:00:00 +0500\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit",
                b64("Әйгүл Серікқызы".as_bytes()),
                b64(subject.as_bytes())
            ),
            &crlf("Сәлеметсіз бе, өтініш қайда?\nРахмет.\n"),
        );
        let m = parse(&raw)?;
        assert_eq!(m.subject.as_deref(), Some(subject));
        assert_eq!(m.text, "Сәлеметсіз бе, өтініш қайда?\nРахмет.");
        assert_eq!(m.quoted, None);
        assert!(!m.from_html);
        assert_eq!(
            m.from,
            Some(Address {
                name: Some("Әйгүл Серікқызы".into()),
                email: "aigul@mail.kz".into()
            })
        );
        assert_eq!(m.message_id.as_deref(), Some("<k1@mail.kz>"));
        assert_eq!(
            m.date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-12-01T05:00:00+00:00")
        );
        assert_eq!(m.language_hint(), Some("kk"));
        assert_eq!((m.automatic, m.bounce, m.size), (None, None, raw.len()));
        assert!(m.attachments.is_empty());
        Ok(())
    }

    #[test]
    fn russian_in_windows_1251_and_koi8_r() -> TestResult {
        let subject = "Вопрос по справке";
        let body = "Здравствуйте! Где моя справка? Жду ответа.";
        let headers = |cte: &str, encoded_subject: &str, charset: &str| {
            format!("From: ivan@mail.ru\nTo: centre@baylanys.test\nSubject: {encoded_subject}\nMessage-ID: <r1@mail.ru>\nContent-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {cte}")
        };
        let cp_subject = format!("=?windows-1251?B?{}?=", b64(&cp1251(subject)));
        let eight_bit = mail(&headers("8bit", &cp_subject, "windows-1251"), &cp1251(body));
        let quoted_printable = mail(
            &headers("quoted-printable", &cp_subject, "\"Windows-1251\""),
            qp(&cp1251(body), false).as_bytes(),
        );
        let koi_subject = format!("=?koi8-r?Q?{}?=", qp(&koi8r(subject), true));
        let koi = mail(&headers("8bit", &koi_subject, "koi8-r"), &koi8r(body));
        for raw in [eight_bit, quoted_printable, koi] {
            let m = parse(&raw)?;
            assert_eq!(m.subject.as_deref(), Some(subject));
            assert_eq!(m.text, body);
            assert_eq!(m.language_hint(), Some("ru"));
        }
        let english = plain("Subject: Hello", "Where is my certificate?")?;
        assert_eq!(english.language_hint(), None);
        Ok(())
    }

    #[test]
    fn attachments_keep_their_bytes_and_safe_names() -> TestResult {
        let pdf: Vec<u8> = b"%PDF-1.4\n"
            .iter()
            .copied()
            .chain((0..=255u8).cycle().take(3000))
            .collect();
        let encoded = b64(&pdf);
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(76)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        let pdf_b64 = lines.join("\r\n");
        let cp_name = format!("=?windows-1251?B?{}?=", b64(&cp1251("Заявление.pdf")));
        let body = format!(
            "--XYZ\nContent-Type: text/plain; charset=utf-8\n\nСправка во вложении.\n\
             --XYZ\nContent-Type: application/PDF; name=\"x.pdf\"\nContent-Disposition: attachment; filename*=UTF-8''%D0%A1%D0%BF%D1%80%D0%B0%D0%B2%D0%BA%D0%B0.pdf\nContent-Transfer-Encoding: base64\n\n{pdf_b64}\n\
             --XYZ\nContent-Type: application/pdf; name=\"{cp_name}\"\nContent-Transfer-Encoding: base64\n\n{pdf_b64}\n\
             --XYZ\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\n\nroot:x:0:0\n\
             --XYZ\nContent-Type: image/png; name=\"C:\\\\Users\\\\a\\\\scan\u{202E}gnp.exe\"\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n\
             --XYZ--\n"
        );
        let raw = mail(
            "From: a@b.kz\nSubject: Docs\nMessage-ID: <a1@b.kz>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XYZ\"",
            &crlf(&body),
        );
        let m = parse(&raw)?;
        assert_eq!(m.text, "Справка во вложении.");
        let names: Vec<Option<&str>> = m.attachments.iter().map(|a| a.name.as_deref()).collect();
        assert_eq!(
            names,
            [
                Some("Справка.pdf"),
                Some("Заявление.pdf"),
                Some("passwd"),
                Some("scangnp.exe")
            ]
        );
        assert_eq!(m.attachments[0].content_type, "application/pdf");
        assert_eq!(m.attachments[0].bytes, pdf);
        assert_eq!(m.attachments[1].bytes, pdf);
        assert_eq!(m.attachments[2].bytes, b"root:x:0:0");
        assert_eq!(m.attachments[3].content_type, "image/png");
        assert_eq!(m.attachments[3].bytes, b"\x89PNG\r\n\x1a\n");
        Ok(())
    }

    #[test]
    fn long_file_names_keep_their_extension() {
        let long = format!("{}.pdf", "я".repeat(300));
        let name = file_name(&long).unwrap_or_default();
        assert_eq!(name.chars().count(), 200);
        assert!(name.ends_with("яя.pdf"));
        assert_eq!(file_name(".."), None);
        assert_eq!(file_name("dir/"), Some("dir".into()));
    }

    #[test]
    fn a_forwarded_mail_is_an_eml_attachment() -> TestResult {
        let inner = "From: x@y.kz\nSubject: Жалоба 1/2\nMessage-ID: <inner@y.kz>\n\nТекст жалобы\n";
        let body = format!(
            "--B\nContent-Type: text/plain; charset=utf-8\n\nПересылаю.\n--B\nContent-Type: message/rfc822\n\n{inner}--B--\n"
        );
        let raw = mail(
            "From: a@b.kz\nSubject: Fwd\nContent-Type: multipart/mixed; boundary=B",
            &crlf(&body),
        );
        let m = parse(&raw)?;
        assert_eq!(m.text, "Пересылаю.");
        assert_eq!(m.attachments.len(), 1);
        let eml = &m.attachments[0];
        assert_eq!(eml.name.as_deref(), Some("Жалоба 1_2.eml"));
        assert_eq!(eml.content_type, "message/rfc822");
        assert_eq!(
            String::from_utf8(eml.bytes.clone())?,
            inner.replace('\n', "\r\n").trim_end()
        );
        Ok(())
    }

    #[test]
    fn alternative_text_is_chosen_and_html_alone_is_converted() -> TestResult {
        let alternative = "--A\nContent-Type: text/plain; charset=utf-8\n\nPlain words.\n--A\nContent-Type: text/html; charset=utf-8\n\n<p>HTML <b>words</b></p>\n--A--\n";
        let raw = mail(
            "From: a@b.kz\nSubject: Alt\nContent-Type: multipart/alternative; boundary=A",
            &crlf(alternative),
        );
        let m = parse(&raw)?;
        assert_eq!((m.text.as_str(), m.from_html), ("Plain words.", false));
        assert!(m.attachments.is_empty());

        let html = "<html><head><style>p { color: red }</style><title>Title</title></head><body>\
            <script type=\"text/javascript\">alert(1)</script><script>alert(2)</script>\
            <style type=\"text/css\">.x{}</style><p>Сәлем,</p><div>өтінішім&nbsp;бар &amp; сұрақ</div></body></html>";
        let raw = mail(
            "From: a@b.kz\nSubject: Html\nContent-Type: text/html; charset=utf-8",
            &crlf(html),
        );
        let m = parse(&raw)?;
        assert!(m.from_html);
        assert_eq!(m.text, "Сәлем,\n\nөтінішім\u{a0}бар & сұрақ");
        for leak in ["alert", "color", "Title", "<", ".x"] {
            assert!(!m.text.contains(leak), "{leak} leaked into {:?}", m.text);
        }
        Ok(())
    }

    #[test]
    fn html_replies_fold_their_blockquote() -> TestResult {
        let html = "<div dir=\"ltr\">Рахмет, алдым.</div><br><div class=\"gmail_quote\">\
            <div class=\"gmail_attr\">On Mon, 1 Dec 2026 at 10:00, Centre &lt;c@b.kz&gt; wrote:<br></div>\
            <blockquote class=\"gmail_quote\" style=\"margin:0\"><div>Your appeal is registered.</div></blockquote></div>";
        let body = format!("--A\nContent-Type: text/html; charset=utf-8\n\n{html}\n--A--\n");
        let raw = mail(
            "From: a@b.kz\nSubject: Re\nContent-Type: multipart/alternative; boundary=A",
            &crlf(&body),
        );
        let m = parse(&raw)?;
        assert!(m.from_html);
        assert_eq!(m.text, "Рахмет, алдым.");
        assert_eq!(
            m.quoted.as_deref(),
            Some(
                "On Mon, 1 Dec 2026 at 10:00, Centre <c@b.kz> wrote:\n> Your appeal is registered."
            )
        );
        Ok(())
    }

    #[test]
    fn outlook_html_replies_fold_below_their_rule() -> TestResult {
        let html = "<html><body><div>Құжатты жібердім.</div><div id=\"appendonsend\"></div>\
            <hr style=\"display:inline-block;width:98%\" tabindex=\"-1\"><div id=\"divRplyFwdMsg\">\
            <b>От:</b> Центр &lt;centre@baylanys.test&gt;<br><b>Отправлено:</b> 1 декабря 2026 г.<br>\
            <b>Тема:</b> Ваше обращение</div><div>Пришлите документ.</div></body></html>";
        let raw = mail(
            "From: a@b.kz\nSubject: RE: s\nContent-Type: text/html; charset=utf-8",
            &crlf(html),
        );
        let m = parse(&raw)?;
        assert_eq!(m.text, "Құжатты жібердім.");
        assert_eq!(
            m.quoted.as_deref(),
            Some("________________________________\nОт: Центр <centre@baylanys.test>\nОтправлено: 1 декабря 2026 г.\nТема: Ваше обращение\nПришлите документ.")
        );
        Ok(())
    }

    #[test]
    fn ids_keep_their_brackets_and_answered_ids_go_nearest_first() -> TestResult {
        let m = plain(
            "Subject: Re: Өтініш [№ 2026-000123] and 2025-000001\nIn-Reply-To: <p3@baylanys.test>\nReferences: <p1@baylanys.test>\n <p2@baylanys.test> <p3@baylanys.test>",
            "Ok",
        )?;
        assert_eq!(m.message_id.as_deref(), Some("<m1@mail.kz>"));
        assert_eq!(m.in_reply_to, ["<p3@baylanys.test>"]);
        assert_eq!(
            m.references,
            [
                "<p1@baylanys.test>",
                "<p2@baylanys.test>",
                "<p3@baylanys.test>"
            ]
        );
        assert_eq!(
            m.answered_ids(),
            [
                "<p3@baylanys.test>",
                "<p2@baylanys.test>",
                "<p1@baylanys.test>"
            ]
        );
        assert_eq!(m.appeal_number().as_deref(), Some("2026-000123"));
        for subject in [
            "Re: 12026-000123",
            "№ 2026-0001234",
            "2026-00012",
            "Re: hello",
        ] {
            let m = plain(&format!("Subject: {subject}"), "x")?;
            assert_eq!(m.appeal_number(), None, "{subject}");
        }
        Ok(())
    }

    #[test]
    fn long_reference_chains_keep_the_root_and_the_latest() -> TestResult {
        let refs: Vec<String> = (0..80).map(|i| format!("<r{i}@x.kz>")).collect();
        let m = plain(
            &format!("Subject: s\nReferences: {}", refs.join("\n ")),
            "x",
        )?;
        assert_eq!(m.references.len(), 50);
        assert_eq!(m.references[0], "<r0@x.kz>");
        assert_eq!(m.references[1], "<r31@x.kz>");
        assert_eq!(m.references[49], "<r79@x.kz>");
        Ok(())
    }

    #[test]
    fn machines_are_recognised_by_their_headers() -> TestResult {
        let cases = [
            (
                "Auto-Submitted: auto-replied",
                Some(Automatic::AutoSubmitted("auto-replied".into())),
            ),
            (
                "Auto-Submitted: Auto-Generated; owner-email=\"x@y\"",
                Some(Automatic::AutoSubmitted("auto-generated".into())),
            ),
            (
                "Auto-Submitted: auto-replied (vacation)",
                Some(Automatic::AutoSubmitted("auto-replied".into())),
            ),
            ("Auto-Submitted: no", None),
            ("Auto-Submitted: No (a person)", None),
            (
                "Precedence: bulk",
                Some(Automatic::Precedence("bulk".into())),
            ),
            (
                "Precedence: auto_reply",
                Some(Automatic::Precedence("auto_reply".into())),
            ),
            ("Precedence: first-class", None),
            (
                "List-Id: News <news.example.kz>",
                Some(Automatic::MailingList),
            ),
            (
                "List-Unsubscribe: <mailto:u@x.kz>",
                Some(Automatic::MailingList),
            ),
            ("Return-Path: <>", Some(Automatic::MailerDaemon)),
            ("Return-Path: <aidar@mail.kz>", None),
            ("X-Autoreply: yes", Some(Automatic::AutoResponse)),
            ("X-Autorespond: vacation", Some(Automatic::AutoResponse)),
            (
                "X-Auto-Response-Suppress: DR, OOF, AutoReply",
                Some(Automatic::AutoResponse),
            ),
            (
                "X-Auto-Response-Suppress: All",
                Some(Automatic::AutoResponse),
            ),
            ("X-Auto-Response-Suppress: DR, RN", None),
            ("X-Mailer: Outlook", None),
        ];
        for (header, expected) in cases {
            let m = plain(&format!("Subject: s\n{header}"), "Hello")?;
            assert_eq!(m.automatic, expected, "{header}");
        }
        for from in ["MAILER-DAEMON@mx.kz", "postmaster@mx.kz"] {
            let raw = mail(&format!("From: {from}\nSubject: s"), b"Hello");
            assert_eq!(parse(&raw)?.automatic, Some(Automatic::MailerDaemon));
        }
        let raw = mail(
            "From: a@b.kz\nSubject: Read\nContent-Type: multipart/report; report-type=disposition-notification; boundary=R",
            &crlf("--R\nContent-Type: text/plain\n\nRead.\n--R--\n"),
        );
        assert_eq!(parse(&raw)?.automatic, Some(Automatic::Report));
        Ok(())
    }

    fn dsn(headers_part: &str, recipient: &str) -> Vec<u8> {
        let body = format!(
            "--R\nContent-Type: text/plain\n\nThis is the mail system at host mx.mail.kz.\n\n\
             --R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.mail.kz\nArrival-Date: Tue, 1 Dec 2026 10:00:00 +0500\n\n\
             {recipient}\n\
             --R\n{headers_part}\n--R--\n"
        );
        mail(
            "From: MAILER-DAEMON@mx.mail.kz (Mail Delivery System)\nTo: centre@baylanys.test\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <bounce1@mx.mail.kz>\nContent-Type: multipart/report; report-type=delivery-status;\n boundary=\"R\"",
            &crlf(&body),
        )
    }

    #[test]
    fn a_delivery_status_notification_is_a_bounce() -> TestResult {
        let raw = dsn(
            "Content-Type: text/rfc822-headers\n\nFrom: centre@baylanys.test\nMessage-ID: <ours@baylanys.test>\nSubject: Your appeal\n",
            "Final-Recipient: rfc822; nobody@mail.kz\nOriginal-Recipient: rfc822;nobody@mail.kz\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <nobody@mail.kz>:\n Recipient address rejected: user unknown\n",
        );
        let m = parse(&raw)?;
        assert_eq!(
            m.bounce,
            Some(Bounce {
                original_message_id: Some("<ours@baylanys.test>".into()),
                status: Some("5.1.1".into()),
                diagnostic: Some(
                    "550 5.1.1 <nobody@mail.kz>: Recipient address rejected: user unknown".into()
                ),
                permanent: true,
            })
        );
        assert_eq!(m.automatic, Some(Automatic::Report));
        assert_eq!(m.text, "This is the mail system at host mx.mail.kz.");
        assert_eq!(m.attachments.len(), 2);

        // A delay, with the whole returned message.
        let raw = dsn(
            "Content-Type: message/rfc822\n\nFrom: centre@baylanys.test\nMessage-ID: <ours2@baylanys.test>\nSubject: Your appeal\n\nText\n",
            "Final-Recipient: rfc822; slow@mail.kz\nAction: delayed\nStatus: 4.4.1\n",
        );
        let bounce = parse(&raw)?.bounce.ok_or("no bounce")?;
        assert_eq!(
            bounce.original_message_id.as_deref(),
            Some("<ours2@baylanys.test>")
        );
        assert_eq!(
            (bounce.status.as_deref(), bounce.permanent),
            (Some("4.4.1"), false)
        );
        assert_eq!(bounce.diagnostic, None);

        // Nothing returned: the id comes from the threading headers.
        let raw = dsn(
            "Content-Type: text/plain\n\nNo headers here.",
            "Final-Recipient: rfc822; x@mail.kz\nAction: failed\n",
        );
        let raw = [b"In-Reply-To: <ours3@baylanys.test>\r\n".as_slice(), &raw].concat();
        let bounce = parse(&raw)?.bounce.ok_or("no bounce")?;
        assert_eq!(
            bounce.original_message_id.as_deref(),
            Some("<ours3@baylanys.test>")
        );
        assert_eq!((bounce.status, bounce.permanent), (None, true));

        assert_eq!(plain("Subject: s", "x")?.bounce, None);
        Ok(())
    }

    #[test]
    fn top_posted_replies_fold_their_quote() -> TestResult {
        let cases = [
            (
                "Thank you, received.",
                "On Mon, 1 Dec 2026 at 10:00, Centre <centre@baylanys.test> wrote:",
            ),
            (
                "Спасибо, получил.",
                "1 декабря 2026 г., 10:00, Центр <centre@baylanys.test> пишет:",
            ),
            ("Спасибо.", "Понедельник, 1 декабря 2026, Центр написал(а):"),
            (
                "Рахмет, алдым.",
                "2026 ж. 1 жел., 10:00, Орталық <centre@baylanys.test> жазды:",
            ),
        ];
        for (new, attribution) in cases {
            let quote = format!(
                "{attribution}\n> Your appeal [№ 2026-000123] is registered.\n>\n> > older\n"
            );
            let m = plain("Subject: Re: s", &format!("{new}\n\n{quote}"))?;
            assert_eq!(m.text, new);
            assert_eq!(m.quoted.as_deref(), Some(quote.trim_end()));
        }
        Ok(())
    }

    #[test]
    fn quotes_alone_and_interleaved_answers_are_not_folded() -> TestResult {
        let all_quote = "On Mon, 1 Dec 2026, Centre wrote:\n> Your appeal is registered.";
        let m = plain("Subject: Re: s", all_quote)?;
        assert_eq!((m.text.as_str(), m.quoted), (all_quote, None));
        let interleaved = "> Your name?\nAidar\n> Your district?\nMedeu";
        let m = plain("Subject: Re: s", interleaved)?;
        assert_eq!((m.text.as_str(), m.quoted), (interleaved, None));
        Ok(())
    }

    #[test]
    fn many_recipients_are_counted_not_listed() -> TestResult {
        let to: Vec<String> = (0..500).map(|i| format!("User {i} <u{i}@x.kz>")).collect();
        let raw = mail(
            &format!(
                "From: a@b.kz\nTo: {}\nCc: C1 <c1@x.kz>, c2@x.kz\nSubject: s",
                to.join(",\n ")
            ),
            b"Hi",
        );
        let m = parse(&raw)?;
        assert_eq!((m.recipients, m.to.len(), m.cc.len()), (502, 50, 2));
        assert_eq!(m.to[49].email, "u49@x.kz");
        assert_eq!(m.to[0].name.as_deref(), Some("User 0"));
        Ok(())
    }

    #[test]
    fn garbage_is_unreadable() {
        // A fixed pseudo-random stream, so the test means the same bytes on every run.
        let mut state: u32 = 0x2545_f491;
        let random: Vec<u8> = (0..2048)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state.to_le_bytes()[0]
            })
            .collect();
        for raw in [&b"\x00\x01\x02"[..], &random, b"", b"\r\n\r\n"] {
            assert!(matches!(parse(raw), Err(ParseError::Unreadable)));
        }
    }

    #[test]
    fn a_truncated_multipart_still_gives_its_text() -> TestResult {
        let raw = mail(
            "From: a@b.kz\nSubject: cut\nContent-Type: multipart/mixed; boundary=\"cut\"",
            &crlf("--cut\nContent-Type: text/plain; charset=utf-8\n\nСәлем, the rest was lost\n--cut\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBER"),
        );
        let m = parse(&raw)?;
        assert_eq!(m.text, "Сәлем, the rest was lost");
        Ok(())
    }

    #[test]
    fn control_characters_go_and_line_ends_are_lf() -> TestResult {
        let raw = mail(
            "From: a@b.kz\nSubject: =?UTF-8?B?TlVMIA==?= \x07bell\tand\ttab",
            b"  line\x00one\r\nline\x1b two\ttabbed\rthree\x00\r\n\r\n",
        );
        let m = parse(&raw)?;
        assert_eq!(m.text, "lineone\nline two\ttabbed\nthree");
        assert_eq!(m.subject.as_deref(), Some("NUL bell and tab"));
        Ok(())
    }

    #[test]
    fn a_mail_with_only_headers_or_odd_ids_still_reads() -> TestResult {
        let raw = mail(
            "Subject: only a subject\nMessage-ID: bare@id.kz\nIn-Reply-To: <a b>",
            b"",
        );
        let m = parse(&raw)?;
        assert_eq!(m.subject.as_deref(), Some("only a subject"));
        assert_eq!(m.message_id.as_deref(), Some("<bare@id.kz>"));
        assert!(m.in_reply_to.is_empty() && m.text.is_empty() && m.from.is_none());
        Ok(())
    }
}
