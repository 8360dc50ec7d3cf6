//! Knowledge search speed (issue 18): 10,000 published articles, each in Kazakh and Russian
//! (20,000 served rows), imported through `POST /api/v1/knowledge/import` as the product
//! writes them, then every question of `tests/fixtures/knowledge/questions.tsv` asked on four
//! layers side by side in the same run:
//!
//! - **http** — `GET /api/v1/knowledge/search?q=…&language=…&limit=5` over HTTP on 127.0.0.1,
//!   timed by the client (what an operator's console waits for);
//! - **centre** — `Centre::search_knowledge` in process (the search, the title re-rank and the
//!   reads of each hit's served version, without HTTP, authentication and JSON);
//! - **store** — the store verb `search_articles` alone, as the centre first calls it (20 hits
//!   asked, so 60 rows fetched);
//! - **bare** — the database's full-text query of the same terms and nothing else: FTS5
//!   `MATCH` ordered by `bm25` on SQLite, `@@` ordered by `ts_rank` on PostgreSQL, 5 rows,
//!   through sqlx on a pool of its own against the same database;
//! - **bare-all** — the same query of every term of the question, as the search asked before
//!   it left out the words most articles hold (`search::affordable_terms`).
//!
//! It also counts how often the centre's first three hits hold the question's article (the
//! fixture's own or one of its variants): leaving words out must not lose the answer.
//!
//! A benchmark, never a timed test: it asserts only that the load and the searches worked.
//! Run on demand in a release build, one backend after the other:
//!
//! `cargo test --release -p baylanys-tests --test integration -- --ignored --nocapture --test-threads 1 knowledge_search_benchmark`
//!
//! Not under nextest: its profile ends any test after 180 s, and one backend takes 3–4 minutes
//! (SQLite) to 12 (PostgreSQL) here. Not in the test profile either: there the bundled SQLite
//! is compiled without optimisation, so its figures say little about a release server.
//!
//! The figures are printed and written to target/bench/knowledge-search.json (one key per
//! backend); BENCHMARKS.md keeps them.

use std::time::{Duration, Instant};

use anyhow::Context;
use baylanys_centre::Question;
use baylanys_domain::knowledge::{search, UsagePlace};
use baylanys_domain::Language;
use baylanys_store::ArticleQuery;
use baylanys_tests::{Backend, TestApp};
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::knowledge::{fixture_files, knowledge_cast};
use crate::knowledge_search::questions;

mod knowledge_search_benchmark {
    use baylanys_tests::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "a benchmark: run on demand, figures in BENCHMARKS.md"]
    async fn sqlite() -> anyhow::Result<()> {
        super::benchmark(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "a benchmark: run on demand, figures in BENCHMARKS.md"]
    async fn postgres() -> anyhow::Result<()> {
        super::benchmark(Backend::Postgres).await
    }
}

/// Published articles served when the load is done (the fixture's own included).
const ARTICLES: usize = 10_000;
/// Files per import request (the import takes at most 600): 300 articles of two languages.
const BATCH_FILES: usize = 600;
/// Timed rounds over the question set, after one round of warm-up.
const ROUNDS: usize = 5;
/// Hits a console search asks for.
const LIMIT: u32 = 5;

/// The bare queries (issue 18): the same terms, the database's match and rank, nothing else.
const BARE_SQLITE: &str =
    "SELECT rowid, bm25(kb_fts) FROM kb_fts WHERE kb_fts MATCH $1 ORDER BY 2 LIMIT 5";
const BARE_POSTGRES: &str = "SELECT id, ts_rank(terms, q) FROM kb_served, \
     to_tsquery('simple', $1) q WHERE terms @@ q ORDER BY 2 DESC LIMIT 5";

