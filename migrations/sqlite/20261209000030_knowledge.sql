-- The knowledge base (R5.5, R22, clause 3.15): articles with their official sources, states and
-- every published version; what is served (the latest published version of each article not
-- archived, one row per language) with its search terms; and how the articles are used.

CREATE TABLE kb_articles (
    id                BLOB PRIMARY KEY,
    -- Stable name shared by an article's import files; optional for articles made in the API.
    slug              TEXT UNIQUE,
    state             TEXT NOT NULL,
    -- Increments on every write: an edit names the revision it started from (409 otherwise).
    revision          INTEGER NOT NULL,
    -- The working copy (texts, topics, tags, sources, review date) as JSON.
    content           TEXT NOT NULL,
    review_by         TEXT,
    owner_id          BLOB REFERENCES staff(id),
    published_version INTEGER,
    published_at      TEXT,
    state_changed_at  TEXT NOT NULL,
    state_changed_by  BLOB REFERENCES staff(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX kb_articles_state ON kb_articles (state, updated_at);

-- Every published version, kept and readable (R22).
CREATE TABLE kb_versions (
    article_id   BLOB NOT NULL REFERENCES kb_articles(id),
    version      INTEGER NOT NULL,
    content      TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by BLOB REFERENCES staff(id),
    PRIMARY KEY (article_id, version)
);

-- What operators and citizens are offered: the served version, one row per language, with the
-- search terms computed in Rust (baylanys_domain::knowledge::search) so both backends index the
-- same words; only ranking is the database's.
CREATE TABLE kb_served (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id  BLOB NOT NULL REFERENCES kb_articles(id),
    language    TEXT NOT NULL,
    title       TEXT NOT NULL,
    plain       TEXT NOT NULL,
    -- Topic ids, comma-separated with a comma at each end, for `LIKE '%,id,%'`.
    topics      TEXT NOT NULL,
    terms_title TEXT NOT NULL,
    terms_body  TEXT NOT NULL,
    UNIQUE (article_id, language)
);

CREATE VIRTUAL TABLE kb_fts USING fts5(
    terms_title, terms_body,
    content = 'kb_served', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER kb_served_ai AFTER INSERT ON kb_served BEGIN
    INSERT INTO kb_fts (rowid, terms_title, terms_body)
    VALUES (new.id, new.terms_title, new.terms_body);
END;
CREATE TRIGGER kb_served_ad AFTER DELETE ON kb_served BEGIN
    INSERT INTO kb_fts (kb_fts, rowid, terms_title, terms_body)
    VALUES ('delete', old.id, old.terms_title, old.terms_body);
END;

-- Views, insertions into replies, "helped / did not help", searches that found nothing.
CREATE TABLE kb_usage (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BLOB REFERENCES kb_articles(id),
    kind       TEXT NOT NULL,
    place      TEXT NOT NULL,
    language   TEXT,
    query      TEXT,
    staff_id   BLOB REFERENCES staff(id),
    appeal_id  BLOB REFERENCES appeals(id),
    at         TEXT NOT NULL
);
CREATE INDEX kb_usage_at ON kb_usage (at);
CREATE INDEX kb_usage_article ON kb_usage (article_id, kind);
