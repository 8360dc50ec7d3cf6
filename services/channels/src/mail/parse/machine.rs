//! What machines write: auto-replies, lists, bounces. Such a mail gets no automatic answer (two
//! auto-responders would answer each other forever), and a bounce tells which of our mails did
//! not arrive and whether the address is worth trying again.

use mail_parser::{Message, MessageParser, MessagePart, PartType};

use super::{bracketed, clean_line, header, is_type, truncate, Address, Automatic, Bounce};

/// A Diagnostic-Code is kept to this many characters.
const MAX_DIAGNOSTIC: usize = 500;

/// Why a machine wrote the mail, the most specific reason first.
pub(super) fn automatic(m: &Message<'_>, from: Option<&Address>) -> Option<Automatic> {
    if is_type(m.root_part(), "multipart", &["report"]) {
        return Some(Automatic::Report);
    }
    let local = from.and_then(|a| a.email.split('@').next()).unwrap_or("");
    let null_path = header(m, "Return-Path").is_some_and(|v| v.replace(' ', "") == "<>");
    if local == "mailer-daemon" || local == "postmaster" || null_path {
        return Some(Automatic::MailerDaemon);
    }
    // "auto-generated; owner-email=…", "auto-replied (vacation)": the keyword comes first.
    let keyword = |v: String| {
        let word = v
            .split([';', '('])
            .next()
            .unwrap_or("")
            .split_whitespace()
            .next();
        word.unwrap_or("").to_ascii_lowercase()
    };
    if let Some(v) = header(m, "Auto-Submitted").map(keyword) {
        if !v.is_empty() && v != "no" {
            return Some(Automatic::AutoSubmitted(v));
        }
    }
    let flagged = |name| header(m, name).is_some_and(|v| !v.eq_ignore_ascii_case("no"));
    let suppress = header(m, "X-Auto-Response-Suppress").is_some_and(|v| {
        v.split([',', ' '])
            .any(|t| ["all", "oof", "autoreply"].contains(&t.trim().to_ascii_lowercase().as_str()))
    });
    if flagged("X-Autoreply") || flagged("X-Autorespond") || suppress {
        return Some(Automatic::AutoResponse);
    }
    if let Some(v) = header(m, "Precedence").map(keyword) {
        if ["bulk", "list", "junk", "auto_reply"].contains(&v.as_str()) {
            return Some(Automatic::Precedence(v));
        }
    }
    if header(m, "List-Id").is_some() || header(m, "List-Unsubscribe").is_some() {
        return Some(Automatic::MailingList);
    }
    None
}

/// The delivery status notification this mail carries, if it has a message/delivery-status part.
pub(super) fn bounce(
    m: &Message<'_>,
    in_reply_to: &[String],
    references: &[String],
) -> Option<Bounce> {
    let report = m
        .parts
        .iter()
        .find(|p| is_type(p, "message", &["delivery-status", "global-delivery-status"]))?;
    let blocks = status_blocks(&String::from_utf8_lossy(report.contents()));
    // The first recipient that failed, else the first with any status.
    let recipient = blocks
        .iter()
        .find(|b| b.action.as_deref() == Some("failed"))
        .or_else(|| {
            blocks
                .iter()
                .find(|b| b.status.is_some() || b.action.is_some())
        });
    let status = recipient
        .and_then(|b| b.status.as_deref())
        .and_then(|s| s.split_whitespace().next())
        .filter(|s| {
            let p: Vec<&str> = s.split('.').collect();
            p.len() == 3
                && p.iter()
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_string);
    let diagnostic = recipient
        .and_then(|b| b.diagnostic.as_deref())
        .map(|d| match d.split_once(';') {
            Some((kind, text)) if !kind.trim().contains(' ') => text,
            _ => d,
        })
        .map(|d| truncate(d.trim(), MAX_DIAGNOSTIC))
        .filter(|d| !d.is_empty());
    let permanent = match status.as_deref().and_then(|s| s.chars().next()) {
        Some('5') => true,
        Some('4') => false,
        _ => recipient.and_then(|b| b.action.as_deref()) == Some("failed"),
    };
    let original_message_id = m
        .parts
        .iter()
        .find_map(returned_message_id)
        .or_else(|| in_reply_to.first().cloned())
        .or_else(|| references.last().cloned());
    Some(Bounce {
        original_message_id,
        status,
        diagnostic,
        permanent,
    })
}

/// The Message-ID of a returned mail or returned headers part.
fn returned_message_id(part: &MessagePart<'_>) -> Option<String> {
    if let PartType::Message(nested) = &part.body {
        return nested.message_id().and_then(bracketed);
    }
    let headers_part = is_type(part, "message", &["rfc822", "global", "global-headers"])
        || is_type(part, "text", &["rfc822-headers"]);
    if !headers_part {
        return None;
    }
    let headers = MessageParser::default().parse_headers(part.contents())?;
    headers.message_id().and_then(bracketed)
}

/// One block of a message/delivery-status body: the per-message block or a recipient's.
#[derive(Debug, Default)]
struct StatusBlock {
    /// The first word, lower-cased.
    action: Option<String>,
    status: Option<String>,
    diagnostic: Option<String>,
}

/// The blocks of a message/delivery-status body (RFC 3464), separated by blank lines, with
/// continuation lines unfolded.
fn status_blocks(text: &str) -> Vec<StatusBlock> {
    let mut blocks = vec![StatusBlock::default()];
    // The field the last line set, which a continuation line extends.
    let mut last: Option<&str> = None;
    for line in text.lines() {
        let Some(block) = blocks.last_mut() else {
            break;
        };
        if line.trim().is_empty() {
            blocks.push(StatusBlock::default());
            last = None;
            continue;
        }
        let continuation = line.starts_with([' ', '\t']);
        let (name, value) = if continuation {
            match last {
                Some(name) => (name, line),
                None => continue,
            }
        } else {
            match line.split_once(':') {
                Some((name, value)) => (name.trim(), value),
                None => continue,
            }
        };
        let value = clean_line(value).trim().to_string();
        let field = match name.to_ascii_lowercase().as_str() {
            "action" => &mut block.action,
            "status" => &mut block.status,
            "diagnostic-code" => &mut block.diagnostic,
            _ => {
                last = None;
                continue;
            }
        };
        let value = match (continuation, field.take()) {
            (true, Some(before)) => format!("{before} {value}"),
            _ => value,
        };
        // "failed (bad address)": the action is its first word.
        *field = Some(if name.eq_ignore_ascii_case("action") {
            value
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        } else {
            value
        });
        last = Some(name);
    }
    blocks
}