/// The store's match expressions (`sqlite_match`, `postgres_match` in baylanys-store, private
/// to it), written out the same way.
fn sqlite_match(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn postgres_match(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("'{}'", t.replace(['\'', '\\'], "")))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Regions and cities of Kazakhstan (Kazakh, Russian): a variant of an article is "for" one.
const REGIONS: &[(&str, &str)] = &[
    ("Абай облысы", "Абайская область"),
    ("Ақмола облысы", "Акмолинская область"),
    ("Ақтөбе облысы", "Актюбинская область"),
    ("Алматы облысы", "Алматинская область"),
    ("Атырау облысы", "Атырауская область"),
    ("Батыс Қазақстан облысы", "Западно-Казахстанская область"),
    ("Жамбыл облысы", "Жамбылская область"),
    ("Жетісу облысы", "Жетысуская область"),
    ("Қарағанды облысы", "Карагандинская область"),
    ("Қостанай облысы", "Костанайская область"),
    ("Қызылорда облысы", "Кызылординская область"),
    ("Маңғыстау облысы", "Мангистауская область"),
    ("Павлодар облысы", "Павлодарская область"),
    ("Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    ("Түркістан облысы", "Туркестанская область"),
    ("Ұлытау облысы", "Улытауская область"),
    ("Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
    ("Астана қаласы", "город Астана"),
    ("Алматы қаласы", "город Алматы"),
    ("Шымкент қаласы", "город Шымкент"),
];

/// Syllables of made-up place and street names: each variant names a few, so the index has
/// the long tail of rare words a real knowledge base has besides its common vocabulary.
const SYLLABLES: &[&str] = &[
    "қа", "ра", "су", "тал", "бек", "жан", "ор", "ақ", "те", "мір", "сай", "бұ", "лақ", "ген",
    "ды", "қым", "нұр", "ай", "ет", "ас", "көл", "тау", "сар", "ы", "ар", "құм", "бай", "ша", "бо",
    "ки",
];

/// splitmix64: a variant is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn name(&mut self) -> String {
        let n = 2 + self.below(3);
        let mut s: String = (0..n)
            .map(|_| SYLLABLES[self.below(SYLLABLES.len())])
            .collect();
        if let Some(first) = s.chars().next() {
            s = first.to_uppercase().chain(s.chars().skip(1)).collect();
        }
        s
    }
}

/// One language of a fixture article: its front matter lines and its body's paragraphs.
struct Text {
    front: Vec<String>,
    paragraphs: Vec<String>,
}

struct Fixture {
    slug: String,
    published: bool,
    kk: Text,
    ru: Text,
}

fn text_of(content: &str) -> anyhow::Result<Text> {
    let rest = content
        .strip_prefix("---\n")
        .context("a fixture starts with front matter")?;
    let (front, body) = rest
        .split_once("\n---\n")
        .context("a fixture's front matter ends")?;
    Ok(Text {
        front: front.lines().map(str::to_owned).collect(),
        paragraphs: body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn fixtures() -> anyhow::Result<Vec<Fixture>> {
    let files = fixture_files()?;
    let mut out: Vec<Fixture> = Vec::new();
    for pair in files.chunks(2) {
        let [kk, ru] = pair else {
            anyhow::bail!("the fixture folder holds a kk and a ru file per article")
        };
        let (kk_name, ru_name) = (
            kk["name"].as_str().unwrap_or_default(),
            ru["name"].as_str().unwrap_or_default(),
        );
        let slug = kk_name.trim_end_matches(".kk.md").to_owned();
        anyhow::ensure!(
            kk_name.ends_with(".kk.md") && ru_name == format!("{slug}.ru.md"),
            "{kk_name}, {ru_name}"
        );
        let (kk, ru) = (
            text_of(kk["content"].as_str().unwrap_or_default())?,
            text_of(ru["content"].as_str().unwrap_or_default())?,
        );
        let published = [&kk, &ru]
            .iter()
            .all(|t| t.front.iter().any(|l| l == "state: published"));
        out.push(Fixture {
            slug,
            published,
            kk,
            ru,
        });
    }
    Ok(out)
}

/// Variant `n` of a published fixture article, both languages, as import files: its title
/// names a region and the number, a paragraph of the base may be left out, one or two
/// paragraphs of another article (the same in both languages) are mixed in, and a last line
/// names a made-up district, street and office.
fn variant(all: &[Fixture], base: &Fixture, n: usize) -> Vec<Value> {
    let mut rng = Rng(n as u64);
    let (region_kk, region_ru) = REGIONS[rng.below(REGIONS.len())];
    let donor = &all[rng.below(all.len())];
    let borrowed: Vec<usize> = (0..1 + rng.below(2)).map(|_| rng.below(64)).collect();
    let dropped = rng.below(64);
    let drop = rng.below(2) == 0;
    let at = rng.below(64);
    let (district, street, office) = (rng.name(), rng.name(), 1 + rng.below(400));
    let slug = format!("{}-{n:05}", base.slug);
    let mut files = Vec::with_capacity(2);
    for (language, text, donor_text, region, last) in [
        (
            "kk",
            &base.kk,
            &donor.kk,
            region_kk,
            format!(
                "Қосымша ақпарат: {district} ауданы, {street} көшесі, {office}-кабинет, \
                 өтініш нөмірі {n}."
            ),
        ),
        (
            "ru",
            &base.ru,
            &donor.ru,
            region_ru,
            format!(
                "Дополнительно: район {district}, улица {street}, кабинет {office}, \
                 номер обращения {n}."
            ),
        ),
    ] {
        let mut paragraphs = text.paragraphs.clone();
        if drop && paragraphs.len() > 3 {
            let i = 1 + dropped % (paragraphs.len() - 1);
            paragraphs.remove(i);
        }
        let mut at = at % (paragraphs.len() + 1);
        for b in &borrowed {
            if let Some(p) = donor_text
                .paragraphs
                .get(b % donor_text.paragraphs.len().max(1))
            {
                paragraphs.insert(at, p.clone());
                at += 1;
            }
        }
        paragraphs.push(last);
        let front: Vec<String> = text
            .front
            .iter()
            .map(|l| {
                if l.starts_with("slug:") {
                    format!("slug: {slug}")
                } else if let Some(title) = l
                    .strip_prefix("title: \"")
                    .and_then(|t| t.strip_suffix('"'))
                {
                    format!("title: \"{title} — {region}, {n}\"")
                } else {
                    l.clone()
                }
            })
            .collect();
        files.push(json!({
            "name": format!("{slug}.{language}.md"),
            "content": format!("---\n{}\n---\n{}\n", front.join("\n"), paragraphs.join("\n\n")),
        }));
    }
    files
}

/// Latencies in milliseconds of one layer, by language.
#[derive(Default)]
struct Samples {
    kk: Vec<f64>,
    ru: Vec<f64>,
    /// Hits returned, summed: every layer must find something.
    hits: usize,
    /// Questions whose article (or a variant of it) was among the first three hits, and the
    /// questions asked whose article is published (centre layer only).
    answered: usize,
    answerable: usize,
}

impl Samples {
    fn push(&mut self, language: Language, ms: f64, hits: usize) {
        match language {
            Language::Kk => self.kk.push(ms),
            _ => self.ru.push(ms),
        }
        self.hits += hits;
    }

    fn all(&self) -> Vec<f64> {
        self.kk.iter().chain(&self.ru).copied().collect()
    }
}

/// p50, p99, max (nearest rank) and the count.
fn stats(samples: &[f64]) -> Value {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let i = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len().max(1)) - 1;
        s.get(i).copied().unwrap_or(f64::NAN)
    };
    let round = |v: f64| (v * 100.0).round() / 100.0;
    json!({
        "n": s.len(),
        "p50_ms": round(at(0.50)),
        "p99_ms": round(at(0.99)),
        "max_ms": round(s.last().copied().unwrap_or(f64::NAN)),
    })
}

enum Bare {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Bare {
    async fn connect(app: &TestApp) -> anyhow::Result<Bare> {
        Ok(match app.backend {
            Backend::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions = app.database_url.parse()?;
                Bare::Sqlite(
                    sqlx::sqlite::SqlitePoolOptions::new()
                        .max_connections(1)
                        .connect_with(options.read_only(true))
                        .await?,
                )
            }
            Backend::Postgres => Bare::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&app.database_url)
                    .await?,
            ),
        })
    }

    /// The served rows (two per article).
    async fn served_rows(&self) -> anyhow::Result<i64> {
        let q = "SELECT COUNT(*) FROM kb_served";
        Ok(match self {
            Bare::Sqlite(p) => sqlx::query_scalar(q).fetch_one(p).await?,
            Bare::Postgres(p) => sqlx::query_scalar(q).fetch_one(p).await?,
        })
    }

    /// The bare query of `terms`; the number of rows found.
    async fn search(&self, terms: &[String]) -> anyhow::Result<usize> {
        Ok(match self {
            Bare::Sqlite(p) => sqlx::query_as::<_, (i64, f64)>(BARE_SQLITE)
                .bind(sqlite_match(terms))
                .fetch_all(p)
                .await?
                .len(),
            Bare::Postgres(p) => sqlx::query_as::<_, (i64, f32)>(BARE_POSTGRES)
                .bind(postgres_match(terms))
                .fetch_all(p)
                .await?
                .len(),
        })
    }
}

