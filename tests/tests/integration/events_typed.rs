//! Every event the product writes reads back as its typed payload (one path in and one path
//! out): the broad scenarios of the other suites end by calling [`every_event_reads_typed`] on
//! the log they left, so a writer that drifts from its type, or a kind written without one,
//! fails the scenario that wrote it, on both backends.

use std::collections::BTreeSet;

use baylanys_store::EventFilter;
use baylanys_tests::TestApp;

/// Reads the whole log through the store (so `Event::payload` is what is checked) and fails on
/// the first event that does not read as a typed payload. Answers the kinds it saw.
pub async fn every_event_reads_typed(app: &TestApp) -> anyhow::Result<BTreeSet<String>> {
    let mut kinds = BTreeSet::new();
    let mut after = None;
    loop {
        let page = app
            .store
            .list_events(EventFilter {
                after,
                limit: 500,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for e in &page {
            match e.payload() {
                Ok(Some(p)) => {
                    anyhow::ensure!(p.kind() == e.kind, "{}: read as {}", e.kind, p.kind())
                }
                Ok(None) => anyhow::bail!("event {} of kind {} has no type", e.id, e.kind),
                Err(err) => anyhow::bail!(
                    "event {} ({}) does not read: {err}; data {}",
                    e.id,
                    e.kind,
                    e.data
                ),
            }
            kinds.insert(e.kind.clone());
        }
    }
    anyhow::ensure!(!kinds.is_empty(), "the scenario left no events");
    Ok(kinds)
}
