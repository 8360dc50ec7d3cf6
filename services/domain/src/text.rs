use crate::DomainError;

/// Search over Kazakh and Russian text must behave the same on SQLite and PostgreSQL, and
/// neither has a Kazakh collation, so names are normalised in Rust into a search column:
/// lowercase, `ё`→`е`, Kazakh-specific letters folded to their nearest Russian ones, spaces
/// collapsed.
pub fn normalize_search(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for ch in input.chars().flat_map(char::to_lowercase) {
        let folded = match ch {
            'ё' => 'е',
            'ә' => 'а',
            'ғ' => 'г',
            'қ' => 'к',
            'ң' => 'н',
            'ө' => 'о',
            'ұ' | 'ү' => 'у',
            'һ' => 'х',
            'і' => 'и',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if folded == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(folded);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Free text with a length bound (in characters), trimmed; empty is refused. Bounds keep one
/// request from filling the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText(String);

impl BoundedText {
    /// An optional field: absent stays absent; present is checked as [`BoundedText::new`].
    pub fn optional(
        field: &'static str,
        value: Option<String>,
        max_chars: usize,
    ) -> Result<Option<String>, DomainError> {
        value
            .map(|v| BoundedText::new(field, &v, max_chars).map(BoundedText::into_inner))
            .transpose()
    }

    pub fn new(field: &'static str, input: &str, max_chars: usize) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(DomainError::InvalidField {
                field,
                reason: "must not be empty".into(),
            });
        }
        // A NUL is stored by SQLite and refused by PostgreSQL; no other control character but
        // a tab or a line break belongs in text people type. Refused alike on both backends.
        if trimmed.chars().any(is_refused_control) {
            return Err(DomainError::InvalidField {
                field,
                reason: "must not contain control characters".into(),
            });
        }
        if trimmed.chars().count() > max_chars {
            return Err(DomainError::InvalidField {
                field,
                reason: format!("must be at most {max_chars} characters"),
            });
        }
        Ok(BoundedText(trimmed.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a character may not stand in a text people type: every control character but a tab
/// and line breaks (PostgreSQL refuses NUL outright; the rest only ever arrives by accident or
/// attack). The API's edge refuses them with the same rule, before any handler runs.
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_kept() {
        assert!(BoundedText::new("body", "a\u{0}b", 10).is_err());
        assert!(BoundedText::new("body", "a\u{7}b", 10).is_err());
        assert!(BoundedText::new("body", "a\u{9b}b", 10).is_err());
        assert_eq!(
            BoundedText::new("body", "Сәлем,\r\n\tдос", 20)
                .map(BoundedText::into_inner)
                .ok()
                .as_deref(),
            Some("Сәлем,\r\n\tдос")
        );
    }

    #[test]
    fn folds_kazakh_and_russian() {
        assert_eq!(normalize_search("  Әлия   Қасымова "), "алия касымова");
        assert_eq!(normalize_search("Пётр"), "петр");
        assert_eq!(normalize_search("ҰЛТТЫҚ"), "улттык");
    }

    #[test]
    fn bounded_text() {
        assert!(BoundedText::new("body", "   ", 10).is_err());
        assert!(BoundedText::new("body", "абвгдеёжзий", 10).is_err());
        assert_eq!(
            BoundedText::new("body", " сәлем ", 10).map(BoundedText::into_inner),
            Ok("сәлем".to_owned())
        );
    }
}