/// The machine's load average over the last minute (another build shares these two cores).
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

const LAYERS: [&str; 5] = ["http", "centre", "store", "bare", "bare-all"];

/// Whether `slug` is the fixture article `expected` or one of its variants (`expected-00042`).
fn answers(slug: &str, expected: &str) -> bool {
    slug == expected
        || slug
            .strip_prefix(expected)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| n.len() == 5 && n.chars().all(|c| c.is_ascii_digit()))
}

async fn benchmark(backend: Backend) -> anyhow::Result<()> {
    let app = TestApp::spawn(backend).await?;
    let editor = knowledge_cast(&app).await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;

    // The load: the fixture folder as it is (37 published, 3 drafts), then variants of the
    // published ones up to 10,000 published articles, 300 articles an import.
    let all = fixtures()?;
    let published: Vec<&Fixture> = all.iter().filter(|f| f.published).collect();
    anyhow::ensure!(!published.is_empty(), "no published fixture");
    let mut files: Vec<Value> = Vec::new();
    for n in 1..=ARTICLES - published.len() {
        files.extend(variant(&all, published[(n - 1) % published.len()], n));
    }
    // One request per batch, two at a time (a batch's parsing overlaps the other's writes);
    // a batch may take longer than the harness's client waits, so they have a client of their
    // own.
    let importer = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?;
    let started = Instant::now();
    let mut batches = vec![fixture_files()?];
    batches.extend(files.chunks(BATCH_FILES).map(<[Value]>::to_vec));
    let imports = batches.into_iter().map(|batch| {
        let (importer, app, editor) = (&importer, &app, &editor);
        async move {
            let r = importer
                .post(format!("{}/api/v1/knowledge/import", app.base))
                .bearer_auth(editor)
                .json(&json!({ "files": batch }))
                .send()
                .await?;
            let status = r.status();
            let text = r.text().await?;
            anyhow::ensure!(status == 200, "import: {status} {text}");
            anyhow::Ok(())
        }
    });
    let done: Vec<anyhow::Result<()>> = futures_util::stream::iter(imports)
        .buffer_unordered(2)
        .collect()
        .await;
    done.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    let load_seconds = started.elapsed().as_secs_f64();
    let bare = Bare::connect(&app).await?;
    let served = app
        .store
        .served_article_count(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await?;
    let rows = bare.served_rows().await?;
    anyhow::ensure!(
        served == ARTICLES as i64 && rows == 2 * ARTICLES as i64,
        "served {served} articles in {rows} rows"
    );
    if let Bare::Postgres(p) = &bare {
        // As autovacuum would have by the time a real base is this size.
        sqlx::query("ANALYZE kb_served").execute(p).await?;
    }
    println!("{backend:?}: {served} articles served in {rows} rows, loaded in {load_seconds:.1} s");

    // The questions, each with its language, its article, every term and the terms asked.
    let mut asked = Vec::new();
    let mut left_out = 0;
    for (language, slug, q) in questions()? {
        let language: Language = language.parse()?;
        let all_terms = search::query_terms(&q);
        anyhow::ensure!(!all_terms.is_empty(), "{q}: no terms");
        let rows = app.store.term_rows(&all_terms).await?;
        let terms = search::affordable_terms(&all_terms, &rows, app.store.search_row_budget());
        left_out += all_terms.len() - terms.len();
        let costs: Vec<String> = terms
            .iter()
            .map(|t| {
                let n = rows.iter().find(|(r, _)| r == t).map_or(0, |(_, n)| *n);
                format!("{t}:{n}")
            })
            .collect();
        let expected = published.iter().any(|f| f.slug == slug).then_some(slug);
        let url = format!(
            "{}/api/v1/knowledge/search?q={}&language={}&limit={LIMIT}",
            app.base,
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>(),
            language.as_str()
        );
        asked.push((
            language,
            expected,
            q,
            terms,
            all_terms,
            url,
            costs.join(" "),
        ));
    }
    println!(
        "{left_out} of the questions' terms left out as too common (budget {} rows)",
        app.store.search_row_budget()
    );

    let mut samples: Vec<Samples> = LAYERS.iter().map(|_| Samples::default()).collect();
    // The store layer's slowest time per question, to name the questions in the tail.
    let mut slowest = vec![0.0_f64; asked.len()];
    let mut centre_slowest = vec![0.0_f64; asked.len()];
    let load_before = load_average();
    let measuring = Instant::now();
    for round in 0..=ROUNDS {
        for (i, (language, expected, q, terms, all_terms, url, _)) in asked.iter().enumerate() {
            // Each layer leads in turn, so none always finds the pages warm from another.
            for k in 0..LAYERS.len() {
                let layer = (i + round + k) % LAYERS.len();
                let t = Instant::now();
                let (took, hits) = match layer {
                    0 => {
                        let r = app.http.get(url).bearer_auth(&op).send().await?;
                        let status = r.status();
                        let body = r.bytes().await?;
                        let took = ms(t);
                        anyhow::ensure!(status == 200, "{q}: {status}");
                        let hits = serde_json::from_slice::<Value>(&body)?
                            .as_array()
                            .map_or(0, Vec::len);
                        (took, hits)
                    }
                    1 => {
                        let found = app
                            .centre
                            .search_knowledge(&Question {
                                text: q.clone(),
                                language: Some(*language),
                                topic: None,
                                limit: LIMIT,
                                place: UsagePlace::Console,
                                staff_id: Some(op_id),
                                appeal_id: None,
                                record_gap: true,
                            })
                            .await?;
                        let took = ms(t);
                        if round > 0 {
                            if let Some(expected) = expected {
                                let s = &mut samples[layer];
                                s.answerable += 1;
                                s.answered += usize::from(found.iter().take(3).any(|f| {
                                    f.slug.as_deref().is_some_and(|s| answers(s, expected))
                                }));
                            }
                        }
                        (took, found.len())
                    }
                    2 => {
                        // As the centre first asks: four times the page, at least 20.
                        let hits = app
                            .store
                            .search_articles(&ArticleQuery {
                                terms: terms.clone(),
                                language: Some(*language),
                                topic: None,
                                limit: (LIMIT * 4).max(20),
                            })
                            .await?;
                        (ms(t), hits.len())
                    }
                    3 => {
                        let rows = bare.search(terms).await?;
                        (ms(t), rows)
                    }
                    _ => {
                        let rows = bare.search(all_terms).await?;
                        (ms(t), rows)
                    }
                };
                if round > 0 {
                    samples[layer].push(*language, took, hits);
                    if layer == 2 {
                        slowest[i] = slowest[i].max(took);
                    }
                    if layer == 1 {
                        centre_slowest[i] = centre_slowest[i].max(took);
                    }
                }
            }
        }
    }

    let measure_seconds = measuring.elapsed().as_secs_f64();
    let mut tail: Vec<usize> = (0..asked.len()).collect();
    tail.sort_by(|a, b| slowest[*b].total_cmp(&slowest[*a]));
    let mut ctail: Vec<usize> = (0..asked.len()).collect();
    ctail.sort_by(|a, b| centre_slowest[*b].total_cmp(&centre_slowest[*a]));
    println!("the centre's slowest questions (its time, the store's):");
    for i in ctail.into_iter().take(8) {
        let (language, _, q, _, _, _, costs) = &asked[i];
        println!(
            "  {:.1} ms ({:.1} ms)  {} «{q}»  {costs}",
            centre_slowest[i],
            slowest[i],
            language.as_str()
        );
    }
    println!("the store's slowest questions (terms asked: rows holding each):");
    for i in tail.into_iter().take(5) {
        let (language, _, q, _, _, _, costs) = &asked[i];
        println!(
            "  {:.1} ms  {} «{q}»  {costs}",
            slowest[i],
            language.as_str()
        );
    }
    let load_after = load_average();

    // The table and the JSON.
    let bare_all = samples[3].all();
    let bare_stats = stats(&bare_all);
    let mut layers = serde_json::Map::new();
    println!(
        "\n{backend:?}, {} questions × {ROUNDS} rounds (after one warm-up round), {ARTICLES} articles kk+ru",
        asked.len()
    );
    println!(
        "{:<8} {:>6} {:>9} {:>9} {:>9} {:>10} {:>10} {:>9} {:>9} {:>8}",
        "layer",
        "n",
        "p50 ms",
        "p99 ms",
        "max ms",
        "p50÷bare",
        "p99÷bare",
        "kk p99",
        "ru p99",
        "hits/q"
    );
    for (layer, s) in LAYERS.iter().zip(&samples) {
        let all = s.all();
        anyhow::ensure!(!all.is_empty(), "{layer}: no samples");
        anyhow::ensure!(s.hits > 0, "{layer} found nothing");
        let (a, kk, ru) = (stats(&all), stats(&s.kk), stats(&s.ru));
        let ratio = |k: &str| {
            let r = a[k].as_f64().unwrap_or(f64::NAN) / bare_stats[k].as_f64().unwrap_or(f64::NAN);
            (r * 10.0).round() / 10.0
        };
        let hits_per_question = s.hits as f64 / all.len() as f64;
        println!(
            "{:<8} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>10.1} {:>10.1} {:>9.2} {:>9.2} {:>8.2}",
            layer,
            all.len(),
            a["p50_ms"].as_f64().unwrap_or(f64::NAN),
            a["p99_ms"].as_f64().unwrap_or(f64::NAN),
            a["max_ms"].as_f64().unwrap_or(f64::NAN),
            ratio("p50_ms"),
            ratio("p99_ms"),
            kk["p99_ms"].as_f64().unwrap_or(f64::NAN),
            ru["p99_ms"].as_f64().unwrap_or(f64::NAN),
            hits_per_question,
        );
        layers.insert(
            (*layer).to_owned(),
            json!({
                "all": a, "kk": kk, "ru": ru,
                "p50_over_bare": ratio("p50_ms"), "p99_over_bare": ratio("p99_ms"),
                "hits_per_question": (hits_per_question * 100.0).round() / 100.0,
            }),
        );
    }
    let centre = &samples[1];
    anyhow::ensure!(centre.answerable > 0, "no question of a published article");
    let recall_at_3 = centre.answered as f64 / centre.answerable as f64;
    println!(
        "the question's article among the centre's first three: {} of {} ({recall_at_3:.3})",
        centre.answered, centre.answerable
    );
    let http_p99 = samples[0].all();
    let http_p99 = stats(&http_p99)["p99_ms"].as_f64().unwrap_or(f64::NAN);
    println!(
        "measured in {measure_seconds:.1} s; load average {load_before:.2} before, {load_after:.2} after"
    );
    println!(
        "aim p99 < 20 ms over HTTP: {} ({http_p99:.2} ms)",
        if http_p99 < 20.0 { "met" } else { "not met" }
    );

    let report = json!({
        "articles": ARTICLES,
        "served_rows": rows,
        "languages": "each article in kk and ru",
        "load_seconds": (load_seconds * 10.0).round() / 10.0,
        "questions": asked.len(),
        "rounds": ROUNDS,
        "measure_seconds": (measure_seconds * 10.0).round() / 10.0,
        "load_average": [load_before, load_after],
        "profile": if cfg!(debug_assertions) { "test (debug)" } else { "release" },
        "limit": LIMIT,
        "bare_query": match backend { Backend::Sqlite => BARE_SQLITE, Backend::Postgres => BARE_POSTGRES },
        "layers": layers,
        "aim_p99_ms": 20,
        "aim_met": http_p99 < 20.0,
        "row_budget": app.store.search_row_budget(),
        "terms_left_out": left_out,
        "recall_at_3": (recall_at_3 * 1000.0).round() / 1000.0,
        "at": chrono::Utc::now(),
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("knowledge-search.json");
    let mut kept: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    kept[match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }] = report;
    std::fs::write(&path, serde_json::to_string_pretty(&kept)?)?;
    println!("written to {}", path.display());
    Ok(())
}
