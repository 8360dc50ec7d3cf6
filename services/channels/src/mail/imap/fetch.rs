//! Finding mail (UID SEARCH) and fetching it (UID FETCH), header first and the whole message
//! where it is small enough.

use async_imap::imap_proto::{AttributeValue, MailboxDatum, MessageSection, Response, SectionPath};

use super::uid_set::uid_sets;
use super::{Fetched, Imap};
use crate::ChannelResult;

impl Imap {
    /// `UID SEARCH <criteria>`: the UIDs found, ascending.
    ///
    /// A search covers the messages the session has been told of. Mail that arrived since is
    /// announced (EXISTS) only at the end of the command's answer, so the search is run once
    /// more when that happens: a polling caller sees new mail on its first fetch after it.
    pub(super) async fn search(&mut self, criteria: &str) -> ChannelResult<Vec<u32>> {
        let command = format!("UID SEARCH {criteria}");
        let mut uids = Vec::new();
        for _ in 0..2 {
            self.news = false;
            uids.clear();
            self.run(&command, |r| {
                if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                    uids.extend_from_slice(found);
                }
            })
            .await?;
            if !self.news {
                break;
            }
        }
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Fetches sorted, distinct UIDs: size and header of all, then the whole of those within
    /// `max_size`.
    pub(super) async fn fetch_sorted(
        &mut self,
        uids: &[u32],
        max_size: u32,
    ) -> ChannelResult<Vec<Fetched>> {
        let mut found: Vec<Fetched> = Vec::with_capacity(uids.len());
        for set in uid_sets(uids) {
            let command = format!("UID FETCH {set} (UID RFC822.SIZE BODY.PEEK[HEADER])");
            self.run(&command, |r| {
                let Some(part) = fetch_parts(r) else { return };
                // The server may add FETCH answers of its own (flag changes): keep ours.
                if uids.binary_search(&part.uid).is_ok() {
                    found.push(Fetched {
                        uid: part.uid,
                        size: part.size.unwrap_or(0),
                        raw: None,
                        header: part.header.unwrap_or_default(),
                    });
                }
            })
            .await?;
        }
        found.sort_by_key(|f| f.uid);
        found.dedup_by_key(|f| f.uid);

        let whole: Vec<u32> = found
            .iter()
            .filter(|f| f.size <= max_size)
            .map(|f| f.uid)
            .collect();
        for set in uid_sets(&whole) {
            let command = format!("UID FETCH {set} (UID BODY.PEEK[])");
            let mut bodies = Vec::new();
            self.run(&command, |r| {
                if let Some(FetchParts {
                    uid,
                    raw: Some(raw),
                    ..
                }) = fetch_parts(r)
                {
                    bodies.push((uid, raw));
                }
            })
            .await?;
            for (uid, raw) in bodies {
                if let Ok(i) = found.binary_search_by_key(&uid, |f| f.uid) {
                    if found[i].size <= max_size {
                        found[i].raw = Some(raw);
                    }
                }
            }
        }
        // A message expunged between the two commands has a header but no body: it is gone,
        // so it is left out rather than reported as too large.
        found.retain(|f| f.size > max_size || f.raw.is_some());
        Ok(found)
    }
}

/// The fields of one FETCH answer this module asks for.
struct FetchParts {
    uid: u32,
    size: Option<u32>,
    header: Option<Vec<u8>>,
    raw: Option<Vec<u8>>,
}

/// Reads a FETCH answer; None for anything else, or a FETCH without UID (not ours).
fn fetch_parts(response: &Response<'_>) -> Option<FetchParts> {
    let Response::Fetch(_, attributes) = response else {
        return None;
    };
    let mut parts = FetchParts {
        uid: 0,
        size: None,
        header: None,
        raw: None,
    };
    for attribute in attributes {
        match attribute {
            AttributeValue::Uid(uid) => parts.uid = *uid,
            AttributeValue::Rfc822Size(size) => parts.size = Some(*size),
            AttributeValue::BodySection {
                section: Some(SectionPath::Full(MessageSection::Header)),
                data,
                ..
            }
            | AttributeValue::Rfc822Header(data) => {
                parts.header = Some(data.as_deref().unwrap_or_default().to_vec());
            }
            AttributeValue::BodySection {
                section: None,
                data,
                ..
            }
            | AttributeValue::Rfc822(data) => {
                parts.raw = Some(data.as_deref().unwrap_or_default().to_vec());
            }
            _ => {}
        }
    }
    (parts.uid != 0).then_some(parts)
}
