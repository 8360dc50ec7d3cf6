//! Mailbox names on the wire: quoted, and in modified UTF-7 when not ASCII (RFC 3501 §5.1.3).

/// A mailbox name as an IMAP quoted string; non-ASCII names in modified UTF-7 (RFC 3501
/// §5.1.3), so a folder named `Кіріс` is found.
pub(super) fn quote_mailbox(name: &str) -> String {
    let encoded = if name.eq_ignore_ascii_case("INBOX") {
        "INBOX".to_owned()
    } else {
        utf7_imap(name)
    };
    let mut quoted = String::with_capacity(encoded.len() + 2);
    quoted.push('"');
    for c in encoded.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Modified UTF-7: printable ASCII as is (`&` as `&-`), runs of anything else as UTF-16 in
/// base64 with `,` for `/`, between `&` and `-`.
fn utf7_imap(name: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    fn flush(out: &mut String, run: &mut Vec<u16>) {
        if run.is_empty() {
            return;
        }
        let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let digits = chunk.len() + 1;
            for k in 0..digits {
                let index = (n >> (18 - 6 * k)) & 0x3f;
                out.push(char::from(ALPHABET[index as usize]));
            }
        }
        out.push('-');
        run.clear();
    }
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut run);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            let mut units = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_names_are_quoted_and_encoded() {
        assert_eq!(quote_mailbox("INBOX"), "\"INBOX\"");
        assert_eq!(quote_mailbox("inbox"), "\"INBOX\"");
        assert_eq!(quote_mailbox("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote_mailbox("R&D"), "\"R&-D\"");
        // RFC 3501 §5.1.3's example, and a Kazakh name.
        assert_eq!(
            utf7_imap("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(utf7_imap("Кіріс"), "&BBoEVgRABFYEQQ-");
    }
}
