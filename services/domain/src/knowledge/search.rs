//! How article text and citizens' questions become search terms, the same on SQLite (FTS5) and
//! PostgreSQL (full text with the `simple` configuration): neither database stems Kazakh, and
//! their Russian stemmers differ, so both index the terms computed here and only rank.
//!
//! A term is a word folded ([`crate::normalize_search`]: lowercase, `ё`→`е`, Kazakh letters
//! to their nearest Russian ones, so a question typed on a Russian keyboard finds Kazakh text)
//! and then stemmed: Russian words by the Snowball Russian stemmer, Kazakh words by stripping
//! the common plural, possessive, case and verb suffixes (Kazakh is agglutinative: «куәлігімді»
//! is «куәлік» + possessive + accusative). A question's language is not known, so each of its
//! words is looked up in both forms.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::Language;

/// At most this many distinct terms of one question are looked up; a longer question is
/// trimmed (a pasted letter is not a search).
pub const MAX_QUERY_TERMS: usize = 24;

/// Words too common to tell articles apart: question words, particles, pronouns and
/// prepositions of both languages, folded as the index folds them.
const STOP_WORDS: &[&str] = &[
    // Russian
    "а",
    "без",
    "бы",
    "в",
    "во",
    "вы",
    "где",
    "да",
    "для",
    "до",
    "его",
    "ее",
    "если",
    "есть",
    "же",
    "за",
    "и",
    "из",
    "или",
    "им",
    "их",
    "к",
    "как",
    "какие",
    "какой",
    "какая",
    "каком",
    "ко",
    "когда",
    "кто",
    "ли",
    "либо",
    "мне",
    "меня",
    "мой",
    "моя",
    "можно",
    "мы",
    "на",
    "над",
    "надо",
    "нам",
    "не",
    "нет",
    "нужно",
    "нужен",
    "нужна",
    "нужны",
    "о",
    "об",
    "от",
    "по",
    "под",
    "при",
    "с",
    "со",
    "так",
    "там",
    "то",
    "у",
    "уже",
    "чем",
    "что",
    "чтобы",
    "это",
    "этот",
    "я",
    "сколько",
    "куда",
    "ли",
    "ну",
    "пожалуйста",
    "здравствуйте",
    "подскажите",
    // Kazakh (folded)
    "бар",
    "бе",
    "бен",
    "бизге",
    "биз",
    "бул",
    "ба",
    "жок",
    "жане",
    "кандай",
    "калай",
    "кайда",
    "кашан",
    "керек",
    "ма",
    "ме",
    "мен",
    "маган",
    "менин",
    "не",
    "неше",
    "па",
    "пе",
    "сиз",
    "сизге",
    "ол",
    "осы",
    "ушин",
    "да",
    "де",
    "та",
    "те",
    "кимге",
    "ким",
    "канша",
    "сәлеметсиз",
    "салеметсиз",
];

fn russian() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::Russian))
}

/// Kazakh suffixes, folded, longest first within each group. Stripped from the end of a word
/// while at least [`KK_MIN_STEM`] letters stay.
const KK_SUFFIXES: &[&str] = &[
    // possessive + case clusters seen often in questions
    "ларынын",
    "леринин",
    "ларына",
    "лерине",
    "ларын",
    "лерин",
    "ларда",
    "лерде",
    "лардан",
    "лерден",
    "ларга",
    "лерге",
    "дарга",
    "дерге",
    "тарга",
    "терге",
    // plural
    "лар",
    "лер",
    "дар",
    "дер",
    "тар",
    "тер",
    // 1st/2nd person plural possessive and polite forms
    "ымыз",
    "имиз",
    "ыныз",
    "иниз",
    "мыз",
    "миз",
    "ныз",
    "низ",
    "сыз",
    "сиз",
    // genitive
    "нын",
    "нин",
    "дын",
    "дин",
    "тын",
    "тин",
    // ablative
    "нан",
    "нен",
    "дан",
    "ден",
    "тан",
    "тен",
    // locative
    "нда",
    "нде",
    "да",
    "де",
    "та",
    "те",
    // dative
    "на",
    "не",
    "га",
    "ге",
    "ка",
    "ке",
    // accusative
    "ны",
    "ни",
    "ды",
    "ди",
    "ты",
    "ти",
    // instrumental, equative
    "мен",
    "бен",
    "пен",
    "ша",
    "ше",
    // verbs: present/future 1st person, past, participles, infinitive, conditional
    "амын",
    "емин",
    "ймын",
    "ймин",
    "мын",
    "мин",
    "сын",
    "син",
    "ган",
    "ген",
    "кан",
    "кен",
    "атын",
    "етин",
    "йтын",
    "йтин",
    "са",
    "се",
    "у",
    // possessive singular
    "ым",
    "им",
    "ын",
    "ин",
    "сы",
    "си",
    "ы",
    "и",
    "м",
    "н",
];

