//! What changed between two versions of an article, line by line per language, so a reviewer
//! sees exactly which sentences an edit touched.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// One line of a diff: unchanged (` `), removed (`-`) or added (`+`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffLine {
    /// `same`, `removed` or `added`.
    pub op: &'static str,
    pub text: String,
}

/// The lines of `old` and `new` with what happened to each.
pub fn lines(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            op: match c.tag() {
                ChangeTag::Equal => "same",
                ChangeTag::Delete => "removed",
                ChangeTag::Insert => "added",
            },
            text: c.value().trim_end_matches(['\r', '\n']).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_changed_line_is_removed_and_added() {
        let d = super::lines("a\nb\nc\n", "a\nB\nc\n");
        let ops: Vec<(&str, &str)> = d.iter().map(|l| (l.op, l.text.as_str())).collect();
        assert_eq!(
            ops,
            vec![
                ("same", "a"),
                ("removed", "b"),
                ("added", "B"),
                ("same", "c")
            ]
        );
    }
}