/// Shortest Kazakh stem left after stripping: shorter roots are too ambiguous to match on.
const KK_MIN_STEM: usize = 3;

/// A Kazakh word, folded, reduced to its stem: up to three suffixes stripped, longest match
/// first, then a final voiced consonant made voiceless (the root «куәлік» becomes «куәлігі»
/// before a vowel; both end as «куалик»).
pub fn kazakh_stem(word: &str) -> String {
    let mut w: Vec<char> = word.chars().collect();
    for _ in 0..3 {
        let mut stripped = false;
        for s in KK_SUFFIXES {
            let n = s.chars().count();
            if w.len() >= n + KK_MIN_STEM && w[w.len() - n..].iter().copied().eq(s.chars()) {
                w.truncate(w.len() - n);
                stripped = true;
                break;
            }
        }
        if !stripped {
            break;
        }
    }
    if let Some(last) = w.last_mut() {
        *last = match *last {
            'г' => 'к',
            'б' => 'п',
            c => c,
        };
    }
    w.into_iter().collect()
}

pub fn russian_stem(word: &str) -> String {
    russian().stem(word).into_owned()
}

/// The words of a text, folded, without stop words.
pub fn words(text: &str) -> Vec<String> {
    crate::normalize_search(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// The term a word of a text in `language` is indexed under.
pub fn stem(word: &str, language: Language) -> String {
    if !word.chars().any(is_cyrillic) {
        return word.to_owned();
    }
    match language {
        Language::Kk => kazakh_stem(word),
        Language::Ru | Language::En => russian_stem(word),
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// A text in `language` as the index keeps it: its terms, space-separated, in order, then each
/// pair of neighbouring terms joined into one (`жеке куәлік` → `жекекуалик`), so a question
/// naming the same two words together — «жеке куәлік», «справка о несудимости» — ranks the
/// article that says them together above one that mentions each apart.
pub fn index_terms(text: &str, language: Language) -> String {
    let terms: Vec<String> = words(text).iter().map(|w| stem(w, language)).collect();
    let mut out = terms.join(" ");
    for pair in terms.windows(2) {
        out.push(' ');
        out.push_str(&pair[0]);
        out.push_str(&pair[1]);
    }
    out
}

/// The terms a question is looked up by: each word's Kazakh and Russian stems, then the pairs
/// of neighbouring words stemmed alike (see [`index_terms`]), deduplicated, at most
/// [`MAX_QUERY_TERMS`]. Terms are letters and digits only, so they are safe to join into an
/// FTS5 or tsquery expression.
pub fn query_terms(question: &str) -> Vec<String> {
    let words = words(question);
    let stems = |l: Language| words.iter().map(|w| stem(w, l)).collect::<Vec<_>>();
    let (kk, ru) = (stems(Language::Kk), stems(Language::Ru));
    let mut candidates: Vec<String> = Vec::new();
    for (k, r) in kk.iter().zip(&ru) {
        candidates.push(k.clone());
        candidates.push(r.clone());
    }
    for stems in [&kk, &ru] {
        for pair in stems.windows(2) {
            candidates.push(format!("{}{}", pair[0], pair[1]));
        }
    }
    let mut terms: Vec<String> = Vec::new();
    for t in candidates {
        if terms.len() < MAX_QUERY_TERMS && !terms.contains(&t) {
            terms.push(t);
        }
    }
    terms
}

/// The terms worth ranking by: `terms` (a question's, see [`query_terms`]) with `rows`, how
/// many served rows hold each (a term absent there is held by none). The rarest go first and
/// are kept while the rows they match stay within `budget` (the store's, by what ranking a row
/// costs it); the rarest one is always kept. The cost of a full-text query grows with the rows
/// holding its terms, not with the rows it returns: the database scores every one of them
/// before it can sort.
/// Words that nearly every article has («жеке», «куәлік» in a base of state services) are
/// what is left out: `bm25` gives them almost no weight anyway, yet ranking every row holding
/// them is what made a search of 10,000 articles slow. The titles still count them (see
/// [`title_score`]). Returned in the question's order; empty when no row holds any term.
pub fn affordable_terms(terms: &[String], rows: &[(String, i64)], budget: i64) -> Vec<String> {
    let held = |t: &String| rows.iter().find(|(r, _)| r == t).map_or(0, |(_, n)| *n);
    let mut by_rarity: Vec<(&String, i64)> = terms
        .iter()
        .map(|t| (t, held(t)))
        .filter(|(_, n)| *n > 0)
        .collect();
    by_rarity.sort_by_key(|(_, n)| *n);
    let mut spent = 0;
    let mut kept: Vec<&String> = Vec::new();
    for (term, n) in by_rarity {
        if !kept.is_empty() && spent + n > budget {
            break;
        }
        spent += n;
        kept.push(term);
    }
    terms.iter().filter(|t| kept.contains(t)).cloned().collect()
}

/// How well a title (in `language`) answers a question: 2 when it names every word of a
/// question of two or more words, 1 when it names two of them side by side («жеке куәлік» in
/// «Жеке куәлікті ауыстыру»), 0 otherwise. A person scanning results reads titles first, so
/// better titles go first and the database's order (word frequency and rarity) decides among
/// equals. Words nearly every article has weigh nothing in `bm25` — «жеке куәлік» is among the
/// papers of most services — yet an article titled with them is the answer. Ranking by how
/// many words a title names was measured too and lost recall (0.962 → 0.936 in Kazakh): titles
/// share generic words; pairs of words are rarer.
pub fn title_score(question: &str, title: &str, language: Language) -> u8 {
    TitleQuestion::new(question).score(title, language)
}

/// A question's words stemmed as Kazakh and as Russian, once, to score many titles with
/// ([`title_score`]): a search re-ranks twenty hits, and stemming the question again for each
/// comparison of a sort cost milliseconds.
#[derive(Debug, Clone)]
pub struct TitleQuestion {
    kk: Vec<String>,
    ru: Vec<String>,
}

impl TitleQuestion {
    pub fn new(question: &str) -> Self {
        let words = words(question);
        TitleQuestion {
            kk: words.iter().map(|w| stem(w, Language::Kk)).collect(),
            ru: words.iter().map(|w| stem(w, Language::Ru)).collect(),
        }
    }

    /// As [`title_score`].
    pub fn score(&self, title: &str, language: Language) -> u8 {
        let title_terms: Vec<String> = words(title).iter().map(|w| stem(w, language)).collect();
        let n = self.kk.len();
        let named =
            |i: usize| title_terms.contains(&self.kk[i]) || title_terms.contains(&self.ru[i]);
        if n >= 2 && (0..n).all(named) {
            return 2;
        }
        let pair_named = title_terms.windows(2).any(|t| {
            (1..n).any(|i| {
                (self.kk[i - 1] == t[0] && self.kk[i] == t[1])
                    || (self.ru[i - 1] == t[0] && self.ru[i] == t[1])
            })
        });
        u8::from(pair_named)
    }
}

/// A piece of text around the first matches, with the matched words marked by character
/// offsets into `text` (not HTML: the page that shows it escapes and marks them itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snippet {
    pub text: String,
    /// `[start, end)` character offsets in `text` of each matched word.
    pub marks: Vec<[usize; 2]>,
}

/// Marks the words of `text` (in `language`) whose term is one of `terms`, and cuts the text
/// to about `width` characters around the first mark.
pub fn snippet(text: &str, language: Language, terms: &[String], width: usize) -> Snippet {
    let chars: Vec<char> = text.chars().collect();
    let mut marks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_alphanumeric() {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let folded = crate::normalize_search(&word);
        if !STOP_WORDS.contains(&folded.as_str()) && terms.contains(&stem(&folded, language)) {
            marks.push([start, i]);
        }
    }
    let first = marks.first().map_or(0, |m| m[0]);
    let mut from = first.saturating_sub(width / 3);
    // Start at a word's beginning.
    while from > 0 && chars[from - 1].is_alphanumeric() {
        from -= 1;
    }
    let mut to = (from + width).min(chars.len());
    while to < chars.len() && chars[to].is_alphanumeric() {
        to += 1;
    }
    let mut out: String = chars[from..to].iter().collect();
    let mut shift = 0;
    if from > 0 {
        out.insert(0, '…');
        shift = 1;
    }
    if to < chars.len() {
        out.push('…');
    }
    let marks = marks
        .into_iter()
        .filter(|m| m[0] >= from && m[1] <= to)
        .map(|m| [m[0] - from + shift, m[1] - from + shift])
        .collect();
    Snippet { text: out, marks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affordable_terms_leave_out_the_commonest_beyond_the_budget() {
        let terms: Vec<String> = ["жеке", "куәлік", "жоғалт", "жекекуәлік"]
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        let rows = |v: &[(&str, i64)]| {
            v.iter()
                .map(|(t, n)| ((*t).to_owned(), *n))
                .collect::<Vec<_>>()
        };
        let counts = rows(&[
            ("жеке", 9000),
            ("куәлік", 7000),
            ("жоғалт", 300),
            ("жекекуәлік", 1500),
        ]);
        // 300 + 1500 fit in 2,000; 7,000 more do not.
        assert_eq!(
            affordable_terms(&terms, &counts, 2_000),
            ["жоғалт", "жекекуәлік"]
        );
        // A small base: every term.
        assert_eq!(affordable_terms(&terms, &counts, 100_000), terms);
        // Only common words: the rarest is still asked.
        let common = rows(&[("жеке", 9000), ("куәлік", 7000)]);
        assert_eq!(affordable_terms(&terms[..2], &common, 2_000), ["куәлік"]);
        // A term no row holds costs nothing and finds nothing: left out.
        assert_eq!(
            affordable_terms(&terms, &rows(&[("жоғалт", 3)]), 2_000),
            ["жоғалт"]
        );
        assert!(affordable_terms(&terms, &[], 2_000).is_empty());
    }

    #[test]
    fn kazakh_word_forms_meet_at_one_stem() {
        let forms = [
            "куәлік",
            "куәлігі",
            "куәлігімді",
            "куәліктер",
            "куалигин",
            "КУӘЛІКТІ",
        ];
        let stems: Vec<String> = forms
            .iter()
            .map(|w| kazakh_stem(&crate::normalize_search(w)))
            .collect();
        assert!(stems.iter().all(|s| s == "куалик"), "{stems:?}");
    }

    #[test]
    fn russian_word_forms_meet_at_one_stem() {
        let a = index_terms("Замена удостоверения личности", Language::Ru);
        let b = query_terms("как заменить удостоверение");
        for t in a.split(' ').filter(|t| *t == "удостоверен") {
            assert!(b.contains(&t.to_owned()), "{t} in {b:?}");
        }
        assert_eq!(
            index_terms("учёт", Language::Ru),
            index_terms("учет", Language::Ru)
        );
    }

    #[test]
    fn questions_lose_their_stop_words_and_stay_bounded() {
        assert!(query_terms("как где что для").is_empty());
        let long = "слово ".repeat(10) + &(0..100).map(|i| format!("w{i} ")).collect::<String>();
        assert!(query_terms(&long).len() <= MAX_QUERY_TERMS);
    }

    #[test]
    fn titles_are_covered_by_question_words_in_any_form() {
        let kk = |q: &str, t: &str| title_score(q, t, Language::Kk);
        assert_eq!(kk("жеке куалик ауыстыру", "Жеке куәлікті ауыстыру"), 2);
        assert_eq!(kk("жеке куалик ауыстыру", "Жүргізуші куәлігін ауыстыру"), 1);
        assert_eq!(kk("жеке куалик алу", "Жүргізуші куәлігін ауыстыру"), 0);
        assert_eq!(
            kk("жеке куәлігімнің мерзімі бітті", "Жеке куәлікті ауыстыру"),
            1
        );
        let ru = |q: &str, t: &str| title_score(q, t, Language::Ru);
        assert_eq!(ru("справку о несудимости", "Справка о несудимости"), 2);
        assert_eq!(ru("справка", "Справка о несудимости"), 0);
    }

    #[test]
    fn snippets_mark_matched_words_by_character_offsets() {
        let s = snippet(
            "Жеке куәлікті ауыстыру үшін ХҚКО-ға барыңыз.",
            Language::Kk,
            &query_terms("куалик ауыстыру"),
            200,
        );
        let marked: Vec<String> = s
            .marks
            .iter()
            .map(|[a, b]| s.text.chars().skip(*a).take(b - a).collect())
            .collect();
        assert_eq!(marked, vec!["куәлікті", "ауыстыру"]);
    }
}
